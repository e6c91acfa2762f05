"""Where a component's arguments are checked: their shape here, then every
rule of `k8s_rules` on the objects they build, each problem reported against
the argument it came from.

`check` returns the `Plan` (the objects to register) or the problems;
`plan` raises them as one ``TypeError`` or ``ValueError`` naming the
component, the argument and the value.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import k8s_rules
from k8s_rules import pod_security
from k8s_rules.wiring import EXTERNAL_PODS_ANNOTATION, SHARES_PODS_ANNOTATION, VERSION_OF_ANNOTATION

from . import _validation as v
from ._args import CustomTimeoutsArgs, DisruptionBudgetArgs, PeerArgs, ServiceAccountArgs, VersionArgs, keys_of
from ._kinds import KINDS, Kind
from ._manifests import (
    PORT_FIELDS,
    REPLICATED,
    SERVICE_OPTIONS,
    SKIP_AWAIT_ANNOTATION,
    WORKLOAD_KINDS,
    ContainerPort,
    build_disruption_budget,
    build_network_policy,
    build_pod_spec,
    build_service,
    build_service_account,
    build_workload,
    checkable,
    container_ports,
)
from ._wire import snake_path, to_wire

DEFAULT_NODE_PORT_RANGE = "30000-32767"
WORKLOADS = tuple(WORKLOAD_KINDS)
WORKLOAD_SPECS: dict[str, str] = {
    "Deployment": "apps.v1.DeploymentSpecArgs",
    "StatefulSet": "apps.v1.StatefulSetSpecArgs",
    "DaemonSet": "apps.v1.DaemonSetSpecArgs",
}
# workload_spec fields the bundle builds itself, and what to use instead.
BUILT_SPEC_FIELDS = {
    "selector": "the bundle's 'selector' is the workload's selector",
    "template": "the Pod template is built from 'containers', 'pod_spec', 'pod_labels' and 'pod_annotations'",
    "replicas": "use the 'replicas' argument",
    "service_name": "the governing Service is the bundle's headless Service, or 'governing_service_name'",
}
# Arguments about the bundle's own Pods: a bundle whose Service selects
# Pods it does not own (``target``, ``external_pods``) takes none of them.
WORKLOAD_KEYS = (
    "containers",
    "workload",
    "workload_name",
    "pod_labels",
    "pod_annotations",
    "pod_spec",
    "replicas",
    "pod_security",
    "versions",
    "version_label",
    "service_account",
    "disruption_budget",
    "workload_spec",
    "workload_labels",
    "workload_annotations",
    "governing_service_name",
)


@dataclass
class Plan:
    """Everything a component registers, as plain camelCase manifests."""

    kind: Kind
    name: str
    namespace: Any
    service_name: Any
    cluster_domain: str
    service: dict[str, Any]
    selector: dict[str, Any] | None = None
    workloads: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(version, manifest) of each workload; version "" without ``versions``."""
    network_policy: dict[str, Any] | None = None
    governing_service: dict[str, Any] | None = None
    """A StatefulSet's headless governing Service, when the bundle's own is not headless."""
    service_account: dict[str, Any] | None = None
    disruption_budget: dict[str, Any] | None = None
    target: Plan | None = None
    """The bundle whose Pods this one's Service selects (``target``)."""
    external_pods: bool = False
    version_args: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    version_label: str = "version"
    pod_labels: dict[str, Any] = field(default_factory=dict)
    custom_timeouts: dict[str, str] | None = None
    """create/update/delete waits of the workloads and Services (those set)."""
    profile: str = "restricted"
    """The Pod Security Standards level the Pods are built to pass."""
    plain: bool = False
    """No Output anywhere in the objects (see `check`)."""
    node_port_range: tuple[int, int] = (30000, 32767)
    """The cluster's node port range the Service's node ports must fall in."""
    defaulted: frozenset[str] = frozenset()
    """Name arguments left out, and so taken from the resource name."""
    ports: list[dict[str, Any]] = field(default_factory=list)
    """The Service's ports, snake_case keys (name, port, protocol, target_port, node_port)."""

    @property
    def workload(self) -> dict[str, Any] | None:
        """The first (without ``versions``, the only) workload."""
        return self.workloads[0][1] if self.workloads else None

    @property
    def workload_kind(self) -> str | None:
        return None if self.workload is None else str(self.workload["kind"])

    @property
    def workload_name(self) -> Any:
        return None if self.workload is None else self.workload["metadata"]["name"]

    @property
    def pod_source(self) -> Plan | None:
        """The plan that owns the Pods this bundle's Service selects."""
        return self.target if self.target is not None else self if self.workloads else None

    @property
    def objects(self) -> list[tuple[str, dict[str, Any]]]:
        """(role, manifest) of every object, in registration order. A
        workload's role is "workload", or "workload:<version>"."""
        found: list[tuple[str, dict[str, Any] | None]] = [("service_account", self.service_account)]
        found += [(f"workload:{version}" if version else "workload", manifest) for version, manifest in self.workloads]
        found += [
            ("service", self.service),
            ("governing_service", self.governing_service),
            ("network_policy", self.network_policy),
            ("disruption_budget", self.disruption_budget),
        ]
        return [(role, manifest) for role, manifest in found if manifest is not None]

    def resource_name(self, role: str) -> str:
        """The Pulumi resource name of the object with ``role`` (see `objects`)."""
        version = role.partition(":")[2]
        if version:
            return f"{self.name}-{version}"
        return f"{self.name}-headless" if role == "governing_service" else self.name

    @staticmethod
    def waits(role: str) -> bool:
        """Whether the object with ``role`` waits with ``custom_timeouts``: the
        workloads and the Services, whose readiness Pulumi awaits."""
        return role.partition(":")[0] in ("workload", "service", "governing_service")

    @property
    def dns_name(self) -> Any:
        if v.is_known(self.service_name) and v.is_known(self.namespace):
            return f"{self.service_name}.{self.namespace}.svc.{self.cluster_domain}"
        import pulumi  # an Output is here, so pulumi is imported already

        return pulumi.Output.concat(self.service_name, ".", self.namespace, ".svc.", self.cluster_domain)


# --- argument shapes --------------------------------------------------------


