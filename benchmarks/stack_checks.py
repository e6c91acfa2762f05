"""How the stack-wide checks grow: parse-and-check time of a stack config of
N bundles (k8s_services.stack.parse: every bundle's own checks, then duplicate
names, node ports, overlapping selectors and target ports across bundles),
with no Pulumi registration, in a process tuned as the program tunes itself
(components/_runtime.py). Not a test: run it and read the table.

    python benchmarks/stack_checks.py                 # N = 1,000 and 10,000
    python benchmarks/stack_checks.py --n 1000 3000 --repeat 3

The stack is the mix `scale.py` builds (ClusterIP, NodePort, LoadBalancer,
ExternalName), each bundle with its own selector, half of them with an
allow_from naming another bundle, in 10 namespaces.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import bundle_args  # noqa: E402


def stack_config(n: int) -> dict[str, Any]:
    services: dict[str, Any] = {}
    for i in range(n):
        kind, name, args = bundle_args(i)
        entry = {"type": kind, **copy.deepcopy(args), "namespace": f"bench-{i % 10}"}
        if kind != "ExternalName" and i % 2 == 0 and i >= 4:
            # A peer of the same namespace that has Pods (i - 10 has the same type).
            peer = i - 10 if i >= 10 else None
            if peer is not None and bundle_args(peer)[0] != "ExternalName":
                entry["allow_from"] = [{"bundle": f"svc-{peer}"}]
        services[name] = entry
    return services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from components import _runtime
    from k8s_services import stack

    print(f"python {sys.version.split()[0]}; fastest of {args.repeat} runs, in one process")
    print(f"{'N':>7} {'parse s':>9} {'per bundle ms':>14}")
    times: dict[int, float] = {}
    for n in args.n:
        config = stack_config(n)
        best = float("inf")
        for _ in range(args.repeat):
            copied = copy.deepcopy(config)
            # As the program runs it: after `_runtime.tune()` (__main__.py).
            with _runtime.tuned():
                start = time.perf_counter()
                parsed = stack.parse(copied)
                best = min(best, time.perf_counter() - start)
        assert len(parsed.bundles) == n
        times[n] = best
        print(f"{n:>7} {best:>9.3f} {best / n * 1000:>14.3f}")
    if len(times) > 1:
        low, high = min(times), max(times)
        print(f"time({high}) / time({low}) = {times[high] / times[low]:.2f} (linear would be {high / low:.0f})")


if __name__ == "__main__":
    main()
