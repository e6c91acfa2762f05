"""Offline render: every Kubernetes object a Pulumi Python program registers
with one stack's config, with no Pulumi CLI and no cluster.

`objects` finds them: for this project's own program from the stack's
checked plans, without pulumi; for any other program by running it under
the mock kit (`run_stack`). `render` writes them as YAML, each with comments
on where it comes from and what only Pulumi applies; describe
(k8s_services.topology), check and diff read `objects` too. All work from
the project's ``Pulumi.yaml`` and ``<stackConfigDir>/Pulumi.<stack>.yaml``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import runpy
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from components._manifests import SECRET_PLACEHOLDER, SKIP_AWAIT_ANNOTATION, as_registered, object_key

if TYPE_CHECKING:
    from components.testing import KubernetesMocks

HEADER = "# Rendered by `python -m components render`; do not edit.\n"


class RenderError(Exception):
    """A problem with the project, the stack or its config: exit status 2."""


class ProgramFailed(RenderError):
    """The program raised or exited: ``main`` is its file, ``reason`` what it raised."""

    def __init__(self, main: Path, reason: str) -> None:
        super().__init__(f"{main}: the program failed: {_one_line(reason)}")
        self.main = main
        self.reason = reason


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
        if not _is_file(path):
            raise RenderError(f"{path}: no Pulumi.yaml here; pass --project-dir with the project's directory.")
        document = _read_yaml(path)
        if not isinstance(document, Mapping) or not isinstance(document.get("name"), str):
            raise RenderError(f"{path}: must be a mapping with a 'name'.")
        name = document["name"]
        main = directory / str(document.get("main", "."))
        if _is_dir(main):
            main = main / "__main__.py"
        if not _is_file(main):
            raise RenderError(f"{path}: the program {main} does not exist.")
        defaults: dict[str, Any] = {}
        declarations = document.get("config") or {}
        if not isinstance(declarations, Mapping):
            raise RenderError(f"{path}: 'config' must be a mapping of config keys, not {type(declarations).__name__}.")
        for key, declared in declarations.items():
            if isinstance(declared, Mapping) and "default" in declared:
                defaults[_full_key(name, key)] = declared["default"]
            elif not isinstance(declared, Mapping):
                defaults[_full_key(name, key)] = declared
        return cls(directory, name, main, directory / str(document.get("stackConfigDir", ".")), defaults)

    def stack_config(self, stack: str) -> dict[str, str]:
        """The stack's config as the Pulumi CLI passes it: full keys, string
        values, objects as JSON."""
        path = self.stack_config_dir / f"Pulumi.{stack}.yaml"
        if not _is_file(path):
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
        return {key: _config_string(key, value) for key, value in values.items()}


def _is_file(path: Path) -> bool:
    """``path.is_file()``, a name too long to look at (ENAMETOOLONG) a RenderError."""
    try:
        return path.is_file()
    except OSError as error:
        raise RenderError(f"{_one_line(str(path))}: cannot read it: {error.strerror}.") from None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError as error:
        raise RenderError(f"{_one_line(str(path))}: cannot read it: {error.strerror}.") from None


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


def _config_string(key: str, value: Any) -> str:
    """A config value as the Pulumi CLI passes it: a string, objects as JSON.
    Every ``secure:`` value, at the top or nested (``pulumi config set --path
    --secret``), becomes the placeholder: secrets cannot be decrypted offline,
    and their ciphertext is no value for the program either."""
    value = _without_secrets(value, key)
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _without_secrets(value: Any, path: str = "") -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        if "secure" in value:
            # The CLI would pass it on as a plain object, ciphertext and all,
            # for the program to print in its messages: say so, without it.
            raise RenderError(
                f"{path or 'a value'}: a mapping with 'secure' holds one encrypted value and nothing else; it also"
                f" has {', '.join(sorted(repr(str(key)) for key in value if key != 'secure'))}. Set the secret again"
                " with `pulumi config set --secret --path`."
            )
        return {key: _without_secrets(item, f"{path}.{key}" if path else str(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_secrets(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        # The CLI reads a stack file's numbers as float64 and writes them as
        # Go's encoding/json does: without a fraction below 1e21 (2.0 as 2).
        return int(value)
    return value


@contextmanager
def working_in(directory: Path) -> Iterator[None]:
    """Run with ``directory`` as working directory and first on sys.path, as
    the Pulumi CLI runs a program or a policy pack; restore both afterwards."""
    cwd = os.getcwd()
    sys.path.insert(0, str(directory))
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path.remove(str(directory))


@contextmanager
def _program_environment(directory: Path) -> Iterator[None]:
    """`working_in` the project, without config from the environment: the
    SDK falls back to PULUMI_CONFIG* for keys the run does not set."""
    environment = {key: os.environ.pop(key) for key in list(os.environ) if key.startswith("PULUMI_CONFIG")}
    try:
        with working_in(directory):
            yield
    finally:
        os.environ.update(environment)


def run_stack(directory: Path, stack: str) -> KubernetesMocks:
    """Run the project's program with the stack's config under the mock kit."""
    import pulumi

    from components.testing import ClusterRefused, KubernetesMocks, run

    directory = directory.resolve()
    project = Project.load(directory)
    config = project.stack_config(stack)
    mocks = KubernetesMocks(node_port_range=_node_port_range(config))
    # What the program prints goes to stderr: stdout is render's YAML.
    with _program_environment(directory), contextlib.redirect_stdout(sys.stderr):
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
        except (Exception, SystemExit) as error:
            # The program's own failure: the stack cannot be rendered.
            raise ProgramFailed(
                project.main, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            ) from None


@dataclass(frozen=True)
class RenderedObject:
    """One Kubernetes object the stack's program registers."""

    type: str
    """The Pulumi type token, e.g. ``kubernetes:core/v1:Service``."""
    name: str
    """The Pulumi resource's logical name."""
    manifest: dict[str, Any]
    """The object as the provider would apply it (camelCase, secrets as
    ``[secret]``)."""
    source: str = ""
    """Where it comes from: ``<name> (<component type>)`` for a component's
    child, "" for a resource of the program itself."""
    options: dict[str, Any] = field(default_factory=dict)
    """What only Pulumi applies: ``protect``, ``retainOnDelete``,
    ``customTimeouts`` (see `components.testing.RecordedResource`)."""