def _accepted_elsewhere(key: str, *, port: bool = False) -> list[str]:
    return [kind.component for kind in KINDS.values() if key in keys_of(kind.port_args if port else kind.args)]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _check_own_keys(
    p: v.Problems, kind: Kind, path: str, given: Mapping[str, Any], typed_dict: Any, *, port: bool
) -> None:
    allowed = keys_of(typed_dict)
    for key in given:
        if not isinstance(key, str):
            p.type(path or "args", f"has a key {v.show(key)} that is not a string")
            continue
        where = f"{path}.{key}" if path else key
        if key in allowed:
            if given[key] is None:
                p.type(where, "must not be None; leave it out to get its default")
            continue
        others = _accepted_elsewhere(key, port=port)
        if others:
            p.type(
                where,
                f"is not accepted by {kind.component}; only {_join(others)} accept"
                f"{'s' if len(others) == 1 else ''} it. Use {'that type' if len(others) == 1 else 'one of those types'} or remove it",
            )
        else:
            what = f"a field of a {kind.component} port" if port else f"an argument of {kind.component}"
            p.type(where, f"is not {what}.{v.suggest(key, allowed)}".rstrip("."))
    required: frozenset[str] = getattr(typed_dict, "__required_keys__", frozenset())
    for key in sorted(required - set(given)):
        p.type(f"{path}.{key}" if path else key, "is required")


def _check_containers(p: v.Problems, containers: Any, path: str = "containers") -> bool:
    """What the objects cannot say: a list, at least one container, each a
    mapping with a unique name and an image. True when they can be built."""
    if containers is None or not v.check_list(p, path, containers):
        return False
    if not containers:
        p.value(path, containers, "must list at least one container")
    usable = bool(containers)
    for i, container in enumerate(containers):
        where = f"{path}[{i}]"
        if not v.check_mapping(p, where, container):
            usable = False
            continue
        if "name" not in container:
            p.type(f"{where}.name", "is required")
        else:
            v.check_str(p, f"{where}.name", container["name"])
        image = container.get("image")
        if "image" not in container:
            p.type(f"{where}.image", "is required")
        elif v.check_str(p, f"{where}.image", image) and (not image.strip() or any(c.isspace() for c in image)):
            p.value(f"{where}.image", image, 'must be a non-empty image reference without spaces, e.g. "nginx:1.27.0"')
        # Target ports are resolved against the ports, and the profile's
        # defaults merged into the security context: both must be plain.
        for key in ("security_context", "ports"):
            value = container.get(key)
            if value is not None:
                if key == "ports":
                    v.check_list(p, f"{where}.{key}", value)
                else:
                    v.check_mapping(p, f"{where}.{key}", value)
    return usable


def _check_pod_spec(p: v.Problems, pod_spec: Any, path: str = "pod_spec") -> None:
    if pod_spec is None or not v.check_mapping(p, path, pod_spec):
        return
    if "containers" in pod_spec:
        p.type(f"{path}.containers", "is not accepted; give the containers as the 'containers' argument")
    if pod_spec.get("ephemeral_containers"):
        p.type(
            f"{path}.ephemeral_containers",
            "is not accepted: the API server refuses ephemeral containers when a Pod is created; add them later"
            " with `kubectl debug`",
        )


def _check_peers(p: v.Problems, peers: Any) -> None:
    if not v.check_list(p, "allow_from", peers):
        return
    for i, peer in enumerate(peers):
        path = f"allow_from[{i}]"
        if not v.check_mapping(p, path, peer):
            continue
        v.check_keys(p, path, peer, keys_of(PeerArgs), "a peer (PeerArgs)")
        selects = any(key in peer for key in ("pod_selector", "namespace_selector"))
        if "ip_block" in peer:
            if selects:
                p.type(
                    f"{path}.ip_block",
                    "cannot be combined with 'pod_selector' or 'namespace_selector'; make it a peer of its own",
                )
            v.check_cidr(p, f"{path}.ip_block", peer["ip_block"])
        elif not selects:
            p.missing(path, "must set 'pod_selector', 'namespace_selector' or both, or 'ip_block'")
        for key in ("pod_selector", "namespace_selector"):
            if key in peer:
                v.check_label_map(p, f"{path}.{key}", peer[key])


def _target_port(p: v.Problems, path: str, port: Mapping[str, Any], declared: list[ContainerPort]) -> Any:
    """The target port to emit: as given, else inferred from the declared
    container ports. Whether it resolves is the wiring rule's job."""
    target = port.get("target_port")
    if target is not None:
        if v.is_known(target) and (isinstance(target, bool) or not isinstance(target, (int, str))):
            p.type(f"{path}.target_port", f"must be a port number or a container port name, not {v.type_name(target)}")
        return target
    named = [c for c in declared if c.name is not None and c.name == port.get("name")]
    if named:
        return named[0].name
    if len(declared) == 1:
        return declared[0].number
    p.missing(
        f"{path}.target_port",
        f"is not set and cannot be inferred: no container port is named {v.show(port.get('name'))} and "
        f"{'no container declares a port' if not declared else f'{len(declared)} container ports are declared'}; "
        "set 'target_port' to a container port's name or number",
    )
    return None


def _service_ports(
    p: v.Problems, kind: Kind, args: Mapping[str, Any], declared: list[ContainerPort] | None
) -> list[dict[str, Any]]:
    """The Service's ports (snake_case), target ports resolved when the
    bundle has containers to resolve them against (with ``external_pods``,
    taken as given)."""
    ports = args.get("ports", [])
    if not v.check_list(p, "ports", ports):
        return []
    if not ports and kind.has_workload and not args.get("headless"):
        p.value("ports", ports, "must list at least one port (only a headless ClusterIPService may have none)")
    emitted: list[dict[str, Any]] = []
    for i, port in enumerate(ports):
        path = f"ports[{i}]"
        if not v.check_mapping(p, path, port):
            continue
        _check_own_keys(p, kind, path, port, kind.port_args, port=True)
        out = {key: port[key] for key in ("name", "port") if key in port}
        out["protocol"] = port.get("protocol", "TCP")
        if "app_protocol" in port:
            out["app_protocol"] = port["app_protocol"]
        if declared is not None:
            target = _target_port(p, path, port, declared)
            if target is not None:
                out["target_port"] = target
        elif args.get("external_pods") is True and "target_port" in port:
            out["target_port"] = port["target_port"]
        if "node_port" in port and kind.exposes_node_ports:
            out["node_port"] = port["node_port"]
        emitted.append(out)
    return emitted


