"""k8s_services._stackfile: Pulumi.yaml and stack files are read as bounded,
plain data, and every hostile or ambiguous file is a config error with
``<path>:<line>:<column>: <what is wrong>; <how to fix>``.

The hostile cases and their exact messages are in
tests/fixtures/hostile-stack-files.yaml; byte-level cases (encodings, NUL,
size) are here.
"""

from __future__ import annotations

import contextlib
import math
import re
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8s_services import _stackfile
from k8s_services._stackfile import (
    MAX_BYTES,
    StackFileError,
    _go_value,
    _plain_scalar,
    _pyyaml_value,
    load_yaml_bytes,
    load_yaml_file,
)
from k8s_services.cli import main

PROJECT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT / "tests" / "fixtures"
HOSTILE: list[dict[str, str]] = yaml.safe_load((FIXTURES / "hostile-stack-files.yaml").read_text())
CASES = {case["name"]: case for case in HOSTILE}
# Messages of syntax errors come from the parser (libyaml or PyYAML's own).
STRUCTURAL = [case for case in HOSTILE if "is not valid YAML" not in case["message"]]
STACK_NAME = "Pulumi.test.yaml"


def _stack_file(directory: Path, content: bytes | str) -> Path:
    (directory / "stacks").mkdir(exist_ok=True)
    path = directory / "stacks" / STACK_NAME
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _message(path: Path, data: bytes | str) -> str:
    with pytest.raises(StackFileError) as caught:
        load_yaml_file(_stack_file(path, data))
    return str(caught.value)


@contextlib.contextmanager
def _libyaml(enabled: bool) -> Iterator[None]:
    saved = _stackfile._USE_LIBYAML
    _stackfile._USE_LIBYAML = enabled and yaml.__with_libyaml__
    try:
        yield
    finally:
        _stackfile._USE_LIBYAML = saved


def _is_plain_data(value: Any, depth: int = 0) -> bool:
    if depth > _stackfile.MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain_data(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_plain_data(item, depth + 1) for item in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


# --- the fixture: one message per hostile file ------------------------------------


@pytest.mark.parametrize("case", HOSTILE, ids=[case["name"] for case in HOSTILE])
def test_a_hostile_file_is_refused_with_its_message(tmp_path: Path, case: dict[str, str]) -> None:
    path = _stack_file(tmp_path, case["text"])
    with pytest.raises(StackFileError) as caught:
        load_yaml_file(path)
    expected = case["message"].replace("{path}", str(path))
    if case in STRUCTURAL or yaml.__with_libyaml__:
        assert str(caught.value) == expected
    else:  # PyYAML's own parser words syntax errors differently
        assert str(caught.value).startswith(expected.split(" is not valid YAML: ")[0] + " is not valid YAML: ")


@pytest.mark.parametrize("case", STRUCTURAL, ids=[case["name"] for case in STRUCTURAL])
def test_pyyaml_parser_and_libyaml_give_the_same_message(case: dict[str, str]) -> None:
    data = case["text"].encode()
    messages = set()
    for enabled in (False, True):
        with _libyaml(enabled), pytest.raises(StackFileError) as caught:
            load_yaml_bytes(data, "stacks/Pulumi.test.yaml")
        messages.add(str(caught.value))
    assert messages == {case["message"].replace("{path}", "stacks/Pulumi.test.yaml")}


def test_columns_count_characters_in_both_parsers() -> None:
    data = "config:\n  app:motto: «été»\n  app:list: [ä, ö, yes]\n".encode()
    for enabled in (False, True):
        with _libyaml(enabled), pytest.raises(StackFileError) as caught:
            load_yaml_bytes(data, "f.yaml")
        assert str(caught.value).startswith("f.yaml:3:20: unquoted value yes means the boolean true")


# --- bytes: encodings, NUL, control characters, size ------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xff\xfe" + "config: {}\n".encode("utf-16-le"), "UTF-16 (little-endian)"),
        (b"\xfe\xff" + "config: {}\n".encode("utf-16-be"), "UTF-16 (big-endian)"),
        (b"\xff\xfe\x00\x00" + "config: {}\n".encode("utf-32-le"), "UTF-32 (little-endian)"),
        (b"\x00\x00\xfe\xff" + "config: {}\n".encode("utf-32-be"), "UTF-32 (big-endian)"),
    ],
)
def test_a_utf16_or_utf32_byte_order_mark_is_refused(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "stacks" / STACK_NAME
    assert _message(tmp_path, data) == (
        f"{path}:1:1: starts with a {encoding} byte order mark; save the file as UTF-8 (without a BOM)"
    )


def test_utf16_without_a_bom_is_refused_at_its_first_nul(tmp_path: Path) -> None:
    path = tmp_path / "stacks" / STACK_NAME
    assert _message(tmp_path, "config: {}\n".encode("utf-16-le")) == (
        f"{path}:1:2: NUL byte at byte offset 1; a stack file is UTF-8 text: remove it"
        " (or, if the file was saved as UTF-16, save it as UTF-8)"
    )


def test_a_nul_byte_is_refused_with_line_column_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "stacks" / STACK_NAME
    assert _message(tmp_path, b"config:\n  app:a: x\x00y\n") == (
        f"{path}:2:11: NUL byte at byte offset 18; a stack file is UTF-8 text: remove it"
        " (or, if the file was saved as UTF-16, save it as UTF-8)"
    )


def test_a_nul_before_invalid_utf8_is_reported_first(tmp_path: Path) -> None:
    assert "NUL byte at byte offset 3" in _message(tmp_path, b"a: \x00 \xff\n")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"config:\n  app:name: caf\xe9\n", ":2:16: byte 0xe9 at byte offset 23"),  # Latin-1
        (b"a: \xc3\xa9\xff\n", ":1:5: byte 0xff at byte offset 5"),  # column in characters
        (b"a: b\r\nc: \xe2\x82", ":2:4: byte 0xe2 at byte offset 9"),  # truncated sequence, CRLF
        (b"a: \xed\xa0\x80\n", ":1:4: byte 0xed at byte offset 3"),  # an encoded surrogate
    ],
)
def test_invalid_utf8_is_refused_with_line_column_and_offset(tmp_path: Path, data: bytes, where: str) -> None:
    path = tmp_path / "stacks" / STACK_NAME
    assert _message(tmp_path, data) == f"{path}{where} is not valid UTF-8; save the file as UTF-8"


