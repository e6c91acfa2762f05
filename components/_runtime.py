"""How a process that registers many resources is tuned: the one place for it.

Used by the program (``__main__.py``, for the whole process) and by the mock
runner (``components.testing.run``, for one run). benchmarks/README.md has
the measurements behind each setting.

- The heap that exists before the program runs (the SDK, the provider's type
  tables) outlives it: it is frozen, so the cyclic collector stops walking it.
- The SDK allocates a stream of short-lived asyncio objects per resource:
  the young generation is collected every ``GC_THRESHOLD`` allocations
  instead of Python's 700.
- Only the young generation is collected. What survives a young collection
  is the program's resources and their pending Outputs, which live until
  the program ends: collections of the older generations walked all of them
  again and again and freed nothing (0 objects at 1000, 2000 and 4000
  bundles, against 0.2 s to 1.4 s of walking). They resume when a mock run
  ends; the program's process ends with its program.
- The SDK's ``pulumi.runtime.rpc.contains_unknowns`` (called for about 50
  Outputs a bundle) defines a recursive inner function on every call; the
  function refers to itself through its closure, so every call leaves a
  reference cycle that only the cyclic collector can free. That was nearly
  all the program's cyclic garbage. ``contains_unknowns`` below is the same
  walk without the cycle; it is installed only over the exact
  implementation it was checked against, so a changed SDK keeps its own.
"""

from __future__ import annotations

import gc
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pulumi.runtime import known_types, rpc

__all__ = [
    "GC_THRESHOLD",
    "OLDER_GENERATIONS_THRESHOLD",
    "contains_unknowns",
    "sdk_contains_unknowns_is_cyclic",
    "tune",
    "tuned",
]

GC_THRESHOLD = 10_000
"""Allocations between young-generation collections while a program runs."""

OLDER_GENERATIONS_THRESHOLD = 2**31 - 1
"""Young collections between collections of the next generation while a
program runs: more than any program reaches (Python has no switch for
collecting the young generation only)."""

SDK_CONTAINS_UNKNOWNS: Callable[[Any], bool] = rpc.contains_unknowns
"""The SDK's own implementation, as imported."""

# The shape of the SDK's implementation this module replaces (pulumi 3.x):
# an outer function whose only cell is its inner "impl", and an "impl" that
# reads exactly these names.
_SDK_IMPL_NAMES = ("known_types", "is_unknown", "id", "add", "isinstance", "dict", "any", "list")


def contains_unknowns(val: Any) -> bool:
    """Whether ``val`` is, or has nested in its dicts and lists, an unknown
    value: the SDK's ``contains_unknowns``, without the reference cycle."""
    return _contains_unknowns(val, set())


def _contains_unknowns(val: Any, seen_ids: set[int]) -> bool:
    if known_types.is_unknown(val):
        return True
    val_id = id(val)
    if val_id in seen_ids:
        return False
    seen_ids.add(val_id)
    if isinstance(val, dict):
        return any(_contains_unknowns(val[key], seen_ids) for key in val)
    if isinstance(val, list):
        return any(_contains_unknowns(item, seen_ids) for item in val)
    return False


def sdk_contains_unknowns_is_cyclic(function: Callable[..., Any] = SDK_CONTAINS_UNKNOWNS) -> bool:
    """Whether ``function`` is the SDK implementation that ``contains_unknowns``
    was written to replace: the one that leaves a cycle per call."""
    code = getattr(function, "__code__", None)
    if not isinstance(code, types.CodeType) or code.co_cellvars != ("impl",):
        return False
    inner = [const for const in code.co_consts if isinstance(const, types.CodeType)]
    return len(inner) == 1 and inner[0].co_name == "impl" and inner[0].co_names == _SDK_IMPL_NAMES


def tune() -> Callable[[], None]:
    """Tune this process for registering many resources; returns the function
    that undoes it."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), OLDER_GENERATIONS_THRESHOLD, threshold[2])
    gc.freeze()
    replaced = rpc.contains_unknowns
    if sdk_contains_unknowns_is_cyclic(replaced):
        rpc.contains_unknowns = contains_unknowns

    def undo() -> None:
        rpc.contains_unknowns = replaced
        gc.unfreeze()
        gc.set_threshold(*threshold)

    return undo


@contextmanager
def tuned() -> Iterator[None]:
    """`tune` for the duration of a ``with`` block."""
    undo = tune()
    try:
        yield
    finally:
        undo()