# Arguments that decide which objects and fields are built, or are resource
# options: they must be known when the program runs.
STRUCTURAL = {
    "workload": "it decides which object is built",
    "target": "its Pods' labels and ports are read when the bundle is built",
    "external_pods": "it decides which objects are built",
    "versions": "it decides which objects are built",
    "version_label": "the Pod labels and selectors are built from it",
    "service_account": "it decides which objects are built",
    "disruption_budget": "it decides which objects are built",
    "workload_spec": "it is merged into the workload's spec",
    "governing_service_name": "it names an object and the StatefulSet's serviceName",
    "pod_security": "it decides the Pods' security settings and the rules they are checked against",
    "node_port_range": "node ports are checked against it",
    "skip_await": "it decides an annotation",
    "headless": "it decides the Service's clusterIP",
    "custom_timeouts": "Pulumi needs resource options when the resource is registered",
}


def _check_service_options(p: v.Problems, args: Mapping[str, Any]) -> None:
    """Argument types the Service's schema cannot name well, and options
    that belong together in the arguments' own terms."""
    for key in STRUCTURAL:
        if key in args and not v.is_known(args[key]):
            p.type(key, f"must be a plain value, not an Output: {STRUCTURAL[key]}")
    for key in (
        "skip_await",
        "headless",
        "publish_not_ready_addresses",
        "allocate_load_balancer_node_ports",
        "external_pods",
    ):
        if key in args:
            v.check_bool(p, key, args[key])
    affinity = args.get("session_affinity", "None")
    if "session_affinity_timeout_seconds" in args and v.is_known(affinity) and affinity != "ClientIP":
        p.value(
            "session_affinity_timeout_seconds",
            args["session_affinity_timeout_seconds"],
            'only applies with session_affinity "ClientIP"; set session_affinity or remove it',
        )
    policy = args.get("external_traffic_policy")
    if "health_check_node_port" in args and v.is_known(policy) and policy != "Local":
        p.value(
            "health_check_node_port",
            args["health_check_node_port"],
            'only applies with external_traffic_policy "Local"; set it or remove health_check_node_port',
        )
    for key in ("ip_families", "load_balancer_source_ranges"):
        if key in args and v.is_known(args[key]):
            v.check_list(p, key, args[key])
    if "custom_timeouts" in args:
        timeouts = args["custom_timeouts"]
        if (
            v.is_known(timeouts)
            and not _is_custom_timeouts(timeouts)
            and v.check_mapping(p, "custom_timeouts", timeouts)
        ):
            v.check_keys(p, "custom_timeouts", timeouts, keys_of(CustomTimeoutsArgs), "custom_timeouts")
            for key in ("create", "update", "delete"):
                if key in timeouts:
                    if not v.is_known(timeouts[key]):
                        p.type(
                            f"custom_timeouts.{key}",
                            f"must be a plain value, not an Output: {STRUCTURAL['custom_timeouts']}",
                        )
                    v.check_duration(p, f"custom_timeouts.{key}", timeouts[key])


def _is_custom_timeouts(value: Any) -> bool:
    # Without pulumi imported, no value can be a pulumi.CustomTimeouts: the
    # checks and plans of a stack run without pulumi (k8s_services.render).
    pulumi = sys.modules.get("pulumi")
    return pulumi is not None and isinstance(value, pulumi.CustomTimeouts)


def _custom_timeouts(value: Any) -> dict[str, str] | None:
    """The waits set, as plain data (a `pulumi.CustomTimeouts` or a
    `CustomTimeoutsArgs`): the plan stays free of pulumi, and
    components/_component.py makes the resource option of it."""
    if value is None:
        return None
    read = (lambda key: getattr(value, key, None)) if _is_custom_timeouts(value) else value.get
    return {key: str(read(key)) for key in ("create", "update", "delete") if read(key)}


# --- the rules on the built objects -----------------------------------------

# Schema problems about a value's shape, reported as TypeError like every
# other wrong type.
_TYPE_REASONS = ("must be a ", "must be an ", "is not a field of ")
_CHOICES = re.compile(r'"([^"]+)"')
_SERVICE_FIELDS = {field: key for key, field in SERVICE_OPTIONS.items()}
_PORT_ARGS = {field: key for key, field in PORT_FIELDS.items()}


@dataclass
class _Origins:
    """What `argument_path` needs to know of how the objects were built."""

    selector: Mapping[str, Any]
    pod_spec_path: tuple[str, ...]
    pod_metadata_paths: tuple[tuple[str, ...], ...]
    workload_kind: str = "Pod"
    version: str = ""
    """The version whose workload it is, "" without ``versions``."""
    version_args: Mapping[str, Any] = field(default_factory=dict)
    version_label: str = "version"


def argument_path(origins: _Origins, role: str, path: tuple[str | int, ...]) -> str:
    """The argument a problem at ``path`` of the ``role`` object came from."""
    if role == "service":
        return _service_argument(path)
    if role == "governing_service":
        if path[:2] == ("metadata", "name"):
            return "governing_service_name"
        return _service_argument(path)
    if role == "network_policy":
        return _network_policy_argument(path)
    if role == "service_account":
        if path[:1] == ("metadata",) and len(path) > 1:
            return _metadata_argument(
                path[1:], "service_account.name", "service_account.labels", "service_account.annotations"
            )
        return "service_account." + snake_path(path, "core.v1.ServiceAccountArgs")
    if role == "disruption_budget":
        if path[:1] == ("spec",) and len(path) > 1 and path[1] != "selector":
            return "disruption_budget." + snake_path(path[1:], "policy.v1.PodDisruptionBudgetSpecArgs")
        return "disruption_budget"
    return _workload_argument(origins, path)


def _map_key(root: str, rest: tuple[str | int, ...]) -> str:
    return root + "".join(f"[{v.show(part)}]" if isinstance(part, str) else f"[{part}]" for part in rest)


