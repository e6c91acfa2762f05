"""`python -m components import`: existing Kubernetes manifests in, a stack
config that renders back to the same objects out.

The import reads manifests (multi-document YAML, ``kind: List``, ``kubectl
get -o yaml`` output), leaves out what the cluster set on objects it returned
(status, bookkeeping metadata, tool annotations and the API server's
defaults: only on such objects, never on hand-written ones), groups each
workload with the Services that select it, and writes one bundle per Service
of ``k8s-services:services``. It then builds the stack exactly as the
program does, under the mock kit, and compares: every field it kept must come
back with the same value, or the bundle is not imported and the difference is
reported. What the render adds (the library's defaults) is listed; what
cannot be expressed is reported object by object, with the reason.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import stat
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

import yaml
from yaml.events import DocumentEndEvent, DocumentStartEvent, ScalarEvent, StreamEndEvent, StreamStartEvent

from components import _wire
from components._manifests import PORT_FIELDS, SERVICE_OPTIONS, SKIP_AWAIT_ANNOTATION
from components.testing import run
from k8s_rules import format_path, pod_security, show
from k8s_rules.wiring import EXTERNAL_PODS_ANNOTATION, SHARES_PODS_ANNOTATION, VERSION_OF_ANNOTATION

from . import _stackfile, stack
from .render import Project, RenderError

# --- limits -------------------------------------------------------------------

MAX_FILE_BYTES: Final = 4 << 20
"""One input file; ``kubectl get -o yaml`` of a busy namespace is a few MiB."""
MAX_TOTAL_BYTES: Final = 16 << 20
"""All input files together."""

WORKLOAD_KINDS: Final = ("Pod", "Deployment", "StatefulSet", "DaemonSet")
# The apiVersion the library creates each kind with.
API_VERSIONS: Final = {
    "Pod": "v1",
    "Service": "v1",
    "ServiceAccount": "v1",
    "Namespace": "v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "PodDisruptionBudget": "policy/v1",
}
WORKLOAD_SPEC_ARGS: Final[dict[str, str]] = {
    "Deployment": "apps.v1.DeploymentSpecArgs",
    "StatefulSet": "apps.v1.StatefulSetSpecArgs",
    "DaemonSet": "apps.v1.DaemonSetSpecArgs",
}
# Workload spec fields the bundle builds itself.
BUILT_SPEC_FIELDS: Final = ("selector", "template", "replicas", "serviceName")
SERVICE_TYPES: Final = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
NAMESPACED_KINDS: Final = ("Service", *WORKLOAD_KINDS, "ServiceAccount", "PodDisruptionBudget")
NAME_LABEL: Final = "app.kubernetes.io/name"
"""The label the library puts on a bundle's Service, ServiceAccount and budget: the bundle's name."""
STACK_NAME: Final = re.compile(r"[A-Za-z0-9_.-]+")


class ImportInputError(Exception):
    """Input the import cannot use at all: exit status 2, one line."""


class _CannotExpress(Exception):
    """A field of an object that no argument of the library can say."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)


# --- reading --------------------------------------------------------------------


@dataclass
class SourceObject:
    """One Kubernetes object of the input."""

    where: str
    """``<file>:<line>``, and ``items[i]`` inside a List."""
    manifest: dict[str, Any]
    """As read."""
    kept: dict[str, Any] = field(default_factory=dict)
    """What the import reproduces: the manifest without what the cluster set."""
    left_out: list[str] = field(default_factory=list)
    """Paths left out of ``kept``, each with why."""
    left_out_fields: int = 0
    """Leaf fields of ``manifest`` not in ``kept``."""

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind"))

    @property
    def metadata(self) -> dict[str, Any]:
        metadata = self.kept.get("metadata")
        return metadata if isinstance(metadata, dict) else {}

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str:
        """Its namespace; "default" for a kind the import maps that sets none,
        "" for other kinds that set none (they may be cluster-wide)."""
        namespace = self.metadata.get("namespace")
        if isinstance(namespace, str) and namespace and self.kind != "Namespace":
            return namespace
        return "default" if self.kind in NAMESPACED_KINDS else ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)

    @property
    def label(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where or '(no name)'}"


def _read_bytes(path: str, budget: int) -> bytes:
    """A regular file's bytes, at most ``MAX_FILE_BYTES``; ``-`` is stdin.
    Never blocks on a FIFO or reads a device."""
    limit = min(MAX_FILE_BYTES, budget)
    if path == "-":
        path = "<stdin>"
        data = sys.stdin.buffer.read(limit + 1)
    else:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            raise ImportInputError(f"{path}: cannot be read ({error.strerror or error}); check the path") from None
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise ImportInputError(f"{path}: is a directory; pass the manifest files in it (e.g. {path}/*.yaml)")
            if not stat.S_ISREG(mode):
                raise ImportInputError(f"{path}: is not a regular file; pass a manifest file, or - for stdin")
            stream: BinaryIO
            with os.fdopen(fd, "rb", closefd=False) as stream:
                try:
                    data = stream.read(limit + 1)
                except OSError as error:
                    raise ImportInputError(f"{path}: cannot be read ({error.strerror or error})") from None
        finally:
            os.close(fd)
    if len(data) > limit:
        what = (
            f"larger than {MAX_FILE_BYTES} bytes, the limit for one input file"
            if limit == MAX_FILE_BYTES
            else f"past {MAX_TOTAL_BYTES} bytes, the limit for all input files together"
        )
        raise ImportInputError(f"{path}: is {what}; split the input and import it in parts")
    return data


# A plain scalar Go's yaml.v2 (kubectl) reads otherwise than PyYAML: "y"/"n"
# are booleans there, "1:30" a string (PyYAML: 90), "0o17" an integer
# (PyYAML: a string), "=" a string (PyYAML: an error).
_READ_APART: Final = re.compile(r"[yYnN]|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[-+]?0o[0-7_]+|=")


def _kubectl_scalar(text: str) -> Any:
    """An untagged plain scalar as kubectl reads it (YAML 1.1, timestamps
    kept as the strings they are written as)."""
    if _READ_APART.fullmatch(text):
        raise _stackfile._Problem(
            None,
            f"unquoted value {text} is read differently by kubectl (Go yaml.v2) and by YAML 1.1 readers;"
            f" quote it: {json.dumps(text)}",
        )
    value = _stackfile._pyyaml_value(text)
    if isinstance(value, _stackfile._Special):
        return text
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise _stackfile._Problem(
            None, f"unquoted value {text} is not a finite number, which a Kubernetes object (JSON) cannot carry"
        )
    return value


class _ManifestBuilder(_stackfile._Builder):
    """The stack files' bounded builder (depth, aliases, duplicate keys,
    tags), reading plain scalars as kubectl does."""

    def scalar(self, event: ScalarEvent) -> None:
        key = self.expecting_key()
        if event.tag is not None or not event.implicit[0] or (key and event.value == "<<"):
            super().scalar(event)
            return
        mark = _stackfile._start(event)
        self.define(event.anchor, mark)
        try:
            # A key is the text it is written as (kubectl makes every key a string).
            value = event.value if key else _kubectl_scalar(event.value)
        except _stackfile._Problem as problem:
            raise _stackfile._Problem(mark, problem.message) from None
        if event.anchor is not None:
            self.anchors[event.anchor] = _stackfile._Anchored(value, 1, 0)
        self.add(value, 1, 0, mark, from_alias=False)


def _manifest_message(message: str) -> str:
    # The builder's messages speak of stack files; these are manifests.
    return message.replace("a stack file", "a manifest file")


