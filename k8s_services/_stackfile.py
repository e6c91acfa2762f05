"""Read ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` safely: plain data or a
`StackFileError` with ``<path>:<line>:<column>: <what is wrong>; <how to fix>``.

A stack file is plain data: mappings with string keys, lists, strings,
integers, finite floats, booleans and null. Everything else is refused as a
config error before it can surprise the program:

- **Bounded work.** The file is read up to ``max_bytes`` (1 MiB; real stack
  files are a few KiB). Nesting deeper than ``max_depth`` (64) is refused as
  soon as the parser reaches it. Anchors and aliases are allowed (the Pulumi
  CLI, gopkg.in/yaml.v3, supports them, merge keys ``<<`` included), but each
  anchored value records how many nodes it expands to, so an alias is
  refused *before* it is copied once the file has more than ``max_aliases``
  (100) aliases or they would produce more than ``max_alias_nodes`` (10,000)
  nodes: a billion-laughs file costs a few hundred events, not 10^9 objects.
  Values are built straight from the parser's events (libyaml's when PyYAML
  has it, else PyYAML's own; both mark lines and columns in characters),
  without PyYAML's recursive composer and constructor: a 1 MiB file loads
  in about a second, three times faster than ``yaml.load(CSafeLoader)``.
- **Bytes.** UTF-8 only (a UTF-8 BOM is skipped, as the Pulumi CLI does):
  UTF-16/32 byte order marks, NUL bytes, invalid UTF-8 and control
  characters are reported with their line, column and byte offset.
- **Duplicate keys** at any level (yaml.v3 refuses them too; PyYAML keeps
  the last silently), with the line of the first occurrence.
- **Tags.** Only ``!!str`` (and ``!!map``/``!!seq`` on their own kinds) is
  accepted; ``!!python/...``, ``!!binary``, ``!!set``, ``!!omap``, ``!!int``,
  ``!custom``, ``!`` ... are refused. **Keys** must be strings.

YAML dialects: this module implements choice (a) of the issue, a config
error for every unquoted plain scalar whose value differs between the two
readers, with a suggestion to quote it. PyYAML (used here) resolves plain
scalars by YAML 1.1; the Pulumi CLI reads stack files with gopkg.in/yaml.v3
(``sdk/go/common/encoding/marshal.go``), decoding them into ``any`` and
passing the result on as JSON. yaml.v3 ``resolve.go`` (v3.0.1) resolves plain
scalars this way: booleans are only ``true|True|TRUE|false|False|FALSE``;
null is ``""|~|null|Null|NULL``; ``.inf``/``.nan`` in three spellings each;
a scalar starting with a digit or sign is tried, in order, as a timestamp
(``YYYY-M-D``, ``YYYY-M-DTh:m:s[.f](Z|±hh:mm)``, ``YYYY-M-D h:m:s[.f]``, via
Go's ``time.Parse``), then, with every ``_`` removed, as Go
``strconv.ParseInt(s, 0, 64)`` (``0x``, ``0o``, ``0b`` and leading-``0``
octal, either case of the prefix), ``ParseUint``, a float matching
``^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$`` (out of range is a
string), then ``0b``/``0o`` forms with a sign after the prefix; a scalar
starting with ``.`` is Go ``ParseFloat`` of the text as is. No sexagesimal,
no ``yes``/``no``/``on``/``off`` (those are booleans only when decoded into a
typed Go bool, which config values are not). ``_go_value`` below is a port
of that function, used only to *detect* disagreement.

Why (a) and not (b), resolving exactly as yaml.v3 does: (b) would also need
PyYAML's scanner replaced by libyaml's grammar and yaml.v3's decoding of
timestamps (a ``time.Time`` that Pulumi passes on as Go's
``Time.String()``), Go's JSON number formatting and its refusal of NaN and
infinities; any slip there silently changes a value. With (a), every file
that loads means the same to both readers, and an ambiguous one stops with a
message naming the line and the spelling both read alike. Measured effect:
``value: yes``, ``on``, ``1:30``, ``2024-01-01``, ``0o17``, ``1e3``, ``08``,
``0X1F``, ``-.5`` are errors; ``0755`` (octal 493 in both), ``0x1F``,
``0b101``, ``1_000``, ``1.5``, ``y``/``n`` (strings in both) are accepted.
``.inf``/``.nan`` agree but are refused as well: JSON, and so Pulumi config,
cannot carry them.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

__all__ = [
    "MAX_ALIASES",
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "StackFileError",
    "load_yaml_bytes",
    "load_yaml_file",
]

MAX_BYTES: Final = 1 << 20
MAX_DEPTH: Final = 64
MAX_ALIASES: Final = 100
MAX_ALIAS_NODES: Final = 10_000

_CORE = "tag:yaml.org,2002:"
_STR_TAG: Final = _CORE + "str"
_SEQ_TAG: Final = _CORE + "seq"
_MAP_TAG: Final = _CORE + "map"


class _Mark(Protocol):
    """Where an event starts (yaml.error.Mark or libyaml's): 0-based."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


def _start(event: Event) -> _Mark:
    mark = event.start_mark
    assert mark is not None  # both parsers mark every event
    return mark


class StackFileError(ValueError):
    """A project or stack file that is not safe, plain YAML data. ``str()`` is
    ``<path>:<line>:<column>: <what is wrong>; <how to fix>`` (1-based; no
    line and column for problems of the whole file)."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        where = path if line is None else f"{path}:{line}:{column}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class _Limits:
    max_depth: int
    max_aliases: int
    max_alias_nodes: int


class _Problem(Exception):
    """Raised inside the builder; load_yaml_bytes adds the file name."""

    def __init__(self, mark: _Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def load_yaml_file(
    path: Path,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
    max_alias_nodes: int = MAX_ALIAS_NODES,
) -> Any:
    """The file's single YAML document as plain data (dict with str keys,
    list, str, int, float, bool, None); None for an empty file. Anything
    else raises StackFileError."""
    name = str(path)
    try:
        with Path(path).open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as error:
        raise StackFileError(name, f"cannot be read ({error.strerror or error}); check the path") from None
    if len(data) > max_bytes:
        raise StackFileError(
            name,
            f"is larger than {max_bytes} bytes, the limit for a Pulumi project or stack file;"
            " check that this is the right file",
        )
    return load_yaml_bytes(data, name, max_depth=max_depth, max_aliases=max_aliases, max_alias_nodes=max_alias_nodes)


def load_yaml_bytes(
    data: bytes,
    name: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
    max_alias_nodes: int = MAX_ALIAS_NODES,
) -> Any:
    """As load_yaml_file, for the bytes of a file called ``name`` (the size
    limit is the caller's)."""
    text = _decode(data, name)
    builder = _Builder(_Limits(max_depth, max_aliases, max_alias_nodes), _is_stack_file(name))
    parser = _parser(text)
    try:
        return builder.run(parser)
    except _Problem as problem:
        raise _error(name, problem.mark, problem.message) from None
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(name, error, text) from None
    except yaml.YAMLError as error:  # ReaderError: excluded by _decode, kept for safety
        raise StackFileError(name, f"is not valid YAML: {error}; save it as UTF-8 text") from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


def _error(name: str, mark: _Mark | None, message: str) -> StackFileError:
    if mark is None:
        return StackFileError(name, message)
    return StackFileError(name, message, mark.line + 1, mark.column + 1)


def _is_stack_file(name: str) -> bool:
    base = Path(name).name
    return base.startswith("Pulumi.") and base.endswith((".yaml", ".yml")) and base.count(".") >= 2


# --- bytes and characters ---------------------------------------------------------

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)
# What YAML (and PyYAML's reader) accepts as text; NUL and other C0/C1
# controls, surrogates and U+FFFE/U+FFFF are not.
_NON_PRINTABLE: Final = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK: Final = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _position(prefix: str) -> tuple[int, int]:
    """1-based line and column just after ``prefix``, counted as PyYAML's
    marks are (a byte order mark takes no column)."""
    lines = _LINE_BREAK.split(prefix)
    last = lines[-1]
    return len(lines), len(last) - last.count("\ufeff") + 1


