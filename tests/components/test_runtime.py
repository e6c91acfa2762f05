"""components._runtime: the process tuning the program and the mock runner share.

The SDK's ``contains_unknowns`` leaves a reference cycle per call, and its
``_get_stack_trace`` formats the whole stack for every registration; each
replacement must answer exactly as the SDK does, be installed only over the
implementation it was checked against, and be undone with the rest of the
tuning. Under mocks, RPCs are answered on the loop's thread: the answers
must be the SDK's, and the two pieces that make it safe come together or
not at all.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.runtime import known_types, rpc, sync_await
from pulumi.runtime import mocks as sdk_mocks
from pulumi.runtime import resource as sdk_resource

from components import ClusterIPService, ExternalNameService, _runtime
from components.testing import KubernetesMocks, run

ROOT = Path(__file__).resolve().parents[2]

UNKNOWN = pulumi.output.UNKNOWN

EXAMPLES = 300


@contextmanager
def cyclic_garbage() -> Iterator[list[Any]]:
    """The objects that only the cyclic collector frees, among those that
    become unreachable inside the block."""
    found: list[Any] = []
    gc.collect()
    flags = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(flags)
        gc.garbage.clear()


def _sdk_shaped(val: Any) -> bool:
    # The SDK's implementation (pulumi 3.x, pulumi/runtime/rpc.py), verbatim.
    def impl(val: Any, seen_ids: set[int]) -> bool:
        if known_types.is_unknown(val):
            return True

        val_id = id(val)
        if val_id in seen_ids:
            return False

        seen_ids.add(val_id)
        if isinstance(val, dict):
            return any(impl(val[k], seen_ids) for k in val)
        if isinstance(val, list):
            return any(impl(x, seen_ids) for x in val)

        return False

    return impl(val, set())


def _other_shape(val: Any) -> bool:
    def impl(val: Any) -> bool:
        return val is UNKNOWN or (isinstance(val, (list, tuple)) and any(impl(x) for x in val))

    return impl(val)


# --- the replacement answers as the SDK does ----------------------------------

leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=3))
values = st.recursive(
    st.one_of(leaf, st.just(UNKNOWN)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=3), inner, max_size=4),
        st.tuples(inner, inner),
    ),
    max_leaves=20,
)


@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None)
@given(values, st.booleans())
def test_contains_unknowns_answers_as_the_sdk_does(value: Any, shared: bool) -> None:
    # Shared and self-referencing containers exercise the walk's seen-set.
    if shared:
        value = [value, value, {"again": value}]
        value.append(value)
    assert _runtime.contains_unknowns(value) is _runtime.SDK_CONTAINS_UNKNOWNS(value)


def test_contains_unknowns_finds_nested_unknowns_in_dicts_and_lists_only() -> None:
    assert _runtime.contains_unknowns({"a": [1, {"b": UNKNOWN}]}) is True
    assert _runtime.contains_unknowns(UNKNOWN) is True
    assert _runtime.contains_unknowns({"a": [1, {"b": 2}]}) is False
    # Like the SDK, tuples are not walked.
    assert _runtime.contains_unknowns((UNKNOWN,)) is False


# --- why it exists, and that it helps -------------------------------------------


def test_the_replacement_leaves_no_cycle() -> None:
    value = {"spec": {"ports": [{"port": 80}, {"port": UNKNOWN}]}}
    with cyclic_garbage() as found:
        for _ in range(20):
            _runtime.contains_unknowns(value)
    assert found == []


def test_the_sdks_implementation_leaves_a_cycle_per_call() -> None:
    assert _runtime.sdk_contains_unknowns_is_cyclic(), NOT_MATCHING
    with cyclic_garbage() as found:
        for _ in range(20):
            _runtime.SDK_CONTAINS_UNKNOWNS({"port": 80})
    functions = [item for item in found if isinstance(item, type(_sdk_shaped))]
    assert [function.__qualname__ for function in functions] == ["contains_unknowns.<locals>.impl"] * 20


def test_bundles_run_under_the_mock_runner_leave_no_per_call_cycles() -> None:
    def program() -> None:
        for i in range(6):
            ClusterIPService(
                f"web-{i}",
                {
                    "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"container_port": 8080}]}],
                    "ports": [{"port": 80, "target_port": 8080}],
                },
            )
            ExternalNameService(f"db-{i}", {"external_name": "db.example.com"})

    with cyclic_garbage() as found:
        run(program)
    functions = [item.__qualname__ for item in found if isinstance(item, type(_sdk_shaped))]
    assert "contains_unknowns.<locals>.impl" not in functions


def test_only_the_young_generation_is_collected_during_a_run() -> None:
    generations: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    def program() -> None:
        for i in range(400):
            ExternalNameService(f"db-{i}", {"external_name": "db.example.com"})

    gc.callbacks.append(record)
    try:
        run(program)
    finally:
        gc.callbacks.remove(record)
    # More young collections than Python's default lets pass before it
    # collects the next generation (10), none of them older.
    assert len(generations) > 11
    assert set(generations) == {0}


# --- installed only over what it was checked against, and undone ----------------


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        (_sdk_shaped, True),
        (_other_shape, False),
        (_runtime.contains_unknowns, False),
        (len, False),
    ],
    ids=["sdk-shape", "other-inner-function", "the-replacement", "builtin"],
)
def test_only_the_known_sdk_shape_is_replaced(function: Callable[..., Any], expected: bool) -> None:
    assert _runtime.sdk_contains_unknowns_is_cyclic(function) is expected


def _state() -> tuple[Any, ...]:
    return (rpc.contains_unknowns, sdk_resource._get_stack_trace, gc.get_threshold(), gc.get_freeze_count())


def test_tuned_installs_for_the_block_and_restores_everything() -> None:
    before = _state()
    with _runtime.tuned():
        expected = _runtime.contains_unknowns if _runtime.sdk_contains_unknowns_is_cyclic(before[0]) else before[0]
        assert rpc.contains_unknowns is expected
        expected = _runtime.stack_trace if _runtime.sdk_stack_trace_is_known(before[1]) else before[1]
        assert sdk_resource._get_stack_trace is expected
        assert gc.get_threshold()[0] == max(before[2][0], _runtime.GC_THRESHOLD)
        assert gc.get_threshold()[1:] == (_runtime.OLDER_GENERATIONS_THRESHOLD, before[2][2])
    assert _state() == before


def test_a_programs_process_still_collects_the_older_generations() -> None:
    """__main__.py's tuning: the older generations keep Python's rhythm, so a
    process that waits on a long deployment does not grow (benchmarks/long_wait.py)."""
    before = gc.get_threshold()
    undo = _runtime.tune(older=_runtime.PROGRAM_OLDER_THRESHOLD)
    try:
        assert gc.get_threshold() == (max(before[0], _runtime.GC_THRESHOLD), max(before[1], 10), before[2])
    finally:
        undo()
    assert gc.get_threshold() == before


def test_the_program_tuning_inside_the_mock_runner_keeps_collecting_young_only() -> None:
    """render runs __main__.py under the mock runner: its tune() must not
    undo the runner's young-only collection."""
    with _runtime.tuned():
        undo = _runtime.tune(older=_runtime.PROGRAM_OLDER_THRESHOLD)
        assert gc.get_threshold()[1] == _runtime.OLDER_GENERATIONS_THRESHOLD
        undo()