def _metadata_argument(path: tuple[str | int, ...], name: str, labels: str, annotations: str) -> str:
    field, rest = path[0], path[1:]
    if field == "name":
        return name
    if field == "namespace":
        return "namespace"
    if field == "labels":
        return _map_key(labels, rest)
    if field == "annotations":
        return _map_key(annotations, rest)
    return snake_path(path, "meta.v1.ObjectMetaArgs")


def _service_argument(path: tuple[str | int, ...]) -> str:
    if path[:1] == ("metadata",) and len(path) > 1:
        if path[1:3] == ("annotations", SKIP_AWAIT_ANNOTATION):
            return "skip_await"
        return _metadata_argument(path[1:], "service_name", "service_labels", "service_annotations")
    if path[:1] != ("spec",) or len(path) < 2:
        return "args"
    field, rest = path[1], path[2:]
    if field == "ports":
        if not rest:
            return "ports"
        text = f"ports[{rest[0]}]"
        if len(rest) > 1:
            text += f".{_PORT_ARGS.get(str(rest[1]), str(rest[1]))}"
        return text
    if field == "selector":
        return _map_key("selector", rest)
    if field == "clusterIP":
        return "headless"
    if field == "externalName":
        return "external_name"
    if field == "sessionAffinityConfig":
        return "session_affinity_timeout_seconds"
    if field == "type":
        return "type"
    key = _SERVICE_FIELDS.get(str(field), str(field))
    return key + "".join(f"[{part}]" for part in rest if isinstance(part, int))


def _network_policy_argument(path: tuple[str | int, ...]) -> str:
    if path[:1] == ("metadata",) and len(path) > 1:
        return _metadata_argument(path[1:], "service_name", "service_labels", "service_annotations")
    if path[:4] == ("spec", "ingress", 0, "from") and len(path) > 4:
        peer = f"allow_from[{path[4]}]"
        rest = path[5:]
        if rest[:1] == ("ipBlock",):
            return f"{peer}.ip_block"
        if rest[:1] in (("podSelector",), ("namespaceSelector",)):
            key = "pod_selector" if rest[0] == "podSelector" else "namespace_selector"
            return _map_key(f"{peer}.{key}", rest[2:])
        return peer
    if path[:4] == ("spec", "ingress", 0, "ports") and len(path) > 4:
        return f"ports[{path[4]}].target_port"
    if path[:2] == ("spec", "podSelector"):
        return _map_key("selector", path[3:])
    return "allow_from"


def _workload_argument(origins: _Origins, path: tuple[str | int, ...]) -> str:
    version = origins.version
    # A version's own value is reported at the version; the bundle's otherwise.
    own = f"versions[{v.show(version)}]." if version else ""

    def at(key: str) -> str:
        return f"{own}{key}" if version and key in origins.version_args else key

    is_pod = origins.workload_kind == "Pod"
    for metadata_path in origins.pod_metadata_paths:
        if path[: len(metadata_path)] == metadata_path and len(path) > len(metadata_path):
            rest = path[len(metadata_path) :]
            template = is_pod or metadata_path != ("metadata",)
            if rest[0] == "labels" and len(rest) > 1:
                if version and rest[1] == origins.version_label:
                    return f"versions[{v.show(version)}]"
                if not template:
                    root = "workload_labels"
                else:
                    root = "selector" if rest[1] in origins.selector else at("pod_labels")
                return _map_key(root, rest[1:])
            if rest[0] == "name" and version:
                # A version's name is its own, else derived from its key.
                return at("workload_name") if "workload_name" in origins.version_args else own.rstrip(".")
            if template:
                return _metadata_argument(rest, "workload_name", at("pod_labels"), at("pod_annotations"))
            return _metadata_argument(rest, "workload_name", "workload_labels", "workload_annotations")
    spec = origins.pod_spec_path
    if path[: len(spec)] == spec and len(path) > len(spec):
        rest = path[len(spec) :]
        if rest[0] == "containers" and len(rest) > 1:
            return f"{at('containers')}[{rest[1]}]" + _dotted(snake_path(rest[2:], "core.v1.ContainerArgs"))
        if rest[0] == "initContainers" and len(rest) > 1:
            return f"{at('pod_spec')}.init_containers[{rest[1]}]" + _dotted(
                snake_path(rest[2:], "core.v1.ContainerArgs")
            )
        return f"{at('pod_spec')}." + snake_path(rest, "core.v1.PodSpecArgs")
    if path[:2] == ("spec", "replicas"):
        return at("replicas")
    if path[:2] == ("spec", "selector"):
        return "selector"
    if path[:2] == ("spec", "serviceName"):
        return "governing_service_name"
    if path[:1] == ("spec",) and len(path) > 1 and origins.workload_kind in WORKLOAD_SPECS:
        return "workload_spec." + snake_path(path[1:], WORKLOAD_SPECS[origins.workload_kind])
    return "args"


def _dotted(rest: str) -> str:
    return "" if not rest else rest if rest.startswith("[") else f".{rest}"


