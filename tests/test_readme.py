"""The README's examples work as written (issue 16): every shell command after
the quick start, run in a copy of the repository; every Python example; the
commands of its GitHub workflows; and the reference scenario, as the seed
manifests state it.

A ```sh block that cannot run here starts with a line saying what it needs,
`# needs: the Pulumi CLI and a cluster`; the marker must name exactly what its
lines need, and the block's other lines still run. A command expected to exit
with a status other than 0 says so in its comment, `# exits 1: <why>`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml

from k8s_services import cli
from tests.components.test_applications import _readme_examples
from tests.conftest import FIXTURES, Render, differences

REPO = Path(__file__).parent.parent
README = (REPO / "README.md").read_text()


# --- the README's fenced blocks ----------------------------------------------------------


@dataclass(frozen=True)
class Block:
    language: str
    section: str
    """The nearest heading above the block."""
    line: int
    """The line of the opening fence."""
    text: str
    """The block's lines, without the indentation of its fence."""

    @property
    def id(self) -> str:
        return f"{self.section} (line {self.line})"


_FENCE = re.compile(r"^( *)```(\w*)\s*$")


def _blocks(text: str) -> list[Block]:
    found: list[Block] = []
    section = ""
    opened: tuple[int, str, str] | None = None
    body: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if opened is None:
            if re.match(r"#{1,6} ", line):
                section = line.lstrip("#").strip()
            elif fence := _FENCE.match(line):
                opened, body = (number, fence[1], fence[2]), []
        elif line.strip() == "```":
            start, indent, language = opened
            found.append(Block(language, section, start, "".join(f"{row.removeprefix(indent)}\n" for row in body)))
            opened = None
        else:
            body.append(line)
    assert opened is None, f"README.md: the block opened on line {opened[0]} is never closed"
    return found


BLOCKS = _blocks(README)


def _section(title: str) -> str:
    head = f"\n## {title}\n"
    assert head in README, f"README.md has no '## {title}' section"
    return README.split(head, 1)[1].split("\n## ", 1)[0]


# --- shell: the quick start --------------------------------------------------------------

# The quick start is the two commands a new reader types; they create and fill
# `.venv`, which the test does not do. CI runs the second on a fresh clone
# (`.ci/run`); the first is checked from a fresh clone by hand, and its last
# step, the render, runs below.
QUICK_START_RENDER = (
    "python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt -e . && .venv/bin/k8s-services render dev\n"
)
QUICK_START_CHECK = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -q -r requirements-dev.txt && scripts/check\n"
)
QUICK_START_INSTALL = "python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt -e . && "

SHELL_BLOCKS = [block for block in BLOCKS if block.language == "sh" and block.section != "Quick start"]


def test_the_quick_start_is_two_commands() -> None:
    assert [block.text for block in BLOCKS if block.section == "Quick start"] == [QUICK_START_RENDER, QUICK_START_CHECK]


def test_ci_runs_the_quick_start_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert any(line.startswith(QUICK_START_CHECK.strip()) for line in ci), ci


# --- shell: what a command needs ---------------------------------------------------------

_MARKER = re.compile(r"# needs: (.+)")
_EXITS = re.compile(r"#\s*exits (\d+)\b")
# Each in the order a marker lists them.
NETWORK, PULUMI, KUBECTL, CLUSTER = "network access (pip)", "the Pulumi CLI", "kubectl", "a cluster"
_PULUMI_ON_A_CLUSTER = ("up", "preview", "destroy", "refresh")


def _words(line: str) -> list[str]:
    return shlex.split(line, comments=True)


def _needs(line: str) -> set[str]:
    """What a command line needs that the machines this runs on lack."""
    words = _words(line)
    needs = set()
    if words[:1] == ["pulumi"]:
        needs.add(PULUMI)
        if words[1:2] and words[1] in _PULUMI_ON_A_CLUSTER:
            needs.add(CLUSTER)
    if words[:1] == ["kubectl"]:
        needs |= {KUBECTL, CLUSTER}
    if any(word.endswith("pip") and following == "install" for word, following in itertools.pairwise(words)):
        needs.add(NETWORK)
    return needs


