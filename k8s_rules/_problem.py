"""What every rule returns: a `Problem` at a path inside one Kubernetes object.

Rules read objects as the API server sees them (camelCase manifests, plain
Python data). A value that is not known yet (a Pulumi Output before
deployment, a preview's unknown) is the `UNKNOWN` sentinel; every rule skips
what it cannot see and still checks the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

Path = tuple[str | int, ...]


class _Unknown:
    """The type of `UNKNOWN`: one instance, falsy, printed as ``<unknown>``."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"

    def __bool__(self) -> bool:
        return False

    def __deepcopy__(self, memo: Any) -> _Unknown:
        return self

    def __copy__(self) -> _Unknown:
        return self


UNKNOWN: Final[Any] = _Unknown()
"""A value known only after deployment. Rules skip it."""

NO_VALUE: Final[Any] = object()
"""`Problem.value` when the problem has no value to show (a missing field)."""


def is_known(value: Any) -> bool:
    return value is not UNKNOWN


def show(value: Any) -> str:
    """A value as messages print it: JSON, strings in double quotes."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return repr(value)


_FIELD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def format_path(path: Path) -> str:
    """``("spec", "containers", 0, "image")`` as ``spec.containers[0].image``;
    a map key that is not a plain field name in brackets, as JSON
    (``metadata.labels["app.kubernetes.io/name"]``), so the path stays unambiguous."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _FIELD.fullmatch(part):
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one object.

    ``reason`` continues a sentence whose subject is the field at ``path``
    and its value: ``'spec.type' ("Foo") <reason>``. It says what is wrong,
    why it matters where that is not obvious, and how to fix it. ``rule`` is
    the id of the rule that found it (``"service/ports"``,
    ``"pod-security/hostPathVolumes"``), stable for suppressions and tests.
    """

    rule: str
    path: Path
    reason: str
    value: Any = NO_VALUE

    @property
    def where(self) -> str:
        return format_path(self.path)

    @property
    def shown(self) -> str | None:
        return None if self.value is NO_VALUE else show(self.value)

    def __str__(self) -> str:
        value = "" if self.value is NO_VALUE else f" ({show(self.value)})"
        text = f"'{self.where}'{value} {self.reason}"
        return text if text.endswith((".", "?")) else text + "."


# --- reading objects ---------------------------------------------------------


def get(obj: Any, *path: str | int, default: Any = None) -> Any:
    """The value at ``path``; ``default`` when absent or null; `UNKNOWN` when
    any step is unknown."""
    value = obj
    for key in path:
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(key, int):
            if isinstance(value, Sequence) and not isinstance(value, str) and -len(value) <= key < len(value):
                value = value[key]
            else:
                return default
        elif isinstance(value, Mapping):
            value = value.get(key)
        else:
            return default
        if value is None:
            return default
    return value


def items(obj: Any, *path: str | int) -> Iterator[tuple[int, Any]]:
    """(index, element) of the known, non-null elements of the list at ``path``."""
    found = get(obj, *path)
    if found is UNKNOWN or not isinstance(found, Sequence) or isinstance(found, str):
        return
    for index, element in enumerate(found):
        if element is not UNKNOWN and element is not None:
            yield index, element


def as_int(value: Any) -> Any:
    """Numbers as the engine sends them (floats) read as ints: 80.0 is 80."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


BAD_INT: Final[Any] = object()
"""What `decode_int` gives for a value that cannot be the integer a field needs."""


def decode_int(value: Any) -> Any:
    """An int field as the API server's decoder reads it: the int, None when
    absent, `UNKNOWN`, or `BAD_INT` (a bool, a fraction, a string...). The
    Pulumi engine sends numbers as floats: 80.0 is 80."""
    if value is None or value is UNKNOWN:
        return value
    if isinstance(value, int):
        return BAD_INT if isinstance(value, bool) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return BAD_INT
