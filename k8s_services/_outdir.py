"""Writing rendered objects into a directory, one file each, safely (POSIX).

``write_objects(out, files, header)`` puts ``files`` (file name -> text) into
the directory ``out``: it replaces the files an earlier render wrote there
(regular files whose first line is ``header``), removes those of them this
render no longer writes ("stale" files), and leaves every other entry alone.

Trust. ``out`` as the caller passes it is trusted: it is created if missing
(with its parents), and if it, or a directory above it, is a symbolic link to
a directory, that link is followed, as for any path a user names. It is opened
once; everything afterwards is relative to that open directory, so replacing
``out``'s path during the run redirects nothing. Entries *inside* ``out`` are
not trusted, and a symbolic link inside it is never followed:

- A file is only ever created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` in a
  private staging directory, ``out/.render-tmp-<random>`` (mode 0700), and
  moved into ``out`` with ``rename(2)``, which replaces the directory entry
  and never writes through what it points to.
- To tell whether an earlier render wrote a file, only a regular file (by
  ``lstat``) is opened, with ``O_NOFOLLOW | O_NONBLOCK``, checked again with
  ``fstat``, and at most the header's length is read and compared as bytes:
  symbolic links, FIFOs and devices are never opened, and a binary or
  non-UTF-8 file is simply not one a render wrote. (A header whose line ends
  in ``\\r\\n`` or ``\\r`` counts, as it did when the file was read as text.)

Refused with ``RenderError``, before anything in ``out`` changes:

- a file name that is not one plain entry of ``out`` (see ``unsafe_file_name``)
  or does not end in ``.yaml``;
- a file to write whose name is taken by anything but a regular file an
  earlier render wrote: a symbolic link (not followed, and not replaced
  either: render leaves alone what it did not write), a directory, a FIFO, a
  socket, a device, or someone else's regular file;
- a ``*.yaml`` regular file in ``out`` that cannot be read (whether an earlier
  render wrote it, and so whether it is stale, cannot be told);
- ``out`` not being a directory, or not readable and writable; two names that
  are one file on this file system (one that ignores case, say); another render
  writing into ``out`` at the same time (an ``flock`` on ``out``).

Guarantee.

1. Per file, always, even across a crash: each name in ``out`` holds its
   complete previous version, its complete new version, or (if it had none)
   nothing; never a partial file. New files are written and ``fsync``-ed in
   the staging directory, on the same file system as ``out``, before they are
   renamed into place.
2. As a set, against every failure in this process (errors and interrupts,
   ``KeyboardInterrupt`` included): ``out`` changes only in a commit phase,
   which starts once every new file has been written in full. An error before
   it leaves ``out`` with the same entries and contents as before (the
   staging directory is removed again, and so is an ``out`` this call
   created). The commit phase renames every new file into place, and
   only then moves the stale files into the staging directory, then
   ``fsync``-s ``out``; an error or interrupt anywhere in it is undone in
   reverse (previous versions are kept as hard links, or copies, in the
   staging directory until the commit is complete), so ``out`` holds the
   previous set again and the error says so. If undoing fails too, the error
   says which files could not be restored and keeps the staging directory
   with their previous versions. After the commit the staging directory is
   removed, and so are ones left by earlier renders that were killed.
3. Not guaranteed, as POSIX has no rename of several files at once (short of
   replacing ``out`` itself with a symbolic link to a new directory, which
   would change what ``out`` is and what else it holds): a reader listing
   ``out`` during the commit phase (one rename a file) may see new files next
   to previous ones; a crash or ``SIGKILL`` during it leaves such a mix, each
   file complete, plus a ``.render-tmp-*`` directory. Rendering again
   completes the set and removes that directory. And ``out`` is looked at
   when the render starts and, by ``lstat``, again just before each rename;
   a process other than a render changing ``out`` in between can still have
   a regular file of its own replaced (never one followed through a link).

Entries named ``.render-tmp-`` and 16 hex digits are render's own: such a
directory is taken for a staging directory a killed render left behind.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .render import RenderError

SUFFIX = ".yaml"
NAME_MAX = 255
"""The longest file name, in bytes, on Linux and macOS file systems; the
file system ``out`` is on may allow fewer, and is asked."""

_STAGING_PREFIX = ".render-tmp-"
_STAGING = re.compile(re.escape(_STAGING_PREFIX) + "[0-9a-f]{16}")
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC


def unsafe_file_name(name: str, name_max: int = NAME_MAX) -> str | None:
    """Why ``name`` is not one plain entry of a directory, or None if it is."""
    if name in ("", ".", ".."):
        return "is empty, '.' or '..'"
    if "/" in name:
        return "contains '/'"
    if "\0" in name:
        return "contains a NUL character"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return "contains a control character"
    try:
        size = len(os.fsencode(name))
    except UnicodeError:
        return "cannot be encoded as a file name"
    if size > name_max:
        return f"is {size} bytes long; a file name may have at most {name_max}"
    return None


def _quote(value: Any) -> str:
    text = json.dumps(str(value), ensure_ascii=False)
    return text if len(text) <= 100 else f'{text[:80]}..." ({len(str(value))} characters)'


def object_label(manifest: Mapping[str, Any]) -> str:
    """How an object is named in messages: apiVersion, kind, name, namespace."""
    metadata = manifest.get("metadata") or {}
    label = (
        f"{manifest.get('apiVersion', '?')} {manifest.get('kind', 'object')} {_quote(metadata.get('name', 'unnamed'))}"
    )
    namespace = metadata.get("namespace")
    return f"{label} in namespace {_quote(namespace)}" if namespace else label


def check_object_file(manifest: Mapping[str, Any], name: str) -> None:
    """Refuse ``name`` as the file of ``manifest`` unless it is a plain entry."""
    problem = unsafe_file_name(name)
    if problem is not None:
        raise RenderError(
            f"{object_label(manifest)} cannot be written to a file of its own: its file name {_quote(name)} {problem}."
        )


def object_files(
    manifests: Iterable[Mapping[str, Any]],
    file_name: Callable[[Mapping[str, Any]], str],
    text: Callable[[Mapping[str, Any]], str],
) -> dict[str, str]:
    """File name -> text for each object; two objects with one file name are an error."""
    files: dict[str, str] = {}
    owners: dict[str, Mapping[str, Any]] = {}
    for manifest in manifests:
        name = file_name(manifest)
        if name in owners:
            raise RenderError(
                f"{object_label(owners[name])} and {object_label(manifest)} would both be written to the file {name}."
            )
        owners[name] = manifest
        files[name] = text(manifest)
    return files


def _what(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _lstat(name: str, dir_fd: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _read_at_most(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@dataclass
class _Out:
    """``out``, opened, and what this call is doing to it."""

    path: Path
    fd: int
    header: bytes
    replace: list[str] = field(default_factory=list)  # files to write that exist: an earlier render's
    create: list[str] = field(default_factory=list)  # files to write that do not exist
    stale: list[str] = field(default_factory=list)  # an earlier render's files this one does not write
    leftovers: list[str] = field(default_factory=list)  # staging directories of killed renders

    def written_by_render(self, name: str) -> bool:
        """Whether the regular file ``name`` starts with the header. Never
        follows a symbolic link nor blocks on a FIFO; reads the header's length."""
        try:
            fd = os.open(name, _READ, dir_fd=self.fd)
        except OSError as error:
            raise self.error(name, "cannot open it to tell whether an earlier render wrote it", error) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
            start = _read_at_most(fd, len(self.header))
        except OSError as error:
            raise self.error(name, "cannot read it to tell whether an earlier render wrote it", error) from None
        finally:
            os.close(fd)
        return start == self.header or start == self.header[:-1] + b"\r"

    def error(self, name: str, what: str, error: OSError | None = None) -> RenderError:
        reason = f": {error.strerror or error}" if error is not None else ""
        return RenderError(f"{self.path / name}: {what}{reason}.")

    def scan(self, names: Collection[str]) -> None:
        """Sort out what is in ``out``; refuse what is in the way. Changes nothing."""
        for name in sorted(names):
            try:
                found = _lstat(name, self.fd)
            except OSError as error:
                raise self.error(name, "cannot look at it", error) from None
            if found is None:
                self.create.append(name)
            elif not stat.S_ISREG(found.st_mode):
                raise self.error(
                    name,
                    f"is {_what(found.st_mode)}, where render would write a file; render writes only regular files,"
                    " never follows links and leaves alone what it did not write: remove it or render into another"
                    " directory",
                )
            elif not self.written_by_render(name):
                raise self.error(
                    name,
                    "exists and was not written by render (its first line is not the header render writes); render"
                    " leaves such files alone: move it away or render into another directory",
                )
            else:
                self.replace.append(name)
        targets = set(names)
        try:
            entries = sorted(os.listdir(self.fd))
        except OSError as error:
            raise RenderError(f"{self.path}: cannot list it: {error.strerror or error}.") from None
        for name in entries:
            if name in targets:
                continue
            if _STAGING.fullmatch(name):
                self.leftovers.append(name)
            elif name.endswith(SUFFIX):
                try:
                    found = _lstat(name, self.fd)
                except OSError as error:
                    raise self.error(name, "cannot look at it", error) from None
                if found is not None and stat.S_ISREG(found.st_mode) and self.written_by_render(name):
                    self.stale.append(name)


