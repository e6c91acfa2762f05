"""Where a bundle's Kubernetes specs are built, and the component base class.

`plan` turns a component's arguments into plain Python specs (snake_case, the
pulumi_kubernetes ``...ArgsDict`` shapes) after every rule in `_validation`
has passed; `ServiceComponent` registers the Service and workload from a plan.
Keeping the plan free of Pulumi Outputs keeps types, ports and labels known at
preview, where policies read them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

import pulumi
import pulumi_kubernetes as k8s

from . import _validation as v
from ._args import (
    CONTAINER_KEYS,
    CONTAINER_PORT_KEYS,
    POD_SPEC_KEYS,
    CustomTimeoutsArgs,
    PeerArgs,
    keys_of,
)

SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait"
DEFAULT_NODE_PORT_RANGE = "30000-32767"

# Pod Security Standards defaults. Pod level, then container level.
_POD_SECURITY: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "restricted": (
        {"run_as_non_root": True, "seccomp_profile": {"type": "RuntimeDefault"}},
        {
            "allow_privilege_escalation": False,
            "capabilities": {"drop": ["ALL"]},
            "run_as_non_root": True,
            "seccomp_profile": {"type": "RuntimeDefault"},
        },
    ),
    "baseline": (
        {"seccomp_profile": {"type": "RuntimeDefault"}},
        {"allow_privilege_escalation": False},
    ),
}


@dataclass(frozen=True)
class Kind:
    """What distinguishes one component class from another."""

    component: str
    service_type: str
    exposure: str
    args: Any
    port_args: Any
    has_workload: bool = True

    @property
    def exposes_node_ports(self) -> bool:
        return self.service_type in ("NodePort", "LoadBalancer")


# Every component's Kind, in the order their modules register them; used to
# tell a user which component accepts an argument that this one does not.
KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.component] = kind
    return kind


@dataclass
class ContainerPort:
    name: str | None
    number: Any
    protocol: str


@dataclass
class Plan:
    """Everything a component registers, as plain values."""

    kind: Kind
    name: str
    namespace: Any
    service_name: Any
    cluster_domain: str
    service_metadata: dict[str, Any]
    service_spec: dict[str, Any]
    selector: dict[str, Any] | None = None
    workload_kind: str | None = None
    workload_metadata: dict[str, Any] | None = None
    workload_spec: dict[str, Any] | None = None
    custom_timeouts: pulumi.CustomTimeouts | None = None
    container_ports: list[ContainerPort] = field(default_factory=list)
    pod_labels: dict[str, Any] = field(default_factory=dict)
    allow_from: list[dict[str, Any]] | None = None
    network_policy_metadata: dict[str, Any] | None = None
    network_policy_spec: dict[str, Any] | None = None

    @property
    def ports(self) -> list[dict[str, Any]]:
        """The Service's ports as emitted (snake_case)."""
        ports: list[dict[str, Any]] = self.service_spec.get("ports", [])
        return ports

    @property
    def dns_name(self) -> Any:
        if v.is_known(self.service_name) and v.is_known(self.namespace):
            return f"{self.service_name}.{self.namespace}.svc.{self.cluster_domain}"
        return pulumi.Output.concat(self.service_name, ".", self.namespace, ".svc.", self.cluster_domain)


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


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``, recursively for nested mappings."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# --- validation of the parts ------------------------------------------------