def _marker(needs: set[str]) -> str:
    listed = [need for need in (NETWORK, PULUMI, KUBECTL, CLUSTER) if need in needs]
    return "# needs: " + (", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 else listed[0])


def _command_lines(block: Block) -> list[str]:
    return [line for line in block.text.splitlines() if _words(line)]


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda block: block.id)
def test_a_shell_block_is_marked_with_exactly_what_it_needs(block: Block) -> None:
    needs = set().union(*(_needs(line) for line in _command_lines(block)))
    first = block.text.splitlines()[0]
    if needs:
        assert first == _marker(needs)
    else:
        assert not _MARKER.fullmatch(first), f"nothing in the block needs what {first!r} says"


def _runnable(block: Block) -> list[tuple[str, int]]:
    """The lines this machine runs, each with the exit status the README gives it."""
    return [
        (line, int(exits[1]) if (exits := _EXITS.search(line)) else 0)
        for line in _command_lines(block)
        if not _needs(line)
    ]


# --- shell: what each command does -------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    stdout: str
    stderr: str
    virtual_env: str
    """$VIRTUAL_ENV after the line."""
    copy: Path
    """The copy of the repository the line ran in."""


def _renders_dev(outcome: Outcome) -> None:
    assert "\nkind: Service\n" in outcome.stdout
    assert "\n  name: nodeport-study\n" in outcome.stdout


def _writes_prod_into(directory: str) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        assert outcome.stdout == ""
        service = outcome.copy / directory / "my-ns-nodeport--service--loadbalancer-study.yaml"
        assert "\nkind: Service\n" in service.read_text()

    return check


def _describes_dev(outcome: Outcome) -> None:
    assert outcome.stdout.split()[:2] == ["SERVICE", "TYPE"]
    assert "my-ns-nodeport/nodeport-study" in outcome.stdout


def _draws_dev(outcome: Outcome) -> None:
    assert outcome.stdout.startswith("flowchart LR\n")
    assert "Service nodeport-study" in outcome.stdout


def _checks_dev(outcome: Outcome) -> None:
    assert re.fullmatch(
        r"stack dev: 0 mandatory violations, [1-9]\d* advisory findings \(.*\)\.", outcome.stdout.splitlines()[-1]
    )


def _finds_prod_up_to_date(outcome: Outcome) -> None:
    assert outcome.stdout == ""
    assert outcome.stderr.startswith("out/prod: up to date")


def _activates_the_virtualenv(outcome: Outcome) -> None:
    assert outcome.virtual_env and Path(outcome.virtual_env).resolve() == Path(sys.prefix).resolve()


def _checks_prod_as_json(outcome: Outcome) -> None:
    report = json.loads(outcome.stdout)
    assert report["stack"] == "prod"
    assert report["findings"] and {finding["level"] for finding in report["findings"]} == {"advisory"}


def _writes_the_strict_config(outcome: Outcome) -> None:
    assert json.loads((outcome.copy / "strict.json").read_text()) == {"all": "mandatory"}


def _checks_prod_strictly(outcome: Outcome) -> None:
    assert "[mandatory] image-digest-pinned " in outcome.stdout
    assert re.fullmatch(
        r"stack prod: [1-9]\d* mandatory violations, 0 advisory findings \(.*config strict\.json\)\.",
        outcome.stdout.splitlines()[-1],
    )


def _imports_the_boutique(outcome: Outcome) -> None:
    assert outcome.stdout == ""
    assert outcome.stderr.startswith("import: ")
    assert "\nnot imported (2):\n" in outcome.stderr
    config = yaml.safe_load((outcome.copy / "stacks" / "Pulumi.boutique.yaml").read_text())["config"]
    assert config["k8s-services:services"]["frontend-external"]["target"] == "frontend"


