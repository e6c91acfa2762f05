"""components._runtime: the process tuning the program and the mock runner share.

The SDK's ``contains_unknowns`` leaves a reference cycle per call, and its
``_get_stack_trace`` formats the whole stack for every registration; each
replacement must answer exactly as the SDK does, be installed only over the
implementation it was checked against, and be undone with the rest of the
tuning.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.runtime import known_types, rpc
from pulumi.runtime import resource as sdk_resource

from components import ClusterIPService, ExternalNameService, _runtime
from components.testing import run

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
    if not _runtime.sdk_contains_unknowns_is_cyclic():
        pytest.skip("the installed SDK's contains_unknowns has changed; _runtime keeps it")
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
    if not _runtime.sdk_stack_trace_is_known():
        pytest.skip("the installed SDK's _get_stack_trace has changed; _runtime keeps it")
    assert _runtime.sdk_stack_trace_is_known(_runtime.SDK_GET_STACK_TRACE) is True
    assert _runtime.sdk_stack_trace_is_known(_runtime.stack_trace) is False
    assert _runtime.sdk_stack_trace_is_known(_other_stack_trace) is False
    assert _runtime.sdk_stack_trace_is_known(len) is False
    # The same function over a changed source-position helper is not known either.
    assert _runtime.sdk_stack_trace_is_known(_runtime.SDK_GET_STACK_TRACE, _other_stack_trace) is False
