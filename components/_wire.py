"""snake_case arguments to the camelCase objects the API server sees, and back.

Pass-through arguments (``containers``, ``pod_spec``) use pulumi_kubernetes'
``...ArgsDict`` shapes, snake_case. The components turn them into camelCase
here, with the provider's own name tables (generated: components/_wire_tables.py), so that the objects the rules check
are the very objects that are registered (the SDK keeps a camelCase key as
it is). `argument_path` turns a path found by a rule back into the argument's
spelling, so a problem is reported against what the user wrote.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Mapping
from typing import Any

from . import _validation as v
from ._wire_tables import Field, load


def _fields(cls: str) -> tuple[dict[str, Field], dict[str, Field]]:
    """For an input type (``core.v1.ContainerArgs``): snake name -> (camel
    name, nested input type, holds a list), and camel name -> (snake name,
    nested input type, holds a list)."""
    return _tables()[cls]


def _by_camel(fields: dict[str, Field]) -> dict[str, Field]:
    return {camel: (snake, nested, is_list) for snake, (camel, nested, is_list) in fields.items()}


_TABLES: dict[str, tuple[dict[str, Field], dict[str, Field]]] = {}


def _tables() -> dict[str, tuple[dict[str, Field], dict[str, Field]]]:
    if not _TABLES:
        _TABLES.update({name: (fields, _by_camel(fields)) for name, fields in load()[1].items()})
    return _TABLES


def is_unknown(value: Any) -> bool:
    """Only known at deployment: an Output or another awaitable. (Without
    pulumi imported, no value can be an Output.)"""
    pulumi = sys.modules.get("pulumi")
    return (pulumi is not None and isinstance(value, pulumi.Output)) or inspect.isawaitable(value)


def to_wire(p: v.Problems, path: str, value: Any, cls: str, owner: str) -> Any:
    """``value`` (an ``...ArgsDict`` of ``cls``) in camelCase. Unknown keys
    are type problems at their path, with a suggestion; None values are left
    out, as the API server treats a null field as absent."""
    if is_unknown(value) or not isinstance(value, Mapping):
        return value
    by_snake, _ = _fields(cls)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            p.type(path, f"has a key {v.show(key)} that is not a string")
            continue
        field = by_snake.get(key)
        if field is None:
            p.type(f"{path}.{key}", f"is not a field of {owner}.{v.suggest(key, by_snake)}".rstrip("."))
            continue
        if item is None:
            continue
        camel, nested, is_list = field
        if isinstance(item, Mapping) and is_list:
            p.type(f"{path}.{key}", "must be a list, not a mapping")
            continue
        out[camel] = _value_to_wire(p, f"{path}.{key}", item, nested)
    return out


def _value_to_wire(p: v.Problems, path: str, value: Any, nested: str | None) -> Any:
    if nested is None:
        return _plain(value)
    if isinstance(value, (list, tuple)):
        return [
            to_wire(p, f"{path}[{i}]", item, nested, _owner(nested)) if isinstance(item, Mapping) else item
            for i, item in enumerate(value)
        ]
    return to_wire(p, path, value, nested, _owner(nested))


def _plain(value: Any) -> Any:
    """Free-form data (labels, resource quantities) as plain lists and dicts."""
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping) and type(value) is not dict:
        return {key: _plain(item) for key, item in value.items()}
    return value


def _owner(cls: str) -> str:
    """How messages name an input type: ``a ContainerPort (ContainerPortArgsDict)``."""
    class_name = cls.rpartition(".")[2]
    name = class_name.removesuffix("Args")
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name} ({class_name}Dict)"


def snake_path(path: tuple[str | int, ...], cls: str | None) -> str:
    """A camelCase path inside a value of input type ``cls`` in the argument's
    snake_case spelling; keys of free-form maps stay as they are."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        if cls is None:
            # A key of a map: labels, node selectors, resource quantities.
            text += f"[{v.show(part)}]" if text else part
            continue
        snake, nested, _ = _fields(cls)[1].get(part, (part, None, False))
        text += f".{snake}" if text else snake
        cls = nested
    return text


class NotAField(ValueError):
    """A camelCase key that the input type has no field for."""

    def __init__(self, path: tuple[str | int, ...], owner: str) -> None:
        super().__init__(f"{path}: not a field of {owner}")
        self.path = path
        self.owner = owner


def from_wire(value: Any, cls: str | None, path: tuple[str | int, ...] = ()) -> Any:
    """``value``, a camelCase field of input type ``cls``, in the snake_case
    ``...ArgsDict`` shape, with the same name tables as `to_wire` (its
    inverse); keys of free-form maps (labels, quantities) stay as they are.
    Raises `NotAField` for a key ``cls`` does not have."""
    if cls is None:
        return value
    if isinstance(value, list):
        return [from_wire(item, cls, (*path, index)) for index, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    by_camel = _fields(cls)[1]
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in by_camel:
            raise NotAField((*path, key), cls.rpartition(".")[2].removesuffix("Args"))
        snake, nested, _ = by_camel[key]
        out[snake] = from_wire(item, nested, (*path, key))
    return out