def _check_containers(p: v.Problems, args: Mapping[str, Any], profile: str) -> list[ContainerPort]:
    containers = args.get("containers")
    ports: list[ContainerPort] = []
    if "containers" not in args or containers is None or not v.check_list(p, "containers", containers):
        return ports
    if not containers:
        p.value("containers", containers, "must list at least one container")
    names: set[str] = set()
    port_names: dict[str, str] = {}
    for i, container in enumerate(containers):
        path = f"containers[{i}]"
        if not v.check_mapping(p, path, container):
            continue
        v.check_keys(p, path, container, CONTAINER_KEYS, "a container (ContainerArgsDict)")
        if "name" not in container:
            p.type(f"{path}.name", "is required")
        else:
            v.check_dns1123_label(p, f"{path}.name", container["name"])
            if container["name"] in names:
                p.value(
                    f"{path}.name", container["name"], "is used by another container; container names must be unique"
                )
            if isinstance(container["name"], str):
                names.add(container["name"])
        image = container.get("image")
        if "image" not in container:
            p.type(f"{path}.image", "is required")
        elif v.check_str(p, f"{path}.image", image) and (not image.strip() or any(c.isspace() for c in image)):
            p.value(f"{path}.image", image, 'must be a non-empty image reference without spaces, e.g. "nginx:1.27.0"')
        _check_security_context(p, f"{path}.security_context", container.get("security_context"), profile)
        declared = container.get("ports", [])
        if not v.is_known(declared) or not v.check_list(p, f"{path}.ports", declared):
            continue
        for j, port in enumerate(declared):
            ppath = f"{path}.ports[{j}]"
            if not v.check_mapping(p, ppath, port):
                continue
            v.check_keys(p, ppath, port, CONTAINER_PORT_KEYS, "a container port (ContainerPortArgsDict)")
            if "container_port" not in port:
                p.type(f"{ppath}.container_port", "is required")
            else:
                v.check_port(p, f"{ppath}.container_port", port["container_port"])
            protocol = port.get("protocol", "TCP")
            v.check_choice(p, f"{ppath}.protocol", protocol, v.PROTOCOLS)
            name = port.get("name")
            if name is not None:
                v.check_iana_svc_name(p, f"{ppath}.name", name)
                if isinstance(name, str) and name in port_names:
                    p.value(
                        f"{ppath}.name",
                        name,
                        f"is already the name of {port_names[name]}; container port names must be unique in a Pod",
                    )
                elif isinstance(name, str):
                    port_names[name] = ppath
            ports.append(ContainerPort(name, port.get("container_port"), protocol))
    return ports


def _check_security_context(p: v.Problems, path: str, context: Any, profile: str) -> None:
    """The limits of the profile, which a user's fields may not cross."""
    if context is None or not v.is_known(context) or not v.check_mapping(p, path, context):
        return
    fix = "; remove it, or set 'pod_security' to \"baseline\"" if profile == "restricted" else ""
    if context.get("privileged") is True:
        p.value(
            f"{path}.privileged", True, "is not allowed: privileged containers pass no Pod Security Standards profile"
        )
    seccomp = context.get("seccomp_profile")
    if isinstance(seccomp, Mapping) and seccomp.get("type") == "Unconfined":
        p.value(f"{path}.seccomp_profile.type", "Unconfined", "is not allowed by the Pod Security Standards")
    if profile != "restricted":
        return
    limits = (
        ("allow_privilege_escalation", True),
        ("run_as_non_root", False),
        ("run_as_user", 0),
    )
    for key, bad in limits:
        value = context.get(key)
        if value is bad or (v.is_int(value) and v.is_int(bad) and value == bad):
            p.value(f"{path}.{key}", value, f'is not allowed with pod_security "restricted"{fix}')
    capabilities = context.get("capabilities")
    if isinstance(capabilities, Mapping) and isinstance(capabilities.get("add"), (list, tuple)):
        for i, capability in enumerate(capabilities["add"]):
            if capability != "NET_BIND_SERVICE":
                p.value(
                    f"{path}.capabilities.add[{i}]",
                    capability,
                    f'is not allowed with pod_security "restricted", which only allows adding "NET_BIND_SERVICE"{fix}',
                )


def _check_pod_spec(p: v.Problems, pod_spec: Any, profile: str) -> None:
    if pod_spec is None or not v.check_mapping(p, "pod_spec", pod_spec):
        return
    for key in pod_spec:
        if key == "containers":
            p.type("pod_spec.containers", "is not accepted; give the containers as the 'containers' argument")
        elif isinstance(key, str) and key not in POD_SPEC_KEYS:
            p.type(
                f"pod_spec.{key}",
                f"is not a field of a PodSpec (PodSpecArgsDict).{v.suggest(key, POD_SPEC_KEYS)}".rstrip("."),
            )
    for key in ("host_network", "host_pid", "host_ipc"):
        if pod_spec.get(key) is True:
            p.value(
                f"pod_spec.{key}",
                True,
                "is not allowed: sharing the node's namespaces passes no Pod Security Standards profile",
            )
    _check_security_context(p, "pod_spec.security_context", pod_spec.get("security_context"), profile)


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


