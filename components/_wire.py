"""snake_case arguments to the camelCase objects the API server sees, and back.

Pass-through arguments (``containers``, ``pod_spec``) use pulumi_kubernetes'
``...ArgsDict`` shapes, snake_case. The components turn them into camelCase
here, with the provider's own name tables, so that the objects the rules check
are the very objects that are registered (the SDK keeps a camelCase key as
it is). `argument_path` turns a path found by a rule back into the argument's
spelling, so a problem is reported against what the user wrote.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi import _types as pulumi_types

from . import _validation as v


@functools.cache
def _fields(cls: type) -> tuple[dict[str, tuple[str, type | None]], dict[str, tuple[str, type | None]]]:
    """For an input type: snake name -> (camel name, nested input type), and
    camel name -> (snake name, nested input type)."""
    names = pulumi_types.input_type_py_to_pulumi_names(cls)
    types = pulumi_types.input_type_types(cls)
    by_snake: dict[str, tuple[str, type | None]] = {}
    by_camel: dict[str, tuple[str, type | None]] = {}
    for snake, camel in names.items():
        nested = _nested_input_type(types.get(camel))
        by_snake[snake] = (camel, nested)
        by_camel[camel] = (snake, nested)
    return by_snake, by_camel


@functools.cache
def _list_fields(cls: type) -> frozenset[str]:
    """The snake names of ``cls``'s fields that hold a list of an input type."""
    types = pulumi_types.input_type_types(cls)
    return frozenset(
        snake for snake, (camel, nested) in _fields(cls)[0].items() if nested is not None and _is_list(types.get(camel))
    )


def _is_list(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is None:
        return False
    if getattr(origin, "__name__", "") in ("Sequence", "list"):
        return True
    return any(_is_list(arg) for arg in typing.get_args(hint))


def _nested_input_type(hint: Any) -> type | None:
    """The input type a field holds, directly or as list elements; None for
    scalars and free-form maps (labels, node selectors), whose keys are data."""
    if inspect.isclass(hint) and pulumi_types.is_input_type(hint):
        return hint
    origin = typing.get_origin(hint)
    if origin is None:
        return None
    if origin in (Mapping, dict) or getattr(origin, "__name__", "") == "Mapping":
        return None
    for arg in typing.get_args(hint):
        found = _nested_input_type(arg)
        if found is not None:
            return found
    return None


def is_unknown(value: Any) -> bool:
    """Only known at deployment: an Output or another awaitable."""
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


def to_wire(p: v.Problems, path: str, value: Any, cls: type, owner: str) -> Any:
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
        camel, nested = field
        if isinstance(item, Mapping) and key in _list_fields(cls):
            p.type(f"{path}.{key}", "must be a list, not a mapping")
            continue
        out[camel] = _value_to_wire(p, f"{path}.{key}", item, nested)
    return out


def _value_to_wire(p: v.Problems, path: str, value: Any, nested: type | None) -> Any:
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


def _owner(cls: type) -> str:
    """How messages name an input type: ``a ContainerPort (ContainerPortArgsDict)``."""
    name = cls.__name__.removesuffix("Args")
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name} ({cls.__name__}Dict)"


def snake_path(path: tuple[str | int, ...], cls: type | None) -> str:
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
        snake, nested = _fields(cls)[1].get(part, (part, None))
        text += f".{snake}" if text else snake
        cls = nested
    return text


class NotAField(ValueError):
    """A camelCase key that the input type has no field for."""

    def __init__(self, path: tuple[str | int, ...], owner: str) -> None:
        super().__init__(f"{path}: not a field of {owner}")
        self.path = path
        self.owner = owner


def from_wire(value: Any, cls: type | None, path: tuple[str | int, ...] = ()) -> Any:
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
            raise NotAField((*path, key), cls.__name__.removesuffix("Args"))
        snake, nested = by_camel[key]
        out[snake] = from_wire(item, nested, (*path, key))
    return out
