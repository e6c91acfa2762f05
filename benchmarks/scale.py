"""How much the component layer costs at scale.

Builds N bundles in one process under the mock kit (an even mix of the four
types, no allow_from) and, as the baseline, the same N as hand-written
pulumi_kubernetes resources with the same specs (Pod + Service; Service only
for ExternalName). Each measurement runs in a fresh subprocess so peak memory
(max RSS) is its own. Not a test: run it and read the table.

    python benchmarks/scale.py              # N = 100 and 1000
    python benchmarks/scale.py --n 100 2000
    python benchmarks/scale.py --profile 1000 > profile.txt
    python benchmarks/scale.py --instructions --n 400   # needs valgrind

--instructions counts the instructions each mode executes (all threads),
under valgrind's callgrind, instead of timing it: a figure that does not
move with a busy host, for deciding whether a change helps. It leaves out
thread hand-offs and cache misses, so it is no substitute for the times.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
MODES = ("baseline", "bundles")


def bundle_args(i: int) -> tuple[str, str, dict[str, Any]]:
    """The i-th bundle of the mix: (type, name, args)."""
    kind = TYPES[i % 4]
    name = f"svc-{i}"
    if kind == "ExternalName":
        return (
            kind,
            name,
            {"namespace": "bench", "external_name": f"db-{i}.example.com", "ports": [{"name": "pg", "port": 5432}]},
        )
    args: dict[str, Any] = {
        "namespace": "bench",
        "containers": [
            {
                "name": "app",
                "image": "nginxinc/nginx-unprivileged:1.27.2",
                "ports": [{"name": "http", "container_port": 8080}],
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
            }
        ],
        "ports": [{"name": "http", "port": 80}],
    }
    if kind == "LoadBalancer":
        args["load_balancer_source_ranges"] = ["203.0.113.0/24"]
        args["skip_await"] = True
    return kind, name, args


def build_bundles(n: int) -> None:
    from k8s_services.stack import COMPONENTS

    for i in range(n):
        kind, name, args = bundle_args(i)
        COMPONENTS[kind](name, args)  # type: ignore[arg-type]


def baseline_specs(n: int) -> list[tuple[str, dict[str, Any] | None, dict[str, Any]]]:
    """The same objects' specs, computed before timing starts: what a user
    writing raw resources would have typed in."""
    from components._checks import plan
    from k8s_services.stack import COMPONENTS

    specs = []
    for i in range(n):
        kind, name, args = bundle_args(i)
        built = plan(COMPONENTS[kind].KIND, name, args)
        specs.append((name, built.workload, built.service))
    return specs


def build_baseline(specs: list[tuple[str, dict[str, Any] | None, dict[str, Any]]]) -> None:
    import pulumi_kubernetes as k8s

    for name, workload, service in specs:
        if workload is not None:
            k8s.core.v1.Pod(name, metadata=workload["metadata"], spec=workload["spec"])
        k8s.core.v1.Service(name, metadata=service["metadata"], spec=service["spec"])


def measure(mode: str, n: int) -> dict[str, Any]:
    """One measurement, in this process."""
    from components.testing import KubernetesMocks, run

    mocks = KubernetesMocks()
    specs = baseline_specs(n) if mode == "baseline" else []
    start, cpu_start = time.perf_counter(), time.process_time()
    if mode == "bundles":
        run(lambda: build_bundles(n), mocks)
    else:
        run(lambda: build_baseline(specs), mocks)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "n": n, "seconds": seconds, "cpu": cpu, "resources": len(mocks.resources), "peak_mb": peak_mb}


def count(mode: str, n: int) -> None:
    """What ``--instructions`` runs under callgrind: the baseline's specs are
    computed in every mode, so that subtracting the "setup" mode leaves the
    run alone."""
    from components.testing import run

    specs = baseline_specs(n)
    if mode == "bundles":
        run(lambda: build_bundles(n))
    elif mode == "baseline":
        run(lambda: build_baseline(specs))


def instructions(mode: str, n: int) -> int:
    """Instructions a fresh process executes for ``count(mode, n)``."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        + [sys.executable, __file__, "--count", mode, str(n)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def report_instructions(ns: list[int]) -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind on PATH (Debian/Ubuntu: apt install valgrind)")
    print(f"python {sys.version.split()[0]}; instructions executed by each run, under valgrind (callgrind)")
    print(f"{'N':>6} {'mode':>9} {'instructions':>14} {'per bundle':>11} {'ratio':>6}")
    # Each count runs alone in its process, so they can run side by side.
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        futures = {(mode, n): pool.submit(instructions, mode, n) for n in ns for mode in ("setup", *MODES)}
    for n in ns:
        setup = futures["setup", n].result()
        counts = {mode: futures[mode, n].result() - setup for mode in MODES}
        for mode in MODES:
            ratio = f"{counts[mode] / counts['baseline']:>6.3f}" if mode == "bundles" else ""
            print(f"{n:>6} {mode:>9} {counts[mode]:>14,} {counts[mode] // max(n, 1):>11,} {ratio}")