def _resolve_target_port(
    p: v.Problems, path: str, port: Mapping[str, Any], container_ports: list[ContainerPort]
) -> Any:
    """The target port to emit, checked against the declared container ports."""
    target = port.get("target_port")
    match: list[ContainerPort] = []
    if target is None:
        match = [c for c in container_ports if c.name is not None and c.name == port.get("name")]
        if match:
            target = match[0].name
        elif len(container_ports) == 1:
            match = container_ports
            target = match[0].number
        else:
            declared = len(container_ports)
            p.missing(
                f"{path}.target_port",
                f"is not set and cannot be inferred: no container port is named {v.show(port.get('name'))} and "
                f"{'no container declares a port' if not declared else f'{declared} container ports are declared'}; "
                "set 'target_port' to a container port's name or number",
            )
            return None
    elif not v.is_known(target):
        return target
    elif isinstance(target, str):
        v.check_iana_svc_name(p, f"{path}.target_port", target)
        match = [c for c in container_ports if c.name == target]
        if not match:
            names = [c.name for c in container_ports if isinstance(c.name, str)]
            listed = ", ".join(v.show(n) for n in names) if names else "none"
            p.value(
                f"{path}.target_port",
                target,
                f"does not name a container port (declared names: {listed})."
                f"{v.suggest(target, names, value=True)}".rstrip("."),
            )
    elif not v.is_int(target):
        p.type(f"{path}.target_port", f"must be a port number or a container port name, not {v.type_name(target)}")
    elif v.check_port(p, f"{path}.target_port", target):
        match = [c for c in container_ports if c.number == target]
        if not match:
            numbers = ", ".join(str(c.number) for c in container_ports) or "none"
            p.value(
                f"{path}.target_port",
                target,
                f"is not a declared container port (declared: {numbers}); add it to a container's 'ports' or fix the number",
            )
    protocol = port.get("protocol", "TCP")
    if match and protocol in v.PROTOCOLS and match[0].protocol in v.PROTOCOLS and protocol != match[0].protocol:
        p.value(
            f"{path}.protocol",
            protocol,
            f"does not match the protocol of container port {v.show(target)} ({match[0].protocol})",
        )
    return target


def _check_ports(
    p: v.Problems,
    kind: Kind,
    args: Mapping[str, Any],
    container_ports: list[ContainerPort],
    node_port_range: tuple[int, int],
) -> list[dict[str, Any]]:
    ports = args.get("ports", [])
    if not v.check_list(p, "ports", ports):
        return []
    # With no usable containers, the containers' own problem says it all; a
    # target port cannot be checked against nothing.
    containers = args.get("containers")
    containers_valid = isinstance(containers, (list, tuple)) and bool(containers)
    if not ports and kind.has_workload and not args.get("headless"):
        p.value("ports", ports, "must list at least one port (only a headless ClusterIPService may have none)")
    emitted: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    node_ports: dict[int, str] = {}
    seen: dict[tuple[Any, Any], str] = {}
    for i, port in enumerate(ports):
        path = f"ports[{i}]"
        if not v.check_mapping(p, path, port):
            continue
        _check_own_keys(p, kind, path, port, kind.port_args, port=True)
        out: dict[str, Any] = {}
        name = port.get("name")
        if name is None:
            if len(ports) > 1:
                p.type(f"{path}.name", "is required when a Service has more than one port")
        else:
            v.check_dns1123_label(p, f"{path}.name", name)
            if isinstance(name, str) and name in names:
                p.value(f"{path}.name", name, f"is already the name of {names[name]}; port names must be unique")
            elif isinstance(name, str):
                names[name] = path
            out["name"] = name
        number = port.get("port")
        if "port" in port:
            v.check_port(p, f"{path}.port", number)
        out["port"] = number
        protocol = port.get("protocol", "TCP")
        v.check_choice(p, f"{path}.protocol", protocol, v.PROTOCOLS)
        out["protocol"] = protocol
        if v.is_int(number) and isinstance(protocol, str):
            if (number, protocol) in seen:
                p.value(
                    f"{path}.port", number, f"is already exposed by {seen[number, protocol]} with protocol {protocol}"
                )
            seen[number, protocol] = path
        if "app_protocol" in port:
            v.check_str(p, f"{path}.app_protocol", port["app_protocol"])
            out["app_protocol"] = port["app_protocol"]
        if kind.has_workload and containers_valid:
            out["target_port"] = _resolve_target_port(p, path, port, container_ports)
        if "node_port" in port and kind.exposes_node_ports:
            node_port = port["node_port"]
            low, high = node_port_range
            hint = "" if (low, high) == (30000, 32767) else " (the 'node_port_range')"
            if v.check_range(p, f"{path}.node_port", node_port, low, high, hint):
                if node_port in node_ports:
                    p.value(
                        f"{path}.node_port",
                        node_port,
                        f"is already used by {node_ports[node_port]}; node ports must be unique",
                    )
                node_ports[node_port] = path
            out["node_port"] = node_port
        emitted.append(out)
    return emitted


