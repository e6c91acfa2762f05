"""The snake_case <-> camelCase name tables of pulumi_kubernetes' input types
that the components use, generated from the provider's own classes.

`components/wire_tables.json` holds them so that checking and rendering a
bundle need not import pulumi_kubernetes (about 1 s, most of a small render:
benchmarks/README.md). `generate` computes them from the installed provider;
``python -m components._wire_tables`` rewrites the file, and
tests/components/test_wire_tables.py fails when the file and the installed
provider disagree, naming the command.

An input type is named by its module and class, ``core.v1.ContainerArgs``.
Each table maps a snake_case field to ``[camelCase name, nested input type
or null, holds a list]``.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FILE = Path(__file__).with_name("wire_tables.json")

# The input types the components convert (and `_import` converts back);
# the tables hold these and every input type nested in them.
ROOTS = (
    "core.v1.ContainerArgs",
    "core.v1.ContainerPortArgs",
    "core.v1.PodSpecArgs",
    "core.v1.ServiceAccountArgs",
    "apps.v1.DeploymentSpecArgs",
    "apps.v1.StatefulSetSpecArgs",
    "apps.v1.DaemonSetSpecArgs",
    "policy.v1.PodDisruptionBudgetSpecArgs",
    "meta.v1.ObjectMetaArgs",
)

Field = tuple[str, "str | None", bool]
Tables = dict[str, dict[str, Field]]


@functools.cache
def load() -> tuple[str, Tables]:
    """(provider version the file was generated from, tables)."""
    document = json.loads(FILE.read_text(encoding="utf-8"))
    tables = {
        name: {snake: (camel, nested, is_list) for snake, (camel, nested, is_list) in fields.items()}
        for name, fields in document["types"].items()
    }
    return str(document["pulumi_kubernetes"]), tables


def generate() -> tuple[str, Tables]:
    """The tables of the installed pulumi_kubernetes."""
    import importlib.metadata

    import pulumi_kubernetes as k8s
    from pulumi import _types as pulumi_types

    def name_of(cls: type) -> str:
        # pulumi_kubernetes.core.v1._inputs.ContainerArgs -> core.v1.ContainerArgs
        parts = cls.__module__.split(".")
        return ".".join([*parts[1:3], cls.__name__])

    def nested_type(hint: Any) -> type | None:
        if inspect.isclass(hint) and pulumi_types.is_input_type(hint):
            return hint
        origin = typing.get_origin(hint)
        if origin is None or origin in (Mapping, dict) or getattr(origin, "__name__", "") == "Mapping":
            return None
        for arg in typing.get_args(hint):
            found = nested_type(arg)
            if found is not None:
                return found
        return None

    def is_list(hint: Any) -> bool:
        origin = typing.get_origin(hint)
        if origin is None:
            return False
        if getattr(origin, "__name__", "") in ("Sequence", "list"):
            return True
        return any(is_list(arg) for arg in typing.get_args(hint))

    tables: Tables = {}
    pending: list[type] = []
    for root in ROOTS:
        group, version, cls_name = root.split(".")
        pending.append(getattr(getattr(getattr(k8s, group), version), cls_name))
    while pending:
        cls = pending.pop()
        if name_of(cls) in tables:
            continue
        names = pulumi_types.input_type_py_to_pulumi_names(cls)
        types = pulumi_types.input_type_types(cls)
        fields: dict[str, Field] = {}
        for snake, camel in sorted(names.items()):
            nested = nested_type(types.get(camel))
            if nested is not None:
                pending.append(nested)
            fields[snake] = (
                camel,
                None if nested is None else name_of(nested),
                nested is not None and is_list(types.get(camel)),
            )
        tables[name_of(cls)] = fields
    return importlib.metadata.version("pulumi_kubernetes"), dict(sorted(tables.items()))


def write() -> None:
    version, tables = generate()
    document = {
        "generated_by": "python -m components._wire_tables",
        "pulumi_kubernetes": version,
        "types": {name: {snake: list(field) for snake, field in fields.items()} for name, fields in tables.items()},
    }
    FILE.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{FILE}: {len(tables)} input types of pulumi_kubernetes {version}", file=sys.stderr)


if __name__ == "__main__":
    write()