@dataclass
class _Staging:
    """``out/.render-tmp-<random>``: ``new/`` holds the files to put in place,
    ``old/`` the previous versions until the commit is complete."""

    name: str
    fd: int
    new: int
    old: int
    keep: bool = False  # undoing a commit failed: ``old/`` holds previous versions not put back
    written: set[tuple[int, int]] = field(default_factory=set)  # (device, inode) of each new file

    @classmethod
    def create(cls, out: _Out) -> _Staging:
        for _ in range(100):
            name = _STAGING_PREFIX + secrets.token_hex(8)
            try:
                os.mkdir(name, 0o700, dir_fd=out.fd)
                break
            except FileExistsError:
                continue
            except OSError as error:
                raise RenderError(f"{out.path}: cannot write into it: {error.strerror or error}.") from None
        else:
            raise RenderError(f"{out.path}: cannot create a staging directory in it.")
        fds: list[int] = []
        try:
            fds.append(os.open(name, _DIRECTORY | os.O_NOFOLLOW, dir_fd=out.fd))
            for sub in ("new", "old"):
                os.mkdir(sub, 0o700, dir_fd=fds[0])
                fds.append(os.open(sub, _DIRECTORY | os.O_NOFOLLOW, dir_fd=fds[0]))
        except OSError as error:
            for fd in fds:
                os.close(fd)
            _remove_staging(out.fd, name)
            raise RenderError(f"{out.path / name}: cannot set it up: {error.strerror or error}.") from None
        return cls(name, fds[0], fds[1], fds[2])

    def close(self) -> None:
        for fd in (self.new, self.old, self.fd):
            os.close(fd)