def _check_service_options(
    p: v.Problems, args: Mapping[str, Any], node_port_range: tuple[int, int], ports: list[dict[str, Any]]
) -> None:
    affinity = args.get("session_affinity", "None")
    v.check_choice(p, "session_affinity", affinity, ("None", "ClientIP"))
    if "session_affinity_timeout_seconds" in args:
        timeout = args["session_affinity_timeout_seconds"]
        if affinity != "ClientIP":
            p.value(
                "session_affinity_timeout_seconds",
                timeout,
                'only applies with session_affinity "ClientIP"; set session_affinity or remove it',
            )
        else:
            v.check_range(p, "session_affinity_timeout_seconds", timeout, 1, 86400)
    if "internal_traffic_policy" in args:
        v.check_choice(p, "internal_traffic_policy", args["internal_traffic_policy"], ("Cluster", "Local"))
    if "external_traffic_policy" in args:
        v.check_choice(p, "external_traffic_policy", args["external_traffic_policy"], ("Cluster", "Local"))
    if "traffic_distribution" in args:
        v.check_choice(
            p, "traffic_distribution", args["traffic_distribution"], ("PreferClose", "PreferSameZone", "PreferSameNode")
        )
    families = args.get("ip_families")
    if families is not None and v.check_list(p, "ip_families", families):
        if not 1 <= len(families) <= 2:
            p.value("ip_families", families, "must list one or two families")
        for i, family in enumerate(families):
            v.check_choice(p, f"ip_families[{i}]", family, ("IPv4", "IPv6"))
        if len(families) == 2 and families[0] == families[1]:
            p.value(
                "ip_families[1]",
                families[1],
                "repeats ip_families[0]; a dual-stack Service lists IPv4 and IPv6 once each",
            )
    if "ip_family_policy" in args:
        policy = args["ip_family_policy"]
        if v.check_choice(p, "ip_family_policy", policy, ("SingleStack", "PreferDualStack", "RequireDualStack")):
            if policy == "SingleStack" and isinstance(families, (list, tuple)) and len(families) > 1:
                p.value(
                    "ip_family_policy",
                    policy,
                    f'cannot be used with {len(families)} ip_families; use "PreferDualStack" or "RequireDualStack", or list one family',
                )
    for key in ("skip_await", "headless", "publish_not_ready_addresses", "allocate_load_balancer_node_ports"):
        if key in args:
            v.check_bool(p, key, args[key])
    if "load_balancer_source_ranges" in args:
        ranges = args["load_balancer_source_ranges"]
        if v.is_known(ranges) and v.check_list(p, "load_balancer_source_ranges", ranges):
            for i, cidr in enumerate(ranges):
                v.check_cidr(p, f"load_balancer_source_ranges[{i}]", cidr)
    if "load_balancer_class" in args:
        v.check_prefixed_name(p, "load_balancer_class", args["load_balancer_class"], "example.com/internal-vip")
    if "health_check_node_port" in args:
        port = args["health_check_node_port"]
        if args.get("external_traffic_policy") != "Local":
            p.value(
                "health_check_node_port",
                port,
                'only applies with external_traffic_policy "Local"; set it or remove health_check_node_port',
            )
        elif v.check_range(p, "health_check_node_port", port, *node_port_range):
            if any(out.get("node_port") == port for out in ports):
                p.value("health_check_node_port", port, "is already the node_port of a Service port")
    if "custom_timeouts" in args:
        timeouts = args["custom_timeouts"]
        if not isinstance(timeouts, pulumi.CustomTimeouts) and v.check_mapping(p, "custom_timeouts", timeouts):
            v.check_keys(p, "custom_timeouts", timeouts, keys_of(CustomTimeoutsArgs), "custom_timeouts")
            for key in ("create", "update", "delete"):
                if key in timeouts:
                    v.check_duration(p, f"custom_timeouts.{key}", timeouts[key])


# --- building ---------------------------------------------------------------


