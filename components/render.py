"""Offline render and describe: run a Pulumi Python program with one stack's
config under the mock kit, with no Pulumi CLI and no cluster.

`render` writes every Kubernetes object the program would create as YAML;
`describe` prints how each bundle of this project is reached. Both work from
the project's ``Pulumi.yaml`` and ``<stackConfigDir>/Pulumi.<stack>.yaml``.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from .testing import ClusterRefused, KubernetesMocks, run

HEADER = "# Rendered by `python -m components render`; do not edit.\n"
SECRET_PLACEHOLDER = "[secret]"


class RenderError(Exception):
    """A problem with the project, the stack or its config: exit status 2."""


@dataclass
class Project:
    directory: Path
    name: str
    main: Path
    stack_config_dir: Path
    config_defaults: dict[str, Any]

    @classmethod
    def load(cls, directory: Path) -> Project:
        path = directory / "Pulumi.yaml"
        if not path.is_file():
            raise RenderError(f"{path}: no Pulumi.yaml here; pass --project-dir with the project's directory.")
        document = _read_yaml(path)
        if not isinstance(document, Mapping) or not isinstance(document.get("name"), str):
            raise RenderError(f"{path}: must be a mapping with a 'name'.")
        name = document["name"]
        main = directory / str(document.get("main", "."))
        if main.is_dir():
            main = main / "__main__.py"
        if not main.is_file():
            raise RenderError(f"{path}: the program {main} does not exist.")
        defaults: dict[str, Any] = {}
        for key, declared in (document.get("config") or {}).items():
            if isinstance(declared, Mapping) and "default" in declared:
                defaults[_full_key(name, key)] = declared["default"]
            elif not isinstance(declared, Mapping):
                defaults[_full_key(name, key)] = declared
        return cls(directory, name, main, directory / str(document.get("stackConfigDir", ".")), defaults)

    def stack_config(self, stack: str) -> dict[str, str]:
        """The stack's config as the Pulumi CLI passes it: full keys, string
        values, objects as JSON."""
        path = self.stack_config_dir / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in self.stack_config_dir.glob("Pulumi.*.yaml"))
            raise RenderError(f"{path}: no such stack file; stacks here: {', '.join(stacks) or 'none'}.")
        document = _read_yaml(path)
        if document is None:
            document = {}
        if not isinstance(document, Mapping):
            raise RenderError(f"{path}: must be a mapping with a 'config' key, not {type(document).__name__}.")
        config = document.get("config") or {}
        if not isinstance(config, Mapping):
            raise RenderError(f"{path}: 'config' must be a mapping, not {type(config).__name__}.")
        values = dict(self.config_defaults)
        for key, value in config.items():
            values[_full_key(self.name, str(key))] = value
        return {key: _config_string(value) for key, value in values.items()}


def _read_yaml(path: Path) -> Any:
    # Bounded, UTF-8 only, no duplicate keys, tags or non-string keys, and
    # no plain scalar that PyYAML and the Pulumi CLI's yaml.v3 read apart.
    from ._stackfile import StackFileError, load_yaml_file

    try:
        return load_yaml_file(path)
    except StackFileError as error:
        raise RenderError(str(error)) from None


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _config_string(value: Any) -> str:
    """A config value as the Pulumi CLI passes it: a string, objects as JSON.
    Every ``secure:`` value, at the top or nested (``pulumi config set --path
    --secret``), becomes the placeholder: secrets cannot be decrypted offline,
    and their ciphertext is no value for the program either."""
    value = _without_secrets(value)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _without_secrets(value: Any) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {key: _without_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


@contextmanager
def _program_environment(directory: Path) -> Iterator[None]:
    """Run with the project as working directory and first on sys.path, as
    the Pulumi CLI does; restore both afterwards."""
    cwd = os.getcwd()
    sys.path.insert(0, str(directory))
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path.remove(str(directory))


def run_stack(directory: Path, stack: str) -> KubernetesMocks:
    """Run the project's program with the stack's config under the mock kit."""
    directory = directory.resolve()
    project = Project.load(directory)
    config = project.stack_config(stack)
    mocks = KubernetesMocks(node_port_range=_node_port_range(config))
    with _program_environment(directory):
        try:
            return run(
                lambda: runpy.run_path(str(project.main), run_name="__main__"),
                mocks,
                project=project.name,
                stack=stack,
                config=config,
            )
        except (pulumi.RunError, ClusterRefused) as error:
            raise RenderError(str(error)) from None


def _node_port_range(config: Mapping[str, str]) -> str:
    """The cluster's node port range the stack declares (this project's
    ``defaults.node_port_range``), for the mock kit to allocate from."""
    try:
        defaults = json.loads(config.get("k8s-services:defaults", "{}"))
        low, high = (int(part) for part in str(defaults["node_port_range"]).split("-"))
    except (ValueError, TypeError, KeyError, AttributeError):
        return "30000-32767"
    return f"{low}-{high}" if 0 < low <= high <= 65535 else "30000-32767"


def _object_file(manifest: Mapping[str, Any]) -> str:
    # Imported here: components._outdir imports RenderError from this module.
    from ._outdir import check_object_file

    metadata = manifest.get("metadata") or {}
    namespace = metadata.get("namespace") or "_cluster"
    name = f"{namespace}--{str(manifest.get('kind', 'object')).lower()}--{metadata.get('name', 'unnamed')}.yaml"
    check_object_file(manifest, name)  # one plain entry of the directory, or RenderError naming the object
    return name


# libyaml's emitter when PyYAML was built with it (its wheels are): about 5
# times faster than the pure-Python one. Both write YAML that loads back to
# the same objects (tests/components/test_render.py compares what render
# writes with what the program registers); they differ in style only in
# corners (an empty key: libyaml writes '': where PyYAML writes ? '').
DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(manifest: Mapping[str, Any]) -> str:
    text: str = yaml.dump(dict(manifest), Dumper=DUMPER, sort_keys=True, default_flow_style=False)
    return text


def render(directory: Path, stack: str, out: Path | None = None) -> str:
    """The stack's objects as one YAML stream; with ``out``, also one file
    per object there (replacing files an earlier render wrote, all or none:
    see components._outdir)."""
    from ._outdir import object_files, write_objects

    manifests = run_stack(directory, stack).manifests()
    stream = HEADER + "".join(f"---\n{_dump(m)}" for m in manifests)
    if out is not None:
        write_objects(out, object_files(manifests, _object_file, lambda m: HEADER + _dump(m)), HEADER)
    return stream


def describe(directory: Path, stack: str) -> str:
    """A table of how each bundle is reached, from the ``services`` output."""
    mocks = run_stack(directory, stack)
    services = mocks.stack_outputs.get("services")
    if not isinstance(services, Mapping):
        raise RenderError("the program exports no 'services' output to describe.")
    rows = [("BUNDLE", "TYPE", "EXPOSURE", "IN-CLUSTER", "FROM OUTSIDE", "ALLOWED FROM")]
    for name in sorted(services):
        service = services[name]
        rows.append(
            (
                name,
                service["type"],
                service["exposure"],
                _in_cluster(service),
                _outside(service),
                "any Pod" if service.get("allowed_from") is None else ", ".join(service["allowed_from"]) or "nobody",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n" for row in rows
    )


def _in_cluster(service: Mapping[str, Any]) -> str:
    ports = service.get("ports") or []
    if not ports:
        return str(service["dns_name"])
    return " ".join(f"{service['dns_name']}:{port['port']}" for port in ports)


def _outside(service: Mapping[str, Any]) -> str:
    ports = service.get("ports") or []
    if service["type"] == "NodePort":
        return " ".join(f"<node IP>:{port.get('node_port') or '<assigned nodePort>'}" for port in ports)
    if service["type"] == "LoadBalancer":
        return " ".join(f"<EXTERNAL-IP>:{port['port']}" for port in ports)
    return "-"