# Every command line the README runs here, by its words, and what proves it
# did what the README says.
CHECKS: dict[str, Callable[[Outcome], None]] = {
    ".venv/bin/k8s-services render dev": _renders_dev,
    "k8s-services render dev": _renders_dev,
    "k8s-services render prod --out out/prod": _writes_prod_into("out/prod"),
    "k8s-services describe dev": _describes_dev,
    "k8s-services describe dev --format mermaid": _draws_dev,
    "k8s-services check dev": _checks_dev,
    "k8s-services diff prod out/prod": _finds_prod_up_to_date,
    ". .venv/bin/activate": _activates_the_virtualenv,
    "k8s-services check prod --format json": _checks_prod_as_json,
    'echo {"all": "mandatory"} > strict.json': _writes_the_strict_config,
    "k8s-services check prod --policy-config strict.json": _checks_prod_strictly,
    "k8s-services render prod --out deploy/prod": _writes_prod_into("deploy/prod"),
    ".venv/bin/k8s-services import tests/fixtures/apps/online-boutique/kubernetes-manifests.yaml --stack boutique": (
        _imports_the_boutique
    ),
}


def _key(line: str) -> str:
    return " ".join(_words(line))


# The quick start's render runs as its last step does, after the install.
_QUICK_START = next(block for block in BLOCKS if block.text == QUICK_START_RENDER)
RUNNABLE_BLOCKS = [
    block
    for block in [
        *SHELL_BLOCKS,
        Block("sh", _QUICK_START.section, _QUICK_START.line, QUICK_START_RENDER.removeprefix(QUICK_START_INSTALL)),
    ]
    if _runnable(block)
]


