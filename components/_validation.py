"""The arguments' own shape checks and the problem list they report into.

Only what no Kubernetes object can say is checked here: types of arguments,
and values that never reach an object (a cluster domain, a node port range, a
duration). Every rule on the objects lives in `k8s_rules`; name and label
formats come from `k8s_rules.names`. Each ``check_*`` function appends to a
`Problems` list instead of raising, so one pass reports everything; where a
structure must be plain, an Output is a type problem that says so.
"""

from __future__ import annotations

import difflib
import inspect
import ipaddress
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from k8s_rules import names

_DURATION = re.compile(r"([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+")


def show(value: Any) -> str:
    """Render a value for an error message: strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def type_name(value: Any) -> str:
    return type(value).__name__


def is_known(value: Any) -> bool:
    """False for values only known at deployment (Outputs, awaitables).
    Without pulumi imported, no value can be an Output: the checks of a
    stack run without it (k8s_services.render)."""
    pulumi = sys.modules.get("pulumi")
    return not (pulumi is not None and isinstance(value, pulumi.Output)) and not inspect.isawaitable(value)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one argument, at ``path``; ``shown`` is the value
    as printed, or None when there is none to show."""

    path: str
    reason: str
    shown: str | None
    is_type_error: bool

    def __str__(self) -> str:
        """As a component reports it: 'ports[0].port' (70000) must be ..."""
        value = f" ({self.shown})" if self.shown is not None else ""
        return _sentence(f"'{self.path}'{value} {self.reason}")

    def at(self, prefix: str) -> str:
        """As a stack config reports it: services.web.ports[0].port: 70000 must be ..."""
        where = f"{prefix}.{self.path}" if prefix and self.path else prefix or self.path
        value = f" {self.shown}" if self.shown is not None else ""
        return _sentence(f"{where}:{value} {self.reason}")

    def moved(self, prefix: str) -> Problem:
        """The same problem, one level deeper: ``prefix`` goes before its path."""
        return Problem(f"{prefix}.{self.path}" if self.path else prefix, self.reason, self.shown, self.is_type_error)


@dataclass
class Problems:
    """The problems found so far, in the order they were found."""

    items: list[Problem] = field(default_factory=list)

    def value(self, path: str, value: Any, reason: str) -> None:
        self.items.append(Problem(path, reason, show(value), False))

    def missing(self, path: str, reason: str) -> None:
        """A value problem with no value to show (one that was not given)."""
        self.items.append(Problem(path, reason, None, False))

    def type(self, path: str, reason: str) -> None:
        self.items.append(Problem(path, reason, None, True))

    def __bool__(self) -> bool:
        return bool(self.items)

    def chosen(self) -> list[Problem]:
        """The problems to report. Type problems come first: a value check on
        a value of the wrong shape would only add noise."""
        type_problems = [p for p in self.items if p.is_type_error]
        return type_problems or self.items

    def error(self, prefix: str) -> TypeError | ValueError | None:
        """The exception to raise, or None."""
        chosen = self.chosen()
        if not chosen:
            return None
        if len(chosen) == 1:
            message = f"{prefix}: {chosen[0]}"
        else:
            lines = "".join(f"\n  {p}" for p in chosen)
            message = f"{prefix} ({len(chosen)} problems):{lines}"
        return TypeError(message) if chosen[0].is_type_error else ValueError(message)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?")) else text + "."