def _remove_staging(dir_fd: int, name: str) -> bool:
    """Remove a staging directory: what is not a directory in its ``new`` and
    ``old``, those and itself. Never follows a link; leaves anything else."""
    try:
        fd = os.open(name, _DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError:
        return False
    try:
        for sub in ("new", "old"):
            try:
                sub_fd = os.open(sub, _DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except FileNotFoundError:
                continue
            try:
                for entry in os.listdir(sub_fd):
                    if not stat.S_ISDIR(os.stat(entry, dir_fd=sub_fd, follow_symlinks=False).st_mode):
                        os.unlink(entry, dir_fd=sub_fd)  # a link itself, never what it points to
            finally:
                os.close(sub_fd)
            os.rmdir(sub, dir_fd=fd)
    except OSError:
        return False
    finally:
        os.close(fd)
    try:
        os.rmdir(name, dir_fd=dir_fd)
    except OSError:
        return False
    return True


def _fsync_directory(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError as error:
        # Some file systems cannot sync a directory; their renames are as durable as they get.
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise


def _same_file_as(name: str, others: Iterable[str]) -> str:
    folded = name.casefold()
    return next((other for other in others if other != name and other.casefold() == folded), "another name")


def _stage(out: _Out, staging: _Staging, data: Mapping[str, bytes]) -> None:
    """Write the new files into ``new/`` and keep the previous versions of
    the files to replace in ``old/``. Changes nothing in ``out``."""
    staged: list[str] = []
    for name in sorted(data):
        try:
            fd = os.open(name, _CREATE, 0o666, dir_fd=staging.new)
        except FileExistsError:
            raise RenderError(
                f"{out.path}: the file names {name} and {_same_file_as(name, staged)} are one file on this file"
                " system (it ignores case or normalises names); render into a directory on another file system."
            ) from None
        except OSError as error:
            raise out.error(name, "cannot write it", error) from None
        try:
            _write_all(fd, data[name])
            os.fsync(fd)
            found = os.fstat(fd)
            staging.written.add((found.st_dev, found.st_ino))
        except OSError as error:
            raise out.error(name, "cannot write it", error) from None
        finally:
            os.close(fd)
        staged.append(name)
    for name in out.replace:
        try:
            os.link(name, name, src_dir_fd=out.fd, dst_dir_fd=staging.old, follow_symlinks=False)
        except OSError:
            _copy(out, name, staging.old)


def _copy(out: _Out, name: str, to_fd: int) -> None:
    """Copy the regular file ``name`` of ``out``, with its mode, into ``to_fd``."""
    try:
        source = os.open(name, _READ, dir_fd=out.fd)
    except OSError as error:
        raise out.error(name, "cannot keep its previous version", error) from None
    try:
        found = os.fstat(source)
        if not stat.S_ISREG(found.st_mode):
            raise out.error(name, f"has become {_what(found.st_mode)} during the render")
        target = os.open(name, _CREATE, 0o600, dir_fd=to_fd)
        try:
            while chunk := os.read(source, 1 << 16):
                _write_all(target, chunk)
            os.fchmod(target, stat.S_IMODE(found.st_mode))
        finally:
            os.close(target)
    except OSError as error:
        raise out.error(name, "cannot keep its previous version", error) from None
    finally:
        os.close(source)


def _commit(out: _Out, staging: _Staging) -> None:
    """Put the new files in place, then move the stale ones into ``old/``;
    on any error or interrupt, undo what was done and raise."""
    done: list[str] = []
    try:
        for name in sorted(out.replace + out.create):
            found = _lstat(name, out.fd)
            if name in out.create and found is not None:
                raise out.error(name, "appeared during the render")
            if found is not None and not stat.S_ISREG(found.st_mode):
                raise out.error(name, f"has become {_what(found.st_mode)} during the render")
            os.replace(name, name, src_dir_fd=staging.new, dst_dir_fd=out.fd)
            done.append(name)
        for name in out.stale:
            found = _lstat(name, out.fd)
            if found is None or not stat.S_ISREG(found.st_mode):
                continue  # gone or changed since: not an earlier render's file any more
            if (found.st_dev, found.st_ino) in staging.written:
                continue  # one of the new files, under another name (a file system that ignores case)
            os.replace(name, name, src_dir_fd=out.fd, dst_dir_fd=staging.old)
            done.append(name)
        _fsync_directory(out.fd)
    except BaseException as error:
        failed = _undo(out, staging, done)
        if failed:
            staging.keep = True
            kept = out.path / staging.name / "old"
            raise RenderError(
                f"{out.path}: putting the new files in place failed ({_describe(error)}), and so did undoing it for"
                f" {', '.join(failed)}; each file there is complete, new or previous; the previous versions not put"
                f" back are in {kept}."
            ) from error
        if isinstance(error, RenderError):
            raise RenderError(f"{error} Nothing was changed.") from None
        if isinstance(error, OSError):
            raise RenderError(
                f"{out.path}: putting the new files in place failed ({_describe(error)}); the previous files are back."
            ) from None
        raise


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    return str(error) or type(error).__name__


def _undo(out: _Out, staging: _Staging, done: list[str]) -> list[str]:
    """Put back what ``_commit`` changed, newest first; the names it could not."""
    failed: list[str] = []
    for name in reversed(done):
        try:
            if name in out.create:
                os.unlink(name, dir_fd=out.fd)
            else:
                os.replace(name, name, src_dir_fd=staging.old, dst_dir_fd=out.fd)
        except OSError:
            failed.append(name)
    try:
        _fsync_directory(out.fd)
    except OSError:
        pass
    return failed


def _make_directory(out: Path) -> list[Path]:
    """Create ``out`` and its missing parents; the ones created, deepest last."""
    missing = []
    for path in (out, *out.parents):
        if os.path.lexists(path):
            break
        missing.append(path)
    created = []
    try:
        for path in reversed(missing):
            try:
                os.mkdir(path)
            except FileExistsError:
                continue
            created.append(path)
    except OSError as error:
        _remove_directories(created)
        raise RenderError(f"{out}: cannot create it: {error.strerror or error}.") from None
    return created


def _remove_directories(created: list[Path]) -> None:
    for path in reversed(created):
        try:
            os.rmdir(path)
        except OSError:
            return


def write_objects(out: Path, files: Mapping[str, str], header: str) -> None:
    """Write ``files`` into ``out``, replacing an earlier render's files and
    removing its stale ones; see the module's docstring for what is refused
    and guaranteed. Raises RenderError."""
    if not header.endswith("\n") or "\n" in header[:-1]:
        raise ValueError("the header must be one line, ending in a newline")
    for name in files:
        problem = unsafe_file_name(name)
        if problem is None and not name.endswith(SUFFIX):
            problem = f"does not end in {SUFFIX}"
        if problem is not None:
            raise RenderError(f"{out}: cannot write a file named {_quote(name)}: the name {problem}.")
    data = {name: text.encode("utf-8") for name, text in files.items()}
    created = _make_directory(out)
    try:
        fd = os.open(out, _DIRECTORY)
    except OSError as error:
        _remove_directories(created)
        what = "is not a directory" if error.errno == errno.ENOTDIR else f"cannot open it: {error.strerror or error}"
        raise RenderError(f"{out}: {what}.") from None
    committed = False
    try:
        locked = _lock(out, fd)
        name_max = _name_max(fd)
        for name in files:
            size = len(os.fsencode(name))
            if size > name_max:
                raise RenderError(
                    f"{out}: the file name {name} is {size} bytes long; this file system allows {name_max}."
                )
        target = _Out(out, fd, header.encode("utf-8"))
        target.scan(list(files))
        staging = _Staging.create(target)
        try:
            _stage(target, staging, data)
            _commit(target, staging)
            committed = True
        finally:
            staging.close()
            if not staging.keep:
                _remove_staging(fd, staging.name)
        if locked:
            for leftover in target.leftovers:
                _remove_staging(fd, leftover)
    except BaseException:
        if not committed:
            _remove_directories(created)
        raise
    finally:
        os.close(fd)


def _lock(out: Path, fd: int) -> bool:
    """Lock ``out`` against other renders; False where the file system cannot lock."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RenderError(f"{out}: another render is writing into it; try again once it has finished.") from None
    except OSError:
        return False
    return True


def _name_max(fd: int) -> int:
    try:
        return min(NAME_MAX, os.fpathconf(fd, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return NAME_MAX
