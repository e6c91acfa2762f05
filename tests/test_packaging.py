"""The project as users get it: the wheel ships the packages with their data
and `py.typed`, so `mypy --strict` checks a user's arguments against the
installed TypedDicts; `import components` loads the library alone; and the
`k8s-services` command and its `python -m` forms offer every subcommand."""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from contextlib import closing
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from k8s_services.cli import main

REPO = Path(__file__).parent.parent
PACKAGES = ("components", "k8s_rules", "k8s_services")

# A user's program, as the README shows them; the same program with a
# misspelled key and a port given as a string must fail `mypy --strict` on
# exactly those two lines.
PROGRAM = '''\
"""A user's Pulumi program: one web server, reachable inside the cluster."""

import pulumi
from components import ClusterIPService, ClusterIPServiceArgs

args: ClusterIPServiceArgs = {
    "containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"name": "http", "container_port": 80}]}],
    "ports": [{"name": "http", "port": 80}],
}
web = ClusterIPService("web", args)
pulumi.export("dns_name", web.dns_name)
'''
PROGRAM_WITH_MISTAKES = PROGRAM.replace('"containers"', '"contianers"').replace('"port": 80', '"port": "80"')


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    python: Path


# Help text that does not depend on the terminal it is printed to.
HELP_ENVIRONMENT = {"COLUMNS": "100", "NO_COLOR": "1"}


def _environment() -> dict[str, str]:
    """The environment of every subprocess: nothing on the path but what the
    interpreter finds itself."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MYPYPATH")}
    return {**env, **HELP_ENVIRONMENT}


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=_environment(), capture_output=True, text=True, timeout=600
    )


def _can_build_offline() -> bool:
    """Whether the setuptools of this environment builds wheels by itself
    (from 70.1 on; before, only with the `wheel` package)."""
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    major, minor = (int(part) for part in version.split(".")[:2])
    if (major, minor) >= (70, 1):
        return True
    try:
        metadata.version("wheel")
    except metadata.PackageNotFoundError:
        return False
    return True


def _source_files(root: Path) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix()
        for package in PACKAGES
        for path in (root / package).rglob("*")
        if path.is_file()
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's packaging inputs, copied: a build writes `build/` and
    `*.egg-info` beside its sources, and stale files in `build/` end up in
    later wheels."""
    root = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy2(REPO / name, root / name)
    for package in PACKAGES:
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


@pytest.fixture(scope="module")
def installed(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The project's wheel, installed into a fresh virtualenv that borrows
    this environment's dependencies but not its editable install of the project."""
    dist = tmp_path_factory.mktemp("dist")
    # Without a setuptools that builds wheels here, pip fetches one from PyPI
    # into an isolated build environment.
    isolation = ["--no-build-isolation", "--no-index"] if _can_build_offline() else []
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", dist, source, cwd=dist)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("*.whl")

    venv = tmp_path_factory.mktemp("venv")
    created = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    installing = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=venv
    )
    assert installing.returncode == 0, installing.stdout + installing.stderr

    # A path line in a .pth file only appends the directory: the .pth files
    # inside it, among them the editable install's finder, are not run, so
    # the new environment sees this one's dependencies and not the checkout.
    site_packages = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=venv)
    borrowed = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site_packages.stdout.strip()) / "borrowed-dependencies.pth").write_text("".join(f"{p}\n" for p in borrowed))
    return Installed(wheel=wheel, venv=venv, python=python)


def test_wheel_ships_every_package_file_and_the_console_script(installed: Installed, source: Path) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        dist_info = "-".join(installed.wheel.name.split("-")[:2]) + ".dist-info"
        entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
    shipped = sorted(name for name in names if name.split("/")[0] in PACKAGES)
    # k8s_rules/pyproject.toml packages the rules alone, for the policy pack.
    expected = [name for name in _source_files(source) if name != "k8s_rules/pyproject.toml"]
    assert shipped == expected
    assert {"components/py.typed", "k8s_rules/py.typed", "k8s_rules/enums.json"} <= set(shipped)
    assert sorted({name.split("/")[0] for name in names}) == [*PACKAGES, dist_info]
    assert entry_points == "[console_scripts]\nk8s-services = k8s_services.cli:run\n"