def suggest(word: str, choices: Iterable[str], *, value: bool = False) -> str:
    """A " Did you mean ...?" suffix, or an empty string. Argument names are
    quoted 'like this', values "like this"; camelCase finds its snake_case."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", word).lower()
    pool = sorted(choices)
    exact = [c for c in pool if c.lower() == word.lower()]
    if snake != word and snake in pool:
        found = snake
    elif exact:
        found = exact[0]
    else:
        close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
        if not close:
            return ""
        found = close[0]
    return f" Did you mean {show(found) if value else repr(found)}?"


# --- shapes -----------------------------------------------------------------


def check_str(p: Problems, path: str, value: Any) -> bool:
    """True when ``value`` is a known string; records a type problem when it
    is neither a string nor unknown."""
    if not is_known(value):
        return False
    if not isinstance(value, str):
        p.type(path, f"must be a string, not {type_name(value)}")
        return False
    return True


def check_int(p: Problems, path: str, value: Any) -> bool:
    if not is_known(value):
        return False
    if not is_int(value):
        p.type(path, f"must be an integer, not {type_name(value)}")
        return False
    return True


def check_bool(p: Problems, path: str, value: Any) -> bool:
    if not is_known(value):
        return False
    if not isinstance(value, bool):
        p.type(path, f"must be True or False, not {type_name(value)}")
        return False
    return True


# Why a structure cannot wait for deployment: it shapes the objects.
_PLAIN_NEEDED = (
    "the bundle's objects are built and checked from it before anything is registered; pass the value itself"
    " (an Output is fine inside it, as a leaf)"
)


def check_mapping(p: Problems, path: str, value: Any) -> bool:
    if not is_known(value):
        p.type(path, f"must be a plain mapping, not an Output: {_PLAIN_NEEDED}")
        return False
    if not isinstance(value, Mapping):
        p.type(path, f"must be a mapping, not {type_name(value)}")
        return False
    return True


def check_list(p: Problems, path: str, value: Any) -> bool:
    if not is_known(value):
        p.type(path, f"must be a plain list, not an Output: {_PLAIN_NEEDED}")
        return False
    if not isinstance(value, (list, tuple)):
        p.type(path, f"must be a list, not {type_name(value)}")
        return False
    return True


def check_keys(p: Problems, path: str, value: Mapping[str, Any], allowed: Iterable[str], owner: str) -> None:
    """Unknown keys of a nested mapping (a port, a container) are type problems."""
    allowed = set(allowed)
    for key in value:
        if not isinstance(key, str):
            p.type(f"{path}", f"has a key {show(key)} that is not a string")
        elif key not in allowed:
            p.type(f"{path}.{key}", f"is not a field of {owner}.{suggest(key, allowed)}")


# --- names ------------------------------------------------------------------
# The formats themselves live in k8s_rules.names, the one place for them.


def check_dns1123_label(p: Problems, path: str, value: Any, hint: str = "") -> None:
    if check_str(p, path, value):
        reason = names.dns1123_label_problem(value) if value else "must not be empty"
        if reason:
            p.value(path, value, f"is not a DNS-1123 label: it {reason}{hint}")


def check_dns1123_subdomain(p: Problems, path: str, value: Any, hint: str = "") -> None:
    if check_str(p, path, value):
        reason = names.dns1123_subdomain_problem(value) if value else "must not be empty"
        if reason:
            p.value(path, value, f"is not a DNS-1123 subdomain: it {reason}{hint}")


def check_label_map(p: Problems, path: str, value: Any) -> None:
    """Label keys and values of a selector that no object carries as labels
    (a NetworkPolicy peer's, a namespace's)."""
    if not check_mapping(p, path, value):
        return
    for key, item in value.items():
        if not isinstance(key, str):
            p.type(path, f"has a key {show(key)} that is not a string")
            continue
        kpath = f"{path}[{show(key)}]"
        reason = names.qualified_name_problem(key)
        if reason:
            p.value(kpath, key, f"is not a valid label key: {reason}")
        if check_str(p, kpath, item):
            reason = names.label_value_problem(item)
            if reason:
                p.value(kpath, item, f"is not a valid label value: it {reason}")


def check_label_types(p: Problems, path: str, value: Any) -> None:
    """A mapping of strings to strings; the rules check the keys and values
    where they land in an object's metadata."""
    if not check_mapping(p, path, value):
        return
    for key, item in value.items():
        if not isinstance(key, str):
            p.type(path, f"has a key {show(key)} that is not a string")
        else:
            check_str(p, f"{path}[{show(key)}]", item)


# --- numbers and enumerations ----------------------------------------------


def check_choice(p: Problems, path: str, value: Any, choices: tuple[str, ...]) -> bool:
    if not check_str(p, path, value):
        return False
    if value not in choices:
        if len(choices) == 2:
            listed = f"{show(choices[0])} or {show(choices[1])}"
        else:
            listed = "one of " + ", ".join(show(c) for c in choices)
        p.value(path, value, f"must be {listed}.{suggest(value, choices, value=True)}".rstrip("."))
        return False
    return True


def parse_port_range(p: Problems, path: str, value: Any) -> tuple[int, int]:
    """The (low, high) of a "30000-32767" range; the default on error."""
    default = (30000, 32767)
    if not check_str(p, path, value):
        return default
    match = re.fullmatch(r"([0-9]{1,5})-([0-9]{1,5})", value)
    if match:
        low, high = int(match[1]), int(match[2])
        if 1 <= low <= high <= 65535:
            return low, high
    p.value(path, value, 'must be a port range "LOW-HIGH" with 1 <= LOW <= HIGH <= 65535')
    return default


def check_duration(p: Problems, path: str, value: Any) -> None:
    if check_str(p, path, value) and not _DURATION.fullmatch(value):
        p.value(path, value, 'must be a duration such as "30s", "5m" or "1h30m"')


# --- addresses --------------------------------------------------------------


def check_cidr(p: Problems, path: str, value: Any) -> None:
    """A CIDR as the API server reads it (k8s_rules.names), with a fix to
    suggest for the two common slips: no mask, host bits set."""
    if not check_str(p, path, value):
        return
    if "/" not in value:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            pass
        else:
            bits = 32 if address.version == 4 else 128
            p.value(path, value, f'has no mask. Did you mean "{value}/{bits}"?')
            return
    reason = names.cidr_problem(value)
    if reason:
        p.value(path, value, f"is not a valid CIDR: it {reason}")
        return
    try:
        interface = ipaddress.ip_interface(value)
    except ValueError:
        return  # a spelling only Go's sloppy parser reads; it is valid there
    if interface.network.network_address != interface.ip:
        # NetworkPolicy's ipBlock.cidr is validated strictly (ValidateCIDR).
        p.value(path, value, f'has host bits set. Did you mean "{interface.network}"?')