def test_every_command_the_readme_runs_has_a_check() -> None:
    assert sorted({_key(line) for block in RUNNABLE_BLOCKS for line, _ in _runnable(block)}) == sorted(CHECKS)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The repository's files, as they are now, with `.venv` the virtualenv
    running these tests."""
    assert (Path(sys.prefix) / "bin" / "k8s-services").is_file(), "run the tests in the quick start's virtualenv"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    root = tmp_path / "repository"
    for name in listed.decode().split("\0"):
        source = REPO / name
        if name and source.is_file():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return root


def _environment(copy: Path) -> dict[str, str]:
    """As after `. .venv/bin/activate`: its bin first on the path."""
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{copy / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.parametrize("block", RUNNABLE_BLOCKS, ids=lambda block: block.id)
def test_a_shell_block_runs_as_written(block: Block, copy: Path, tmp_path: Path) -> None:
    lines = _runnable(block)
    results = tmp_path / "results"
    results.mkdir()
    # One bash for the block, its lines in order: a line that exits otherwise
    # than the README says stops it, as `set -e` would.
    script = [f"cd {shlex.quote(str(copy))}"]
    for index, (line, expected) in enumerate(lines):
        stem = shlex.quote(str(results / str(index)))
        script += [
            "{ " + line,
            f"}} >{stem}.out 2>{stem}.err",
            "status=$?",
            f'printf %s "${{VIRTUAL_ENV-}}" >{stem}.venv',
            f'echo "$status" >{stem}.status',
            f'[ "$status" -eq {expected} ] || exit 0',
        ]
    subprocess.run(["bash", "-c", "\n".join(script)], env=_environment(copy), check=True, timeout=300)

    for index, (line, expected) in enumerate(lines):
        result = results / str(index)
        assert result.with_suffix(".status").exists(), f"not reached: {line}"
        status = int(result.with_suffix(".status").read_text())
        outcome = Outcome(
            stdout=result.with_suffix(".out").read_text(),
            stderr=result.with_suffix(".err").read_text(),
            virtual_env=result.with_suffix(".venv").read_text(),
            copy=copy,
        )
        assert status == expected, f"{line}\nexited {status}, not {expected}:\n{outcome.stderr}"
        CHECKS[_key(line)](outcome)


# --- Python ------------------------------------------------------------------------------

PYTHON_BLOCKS = [block for block in BLOCKS if block.language == "python"]
# tests/components/test_applications.py runs the "Real applications" examples.
RUN_ELSEWHERE = _readme_examples()
RUN_HERE = [block for block in PYTHON_BLOCKS if block.text not in RUN_ELSEWHERE]


def test_every_python_example_is_run_by_exactly_one_test() -> None:
    assert sorted(RUN_ELSEWHERE + [block.text for block in RUN_HERE]) == sorted(block.text for block in PYTHON_BLOCKS)


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda block: block.id)
def test_a_python_example_stands_alone(block: Block) -> None:
    """Each example imports what it uses: it runs pasted on its own."""
    linted = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "F821,F401"]
        + ["--output-format", "concise", "--stdin-filename", "example.py", "-"],
        input=block.text,
        capture_output=True,
        text=True,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def _the_components_example(namespace: dict[str, Any], render: Render) -> None:
    mocks = render(lambda: exec(_only(RUN_HERE, "The components").text, namespace))  # noqa: S102 - the README's code
    services = {manifest["metadata"]["name"]: manifest for manifest in mocks.manifests("Service")}
    assert sorted(services) == ["nodeport-study", "orders-db", "products", "web"]
    # "the reference scenario's example": its Service as the seed's.
    seed = yaml.safe_load((FIXTURES / "seed" / "nodeport-service.yaml").read_text())
    study = services["nodeport-study"]
    assert differences(study["spec"]["ports"], seed["spec"]["ports"]) == []
    assert study["spec"]["selector"] == seed["spec"]["selector"]
    assert study["metadata"]["labels"]["app"] == seed["metadata"]["labels"]["app"]


def _the_testing_example(namespace: dict[str, Any], render: Render) -> None:
    exec(_only(RUN_HERE, "Testing your own stacks").text, namespace)  # noqa: S102 - the README's code
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert tests
    for test in tests:
        test()


def _only(blocks: list[Block], section: str) -> Block:
    (block,) = [block for block in blocks if block.section == section]
    return block


RUNS: dict[str, Callable[[dict[str, Any], Render], None]] = {
    "The components": _the_components_example,
    "Testing your own stacks": _the_testing_example,
}


def test_each_example_run_here_has_a_run() -> None:
    assert sorted(block.section for block in RUN_HERE) == sorted(RUNS)


@pytest.mark.parametrize("section", sorted(RUNS))
def test_a_python_example_runs(section: str, render: Render) -> None:
    RUNS[section]({"__name__": "readme_example"}, render)


# --- GitHub workflows --------------------------------------------------------------------

WORKFLOWS = [block for block in BLOCKS if block.language == "yaml" and "\njobs:\n" in block.text]


class _Parsed(Exception):
    def __init__(self, namespace: argparse.Namespace) -> None:
        self.namespace = namespace


def _parse_command_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> argparse.Namespace:
    """`argv` as the `k8s-services` parser reads it, without running it."""
    parse_args = argparse.ArgumentParser.parse_args

    def parse_only(parser: argparse.ArgumentParser, args: Any = None, namespace: Any = None) -> Any:
        raise _Parsed(parse_args(parser, args, namespace))

    with mock.patch.object(argparse.ArgumentParser, "parse_args", parse_only):
        try:
            cli.main(argv)
        except _Parsed as parsed:
            return parsed.namespace
        except SystemExit:
            pytest.fail(f"k8s-services {shlex.join(argv)}: {capsys.readouterr().err}")
    pytest.fail(f"k8s-services {shlex.join(argv)} was not parsed")


def test_the_readme_shows_workflows() -> None:
    assert len(WORKFLOWS) >= 2


@pytest.mark.parametrize("block", WORKFLOWS, ids=lambda block: block.id)
def test_a_workflow_runs_commands_that_exist(block: Block, capsys: pytest.CaptureFixture[str]) -> None:
    checked = 0
    for job in yaml.safe_load(block.text)["jobs"].values():
        matrix = job.get("strategy", {}).get("matrix", {})
        for values in itertools.product(*matrix.values()):
            expand = dict(zip(matrix, values, strict=True))

            def expanded(text: str, expand: dict[str, Any] = expand) -> str:
                return re.sub(r"\$\{\{ matrix\.(\w+) \}\}", lambda found: str(expand[found[1]]), text)

            for step in job["steps"]:
                directory = REPO / step.get("working-directory", ".")
                for command in expanded(step.get("run", "")).split("&&"):
                    words = _words(command)
                    if words[:1] and words[0].endswith("k8s-services"):
                        parsed = _parse_command_line(words[1:], capsys)
                        assert (REPO / "stacks" / f"Pulumi.{parsed.stack}.yaml").is_file(), command
                        checked += 1
                    if "-r" in words and any(word.endswith("pip") for word in words):
                        assert (directory / words[words.index("-r") + 1]).is_file(), command
                        checked += 1
                settings = step.get("with", {})
                if "policyPacks" in settings:
                    assert (REPO / settings["policyPacks"] / "PulumiPolicy.yaml").is_file()
                    assert (REPO / expanded(settings["policyPackConfigs"])).is_file()
                    checked += 1
    assert checked


# --- the reference scenario --------------------------------------------------------------

_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four"}


def _seed() -> list[dict[str, Any]]:
    return [yaml.safe_load(path.read_text()) for path in sorted((FIXTURES / "seed").glob("*.yaml"))]


def test_the_readme_states_the_reference_scenario_as_the_seed_is() -> None:
    section = " ".join(_section("The reference scenario").split())
    intro, *bullets = section.split(" - **")
    services = [manifest for manifest in _seed() if manifest["kind"] == "Service"]
    pods = [manifest for manifest in _seed() if manifest["kind"] == "Pod"]
    assert f"{_NUMBERS[len(services)]} examples" in intro

    # "Both run nginx:1.9.1 in namespace my-ns-nodeport, listening on port
    # 80, declared as container port nginx-port".
    (container,) = {
        json.dumps({key: container[key] for key in ("image", "ports")})
        for pod in pods
        for container in pod["spec"]["containers"]
    }
    (namespace,) = {manifest["metadata"]["namespace"] for manifest in services + pods}
    assert f"`{json.loads(container)['image']}`" in intro
    assert f"namespace `{namespace}`" in intro
    for port in json.loads(container)["ports"]:
        assert f"port {port['containerPort']}," in intro
        assert f"container port `{port['name']}`" in intro

    for service in services:
        spec = service["spec"]
        (bullet,) = [bullet for bullet in bullets if bullet.startswith(f"{spec['type']}**:")]
        assert f"Service `{service['metadata']['name']}`" in bullet
        for port in spec["ports"]:
            assert f"port {port['port']} (`{port['name']}`)" in bullet
            assert re.search(rf"forwarding to (target port )?{port['targetPort']}\b", bullet)
            if "nodePort" not in port:
                assert "The cluster assigns the node port" in bullet or spec["type"] != "NodePort"
        (pod,) = [pod for pod in pods if spec["selector"].items() <= pod["metadata"]["labels"].items()]
        assert f"Pod `{pod['metadata']['name']}` by" in bullet
        assert f"{_NUMBERS[len(spec['selector'])]} labels" in bullet
        for key, value in spec["selector"].items():
            assert f"`{key}: {value}`" in bullet
        for key, value in service["metadata"].get("labels", {}).items():
            assert spec["selector"].get(key) != value
            assert f"own label `{key}: {value}` is not part of its selector" in bullet