def as_argument_problem(
    built: Plan, role: str, problem: k8s_rules.Problem, *, restricted_only: bool = False
) -> v.Problem:
    """A problem found in one of the plan's objects, against the argument it
    came from; ``restricted_only`` when "baseline" would allow it."""
    version = role.partition(":")[2]
    workload = dict(built.workloads).get(version) if role.startswith("workload") else built.workload
    workload_kind = str(workload["kind"]) if workload is not None else "Pod"
    is_pod = workload_kind == "Pod"
    origins = _Origins(
        selector=built.selector or {},
        pod_spec_path=("spec",) if is_pod else ("spec", "template", "spec"),
        pod_metadata_paths=(("metadata",),) if is_pod else (("spec", "template", "metadata"), ("metadata",)),
        workload_kind=workload_kind,
        version=version,
        version_args=built.version_args.get(version, {}),
        version_label=built.version_label,
    )
    reason = problem.reason
    if restricted_only:
        reason = f"{reason.rstrip('.')}; or set 'pod_security' to \"baseline\" if the image needs it"
    where = argument_path(origins, role, problem.path)
    # Rules name other fields by their place in the object; say the argument.
    if role == "service":
        reason = reason.replace("spec.ports[", "ports[").replace("spec.ipFamilies", "ip_families")
    elif role == "disruption_budget":
        reason = reason.replace("spec.minAvailable", "min_available").replace("spec.maxUnavailable", "max_unavailable")
    elif role.startswith("workload"):
        spec = k8s_rules.format_path(origins.pod_spec_path)
        reason = reason.replace(f"{spec}.containers[", "containers[").replace(
            f"{spec}.initContainers[", "pod_spec.init_containers["
        )
    if where in built.defaulted:
        reason = f"{reason.rstrip('.')}; it defaults to the resource name, so set '{where}'"
    if (
        reason.startswith(("must be one of ", "must be "))
        and isinstance(problem.value, str)
        and "Did you mean" not in reason
    ):
        choices = _CHOICES.findall(reason.partition(";")[0].partition(":")[0])
        if len(choices) > 1 and problem.value not in choices:
            reason = f"{reason.rstrip('.')}.{v.suggest(problem.value, choices, value=True)}"
    if "valid CIDR" in reason and isinstance(problem.value, str) and "/" not in problem.value:
        try:
            address = ipaddress.ip_address(problem.value.strip())
        except ValueError:
            pass
        else:
            reason = f'{reason.rstrip(".")}. Did you mean "{address}/{address.max_prefixlen}"?'
    is_type = problem.rule == "schema" and reason.startswith(_TYPE_REASONS)
    shown = None if problem.value is k8s_rules.NO_VALUE else v.show(problem.value)
    return v.Problem(where, reason, shown, is_type)


def check_objects(p: v.Problems, built: Plan, node_port_range: tuple[int, int]) -> None:
    """Every rule on every object of the plan, and the wiring between them
    (with a ``target``, to the target's Pods)."""
    checked = {problem.path for problem in p.items}
    roles = [role for role, _ in built.objects]
    objects = [manifest if built.plain else checkable(manifest) for _, manifest in built.objects]
    target = built.target
    context = [m if target.plain else checkable(m) for _, m in target.workloads] if target is not None else []
    found = k8s_rules.check_objects(
        objects,
        pod_security=built.profile if built.workloads else None,
        node_port_range=node_port_range,
        cluster_domain=built.cluster_domain,
        context=context,
    )
    # Which Pod Security problems "baseline" would let through: only those
    # can be fixed by choosing it. Worked out only where there are some.
    baseline: dict[int, set[tuple[str | int, ...]]] = {}
    if built.profile == "restricted":
        for index, problem in found:
            if problem.rule.startswith("pod-security/") and index not in baseline:
                baseline[index] = {found.path for found in pod_security.check_pod_security(objects[index], "baseline")}
    # Wiring between objects that are wrong in themselves is only noise.
    if any(not problem.rule.startswith("wiring/") for _, problem in found) or p.items:
        found = [(index, problem) for index, problem in found if not problem.rule.startswith("wiring/")]
    for index, problem in found:
        restricted_only = (
            built.profile == "restricted"
            and problem.rule.startswith("pod-security/")
            and problem.path not in baseline.get(index, set())
        )
        reported = as_argument_problem(built, roles[index], problem, restricted_only=restricted_only)
        # One argument can land in several objects (the selector is on the
        # Pod, the Service and the NetworkPolicy): report it once. And what
        # the arguments' own checks said of it already says enough.
        if reported not in p.items and reported.path not in checked:
            p.items.append(reported)


# --- the whole check ----------------------------------------------------------


def plan(kind: Kind, name: Any, args: Any) -> Plan:
    """Check every argument, then build the objects and check them. Raises
    ``TypeError`` or ``ValueError`` naming the component, the argument and
    the value."""
    if not isinstance(name, str) or not name:
        raise TypeError(
            f"Unable to create {kind.component}: the resource name must be a non-empty string, not {v.show(name)}."
        )
    prefix = f"Unable to create {kind.component} '{name}'"
    if not isinstance(args, Mapping):
        raise TypeError(f"{prefix}: 'args' must be a mapping ({kind.component}Args), not {v.type_name(args)}.")
    built, problems = check(kind, name, args)
    error = problems.error(prefix)
    if error is not None:
        raise error
    assert built is not None
    return built


def check(kind: Kind, name: str, args: Mapping[str, Any], *, plain: bool = False) -> tuple[Plan | None, v.Problems]:
    """Every problem with the arguments, and the plan when there is none.
    ``plain``: the arguments are plain data (a stack config's JSON), with no
    Output anywhere, so the objects need no copy with Outputs made unknown."""
    built, p, complete = build_unchecked(kind, name, args)
    if built is None:
        return None, p
    built.plain = plain
    check_objects(p, built, built.node_port_range)
    if p or not complete:
        return None, p
    return built, p


def _target(p: v.Problems, value: Any) -> Plan | None:
    """The plan of the bundle ``target`` names, if it owns Pods to select."""
    found = value if isinstance(value, Plan) else getattr(value, "_plan", None)
    if not isinstance(found, Plan):
        p.type(
            "target",
            "must be a bundle created before this one (a ClusterIPService, NodePortService or LoadBalancerService;"
            f" in stack config, its name), not {v.type_name(value)}",
        )
        return None
    if found.target is not None:
        p.value(
            "target",
            found.name,
            f"itself targets {v.show(found.target.name)}; target that bundle, which owns the Pods",
        )
    elif found.external_pods:
        p.value(
            "target",
            found.name,
            "selects Pods deployed elsewhere; set 'external_pods' and the same 'selector' on this bundle instead",
        )
    elif not found.workloads:
        p.value("target", found.name, f"is an {found.kind.component}: it has no Pods to select")
    else:
        return found
    return None