def _security_defaults(profile: str) -> tuple[dict[str, Any], dict[str, Any]]:
    pod, container = _POD_SECURITY[profile]
    return copy.deepcopy(pod), copy.deepcopy(container)


def _build_pod_spec(args: Mapping[str, Any], profile: str) -> dict[str, Any]:
    pod_defaults, container_defaults = _security_defaults(profile)
    base: dict[str, Any] = {"automount_service_account_token": False, "security_context": pod_defaults}
    spec = deep_merge(base, args.get("pod_spec") or {})
    containers = []
    for container in args["containers"]:
        built = dict(container)
        context = container.get("security_context") or {}
        # A context only known at deployment cannot be merged; it is used as given.
        built["security_context"] = deep_merge(container_defaults, context) if isinstance(context, Mapping) else context
        if "ports" in container and isinstance(container["ports"], (list, tuple)):
            built["ports"] = [{"protocol": "TCP", **port} for port in container["ports"]]
        containers.append(built)
    spec["containers"] = containers
    return spec


def _build_service_spec(
    kind: Kind, args: Mapping[str, Any], ports: list[dict[str, Any]], selector: dict[str, Any] | None
) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": kind.service_type}
    if selector is not None:
        spec["selector"] = selector
    if ports:
        spec["ports"] = ports
    if args.get("headless"):
        spec["cluster_ip"] = "None"
    if kind.service_type == "ExternalName":
        spec["external_name"] = args["external_name"]
    for key in (
        "session_affinity",
        "internal_traffic_policy",
        "external_traffic_policy",
        "ip_families",
        "ip_family_policy",
        "traffic_distribution",
        "publish_not_ready_addresses",
        "load_balancer_source_ranges",
        "load_balancer_class",
        "allocate_load_balancer_node_ports",
        "health_check_node_port",
    ):
        if key in args:
            spec[key] = list(args[key]) if isinstance(args[key], tuple) else args[key]
    if "session_affinity_timeout_seconds" in args:
        spec["session_affinity_config"] = {"client_ip": {"timeout_seconds": args["session_affinity_timeout_seconds"]}}
    return spec


def _custom_timeouts(value: Any) -> pulumi.CustomTimeouts | None:
    if value is None or isinstance(value, pulumi.CustomTimeouts):
        return value
    return pulumi.CustomTimeouts(create=value.get("create"), update=value.get("update"), delete=value.get("delete"))


def plan(kind: Kind, name: Any, args: Any) -> Plan:
    """Check every argument, then build the specs. Raises ``TypeError`` or
    ``ValueError`` naming the component, the argument and the value."""
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