Via = Literal["auto", "plans", "sdk"]


def objects(directory: Path, stack: str, via: Via = "auto") -> list[RenderedObject]:
    """Every Kubernetes object the stack's program registers, in the order
    `render` writes them (namespace, name, kind, apiVersion).

    ``via="sdk"`` runs the program under the Pulumi SDK's mocks. ``"plans"``
    builds the objects from the stack's checked plans, as this project's
    program would register them, without pulumi (several times faster:
    benchmarks/README.md). ``"auto"`` takes the plans when the project's
    program is this project's unchanged ``__main__.py`` (`is_this_program`),
    else the SDK. tests/components/test_render_paths.py checks that both give the
    same objects, sources and options, and the same errors."""
    if via == "sdk":
        return _objects_via_sdk(directory, stack)
    directory = directory.resolve()
    project = Project.load(directory)
    if via == "auto" and not is_this_program(project.main):
        return _objects_via_sdk(directory, stack)
    return _objects_via_plans(project.stack_config(stack))


def _objects_via_sdk(directory: Path, stack: str) -> list[RenderedObject]:
    mocks = run_stack(directory, stack)
    found = [
        RenderedObject(r.type, r.name, r.manifest, _source(r.parent), r.options)
        for r in mocks.resources
        if r.is_kubernetes
    ]
    return sorted(found, key=lambda o: object_key(o.manifest))


def _source(parent: str) -> str:
    """``<name> (<type>)`` of a parent URN; "" for the stack itself.
    A URN is ``urn:pulumi:<stack>::<project>::<type chain>::<name>``."""
    parts = parent.split("::", 3)
    if len(parts) < 4:
        return ""
    parent_type = parts[2].rpartition("$")[2]
    return "" if parent_type == "pulumi:pulumi:Stack" else f"{parts[3]} ({parent_type})"


# The largest program file render reads to tell whether it is this project's.
_PROGRAM_MAX_BYTES = 64 * 1024


def is_this_program(main: Path) -> bool:
    """Whether ``main`` is this project's program (`k8s_services.program`)
    as Python reads it: the same statements, docstring and comments aside."""
    from .program import PROGRAM

    try:
        with main.open("rb") as file:
            source = file.read(_PROGRAM_MAX_BYTES + 1)
        if len(source) > _PROGRAM_MAX_BYTES:
            return False
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # the SDK path runs it, and reports what is wrong
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return ast.dump(ast.Module(body=body, type_ignores=[])) == ast.dump(ast.parse(PROGRAM))