def _check_versions(p: v.Problems, args: Mapping[str, Any], selector: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The versions (name -> VersionArgs) and the label that tells them apart."""
    label = args.get("version_label", "version")
    if "versions" not in args:
        if "version_label" in args:
            p.type("version_label", "only applies with 'versions'; add 'versions' or remove it")
        return {}, "version"
    given = args["versions"]
    versions: dict[str, Any] = {}
    if not v.check_mapping(p, "versions", given):
        return {}, "version"
    if not given:
        p.value("versions", given, 'must list at least one version, e.g. {"v1": {}}; leave it out for one workload')
    for key, entry in given.items():
        if not isinstance(key, str) or not key:
            p.type("versions", f"has a key {v.show(key)} that is not a non-empty string")
            continue
        path = f"versions[{v.show(key)}]"
        entry = {} if entry is None else entry
        if v.check_mapping(p, path, entry):
            v.check_keys(p, path, entry, keys_of(VersionArgs), "a version (VersionArgs)")
            for item, value in entry.items():
                if value is None:
                    p.type(f"{path}.{item}", "must not be None; leave it out to take the bundle's")
            for item in ("pod_labels", "pod_annotations"):
                if item in entry:
                    v.check_label_types(p, f"{path}.{item}", entry[item])
            versions[key] = entry
    if v.check_str(p, "version_label", label) and label in selector:
        p.value(
            "version_label",
            label,
            "is a key of 'selector' too: the Service would select one version only; the selector holds the labels"
            " the versions share",
        )
    for key, entry in versions.items():
        labels = entry.get("pod_labels")
        if isinstance(labels, Mapping) and label in labels:
            p.type(
                f"versions[{v.show(key)}].pod_labels[{v.show(label)}]",
                f"is set by the bundle: a version's Pods carry {v.show(label)}: {v.show(key)}; remove it",
            )
    bundle_labels = args.get("pod_labels")
    if isinstance(bundle_labels, Mapping) and label in bundle_labels:
        p.type(
            f"pod_labels[{v.show(label)}]",
            f"is set by each version ({v.show(label)} is the 'version_label'); remove it",
        )
    return versions, label if isinstance(label, str) else "version"


def _check_replicas(p: v.Problems, path: str, replicas: Any, workload: str) -> None:
    if workload not in REPLICATED:
        p.value(
            path,
            replicas,
            f'only applies with workload "Deployment" or "StatefulSet", not {v.show(workload)}; set workload or'
            " remove replicas",
        )
    elif v.check_int(p, path, replicas) and replicas < 0:
        p.value(path, replicas, "must not be negative")


def _workload_spec(p: v.Problems, args: Mapping[str, Any], workload: str) -> dict[str, Any]:
    """``workload_spec`` in camelCase, checked against the workload's spec type."""
    if "workload_spec" not in args:
        return {}
    given = args["workload_spec"]
    if workload not in WORKLOAD_SPECS:
        p.type("workload_spec", f"only applies to a Deployment, StatefulSet or DaemonSet, not {v.show(workload)}")
        return {}
    if not v.check_mapping(p, "workload_spec", given):
        return {}
    for key, why in BUILT_SPEC_FIELDS.items():
        if key in given:
            p.type(f"workload_spec.{key}", f"is built by the bundle: {why}")
    rest = {key: value for key, value in given.items() if key not in BUILT_SPEC_FIELDS}
    wired: dict[str, Any] = to_wire(
        p, "workload_spec", rest, WORKLOAD_SPECS[workload], f"a {workload}Spec ({workload}SpecArgsDict)"
    )
    return wired


def _check_extras(p: v.Problems, args: Mapping[str, Any], workload: str) -> None:
    """The ServiceAccount, the disruption budget and the workload's own metadata."""
    account = args.get("service_account", False)
    if "service_account" in args and not isinstance(account, bool) and v.check_mapping(p, "service_account", account):
        v.check_keys(p, "service_account", account, keys_of(ServiceAccountArgs), "service_account (ServiceAccountArgs)")
        for key in ("labels", "annotations"):
            if key in account:
                v.check_label_types(p, f"service_account.{key}", account[key])
        if "automount_service_account_token" in account:
            v.check_bool(
                p, "service_account.automount_service_account_token", account["automount_service_account_token"]
            )
        if "name" in account:
            v.check_str(p, "service_account.name", account["name"])
    pod_spec = args.get("pod_spec")
    if account is not False and isinstance(pod_spec, Mapping):
        for key in ("service_account_name", "service_account"):
            if key in pod_spec:
                p.type(
                    f"pod_spec.{key}",
                    "cannot be combined with 'service_account', which names the Pods' ServiceAccount; remove one",
                )
    if "disruption_budget" in args:
        budget = args["disruption_budget"]
        if workload not in REPLICATED:
            p.type(
                "disruption_budget",
                f'only applies to a replicated workload ("Deployment" or "StatefulSet"), not {v.show(workload)}',
            )
        elif v.check_mapping(p, "disruption_budget", budget):
            v.check_keys(
                p,
                "disruption_budget",
                budget,
                keys_of(DisruptionBudgetArgs),
                "disruption_budget (DisruptionBudgetArgs)",
            )
            # Both set is the rules' to report (k8s_rules.workloads); neither
            # is accepted by Kubernetes but never disrupts anything.
            if not any(key in budget for key in ("min_available", "max_unavailable")):
                p.missing(
                    "disruption_budget", "must set 'min_available' or 'max_unavailable', e.g. {max_unavailable: 1}"
                )
    if workload == "Pod":
        for key in ("workload_labels", "workload_annotations"):
            if key in args:
                key_of = "pod_labels" if key == "workload_labels" else "pod_annotations"
                p.type(key, f"only applies to a Deployment, StatefulSet or DaemonSet; a bare Pod's are '{key_of}'")
    for key in ("workload_labels", "workload_annotations"):
        if key in args:
            v.check_label_types(p, key, args[key])
    if "governing_service_name" in args:
        if workload != "StatefulSet" or args.get("headless"):
            p.type(
                "governing_service_name",
                "only applies to a StatefulSet whose own Service is not headless (a headless one governs it)",
            )
        else:
            v.check_str(p, "governing_service_name", args["governing_service_name"])


def build_unchecked(kind: Kind, name: str, args: Mapping[str, Any]) -> tuple[Plan | None, v.Problems, bool]:
    """The arguments' own checks and the objects they build, before any rule
    runs on the objects: (plan or None when nothing can be built, the
    problems so far, whether the workloads could be built too)."""
    p = v.Problems()
    _check_own_keys(p, kind, "", args, kind.args, port=False)

    # A bundle whose Service selects Pods it does not own.
    target: Plan | None = None
    external = False
    if kind.has_workload:
        if "target" in args and v.is_known(args["target"]):
            target = _target(p, args["target"])
        external = args.get("external_pods") is True
        if "target" in args and "external_pods" in args:
            p.type("external_pods", "cannot be combined with 'target', whose Pods the stack deploys; remove one")
        elif "target" in args or external:
            which = "target" if "target" in args else "external_pods"
            owner = f"bundle {v.show(target.name)}" if target is not None else "whatever deploys them"
            for key in WORKLOAD_KEYS:
                if key in args:
                    p.type(key, f"is not accepted with '{which}': this bundle owns no Pods ({owner} does); remove it")
            if "target" in args and "selector" in args:
                p.type("selector", "is not accepted with 'target': the Service selects with the target's selector")
            if external and "selector" not in args:
                p.missing("selector", "is required with 'external_pods': the labels of the Pods deployed elsewhere")
    # (A non-boolean external_pods is a type error: no Pods are assumed either way.)
    owns_pods = kind.has_workload and "target" not in args and args.get("external_pods", False) is False

    # Names and labels land in the objects' metadata, where the rules check
    # their format; here only their types.
    default_namespace = target.namespace if target is not None else "default"
    namespace = args.get("namespace", default_namespace)
    if target is not None and "namespace" in args and v.is_known(namespace) and namespace != target.namespace:
        p.value(
            "namespace",
            namespace,
            f"is not the namespace of target {v.show(target.name)} ({v.show(target.namespace)}): a Service selects"
            " Pods of its own namespace only; leave it out",
        )
    service_name = args.get("service_name", name)
    names = {"namespace": namespace, "service_name": service_name}
    if owns_pods:
        names["workload_name"] = args.get("workload_name", name)
    for key, value in names.items():
        # An empty name would leave the object to be autonamed: never for
        # anything reachable by DNS.
        if v.check_str(p, key, value) and not value:
            p.value(key, value, "must not be empty: every object of a bundle has a fixed name")
    cluster_domain = args.get("cluster_domain", "cluster.local")
    v.check_dns1123_subdomain(p, "cluster_domain", cluster_domain)
    for key in ("service_labels", "pod_labels", "selector", "service_annotations", "pod_annotations"):
        # (A selector only known at deployment gets its own message below.)
        if key in args and (key != "selector" or v.is_known(args[key])):
            v.check_label_types(p, key, args[key])
    given_range = args.get("node_port_range", DEFAULT_NODE_PORT_RANGE)
    node_port_range = v.parse_port_range(
        p, "node_port_range", given_range if v.is_known(given_range) else DEFAULT_NODE_PORT_RANGE
    )

    selector: dict[str, Any] | None = None
    profile = "restricted"
    workload = "Pod"
    buildable = True
    versions: dict[str, Any] = {}
    version_label = "version"
    if target is not None:
        selector = dict(target.selector or {})
    elif kind.has_workload and (owns_pods or "selector" in args):
        given_selector = args.get("selector", {"app.kubernetes.io/name": name})
        if not v.is_known(given_selector):
            p.type(
                "selector",
                "must be a plain mapping, not an Output: the Pod labels and the Service selector are built from it",
            )
        selector = dict(given_selector) if isinstance(given_selector, Mapping) else {}
        if isinstance(given_selector, Mapping) and not selector:
            p.value("selector", selector, "must have at least one label; an empty selector would select no Pods")
    if owns_pods:
        assert selector is not None
        workload = args.get("workload", "Pod")
        if not v.check_choice(p, "workload", workload, WORKLOADS):
            workload = "Pod"
        profile = args.get("pod_security", "restricted")
        if not v.check_choice(p, "pod_security", profile, pod_security.LEVELS):
            profile = "restricted"
        if "replicas" in args:
            _check_replicas(p, "replicas", args["replicas"], workload)
        pod_labels = args.get("pod_labels", {})
        if isinstance(pod_labels, Mapping):
            for key, value in pod_labels.items():
                if isinstance(key, str) and key in selector and selector[key] != value:
                    p.value(
                        f"pod_labels[{v.show(key)}]",
                        value,
                        f"conflicts with selector[{v.show(key)}] ({v.show(selector[key])}); the Pod must carry the selector's value",
                    )
        versions, version_label = _check_versions(p, args, selector)
        if "containers" in args or not versions or any("containers" not in entry for entry in versions.values()):
            if "containers" not in args:
                every = " unless every version gives its own" if versions else ""
                p.type("containers", f"is required{every}")
            buildable = _check_containers(p, args.get("containers"))
        _check_pod_spec(p, args.get("pod_spec"))
        for key, entry in versions.items():
            path = f"versions[{v.show(key)}]"
            if "containers" in entry:
                buildable = _check_containers(p, entry["containers"], f"{path}.containers") and buildable
            _check_pod_spec(p, entry.get("pod_spec"), f"{path}.pod_spec")
            if "replicas" in entry:
                _check_replicas(p, f"{path}.replicas", entry["replicas"], workload)
            if "workload_name" in entry and v.check_str(p, f"{path}.workload_name", entry["workload_name"]):
                if not entry["workload_name"]:
                    p.value(f"{path}.workload_name", "", "must not be empty: every object of a bundle has a fixed name")
        _check_extras(p, args, workload)
    if "allow_from" in args:
        _check_peers(p, args["allow_from"])
        if target is not None and target.network_policy is None:
            p.missing(
                "allow_from",
                f"would isolate the Pods of target {v.show(target.name)}, which admits every client: a NetworkPolicy"
                f" here cuts off every other client of {v.show(target.name)}. Give {v.show(target.name)} an"
                " 'allow_from' too, or leave this one out",
            )
    elif target is not None and target.network_policy is not None:
        p.missing(
            "allow_from",
            f"is required: target {v.show(target.name)} admits only its 'allow_from' peers, so this Service's clients"
            " would be cut off; list them here (e.g. [{ip_block: 0.0.0.0/0}] for clients outside the cluster)",
        )
    _check_service_options(p, args)
    spec_fields = _workload_spec(p, args, workload) if owns_pods else {}
    if any(problem.is_type_error for problem in p.items):
        return None, _unique(p), False

    # Without usable containers there is no Pod to build, but the Service
    # is still built and checked, so every problem is reported at once.
    base_name = args.get("workload_name", name)
    account = args.get("service_account", False) if owns_pods else False
    account_args: Mapping[str, Any] = account if isinstance(account, Mapping) else {}
    account_name = account_args.get("name", base_name)
    pod_specs: dict[str, dict[str, Any]] = {}
    declared: list[ContainerPort] | None = None
    if owns_pods and buildable:
        for version in versions or {"": {}}:
            entry = versions.get(version, {})
            own = f"versions[{v.show(version)}]." if version else ""
            spec = build_pod_spec(
                p,
                entry.get("containers", args.get("containers")),
                entry.get("pod_spec", args.get("pod_spec")),
                profile,
                f"{own}containers" if "containers" in entry else "containers",
                f"{own}pod_spec" if "pod_spec" in entry else "pod_spec",
            )
            if account is not False:
                spec["serviceAccountName"] = account_name
            pod_specs[version] = spec
        declared = _declared(spec["containers"] for spec in pod_specs.values())
    elif target is not None:
        declared = _declared(_pod_spec_of(manifest).get("containers", []) for _, manifest in target.workloads)
    ports = _service_ports(p, kind, args, declared)
    if any(problem.is_type_error for problem in p.items):
        return None, _unique(p), False

    annotations = dict(args.get("service_annotations", {}))
    if args.get("skip_await"):
        annotations[SKIP_AWAIT_ANNOTATION] = "true"
    if external:
        annotations[EXTERNAL_PODS_ANNOTATION] = "true"
    if target is not None and v.is_known(target.service_name):
        annotations[SHARES_PODS_ANNOTATION] = target.service_name
    # The recommended name label, so tools find the Service; never selected on.
    name_label = {"app.kubernetes.io/name": name}
    service_metadata: dict[str, Any] = {
        "name": service_name,
        "namespace": namespace,
        "labels": {**name_label, **args.get("service_labels", {})},
    }
    if annotations:
        service_metadata["annotations"] = annotations
    built = Plan(
        kind=kind,
        name=name,
        namespace=namespace,
        service_name=service_name,
        cluster_domain=cluster_domain,
        service=build_service(kind.service_type, args, service_metadata, ports, selector),
        selector=selector,
        custom_timeouts=_custom_timeouts(args.get("custom_timeouts")),
        profile=profile,
        defaulted=frozenset({"service_name", "workload_name"} - set(args)),
        node_port_range=node_port_range,
        ports=ports,
        target=target,
        external_pods=external,
        version_args=versions,
        version_label=version_label,
    )
    if selector is not None and pod_specs:
        headless = bool(args.get("headless"))
        governing = args.get("governing_service_name", f"{service_name}-headless")
        for version, spec in pod_specs.items():
            entry = versions.get(version, {})
            labels = {**args.get("pod_labels", {}), **entry.get("pod_labels", {}), **selector}
            match = dict(selector)
            if version:
                labels[version_label] = match[version_label] = version
            pod_metadata: dict[str, Any] = {"labels": labels}
            pod_annotations = {**args.get("pod_annotations", {}), **entry.get("pod_annotations", {})}
            metadata: dict[str, Any] = {
                "name": entry.get("workload_name", f"{base_name}-{version}" if version else base_name),
                "namespace": namespace,
            }
            own_annotations = dict(args.get("workload_annotations", {}))
            if version:
                (pod_annotations if workload == "Pod" else own_annotations)[VERSION_OF_ANNOTATION] = name
            if pod_annotations:
                pod_metadata["annotations"] = pod_annotations
            if workload != "Pod":
                metadata["labels"] = {**labels, **args.get("workload_labels", {})}
                if own_annotations:
                    metadata["annotations"] = own_annotations
            built.workloads.append(
                (
                    version,
                    build_workload(
                        workload,
                        metadata,
                        pod_metadata,
                        spec,
                        match,
                        entry.get("replicas", args.get("replicas", 1)),
                        spec_fields,
                        service_name if headless else governing,
                    ),
                )
            )
        built.pod_labels = (
            built.workloads[0][1]["metadata"]["labels"]
            if workload == "Pod"
            else dict(built.workloads[0][1]["spec"]["template"]["metadata"]["labels"])
        )
        if workload == "StatefulSet" and not headless:
            built.governing_service = build_service(
                "ClusterIP",
                {"headless": True},
                {
                    "name": governing,
                    "namespace": namespace,
                    "labels": dict(name_label),
                    "annotations": {SHARES_PODS_ANNOTATION: service_name},
                },
                [{key: value for key, value in port.items() if key != "node_port"} for port in ports],
                selector,
            )
        if account is not False:
            account_metadata: dict[str, Any] = {
                "name": account_name,
                "namespace": namespace,
                "labels": {**name_label, **account_args.get("labels", {})},
            }
            if account_args.get("annotations"):
                account_metadata["annotations"] = dict(account_args["annotations"])
            built.service_account = build_service_account(
                account_metadata, account_args.get("automount_service_account_token", False)
            )
        if "disruption_budget" in args:
            built.disruption_budget = build_disruption_budget(
                {"name": base_name, "namespace": namespace, "labels": dict(name_label)},
                selector,
                args["disruption_budget"],
            )
    if selector is not None and "allow_from" in args and (pod_specs or target is not None or external):
        built.network_policy = build_network_policy(
            {"name": service_name, "namespace": namespace}, selector, list(args["allow_from"]), ports
        )
    return built, _unique(p), buildable or not owns_pods


def _unique(p: v.Problems) -> v.Problems:
    """Each problem once: a bundle's value is built into every version."""
    p.items = list(dict.fromkeys(p.items))
    return p


def _pod_spec_of(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    spec: Mapping[str, Any] = manifest["spec"]
    return spec if manifest["kind"] == "Pod" else spec["template"]["spec"]


def _declared(containers_lists: Any) -> list[ContainerPort]:
    """The container ports of every Pod spec, each (name, number, protocol) once."""
    seen: dict[tuple[Any, Any, Any], ContainerPort] = {}
    for containers in containers_lists:
        for port in container_ports(containers):
            key = (port.name, port.number, port.protocol)
            # Values of the wrong type (the rules report them) and Outputs
            # are kept as they are.
            if all(isinstance(part, (str, int, type(None))) for part in key):
                seen.setdefault(key, port)
            else:
                seen[(id(port), None, None)] = port
    return list(seen.values())
