"""k8s_services.diff and `k8s-services diff`: what `render --out DIR` would
add, remove and change, read from DIR safely and never written."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from k8s_services.cli import main
from k8s_services.diff import MAX_FILE_BYTES
from k8s_services.render import HEADER, RenderError, render

PROJECT = Path(__file__).resolve().parents[2]
STACKS = ("dev", "staging", "prod")
SERVICE = "my-ns-nodeport--service--nodeport-study.yaml"
ORDERS = "shop--service--orders.yaml"


def _diff(out: Path, stack: str = "dev") -> int:
    return main(["diff", stack, str(out), "--project-dir", str(PROJECT)])


def _snapshot(directory: Path) -> dict[str, tuple[int, int, bytes | str]]:
    """Every entry (not followed), its mode and mtime, and a regular file's bytes."""
    found: dict[str, tuple[int, int, bytes | str]] = {}
    for entry in sorted(directory.iterdir()):
        info = entry.lstat()
        if entry.is_symlink():
            content: bytes | str = os.readlink(entry)
        elif entry.is_file():
            content = entry.read_bytes()
        else:
            content = ""
        found[entry.name] = (info.st_mode, info.st_mtime_ns, content)
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dev rendered once; each test copies it."""
    out = tmp_path_factory.mktemp("rendered") / "dev"
    render(PROJECT, "dev", out)
    return out


@pytest.fixture
def out(rendered: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "dev"
    shutil.copytree(rendered, copy)
    return copy


@pytest.mark.parametrize("stack", STACKS)
def test_right_after_render_out_there_is_no_difference(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / stack
    render(PROJECT, stack, out)
    count = len(list(out.iterdir()))
    assert _diff(out, stack) == 0
    assert capsys.readouterr() == ("", f"{out}: up to date ({count} files render writes).\n")


def test_a_changed_field_is_a_unified_diff_of_its_file(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    service = out / SERVICE
    service.write_text(service.read_text().replace("    port: 81\n", "    port: 82\n"))
    before = _snapshot(out)
    assert _diff(out) == 1
    assert capsys.readouterr() == (
        f"--- a/{SERVICE}\n"
        f"+++ b/{SERVICE}\n"
        "@@ -17,7 +17,7 @@\n"
        "   ipFamilyPolicy: SingleStack\n"
        "   ports:\n"
        "   - name: port1\n"
        "-    port: 82\n"
        "+    port: 81\n"
        "     protocol: TCP\n"
        "     targetPort: 80\n"
        "   selector:\n",
        f"{out}: render --out would add 0, change 1 and remove 0 files; 17 unchanged.\n",
    )
    assert _snapshot(out) == before


def test_a_missing_object_is_added_and_an_earlier_render_s_file_removed(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (out / ORDERS).read_text()
    (out / ORDERS).unlink()
    (out / "shop--service--retired.yaml").write_text(HEADER + "kind: Service\n")
    assert _diff(out) == 1
    stdout, stderr = capsys.readouterr()
    added = "".join("+" + line for line in text.splitlines(keepends=True))
    assert stdout == (
        f"--- /dev/null\n+++ b/{ORDERS}\n@@ -0,0 +1,{len(text.splitlines())} @@\n{added}"
        "--- a/shop--service--retired.yaml\n+++ /dev/null\n@@ -1,2 +0,0 @@\n"
        f"-{HEADER}-kind: Service\n"
    )
    assert stderr == f"{out}: render --out would add 1, change 0 and remove 1 file; 17 unchanged.\n"


def test_applying_the_diff_gives_what_render_writes(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The headers are git's: `git apply` inside DIR takes the output as it is."""
    service = out / SERVICE
    service.write_text(service.read_text().replace("    port: 81\n", "    port: 82\n").rstrip("\n"))
    (out / ORDERS).unlink()
    (out / "stale.yaml").write_text(HEADER + "kind: Old\n")
    assert _diff(out) == 1
    patch = capsys.readouterr().out
    assert "\\ No newline at end of file\n" in patch
    subprocess.run(["git", "apply", "-"], input=patch, text=True, cwd=out, check=True)
    assert _diff(out) == 0


