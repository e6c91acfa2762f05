"""k8s_services._outdir and `render --out`: only regular files inside the
directory, never through a link or into a FIFO, unsafe or clashing names
refused, and the set written all or none (POSIX only)."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import k8s_services.render as render_module
from k8s_services._outdir import unsafe_file_name, write_objects
from k8s_services.cli import main
from k8s_services.render import HEADER, RenderError, _dump, render

PROJECT = Path(__file__).resolve().parents[2]
UMASK = os.umask(0)
os.umask(UMASK)


def ours(kind: str) -> str:
    return f"{HEADER}kind: {kind}\n"


def snapshot(directory: Path) -> dict[str, Any]:
    """Every entry below ``directory`` by lstat: its kind and contents, mode
    and inode; links and FIFOs are never followed or opened."""
    found: dict[str, Any] = {}
    for path in sorted(directory.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            found[str(path.relative_to(directory))] = ("link", os.readlink(path))
        elif stat.S_ISREG(info.st_mode):
            found[str(path.relative_to(directory))] = ("file", path.read_bytes(), info.st_mode, info.st_ino)
        else:
            found[str(path.relative_to(directory))] = (stat.S_IFMT(info.st_mode), info.st_ino)
    return found


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """An output directory with an earlier render's set and others' files."""
    out = tmp_path / "out"
    out.mkdir()
    write_objects(out, {"a.yaml": ours("A0"), "b.yaml": ours("B0"), "c.yaml": ours("C0"), "d.yaml": ours("D0")}, HEADER)
    (out / "mine.yaml").write_text("kind: NotOurs\n")
    (out / "notes.txt").write_text(ours("NotYaml"))
    (out / "binary.yaml").write_bytes(b"\x00\x01\xff\xfe" * 64)
    (out / "latin1.yaml").write_bytes("# Réndered, ça\n".encode("latin-1"))
    (out / "short.yaml").write_bytes(HEADER.encode()[:10])
    return out


NEW = {"a.yaml": ours("A1"), "b.yaml": ours("B1"), "c.yaml": ours("C1"), "e.yaml": ours("E1")}


def test_replaces_its_own_files_removes_stale_ones_and_leaves_others(previous: Path) -> None:
    before = snapshot(previous)
    write_objects(previous, NEW, HEADER)
    after = snapshot(previous)
    assert set(after) == set(before) - {"d.yaml"} | {"e.yaml"}
    for name, text in NEW.items():
        assert after[name][1] == text.encode()
        assert stat.S_IMODE(after[name][2]) == 0o666 & ~UMASK
    for name in ("mine.yaml", "notes.txt", "binary.yaml", "latin1.yaml", "short.yaml"):
        assert after[name] == before[name]  # same bytes, mode and inode: never touched


def test_non_utf8_and_binary_files_are_simply_not_ours(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "binary.yaml").write_bytes(bytes(range(256)))
    (out / "latin1.yaml").write_bytes(HEADER.encode()[:-2] + b"\xe9\n")
    before = snapshot(out)
    write_objects(out, {"a.yaml": ours("A")}, HEADER)
    assert {k: v for k, v in snapshot(out).items() if k != "a.yaml"} == before


def test_a_header_read_as_text_with_crlf_still_counts_as_ours(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.yaml").write_bytes(ours("Old").replace("\n", "\r\n").encode())
    write_objects(out, {"a.yaml": ours("A")}, HEADER)
    assert sorted(p.name for p in out.iterdir()) == ["a.yaml"]


def test_a_symlink_under_a_files_name_is_refused_and_not_followed(previous: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(ours("Outside"))
    (previous / "e.yaml").symlink_to(outside)
    before = snapshot(previous)
    with pytest.raises(RenderError, match=r"e\.yaml: is a symbolic link, where render would write a file"):
        write_objects(previous, NEW, HEADER)
    assert outside.read_text() == ours("Outside")
    assert snapshot(previous) == before


def test_a_symlink_to_a_file_render_wrote_is_not_stale(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text(ours("Outside"))
    (out / "link.yaml").symlink_to(outside)
    (out / "dangling.yaml").symlink_to(tmp_path / "nowhere")
    write_objects(out, {"a.yaml": ours("A")}, HEADER)
    assert os.readlink(out / "link.yaml") == str(outside)
    assert outside.read_text() == ours("Outside")
    assert (out / "dangling.yaml").is_symlink()


def test_a_hard_link_out_of_the_directory_is_not_written_through(previous: Path, tmp_path: Path) -> None:
    outside = tmp_path / "hardlink.yaml"
    os.link(previous / "a.yaml", outside)
    write_objects(previous, NEW, HEADER)
    assert outside.read_text() == ours("A0")
    assert (previous / "a.yaml").read_text() == ours("A1")


_FIFO_SCRIPT = textwrap.dedent(
    """\
    import sys
    from pathlib import Path
    from k8s_services._outdir import write_objects
    from k8s_services.render import HEADER, RenderError
    try:
        write_objects(Path(sys.argv[1]), {"a.yaml": HEADER + "kind: A\\n"}, HEADER)
    except RenderError as error:
        print(f"error: {error}")
    else:
        print("ok")
    """
)


@pytest.mark.parametrize(("fifo", "expected"), [("a.yaml", "error: "), ("fifo.yaml", "ok")])
def test_a_fifo_neither_hangs_nor_is_written_into(tmp_path: Path, fifo: str, expected: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / fifo)
    result = subprocess.run(
        [sys.executable, "-c", _FIFO_SCRIPT, str(out)], cwd=PROJECT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(expected)
    if fifo == "a.yaml":
        assert f"{out / 'a.yaml'}: is a FIFO, where render would write a file" in result.stdout
    assert stat.S_ISFIFO((out / fifo).lstat().st_mode)
    assert sorted(p.name for p in out.iterdir()) == sorted({fifo, "a.yaml"})


def test_a_directory_in_the_way_is_an_error(previous: Path) -> None:
    (previous / "e.yaml").mkdir()
    (previous / "e.yaml" / "inside").write_text("x")
    before = snapshot(previous)
    with pytest.raises(RenderError, match=r"e\.yaml: is a directory, where render would write a file"):
        write_objects(previous, NEW, HEADER)
    assert snapshot(previous) == before


def test_someone_elses_file_under_a_files_name_is_an_error(previous: Path) -> None:
    (previous / "e.yaml").write_text("kind: Mine\n")
    before = snapshot(previous)
    with pytest.raises(RenderError, match=r"e\.yaml: exists and was not written by render"):
        write_objects(previous, NEW, HEADER)
    assert snapshot(previous) == before


def test_out_being_a_regular_file_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("not a directory\n")
    with pytest.raises(RenderError, match=r"out: is not a directory\.$"):
        write_objects(out, {"a.yaml": ours("A")}, HEADER)
    with pytest.raises(RenderError, match=r"out/deeper: cannot create it: Not a directory\.$"):
        write_objects(out / "deeper", {"a.yaml": ours("A")}, HEADER)
    assert out.read_text() == "not a directory\n"


def test_out_may_be_a_symlink_to_a_directory(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "out").symlink_to(real)
    write_objects(tmp_path / "out", {"a.yaml": ours("A")}, HEADER)
    assert (real / "a.yaml").read_text() == ours("A")


def test_out_and_its_parents_are_created_and_removed_again_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "new" / "deeper" / "out"
    write_objects(out, {"a.yaml": ours("A")}, HEADER)
    assert (out / "a.yaml").read_text() == ours("A")

    def full(fd: int, data: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(RenderError, match=r"other/out/a\.yaml: cannot write it: No space left on device\.$"):
        write_objects(tmp_path / "other" / "out", {"a.yaml": ours("A")}, HEADER)
    assert not (tmp_path / "other").exists()


def test_a_file_that_cannot_be_read_is_an_error(previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def denying_open(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if path == "mine.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", denying_open)
    before = snapshot(previous)
    with pytest.raises(
        RenderError, match=r"mine\.yaml: cannot open it to tell whether an earlier render wrote it: Permission denied"
    ):
        write_objects(previous, NEW, HEADER)
    assert snapshot(previous) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes anything")
def test_permissions_are_errors(previous: Path) -> None:
    (previous / "mine.yaml").chmod(0)
    with pytest.raises(RenderError, match="Permission denied"):
        write_objects(previous, NEW, HEADER)
    (previous / "mine.yaml").chmod(0o644)
    previous.chmod(0o555)
    try:
        with pytest.raises(RenderError, match=r"cannot write into it: Permission denied"):
            write_objects(previous, NEW, HEADER)
    finally:
        previous.chmod(0o755)


def test_a_directory_that_cannot_be_written_into_is_an_error(previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denying_mkdir(path: Any, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", path)

    before = snapshot(previous)
    monkeypatch.setattr(os, "mkdir", denying_mkdir)
    with pytest.raises(RenderError, match=r"out: cannot write into it: Permission denied\.$"):
        write_objects(previous, NEW, HEADER)
    assert snapshot(previous) == before


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../escape.yaml", "contains '/'"),
        ("/etc/passwd.yaml", "contains '/'"),
        ("..", "is empty, '.' or '..'"),
        ("a\0b.yaml", "contains a NUL character"),
        ("a\nb.yaml", "contains a control character"),
        ("x" * 300 + ".yaml", "is 305 bytes long; a file name may have at most 255"),
        ("a.yml", "does not end in .yaml"),
    ],
)
def test_an_unsafe_file_name_is_refused(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(RenderError, match=f"cannot write a file named .*: the name {problem}"):
        write_objects(tmp_path / "out", {name: ours("A")}, HEADER)
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []


def test_unsafe_file_name_accepts_what_kubernetes_names_make() -> None:
    assert unsafe_file_name("_cluster--clusterrole--system:controller:job-controller.yaml") is None
    assert unsafe_file_name("my-ns--service--web.v2.yaml") is None
    assert unsafe_file_name("é" * 127) is None
    assert unsafe_file_name("é" * 128) == "is 256 bytes long; a file name may have at most 255"


class _FailOn:
    """``os.<name>`` that raises ``error`` on its ``nth`` call (and, with
    ``after``, on every later one)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, nth: int, error: BaseException, after: bool = False):
        self.real = getattr(os, name)
        self.calls = 0
        self.nth, self.error, self.after = nth, error, after
        monkeypatch.setattr(os, name, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self.nth or (self.after and self.calls > self.nth):
            raise self.error
        return self.real(*args, **kwargs)


@pytest.mark.parametrize("link", [True, False])
def test_a_failure_half_way_through_the_commit_leaves_the_previous_set(
    previous: Path, monkeypatch: pytest.MonkeyPatch, link: bool
) -> None:
    if not link:  # a file system without hard links: the previous versions are copied
        _FailOn(monkeypatch, "link", 1, OSError(errno.EPERM, "Operation not permitted"), after=True)
    (previous / "a.yaml").chmod(0o640)
    before = snapshot(previous)
    replace = _FailOn(monkeypatch, "replace", 3, OSError(errno.EIO, "Input/output error", "c.yaml"))
    with pytest.raises(RenderError, match=r"failed \(c\.yaml: Input/output error\); the previous files are back\.$"):
        write_objects(previous, NEW, HEADER)
    assert replace.calls == 5  # a, b, c (failed), then b and a put back
    after = snapshot(previous)
    if link:
        assert after == before  # the very same files, inodes included
    else:
        assert {k: v[:3] for k, v in after.items()} == {k: v[:3] for k, v in before.items()}


def test_an_interrupt_during_the_commit_leaves_the_previous_set(
    previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(previous)
    _FailOn(monkeypatch, "replace", 5, KeyboardInterrupt())  # d.yaml, the stale one, is being moved away
    with pytest.raises(KeyboardInterrupt):
        write_objects(previous, NEW, HEADER)
    assert snapshot(previous) == before


def test_a_write_failing_half_way_changes_nothing(previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(previous)
    _FailOn(monkeypatch, "write", 3, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(RenderError, match=r"c\.yaml: cannot write it: No space left on device\.$"):
        write_objects(previous, NEW, HEADER)
    assert snapshot(previous) == before


def test_when_undoing_fails_too_the_error_says_where_the_previous_versions_are(
    previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _FailOn(monkeypatch, "replace", 3, OSError(errno.EIO, "Input/output error"), after=True)
    with pytest.raises(RenderError, match=r"and so did undoing it for b\.yaml, a\.yaml; .* are in (.*)\.$") as caught:
        write_objects(previous, NEW, HEADER)
    kept = Path(str(caught.value).rsplit(" are in ", 1)[1][:-1])
    assert kept.parent.name.startswith(".render-tmp-")
    assert (kept / "a.yaml").read_text() == ours("A0")
    assert (previous / "a.yaml").read_text() == ours("A1")  # complete: new or previous, never partial
    assert (previous / "c.yaml").read_text() == ours("C0")
    monkeypatch.undo()
    write_objects(previous, NEW, HEADER)  # the next render completes the set and tidies up
    assert not kept.parent.exists()
    assert sorted(p.name for p in previous.glob("[a-e].yaml")) == ["a.yaml", "b.yaml", "c.yaml", "e.yaml"]


def test_stale_files_are_removed_only_after_every_new_file_is_in_place(
    previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved: list[str] = []
    real_replace = os.replace

    def recording_replace(src: Any, dst: Any, **kwargs: Any) -> None:
        moved.append(str(dst))
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", recording_replace)
    write_objects(previous, NEW, HEADER)
    assert moved == ["a.yaml", "b.yaml", "c.yaml", "e.yaml", "d.yaml"]
    assert not (previous / "d.yaml").exists()


def test_a_stale_name_that_is_one_of_the_new_files_is_kept(previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a file system that ignores case, where "D.yaml" is "d.yaml"."""
    real_replace = os.replace

    def replace_then_alias(src: Any, dst: Any, **kwargs: Any) -> None:
        real_replace(src, dst, **kwargs)
        if dst == "e.yaml":  # the stale d.yaml becomes another name of the new e.yaml
            (previous / "d.yaml").unlink()
            os.link(previous / "e.yaml", previous / "d.yaml")

    monkeypatch.setattr(os, "replace", replace_then_alias)
    write_objects(previous, NEW, HEADER)
    assert (previous / "e.yaml").read_text() == ours("E1")
    assert (previous / "d.yaml").samefile(previous / "e.yaml")


def test_leftovers_of_a_killed_render_are_removed_after_the_next_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".render-tmp-0123456789abcdef" / "new").mkdir(parents=True)
    (out / ".render-tmp-0123456789abcdef" / "old").mkdir()
    (out / ".render-tmp-0123456789abcdef" / "new" / "a.yaml").write_text(HEADER)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    (out / ".render-tmp-0123456789abcdef" / "old" / "link.yaml").symlink_to(outside)
    (out / ".render-tmp-notours").mkdir()
    write_objects(out, {"a.yaml": ours("A")}, HEADER)
    assert sorted(p.name for p in out.iterdir()) == [".render-tmp-notours", "a.yaml"]
    assert outside.read_text() == "keep\n"


def test_two_renders_into_one_directory_at_once_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(RenderError, match="another render is writing into it"):
            write_objects(out, {"a.yaml": ours("A")}, HEADER)
    finally:
        os.close(fd)
    assert list(out.iterdir()) == []


# render(): object names and clashes, end to end.


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The objects ``render`` finds, instead of running a program."""
    manifests: list[dict[str, Any]] = []

    def found(directory: Path, stack: str, via: str = "auto") -> list[render_module.RenderedObject]:
        return [render_module.RenderedObject("kubernetes:core/v1:ConfigMap", "x", m) for m in manifests]

    monkeypatch.setattr(render_module, "objects", found)
    yield manifests


def _config_map(name: str, namespace: str | None = "default", api_version: str = "v1") -> dict[str, Any]:
    metadata = {"name": name} if namespace is None else {"name": name, "namespace": namespace}
    return {"apiVersion": api_version, "kind": "ConfigMap", "metadata": metadata}


def test_two_objects_with_one_file_name_are_an_error_naming_both(
    tmp_path: Path, stack: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    stack += [_config_map("web"), _config_map("web", api_version="example.com/v2")]
    stack[1]["kind"] = "configmap"
    assert main(["render", "test", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        'error: v1 ConfigMap "web" in namespace "default" and example.com/v2 configmap "web" in namespace "default"'
        " would both be written to the file default--configmap--web.yaml.\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "namespace", "message"),
    [
        (
            "../../../etc/cron.d/x",
            "default",
            r'v1 ConfigMap "../../../etc/cron.d/x" in namespace "default" cannot be written to a file of its own:'
            r' its file name "default--configmap--../../../etc/cron.d/x.yaml" contains \'/\'.',
        ),
        ("web", "../..", r'in namespace "../.." cannot be written .* contains \'/\'.'),
        ("a\0b", None, r'v1 ConfigMap "a\\u0000b" cannot be written .* contains a NUL character.'),
        ("w" * 400, "default", r'"w{79}\.\.\." \(400 characters\) in namespace .* is 425 bytes long'),
    ],
)
def test_an_object_whose_file_would_leave_the_directory_is_an_error_naming_it(
    tmp_path: Path, stack: list[dict[str, Any]], name: str, namespace: str | None, message: str
) -> None:
    stack += [_config_map("fine"), _config_map(name, namespace)]
    with pytest.raises(RenderError, match=message):
        render(PROJECT, "test", tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_render_out_writes_todays_bytes_and_fails_cleanly_on_a_planted_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    render(PROJECT, "dev", out)
    found = render_module.objects(PROJECT, "dev", "sdk")
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(files) == sorted(render_module._object_file(o.manifest) for o in found)
    for rendered in found:
        text = HEADER + render_module.comments(rendered) + _dump(rendered.manifest)
        assert files[render_module._object_file(rendered.manifest)] == text.encode()
        assert yaml.safe_load(files[render_module._object_file(rendered.manifest)]) == rendered.manifest

    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    name = "shop--service--orders.yaml"
    (out / name).unlink()
    (out / name).symlink_to(victim)
    before = snapshot(out)
    assert main(["render", "dev", "--out", str(out), "--project-dir", str(PROJECT)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {out / name}: is a symbolic link, where render would write")
    assert victim.read_text() == "precious\n"
    assert snapshot(out) == before
