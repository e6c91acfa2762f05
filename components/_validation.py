"""Where every rule on a plain input value is checked.

Each ``check_*`` function appends `Problem`s to a `Problems` list instead of
raising, so one pass can report everything that is wrong; the components turn
the list into one ``TypeError`` or ``ValueError`` before registering anything.
Values that are Pulumi Outputs are unknown until deployment and are skipped.
"""

from __future__ import annotations

import difflib
import inspect
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_IANA_SVC_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_DURATION = re.compile(r"([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+")

PROTOCOLS = ("TCP", "UDP", "SCTP")


def show(value: Any) -> str:
    """Render a value for an error message: strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def type_name(value: Any) -> str:
    return type(value).__name__


def is_known(value: Any) -> bool:
    """False for values only known at deployment (Outputs, awaitables)."""
    return not isinstance(value, pulumi.Output) and not inspect.isawaitable(value)


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


def check_mapping(p: Problems, path: str, value: Any) -> bool:
    if not isinstance(value, Mapping):
        p.type(path, f"must be a mapping, not {type_name(value)}")
        return False
    return True


def check_list(p: Problems, path: str, value: Any) -> bool:
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


def _dns_label_problem(value: str, pattern: re.Pattern[str], first: str) -> str | None:
    if not value:
        return "must not be empty"
    if len(value) > 63:
        return f"must be at most 63 characters, not {len(value)}"
    if not pattern.fullmatch(value):
        return f"must consist of lower-case letters, digits and '-', start with {first} and end with a letter or digit"
    return None


def check_dns1123_label(p: Problems, path: str, value: Any, hint: str = "") -> None:
    if check_str(p, path, value):
        reason = _dns_label_problem(value, _DNS1123_LABEL, "a letter or digit")
        if reason:
            p.value(path, value, f"must be a DNS-1123 label: it {reason}{hint}")


def check_dns1035_label(p: Problems, path: str, value: Any, hint: str = "") -> None:
    if check_str(p, path, value):
        reason = _dns_label_problem(value, _DNS1035_LABEL, "a letter")
        if reason:
            p.value(path, value, f"must be a DNS-1035 label: it {reason}{hint}")


def dns1123_subdomain_problem(value: str) -> str | None:
    if not value:
        return "must not be empty"
    if len(value) > 253:
        return f"must be at most 253 characters, not {len(value)}"
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        return (
            "must be lower-case letters, digits, '-' and '.', each dot-separated"
            " part starting and ending with a letter or digit"
        )
    return None


def check_dns1123_subdomain(p: Problems, path: str, value: Any, hint: str = "") -> None:
    if check_str(p, path, value):
        reason = dns1123_subdomain_problem(value)
        if reason:
            p.value(path, value, f"must be a DNS-1123 subdomain: it {reason}{hint}")


def _qualified_name_problem(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and dns1123_subdomain_problem(prefix):
        return f"has an invalid prefix {show(prefix)}: the prefix must be a DNS-1123 subdomain"
    if not name:
        return "has an empty name"
    if len(name) > 63:
        return f"has a name of {len(name)} characters; the limit is 63"
    if not _QUALIFIED_NAME.fullmatch(name):
        return (
            "must be an optional DNS prefix and '/', then a name of letters, digits,"
            " '-', '_' and '.' that starts and ends with a letter or digit"
        )
    return None


def check_label_map(p: Problems, path: str, value: Any, *, annotations: bool = False) -> None:
    """Label keys and values, or annotation keys (annotation values are free text)."""
    if not is_known(value) or not check_mapping(p, path, value):
        return
    for key, item in value.items():
        if not isinstance(key, str):
            p.type(path, f"has a key {show(key)} that is not a string")
            continue
        kpath = f"{path}[{show(key)}]"
        reason = _qualified_name_problem(key)
        if reason:
            p.value(kpath, key, f"is not a valid {'annotation' if annotations else 'label'} key: it {reason}")
        if not check_str(p, kpath, item) or annotations:
            continue
        if len(item) > 63:
            p.value(kpath, item, f"must be at most 63 characters, not {len(item)}")
        elif item and not _QUALIFIED_NAME.fullmatch(item):
            p.value(
                kpath,
                item,
                "is not a valid label value: use letters, digits, '-', '_' and '.',"
                " starting and ending with a letter or digit",
            )


def check_prefixed_name(p: Problems, path: str, value: Any, example: str) -> None:
    """A label-style name that must carry a domain prefix."""
    if not check_str(p, path, value):
        return
    reason = _qualified_name_problem(value) if "/" in value else "has no domain prefix"
    if reason:
        p.value(path, value, f'must be a label-style name with a domain prefix, e.g. "{example}": it {reason}')


def check_iana_svc_name(p: Problems, path: str, value: Any) -> None:
    if not check_str(p, path, value):
        return
    if len(value) > 15 or not value:
        p.value(path, value, f"must be 1 to 15 characters long (an IANA service name), not {len(value)}")
    elif not _IANA_SVC_NAME.fullmatch(value) or "--" in value or not re.search("[a-z]", value):
        p.value(
            path,
            value,
            "must be an IANA service name: lower-case letters, digits and single '-',"
            " with at least one letter, starting and ending with a letter or digit",
        )


# --- numbers and enumerations ----------------------------------------------


def check_range(p: Problems, path: str, value: Any, low: int, high: int, hint: str = "") -> bool:
    if not check_int(p, path, value):
        return False
    if not low <= value <= high:
        p.value(path, value, f"must be between {low} and {high}{hint}")
        return False
    return True


def check_port(p: Problems, path: str, value: Any) -> bool:
    return check_range(p, path, value, 1, 65535)


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
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            p.value(path, value, f'is not a CIDR such as "203.0.113.0/24": {exc}')
        else:
            p.value(path, value, f'has host bits set. Did you mean "{network}"?')


def _looks_like_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return all(part.isdigit() for part in name.split(".") if part)
    return True


def check_external_name(p: Problems, path: str, value: Any) -> None:
    """A DNS-1123 subdomain that is neither an IP address nor localhost."""
    if not check_str(p, path, value):
        return
    host = value[:-1] if value.endswith(".") else value
    if _looks_like_ip(host) or ":" in host:
        p.value(
            path, value, "is an IP address; an ExternalName must be a DNS name (use a Service with Endpoints for an IP)"
        )
    elif host == "localhost" or host.endswith(".localhost"):
        p.value(path, value, "points at localhost, which would resolve to the client's own node or Pod")
    else:
        reason = dns1123_subdomain_problem(host)
        if reason:
            p.value(path, value, f"must be a DNS-1123 subdomain: it {reason}")
