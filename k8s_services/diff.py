"""`k8s-services diff <stack> DIR`: what `render <stack> --out DIR` would add,
remove and change in DIR, as a unified diff per file, like `kubectl diff`
(which compares the live objects with what `apply` would make of them).

Exit status: 0 when DIR already holds exactly what render would write, 1 when
anything differs, 2 on a config error (a program that raises or exits
included: it is not a difference) or when DIR is unusable: missing, not a
directory, unreadable, or holding something render --out would refuse to
replace (a symbolic link, a FIFO, a directory or someone else's file under an
object's file name: the same checks and messages as render's, see
k8s_services._outdir).

DIR must exist: a missing DIR is far more often a mistyped path than a first
render, and "every object added" would hide the typo; diff against an empty
directory (``mkdir DIR``) to see a first render as a diff.

What is compared, file by file, as bytes:

- each file render would write (the same names and the same text, header
  included): *added* (``--- /dev/null``) when DIR has no such entry,
  *changed* when DIR's file differs;
- each other ``*.yaml`` regular file in DIR that an earlier render wrote (it
  starts with render's header): *removed* (``+++ /dev/null``), as render
  would remove it.

Every other entry of DIR (someone else's files, other names, symbolic links,
directories, a killed render's ``.render-tmp-*``) is left out of the diff, as
render leaves it alone. Headers are ``a/<file>`` (DIR now) and ``b/<file>``
(after render), as `git diff` writes them, so ``git apply --directory=DIR``
(or ``patch -p1 -d DIR``) could apply the output. A name that holds a
control character, a quote, a backslash or bytes that are not UTF-8 is
quoted as git quotes it (``"a/x\\ny.yaml"``, each such byte in octal), so no
name in DIR can break a header or add lines to the diff; one holding a space
ends in a tab, as git writes it. A file that is not UTF-8
text shows as ``Binary files a/<file> and b/<file> differ``; one larger than
`MAX_FILE_BYTES` as ``Files a/<file> and b/<file> differ`` with its size.

Reading DIR is safe and bounded: DIR itself, as named, is trusted (a symbolic
link to a directory is followed, as render follows it); inside it nothing is
followed, only regular files are opened (``O_NOFOLLOW | O_NONBLOCK``, checked
again with ``fstat``), at most `MAX_FILE_BYTES` are read of each, and DIR is
never written to nor locked.

stdout carries only the diff; one summary line goes to stderr, and so does
whatever the program prints.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ._outdir import _DIRECTORY, _READ, _Out, _read_at_most, _what
from .render import HEADER, RenderError, files, objects

MAX_FILE_BYTES = 4 << 20
"""The most read of one file in DIR. A Kubernetes object is at most about 1.5
MiB (etcd's request limit), so a rendered file is far smaller."""

DEV_NULL = "/dev/null"


@dataclass
class Differences:
    """The diff text and which files render would add, change and remove."""

    text: str = ""
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def rendered_files(directory: Path, stack: str) -> dict[str, str]:
    """File name -> text, exactly as `render(directory, stack, out)` writes them."""
    return files(objects(directory, stack))


def _rendered_files(project_dir: Path, stack: str) -> dict[str, str]:
    """`rendered_files`, or RenderError: also when a path cannot be looked at;
    exit status 1 would say that DIR differs. (A program that raises or
    exits is a RenderError from render already.)"""
    try:
        return rendered_files(project_dir, stack)
    except OSError as error:
        where = error.filename if error.filename is not None else project_dir
        raise RenderError(f"{where}: cannot read it: {error.strerror or error}.") from None


def _read(out: _Out, name: str) -> bytes | int:
    """The bytes of the regular file ``name`` in DIR, or its size when it is
    larger than `MAX_FILE_BYTES`. Never follows a link nor blocks on a FIFO."""
    try:
        fd = os.open(name, _READ, dir_fd=out.fd)
    except OSError as error:
        raise out.error(name, "cannot open it", error) from None
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            raise out.error(name, f"has become {_what(found.st_mode)} during the diff")
        data = _read_at_most(fd, MAX_FILE_BYTES + 1)
    except OSError as error:
        raise out.error(name, "cannot read it", error) from None
    finally:
        os.close(fd)
    return data if len(data) <= MAX_FILE_BYTES else max(found.st_size, len(data))


# What git's quote_c_style (quote.c) quotes in a path: control characters,
# the quote and the backslash; and bytes that are not UTF-8 (a lone
# surrogate, as Python decodes them), which a UTF-8 diff cannot carry.
_NEEDS_QUOTING = re.compile('[\x00-\x1f\x7f"\\\\\ud800-\udfff]')
_C_ESCAPES = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\"}


def _path(prefix: str, name: str) -> str:
    """``<prefix><name>`` as git writes a path in a diff header: in C-style
    quotes when it needs them (each byte outside printable ASCII in octal)."""
    path = prefix + name
    if not _NEEDS_QUOTING.search(path):
        return path
    quoted = "".join(
        _C_ESCAPES.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}") for byte in os.fsencode(path)
    )
    return f'"{quoted}"'