def in_subprocess(mode: str, n: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", mode, str(n)], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="bundle counts (default: 100 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest is kept")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--count", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions under valgrind instead of timing"
    )
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile the bundles at N and print the top")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], int(args.measure[1]))))
        return
    if args.count:
        count(args.count[0], int(args.count[1]))
        return
    if args.instructions:
        report_instructions(args.n)
        return
    if args.profile:
        import cProfile
        import pstats

        from components.testing import run

        profiler = cProfile.Profile()
        profiler.enable()
        run(lambda: build_bundles(args.profile))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores; fastest of {args.repeat} runs, each in a fresh process"
    )
    print("wall: elapsed seconds; cpu: CPU seconds of all the process's threads, less disturbed by a busy host")
    print(
        f"{'N':>6} {'mode':>9} {'wall':>7} {'cpu':>7} {'resources':>10} {'peak MB':>8} {'ratio wall':>11} {'ratio cpu':>10}"
    )
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {(mode, n): [] for n in args.n for mode in MODES}
    for _ in range(args.repeat):
        # Every measurement once per round, so that all of them, not only the
        # two modes at one N, meet the same conditions on a noisy machine.
        for n in args.n:
            for mode in MODES:
                runs[mode, n].append(in_subprocess(mode, n))
    best: dict[tuple[str, int], dict[str, float]] = {}
    for n in args.n:
        for mode in MODES:
            results = runs[mode, n]
            best[mode, n] = {key: min(r[key] for r in results) for key in ("seconds", "cpu")}
            ratios = ""
            if mode == "bundles":
                base = best["baseline", n]
                ratios = (
                    f"{best[mode, n]['seconds'] / base['seconds']:>11.2f} {best[mode, n]['cpu'] / base['cpu']:>10.2f}"
                )
            print(
                f"{n:>6} {mode:>9} {best[mode, n]['seconds']:>7.3f} {best[mode, n]['cpu']:>7.3f}"
                f" {results[0]['resources']:>10} {max(r['peak_mb'] for r in results):>8.0f} {ratios}"
            )
    ns = sorted(args.n)
    low, high = ns[0], ns[-1]
    for key, label in (("seconds", "wall"), ("cpu", "cpu")):
        print(f"{label}, fastest runs:", end="")
        print(
            f" bundles/baseline at N = {high}: {best['bundles', high][key] / best['baseline', high][key]:.2f}", end=""
        )
        if low != high:
            growth = best["bundles", high][key] / best["bundles", low][key]
            print(f"; bundles time({high}) / time({low}) = {growth:.2f} (linear would be {high / low:.0f})", end="")
        print()
    if args.repeat > 1:
        # The same figures within each round, whose runs met like conditions.
        rounds = range(args.repeat)
        figures = {
            f"bundles/baseline at N = {high}": [
                runs["bundles", high][i]["cpu"] / runs["baseline", high][i]["cpu"] for i in rounds
            ]
        }
        if low != high:
            figures[f"time({high}) / time({low})"] = [
                runs["bundles", high][i]["cpu"] / runs["bundles", low][i]["cpu"] for i in rounds
            ]
        for label, values in figures.items():
            print(
                f"cpu, per round: {label} median {statistics.median(values):.2f},"
                f" range {min(values):.2f}-{max(values):.2f} over {len(values)} rounds"
            )


if __name__ == "__main__":
    main()