def check(kind: Kind, name: str, args: Mapping[str, Any]) -> tuple[Plan | None, v.Problems]:
    """Every problem with the arguments, and the plan when there is none."""
    p = v.Problems()
    _check_own_keys(p, kind, "", args, kind.args, port=False)

    namespace = args.get("namespace", "default")
    v.check_dns1123_label(p, "namespace", namespace)
    service_name = args.get("service_name", name)
    defaulted = "" if "service_name" in args else "; it defaults to the resource name, so set 'service_name'"
    v.check_dns1035_label(p, "service_name", service_name, defaulted)
    cluster_domain = args.get("cluster_domain", "cluster.local")
    v.check_dns1123_subdomain(p, "cluster_domain", cluster_domain)
    for key in ("service_labels", "pod_labels", "selector"):
        if key in args:
            v.check_label_map(p, key, args[key])
    for key in ("service_annotations", "pod_annotations"):
        if key in args:
            v.check_label_map(p, key, args[key], annotations=True)
    node_port_range = (30000, 32767)
    if "node_port_range" in args:
        node_port_range = v.parse_port_range(p, "node_port_range", args["node_port_range"])

    container_ports: list[ContainerPort] = []
    selector: dict[str, Any] | None = None
    profile = "restricted"
    workload = "Pod"
    if kind.has_workload:
        workload = args.get("workload", "Pod")
        v.check_choice(p, "workload", workload, ("Pod", "Deployment"))
        profile = args.get("pod_security", "restricted")
        if not v.check_choice(p, "pod_security", profile, tuple(_POD_SECURITY)):
            profile = "restricted"
        workload_name = args.get("workload_name", name)
        v.check_dns1123_subdomain(
            p,
            "workload_name",
            workload_name,
            "" if "workload_name" in args else "; it defaults to the resource name, so set 'workload_name'",
        )
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
        container_ports = _check_containers(p, args, profile)
        _check_pod_spec(p, args.get("pod_spec"), profile)
    else:
        if "external_name" in args:
            v.check_external_name(p, "external_name", args["external_name"])

    if "allow_from" in args:
        _check_peers(p, args["allow_from"])
    ports = _check_ports(p, kind, args, container_ports, node_port_range)
    _check_service_options(p, args, node_port_range, ports)

    if p:
        return None, p

    annotations = dict(args.get("service_annotations", {}))
    if args.get("skip_await"):
        annotations[SKIP_AWAIT_ANNOTATION] = "true"
    service_metadata: dict[str, Any] = {"name": service_name, "namespace": namespace}
    # The recommended name label, so tools find the Service; never selected on.
    service_metadata["labels"] = {"app.kubernetes.io/name": name, **args.get("service_labels", {})}
    if annotations:
        service_metadata["annotations"] = annotations
    built = Plan(
        kind=kind,
        name=name,
        namespace=namespace,
        service_name=service_name,
        cluster_domain=cluster_domain,
        service_metadata=service_metadata,
        service_spec=_build_service_spec(kind, args, ports, selector),
        selector=selector,
        custom_timeouts=_custom_timeouts(args.get("custom_timeouts")),
        container_ports=container_ports,
    )
    if not kind.has_workload or selector is None:
        return built, p

    pod_metadata: dict[str, Any] = {"labels": {**args.get("pod_labels", {}), **selector}}
    if args.get("pod_annotations"):
        pod_metadata["annotations"] = dict(args["pod_annotations"])
    pod_spec = _build_pod_spec(args, profile)
    base_metadata = {"name": args.get("workload_name", name), "namespace": namespace}
    built.workload_kind = workload
    if workload == "Pod":
        built.workload_metadata = {**base_metadata, **pod_metadata}
        built.workload_spec = pod_spec
    else:
        built.workload_metadata = {**base_metadata, "labels": pod_metadata["labels"]}
        built.workload_spec = {
            "replicas": args.get("replicas", 1),
            "selector": {"match_labels": selector},
            "template": {"metadata": pod_metadata, "spec": pod_spec},
        }
    built.pod_labels = pod_metadata["labels"]
    if "allow_from" in args:
        built.allow_from = [dict(peer) for peer in args["allow_from"]]
        built.network_policy_metadata = {"name": service_name, "namespace": namespace}
        built.network_policy_spec = _build_network_policy_spec(selector, args["allow_from"], ports)
    return built, p


def _build_network_policy_spec(
    selector: dict[str, Any], peers: list[Mapping[str, Any]], ports: list[dict[str, Any]]
) -> dict[str, Any]:
    """Admit traffic to the bundle's Pods, on its target ports, only from ``peers``."""
    sources = [
        {"ip_block": {"cidr": peer["ip_block"]}}
        if "ip_block" in peer
        else {key: {"match_labels": dict(peer[key])} for key in ("pod_selector", "namespace_selector") if key in peer}
        for peer in peers
    ]
    rule: dict[str, Any] = {"from_": sources}
    if ports:
        rule["ports"] = [{"port": port["target_port"], "protocol": port["protocol"]} for port in ports]
    return {
        "pod_selector": {"match_labels": selector},
        "policy_types": ["Ingress"],
        "ingress": [rule] if sources else [],
    }


# --- the component ----------------------------------------------------------


def _field(value: Any, snake: str, camel: str) -> Any:
    """Read a field of an output object, whether it arrives as an output
    class, a snake_case dict (as under mocks) or a camelCase dict."""
    if value is None:
        return None
    if type(value) is dict:
        return value.get(snake, value.get(camel))
    return getattr(value, snake, None)


def _cluster_ip(spec: Any) -> str:
    return str(_field(spec, "cluster_ip", "clusterIP") or "")


def _node_ports(spec: Any) -> dict[str, int]:
    result: dict[str, int] = {}
    for port in _field(spec, "ports", "ports") or []:
        node_port = _field(port, "node_port", "nodePort")
        if node_port:
            key = _field(port, "name", "name") or str(int(_field(port, "port", "port")))
            result[key] = int(node_port)
    return result


def _endpoint(status: Any) -> str:
    ingress = _field(_field(status, "load_balancer", "loadBalancer"), "ingress", "ingress") or []
    for entry in ingress:
        address = _field(entry, "ip", "ip") or _field(entry, "hostname", "hostname")
        if address:
            return str(address)
    return ""