def test_a_control_character_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stacks" / STACK_NAME
    assert _message(tmp_path, b"config:\n  app:a: x\x1by\n") == (
        f"{path}:2:11: control character U+001B at byte offset 18 is not allowed in YAML; remove it"
    )


def test_a_utf8_bom_and_crlf_line_ends_are_accepted_and_do_not_shift_positions(tmp_path: Path) -> None:
    path = tmp_path / "stacks" / STACK_NAME
    assert load_yaml_file(_stack_file(tmp_path, b"\xef\xbb\xbfconfig:\r\n  app:a: x\r\n")) == {"config": {"app:a": "x"}}
    assert _message(tmp_path, b"\xef\xbb\xbfconfig:\r\n  app:a: yes\r\n").startswith(f"{path}:2:10: unquoted value yes")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = _stack_file(tmp_path, b"# padding\n" * (MAX_BYTES // 10 + 1))
    with pytest.raises(StackFileError) as caught:
        load_yaml_file(path)
    assert str(caught.value) == (
        f"{path}: is larger than {MAX_BYTES} bytes, the limit for a Pulumi project or stack file;"
        " check that this is the right file"
    )
    path.write_bytes(b"a: 1\n" + b"#" * 95)
    assert load_yaml_file(path, max_bytes=100) == {"a": 1}
    path.write_bytes(b"a: 1\n" + b"#" * 96)
    with pytest.raises(StackFileError, match="is larger than 100 bytes"):
        load_yaml_file(path, max_bytes=100)


def test_an_unreadable_file_is_a_stack_file_error(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match=r"cannot be read \(.*\); check the path$"):
        load_yaml_file(tmp_path / "missing.yaml")


# --- bounded: alias bombs and nesting ---------------------------------------------


def _laughs(levels: int, width: int, merge: bool = False) -> bytes:
    """The billion laughs: level n holds ``width`` aliases of level n-1, so
    the last level expands to width**levels nodes."""
    if merge:
        lines = ["l0: &l0 {" + ", ".join(f"k{i}: lol" for i in range(width)) + "}"]
    else:
        lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} " + (f"{{<<: [{aliases}]}}" if merge else f"[{aliases}]"))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_laughs(10, 9), ":5:10: alias *l3 would bring the nodes produced through aliases to 15670,"),  # 9^10
        (_laughs(10, 10), ":4:45: alias *l2 would bring the nodes produced through aliases to 10108,"),  # 10^10
        (_laughs(40, 2), "would bring the nodes produced through aliases to"),  # 2^40 nodes
        (_laughs(10, 9, merge=True), "would bring the nodes produced through aliases to"),
    ],
    ids=["billion-laughs-9-wide", "billion-laughs-10-wide", "2^40", "merge-keys"],
)
def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path, data: bytes, message: str) -> None:
    path = _stack_file(tmp_path, data)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(StackFileError) as caught:
            load_yaml_file(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message in str(caught.value)
    assert elapsed < 0.5, elapsed
    assert peak < 2 * 1024 * 1024, peak
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 20 * 1024


def test_aliases_within_the_limits_are_expanded_as_independent_copies(tmp_path: Path) -> None:
    data = load_yaml_file(_stack_file(tmp_path, "base: &b {ports: [80, 443]}\nweb: *b\napi: *b\n"))
    assert data == {"base": {"ports": [80, 443]}, "web": {"ports": [80, 443]}, "api": {"ports": [80, 443]}}
    data["web"]["ports"].append(8080)
    assert data["api"] == {"ports": [80, 443]}


def test_merge_keys_follow_yaml_v3_own_keys_first_then_earlier_mappings(tmp_path: Path) -> None:
    text = "a: &a {x: a, y: a}\nb: &b {x: b, y: b, z: b}\nc:\n  y: c\n  <<: [*a, *b]\n"
    assert load_yaml_file(_stack_file(tmp_path, text))["c"] == {"x": "a", "y": "c", "z": "b"}


def test_deep_block_nesting_is_refused_and_deep_flow_nesting_is_refused_fast(tmp_path: Path) -> None:
    block = "".join("  " * level + f"k{level}:\n" for level in range(64)) + "  " * 64 + "k64: x\n"
    path = tmp_path / "stacks" / STACK_NAME
    assert _message(tmp_path, block) == (
        f"{path}:65:129: nested deeper than 64 levels; a stack file needs only a few: flatten this value"
    )
    assert load_yaml_file(_stack_file(tmp_path, block), max_depth=65)["k0"]["k1"]["k2"]
    for enabled in (False, True):
        with _libyaml(enabled):
            started = time.perf_counter()
            assert ":65:1: nested deeper than 64 levels" in _message(tmp_path, b"[\n" * (MAX_BYTES // 2))
            # On one line libyaml's look-ahead meets its own limit (1000) first.
            assert re.search(
                "nested deeper than 64 levels|exceeded maximum nesting depth", _message(tmp_path, b"[" * MAX_BYTES)
            )
            assert time.perf_counter() - started < 1.0


# --- what is accepted -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Pulumi.yaml", "stacks/Pulumi.dev.yaml", "stacks/Pulumi.staging.yaml", "stacks/Pulumi.prod.yaml"]
)
def test_the_projects_own_files_load_as_pyyaml_reads_them(name: str) -> None:
    assert load_yaml_file(PROJECT / name) == yaml.safe_load((PROJECT / name).read_text())


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0755", 493),  # YAML 1.1 octal: yaml.v3 keeps reading it as octal too
        ("0x1F", 31),
        ("0b101", 5),
        ("1_000", 1000),
        ("+1", 1),
        ("-0", 0),
        ("9223372036854775808", 2**63),  # yaml.v3: a uint64
        ("1.5", 1.5),
        ("1.", 1.0),
        ("1.0e+5", 100000.0),
        ("True", True),
        ("FALSE", False),
        ("~", None),
        ("", None),
        ("y", "y"),  # a boolean in the YAML 1.1 spec, but a string to both readers
        ("n", "n"),
        ("yEs", "yEs"),
        ("0:30", "0:30"),
        (".iNf", ".iNf"),
        ("nginx:1.27.0", "nginx:1.27.0"),
        ("2024-01-01x", "2024-01-01x"),
        ("!!str 0755", "0755"),
        ("'yes'", "yes"),
        ('"2024-01-01"', "2024-01-01"),
        ("|\n  yes", "yes\n"),
    ],
)
def test_scalars_both_readers_agree_on_are_accepted(text: str, value: Any) -> None:
    loaded = load_yaml_bytes(f"v: {text}\n".encode(), "f.yaml")["v"]
    assert loaded == value and type(loaded) is type(value)