def test_wheel_is_what_the_fresh_virtualenv_imports(installed: Installed, tmp_path: Path) -> None:
    imported = _run(installed.python, "-c", "import components; print(components.__file__)", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert Path(imported.stdout.strip()).is_relative_to(installed.venv)


def test_installed_console_script_runs(
    installed: Installed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helped = _run(installed.venv / "bin" / "k8s-services", "--help", cwd=tmp_path)
    assert (helped.returncode, helped.stderr) == (0, "")
    assert helped.stdout == _help("k8s-services", capsys)


@pytest.fixture
def mypy_cache(tmp_path: Path) -> Path:
    """A copy of the cache `scripts/check`'s own mypy run leaves (when there
    is one): checking pulumi_kubernetes from scratch takes about a minute."""
    cache = tmp_path / "mypy-cache"
    cache.mkdir()
    for path in sorted((REPO / ".mypy_cache").rglob("*")):
        if not path.is_file() or path.name.endswith(("-wal", "-shm", "-journal")):
            continue
        copy = cache / path.relative_to(REPO / ".mypy_cache")
        copy.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".db":
            # A consistent snapshot, even while another mypy run writes to it.
            with (
                closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as database,
                closing(sqlite3.connect(copy)) as database_copy,
            ):
                database.backup(database_copy)
        else:
            shutil.copyfile(path, copy)
    return cache


def test_mypy_strict_checks_user_arguments_against_the_installed_typeddicts(
    installed: Installed, tmp_path: Path, mypy_cache: Path
) -> None:
    program = tmp_path / "program"
    program.mkdir()
    (program / "web.py").write_text(PROGRAM)
    (program / "web_with_mistakes.py").write_text(PROGRAM_WITH_MISTAKES)
    # An empty configuration: no mypy.ini or pyproject.toml of this machine's user.
    (program / "mypy.ini").write_text("[mypy]\n")
    checked = _run(
        sys.executable,
        "-m",
        "mypy",
        "--config-file=mypy.ini",
        "--strict",
        # The oldest Python the project supports, as in scripts/check's run,
        # whose cache this run starts from.
        "--python-version=3.10",
        f"--python-executable={installed.python}",
        f"--cache-dir={mypy_cache}",
        "web.py",
        "web_with_mistakes.py",
        cwd=program,
    )
    assert (checked.returncode, checked.stderr) == (1, "")
    assert checked.stdout.splitlines() == [
        'web_with_mistakes.py:6: error: Extra key "contianers" for TypedDict "ClusterIPServiceArgs"'
        "  [typeddict-unknown-key]",
        'web_with_mistakes.py:8: error: Incompatible types (expression has type "str", TypedDict item "port"'
        ' has type "int | Awaitable[int] | Output[int]")  [typeddict-item]',
        "Found 2 errors in 1 file (checked 2 source files)",
    ]


def test_importing_components_loads_no_command_line_and_no_test_kit(tmp_path: Path) -> None:
    loaded = _run(
        sys.executable,
        "-c",
        "import sys, components\n"
        "for name in components.__all__:\n"
        "    getattr(components, name)\n"
        "print(*sorted(sys.modules), sep='\\n')",
        cwd=tmp_path,
    )
    assert loaded.returncode == 0, loaded.stderr
    modules = loaded.stdout.split()
    assert "components.cluster_ip" in modules
    outside_the_library = [
        name
        for name in modules
        if name.split(".")[0] == "k8s_services" or name in ("components.testing", "components.__main__")
    ]
    assert outside_the_library == []


def _subcommands() -> list[str]:
    """The subcommands `k8s_services.cli.main` registers, read from the parser
    it builds."""

    class Parsed(Exception):
        pass

    parsers: list[argparse.ArgumentParser] = []

    def parse_args(self: argparse.ArgumentParser, *args: object, **kwargs: object) -> argparse.Namespace:
        parsers.append(self)
        raise Parsed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(argparse.ArgumentParser, "parse_args", parse_args)
        with pytest.raises(Parsed):
            main([])
    (parser,) = parsers
    (subparsers,) = (action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return list(subparsers.choices)


def _help(prog: str, capsys: pytest.CaptureFixture[str]) -> str:
    """What `--help` prints under ``prog``, from `main` in this process."""
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in HELP_ENVIRONMENT.items():
            patch.setenv(key, value)
        with pytest.raises(SystemExit) as stopped:
            main(["--help"], prog=prog)
    assert stopped.value.code == 0
    return capsys.readouterr().out


def test_console_script_offers_every_subcommand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subcommands = _subcommands()
    assert {"render", "describe", "import"} <= set(subcommands)
    helped = _run(Path(sys.executable).parent / "k8s-services", "--help", cwd=tmp_path)
    assert (helped.returncode, helped.stderr) == (0, "")
    assert helped.stdout == _help("k8s-services", capsys)
    assert helped.stdout.startswith(f"usage: k8s-services [-h] {{{','.join(subcommands)}}} ...\n")


@pytest.mark.parametrize("module", ["components", "k8s_services"])
def test_python_m_prints_the_command_help_under_its_own_name(
    module: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helped = _run(sys.executable, "-m", module, "--help", cwd=tmp_path)
    assert (helped.returncode, helped.stderr) == (0, "")
    assert helped.stdout == _help(f"python -m {module}", capsys)