class ServiceComponent(pulumi.ComponentResource):
    """What the four public components share: outputs and registration."""

    KIND: ClassVar[Kind]

    service: k8s.core.v1.Service
    """The Service resource."""
    workload: k8s.core.v1.Pod | k8s.apps.v1.Deployment | None
    """The Pod or Deployment the Service selects; None for ExternalName."""
    network_policy: k8s.networking.v1.NetworkPolicy | None
    """The NetworkPolicy that admits only ``allow_from``; None without ``allow_from``."""
    service_name: pulumi.Input[str]
    """``metadata.name`` of the Service: a plain ``str`` (an Output only if
    given as one)."""
    namespace: pulumi.Input[str]
    """Namespace of the bundle's objects: a plain ``str`` (an Output only if
    given as one)."""
    dns_name: pulumi.Input[str]
    """In-cluster DNS name, ``<service>.<namespace>.svc.<cluster domain>``: a
    plain ``str`` (an Output only if the name or namespace is one)."""
    cluster_ip: pulumi.Output[str]
    """The Service's cluster IP: "None" when headless, "" for ExternalName."""
    node_ports: pulumi.Output[dict[str, int]]
    """Port name (or number, for an unnamed port) to node port; empty where none."""
    endpoint: pulumi.Output[str]
    """The load balancer's ingress IP or hostname; "" where none."""
    exposure: str
    """"east-west" (in-cluster only) or "north-south" (reachable from outside)."""

    def __init__(self, name: str, args: Any, opts: pulumi.ResourceOptions | None = None) -> None:
        # Everything is checked before the component itself is registered, so
        # a bad input leaves nothing behind.
        built = plan(self.KIND, name, args)
        super().__init__(f"k8s-services:index:{self.KIND.component}", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, custom_timeouts=built.custom_timeouts)
        self.workload = None
        # The plan's dicts are ArgsDict-shaped; cast, since they are built as
        # plain dicts so they stay readable for policies and tests.
        metadata = cast(Any, built.workload_metadata)
        if built.workload_kind == "Pod":
            self.workload = k8s.core.v1.Pod(name, metadata=metadata, spec=cast(Any, built.workload_spec), opts=child)
        elif built.workload_kind == "Deployment":
            self.workload = k8s.apps.v1.Deployment(
                name, metadata=metadata, spec=cast(Any, built.workload_spec), opts=child
            )
        self.service = k8s.core.v1.Service(
            name,
            metadata=cast(k8s.meta.v1.ObjectMetaArgsDict, built.service_metadata),
            spec=cast(k8s.core.v1.ServiceSpecArgsDict, built.service_spec),
            opts=child,
        )
        self.network_policy = None
        if built.network_policy_spec is not None:
            self.network_policy = k8s.networking.v1.NetworkPolicy(
                name,
                metadata=cast(k8s.meta.v1.ObjectMetaArgsDict, built.network_policy_metadata),
                spec=cast(k8s.networking.v1.NetworkPolicySpecArgsDict, built.network_policy_spec),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.service_name = built.service_name
        self.namespace = built.namespace
        self.dns_name = built.dns_name
        self.exposure = built.kind.exposure
        # Only what the cluster assigns is an Output; everything known here
        # stays a plain value, known at preview and free to build,
        # and only the types that get a value ask the cluster for it.
        service_type = built.kind.service_type
        spec, status = self.service.spec, self.service.status
        self.cluster_ip = pulumi.Output.from_input("") if service_type == "ExternalName" else spec.apply(_cluster_ip)
        self.node_ports = spec.apply(_node_ports) if built.kind.exposes_node_ports else pulumi.Output.from_input({})
        self.endpoint = status.apply(_endpoint) if service_type == "LoadBalancer" else pulumi.Output.from_input("")
        self.register_outputs(
            {
                # The children by URN: registering resource references made
                # 1000 bundles about 25% slower (benchmarks/README.md).
                "service": self.service.urn,
                "workload": self.workload.urn if self.workload is not None else None,
                "service_name": self.service_name,
                "namespace": self.namespace,
                "dns_name": self.dns_name,
                "cluster_ip": self.cluster_ip,
                "node_ports": self.node_ports,
                "endpoint": self.endpoint,
                "exposure": self.exposure,
            }
        )
