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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

import k8s_rules
from k8s_rules import pod_security

from . import _validation as v
from ._args import CustomTimeoutsArgs, PeerArgs, keys_of
from ._kinds import KINDS, Kind
from ._manifests import (
    PORT_FIELDS,
    SERVICE_OPTIONS,
    SKIP_AWAIT_ANNOTATION,
    ContainerPort,
    build_network_policy,
    build_pod_spec,
    build_service,
    build_workload,
    checkable,
    container_ports,
)
from ._wire import snake_path

DEFAULT_NODE_PORT_RANGE = "30000-32767"
WORKLOADS = ("Pod", "Deployment")


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
    workload: dict[str, Any] | None = None
    network_policy: dict[str, Any] | None = None
    pod_labels: dict[str, Any] = field(default_factory=dict)
    custom_timeouts: pulumi.CustomTimeouts | None = None
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
    def workload_kind(self) -> str | None:
        return None if self.workload is None else str(self.workload["kind"])

    @property
    def workload_name(self) -> Any:
        return None if self.workload is None else self.workload["metadata"]["name"]

    @property
    def objects(self) -> list[tuple[str, dict[str, Any]]]:
        """(role, manifest) of every object, in registration order."""
        found = [("workload", self.workload), ("service", self.service), ("network_policy", self.network_policy)]
        return [(role, manifest) for role, manifest in found if manifest is not None]

    @property
    def dns_name(self) -> Any:
        if v.is_known(self.service_name) and v.is_known(self.namespace):
            return f"{self.service_name}.{self.namespace}.svc.{self.cluster_domain}"
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


def _check_containers(p: v.Problems, args: Mapping[str, Any]) -> bool:
    """What the objects cannot say: a list, at least one container, each a
    mapping with a unique name and an image. True when they can be built."""
    containers = args.get("containers")
    if "containers" not in args or containers is None or not v.check_list(p, "containers", containers):
        return False
    if not containers:
        p.value("containers", containers, "must list at least one container")
    usable = bool(containers)
    for i, container in enumerate(containers):
        path = f"containers[{i}]"
        if not v.check_mapping(p, path, container):
            usable = False
            continue
        if "name" not in container:
            p.type(f"{path}.name", "is required")
        else:
            v.check_str(p, f"{path}.name", container["name"])
        image = container.get("image")
        if "image" not in container:
            p.type(f"{path}.image", "is required")
        elif v.check_str(p, f"{path}.image", image) and (not image.strip() or any(c.isspace() for c in image)):
            p.value(f"{path}.image", image, 'must be a non-empty image reference without spaces, e.g. "nginx:1.27.0"')
        # Target ports are resolved against the ports, and the profile's
        # defaults merged into the security context: both must be plain.
        for key in ("security_context", "ports"):
            value = container.get(key)
            if value is not None:
                if key == "ports":
                    v.check_list(p, f"{path}.{key}", value)
                else:
                    v.check_mapping(p, f"{path}.{key}", value)
    return usable


