"""`python -m components render` against cdk8s-plus synth, side by side (issue 15).

For each N, a stack of N NodePort bundles (web-0 .. web-<N-1>, each a bare
restricted Pod running nginx-unprivileged and a NodePort Service, node ports
left to the cluster) is written to a temporary project, and two whole
processes are timed, alternated, round after round:

- render:  python -m components render bench --project-dir <tmp>   (stdout to /dev/null)
- cdk8s:   node synth.js N   in benchmarks/cdk8s_peer               (stdout to /dev/null)

cdk8s_peer/synth.js synthesizes the same Pods and Services with cdk8s-plus
(see cdk8s_peer/README.md for what it emits differently). Each process's
wall time is measured here; its peak RSS and CPU time by /usr/bin/time when
installed, else from os.wait4. Not a test: run it and read the tables.

    (cd benchmarks/cdk8s_peer && npm ci)      # once
    python benchmarks/render_vs_cdk8s.py                      # N = 100 1000 3000, 5 rounds
    python benchmarks/render_vs_cdk8s.py --n 100 1000 --repeat 3

The node-port range (30000-32767) holds 2768 ports, so a stack of more NodePort
bundles than that cannot exist in a cluster with the default range; above
2768 bundles the stack's defaults set node_port_range to 30000-39999 (a
cluster started with --service-node-port-range=30000-39999).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
PEER = ROOT / "benchmarks" / "cdk8s_peer"
TIME = "/usr/bin/time"
IMAGE = "nginxinc/nginx-unprivileged:1.27.2"
DEFAULT_RANGE_SIZE = 32767 - 30000 + 1
WIDE_RANGE = "30000-39999"
TOOLS = ("render", "cdk8s")


def stack_config(n: int, node_port_range: str | None) -> dict[str, Any]:
    """The stack file: N NodePort bundles, as one bundle is written by hand."""
    services: dict[str, Any] = {}
    for i in range(n):
        services[f"web-{i}"] = {
            "type": "NodePort",
            "containers": [{"name": "web", "image": IMAGE, "ports": [{"name": "http", "container_port": 8080}]}],
            "ports": [{"name": "http", "port": 80}],
        }
    defaults: dict[str, Any] = {"namespace": "default"}
    if node_port_range is not None:
        defaults["node_port_range"] = node_port_range
    return {"config": {"k8s-services:defaults": defaults, "k8s-services:services": services}}


def write_project(directory: Path, n: int, node_port_range: str | None) -> None:
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, directory / name)
    (directory / "stacks").mkdir(exist_ok=True)
    text = yaml.safe_dump(stack_config(n, node_port_range), sort_keys=False, default_flow_style=False)
    (directory / "stacks" / "Pulumi.bench.yaml").write_text(text)


@dataclass
class Run:
    seconds: float
    cpu: float
    peak_mb: float
    ok: bool
    error: str = ""


@dataclass
class Results:
    runs: dict[tuple[str, int], list[Run]] = field(default_factory=dict)

    def add(self, tool: str, n: int, run: Run) -> None:
        self.runs.setdefault((tool, n), []).append(run)

    def ok(self, tool: str, n: int) -> list[Run]:
        return [r for r in self.runs.get((tool, n), []) if r.ok]


def command(tool: str, n: int, project: Path) -> tuple[list[str], Path]:
    if tool == "render":
        return [sys.executable, "-m", "components", "render", "bench", "--project-dir", str(project)], ROOT
    return ["node", "synth.js", str(n)], PEER


# Python as users run it: writing and reusing its bytecode cache
# (__pycache__), which PYTHONDONTWRITEBYTECODE, set on some machines (this
# development VM among them), turns off; the untimed check run before the
# rounds writes it. Compiling every module from source instead costs render
# about 0.15 s a run. node keeps its own caches either way.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run_once(tool: str, n: int, project: Path, stdout: Any = subprocess.DEVNULL) -> Run:
    """One whole process: wall time measured here, peak RSS and CPU time by
    /usr/bin/time (or os.wait4)."""
    argv, cwd = command(tool, n, project)
    if os.path.exists(TIME):
        with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
            argv = [TIME, "-o", stats.name, "-f", "%M %U %S"] + argv
            start = time.perf_counter()
            done = subprocess.run(argv, cwd=cwd, env=ENVIRONMENT, stdout=stdout, stderr=subprocess.PIPE, text=True)
            seconds = time.perf_counter() - start
            last = stats.read().strip().splitlines()
        # On a non-zero exit GNU time writes "Command exited with non-zero status N" first.
        fields = last[-1].split() if last else ["0", "0", "0"]
        peak_kb, cpu = float(fields[0]), float(fields[1]) + float(fields[2])
        returncode, stderr = done.returncode, done.stderr
    else:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=ENVIRONMENT, stdout=stdout, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        stderr = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        returncode = process.returncode
        # ru_maxrss is in KiB on Linux.
        peak_kb, cpu = float(usage.ru_maxrss), usage.ru_utime + usage.ru_stime
    error = ""
    if returncode != 0:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        error = f"exit {returncode}: {lines[-1] if lines else '(no message)'}"
    return Run(seconds, cpu, peak_kb / 1024, returncode == 0, error)


def check_output(n: int, project: Path) -> None:
    """Untimed: run both once, and check each emits N Pods and N Services."""
    for tool in TOOLS:
        with tempfile.TemporaryFile("w+") as out:
            result = run_once(tool, n, project, stdout=out)
            if not result.ok:
                print(f"  check: {tool} at N = {n} failed: {result.error}")
                continue
            out.seek(0)
            kinds: dict[str, int] = {}
            for doc in yaml.safe_load_all(out):
                if doc:
                    kinds[doc["kind"]] = kinds.get(doc["kind"], 0) + 1
        if kinds != {"Pod": n, "Service": n}:
            raise SystemExit(f"{tool} at N = {n} emitted {kinds}, expected {n} Pods and {n} Services")
        print(f"  check: {tool} at N = {n} emits {n} Pods and {n} Services ({result.seconds:.2f} s)")


def versions() -> str:
    found = []
    for package in ("cdk8s", "cdk8s-plus-34", "constructs"):
        manifest = PEER / "node_modules" / package / "package.json"
        if manifest.exists():
            found.append(f"{package} {json.loads(manifest.read_text())['version']}")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    try:
        from importlib.metadata import version

        python_side = f"pulumi {version('pulumi')}, pulumi-kubernetes {version('pulumi-kubernetes')}"
    except Exception:  # noqa: BLE001 - informational only
        python_side = "pulumi ?"
    return f"python {platform.python_version()} ({python_side}); node {node} ({', '.join(found)})"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def fmt(values: list[float], digits: int = 2) -> tuple[str, str]:
    if not values:
        return "failed", "failed"
    return f"{statistics.median(values):.{digits}f}", f"{min(values):.{digits}f}"


def report(results: Results, ns: list[int], repeat: int) -> None:
    for n in ns:
        print(f"\nN = {n} ({2 * n} objects), {repeat} rounds")
        print(f"{'':>8} {'median s':>9} {'min s':>7} {'cpu med s':>10} {'peak MB':>8} {'runs ok':>8}")
        for tool in TOOLS:
            runs = results.ok(tool, n)
            median, least = fmt([r.seconds for r in runs])
            cpu, _ = fmt([r.cpu for r in runs])
            peak = f"{max(r.peak_mb for r in runs):.0f}" if runs else "-"
            total = len(results.runs.get((tool, n), []))
            print(f"{tool:>8} {median:>9} {least:>7} {cpu:>10} {peak:>8} {len(runs):>4}/{total:<3}")
            failed = [r for r in results.runs.get((tool, n), []) if not r.ok]
            for error in dict.fromkeys(r.error for r in failed):
                took = ", ".join(f"{r.seconds:.2f}" for r in failed if r.error == error)
                print(f"{'':>8} failed after {took} s: {error}")
        render, cdk8s = results.ok("render", n), results.ok("cdk8s", n)
        if render and cdk8s:
            med = statistics.median(r.seconds for r in render) / statistics.median(r.seconds for r in cdk8s)
            low = min(r.seconds for r in render) / min(r.seconds for r in cdk8s)
            paired = [
                a.seconds / b.seconds
                for a, b in zip(results.runs[("render", n)], results.runs[("cdk8s", n)], strict=True)
                if a.ok and b.ok
            ]
            print(
                f"ratio render/cdk8s: medians {med:.2f}, minima {low:.2f};"
                f" per round median {statistics.median(paired):.2f}, range {min(paired):.2f}-{max(paired):.2f}"
            )
    ordered = sorted(ns)
    for low_n, high_n in itertools.pairwise(ordered):
        for tool in TOOLS:
            low_runs, high_runs = results.ok(tool, low_n), results.ok(tool, high_n)
            if not low_runs or not high_runs:
                continue
            med = statistics.median(r.seconds for r in high_runs) / statistics.median(r.seconds for r in low_runs)
            fastest = min(r.seconds for r in high_runs) / min(r.seconds for r in low_runs)
            print(
                f"{tool}: time({high_n}) / time({low_n}) = {med:.2f} (medians), {fastest:.2f} (minima);"
                f" linear would be {high_n / low_n:.2f}"
            )


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog="See the module docstring and cdk8s_peer/README.md."
    )
    parser.add_argument(
        "--n", type=positive, nargs="+", default=[100, 1000, 3000], help="bundle counts (default: 100 1000 3000)"
    )
    parser.add_argument(
        "--repeat", type=positive, default=5, help="rounds; each times every N and tool once (default: 5)"
    )
    parser.add_argument(
        "--node-port-range",
        metavar="LOW-HIGH",
        help=f"the stack's node_port_range (default: none up to {DEFAULT_RANGE_SIZE} bundles, {WIDE_RANGE} above)",
    )
    parser.add_argument("--no-check", action="store_true", help="skip the untimed run that checks what each emits")
    args = parser.parse_args(argv)
    if shutil.which("node") is None:
        parser.error("node is not on PATH")
    if not (PEER / "node_modules" / "cdk8s-plus-34").is_dir():
        parser.error(f"the cdk8s peer is not installed: run `npm ci` in {PEER}")
    ns = list(dict.fromkeys(args.n))

    print(versions())
    print(
        f"{os.cpu_count()} cores; {load()} at start; timer: {'/usr/bin/time' if os.path.exists(TIME) else 'os.wait4'}"
    )
    with tempfile.TemporaryDirectory(prefix="render-vs-cdk8s-") as tmp:
        projects: dict[int, Path] = {}
        for n in ns:
            project = Path(tmp) / f"n{n}"
            project.mkdir()
            wide = args.node_port_range or (WIDE_RANGE if n > DEFAULT_RANGE_SIZE else None)
            write_project(project, n, wide)
            projects[n] = project
            if wide:
                print(f"N = {n}: node_port_range {wide} in the stack's defaults")
        if not args.no_check:
            # Also warms the disk cache and render's schema cache for both.
            for n in ns:
                check_output(n, projects[n])
        results = Results()
        for round_ in range(args.repeat):
            for n in ns:
                # Alternate which tool goes first, round by round.
                order = TOOLS if round_ % 2 == 0 else TOOLS[::-1]
                for tool in order:
                    results.add(tool, n, run_once(tool, n, projects[n]))
            print(
                f"  round {round_ + 1}/{args.repeat} done: "
                + ", ".join(
                    f"N={n} render {results.runs['render', n][-1].seconds:.2f}s cdk8s {results.runs['cdk8s', n][-1].seconds:.2f}s"
                    for n in ns
                ),
                flush=True,
            )
    print(f"{load()} at end")
    report(results, ns, args.repeat)


if __name__ == "__main__":
    main()