def _lines(text: str) -> list[str]:
    """Lines ending in "\\n" (a "\\r" before it stays part of the line: that
    is a difference too), the last one without it if the text lacks it."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _unified(before: str, after: str, old: str, new: str) -> str:
    """A unified diff; a last line without a newline is marked as `diff` marks
    it; a header whose path holds a space ends in a tab, as git ends it."""
    lines = difflib.unified_diff(_lines(before), _lines(after), _tabbed(old), _tabbed(new), lineterm="\n")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _tabbed(path: str) -> str:
    # difflib writes "--- <path>\n": what follows a tab is a date, which git and patch ignore.
    return path + "\t" if " " in path else path


def _file_diff(name: str, before: bytes | int | None, after: str | None) -> str:
    """The diff of one file: ``before`` is DIR's (None: absent; an int: the
    size of a file too large to read), ``after`` render's (None: removed)."""
    old = DEV_NULL if before is None else _path("a/", name)
    new = DEV_NULL if after is None else _path("b/", name)
    if isinstance(before, int):
        return f"Files {old} and {new} differ ({old} is {before} bytes, larger than {MAX_FILE_BYTES}; not shown)\n"
    try:
        before_text = "" if before is None else before.decode("utf-8")
    except UnicodeDecodeError:
        return f"Binary files {old} and {new} differ ({old} is not UTF-8 text)\n"
    return _unified(before_text, after or "", old, new)


def diff(project_dir: Path, stack: str, out: Path) -> Differences:
    """What `render(project_dir, stack, out)` would change in ``out``. Raises
    RenderError on a config error or an unusable ``out``; never writes."""
    try:
        fd = os.open(out, _DIRECTORY)
    except FileNotFoundError:
        raise RenderError(
            f"{out}: no such directory; diff compares with a directory render --out wrote (create it empty to see"
            " a first render as a diff)."
        ) from None
    except OSError as error:
        what = "is not a directory" if error.errno == errno.ENOTDIR else f"cannot open it: {error.strerror or error}"
        raise RenderError(f"{out}: {what}.") from None
    try:
        files = _rendered_files(project_dir, stack)
        target = _Out(out, fd, HEADER.encode("utf-8"))
        try:
            target.scan(list(files))
        except RenderError as error:
            raise RenderError(f"render --out would refuse: {error}") from None
        found = Differences()
        diffs: dict[str, str] = {}
        for name in target.create:
            diffs[name] = _file_diff(name, None, files[name])
            found.added.append(name)
        for name in target.replace:
            before = _read(target, name)
            if before == files[name].encode("utf-8"):
                found.unchanged += 1
                continue
            diffs[name] = _file_diff(name, before, files[name])
            found.changed.append(name)
        for name in target.stale:
            diffs[name] = _file_diff(name, _read(target, name), None)
            found.removed.append(name)
    finally:
        os.close(fd)
    found.text = "".join(diffs[name] for name in sorted(diffs))
    return found


def summary(out: Path, found: Differences) -> str:
    if not found:
        return f"{out}: up to date ({found.unchanged} file{'s' * (found.unchanged != 1)} render writes).\n"
    return (
        f"{out}: render --out would add {len(found.added)}, change {len(found.changed)} and remove"
        f" {len(found.removed)} file{'s' * (len(found.removed) != 1)}; {found.unchanged} unchanged.\n"
    )


def main(
    stack: str, out: Path, project_dir: Path, *, stdout: IO[str] | None = None, stderr: IO[str] | None = None
) -> int:
    """`k8s-services diff`: the diff on stdout, a summary on stderr; the exit status."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        # What the program prints goes to stderr: stdout carries the diff alone.
        with contextlib.redirect_stdout(stderr):
            found = diff(project_dir, stack, out)
    except RenderError as error:
        stderr.write(f"error: {error}\n")
        return 2
    stdout.write(found.text)
    stderr.write(summary(out, found))
    return 1 if found else 0