def test_an_empty_or_comment_only_file_is_none(tmp_path: Path) -> None:
    assert load_yaml_file(_stack_file(tmp_path, "")) is None
    assert load_yaml_file(_stack_file(tmp_path, "# nothing yet\n")) is None


# yaml.v3 v3.0.1 decode_test.go, unmarshalTests decoded into interface{}:
# the port of resolve() must give the same values.
YAML_V3_EXPECTED: list[tuple[str, Any]] = [
    ("hi", "hi"),
    ("true", True),
    ("10", 10),
    ("0b10", 2),
    ("0xA", 10),
    ("0.1", 0.1),
    (".1", 0.1),
    (".Inf", math.inf),
    ("-.Inf", -math.inf),
    ("-10", -10),
    ("-.1", -0.1),
    ("6.8523e+5", 6.8523e5),
    ("685.230_15e+03", 685.23015e03),
    ("685_230.15", 685230.15),
    ("-.inf", -math.inf),
    ("True", True),
    ("FALSE", False),
    ("685230", 685230),
    ("+685_230", 685230),
    ("02472256", 685230),
    ("-02472256", -685230),
    ("0o2472256", 685230),
    ("-0o2472256", -685230),
    ("0x_0A_74_AE", 685230),
    ("0b1010_0111_0100_1010_1110", 685230),
    ("-0b101010", -42),
    ("-0b1000000000000000000000000000000000000000000000000000000000000000", -9223372036854775808),
    ("", None),
    ("~", None),
    ("null", None),
    ("-b_c", "-b_c"),
    ("+b_c", "+b_c"),
    ("50cent_of_dollar", "50cent_of_dollar"),
    ("1:1", "1:1"),  # base 60 is unsupported
    ("on", "on"),  # 1.1 booleans only decode into a typed bool
    ("y", "y"),
    ("Off", "Off"),
    ("2015-01-01", _stackfile._GO_TIMESTAMP),
    ("2015-02-24T18:19:39.12Z", _stackfile._GO_TIMESTAMP),
    ("2015-2-3T3:4:5Z", _stackfile._GO_TIMESTAMP),
    ("2015-02-24t18:19:39Z", _stackfile._GO_TIMESTAMP),
    ("2015-02-24 18:19:39", _stackfile._GO_TIMESTAMP),
    ("2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 -5"),  # "not currently handled"
    # Go strconv corner cases, by the rules quoted in the module docstring.
    ("0X1F", 31),
    ("0O17", 15),
    ("08", 8.0),
    ("0b-1", -1),
    ("1e3", 1000.0),
    ("1e400", "1e400"),  # ParseFloat: out of range
    (".5_", ".5_"),
    (".5_0", 0.5),
    ("18446744073709551615", 2**64 - 1),
    ("18446744073709551616", 1.8446744073709552e19),
    ("2015-02-29", "2015-02-29"),
    ("2016-02-29", _stackfile._GO_TIMESTAMP),
    ("2015-02-24T24:00:00Z", "2015-02-24T24:00:00Z"),
    ("2015-02-24T18:19:39", "2015-02-24T18:19:39"),  # the T layouts need a zone
    ("2015-02-24T18:19:39+01:00", _stackfile._GO_TIMESTAMP),
    ("2015-02-24  18:19:39,5", _stackfile._GO_TIMESTAMP),
]