def load_documents(data: bytes, name: str) -> list[tuple[int, Any]]:
    """Every YAML document of a manifest file, with its first line."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportInputError(f"{name}: is binary, not YAML text (NUL byte at byte offset {nul})")
    try:
        text = _stackfile._decode(data, name)
    except _stackfile.StackFileError as error:
        raise ImportInputError(_manifest_message(str(error))) from None
    limits = _stackfile._Limits(_stackfile.MAX_DEPTH, _stackfile.MAX_ALIASES, _stackfile.MAX_ALIAS_NODES)
    builder = _ManifestBuilder(limits, stack_file=False)
    parser = _stackfile._parser(text)
    documents: list[tuple[int, Any]] = []
    try:
        event = parser.get_event()
        assert isinstance(event, StreamStartEvent)
        while not isinstance(parser.peek_event(), StreamEndEvent):
            start = parser.get_event()
            assert isinstance(start, DocumentStartEvent)
            # Anchors belong to their document; the alias budget is the file's.
            builder.anchors, builder.anchor_lines, builder.stack = {}, {}, []
            builder.root, builder.done = None, False
            while not builder.done:
                builder.event(parser.get_event())
            end = parser.get_event()
            assert isinstance(end, DocumentEndEvent)
            documents.append((_stackfile._start(start).line + 1, builder.root))
    except _stackfile._Problem as problem:
        found = _stackfile._error(name, problem.mark, _manifest_message(problem.message))
        raise ImportInputError(str(found)) from None
    except yaml.MarkedYAMLError as error:
        raise ImportInputError(str(_stackfile._syntax_error(name, error, text))) from None
    except yaml.YAMLError as error:
        raise ImportInputError(f"{name}: is not valid YAML: {error}") from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    return documents


def _object_problem(value: Any) -> str | None:
    """Why ``value`` is not a Kubernetes object, or None."""
    if not isinstance(value, dict):
        return f"is {_a(value)}, not a Kubernetes object (a mapping with apiVersion, kind and metadata)"
    for key in ("apiVersion", "kind"):
        if key not in value:
            return f"has no '{key}': it is not a Kubernetes object"
        if not isinstance(value[key], str) or not value[key]:
            return f"has '{key}' {json.dumps(value[key])}, not a non-empty string: it is not a Kubernetes object"
    return None


def _a(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping"


def read_objects(paths: Sequence[str]) -> list[SourceObject]:
    """Every object of the input files, Lists expanded; ImportInputError for
    input that is not Kubernetes objects."""
    if not paths:
        raise ImportInputError("no input file; pass one or more manifest files, or - for stdin")
    if list(paths).count("-") > 1:
        raise ImportInputError("-: stdin can be read once; pass it once")
    objects: list[SourceObject] = []
    budget = MAX_TOTAL_BYTES
    for path in paths:
        data = _read_bytes(path, budget)
        budget -= len(data)
        name = "<stdin>" if path == "-" else path
        for line, document in load_documents(data, name):
            if document is None:
                continue  # an empty document, e.g. a trailing ---
            where = f"{name}:{line}"
            problem = _object_problem(document)
            if problem is not None:
                raise ImportInputError(f"{where}: the document {problem}")
            if _is_list(document):
                items = document.get("items")
                if not isinstance(items, list):
                    raise ImportInputError(f"{where}: the {document['kind']} has no 'items' list")
                for index, item in enumerate(items):
                    problem = _object_problem(item)
                    if problem is not None:
                        raise ImportInputError(f"{where}: items[{index}] {problem}")
                    objects.append(SourceObject(f"{where} items[{index}]", item))
            else:
                objects.append(SourceObject(where, document))
    if not objects:
        raise ImportInputError(f"{', '.join(paths)}: no Kubernetes object in the input")
    for obj in objects:
        _keep(obj)
    return objects


def _is_list(document: dict[str, Any]) -> bool:
    # kubectl writes "List"; the API returns "<Kind>List" (PodList, ...).
    kind = str(document["kind"])
    return kind == "List" or (kind.endswith("List") and "items" in document and "spec" not in document)


# --- what the cluster set ---------------------------------------------------------

# Bookkeeping the API server writes on every object it returns.
SERVER_METADATA: Final = ("managedFields", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink")
# Annotations tools write; never the user's intent.
TOOL_ANNOTATIONS: Final = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
)
SERVICE_ACCOUNT_MOUNT: Final = "/var/run/secrets/kubernetes.io/serviceaccount"
# Tolerations the DefaultTolerationSeconds admission plugin adds to every Pod.
DEFAULT_TOLERATIONS: Final = tuple(
    {"effect": "NoExecute", "key": f"node.kubernetes.io/{taint}", "operator": "Exists", "tolerationSeconds": 300}
    for taint in ("not-ready", "unreachable")
)
# The API server's defaults (k8s.io/kubernetes pkg/apis/core/v1/defaults.go,
# pkg/apis/apps/v1/defaults.go), by where they are set. Left out only of
# objects the cluster returned: a hand-written manifest keeps what it sets.
POD_SPEC_DEFAULTS: Final = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "schedulerName": "default-scheduler",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
    "enableServiceLinks": True,
    "preemptionPolicy": "PreemptLowerPriority",
    "priority": 0,
    "serviceAccountName": "default",
}
CONTAINER_DEFAULTS: Final = {
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "resources": {},
}
PROBE_DEFAULTS: Final = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
VOLUME_DEFAULT_MODES: Final = ("secret", "configMap", "projected", "downwardAPI")
WORKLOAD_SPEC_DEFAULTS: Final[dict[str, dict[str, Any]]] = {
    "Deployment": {
        "progressDeadlineSeconds": 600,
        "revisionHistoryLimit": 10,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
    },
    "StatefulSet": {
        "podManagementPolicy": "OrderedReady",
        "revisionHistoryLimit": 10,
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
    },
    "DaemonSet": {
        "revisionHistoryLimit": 10,
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
    },
}
SERVICE_SPEC_DEFAULTS: Final = {
    "sessionAffinity": "None",
    "internalTrafficPolicy": "Cluster",
}


def is_server_output(manifest: Mapping[str, Any]) -> bool:
    """Whether the object came from the cluster (``kubectl get -o yaml``)."""
    metadata = manifest.get("metadata")
    marks = ("uid", "resourceVersion", "creationTimestamp", "managedFields")
    return "status" in manifest or (isinstance(metadata, Mapping) and any(key in metadata for key in marks))


def _leaves(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(path, value) of each leaf field of ``value``."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def leaf_count(value: Any) -> int:
    """Leaf fields: scalars, and empty mappings and lists."""
    return sum(1 for _ in _leaves(value, ()))


class _Keeper:
    """Leaves fields out of one object, recording each with why."""

    def __init__(self, obj: SourceObject) -> None:
        self.obj = obj

    def drop(self, parent: dict[str, Any], key: str, path: tuple[str | int, ...], why: str) -> None:
        parent.pop(key)
        self.obj.left_out.append(f"{format_path((*path, key))} ({why})")

    def default(self, parent: Any, key: str, default: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(parent, dict) and key in parent and parent[key] == default:
            self.drop(parent, key, path, "the API server's default")


def _keep(obj: SourceObject) -> None:
    """Fill ``obj.kept``: tool annotations always left out, and for what the
    cluster returned, its bookkeeping and the API server's defaults."""
    _leave_out(obj)
    obj.left_out_fields = leaf_count(obj.manifest) - leaf_count(obj.kept)


def _leave_out(obj: SourceObject) -> None:
    kept = copy.deepcopy(obj.manifest)
    obj.kept = kept
    _drop_nulls(obj, kept, ())
    keeper = _Keeper(obj)
    metadata = kept.get("metadata")
    if isinstance(metadata, dict):
        annotations = metadata.get("annotations")
        if isinstance(annotations, dict):
            for key in TOOL_ANNOTATIONS:
                if key in annotations:
                    keeper.drop(annotations, key, ("metadata", "annotations"), "written by a tool")
            if not annotations:
                del metadata["annotations"]
    if not is_server_output(obj.manifest):
        return
    if "status" in kept:
        keeper.drop(kept, "status", (), "set by the cluster")
    if isinstance(metadata, dict):
        for key in SERVER_METADATA:
            if key in metadata:
                keeper.drop(metadata, key, ("metadata",), "set by the cluster")
    spec = kept.get("spec")
    kind = obj.kind
    if isinstance(metadata, dict) and kind == "Namespace":
        labels = metadata.get("labels")
        if isinstance(labels, dict) and labels.get("kubernetes.io/metadata.name") == metadata.get("name"):
            keeper.drop(labels, "kubernetes.io/metadata.name", ("metadata", "labels"), "set by the API server")
            if not labels:
                del metadata["labels"]
    if not isinstance(spec, dict):
        if kind == "ServiceAccount" and "secrets" in kept:
            keeper.drop(kept, "secrets", (), "token Secrets the cluster created")
        return
    if kind == "Pod":
        _keep_pod_spec(keeper, spec, ("spec",), pod=True)
    elif kind in WORKLOAD_SPEC_DEFAULTS:
        for key, default in WORKLOAD_SPEC_DEFAULTS[kind].items():
            keeper.default(spec, key, default, ("spec",))
        template = spec.get("template")
        if isinstance(template, dict):
            template_metadata = template.get("metadata")
            if isinstance(template_metadata, dict) and "creationTimestamp" in template_metadata:
                keeper.drop(template_metadata, "creationTimestamp", ("spec", "template", "metadata"), "set by kubectl")
            if isinstance(template.get("spec"), dict):
                _keep_pod_spec(keeper, template["spec"], ("spec", "template", "spec"), pod=False)
        claims = spec.get("volumeClaimTemplates")
        for i, claim in enumerate(claims if isinstance(claims, list) else []):
            if not isinstance(claim, dict):
                continue
            path: tuple[str | int, ...] = ("spec", "volumeClaimTemplates", i)
            keeper.default(claim, "apiVersion", "v1", path)
            keeper.default(claim, "kind", "PersistentVolumeClaim", path)
            if "status" in claim:
                keeper.drop(claim, "status", path, "set by the cluster")
            claim_metadata = claim.get("metadata")
            if isinstance(claim_metadata, dict) and "creationTimestamp" in claim_metadata:
                keeper.drop(claim_metadata, "creationTimestamp", (*path, "metadata"), "set by kubectl")
            keeper.default(claim.get("spec"), "volumeMode", "Filesystem", (*path, "spec"))
    elif kind == "Service":
        _keep_service_spec(keeper, spec)
    elif kind == "Namespace":
        keeper.default(spec, "finalizers", ["kubernetes"], ("spec",))
        if not spec:
            del kept["spec"]