def test_the_program_tunes_its_process_with_the_program_threshold() -> None:
    # __main__.py calls k8s_services.program.main, which tunes the process.
    assert "from k8s_services.program import main" in (ROOT / "__main__.py").read_text()
    source = (ROOT / "k8s_services" / "program.py").read_text()
    assert "_runtime.tune(older=_runtime.PROGRAM_OLDER_THRESHOLD)" in source


def test_tuned_restores_everything_when_the_block_raises() -> None:
    before = _state()
    with pytest.raises(RuntimeError, match="boom"), _runtime.tuned():
        raise RuntimeError("boom")
    assert _state() == before


# --- the stack trace every registration sends: as the SDK builds it -------------

# Frames as (function name, file name, blank lines before the def, so the
# line varies): "__init__" frames decide where the trace starts, and file
# names cover an absolute path (quoted in the URI), a relative one (no URI,
# so no position) and none at all.
frame_names = st.sampled_from(["__init__", "_internal_init", "build", "<lambda>"])
file_names = st.sampled_from(["/srv/app/stack.py", "/srv/my app/ünï.py", "<string>", "rel/path.py", ""])
frames = st.lists(st.tuples(frame_names, file_names, st.integers(0, 3)), max_size=8)


def _called_through(stack: list[tuple[str, str, int]], innermost: Callable[[], Any]) -> Any:
    """Call ``innermost`` beneath a frame per entry of ``stack`` (outermost
    first), each compiled as the named function in the named file."""
    call = innermost
    for name, filename, blank_lines in reversed(stack):
        namespace: dict[str, Any] = {}
        source = "\n" * blank_lines + "def f(call):\n    return call()\n"
        code = compile(source, filename, "exec")
        exec(code, namespace)  # noqa: S102 - a frame with a chosen name and file
        function = namespace["f"]
        function.__code__ = function.__code__.replace(co_name=name)
        call = functools.partial(function, call)
    return call()