@pytest.mark.parametrize(("text", "expected"), YAML_V3_EXPECTED)
def test_the_yaml_v3_port_matches_yaml_v3(text: str, expected: Any) -> None:
    value = _go_value(text)
    assert type(value) is type(expected)
    assert value == expected or (isinstance(value, float) and math.isnan(value) and math.isnan(expected))


# --- through `python -m components` -----------------------------------------------


def _project(tmp_path: Path, stack: bytes | str, pulumi_yaml: str | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(
        pulumi_yaml or "name: k8s-services\nruntime: python\nstackConfigDir: stacks\n"
    )
    (tmp_path / "__main__.py").write_text((PROJECT / "__main__.py").read_text())
    _stack_file(tmp_path, stack)
    return tmp_path


@pytest.mark.parametrize("command", ["render", "describe"])
@pytest.mark.parametrize("name", ["yes in an env value", "duplicate bundle under services", "billion laughs"])
def test_a_hostile_stack_file_exits_2_with_its_message(
    tmp_path: Path, command: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, CASES[name]["text"])
    assert main([command, "test", "--project-dir", str(project)]) == 2
    captured = capsys.readouterr()
    path = project.resolve() / "stacks" / STACK_NAME
    assert captured.err == f"error: {CASES[name]['message'].replace('{path}', str(path))}\n"
    assert captured.out == ""
    assert "Traceback" not in captured.err


def test_a_nul_byte_in_the_stack_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path, b"config:\n  k8s-services:protect: true\x00\n")
    assert main(["render", "test", "--project-dir", str(project)]) == 2
    path = project.resolve() / "stacks" / STACK_NAME
    assert capsys.readouterr().err == (
        f"error: {path}:2:29: NUL byte at byte offset 36; a stack file is UTF-8 text: remove it"
        " (or, if the file was saved as UTF-16, save it as UTF-8)\n"
    )


