"""Peak memory of a program that keeps running after its registrations, as
under `pulumi up` while the engine works through a long deployment, with the
garbage-collection tuning of `components._runtime` and without it.

No engine can run here, so the wait is simulated: after registering N
bundles under the mock kit, the event loop keeps handling "responses" for
``--seconds``: at ``--rate`` a second, a task that stays pending for half a
second (as an RPC waiting on the engine, long enough to outlive young
collections) and then leaves the cyclic garbage asyncio and gRPC code
leaves (a coroutine that raised and caught an exception: frame <->
traceback; a callback that refers to its own future). Each mode runs in a fresh process:

- ``untuned``: Python's default thresholds (700, 10, 10);
- ``young-only``: the tuning as the mock runner applies it (older
  generations never collected while the process runs);
- ``program``: `_runtime.tune(older=PROGRAM_OLDER_THRESHOLD)`, as
  ``__main__.py`` applies it for a whole `pulumi up`.

Usage: python benchmarks/long_wait.py [--n 200] [--seconds 20] [--rate 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import asyncio, gc, json, resource, sys, time

def rss_kb():
    # The current resident set (maxrss would hide growth below the program's own peak).
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
params = json.loads(sys.argv[1])
mode, n, seconds, rate = params["mode"], params["n"], params["seconds"], params["rate"]
sys.path.insert(0, params["root"])
from components import _runtime, ClusterIPService
from components import testing
from contextlib import nullcontext

if mode == "young-only":
    _runtime.tune()
elif mode == "program":
    _runtime.tune(older=_runtime.PROGRAM_OLDER_THRESHOLD)
testing._runtime = type("NoTuning", (), {"tuned": staticmethod(nullcontext), "inline_rpcs": _runtime.inline_rpcs})

def program():
    for i in range(n):
        ClusterIPService(f"web-{i}", {
            "selector": {"app": f"web-{i}"},
            "containers": [{"name": "web", "image": "ghcr.io/acme/web:1", "ports": [{"name": "http", "container_port": 8080}]}],
            "ports": [{"name": "http", "port": 80}],
        })

started = time.process_time()
testing.run(program)
program_cpu = time.process_time() - started
after_program = rss_kb()

async def response(payload):
    # Pending long enough to outlive young collections, as an RPC waiting
    # on the engine does; then garbage with a cycle.
    state = {"payload": payload}
    state["self"] = state  # a cycle, as a request object that refers back to its call
    await asyncio.sleep(0.5)
    try:
        raise RuntimeError(len(state))
    except RuntimeError as error:
        return error  # the frame and its traceback refer to each other

async def wait():
    loop = asyncio.get_running_loop()
    end = time.monotonic() + seconds
    samples = []
    while time.monotonic() < end:
        for _ in range(rate // 10):
            future = loop.create_future()
            future.add_done_callback(lambda f, keep=future: keep)  # the future refers to itself
            task = loop.create_task(response(bytearray(512)))
            task.add_done_callback(lambda t, f=future: f.set_result(t.result()))
        await asyncio.sleep(0.1)
        samples.append(rss_kb())
    return samples

samples = asyncio.run(wait())
print(json.dumps({"program_cpu": program_cpu, "after_program_kb": after_program, "peak_kb": samples[-1],
                  "max_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "threshold": gc.get_threshold(),
                  "quarter_kb": samples[len(samples) // 4], "half_kb": samples[len(samples) // 2]}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="bundles registered before the wait (default 200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the simulated wait (default 20)")
    parser.add_argument("--rate", type=int, default=5000, help="simulated responses a second (default 5000)")
    args = parser.parse_args(argv)
    if args.n < 0 or args.seconds <= 0 or args.rate < 10:
        parser.error("--n must be >= 0, --seconds > 0 and --rate >= 10")
    print(f"N = {args.n} bundles, then {args.seconds:g} s of simulated waiting at {args.rate} responses/s")
    print(
        f"{'mode':<12} {'thresholds':<22} {'program CPU':>12} {'after program':>14} {'1/4 wait':>10} {'1/2 wait':>10}"
        f" {'end':>10}"
    )
    for mode in ("untuned", "young-only", "program"):
        params = {"root": str(ROOT), "mode": mode, "n": args.n, "seconds": args.seconds, "rate": args.rate}
        result = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(params)],
            capture_output=True,
            text=True,
            check=False,
            env=dict(os.environ),
            cwd=ROOT,
        )
        if result.returncode != 0:
            print(f"{mode:<12} failed: {result.stderr.strip().splitlines()[-1:]}")
            continue
        found = json.loads(result.stdout.strip().splitlines()[-1])
        mb = {key: found[key] / 1024 for key in ("after_program_kb", "quarter_kb", "half_kb", "peak_kb")}
        print(
            f"{mode:<12} {str(tuple(found['threshold'])):<22} {found['program_cpu']:>10.2f} s"
            f" {mb['after_program_kb']:>11.0f} MB"
            f" {mb['quarter_kb']:>7.0f} MB {mb['half_kb']:>7.0f} MB {mb['peak_kb']:>7.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