# The Pulumi type token of each kind the plans build.
_TYPE_TOKENS = {
    "Namespace": "kubernetes:core/v1:Namespace",
    "ServiceAccount": "kubernetes:core/v1:ServiceAccount",
    "Pod": "kubernetes:core/v1:Pod",
    "Service": "kubernetes:core/v1:Service",
    "Deployment": "kubernetes:apps/v1:Deployment",
    "StatefulSet": "kubernetes:apps/v1:StatefulSet",
    "DaemonSet": "kubernetes:apps/v1:DaemonSet",
    "NetworkPolicy": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "PodDisruptionBudget": "kubernetes:policy/v1:PodDisruptionBudget",
}


def _objects_via_plans(config: Mapping[str, str]) -> list[RenderedObject]:
    """What `k8s_services.program.main` registers with ``config``, from the
    stack's plans: the same checks, the same objects, the same options
    (components/_component.py registers each plan's objects as they are)."""
    from components._cluster import Cluster

    from . import stack

    prefix = f"{stack.PROJECT}:"
    try:
        parsed = stack.from_config(
            {key: config.get(prefix + key) for key in stack.CONFIG_KEYS}, extra_keys=stack.unknown_keys(config)
        )
    except stack.ConfigError as error:
        raise RenderError(str(error)) from None
    protect = parsed.protect
    found: list[RenderedObject] = []
    for name, entry in parsed.namespaces.items():
        options = {"protect": protect, "retainOnDelete": True, "customTimeouts": {}}
        found.append(
            RenderedObject(_TYPE_TOKENS["Namespace"], name, stack.namespace_manifest(name, entry), "", options)
        )
    cluster = Cluster(node_port_range=_node_port_range(config))
    for bundle in parsed.bundles:
        plan = bundle.plan
        source = f"{bundle.name} (k8s-services:index:{plan.kind.component})"
        for role, manifest in plan.objects:
            # As components/_component.py registers them: the plan names each
            # resource and says which ones wait with the bundle's timeouts.
            waits = dict(plan.custom_timeouts or {}) if plan.waits(role) else {}
            options = {"protect": protect, "retainOnDelete": False, "customTimeouts": waits}
            copied = as_registered(manifest)
            found.append(
                RenderedObject(_TYPE_TOKENS[manifest["kind"]], plan.resource_name(role), copied, source, options)
            )
            if manifest["kind"] == "Service":
                # Allocated as the mock kit allocates (only what it refuses
                # matters here), on a copy of what allocation changes.
                metadata, spec = copied.get("metadata") or {}, copied.get("spec") or {}
                spec = {**spec, "ports": [dict(port) for port in spec.get("ports") or []]}
                cluster.allocate(f"{metadata.get('namespace', 'default')}/{metadata.get('name')}", spec)
    if cluster.refused:
        raise RenderError(cluster.refused[0])
    return sorted(found, key=lambda o: object_key(o.manifest))


def _node_port_range(config: Mapping[str, str]) -> str:
    """The cluster's node port range the stack declares (this project's
    ``defaults.node_port_range``, read as `stack.cluster_range` reads it),
    for the mock cluster to allocate from."""
    from .stack import PROJECT, cluster_range

    try:
        defaults = json.loads(config.get(f"{PROJECT}:defaults", "{}"))
    except ValueError:
        defaults = {}
    low, high = cluster_range(defaults)
    return f"{low}-{high}"


def _object_file(manifest: Mapping[str, Any]) -> str:
    # Imported here: k8s_services._outdir imports RenderError from this module.
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


_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_SCALARS: dict[type, str] = {
    str: "tag:yaml.org,2002:str",
    int: "tag:yaml.org,2002:int",
    bool: "tag:yaml.org,2002:bool",
    type(None): "tag:yaml.org,2002:null",
}