@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None)
@given(frames)
def test_stack_trace_is_the_sdks(stack: list[tuple[str, str, int]]) -> None:
    sdk, ours = _called_through(stack, lambda: (_runtime.SDK_GET_STACK_TRACE(), _runtime.stack_trace()))
    assert ours == sdk


def test_stack_trace_starts_below_the_third_init_and_quotes_file_names() -> None:
    stack = [("build", "/srv/my app/stack.py", 2), ("__init__", "/srv/c.py", 0)]
    stack += [("__init__", "/srv/r.py", 0), ("__init__", "/srv/r.py", 1), ("work", "/srv/x.py", 0)]
    trace = _called_through(stack, _runtime.stack_trace)
    # Innermost first: the frame that called the outermost of the three.
    assert (trace.frames[0].pc.uri, trace.frames[0].pc.line) == ("file:///srv/my%20app/stack.py", 4)
    assert trace.frames[1].pc.uri == Path(__file__).as_uri()
    # A file name that is no absolute path has no position, as in the SDK.
    stack = [("build", "<string>", 0)] + [("__init__", "/a.py", 0)] * 3
    assert not _called_through(stack, _runtime.stack_trace).frames[0].HasField("pc")


def test_stack_trace_is_empty_without_three_inits() -> None:
    assert list(_called_through([("__init__", "/a.py", 0)] * 2, _runtime.stack_trace).frames) == []


def _other_stack_trace() -> Any:
    return sdk_resource.source_pb2.StackTrace()


def test_only_the_known_sdk_stack_trace_is_replaced() -> None:
    assert _runtime.sdk_stack_trace_is_known(), NOT_MATCHING
    assert _runtime.sdk_stack_trace_is_known(_runtime.SDK_GET_STACK_TRACE) is True
    assert _runtime.sdk_stack_trace_is_known(_runtime.stack_trace) is False
    assert _runtime.sdk_stack_trace_is_known(_other_stack_trace) is False
    assert _runtime.sdk_stack_trace_is_known(len) is False
    # The same function over a changed source-position helper is not known either.
    assert _runtime.sdk_stack_trace_is_known(_runtime.SDK_GET_STACK_TRACE, _other_stack_trace) is False


# --- under mocks: RPCs answered on the loop's thread ----------------------------


def _loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop = sync_await._ensure_event_loop()
    return loop