def _check_pod_spec(p: v.Problems, pod_spec: Any) -> None:
    if pod_spec is None or not v.check_mapping(p, "pod_spec", pod_spec):
        return
    if "containers" in pod_spec:
        p.type("pod_spec.containers", "is not accepted; give the containers as the 'containers' argument")
    if pod_spec.get("ephemeral_containers"):
        p.type(
            "pod_spec.ephemeral_containers",
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
    bundle has containers to resolve them against."""
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
        if "node_port" in port and kind.exposes_node_ports:
            out["node_port"] = port["node_port"]
        emitted.append(out)
    return emitted


# Arguments that decide which objects and fields are built, or are resource
# options: they must be known when the program runs.
STRUCTURAL = {
    "workload": "it decides which object is built",
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
    for key in ("skip_await", "headless", "publish_not_ready_addresses", "allocate_load_balancer_node_ports"):
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
            and not isinstance(timeouts, pulumi.CustomTimeouts)
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


def _custom_timeouts(value: Any) -> pulumi.CustomTimeouts | None:
    if value is None or isinstance(value, pulumi.CustomTimeouts):
        return value
    return pulumi.CustomTimeouts(create=value.get("create"), update=value.get("update"), delete=value.get("delete"))


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


def argument_path(origins: _Origins, role: str, path: tuple[str | int, ...]) -> str:
    """The argument a problem at ``path`` of the ``role`` object came from."""
    if role == "service":
        return _service_argument(path)
    if role == "network_policy":
        return _network_policy_argument(path)
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
    return snake_path(path, k8s.meta.v1.ObjectMetaArgs)


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
    for metadata_path in origins.pod_metadata_paths:
        if path[: len(metadata_path)] == metadata_path and len(path) > len(metadata_path):
            rest = path[len(metadata_path) :]
            if rest[0] == "labels" and len(rest) > 1:
                root = "selector" if rest[1] in origins.selector else "pod_labels"
                return _map_key(root, rest[1:])
            return _metadata_argument(rest, "workload_name", "pod_labels", "pod_annotations")
    spec = origins.pod_spec_path
    if path[: len(spec)] == spec and len(path) > len(spec):
        rest = path[len(spec) :]
        if rest[0] == "containers" and len(rest) > 1:
            return f"containers[{rest[1]}]" + _dotted(snake_path(rest[2:], k8s.core.v1.ContainerArgs))
        if rest[0] == "initContainers" and len(rest) > 1:
            return f"pod_spec.init_containers[{rest[1]}]" + _dotted(snake_path(rest[2:], k8s.core.v1.ContainerArgs))
        return "pod_spec." + snake_path(rest, k8s.core.v1.PodSpecArgs)
    if path[:2] == ("spec", "replicas"):
        return "replicas"
    if path[:2] == ("spec", "selector"):
        return "selector"
    return "args"


def _dotted(rest: str) -> str:
    return "" if not rest else rest if rest.startswith("[") else f".{rest}"


def as_argument_problem(
    built: Plan, role: str, problem: k8s_rules.Problem, *, restricted_only: bool = False
) -> v.Problem:
    """A problem found in one of the plan's objects, against the argument it
    came from; ``restricted_only`` when "baseline" would allow it."""
    is_pod = built.workload_kind == "Pod"
    origins = _Origins(
        selector=built.selector or {},
        pod_spec_path=("spec",) if is_pod else ("spec", "template", "spec"),
        pod_metadata_paths=(("metadata",),) if is_pod else (("spec", "template", "metadata"), ("metadata",)),
    )
    reason = problem.reason
    if restricted_only:
        reason = f"{reason.rstrip('.')}; or set 'pod_security' to \"baseline\" if the image needs it"
    where = argument_path(origins, role, problem.path)
    # Rules name other fields by their place in the object; say the argument.
    if role == "service":
        reason = reason.replace("spec.ports[", "ports[").replace("spec.ipFamilies", "ip_families")
    elif role == "workload":
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
    """Every rule on every object of the plan, and the wiring between them."""
    checked = {problem.path for problem in p.items}
    roles = [role for role, _ in built.objects]
    objects = [manifest if built.plain else checkable(manifest) for _, manifest in built.objects]
    found = k8s_rules.check_objects(
        objects,
        pod_security=built.profile if built.workload is not None else None,
        node_port_range=node_port_range,
        cluster_domain=built.cluster_domain,
    )
    # Which Pod Security problems "baseline" would let through: only those
    # can be fixed by choosing it. Worked out only when there are some.
    baseline: set[tuple[str | int, ...]] = set()
    if built.profile == "restricted" and any(problem.rule.startswith("pod-security/") for _, problem in found):
        baseline = {problem.path for problem in pod_security.check_pod_security(objects[0], "baseline")}
    # Wiring between objects that are wrong in themselves is only noise.
    if any(not problem.rule.startswith("wiring/") for _, problem in found) or p.items:
        found = [(index, problem) for index, problem in found if not problem.rule.startswith("wiring/")]
    for index, problem in found:
        restricted_only = (
            built.profile == "restricted" and problem.rule.startswith("pod-security/") and problem.path not in baseline
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


def build_unchecked(kind: Kind, name: str, args: Mapping[str, Any]) -> tuple[Plan | None, v.Problems, bool]:
    """The arguments' own checks and the objects they build, before any rule
    runs on the objects: (plan or None when nothing can be built, the
    problems so far, whether the workload could be built too)."""
    p = v.Problems()
    _check_own_keys(p, kind, "", args, kind.args, port=False)

    # Names and labels land in the objects' metadata, where the rules check
    # their format; here only their types.
    namespace = args.get("namespace", "default")
    service_name = args.get("service_name", name)
    names = {"namespace": namespace, "service_name": service_name}
    if kind.has_workload:
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
    if kind.has_workload:
        workload = args.get("workload", "Pod")
        v.check_choice(p, "workload", workload, WORKLOADS)
        profile = args.get("pod_security", "restricted")
        if not v.check_choice(p, "pod_security", profile, pod_security.LEVELS):
            profile = "restricted"
        if "replicas" in args:
            replicas = args["replicas"]
            if workload != "Deployment":
                p.value(
                    "replicas",
                    replicas,
                    'only applies with workload "Deployment"; set workload to "Deployment" or remove replicas',
                )
            elif v.check_int(p, "replicas", replicas) and replicas < 0:
                p.value("replicas", replicas, "must not be negative")
        given_selector = args.get("selector", {"app.kubernetes.io/name": name})
        if not v.is_known(given_selector):
            p.type(
                "selector",
                "must be a plain mapping, not an Output: the Pod labels and the Service selector are built from it",
            )
        selector = dict(given_selector) if isinstance(given_selector, Mapping) else {}
        if isinstance(given_selector, Mapping) and not selector:
            p.value("selector", selector, "must have at least one label; an empty selector would select no Pods")
        pod_labels = args.get("pod_labels", {})
        if isinstance(pod_labels, Mapping):
            for key, value in pod_labels.items():
                if isinstance(key, str) and key in selector and selector[key] != value:
                    p.value(
                        f"pod_labels[{v.show(key)}]",
                        value,
                        f"conflicts with selector[{v.show(key)}] ({v.show(selector[key])}); the Pod must carry the selector's value",
                    )
        buildable = _check_containers(p, args)
        _check_pod_spec(p, args.get("pod_spec"))
    if "allow_from" in args:
        _check_peers(p, args["allow_from"])
    _check_service_options(p, args)
    if any(problem.is_type_error for problem in p.items):
        return None, p, False

    # Without usable containers there is no Pod to build, but the Service
    # is still built and checked, so every problem is reported at once.
    pod_spec: dict[str, Any] | None = None
    declared: list[ContainerPort] | None = None
    if kind.has_workload and buildable:
        pod_spec = build_pod_spec(p, args, profile)
        declared = container_ports(pod_spec["containers"])
    ports = _service_ports(p, kind, args, declared)
    if any(problem.is_type_error for problem in p.items):
        return None, p, False

    annotations = dict(args.get("service_annotations", {}))
    if args.get("skip_await"):
        annotations[SKIP_AWAIT_ANNOTATION] = "true"
    # The recommended name label, so tools find the Service; never selected on.
    service_metadata: dict[str, Any] = {
        "name": service_name,
        "namespace": namespace,
        "labels": {"app.kubernetes.io/name": name, **args.get("service_labels", {})},
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
    )
    if kind.has_workload and selector is not None and pod_spec is not None:
        pod_metadata: dict[str, Any] = {"labels": {**args.get("pod_labels", {}), **selector}}
        if args.get("pod_annotations"):
            pod_metadata["annotations"] = dict(args["pod_annotations"])
        metadata = {"name": args.get("workload_name", name), "namespace": namespace}
        built.workload = build_workload(workload, metadata, pod_metadata, pod_spec, selector, args.get("replicas", 1))
        built.pod_labels = pod_metadata["labels"]
        if "allow_from" in args:
            built.network_policy = build_network_policy(
                {"name": service_name, "namespace": namespace}, selector, list(args["allow_from"]), ports
            )
    return built, p, buildable