def _keep_service_spec(keeper: _Keeper, spec: dict[str, Any]) -> None:
    path = ("spec",)
    if spec.get("clusterIP") != "None":
        for key in ("clusterIP", "clusterIPs"):
            if key in spec:
                keeper.drop(spec, key, path, "assigned by the cluster")
    elif spec.get("clusterIPs") == ["None"]:
        keeper.drop(spec, "clusterIPs", path, "set by the API server from clusterIP")
    for key, default in SERVICE_SPEC_DEFAULTS.items():
        keeper.default(spec, key, default, path)
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        keeper.default(spec, "externalTrafficPolicy", "Cluster", path)
    if spec.get("type") == "LoadBalancer":
        keeper.default(spec, "allocateLoadBalancerNodePorts", True, path)
    keeper.default(spec, "sessionAffinityConfig", {"clientIP": {"timeoutSeconds": 10800}}, path)
    if spec.get("ipFamilyPolicy") == "SingleStack":
        # The cluster's primary family, chosen by the API server.
        keeper.drop(spec, "ipFamilyPolicy", path, "the API server's default")
        if isinstance(spec.get("ipFamilies"), list) and len(spec["ipFamilies"]) == 1:
            keeper.drop(spec, "ipFamilies", path, "the cluster's primary IP family")


def _keep_pod_spec(keeper: _Keeper, spec: dict[str, Any], path: tuple[str | int, ...], *, pod: bool) -> None:
    if pod and "nodeName" in spec:
        keeper.drop(spec, "nodeName", path, "assigned by the scheduler")
    account = spec.get("serviceAccountName")
    if "serviceAccount" in spec and spec["serviceAccount"] == account:
        keeper.drop(spec, "serviceAccount", path, "the deprecated copy of serviceAccountName")
    for key, default in POD_SPEC_DEFAULTS.items():
        keeper.default(spec, key, default, path)
    tolerations = spec.get("tolerations")
    if isinstance(tolerations, list) and pod:
        kept = [item for item in tolerations if item not in DEFAULT_TOLERATIONS]
        if len(kept) < len(tolerations):
            if kept:
                keeper.obj.left_out.append(f"{format_path((*path, 'tolerations'))}[...] (added by admission)")
                spec["tolerations"] = kept
            else:
                keeper.drop(spec, "tolerations", path, "added by admission")
    token_volumes = set()
    volumes = spec.get("volumes")
    if isinstance(volumes, list):
        for volume in volumes:
            if isinstance(volume, dict) and _is_token_volume(volume, spec):
                token_volumes.add(volume.get("name"))
    lists = [key for key in ("initContainers", "containers") if isinstance(spec.get(key), list)]
    for key in lists:
        for i, container in enumerate(spec[key]):
            if isinstance(container, dict):
                _keep_container(keeper, container, (*path, key, i), token_volumes)
    if isinstance(volumes, list):
        remaining = []
        for i, volume in enumerate(volumes):
            if isinstance(volume, dict) and volume.get("name") in token_volumes:
                keeper.obj.left_out.append(
                    f"{format_path((*path, 'volumes', i))} (the service-account token, mounted by admission)"
                )
                continue
            if isinstance(volume, dict):
                for source in VOLUME_DEFAULT_MODES:
                    keeper.default(volume.get(source), "defaultMode", 420, (*path, "volumes", i, source))
            remaining.append(volume)
        if remaining:
            spec["volumes"] = remaining
        else:
            del spec["volumes"]


def _is_token_volume(volume: Mapping[str, Any], spec: Mapping[str, Any]) -> bool:
    """The volume the ServiceAccount admission plugin adds for the token."""
    name = str(volume.get("name", ""))
    mounted = any(
        isinstance(mount, Mapping) and mount.get("name") == name and mount.get("mountPath") == SERVICE_ACCOUNT_MOUNT
        for container in spec.get("containers") or []
        if isinstance(container, Mapping)
        for mount in container.get("volumeMounts") or []
    )
    if not mounted:
        return False
    if name.startswith("kube-api-access-") and "projected" in volume:
        return True
    secret = volume.get("secret")
    return isinstance(secret, Mapping) and "-token-" in str(secret.get("secretName", ""))


def _keep_container(keeper: _Keeper, container: dict[str, Any], path: tuple[str | int, ...], tokens: set[Any]) -> None:
    for field_name, default in CONTAINER_DEFAULTS.items():
        keeper.default(container, field_name, default, path)
    keeper.default(container, "imagePullPolicy", _default_pull_policy(container.get("image")), path)
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        handler = container.get(probe)
        if isinstance(handler, dict):
            for field_name, number in PROBE_DEFAULTS.items():
                keeper.default(handler, field_name, number, (*path, probe))
            keeper.default(handler.get("httpGet"), "scheme", "HTTP", (*path, probe, "httpGet"))
    env = container.get("env")
    for i, variable in enumerate(env if isinstance(env, list) else []):
        source = variable.get("valueFrom") if isinstance(variable, dict) else None
        if isinstance(source, dict):
            keeper.default(source.get("fieldRef"), "apiVersion", "v1", (*path, "env", i, "valueFrom", "fieldRef"))
    mounts = container.get("volumeMounts")
    if isinstance(mounts, list) and tokens:
        kept = [m for m in mounts if not (isinstance(m, dict) and m.get("name") in tokens)]
        if len(kept) < len(mounts):
            keeper.obj.left_out.append(
                f"{format_path((*path, 'volumeMounts'))}[...] (the service-account token, mounted by admission)"
            )
            if kept:
                container["volumeMounts"] = kept
            else:
                del container["volumeMounts"]