def test_the_inline_executor_runs_each_call_at_once_on_the_calling_thread() -> None:
    executor = _runtime.InlineExecutor()
    ran: list[int] = []
    future = executor.submit(lambda a, b: ran.append(threading.get_ident()) or a + b, 2, b=3)
    assert (future.done(), future.result(), ran) == (True, 5, [threading.get_ident()])
    failed = executor.submit(int, "eighty")
    assert isinstance(failed.exception(), ValueError)
    assert str(failed.exception()) == "invalid literal for int() with base 10: 'eighty'"


def test_serializing_plain_data_answers_as_the_sdk_without_pumping_the_loop() -> None:
    value = {"spec": {"ports": [{"name": "http", "port": 80.0}], "type": "ClusterIP"}, "on": True, "off": None}
    pumped: list[str] = []
    handle = _loop().call_soon(pumped.append, "pumped")
    try:
        ours = _runtime.sync_await_serialized(rpc.serialize_properties(value, {}))
        assert pumped == []
    finally:
        handle.cancel()
    assert ours == _runtime.SDK_SYNC_AWAIT(rpc.serialize_properties(value, {}))
    assert ours["spec"]["ports"][0]["port"] == 80.0


def test_serializing_what_must_wait_is_finished_by_the_sdks_wait() -> None:
    loop = _loop()
    later: asyncio.Future[str] = loop.create_future()
    loop.call_soon(later.set_result, "resolved later")
    ours = _runtime.sync_await_serialized(rpc.serialize_properties({"name": later, "port": 80}, {}))
    assert dict(ours) == {"name": "resolved later", "port": 80.0}
    failing: asyncio.Future[str] = loop.create_future()
    loop.call_soon(failing.set_exception, LookupError("no such name"))
    with pytest.raises(LookupError, match="no such name"):
        _runtime.sync_await_serialized(rpc.serialize_properties({"name": failing}, {}))


def test_a_resumed_coroutine_gets_what_the_task_sends_or_throws() -> None:
    # What a task does to the coroutine it runs, step by step: send the
    # result of what it waited for, or throw in (a cancellation, say).
    async def waits(first: asyncio.Future[str], second: asyncio.Future[str]) -> str:
        try:
            return await first + await second
        except asyncio.CancelledError:
            return "cancelled"

    loop = _loop()
    first, second = loop.create_future(), loop.create_future()
    coroutine = waits(first, second)
    pending = coroutine.send(None)
    steps = _runtime._Resumed(coroutine, pending).__await__()
    assert next(steps) is first
    first.set_result("one, ")
    assert steps.send(None) is second
    with pytest.raises(StopIteration) as done:
        steps.throw(asyncio.CancelledError())
    assert done.value.value == "cancelled"


def test_other_awaitables_are_left_to_the_sdks_wait() -> None:
    pumped: list[str] = []
    _loop().call_soon(pumped.append, "pumped")
    assert _runtime.sync_await_serialized(asyncio.sleep(0, result="slept")) == "slept"
    assert pumped == ["pumped"]


def _rpc_state() -> tuple[Any, Any]:
    return getattr(_loop(), "_default_executor", None), sdk_mocks._sync_await  # type: ignore[attr-defined]


def test_inline_rpcs_installs_for_the_block_and_restores_everything() -> None:
    before = _rpc_state()
    with _runtime.inline_rpcs():
        executor, wait = _rpc_state()
        assert isinstance(executor, _runtime.InlineExecutor)
        assert wait is _runtime.sync_await_serialized
    assert _rpc_state() == before
    with pytest.raises(RuntimeError, match="boom"), _runtime.inline_rpcs():
        raise RuntimeError("boom")
    assert _rpc_state() == before


def test_inline_rpcs_leaves_a_changed_wait_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # Calls run inline that pump the loop could nest without end, so the
    # executor comes only with the shortcut.
    monkeypatch.setattr(sdk_mocks, "_sync_await", functools.partial(_runtime.SDK_SYNC_AWAIT))
    before = _rpc_state()
    with _runtime.inline_rpcs():
        assert _rpc_state() == before


