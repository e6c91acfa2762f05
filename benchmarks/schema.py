"""What `k8s_rules.schema.check_schema` costs: per call once warm, the one-off
compile of each kind, and loading compiled kinds from the cache in a fresh process.

    python benchmarks/schema.py              # fastest of 5 rounds
    python benchmarks/schema.py --repeat 9

Runs against a throwaway cache directory, so the compile figures are cold
and the user's cache is left alone. Not a test: run it and read the table.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONTAINER = {
    "name": "web",
    "image": "nginx:1.27.0",
    "args": ["--port", "8080"],
    "env": [{"name": "MODE", "value": "production"}, {"name": "PORT", "value": "8080"}],
    "ports": [{"name": "http", "containerPort": 8080.0, "protocol": "TCP"}],
    "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}},
    "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5.0},
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
}
POD_SPEC = {
    "automountServiceAccountToken": False,
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [CONTAINER],
}
LABELS = {"app.kubernetes.io/name": "web", "app.kubernetes.io/managed-by": "pulumi"}

# What a bundle emits, numbers as floats as the Pulumi engine sends them.
OBJECTS: dict[str, dict[str, Any]] = {
    "Pod": {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "shop", "labels": LABELS},
        "spec": POD_SPEC,
    },
    "Deployment": {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": LABELS},
        "spec": {
            "replicas": 2.0,
            "selector": {"matchLabels": LABELS},
            "template": {"metadata": {"labels": LABELS}, "spec": POD_SPEC},
        },
    },
    "Service": {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop", "labels": LABELS},
        "spec": {
            "type": "NodePort",
            "selector": LABELS,
            "ports": [{"name": "http", "port": 80.0, "targetPort": "http", "nodePort": 30080.0, "protocol": "TCP"}],
        },
    },
}


def per_call(function: Callable[[], Any], repeat: int) -> float:
    """Microseconds of CPU a call, fastest of ``repeat`` rounds of about 0.2 s
    (CPU time: the development VM is shared and its wall times wander)."""
    timer = timeit.Timer(function, timer=time.process_time)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat, number)) / number * 1e6


def load_in_fresh_process() -> None:
    """(--load) Time the import and each kind's first check, from the cache."""
    started = time.perf_counter()
    from k8s_rules import schema

    imported = time.perf_counter() - started
    first: dict[str, float] = {}
    for kind, obj in OBJECTS.items():
        started = time.perf_counter()
        problems = schema.check_schema(obj)
        first[kind] = time.perf_counter() - started
        assert problems == [], problems
    print(json.dumps({"import": imported, "first": first}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="rounds per figure; the fastest counts")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_in_fresh_process()
        return

    cache = tempfile.mkdtemp(prefix="k8s-schema-bench-")
    os.environ["K8S_SERVICES_CACHE_DIR"] = cache
    try:
        from k8s_rules import UNKNOWN, schema

        latest, oldest = schema.LATEST, schema.OLDEST_SUPPORTED
        # What check_schema compiles: LATEST strict, and by default 1.29 without
        # unknown-field checks; 1.29 strict when a caller asks for 1.29.
        variants = [(latest, True), (oldest, False), (oldest, True)]
        print(f"kubernetes-validate {schema._KV_VERSION}, schemas {oldest}-{latest}, Python {sys.version.split()[0]}")
        print()
        print("One-off compile per kind (cold cache: generate, compile, write the cache file)")
        print(f"{'kind':<12} {'version':<16} {'seconds':>8} {'cache KB':>9}")
        for kind, obj in OBJECTS.items():
            for version, strict in variants:
                started = time.perf_counter()
                schema._validator(version, strict, obj["apiVersion"], obj["kind"])
                took = time.perf_counter() - started
                name = schema._cache_key(version, strict, schema._file_name(obj["apiVersion"], obj["kind"]) or "")
                size = os.path.getsize(os.path.join(cache, name + ".bin")) / 1024
                label = f"{version} {'strict' if strict else 'lenient'}"
                print(f"{kind:<12} {label:<16} {took:>8.3f} {size:>9.0f}")

        print()
        print(f"Warm, microseconds a call (fastest of {args.repeat})")
        columns = ["default", latest, oldest, f"raw {latest}", "unknowns", "1 problem"]
        print(f"{'kind':<12}" + "".join(f"{column:>11}" for column in columns))
        for kind, obj in OBJECTS.items():
            raw = schema._validator(latest, True, obj["apiVersion"], obj["kind"])
            assert raw is not None
            unknowns = copy.deepcopy(obj)
            unknowns["metadata"]["namespace"] = UNKNOWN  # as in a preview
            broken = copy.deepcopy(obj)
            broken["metadata"]["labels"] = {"app": True}
            assert schema.check_schema(obj) == [] and schema.check_schema(unknowns) == []
            assert len(schema.check_schema(broken)) == 1
            calls: list[Callable[[], Any]] = [
                partial(schema.check_schema, obj),
                partial(schema.check_schema, obj, latest),
                partial(schema.check_schema, obj, oldest),
                partial(raw, obj),
                partial(schema.check_schema, unknowns),
                partial(schema.check_schema, broken),
            ]
            figures = [per_call(call, args.repeat) for call in calls]
            print(f"{kind:<12}" + "".join(f"{figure:>11.1f}" for figure in figures))

        print()
        print("Fresh process, cache warm (each kind's first check_schema loads LATEST and 1.29 from the cache)")
        result = subprocess.run(
            [sys.executable, __file__, "--load"], capture_output=True, text=True, check=True, env=os.environ
        )
        loaded = json.loads(result.stdout)
        print(f"import k8s_rules.schema: {loaded['import'] * 1000:.1f} ms")
        for kind, seconds in loaded["first"].items():
            print(f"first check of a {kind}: {seconds * 1000:.1f} ms")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