def _decode(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise StackFileError(
                name, f"starts with a {encoding} byte order mark; save the file as UTF-8 (without a BOM)", 1, 1
            )
    nul = data.find(b"\x00")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if not 0 <= nul < error.start:
            line, column = _position(data[: error.start].decode("utf-8"))
            raise StackFileError(
                name,
                f"byte 0x{data[error.start]:02x} at byte offset {error.start} is not valid UTF-8;"
                " save the file as UTF-8",
                line,
                column,
            ) from None
        text = data[:nul].decode("utf-8") + "\x00"
    bad = _NON_PRINTABLE.search(text)
    if bad is None:
        return text
    offset = len(text[: bad.start()].encode("utf-8"))
    line, column = _position(text[: bad.start()])
    char = bad.group()
    if char == "\x00":
        raise StackFileError(
            name,
            f"NUL byte at byte offset {offset}; a stack file is UTF-8 text: remove it"
            " (or, if the file was saved as UTF-16, save it as UTF-8)",
            line,
            column,
        )
    raise StackFileError(
        name,
        f"control character U+{ord(char):04X} at byte offset {offset} is not allowed in YAML; remove it",
        line,
        column,
    )


# --- parser -----------------------------------------------------------------------

_EventSource = Any  # yaml._yaml.CParser or the pure-Python parser: get_event/peek_event
_USE_LIBYAML = yaml.__with_libyaml__


def _parser(text: str) -> _EventSource:
    """libyaml's parser when PyYAML has it (events 10x faster; same marks,
    0-based lines and columns in characters), else PyYAML's."""
    if _USE_LIBYAML:
        from yaml._yaml import CParser

        return CParser(text)
    return _PyParser(text)


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _syntax_error(name: str, error: yaml.MarkedYAMLError, text: str) -> StackFileError:
    mark = error.problem_mark or error.context_mark
    fix = "fix the YAML syntax there"
    lines = _LINE_BREAK.split(text)
    if mark is not None and mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t":
        fix = "indent with spaces: YAML does not allow tabs there"
    problem = error.problem or "malformed document"
    if error.context:
        context = error.context
        if error.context_mark is not None and error.problem_mark is not None:
            context += f" at line {error.context_mark.line + 1}, column {error.context_mark.column + 1}"
        problem += f" ({context})"
    return _error(name, mark, f"is not valid YAML: {problem}; {fix}")


# --- plain scalars: PyYAML (YAML 1.1) and yaml.v3 --------------------------------


@dataclass(frozen=True)
class _Special:
    """A resolution that is not plain data (a date, an unreadable number)."""

    description: str


# SafeLoader's implicit resolvers by first character ("" for the empty
# scalar), as Resolver.resolve uses them for an untagged plain scalar.
_PY_IMPLICIT: Final[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = (
    yaml.resolver.Resolver.yaml_implicit_resolvers
)
_PY_CONSTRUCTOR: Final = yaml.constructor.SafeConstructor()
_PY_CONSTRUCT: Final[dict[str, Callable[[yaml.ScalarNode], Any]]] = {
    _CORE + "bool": _PY_CONSTRUCTOR.construct_yaml_bool,
    _CORE + "int": _PY_CONSTRUCTOR.construct_yaml_int,
    _CORE + "float": _PY_CONSTRUCTOR.construct_yaml_float,
}
_PY_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# First characters for which either reader may resolve a plain scalar to
# something other than a string (PyYAML's implicit resolvers; yaml.v3's
# resolveTable).
_MAYBE_TYPED: Final = frozenset("yYnNtTfFoO~+-.0123456789<=")


def _pyyaml_value(text: str, *, key: bool = False) -> Any:
    """What PyYAML's SafeLoader makes of an untagged plain scalar."""
    tag = next((tag for tag, pattern in _PY_IMPLICIT.get(text[:1], []) if pattern.match(text)), _STR_TAG)
    if tag == _STR_TAG:
        return text
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "timestamp":
        return _Special("a date" if _PY_DATE.match(text) else "a date and time")
    if tag == _CORE + "merge":
        return _Special("the merge key <<")
    if tag == _CORE + "value":
        # SafeLoader reads a key "=" as the string; as a value it fails.
        return text if key else _Special('nothing it can load (YAML 1.1 reserves "=")')
    construct = _PY_CONSTRUCT.get(tag)
    if construct is None:  # pragma: no cover - SafeLoader resolves nothing else
        return _Special(f"a value tagged {_short_tag(tag)}")
    try:
        return construct(yaml.ScalarNode(tag, text))
    except (ValueError, IndexError):
        return _Special("an invalid number")


_GO_MAP: Final[dict[str, Any]] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_GO_YAML_FLOAT: Final = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
# strconv.ParseFloat of a text starting with ".": decimal digits, "_" only
# between digits (underscoreOK), optional exponent.
_GO_DOT_FLOAT: Final = re.compile(r"\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?\Z")
_GO_TIME = r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?"
_GO_DATE = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
_GO_TIMESTAMPS: Final = (
    re.compile(_GO_DATE + "[Tt]" + _GO_TIME + r"(?:Z|[+-]([0-9]{2}):([0-9]{2}))\Z"),
    re.compile(_GO_DATE + " +" + _GO_TIME + r"\Z"),
    re.compile(_GO_DATE + r"\Z"),
)
_GO_TIMESTAMP: Final = _Special("a timestamp")
_UINT64_MAX: Final = (1 << 64) - 1


def _go_parse_uint(text: str, base: int) -> int | None:
    """strconv.ParseUint(text, base, 64), None on any error (text has no "_")."""
    if not text:
        return None
    if base == 0:
        base = 10
        if text[0] == "0":
            prefix = text[1:2].lower()
            if len(text) >= 3 and prefix in ("b", "o", "x"):
                base, text = {"b": 2, "o": 8, "x": 16}[prefix], text[2:]
            else:
                base, text = 8, text[1:]
    number = 0
    for char in text:
        if "0" <= char <= "9":
            digit = ord(char) - ord("0")
        elif "a" <= char <= "z":
            digit = ord(char) - ord("a") + 10
        elif "A" <= char <= "Z":
            digit = ord(char) - ord("A") + 10
        else:
            return None
        if digit >= base:
            return None
        number = number * base + digit
        if number > _UINT64_MAX:
            return None
    return number


def _go_parse_int(text: str, base: int) -> int | None:
    """strconv.ParseInt(text, base, 64), None on any error."""
    negative = text[:1] == "-"
    unsigned = _go_parse_uint(text[1:] if text[:1] in ("+", "-") else text, base)
    if unsigned is None or unsigned > (1 << 63) - (0 if negative else 1):
        return None
    return -unsigned if negative else unsigned


def _go_days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _go_timestamp(text: str) -> bool:
    """Whether yaml.v3's parseTimestamp (Go time.Parse with its four
    layouts) accepts the text."""
    for layout in _GO_TIMESTAMPS:
        match = layout.match(text)
        if match is None:
            continue
        numbers = [int(group) if group is not None else 0 for group in match.groups()]
        year, month, day = numbers[:3]
        hour, minute, second, zone_hour, zone_minute = (numbers[3:] + [0] * 5)[:5]
        return (
            1 <= month <= 12
            and 1 <= day <= _go_days_in(month, year)
            and hour < 24
            and minute < 60
            and second < 60
            and zone_hour <= 24
            and zone_minute <= 60
        )
    return False


def _go_value(text: str) -> Any:
    """Port of gopkg.in/yaml.v3 resolve("", text) (v3.0.1), as decoded into
    ``any``: bool, int, float, None, str or _GO_TIMESTAMP."""
    hint = text[:1]
    if hint and hint not in "+-0123456789yYnNtTfFoO~.":
        return text
    if text in _GO_MAP:
        return _GO_MAP[text]
    if hint == ".":
        if _GO_DOT_FLOAT.match(text):
            number = float(text.replace("_", ""))
            if not math.isinf(number):  # ParseFloat: ErrRange
                return number
        return text
    if hint not in "+-0123456789":
        return text
    if _go_timestamp(text):
        return _GO_TIMESTAMP
    plain = text.replace("_", "")
    for value in (_go_parse_int(plain, 0), _go_parse_uint(plain, 0)):
        if value is not None:
            return value
    if _GO_YAML_FLOAT.match(plain):
        number = float(plain)
        if not math.isinf(number):
            return number
    for prefix, base in (("0b", 2), ("0o", 8)):
        if plain.startswith(prefix):
            value = _go_parse_int(plain[2:], base)
            if value is None:
                value = _go_parse_uint(plain[2:], base)
            if value is not None:
                return value
        elif plain.startswith("-" + prefix):
            value = _go_parse_int("-" + plain[3:], base)
            if value is not None:
                return value
    return text


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, _Special) or isinstance(b, _Special) or type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _describe(value: Any) -> str:
    if isinstance(value, _Special):
        return value.description
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN (not a number)"
        if math.isinf(value):
            return "infinity" if value > 0 else "minus infinity"
        return f"the number {value!r}"
    return f"the string {_quote(value)}"


def _spelling(value: Any) -> str | None:
    """How to write a bool, number or null so that both readers agree."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        text = repr(value)
    else:
        return None
    return text if _same(_pyyaml_value(text), value) and _same(_go_value(text), value) else None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "the boolean"
    if value is None:
        return "null"
    return "the number"


# Fast paths, exact for both readers: a word starting with one of these
# letters is a string unless it is one of the boolean or null words; a
# decimal integer of up to 18 digits is that int.
_WORD_START: Final = frozenset("yYnNtTfFoO")
_WORDS: Final = frozenset(
    "yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL".split()
)
_DECIMAL: Final = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")


def _plain_scalar(text: str, key: bool) -> Any:
    """The value of an untagged plain scalar both readers agree on, or
    _Problem (without a mark) explaining the difference."""
    first = text[:1]
    if (text and first not in _MAYBE_TYPED) or (first in _WORD_START and text not in _WORDS):
        return text
    if _DECIMAL.match(text):
        return int(text)
    ours, theirs = _pyyaml_value(text, key=key), _go_value(text)
    what = "key" if key else "value"
    if not _same(ours, theirs):
        both_special = isinstance(ours, _Special) and isinstance(theirs, _Special)
        link = "and" if both_special else "but"
        tail = ", not a string" if both_special else ""
        fixes = [f"quote it: {_quote(text)}" if key else f"write {_quote(text)} for the string"]
        for value in () if key else (ours, theirs):
            spelling = _spelling(value)
            if spelling is not None and spelling != text:
                fixes.append(f"{spelling} for {_kind(value)}")
        raise _Problem(
            None,
            f"unquoted {what} {text} means {_describe(ours)} to PyYAML (YAML 1.1) {link} {_describe(theirs)}"
            f" to the Pulumi CLI (yaml.v3, YAML 1.2){tail}; {' or '.join(fixes)}",
        )
    if isinstance(ours, float) and not math.isfinite(ours):
        raise _Problem(
            None,
            f"unquoted {what} {text} means {_describe(ours)}, which JSON and so Pulumi config cannot carry;"
            f" write {_quote(text)} for the string or a finite number",
        )
    return ours


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _tag_problem(mark: _Mark, tag: str) -> _Problem:
    return _Problem(
        mark,
        f"tag {_short_tag(tag)} is not allowed: a stack file holds plain data (strings, numbers, booleans,"
        " null, lists and mappings); remove the tag (quote the value to keep it a string)",
    )


# --- building values from events ---------------------------------------------------

_NO_KEY: Final = object()
_MERGE: Final = object()


@dataclass
class _Anchored:
    value: Any
    size: int  # nodes in the value, aliases expanded
    height: int  # collection levels in the value (0 for a scalar)


@dataclass
class _Frame:
    """An open sequence or mapping."""

    mark: _Mark
    anchor: str | None
    path: tuple[str, ...]
    items: list[Any] | None = None
    mapping: dict[str, Any] | None = None
    size: int = 1
    height: int = 1
    key: Any = _NO_KEY  # the pending key of a mapping, _MERGE, or _NO_KEY
    first_lines: dict[str, int] = field(default_factory=dict)
    merges: list[tuple[Any, _Mark, bool]] = field(default_factory=list)
    merge_line: int = 0


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _duplicate_hint(path: tuple[str, ...], stack_file: bool) -> str:
    if not path:
        return "a top-level key may appear once"
    if path == ("config",):
        return "a config key may appear once under config"
    if stack_file and len(path) == 2 and path[0] == "config" and path[1].rsplit(":", 1)[-1] == "services":
        return "a bundle name may appear once under services"
    return "a key may appear once in a mapping: keep one"


class _Builder:
    def __init__(self, limits: _Limits, stack_file: bool) -> None:
        self.limits = limits
        self.stack_file = stack_file
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchored] = {}
        self.anchor_lines: dict[str, int] = {}
        self.aliases = 0
        self.alias_nodes = 0
        self.root: Any = None
        self.done = False

    def run(self, parser: _EventSource) -> Any:
        event = parser.get_event()
        assert isinstance(event, StreamStartEvent)
        if isinstance(parser.peek_event(), StreamEndEvent):
            return None
        start = parser.get_event()
        assert isinstance(start, DocumentStartEvent)
        while not self.done:
            self.event(parser.get_event())
        end = parser.get_event()
        assert isinstance(end, DocumentEndEvent)
        following = parser.peek_event()
        if not isinstance(following, StreamEndEvent):
            raise _Problem(
                _start(following),
                "a second YAML document starts here; a stack file holds one document: remove it"
                " (and the --- line) or merge it into the first",
            )
        return self.root

    # Each event either opens a collection, closes one, or is a complete
    # value (scalar or alias) handed to add().
    def event(self, event: Event) -> None:
        if isinstance(event, ScalarEvent):
            self.scalar(event)
        elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            self.open(event)
        elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
            self.close()
        elif isinstance(event, AliasEvent):
            self.alias(event)
        else:  # pragma: no cover - the parser guarantees the grammar
            raise _Problem(_start(event), f"unexpected {type(event).__name__}; fix the YAML syntax there")

    def expecting_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].mapping is not None and self.stack[-1].key is _NO_KEY

    def define(self, anchor: str | None, mark: _Mark) -> None:
        if anchor is None:
            return
        if anchor in self.anchor_lines:
            raise _Problem(
                mark, f"anchor &{anchor} is defined twice (first at line {self.anchor_lines[anchor]}); rename one"
            )
        self.anchor_lines[anchor] = mark.line + 1

    def scalar(self, event: ScalarEvent) -> None:
        mark = _start(event)
        self.define(event.anchor, mark)
        key = self.expecting_key()
        tag = event.tag
        if tag is not None:
            if tag != _STR_TAG:
                raise _tag_problem(mark, tag)
            value: Any = event.value
        elif not event.implicit[0]:  # quoted or block scalar
            value = event.value
        elif key and event.value == "<<":
            frame = self.stack[-1]
            if event.anchor is not None:
                raise _Problem(mark, f"anchor &{event.anchor} on the merge key <<; remove the anchor")
            if frame.merge_line:
                raise self.duplicate(mark, "<<", frame.merge_line, frame.path)
            frame.merge_line = mark.line + 1
            frame.key = _MERGE
            return
        else:
            try:
                value = _plain_scalar(event.value, key)
            except _Problem as problem:
                raise _Problem(mark, problem.message) from None
            if key and not isinstance(value, str):
                text = event.value
                raise _Problem(
                    mark,
                    f"key {text} is {_describe(value)}, not a string; quote it: {_quote(text)}"
                    if text
                    else 'an empty key is null, not a string; write a name (or "" for the empty string)',
                )
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchored(value, 1, 0)
        self.add(value, 1, 0, mark, from_alias=False)

    def open(self, event: SequenceStartEvent | MappingStartEvent) -> None:
        mark = _start(event)
        is_map = isinstance(event, MappingStartEvent)
        if event.tag is not None and event.tag != (_MAP_TAG if is_map else _SEQ_TAG):
            raise _tag_problem(mark, event.tag)
        if self.expecting_key():
            raise _Problem(
                mark, f"a key must be a string, not a {'mapping' if is_map else 'sequence'}; use a name as the key"
            )
        if len(self.stack) + 1 > self.limits.max_depth:
            raise self.too_deep(mark)
        self.define(event.anchor, mark)
        path = self.child_path()
        frame = _Frame(mark, event.anchor, path)
        if is_map:
            frame.mapping = {}
        else:
            frame.items = []
        self.stack.append(frame)

    def close(self) -> None:
        frame = self.stack.pop()
        value: Any = frame.items
        if frame.mapping is not None:
            value = self.merged(frame)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = _Anchored(value, frame.size, frame.height)
        self.add(value, frame.size, frame.height, frame.mark, from_alias=False)

    def alias(self, event: AliasEvent) -> None:
        mark, name = _start(event), event.anchor
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise _Problem(
                mark,
                f"more than {self.limits.max_aliases} aliases; a stack file needs few, if any: write the values out",
            )
        anchored = self.anchors.get(name or "")
        if anchored is None:
            if name in self.anchor_lines:
                raise _Problem(mark, f"alias *{name} refers to a value that contains it; remove the cycle")
            raise _Problem(
                mark, f"alias *{name} has no anchor &{name} before it; define the anchor first or write the value out"
            )
        if len(self.stack) + anchored.height > self.limits.max_depth:
            raise self.too_deep(mark, f" (through alias *{name})")
        if self.alias_nodes + anchored.size > self.limits.max_alias_nodes:
            raise _Problem(
                mark,
                f"alias *{name} would bring the nodes produced through aliases to"
                f" {self.alias_nodes + anchored.size}, past the limit of {self.limits.max_alias_nodes}"
                " (an alias bomb?); write the values out instead of nesting aliases",
            )
        self.alias_nodes += anchored.size
        self.add(_copy(anchored.value), anchored.size, anchored.height, mark, from_alias=True)

    def add(self, value: Any, size: int, height: int, mark: _Mark, *, from_alias: bool) -> None:
        if not self.stack:
            self.root, self.done = value, True
            return
        frame = self.stack[-1]
        frame.size += size
        frame.height = max(frame.height, height + 1)
        if frame.items is not None:
            frame.items.append(value)
            return
        assert frame.mapping is not None
        if frame.key is _NO_KEY:
            if not isinstance(value, str):
                raise _Problem(mark, f"a key must be a string, not {self.kind_of(value)}; use a name as the key")
            if value in frame.first_lines:
                raise self.duplicate(mark, value, frame.first_lines[value], frame.path)
            frame.first_lines[value] = mark.line + 1
            frame.key = value
        elif frame.key is _MERGE:
            frame.merges.append((value, mark, from_alias))
            frame.key = _NO_KEY
        else:
            frame.mapping[frame.key] = value
            frame.key = _NO_KEY

    def merged(self, frame: _Frame) -> dict[str, Any]:
        """The mapping with its ``<<`` merge applied as yaml.v3 does: its own
        keys win, then the merged mappings in order (earlier wins)."""
        assert frame.mapping is not None
        if not frame.merges:
            return frame.mapping
        [(value, mark, from_alias)] = frame.merges
        sources = [value] if isinstance(value, dict) else value if isinstance(value, list) and not from_alias else None
        if sources is None or not all(isinstance(source, dict) for source in sources):
            raise _Problem(mark, "the merge key << needs a mapping, an alias of one, or a list of them; fix its value")
        result: dict[str, Any] = {}
        for source in sources:
            for key, item in source.items():
                result.setdefault(key, item)
        result.update(frame.mapping)
        return result

    def child_path(self) -> tuple[str, ...]:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        step = frame.key if isinstance(frame.key, str) else "<<" if frame.key is _MERGE else "[]"
        return (*frame.path, step)

    def duplicate(self, mark: _Mark, key: str, first_line: int, path: tuple[str, ...]) -> _Problem:
        return _Problem(
            mark,
            f"duplicate key {_quote(key)} (first at line {first_line}); {_duplicate_hint(path, self.stack_file)}",
        )

    def too_deep(self, mark: _Mark, through: str = "") -> _Problem:
        return _Problem(
            mark,
            f"nested deeper than {self.limits.max_depth} levels{through}; a stack file needs only a few:"
            " flatten this value",
        )

    @staticmethod
    def kind_of(value: Any) -> str:
        if isinstance(value, dict):
            return "a mapping"
        if isinstance(value, list):
            return "a sequence"
        return _describe(value)
