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
- The SDK's ``pulumi.runtime.resource._get_stack_trace`` runs for every
  resource registered, to send the engine the call stack that created it.
  It formats the whole stack with ``traceback.extract_stack()`` (a
  ``stat`` of every file on the stack and a source-line lookup per frame,
  lines it never uses) and builds a ``pathlib.Path`` for every frame to
  turn its file name into a URI. ``stack_trace`` below builds the same
  message from the frames themselves and converts each file name once:
  about 120 µs down to 18 µs a registration at the stack depth of a mock
  run, about a third of what registering a ComponentResource cost. Installed on
  the same terms as ``contains_unknowns``.
"""

from __future__ import annotations

import gc
import pathlib
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pulumi.runtime import known_types, rpc
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime.proto import source_pb2

__all__ = [
    "GC_THRESHOLD",
    "OLDER_GENERATIONS_THRESHOLD",
    "contains_unknowns",
    "sdk_contains_unknowns_is_cyclic",
    "sdk_stack_trace_is_known",
    "stack_trace",
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


SDK_GET_STACK_TRACE: Callable[[], source_pb2.StackTrace] = sdk_resource._get_stack_trace
"""The SDK's own implementation, as imported."""

# The shape of the SDK's implementation ``stack_trace`` reproduces (pulumi
# 3.x): the names each of its three functions reads, and the constants that
# pick the first frame below the third ``__init__``.
_SDK_STACK_TRACE_NAMES = (
    "traceback",
    "extract_stack",
    "range",
    "len",
    "name",
    "source_pb2",
    "StackTrace",
    "FrameSummary",
    "StackFrame",
    "list",
    "map",
    "reversed",
)
_SDK_RPC_FRAME_NAMES = ("_get_source_position_for_frame", "source_pb2", "StackFrame")
_SDK_SOURCE_POSITION_NAMES = (
    "filename",
    "lineno",
    "pathlib",
    "Path",
    "as_uri",
    "BaseException",
    "source_pb2",
    "SourcePosition",
)

_uris: dict[str, str | None] = {}


def _uri(filename: str) -> str | None:
    """``pathlib.Path(filename).as_uri()``, or None where it fails (a
    relative name such as ``<string>``), computed once per file name."""
    try:
        return _uris[filename]
    except KeyError:
        pass
    uri: str | None
    try:
        uri = pathlib.Path(filename).as_uri()
    except Exception:  # noqa: BLE001 - as the SDK (which also swallows interrupts): no URI, no position
        uri = None
    _uris[filename] = uri
    return uri


def stack_trace() -> source_pb2.StackTrace:
    """The SDK's ``_get_stack_trace``, read off the frames directly: the
    frames below the third ``__init__`` up the stack (the concrete resource
    class's constructor), innermost first, each with its file's URI and its
    line; empty if there is no such frame below it."""
    frame: types.FrameType | None = sys._getframe(1)
    seen = 0
    while frame is not None:
        if frame.f_code.co_name == "__init__":
            seen += 1
            if seen == 3:
                break
        frame = frame.f_back
    if frame is None:
        return source_pb2.StackTrace()
    frames = []
    frame = frame.f_back
    while frame is not None:
        filename, line = frame.f_code.co_filename, frame.f_lineno
        uri = _uri(filename) if filename and line is not None else None
        position = None if uri is None else source_pb2.SourcePosition(uri=uri, line=line)
        frames.append(source_pb2.StackFrame(pc=position))
        frame = frame.f_back
    return source_pb2.StackTrace(frames=frames)


def sdk_stack_trace_is_known(
    function: Callable[..., Any] = SDK_GET_STACK_TRACE,
    source_position: Callable[..., Any] | None = None,
) -> bool:
    """Whether ``function`` (with the SDK's ``_get_source_position_for_frame``,
    or ``source_position``) is the implementation ``stack_trace`` reproduces."""
    if source_position is None:
        source_position = getattr(sdk_resource, "_get_source_position_for_frame", None)
    code = getattr(function, "__code__", None)
    position_code = getattr(source_position, "__code__", None)
    if not isinstance(code, types.CodeType) or not isinstance(position_code, types.CodeType):
        return False
    inner = [const for const in code.co_consts if isinstance(const, types.CodeType)]
    return (
        code.co_names == _SDK_STACK_TRACE_NAMES
        and "__init__" in code.co_consts
        and 3 in code.co_consts
        and len(inner) == 1
        and inner[0].co_names == _SDK_RPC_FRAME_NAMES
        and position_code.co_names == _SDK_SOURCE_POSITION_NAMES
    )


def tune() -> Callable[[], None]:
    """Tune this process for registering many resources; returns the function
    that undoes it."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), OLDER_GENERATIONS_THRESHOLD, threshold[2])
    gc.freeze()
    replaced = rpc.contains_unknowns
    if sdk_contains_unknowns_is_cyclic(replaced):
        rpc.contains_unknowns = contains_unknowns
    replaced_stack_trace = sdk_resource._get_stack_trace
    if sdk_stack_trace_is_known(replaced_stack_trace):
        sdk_resource._get_stack_trace = stack_trace

    def undo() -> None:
        sdk_resource._get_stack_trace = replaced_stack_trace
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