def _default_pull_policy(image: Any) -> str:
    """The API server's imagePullPolicy for an image: Always for ":latest"
    or no tag, else IfNotPresent."""
    if not isinstance(image, str):
        return ""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _drop_nulls(obj: SourceObject, value: Any, path: tuple[str | int, ...]) -> None:
    """A null field is an absent one to the API server: leave it out."""
    if isinstance(value, dict):
        for key in [key for key, item in value.items() if item is None]:
            del value[key]
            obj.left_out.append(f"{format_path((*path, key))} (null, the same as absent)")
        for key, item in value.items():
            _drop_nulls(obj, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _drop_nulls(obj, item, (*path, index))


# --- camelCase fields to the library's snake_case arguments ------------------------


def from_wire(value: Any, cls: str | None, path: tuple[str | int, ...]) -> Any:
    """`components._wire.from_wire`, a field it does not know reported as
    one the library cannot express."""
    try:
        return _wire.from_wire(value, cls, path)
    except _wire.NotAField as error:
        raise _CannotExpress(
            format_path(error.path),
            f"is not a field of {error.owner} in pulumi_kubernetes {_k8s_version()}; a newer pulumi_kubernetes"
            " may know it",
        ) from None


def _k8s_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pulumi_kubernetes")
    except PackageNotFoundError:  # pragma: no cover - installed with the library
        return "(unknown version)"


# --- reading Services and workloads --------------------------------------------------


def _only(value: Any, allowed: Sequence[str], path: tuple[str | int, ...], why: str) -> dict[str, Any]:
    """``value`` must be a mapping with only ``allowed`` keys."""
    if not isinstance(value, dict):
        raise _CannotExpress(format_path(path), f"must be a mapping, not {_a(value)}")
    for key in value:
        if key not in allowed:
            raise _CannotExpress(format_path((*path, key)), why)
    return value


def _labels(value: Any, path: tuple[str | int, ...]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
        raise _CannotExpress(format_path(path), "must be a mapping of strings")
    return dict(value)


_METADATA_KEYS: Final = ("name", "namespace", "labels", "annotations")
_NO_METADATA_ARGUMENT: Final = "k8s-services has no argument for this metadata field"


def _read_metadata(obj: SourceObject, path: tuple[str | int, ...] = ("metadata",)) -> dict[str, Any]:
    metadata = obj.kept.get("metadata")
    if metadata is None:
        raise _CannotExpress("metadata", "is missing: every object the library builds has a name")
    metadata = _only(metadata, _METADATA_KEYS, path, _NO_METADATA_ARGUMENT)
    if not isinstance(metadata.get("name"), str) or not metadata["name"]:
        raise _CannotExpress(
            "metadata.name", "is missing: the library names every object (generateName is not supported)"
        )
    if "namespace" in metadata and not isinstance(metadata["namespace"], str):
        raise _CannotExpress("metadata.namespace", "must be a string")
    for key in ("labels", "annotations"):
        if key in metadata:
            _labels(metadata[key], (*path, key))
    return metadata


def _check_top_level(obj: SourceObject, allowed: Sequence[str]) -> None:
    for key in obj.kept:
        if key not in ("apiVersion", "kind", "metadata", *allowed):
            raise _CannotExpress(key, f"k8s-services has no argument for a {obj.kind}'s '{key}'")
    expected = API_VERSIONS[obj.kind]
    if obj.kept["apiVersion"] != expected:
        raise _CannotExpress(
            "apiVersion",
            f"{json.dumps(obj.kept['apiVersion'])}: the library creates {obj.kind} objects as {expected}; convert the"
            " manifest first",
        )


_SERVICE_OPTION_ARGS: Final = {camel: snake for snake, camel in SERVICE_OPTIONS.items()}
_PORT_ARGS: Final = {camel: snake for snake, camel in PORT_FIELDS.items()}
_SERVICE_REFUSED: Final = {
    "externalIPs": "k8s-services refuses externalIPs (CVE-2020-8554)",
    "clusterIP": "a fixed cluster IP cannot be set: the library leaves it to the cluster",
    "clusterIPs": "fixed cluster IPs cannot be set: the library leaves them to the cluster",
    "loadBalancerIP": "deprecated since Kubernetes 1.24, and k8s-services has no argument for it",
}


@dataclass
class _Service:
    obj: SourceObject
    type: str
    selector: dict[str, str] | None
    args: dict[str, Any]


def _read_service(obj: SourceObject) -> _Service:
    _check_top_level(obj, ("spec",))
    metadata = _read_metadata(obj)
    spec = obj.kept.get("spec", {})
    if not isinstance(spec, dict):
        raise _CannotExpress("spec", f"must be a mapping, not {_a(spec)}")
    service_type = spec.get("type", "ClusterIP")
    if service_type not in SERVICE_TYPES:
        raise _CannotExpress("spec.type", f"{json.dumps(service_type)} is not a Service type")
    args: dict[str, Any] = {"service_name": metadata["name"]}
    if "namespace" in metadata:
        args["namespace"] = metadata["namespace"]
    if "labels" in metadata:
        args["service_labels"] = dict(metadata["labels"])
    if "annotations" in metadata:
        args["service_annotations"] = dict(metadata["annotations"])
    selector = None
    if "selector" in spec:
        selector = _labels(spec["selector"], ("spec", "selector"))
    if service_type == "ExternalName":
        if "externalName" not in spec:
            raise _CannotExpress("spec.externalName", "is missing: an ExternalName Service needs one")
        args["external_name"] = spec["externalName"]
        if selector:
            raise _CannotExpress("spec.selector", "an ExternalName Service selects no Pods; remove it")
    elif not selector:
        raise _CannotExpress(
            "spec.selector",
            "is missing: a Service without a selector has hand-maintained endpoints; every Service the library"
            " builds selects Pods (or is an ExternalName)",
        )
    ports = spec.get("ports", [])
    if not isinstance(ports, list):
        raise _CannotExpress("spec.ports", "must be a list")
    args["ports"] = [_read_port(port, i, service_type) for i, port in enumerate(ports)]
    if not args["ports"]:
        del args["ports"]
    for key, value in spec.items():
        path = f"spec.{key}"
        if key in ("type", "selector", "ports", "externalName"):
            continue
        if key == "clusterIP" and value == "None" and service_type == "ClusterIP":
            args["headless"] = True
        elif key == "clusterIPs" and value == ["None"] and service_type == "ClusterIP":
            continue  # the API server's copy of clusterIP
        elif key == "sessionAffinityConfig":
            timeout = value.get("clientIP") if isinstance(value, dict) and len(value) == 1 else None
            if not isinstance(timeout, dict) or set(timeout) != {"timeoutSeconds"}:
                raise _CannotExpress(path, "only clientIP.timeoutSeconds can be set (session_affinity_timeout_seconds)")
            args["session_affinity_timeout_seconds"] = timeout["timeoutSeconds"]
        elif key in _SERVICE_OPTION_ARGS:
            args[_SERVICE_OPTION_ARGS[key]] = value
        else:
            raise _CannotExpress(path, _SERVICE_REFUSED.get(key, "k8s-services has no argument for it"))
    return _Service(obj, service_type, selector, args)


def _read_port(port: Any, index: int, service_type: str) -> dict[str, Any]:
    path: tuple[str | int, ...] = ("spec", "ports", index)
    port = _only(port, tuple(_PORT_ARGS), path, "k8s-services has no argument for this port field")
    out = {_PORT_ARGS[camel]: port[camel] for camel in PORT_FIELDS.values() if camel in port}
    if "targetPort" not in port and service_type != "ExternalName" and "port" in port:
        # Kubernetes' default; the library would otherwise infer it from the container ports.
        out["target_port"] = port["port"]
    return out


@dataclass
class _Workload:
    obj: SourceObject
    kind: str
    labels: dict[str, str]
    """The object's own labels (a Pod's are its Pod labels)."""
    annotations: dict[str, str]
    pod_labels: dict[str, str]
    pod_annotations: dict[str, str]
    containers: list[Any]
    pod_spec: dict[str, Any]
    replicas: Any
    match_labels: dict[str, str] | None
    service_name: Any
    workload_spec: dict[str, Any]
    profile: str


def _read_workload(obj: SourceObject) -> _Workload:
    kind = obj.kind
    _check_top_level(obj, ("spec",))
    metadata = _read_metadata(obj)
    if "spec" not in obj.kept or not isinstance(obj.kept["spec"], dict):
        raise _CannotExpress("spec", "is missing")
    spec = obj.kept["spec"]
    labels = dict(metadata.get("labels", {}))
    annotations = dict(metadata.get("annotations", {}))
    replicas = match_labels = service_name = None
    workload_spec: dict[str, Any] = {}
    pod_spec: Any
    pod_path: tuple[str | int, ...]
    if kind == "Pod":
        pod_labels, pod_annotations = labels, annotations
        pod_spec, pod_path = spec, ("spec",)
    else:
        template = _only(
            spec.get("template"), ("metadata", "spec"), ("spec", "template"), "the Pod template has no other fields"
        )
        template_metadata = _only(
            template.get("metadata", {}),
            ("labels", "annotations"),
            ("spec", "template", "metadata"),
            "k8s-services sets only the labels and annotations of a Pod template",
        )
        pod_labels = _labels(template_metadata.get("labels", {}), ("spec", "template", "metadata", "labels"))
        pod_annotations = _labels(
            template_metadata.get("annotations", {}), ("spec", "template", "metadata", "annotations")
        )
        pod_spec, pod_path = template.get("spec"), ("spec", "template", "spec")
        if not isinstance(pod_spec, dict):
            raise _CannotExpress("spec.template.spec", "is missing")
        selector = _only(
            spec.get("selector"),
            ("matchLabels",),
            ("spec", "selector"),
            "k8s-services selects Pods with matchLabels only",
        )
        match_labels = _labels(selector.get("matchLabels"), ("spec", "selector", "matchLabels"))
        replicas = spec.get("replicas")
        service_name = spec.get("serviceName")
        rest = {key: value for key, value in spec.items() if key not in BUILT_SPEC_FIELDS}
        if "replicas" in spec and kind not in ("Deployment", "StatefulSet"):
            raise _CannotExpress("spec.replicas", f"a {kind} has no replicas")
        workload_spec = from_wire(rest, WORKLOAD_SPEC_ARGS[kind], ("spec",))
    if pod_spec.get("ephemeralContainers"):
        raise _CannotExpress(
            format_path((*pod_path, "ephemeralContainers")),
            "ephemeral containers are added to running Pods with `kubectl debug`, never created",
        )
    containers = pod_spec.get("containers")
    if not isinstance(containers, list) or not containers:
        raise _CannotExpress(format_path((*pod_path, "containers")), "must list at least one container")
    snake_containers = from_wire(containers, "core.v1.ContainerArgs", (*pod_path, "containers"))
    rest = {key: value for key, value in pod_spec.items() if key != "containers"}
    snake_spec = from_wire(rest, "core.v1.PodSpecArgs", pod_path)
    return _Workload(
        obj=obj,
        kind=kind,
        labels=labels,
        annotations=annotations,
        pod_labels=pod_labels,
        pod_annotations=pod_annotations,
        containers=snake_containers,
        pod_spec=snake_spec,
        replicas=replicas,
        match_labels=match_labels,
        service_name=service_name,
        workload_spec=workload_spec,
        profile=_profile(obj),
    )


def _profile(obj: SourceObject) -> str:
    """The strictest Pod Security Standards level the Pods pass as they are."""
    if not pod_security.check_pod_security(obj.kept, "restricted"):
        return "restricted"
    problems = pod_security.check_pod_security(obj.kept, "baseline")
    if not problems:
        return "baseline"
    failed = "; ".join(f"{format_path(problem.path)}: {problem.reason}" for problem in problems)
    raise _CannotExpress(
        "", f'its Pods fail Pod Security Standards "baseline", the least every bundle passes: {failed}'
    )


# --- grouping objects into bundles ----------------------------------------------------


@dataclass
class _Bundle:
    name: str
    service: _Service
    entry: dict[str, Any]
    objects: list[SourceObject]
    """The input objects the bundle reproduces."""
    workloads: list[_Workload] = field(default_factory=list)
    target: str | None = None
    """The bundle whose Pods this one's Service selects."""


def _pod_labels_of(obj: SourceObject) -> dict[str, Any]:
    """The Pod labels of a workload as written, even one not importable."""
    kept = obj.kept
    metadata = kept.get("metadata") if obj.kind == "Pod" else None
    if obj.kind != "Pod":
        spec = kept.get("spec")
        template = spec.get("template") if isinstance(spec, dict) else None
        metadata = template.get("metadata") if isinstance(template, dict) else None
    labels = metadata.get("labels") if isinstance(metadata, dict) else None
    return labels if isinstance(labels, dict) else {}


def _selects(service: SourceObject, workload: SourceObject) -> bool:
    """Whether a Service, even one not importable, selects the workload's Pods."""
    spec = service.kept.get("spec")
    selector = spec.get("selector") if isinstance(spec, dict) else None
    if not isinstance(selector, dict) or not selector or service.namespace != workload.namespace:
        return False
    labels = _pod_labels_of(workload)
    return all(labels.get(key) == value for key, value in selector.items())


def _pod_spec_of(obj: SourceObject) -> dict[str, Any]:
    spec = obj.kept.get("spec")
    if obj.kind != "Pod" and isinstance(spec, dict):
        template = spec.get("template")
        spec = template.get("spec") if isinstance(template, dict) else None
    return spec if isinstance(spec, dict) else {}


def _owner_of(obj: SourceObject) -> str | None:
    """The controller that manages the object, from its ownerReferences."""
    metadata = obj.manifest.get("metadata")
    references = metadata.get("ownerReferences") if isinstance(metadata, dict) else None
    for reference in references if isinstance(references, list) else []:
        if isinstance(reference, dict) and reference.get("controller") is True:
            return f"{reference.get('kind')} {json.dumps(reference.get('name'))}"
    return None


def _names(objects: Sequence[SourceObject]) -> str:
    labels = [obj.label for obj in objects]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _shares_pods_with(service: _Service) -> Any:
    """The Service whose Pods this one says it selects on purpose, if any."""
    return service.args.get("service_annotations", {}).get(SHARES_PODS_ANNOTATION)


def _without(holder: dict[str, Any], key: str, items: Mapping[str, Any]) -> None:
    """Take out of ``holder[key]`` the annotations the library sets itself
    (with the same values), and the key once empty."""
    given = holder.get(key)
    if not isinstance(given, dict):
        return
    kept = {name: value for name, value in given.items() if items.get(name, object()) != value}
    if kept:
        holder[key] = kept
    else:
        del holder[key]


def _common(mappings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The items every mapping has, with the same value."""
    first, *rest = mappings
    return {key: value for key, value in first.items() if all(key in m and m[key] == value for m in rest)}


class _Planner:
    """Objects in, bundles out; every object either lands in a bundle (or
    the namespaces) or is refused with the reason."""

    def __init__(self, objects: list[SourceObject]) -> None:
        self.objects = objects
        self.refused: dict[int, str] = {}
        self.bundles: dict[str, _Bundle] = {}
        self.namespaces: dict[str, tuple[SourceObject, dict[str, Any]]] = {}
        self.owner: dict[int, str] = {}
        """id(object) -> the bundle it belongs to."""

    def refuse(self, obj: SourceObject, reason: str) -> None:
        self.refused.setdefault(id(obj), reason)

    def is_refused(self, obj: SourceObject) -> bool:
        return id(obj) in self.refused

    # -- the whole plan --

    def plan(self) -> None:
        seen: dict[tuple[str, str, str], SourceObject] = {}
        candidates: list[SourceObject] = []
        for obj in self.objects:
            owner = _owner_of(obj)
            if obj.key in seen and obj.name:
                self.refuse(obj, f"appears twice in the input (first at {seen[obj.key].where}); keep one")
            elif owner is not None:
                self.refuse(
                    obj, f"is managed by {owner} (metadata.ownerReferences), which recreates it; import that instead"
                )
            else:
                seen.setdefault(obj.key, obj)
                candidates.append(obj)
        services: list[_Service] = []
        workloads: list[SourceObject] = []
        readable: dict[int, _Workload] = {}
        for obj in candidates:
            try:
                if obj.kind == "Service":
                    services.append(_read_service(obj))
                elif obj.kind in WORKLOAD_KINDS:
                    workloads.append(obj)
                    readable[id(obj)] = _read_workload(obj)
                elif obj.kind not in ("ServiceAccount", "PodDisruptionBudget", "Namespace"):
                    self.refuse(
                        obj,
                        f"k8s-services has no argument for a {obj.kind}: it builds Services with their workloads,"
                        " ServiceAccounts and PodDisruptionBudgets, and Namespaces; keep managing it as it is",
                    )
            except _CannotExpress as error:
                self.refuse(obj, f"cannot be expressed: {error}")
        self._group(services, workloads, readable)
        unusable = [obj for obj in candidates if obj.kind == "Service" and self.is_refused(obj)]
        for obj in workloads:
            if id(obj) in self.owner:
                continue
            selecting = [service for service in unusable if _selects(service, obj)]
            if selecting:
                self.refuse(obj, f"is selected only by {_names(selecting)}, which is not imported (see there)")
            else:
                self.refuse(
                    obj,
                    "no Service of the input selects its Pods: the library builds a workload only as the Pods of a"
                    " Service's bundle",
                )
        for obj in candidates:
            if self.is_refused(obj):
                continue
            try:
                if obj.kind == "ServiceAccount":
                    self._service_account(obj, workloads)
                elif obj.kind == "PodDisruptionBudget":
                    self._disruption_budget(obj)
            except _CannotExpress as error:
                self.refuse(obj, f"cannot be expressed: {error}")
        for obj in candidates:
            if obj.kind == "Namespace" and not self.is_refused(obj):
                try:
                    self._namespace(obj)
                except _CannotExpress as error:
                    self.refuse(obj, f"cannot be expressed: {error}")

    # -- Services and the workloads they select --

    def _group(self, services: list[_Service], workloads: list[SourceObject], readable: dict[int, _Workload]) -> None:
        groups: dict[tuple[int, ...], list[_Service]] = {}
        for service in services:
            if service.type == "ExternalName":
                self._add_bundle(service, [], None)
                continue
            assert service.selector is not None
            selected = tuple(
                id(obj)
                for obj in workloads
                if obj.namespace == service.obj.namespace
                and all(_pod_labels_of(obj).get(key) == value for key, value in service.selector.items())
            )
            if not selected:
                self._add_bundle(service, [], None)
            else:
                groups.setdefault(selected, []).append(service)
        by_id = {id(obj): obj for obj in workloads}
        claimed: dict[int, _Service] = {}
        for selected, group in groups.items():
            objs = [by_id[i] for i in selected]
            taken = [claimed[i] for i in selected if i in claimed]
            if taken:
                for service in group:
                    self.refuse(
                        service.obj,
                        f"selects the Pods of {_names(objs)}, and {taken[0].obj.label} selects some of them with"
                        " other Pods; the library gives each workload one bundle, whose Services select exactly its"
                        " Pods",
                    )
                continue
            for i in selected:
                claimed[i] = group[0]
            self._bundle_group(group, objs, readable)

    def _bundle_group(self, group: list[_Service], objs: list[SourceObject], readable: dict[int, _Workload]) -> None:
        unreadable = [obj for obj in objs if id(obj) not in readable]
        if unreadable:
            for service in group:
                self.refuse(service.obj, f"selects the Pods of {_names(unreadable)}, which is not imported (see there)")
            for obj in objs:
                self.refuse(
                    obj,
                    f"is selected with {_names(unreadable)} by {_names([s.obj for s in group])}, which is not imported",
                )
            return
        loads = [readable[id(obj)] for obj in objs]
        owner = self._owner(group, loads)
        try:
            entry = self._workload_entry(owner, loads)
        except _CannotExpress as error:
            for service in group:
                self.refuse(service.obj, f"cannot be expressed with the Pods it selects: {error}")
            for obj in objs:
                self.refuse(
                    obj, f"is not imported with {_names([s.obj for s in group])}, which selects its Pods (see there)"
                )
            return
        name = self._add_bundle(owner, loads, entry)
        for service in group:
            if service is owner:
                continue
            if service.selector != owner.selector:
                self.refuse(
                    service.obj,
                    f"selects the Pods of {_names(objs)}, as {owner.obj.label} does, but with another selector"
                    f" ({json.dumps(service.selector)}, not {json.dumps(owner.selector)}); a second Service of a"
                    " bundle's Pods (a 'target' bundle) selects with the bundle's selector",
                )
                continue
            if (
                entry.get("governing_service_name") == service.obj.name
                and service.args.get("headless") is True
                and _shares_pods_with(service) == owner.obj.name
            ):
                # The headless Service the bundle creates to govern its StatefulSet.
                self._attach(self.bundles[name], service.obj)
                continue
            self._add_bundle(service, [], None, target=name)

    @staticmethod
    def _owner(group: list[_Service], loads: list[_Workload]) -> _Service:
        """The Service whose bundle owns the workloads: of those that do not
        say they share another one's Pods, the one a StatefulSet names as
        its governing Service, else a ClusterIP one, else the first."""
        names = {service.obj.name for service in group}
        candidates = [
            service
            for service in group
            if _shares_pods_with(service) not in names or _shares_pods_with(service) == service.obj.name
        ] or group
        governing = {load.service_name for load in loads if load.kind == "StatefulSet"}
        for service in candidates:
            if service.obj.name in governing:
                return service
        return next((service for service in candidates if service.type == "ClusterIP"), candidates[0])

    def _bundle_name(self, service: _Service) -> str:
        """The Service's ``app.kubernetes.io/name`` label, which the library
        sets from the bundle's name, else its name; unique in the stack."""
        label = service.args.get("service_labels", {}).get(NAME_LABEL)
        if isinstance(label, str) and label and "::" not in label and label not in self.bundles:
            return label
        name = service.obj.name
        if name in self.bundles:
            name = f"{name}-{service.obj.namespace}"
        suffix = 2
        while name in self.bundles:
            name, suffix = f"{service.obj.name}-{service.obj.namespace}-{suffix}", suffix + 1
        return name

    def _add_bundle(
        self, service: _Service, loads: list[_Workload], entry: dict[str, Any] | None, *, target: str | None = None
    ) -> str:
        name = self._bundle_name(service)
        full: dict[str, Any] = {"type": service.type, **service.args}
        # What the library annotates for the arguments that say it.
        library: dict[str, Any] = {}
        if target is not None:
            full["target"] = target
            full.pop("namespace", None)  # the target's
            library[SHARES_PODS_ANNOTATION] = self.bundles[target].service.obj.name
        elif entry is None and service.type != "ExternalName":
            full["external_pods"] = True
            full["selector"] = service.selector
            library[EXTERNAL_PODS_ANNOTATION] = "true"
        if full.get("service_annotations", {}).get(SKIP_AWAIT_ANNOTATION) == "true":
            full["skip_await"] = True
            library[SKIP_AWAIT_ANNOTATION] = "true"
        _without(full, "service_annotations", library)
        if entry is not None:
            full.update(entry)
            version_of = {VERSION_OF_ANNOTATION: name}
            for holder in [full, *full.get("versions", {}).values()]:
                _without(holder, "workload_annotations", version_of)
                _without(holder, "pod_annotations", version_of)
        bundle = _Bundle(name, service, full, [service.obj, *(load.obj for load in loads)], loads, target)
        self.bundles[name] = bundle
        for obj in bundle.objects:
            self.owner[id(obj)] = name
        return name

    def _workload_entry(self, owner: _Service, loads: list[_Workload]) -> dict[str, Any]:
        assert owner.selector is not None
        selector = owner.selector
        kinds = {load.kind for load in loads}
        if len(kinds) > 1:
            raise _CannotExpress(
                "",
                f"{_names([load.obj for load in loads])} are workloads of different kinds, so not versions of one"
                " application",
            )
        kind = loads[0].kind
        entry: dict[str, Any] = {
            "workload": kind,
            "pod_security": "baseline" if any(load.profile == "baseline" for load in loads) else "restricted",
            "selector": dict(selector),
        }
        label = self._version_label(selector, loads)
        if label is None:
            [load] = loads
            entry["workload_name"] = load.obj.name
            self._pod_parts(entry, load)
            pod_labels = {k: v for k, v in load.pod_labels.items() if k not in selector}
            if pod_labels:
                entry["pod_labels"] = pod_labels
        else:
            self._versions(entry, selector, label, loads)
        own_labels = [self._workload_labels(load) for load in loads]
        if kind != "Pod":
            if any(labels != own_labels[0] for labels in own_labels):
                raise _CannotExpress(
                    "metadata.labels",
                    "the versions' workloads carry different labels of their own; 'workload_labels' is the bundle's",
                )
            if own_labels[0]:
                entry["workload_labels"] = own_labels[0]
            annotations = [load.annotations for load in loads]
            if any(item != annotations[0] for item in annotations):
                raise _CannotExpress(
                    "metadata.annotations",
                    "the versions' workloads carry different annotations; 'workload_annotations' is the bundle's",
                )
            if annotations[0]:
                entry["workload_annotations"] = annotations[0]
            specs = [load.workload_spec for load in loads]
            if any(spec != specs[0] for spec in specs):
                raise _CannotExpress("spec", "the versions' workload specs differ; 'workload_spec' is the bundle's")
            if specs[0]:
                entry["workload_spec"] = specs[0]
        if kind == "StatefulSet":
            self._governing(entry, owner, loads)
        return entry

    @staticmethod
    def _workload_labels(load: _Workload) -> dict[str, str]:
        """The workload's own labels beyond its Pod labels (which it gets anyway)."""
        if load.kind == "Pod":
            return {}
        return {key: value for key, value in load.labels.items() if load.pod_labels.get(key) != value}

    @staticmethod
    def _version_label(selector: Mapping[str, str], loads: list[_Workload]) -> str | None:
        """The Pod label that tells the workloads apart as versions; None for
        one workload selected with exactly the Service's selector."""
        if len(loads) == 1 and (loads[0].match_labels is None or loads[0].match_labels == selector):
            return None
        candidates = []
        for key in sorted({key for load in loads for key in load.pod_labels} - set(selector)):
            values = [load.pod_labels.get(key) for load in loads]
            if None in values or len(set(values)) != len(values):
                continue
            if all(
                load.match_labels is None or load.match_labels == {**selector, key: load.pod_labels[key]}
                for load in loads
            ):
                candidates.append(key)
        if not candidates:
            what = _names([load.obj for load in loads])
            if len(loads) == 1:
                raise _CannotExpress(
                    "spec.selector.matchLabels",
                    f"{json.dumps(loads[0].match_labels)} of {what} is neither the Service's selector"
                    f" {json.dumps(dict(selector))} nor that selector plus one version label, which is how the"
                    " library's workloads select their Pods",
                )
            raise _CannotExpress(
                "",
                f"{what} are not versions of one application: no Pod label tells them apart with one value each"
                " while each selects its Pods with the Service's selector plus that label",
            )
        return "version" if "version" in candidates else candidates[0]

    @staticmethod
    def _pod_parts(entry: dict[str, Any], load: _Workload) -> None:
        """The Pods of a bundle with one workload."""
        entry["containers"] = load.containers
        if load.pod_spec:
            entry["pod_spec"] = load.pod_spec
        if load.replicas is not None:
            entry["replicas"] = load.replicas
        if load.pod_annotations:
            entry["pod_annotations"] = load.pod_annotations

    def _versions(self, entry: dict[str, Any], selector: Mapping[str, str], label: str, loads: list[_Workload]) -> None:
        names = {load.pod_labels[label]: load for load in loads}
        if label != "version":
            entry["version_label"] = label
        bases = {load.obj.name.removesuffix(f"-{version}") for version, load in names.items()}
        fits = len(bases) == 1 and all(load.obj.name.endswith(f"-{version}") for version, load in names.items())
        base = bases.pop() if fits else None
        if base:
            entry["workload_name"] = base
        versions: dict[str, dict[str, Any]] = {version: {} for version in names}
        if not base:
            for version, load in names.items():
                versions[version]["workload_name"] = load.obj.name
        for key in ("containers", "pod_spec", "replicas"):
            values = {version: getattr(load, key) for version, load in names.items()}
            first = next(iter(values.values()))
            if all(value == first for value in values.values()):
                if first not in (None, {}):
                    entry[key] = first
            else:
                for version, value in values.items():
                    if value is not None:
                        versions[version][key] = value
        for key, attr in (("pod_labels", "pod_labels"), ("pod_annotations", "pod_annotations")):
            own = {
                version: {
                    k: v for k, v in getattr(load, attr).items() if key != "pod_labels" or k not in (*selector, label)
                }
                for version, load in names.items()
            }
            shared = _common(list(own.values()))
            if shared:
                entry[key] = shared
            for version, values in own.items():
                rest = {k: v for k, v in values.items() if k not in shared}
                if rest:
                    versions[version][key] = rest
        entry["versions"] = versions

    @staticmethod
    def _governing(entry: dict[str, Any], owner: _Service, loads: list[_Workload]) -> None:
        """A StatefulSet's spec.serviceName: the bundle's headless Service, or
        the headless Service the bundle creates (``governing_service_name``)."""
        names = {load.service_name for load in loads}
        if len(names) > 1:
            raise _CannotExpress("spec.serviceName", "the versions name different governing Services")
        [service_name] = names
        own = owner.obj.name
        headless = owner.args.get("headless") is True
        if headless:
            if service_name not in (None, own):
                raise _CannotExpress(
                    "spec.serviceName",
                    f"{json.dumps(service_name)} is not {json.dumps(own)}, the headless Service that selects its Pods,"
                    " which the library makes its governing Service",
                )
        elif service_name == own:
            raise _CannotExpress(
                "spec.serviceName",
                f"names Service {json.dumps(own)}, which is not headless; the library governs a StatefulSet with"
                " a headless Service",
            )
        elif service_name is not None:
            entry["governing_service_name"] = service_name

    # -- ServiceAccounts, disruption budgets, namespaces --

    def _service_account(self, obj: SourceObject, workloads: list[SourceObject]) -> None:
        _check_top_level(obj, ("automountServiceAccountToken",))
        metadata = _read_metadata(obj)
        users = [
            load
            for load in workloads
            if load.namespace == obj.namespace and _pod_spec_of(load).get("serviceAccountName") == obj.name
        ]
        deprecated = [
            load
            for load in workloads
            if load.namespace == obj.namespace and _pod_spec_of(load).get("serviceAccount") == obj.name
        ]
        if deprecated:
            raise _CannotExpress(
                "",
                f"{_names(deprecated)} name it in the deprecated field serviceAccount; the library sets"
                " serviceAccountName",
            )
        if not users:
            self.refuse(
                obj,
                "no workload of the input runs as it: the library creates a ServiceAccount only for a bundle's Pods",
            )
            return
        outside = [load for load in users if id(load) not in self.owner or self.is_refused(load)]
        if outside:
            verbs = ("runs", "is") if len(outside) == 1 else ("run", "are")
            self.refuse(
                obj,
                f"{_names(outside)} {verbs[0]} as it and {verbs[1]} not imported; the library creates a"
                " ServiceAccount for one bundle's Pods",
            )
            return
        bundles = sorted({self.owner[id(load)] for load in users})
        if len(bundles) > 1:
            self.refuse(
                obj,
                f"the Pods of bundles {', '.join(bundles)} run as it; the library creates a ServiceAccount for one"
                " bundle's Pods",
            )
            return
        bundle = self.bundles[bundles[0]]
        if len(users) < len(bundle.workloads):
            self.refuse(
                obj, f"only some of bundle {bundle.name}'s versions run as it; the ServiceAccount is the bundle's"
            )
            return
        account: dict[str, Any] = {"name": obj.name}
        for key in ("labels", "annotations"):
            if key in metadata:
                account[key] = dict(metadata[key])
        if "automountServiceAccountToken" in obj.kept:
            account["automount_service_account_token"] = obj.kept["automountServiceAccountToken"]
        entry = bundle.entry
        entry["service_account"] = account
        for spec_owner in [entry, *entry.get("versions", {}).values()]:
            pod_spec = spec_owner.get("pod_spec")
            if isinstance(pod_spec, dict) and "service_account_name" in pod_spec:
                pod_spec = {key: value for key, value in pod_spec.items() if key != "service_account_name"}
                if pod_spec or spec_owner is not entry:
                    spec_owner["pod_spec"] = pod_spec
                else:
                    del spec_owner["pod_spec"]
        self._attach(bundle, obj)

    def _attach(self, bundle: _Bundle, obj: SourceObject) -> None:
        bundle.objects.append(obj)
        self.owner[id(obj)] = bundle.name

    def _disruption_budget(self, obj: SourceObject) -> None:
        _check_top_level(obj, ("spec",))
        metadata = _read_metadata(obj)
        spec = _only(
            obj.kept.get("spec"),
            ("selector", "minAvailable", "maxUnavailable", "unhealthyPodEvictionPolicy"),
            ("spec",),
            "k8s-services has no argument for this PodDisruptionBudget field",
        )
        selector = _only(
            spec.get("selector"), ("matchLabels",), ("spec", "selector"), "a bundle's budget selects with matchLabels"
        )
        match = _labels(selector.get("matchLabels"), ("spec", "selector", "matchLabels"))
        found = [
            bundle
            for bundle in self.bundles.values()
            if bundle.workloads
            and bundle.entry.get("selector") == match
            and bundle.service.obj.namespace == obj.namespace
        ]
        if not found:
            self.refuse(
                obj,
                f"selects no bundle's Pods with exactly their selector ({json.dumps(match)}): the library builds a"
                " PodDisruptionBudget over one bundle's Pods",
            )
            return
        bundle = found[0]
        if "disruption_budget" in bundle.entry:
            self.refuse(obj, f"bundle {bundle.name} has a PodDisruptionBudget already; keep one")
            return
        expected = bundle.entry["workload_name"] if "workload_name" in bundle.entry else bundle.name
        if obj.name != expected:
            raise _CannotExpress(
                "metadata.name",
                f"{json.dumps(obj.name)}: the library names a bundle's PodDisruptionBudget after its workload"
                f" ({json.dumps(expected)})",
            )
        for key, value in metadata.get("labels", {}).items():
            if key != NAME_LABEL or value != bundle.name:
                raise _CannotExpress(
                    f"metadata.labels[{json.dumps(key)}]",
                    "the library labels a PodDisruptionBudget with app.kubernetes.io/name only",
                )
        if metadata.get("annotations"):
            raise _CannotExpress("metadata.annotations", "the library has no argument for a budget's annotations")
        budget = {
            snake: spec[camel]
            for camel, snake in (
                ("minAvailable", "min_available"),
                ("maxUnavailable", "max_unavailable"),
                ("unhealthyPodEvictionPolicy", "unhealthy_pod_eviction_policy"),
            )
            if camel in spec
        }
        bundle.entry["disruption_budget"] = budget
        self._attach(bundle, obj)

    def _namespace(self, obj: SourceObject) -> None:
        _check_top_level(obj, ())
        metadata = _read_metadata(obj)
        if metadata.get("annotations"):
            raise _CannotExpress("metadata.annotations", "the library has no argument for a namespace's annotations")
        labels = dict(metadata.get("labels", {}))
        prefix = "pod-security.kubernetes.io/"
        level = labels.pop(f"{prefix}enforce", None)
        if level is not None and level not in pod_security.LEVELS:
            raise _CannotExpress(
                f'metadata.labels["{prefix}enforce"]',
                f'{json.dumps(level)}: the library\'s namespaces enforce "baseline" or "restricted"',
            )
        for mode in ("warn", "audit"):
            value = labels.pop(f"{prefix}{mode}", "restricted")
            if value != "restricted":
                raise _CannotExpress(
                    f'metadata.labels["{prefix}{mode}"]',
                    f'{json.dumps(value)}: the library\'s namespaces {mode} at "restricted"',
                )
        if level is None:
            # The weakest profile of the bundles it holds, so that it admits them.
            held = [
                bundle.entry.get("pod_security")
                for bundle in self.bundles.values()
                if bundle.service.obj.namespace == obj.name
            ]
            level = "baseline" if "baseline" in held else "restricted"
        entry: dict[str, Any] = {"pod_security": level}
        if labels:
            entry["labels"] = labels
        self.namespaces[obj.name] = (obj, entry)


# --- the stack config, checked and rendered --------------------------------------------


class _StackDumper(yaml.SafeDumper):
    """YAML both readers of a stack file read alike (k8s_services._stackfile):
    a string the Pulumi CLI (yaml.v3) would read as another type is quoted."""


# Line breaks PyYAML writes raw in single quotes, where a reader folds them.
_UNICODE_BREAKS: Final = re.compile("[\x85\u2028\u2029]")


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    go = _stackfile._go_value(data)
    if not isinstance(go, str) or go != data or _UNICODE_BREAKS.search(data):
        style: str | None = '"'
    else:
        style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_StackDumper.add_representer(str, _represent_str)
HEADER: Final = (
    "# Written by `python -m components import` from existing manifests: review it,\n"
    "# then `python -m components render <stack>` shows what it creates.\n"
)


# The order of a bundle's keys in the stack file: the Service, then its Pods.
ENTRY_ORDER: Final = (
    "type",
    "target",
    "external_pods",
    "namespace",
    "service_name",
    "service_labels",
    "service_annotations",
    "selector",
    "external_name",
    "headless",
    "ports",
    *SERVICE_OPTIONS,
    "session_affinity_timeout_seconds",
    "workload",
    "workload_name",
    "workload_labels",
    "workload_annotations",
    "pod_security",
    "replicas",
    "governing_service_name",
    "service_account",
    "disruption_budget",
    "pod_labels",
    "pod_annotations",
    "containers",
    "pod_spec",
    "workload_spec",
    "version_label",
    "versions",
)


def stack_document(planner: _Planner) -> dict[str, Any]:
    """The stack config: namespaces, then the bundles in the order of their
    Services in the input."""
    config: dict[str, Any] = {}
    if planner.namespaces:
        config[f"{stack.PROJECT}:namespaces"] = {name: entry for name, (_, entry) in planner.namespaces.items()}
    position = {id(obj): index for index, obj in enumerate(planner.objects)}
    bundles = sorted(planner.bundles.values(), key=lambda bundle: position[id(bundle.service.obj)])
    rank = {key: index for index, key in enumerate(ENTRY_ORDER)}
    config[f"{stack.PROJECT}:services"] = {
        bundle.name: dict(sorted(bundle.entry.items(), key=lambda item: rank.get(item[0], len(rank))))
        for bundle in bundles
    }
    return {"config": config}


def dump_document(document: dict[str, Any]) -> str:
    body = yaml.dump(
        document, Dumper=_StackDumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1 << 20
    )
    return HEADER + body


@dataclass
class _Comparison:
    reproduced: int = 0
    differences: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


def _same_scalar(kept: Any, rendered: Any) -> bool:
    if isinstance(kept, bool) or isinstance(rendered, bool):
        return type(kept) is type(rendered) and kept == rendered
    if isinstance(kept, (int, float)) and isinstance(rendered, (int, float)):
        return kept == rendered
    return type(kept) is type(rendered) and bool(kept == rendered)


def compare(kept: Any, rendered: Any, path: tuple[str | int, ...], out: _Comparison) -> None:
    """Every leaf of ``kept`` must be in ``rendered`` with the same value;
    what ``rendered`` has beyond it is listed as added."""
    where = format_path(path) or "the object"
    if isinstance(kept, dict):
        if not isinstance(rendered, dict):
            out.differences.append(f"{where}: the render gives {show(rendered)}, not a mapping")
            return
        if not kept:
            out.reproduced += 1
        for key, value in kept.items():
            if key in rendered:
                compare(value, rendered[key], (*path, key), out)
            else:
                out.differences.append(f"{format_path((*path, key))}: the render leaves it out")
        out.added += [
            f"{format_path(where)} = {show(value)}"
            for key, item in rendered.items()
            if key not in kept
            for where, value in _leaves(item, (*path, key))
        ]
    elif isinstance(kept, list):
        if not isinstance(rendered, list) or len(rendered) != len(kept):
            out.differences.append(f"{where}: the render gives {show(rendered)}, not {show(kept)}")
            return
        if not kept:
            out.reproduced += 1
        for index, (item, other) in enumerate(zip(kept, rendered, strict=True)):
            compare(item, other, (*path, index), out)
    elif _same_scalar(kept, rendered):
        out.reproduced += 1
    else:
        out.differences.append(f"{where}: the render gives {show(rendered)}, not {show(kept)}")


def _rendered_key(manifest: Mapping[str, Any]) -> tuple[str, str, str]:
    metadata = manifest.get("metadata") or {}
    kind = str(manifest.get("kind"))
    namespace = "" if kind == "Namespace" else str(metadata.get("namespace") or "default")
    return (kind, namespace, str(metadata.get("name")))


def _bundle_of(message: str, names: Sequence[str]) -> str | None:
    """The bundle a config error is about: ``services.<bundle>...``."""
    for name in sorted(names, key=len, reverse=True):
        prefix = f"services.{name}"
        if message.startswith(prefix) and message[len(prefix) : len(prefix) + 1] in (".", ":", "["):
            return name
    return None


@dataclass
class ImportResult:
    """What the import made of the input."""

    objects: list[SourceObject]
    refused: list[tuple[SourceObject, str]]
    document: str | None
    """The stack config, None when nothing could be imported."""
    bundles: list[str]
    namespaces: list[str]
    added: list[str]
    """What the render adds beyond the input: the library's defaults."""
    reproduced: int

    @property
    def imported(self) -> int:
        return len(self.objects) - len(self.refused)

    @property
    def fields(self) -> int:
        return sum(leaf_count(obj.manifest) for obj in self.objects)

    @property
    def left_out(self) -> int:
        return sum(obj.left_out_fields for obj in self.objects)

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0

    def report(self) -> str:
        refused_ids = {id(obj) for obj, _ in self.refused}
        in_refused = sum(leaf_count(obj.kept) for obj in self.objects if id(obj) in refused_ids)
        bundles = f"{len(self.bundles)} bundle{'s' if len(self.bundles) != 1 else ''}"
        namespaces = f" and {len(self.namespaces)} namespace{'s' if len(self.namespaces) != 1 else ''}"
        lines = [
            f"import: {self.imported} of {len(self.objects)} objects imported, into {bundles}"
            f"{namespaces if self.namespaces else ''}",
            f"fields: {self.reproduced} of {self.fields} reproduced; {self.left_out} left out as set by the cluster"
            f" or a tool; {in_refused} in objects not imported",
        ]
        if self.refused:
            lines.append(f"not imported ({len(self.refused)}):")
            lines += [f"  {obj.where}: {obj.label}: {reason}" for obj, reason in self.refused]
        if self.added:
            lines.append(f"added by the render, the library's defaults ({len(self.added)}):")
            lines += [f"  {item}" for item in self.added]
        left_out = [(obj, path) for obj in self.objects if id(obj) not in refused_ids for path in obj.left_out]
        if left_out:
            lines.append(f"left out as set by the cluster or a tool ({len(left_out)}):")
            lines += [f"  {obj.label}: {path}" for obj, path in left_out]
        if self.document is None:
            lines.append("nothing imported: no stack config to write")
        return "".join(f"{line}\n" for line in lines)


def _drop(planner: _Planner, name: str, reasons: Mapping[int, str], default: str) -> None:
    """Take bundle ``name`` (and the bundles that target it) out of the plan."""
    bundle = planner.bundles.pop(name, None)
    if bundle is None:
        return
    for obj in bundle.objects:
        planner.refuse(obj, reasons.get(id(obj), default))
    for other in list(planner.bundles.values()):
        if other.target == name:
            _drop(planner, other.name, {}, f"selects the Pods of bundle {name}, which is not imported")


def import_objects(objects: list[SourceObject], stack_name: str = "imported") -> ImportResult:
    """Plan the bundles, then check and render them as the program would,
    until every kept field of every imported object comes back."""
    planner = _Planner(objects)
    planner.plan()
    document: str | None = None
    added: list[str] = []
    reproduced = 0
    for _ in range(len(planner.bundles) + 2):
        if not planner.bundles:
            for obj, _entry in planner.namespaces.values():
                planner.refuse(obj, "no bundle was imported, and a stack config needs at least one")
            planner.namespaces.clear()
            break
        written = stack_document(planner)
        text = dump_document(written)
        size = len(text.encode("utf-8"))
        if size > _stackfile.MAX_BYTES:
            raise ImportInputError(
                f"the stack config would be {size} bytes, past the {_stackfile.MAX_BYTES} a stack file may have;"
                " import the manifests in parts"
            )
        loaded = _stackfile.load_yaml_bytes(text.encode("utf-8"), f"Pulumi.{stack_name}.yaml")
        if loaded != written:  # pragma: no cover - the dumper quotes what would read back otherwise
            raise ImportInputError("the stack config does not read back as written; please report this input")
        config = loaded["config"]
        try:
            parsed = stack.parse(
                config[f"{stack.PROJECT}:services"], None, config.get(f"{stack.PROJECT}:namespaces"), plain=True
            )
        except stack.ConfigError as error:
            by_bundle: dict[str, list[str]] = {}
            for message in error.messages:
                owner = _bundle_of(message, list(planner.bundles))
                if owner is not None:
                    by_bundle.setdefault(owner, []).append(message)
                elif message.startswith("namespaces."):
                    namespace = message.removeprefix("namespaces.").split(".")[0].split(":")[0]
                    if namespace in planner.namespaces:
                        obj, _entry = planner.namespaces.pop(namespace)
                        planner.refuse(obj, f"k8s-services refuses it: {message}")
                else:  # pragma: no cover - every message of a generated config names its bundle
                    raise ImportInputError(f"the generated stack config is refused: {message}") from None
            for name, messages in by_bundle.items():
                _drop(planner, name, {}, f"k8s-services refuses its bundle {name}: {' '.join(messages)}")
            continue
        rendered = {_rendered_key(m): m for m in run(functools.partial(stack.build, parsed)).manifests()}
        added, reproduced, failed = [], 0, False
        matched: set[tuple[str, str, str]] = set()
        owned = [(bundle.name, obj) for bundle in planner.bundles.values() for obj in bundle.objects]
        owned += [("", obj) for obj, _entry in planner.namespaces.values()]
        for name, obj in owned:
            counterpart = rendered.get(obj.key)
            out = _Comparison()
            if counterpart is None:
                out.differences.append("the render has no such object")
            else:
                matched.add(obj.key)
                compare(obj.kept, counterpart, (), out)
            if out.differences:
                failed = True
                problem = f"{out.differences[0]}{' (and more)' if len(out.differences) > 1 else ''}"
                if name:
                    _drop(
                        planner,
                        name,
                        {id(obj): f"the library cannot reproduce it: {problem}"},
                        f"is part of bundle {name}, which cannot reproduce {obj.label}: {problem}",
                    )
                else:
                    planner.namespaces.pop(obj.name, None)
                    planner.refuse(obj, f"the library cannot reproduce it: {problem}")
                break
            reproduced += out.reproduced
            added += [f"{obj.label}: {item}" for item in out.added]
        if failed:
            continue
        for key in rendered:
            if key not in matched:
                kind, namespace, name = key
                added.append(f"{kind} {namespace + '/' if namespace else ''}{name}: the whole object")
        document = text
        break
    else:  # pragma: no cover - each round takes a bundle out, so the rounds end first
        raise ImportInputError("the stack config could not be checked against the input; please report this")
    order = {id(obj): index for index, obj in enumerate(objects)}
    refused = sorted(
        ((obj, planner.refused[id(obj)]) for obj in objects if id(obj) in planner.refused),
        key=lambda pair: order[id(pair[0])],
    )
    return ImportResult(
        objects=objects,
        refused=refused,
        document=document,
        bundles=list(planner.bundles) if document else [],
        namespaces=list(planner.namespaces) if document else [],
        added=added,
        reproduced=reproduced,
    )


# --- the command -----------------------------------------------------------------------


def _stack_file(project_dir: Path, stack_name: str) -> Path:
    """Where ``--stack`` writes, refused up front if it cannot."""
    if not STACK_NAME.fullmatch(stack_name) or stack_name in (".", ".."):
        raise ImportInputError(f"--stack {json.dumps(stack_name)}: a stack name is letters, digits, '-', '_' and '.'")
    try:
        project = Project.load(project_dir)
    except RenderError as error:
        raise ImportInputError(str(error)) from None
    path = project.stack_config_dir / f"Pulumi.{stack_name}.yaml"
    if os.path.lexists(path):
        raise ImportInputError(f"{path}: exists already; refusing to overwrite it. Choose another --stack name")
    return path


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    except FileExistsError:
        raise ImportInputError(
            f"{path}: exists already; refusing to overwrite it. Choose another --stack name"
        ) from None
    except OSError as error:
        raise ImportInputError(f"{path}: cannot be written ({error.strerror or error})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise ImportInputError(f"{path}: cannot be written ({error.strerror or error})") from None


def main(paths: Sequence[str], stack_name: str | None, project_dir: Path) -> int:
    """The ``import`` command: 0 when every object was imported, 1 when some
    were not (the rest is still written), 2 for input it cannot use."""
    try:
        target = _stack_file(project_dir, stack_name) if stack_name is not None else None
        result = import_objects(read_objects(paths), stack_name or "imported")
        if target is not None and result.document is not None:
            _write_new(target, result.document)
    except ImportInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stderr.write(result.report())
    if result.document is not None:
        if target is None:
            sys.stdout.write(result.document)
        else:
            sys.stderr.write(f"wrote {target}\n")
    return result.exit_code