def _node(dumper: Any, value: Any) -> yaml.Node:
    """The node SafeRepresenter would build for ``value`` with sort_keys and
    block style, built directly for the JSON types a manifest holds (its
    generic dispatch was a third of a large render); anything else goes
    through the representer. No anchors: render's objects share no
    containers (each is a fresh copy). A test compares both byte for byte."""
    kind = type(value)
    if kind is dict:
        return yaml.MappingNode(
            _MAP, [(_node(dumper, key), _node(dumper, value[key])) for key in sorted(value)], flow_style=False
        )
    if kind is list:
        return yaml.SequenceNode(_SEQ, [_node(dumper, item) for item in value], flow_style=False)
    if kind is str:
        return yaml.ScalarNode(_SCALARS[str], value)
    if kind is bool:
        return yaml.ScalarNode(_SCALARS[bool], "true" if value else "false")
    if kind is int:
        return yaml.ScalarNode(_SCALARS[int], str(value))
    if value is None:
        return yaml.ScalarNode(_SCALARS[type(None)], "null")
    node: yaml.Node = dumper.represent_data(value)
    return node


_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_RESOLVED_MAX = 100_000


class _Dumper(DUMPER):  # type: ignore[valid-type,misc]
    """`DUMPER`, remembering which tag each scalar resolves to: the emitter
    asks the (pure-Python) resolver twice for every scalar, and a stack's
    objects repeat the same few hundred values. Bounded."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            if len(_RESOLVED) >= _RESOLVED_MAX:
                _RESOLVED.clear()
            tag = _RESOLVED[key] = super().resolve(kind, value, implicit)
        return tag


def _dump(manifest: Mapping[str, Any]) -> str:
    """``yaml.dump(manifest, Dumper=DUMPER, sort_keys=True,
    default_flow_style=False)``, faster (see `_node` and `_Dumper`)."""
    stream = io.StringIO()
    dumper = _Dumper(stream, default_flow_style=False, sort_keys=True)
    try:
        dumper.open()
        dumper.serialize(_node(dumper, dict(manifest)))
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()


_UNSAFE_IN_COMMENT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str) -> str:
    """``text`` safe inside a YAML comment: every character that could end
    the line (YAML breaks on \\x85, \\u2028 and \\u2029 too) or hide
    itself escaped, as JSON would."""
    return _UNSAFE_IN_COMMENT.sub(lambda match: json.dumps(match.group())[1:-1], text)


def comments(rendered: RenderedObject) -> str:
    """What a manifest cannot say, as YAML comments: where the object comes
    from (like ``helm template``'s ``# Source:``), and what only Pulumi
    applies to it."""
    lines = [
        f"# Source: {_one_line(rendered.source or 'the program')}",
        f"# Pulumi resource: {_one_line(rendered.type)} {_one_line(json.dumps(rendered.name))}",
    ]
    options = rendered.options
    if options.get("protect"):
        lines.append("# Pulumi only: protect (pulumi destroy, and any update that replaces it, fail instead)")
    if options.get("retainOnDelete"):
        lines.append("# Pulumi only: retainOnDelete (pulumi destroy leaves it in the cluster)")
    timeouts = options.get("customTimeouts") or {}
    if timeouts:
        waits = ", ".join(
            f"{key} {_one_line(str(timeouts[key]))}" for key in ("create", "update", "delete") if key in timeouts
        )
        lines.append(f"# Pulumi only: customTimeouts ({waits})")
    annotations = (rendered.manifest.get("metadata") or {}).get("annotations") or {}
    if annotations.get(SKIP_AWAIT_ANNOTATION) == "true":
        lines.append(f"# Pulumi only: skipAwait ({SKIP_AWAIT_ANNOTATION}: Pulumi does not wait for it to be ready)")
    return "".join(line + "\n" for line in lines)


def document(rendered: RenderedObject) -> str:
    """One object as render writes it: its comments, then its YAML."""
    return comments(rendered) + _dump(rendered.manifest)


def files(found: list[RenderedObject]) -> dict[str, str]:
    """File name -> text of each object, as ``render --out`` writes them
    (and ``diff`` compares them)."""
    from ._outdir import object_files

    texts = {id(o.manifest): HEADER + document(o) for o in found}
    return object_files([o.manifest for o in found], _object_file, lambda m: texts[id(m)])


def render(directory: Path, stack: str, out: Path | None = None, via: Via = "auto") -> str:
    """The stack's objects as one YAML stream; with ``out``, also one file
    per object there (replacing files an earlier render wrote, all or none:
    see k8s_services._outdir)."""
    from ._outdir import write_objects

    found = objects(directory, stack, via)
    if out is not None:
        write_objects(out, files(found), HEADER)
    return HEADER + "".join(f"---\n{document(o)}" for o in found)
