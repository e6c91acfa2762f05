"""How a process that registers many resources is tuned: the one place for it.

Used by the program (``__main__.py``, for the whole process) and by the mock
runner (``components.testing.run``, for one run). benchmarks/README.md has
the measurements behind each setting.

- The heap that exists before the program runs (the SDK, the provider's type
  tables) outlives it: it is frozen, so the cyclic collector stops walking it.
- The SDK allocates a stream of short-lived asyncio objects per resource:
  the young generation is collected every ``GC_THRESHOLD`` allocations
  instead of Python's 700.
- Under the mock runner, only the young generation is collected. What
  survives a young collection is the program's resources and their pending
  Outputs, which live until the run ends: collections of the older
  generations walked all of them again and again and freed nothing (0
  objects at 1000, 2000 and 4000 bundles, against 0.2 s to 1.4 s of
  walking). They resume when the run ends.
- A program's own process (``__main__.py`` under ``pulumi up``) keeps
  running while the engine deploys, and what its pending RPCs leave when
  they complete outlives young collections: with the older generations
  never collected it grew for as long as the deployment lasted (163 to 245
  MB in 40 s of a simulated wait, benchmarks/long_wait.py). There the older
  generations keep Python's own rhythm (`PROGRAM_OLDER_THRESHOLD`), which
  holds memory flat, for about 15-25% more CPU while registering.
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

Under mocks only (`inline_rpcs`, used by the mock runner, never by a
deployment): the SDK sends every RPC to the monitor through the event loop's
thread pool, because a real engine's gRPC calls block. The SDK's mock monitor
answers in plain Python without blocking, so the hop to a worker thread and
back (with the GIL handed over each way) only adds cost and noise: 0.1 to
0.2 ms an RPC on a 2-core VM. `inline_rpcs` runs them at once on the loop's
thread, and lets the mock monitor serialize its answer without pumping the
event loop when the answer is plain data (it is for every object
`components.testing.KubernetesMocks` answers for). Neither piece alone is
safe: a call run inline that pumps the loop starts the next call inline,
and the nesting never ends (RecursionError).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import pathlib
import sys
import types
from collections.abc import Awaitable, Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar


def _sdk(module: str, name: str | None = None) -> Any:
    """A module of the SDK, or one of its attributes; None when a newer SDK
    has moved or renamed it. Every internal this module touches is looked up
    here, once, and each use checks for None (and for the exact shape it
    was written against) before relying on it: a changed SDK then runs
    untuned, never fails to import. tests/components/test_runtime.py fails
    when a lookup or a shape check stops matching the SDK installed."""
    try:
        found: Any = importlib.import_module(module)
    except ImportError:
        return None
    return found if name is None else getattr(found, name, None)


known_types = _sdk("pulumi.runtime.known_types")
rpc = _sdk("pulumi.runtime.rpc")
sync_await = _sdk("pulumi.runtime.sync_await")
sdk_mocks = _sdk("pulumi.runtime.mocks")
sdk_resource = _sdk("pulumi.runtime.resource")
source_pb2 = _sdk("pulumi.runtime.proto.source_pb2")

__all__ = [
    "GC_THRESHOLD",
    "OLDER_GENERATIONS_THRESHOLD",
    "InlineExecutor",
    "contains_unknowns",
    "inline_rpcs",
    "sdk_contains_unknowns_is_cyclic",
    "sdk_stack_trace_is_known",
    "stack_trace",
    "sync_await_serialized",
    "tune",
    "tuned",
]

GC_THRESHOLD = 10_000
"""Allocations between young-generation collections while a program runs."""

OLDER_GENERATIONS_THRESHOLD = 2**31 - 1
"""Young collections between collections of the next generation while a
program runs: more than any program reaches (Python has no switch for
collecting the young generation only)."""

PROGRAM_OLDER_THRESHOLD = 10
"""The same, for a program's whole process (``__main__.py`` under `pulumi
up`), which keeps running while the engine deploys: Python's own value, so
the older generations are collected every 10 young collections and what
the process leaves while it waits is freed (benchmarks/long_wait.py). Under
the mock runner, which already collects young only, it changes nothing."""

SDK_CONTAINS_UNKNOWNS: Callable[[Any], bool] | None = getattr(rpc, "contains_unknowns", None)
"""The SDK's own implementation, as imported (None if it has none)."""

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


def sdk_contains_unknowns_is_cyclic(function: Callable[..., Any] | None = SDK_CONTAINS_UNKNOWNS) -> bool:
    """Whether ``function`` is the SDK implementation that ``contains_unknowns``
    was written to replace: the one that leaves a cycle per call."""
    code = getattr(function, "__code__", None)
    if not isinstance(code, types.CodeType) or code.co_cellvars != ("impl",):
        return False
    inner = [const for const in code.co_consts if isinstance(const, types.CodeType)]
    return len(inner) == 1 and inner[0].co_name == "impl" and inner[0].co_names == _SDK_IMPL_NAMES


SDK_GET_STACK_TRACE: Callable[[], Any] | None = getattr(sdk_resource, "_get_stack_trace", None)
"""The SDK's own implementation, as imported (None if it has none)."""

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


def stack_trace() -> Any:
    """The SDK's ``_get_stack_trace``, read off the frames directly: the
    frames below the third ``__init__`` up the stack (the concrete resource
    class's constructor), innermost first, each with its file's URI and its
    line; empty if there is no such frame below it. Installed only when
    `sdk_stack_trace_is_known`, which needs ``source_pb2``."""
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
    function: Callable[..., Any] | None = SDK_GET_STACK_TRACE,
    source_position: Callable[..., Any] | None = None,
) -> bool:
    """Whether ``function`` (with the SDK's ``_get_source_position_for_frame``,
    or ``source_position``) is the implementation ``stack_trace`` reproduces."""
    if source_position is None:
        source_position = getattr(sdk_resource, "_get_source_position_for_frame", None)
    if source_pb2 is None or getattr(source_pb2, "StackTrace", None) is None:
        return False
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


def tune(older: int = OLDER_GENERATIONS_THRESHOLD) -> Callable[[], None]:
    """Tune this process for registering many resources; returns the function
    that undoes it. ``older``: young collections between collections of the
    next generation (a tuning already in place that collects them less often
    is kept)."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), max(threshold[1], older), threshold[2])
    gc.freeze()
    replaced = getattr(rpc, "contains_unknowns", None)
    cyclic = sdk_contains_unknowns_is_cyclic(replaced) and known_types is not None
    if cyclic:
        rpc.contains_unknowns = contains_unknowns
    replaced_stack_trace = getattr(sdk_resource, "_get_stack_trace", None)
    known_trace = sdk_stack_trace_is_known(replaced_stack_trace)
    if known_trace:
        sdk_resource._get_stack_trace = stack_trace

    def undo() -> None:
        if known_trace:
            sdk_resource._get_stack_trace = replaced_stack_trace
        if cyclic:
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


# -- under mocks only: RPCs on the event loop's thread ------------------------

T = TypeVar("T")


class InlineExecutor(ThreadPoolExecutor):
    """An executor that runs each call at once, on the thread that submits
    it, and hands back its finished future. (asyncio accepts only
    ThreadPoolExecutors as a loop's default executor; a pool starts its
    threads in ``submit``, so this one never starts any.)"""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - as a worker thread would: into the future
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future


SDK_SYNC_AWAIT: Callable[[Awaitable[Any]], Any] | None = getattr(sync_await, "_sync_await", None)
"""What the SDK's mock monitor waits with (``pulumi.runtime.mocks._sync_await``)."""

_MOCKS_SYNC_AWAIT = "_sync_await"

_SERIALIZE_PROPERTIES = getattr(getattr(rpc, "serialize_properties", None), "__code__", None)


class _Resumed:
    """The rest of a coroutine that has already run its first step and
    yielded ``pending``: awaiting this runs it on to its end."""

    def __init__(self, coroutine: Any, pending: Any) -> None:
        self._coroutine = coroutine
        self._pending = pending

    def __await__(self) -> Generator[Any, Any, Any]:
        pending = self._pending
        while True:
            try:
                sent = yield pending
            except BaseException as exc:  # noqa: BLE001 - thrown in by the task: into the coroutine
                step = self._coroutine.throw
                arg: Any = exc
            else:
                step = self._coroutine.send
                arg = sent
            try:
                pending = step(arg)
            except StopIteration as done:
                return done.value


def sync_await_serialized(awaitable: Awaitable[Any]) -> Any:
    """The mock monitor's ``_sync_await``, with a shortcut for what it awaits
    on every registration: ``rpc.serialize_properties`` of plain data runs to
    its end without waiting for anything, so it is run to its end here,
    without pumping the event loop. Anything that does wait (an Output not
    yet resolved) is left to the SDK's ``_sync_await`` from where it waits."""
    assert SDK_SYNC_AWAIT is not None  # installed by inline_rpcs only over it
    if _SERIALIZE_PROPERTIES is None or getattr(awaitable, "cr_code", None) is not _SERIALIZE_PROPERTIES:
        return SDK_SYNC_AWAIT(awaitable)
    coroutine: Any = awaitable
    try:
        pending = coroutine.send(None)
    except StopIteration as done:
        return done.value
    return SDK_SYNC_AWAIT(_Resumed(coroutine, pending))


@contextmanager
def inline_rpcs() -> Iterator[None]:
    """For the duration of a ``with`` block, run the SDK's RPCs to the mock
    monitor on the event loop's thread (see the module's docstring). Only
    for runs under ``pulumi.runtime.set_mocks``: a real engine's calls block."""
    ensure_loop = getattr(sync_await, "_ensure_event_loop", None)
    loop = ensure_loop() if ensure_loop is not None else None  # the loop the SDK runs on
    # Both or neither: calls run inline that pump the event loop can nest
    # without end. Only over the SDK's own _sync_await, on asyncio's own loop.
    if (
        SDK_SYNC_AWAIT is None
        or getattr(sdk_mocks, _MOCKS_SYNC_AWAIT, None) is not SDK_SYNC_AWAIT
        or not isinstance(loop, asyncio.BaseEventLoop)
    ):
        yield
        return
    previous = getattr(loop, "_default_executor", None)
    executor = InlineExecutor()
    loop.set_default_executor(executor)
    setattr(sdk_mocks, _MOCKS_SYNC_AWAIT, sync_await_serialized)
    try:
        yield
    finally:
        setattr(sdk_mocks, _MOCKS_SYNC_AWAIT, SDK_SYNC_AWAIT)
        loop._default_executor = previous  # type: ignore[attr-defined]  # no public way to put it back
        executor.shutdown(wait=False)