def test_names_that_could_break_a_header_are_quoted_as_git_quotes_them(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stale files an earlier render could not have written, with names that
    would otherwise add lines to the diff or not be UTF-8 at all."""
    names = [
        b"evil\n@@ -0,0 +1 @@\n+injected\nx.yaml",
        b"not-utf8-\xff.yaml",
        b'q"uote\\back\ttab.yaml',
        b"with space.yaml",
    ]
    for name in names:
        with open(os.path.join(os.fsencode(out), name), "wb") as file:
            file.write(HEADER.encode() + b"kind: Old\n")
    removed = f"+++ /dev/null\n@@ -1,2 +0,0 @@\n-{HEADER}-kind: Old\n"
    assert _diff(out) == 1
    patch = capsys.readouterr().out
    assert patch == (
        '--- "a/evil\\n@@ -0,0 +1 @@\\n+injected\\nx.yaml"\t\n'
        + removed
        + '--- "a/not-utf8-\\377.yaml"\n'
        + removed
        + '--- "a/q\\"uote\\\\back\\ttab.yaml"\n'
        + removed
        + "--- a/with space.yaml\t\n"
        + removed
    )
    subprocess.run(["git", "apply", "-"], input=patch.encode(), cwd=out, check=True)
    assert _diff(out) == 0


def _raw_project(directory: Path, program: str) -> Path:
    """A project whose program is not this project's: diff runs it under the SDK."""
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text("name: raw-app\nruntime: python\n")
    (directory / "Pulumi.test.yaml").write_text("config: {}\n")
    (directory / "__main__.py").write_text(program)
    return directory


SERVICE_PROGRAM = (
    "import pulumi_kubernetes as k8s\n"
    "k8s.core.v1.Service('s', metadata={'name': 's', 'namespace': 'n'}, spec={'ports': [{'port': 80}]})\n"
)


def test_what_the_program_prints_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _raw_project(tmp_path / "project", f"print('from the program')\n{SERVICE_PROGRAM}")
    (tmp_path / "out").mkdir()
    assert main(["diff", "test", str(tmp_path / "out"), "--project-dir", str(project)]) == 1
    stdout, stderr = capsys.readouterr()
    assert stdout.startswith("--- /dev/null\n+++ b/n--service--s.yaml\n")
    assert stderr == (
        f"from the program\n{tmp_path}/out: render --out would add 1, change 0 and remove 0 files; 0 unchanged.\n"
    )


@pytest.mark.parametrize(
    ("program", "message"),
    [
        ("raise ValueError('no way')\n", "ValueError: no way"),
        ("import sys\nsys.exit(3)\n", "SystemExit: 3"),
    ],
)
def test_a_program_that_raises_or_exits_exits_2(
    tmp_path: Path, program: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not exit status 1, which says that DIR differs."""
    project = _raw_project(tmp_path / "project", program)
    (tmp_path / "out").mkdir()
    assert main(["diff", "test", str(tmp_path / "out"), "--project-dir", str(project)]) == 2
    assert capsys.readouterr() == ("", f"error: {project / '__main__.py'}: the program failed: {message}\n")


def test_a_stack_name_too_long_for_a_file_name_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long = "x" * 300
    assert _diff(tmp_path, long) == 2
    assert capsys.readouterr() == (
        "",
        f"error: {PROJECT}/stacks/Pulumi.{long}.yaml: cannot read it: File name too long.\n",
    )


def test_other_entries_of_the_directory_are_left_out(
    out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (out / "README.md").write_text("what is deployed\n")
    (out / "kustomization.yaml").write_text("resources: []\n")  # someone else's
    (out / "secret.yaml").symlink_to(tmp_path / "elsewhere.yaml")  # never followed
    (out / "nested").mkdir()
    (out / "nested" / "x.yaml").write_text(HEADER)
    os.mkfifo(out / "pipe.yaml")  # never opened: it would block
    (out / ".render-tmp-0123456789abcdef").mkdir()
    before = _snapshot(out)
    assert _diff(out) == 0
    assert capsys.readouterr() == ("", f"{out}: up to date (18 files render writes).\n")
    assert _snapshot(out) == before


def test_a_missing_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _diff(tmp_path / "nowhere") == 2
    assert capsys.readouterr() == (
        "",
        f"error: {tmp_path}/nowhere: no such directory; diff compares with a directory render --out wrote (create it"
        " empty to see a first render as a diff).\n",
    )
    assert not (tmp_path / "nowhere").exists()


def test_an_empty_directory_shows_every_file_added(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "new").mkdir()
    assert _diff(tmp_path / "new") == 1
    stdout, stderr = capsys.readouterr()
    assert stdout.count("--- /dev/null\n") == 18
    assert stderr == f"{tmp_path}/new: render --out would add 18, change 0 and remove 0 files; 0 unchanged.\n"
    assert list((tmp_path / "new").iterdir()) == []


def test_a_file_in_place_of_the_directory_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").write_text("")
    assert _diff(tmp_path / "out") == 2
    assert capsys.readouterr().err == f"error: {tmp_path}/out: is not a directory.\n"


def _render_refuses(out: Path) -> str:
    with pytest.raises(RenderError) as refused:
        render(PROJECT, "dev", out)
    return str(refused.value)


def test_a_symlink_under_an_object_s_name_is_refused_as_render_refuses_it(
    out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(HEADER + "kind: Secret\n")
    (out / SERVICE).unlink()
    (out / SERVICE).symlink_to(outside)
    before = _snapshot(out)
    assert _diff(out) == 2
    assert capsys.readouterr() == ("", f"error: render --out would refuse: {_render_refuses(out)}\n")
    assert _snapshot(out) == before


@pytest.mark.parametrize("what", ["fifo", "directory", "someone else's file", "not UTF-8, not ours"])
def test_whatever_render_would_not_replace_is_refused(out: Path, what: str, capsys: pytest.CaptureFixture[str]) -> None:
    (out / SERVICE).unlink()
    if what == "fifo":
        os.mkfifo(out / SERVICE)
    elif what == "directory":
        (out / SERVICE).mkdir()
    elif what == "someone else's file":
        (out / SERVICE).write_text("kind: Service\n")
    else:
        (out / SERVICE).write_bytes(b"\xff\xfe" + HEADER.encode())
    before = _snapshot(out)
    assert _diff(out) == 2
    assert capsys.readouterr() == ("", f"error: render --out would refuse: {_render_refuses(out)}\n")
    assert _snapshot(out) == before


def test_a_file_render_wrote_that_is_not_utf8_differs_as_binary(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (out / SERVICE).write_bytes(HEADER.encode() + b"kind: \xff\n")
    assert _diff(out) == 1
    assert capsys.readouterr().out == (
        f"Binary files a/{SERVICE} and b/{SERVICE} differ (a/{SERVICE} is not UTF-8 text)\n"
    )


def test_a_huge_file_is_read_only_up_to_the_limit(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    size = 64 * MAX_FILE_BYTES
    with (out / SERVICE).open("wb") as file:
        file.write(HEADER.encode())
        file.truncate(size)  # sparse: no disk used, but read in full it would be 256 MiB
    assert _diff(out) == 1
    assert capsys.readouterr().out == (
        f"Files a/{SERVICE} and b/{SERVICE} differ (a/{SERVICE} is {size} bytes, larger than {MAX_FILE_BYTES};"
        " not shown)\n"
    )


def test_diff_never_writes_nor_locks(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (out / ORDERS).unlink()
    (out / "stale.yaml").write_text(HEADER)
    real = {name: getattr(os, name) for name in ("open", "mkdir", "rename", "replace", "unlink", "rmdir", "link")}

    def in_out(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        # Relative to an open directory (as _outdir works), or a path in it.
        return any(key.endswith("dir_fd") and kwargs[key] is not None for key in kwargs) or any(
            str(arg).startswith(str(out)) for arg in args
        )

    def guarded(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            writes = name != "open" or args[1] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND)
            assert not (writes and in_out(args, kwargs)), f"diff must not change DIR: os.{name}{args}"
            return real[name](*args, **kwargs)

        return call

    for name in real:
        monkeypatch.setattr(os, name, guarded(name))
    monkeypatch.setattr(fcntl, "flock", lambda *args: pytest.fail("diff must not lock DIR"))
    assert _diff(out) == 1
    assert capsys.readouterr().err == f"{out}: render --out would add 1, change 0 and remove 1 file; 17 unchanged.\n"


def test_a_config_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: k8s-services\nruntime: python\nstackConfigDir: stacks\n")
    (project / "__main__.py").write_text((PROJECT / "__main__.py").read_text())
    (project / "stacks" / "Pulumi.test.yaml").write_text(
        "config:\n  k8s-services:services:\n    db: {type: ExternalName, external_name: localhost}\n"
    )
    (tmp_path / "out").mkdir()
    assert main(["diff", "test", str(tmp_path / "out"), "--project-dir", str(project)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        'error: The stack config has 1 problem:\n  services.db.external_name: "localhost" names the loopback host'
    )