def test_a_hostile_project_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path, "config: {}\n", "name: k8s-services\nruntime: python\nname: other\n")
    assert main(["render", "test", "--project-dir", str(project)]) == 2
    assert capsys.readouterr().err == (
        f'error: {project.resolve() / "Pulumi.yaml"}:3:1: duplicate key "name" (first at line 1);'
        " a top-level key may appear once\n"
    )


# --- anything at all: only StackFileError -----------------------------------------

DEV = (PROJECT / "stacks" / "Pulumi.dev.yaml").read_bytes()
SNIPPETS = [
    *(s.encode() for s in ": |- |? |[|]|{|}|,|&a |*a|!!|!x |'|\"|#|\n|\t|  |<<: |yes|0o17|1:30|~|---\n".split("|")),
    *(s.encode() for s in ["2024-01-01", "%YAML 1.1\n", "%TAG ! tag:x,1:\n", "\\", "\r", "... ", "&a [*a]", "@"]),
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\xe2\x80\xa8",
]


@st.composite
def mutated_dev_stack(draw: st.DrawFn) -> bytes:
    data = bytearray(DEV)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "copy a line"]))
        payload = draw(st.one_of(st.sampled_from(SNIPPETS), st.binary(min_size=1, max_size=3)))
        if kind == "insert":
            data[at:at] = payload
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "replace":
            data[at : at + len(payload)] = payload
        else:
            lines = bytes(data).split(b"\n")
            line = lines[draw(st.integers(0, len(lines) - 1))]
            lines.insert(draw(st.integers(0, len(lines))), line)
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def _load_or_stack_file_error(data: bytes, libyaml: bool) -> None:
    """Loads plain data or raises StackFileError; with libyaml, what loads is
    what PyYAML's C loader reads (merge keys aside: PyYAML merges lists
    differently)."""
    with tempfile.TemporaryDirectory() as directory, _libyaml(libyaml):
        path = Path(directory) / STACK_NAME
        path.write_bytes(data)
        try:
            value = load_yaml_file(path)
        except StackFileError as error:
            assert str(error).startswith(f"{path}")
            assert "\n" not in str(error)
            return
    assert _is_plain_data(value)
    if libyaml and yaml.__with_libyaml__ and b"<<" not in data:
        assert value == yaml.load(data, Loader=yaml.CSafeLoader)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_dev_stack(), st.booleans())
def test_a_mutated_stack_file_loads_or_raises_only_stack_file_error(data: bytes, libyaml: bool) -> None:
    _load_or_stack_file_error(data, libyaml)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_random_bytes_load_or_raise_only_stack_file_error(data: bytes, libyaml: bool) -> None:
    _load_or_stack_file_error(data, libyaml)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789+-._:eExXoObBtTyYnN~ ", max_size=12))
def test_a_plain_scalar_is_accepted_only_when_both_readers_agree(text: str) -> None:
    text = text.strip()
    try:
        value = _plain_scalar(text, key=False)
    except _stackfile._Problem:
        return
    assert _stackfile._same(_pyyaml_value(text), value)
    assert _stackfile._same(_go_value(text), value)
    document = f"v: {text}\n"
    with contextlib.suppress(ValueError, yaml.YAMLError):  # PyYAML itself fails on some (e.g. "0b_")
        root = yaml.compose(document)
        node = root.value[0][1] if isinstance(root, yaml.MappingNode) and len(root.value) == 1 else None
        if isinstance(node, yaml.ScalarNode) and node.style is None and node.value == text:
            assert _stackfile._same(yaml.safe_load(document)["v"], value)