def test_the_mock_runner_answers_every_registration_on_the_programs_thread() -> None:
    threads: list[int] = []

    class Recording(KubernetesMocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
            threads.append(threading.get_ident())
            return super().new_resource(args)

    def program() -> None:
        for i in range(50):
            ExternalNameService(f"db-{i}", {"external_name": "db.example.com"})

    mocks = run(program, Recording())
    assert len(mocks.resources) == 100
    assert set(threads) == {threading.get_ident()}


# --- the guards against the SDK installed ------------------------------------------------

NOT_MATCHING = (
    "a guard of components/_runtime.py no longer matches the installed pulumi SDK: the program still runs, but"
    " without that tuning. Update _runtime.py for this SDK (and benchmarks/README.md), or lower the pulumi bound"
)


def test_every_guard_matches_the_installed_sdk() -> None:
    """Fails, never skips: CI installs the newest SDK the bounds allow, so the
    team learns when a new release stops matching (the program keeps
    working untuned, see the next test)."""
    found = {
        "modules": all(
            module is not None
            for module in (
                _runtime.known_types,
                _runtime.rpc,
                _runtime.sync_await,
                _runtime.sdk_mocks,
                _runtime.sdk_resource,
                _runtime.source_pb2,
            )
        ),
        "contains_unknowns": _runtime.sdk_contains_unknowns_is_cyclic(),
        "_get_stack_trace": _runtime.sdk_stack_trace_is_known(),
        "_sync_await": _runtime.SDK_SYNC_AWAIT is not None
        and getattr(_runtime.sdk_mocks, "_sync_await", None) is _runtime.SDK_SYNC_AWAIT,
        "serialize_properties": _runtime._SERIALIZE_PROPERTIES is not None,
        "_ensure_event_loop": callable(getattr(_runtime.sync_await, "_ensure_event_loop", None)),
    }
    assert found == dict.fromkeys(found, True), NOT_MATCHING


def test_an_sdk_that_renamed_every_internal_still_runs_the_program_untuned() -> None:
    """Each internal _runtime touches changed or removed before it is
    imported: it imports, replaces nothing of the SDK's, and a bundle still
    runs under the mock runner."""
    script = textwrap.dedent(
        """
        import pulumi_kubernetes  # it imports _sync_await itself: first, as with an SDK it matches
        import pulumi.runtime.mocks as mocks
        import pulumi.runtime.resource as resource
        import pulumi.runtime.rpc as rpc
        import pulumi.runtime.sync_await as sync_await

        # A newer SDK: the same behaviour under other shapes and names.
        contains, trace = rpc.contains_unknowns, resource._get_stack_trace
        rpc.contains_unknowns = lambda value: contains(value)
        resource._get_stack_trace = lambda: trace()
        serialize = rpc.serialize_properties
        rpc.serialize_properties = lambda *args, **kwargs: serialize(*args, **kwargs)
        sync_await._ensure_event_loop = lambda ensure=sync_await._ensure_event_loop: ensure()
        del sync_await._sync_await  # pulumi.runtime.mocks keeps the one it imported

        from components import _runtime, ClusterIPService
        from components.testing import run

        assert not _runtime.sdk_contains_unknowns_is_cyclic() and not _runtime.sdk_stack_trace_is_known()
        assert _runtime.SDK_SYNC_AWAIT is None
        assert _runtime._SERIALIZE_PROPERTIES is not serialize.__code__
        changed = (rpc.contains_unknowns, resource._get_stack_trace)
        undo = _runtime.tune()
        assert (rpc.contains_unknowns, resource._get_stack_trace) == changed
        undo()
        mocks = run(lambda: ClusterIPService("web", {
            "containers": [{"name": "web", "image": "ghcr.io/acme/web:1", "ports": [{"name": "http", "container_port": 8080}]}],
            "ports": [{"name": "http", "port": 80}],
        }))
        print(sorted(m["kind"] for m in mocks.manifests()))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=ROOT)
    assert (result.returncode, result.stdout) == (0, "['Pod', 'Service']\n"), result.stderr
