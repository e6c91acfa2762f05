"""Where a bundle's Kubernetes objects are built: arguments in, camelCase
manifests out, exactly as they are registered and as the rules check them.

Pure functions with no Pulumi registration. Values only known at deployment
(Outputs) stay in place; `checkable` swaps them for `k8s_rules.UNKNOWN`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from k8s_rules import UNKNOWN

from . import _validation as v
from ._wire import is_unknown, to_wire

SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait"

# What each Pod Security Standards profile puts on the Pod and on every
# container (init containers included) unless the user sets it. The rules
# (k8s_rules.pod_security) check the result; these only make a bundle pass
# by construction.
SECURITY_DEFAULTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "restricted": (
        {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    ),
    "baseline": (
        {"seccompProfile": {"type": "RuntimeDefault"}},
        {"allowPrivilegeEscalation": False},
    ),
}

# Container lists of ``pod_spec``: each container gets the profile defaults.
# (Ephemeral containers cannot be set on create; `_checks` refuses them.)
POD_CONTAINER_LISTS = {"init_containers": "initContainers"}
CONTAINER = "a Container (ContainerArgsDict)"
POD_SPEC = "a PodSpec (PodSpecArgsDict)"


@dataclass
class ContainerPort:
    """A port a container of the bundle declares, as the Service resolves it."""

    name: Any
    number: Any
    protocol: Any


def merge(defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` over ``defaults``, recursively for mappings; a given list
    replaces the default one (the rules then check what it lacks)."""
    merged = dict(defaults)
    for key, value in given.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _nulls_over_defaults(p: v.Problems, path: str, given: Any, defaults: Mapping[str, Any], profile: str) -> None:
    """An explicit null would silently drop a profile default: refuse it."""
    if not isinstance(given, Mapping):
        return
    for key, value in given.items():
        camel = _camel(key)
        if camel not in defaults:
            continue
        if value is None:
            p.value(
                f"{path}.{key}",
                None,
                f'would remove the pod_security "{profile}" default ({v.show(defaults[camel])}); leave it out to keep'
                " the default, or set the value you want",
            )
        elif isinstance(defaults[camel], Mapping):
            _nulls_over_defaults(p, f"{path}.{key}", value, defaults[camel], profile)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def build_container(p: v.Problems, path: str, container: Any, defaults: Mapping[str, Any], profile: str) -> Any:
    """One container in camelCase with the profile's security defaults."""
    if not isinstance(container, Mapping):
        return container
    _nulls_over_defaults(
        p, path, {"security_context": container.get("security_context", {})}, {"securityContext": defaults}, profile
    )
    built = to_wire(p, path, container, "core.v1.ContainerArgs", CONTAINER)
    context = built.get("securityContext", {})
    # A context only known at deployment cannot be merged; it is used as given.
    built["securityContext"] = context if is_unknown(context) else merge(defaults, context)
    if isinstance(built.get("ports"), list):
        built["ports"] = [{"protocol": "TCP", **port} if isinstance(port, Mapping) else port for port in built["ports"]]
    return built


def build_pod_spec(
    p: v.Problems,
    containers: list[Any],
    pod_spec: Any,
    profile: str,
    containers_path: str = "containers",
    pod_spec_path: str = "pod_spec",
) -> dict[str, Any]:
    """The PodSpec: the bundle's defaults, ``pod_spec`` over them, then the
    containers (``containers`` and ``pod_spec.init_containers``) each with
    the profile's container defaults. The paths name the arguments in
    problems (a version's own are ``versions["v2"].containers``...)."""
    pod_defaults, container_defaults = copy.deepcopy(SECURITY_DEFAULTS[profile])
    base: dict[str, Any] = {"automountServiceAccountToken": False, "securityContext": pod_defaults}
    given = pod_spec or {}
    _nulls_over_defaults(p, pod_spec_path, given, base, profile)
    lists = {key: given[key] for key in POD_CONTAINER_LISTS if isinstance(given.get(key), (list, tuple))}
    rest = {key: value for key, value in given.items() if key not in lists}
    spec = merge(base, to_wire(p, pod_spec_path, rest, "core.v1.PodSpecArgs", POD_SPEC))
    for key, field in POD_CONTAINER_LISTS.items():
        if key in lists:
            spec[field] = [
                build_container(p, f"{pod_spec_path}.{key}[{i}]", container, container_defaults, profile)
                for i, container in enumerate(lists[key])
            ]
    spec["containers"] = [
        build_container(p, f"{containers_path}[{i}]", container, container_defaults, profile)
        for i, container in enumerate(containers)
    ]
    return spec


def container_ports(containers: list[Any]) -> list[ContainerPort]:
    """The ports the (camelCase) containers declare, in order."""
    found: list[ContainerPort] = []
    for container in containers:
        ports = container.get("ports") if isinstance(container, Mapping) else None
        if not isinstance(ports, list):
            continue
        for port in ports:
            if isinstance(port, Mapping):
                found.append(ContainerPort(port.get("name"), port.get("containerPort"), port.get("protocol", "TCP")))
    return found


# Service options copied as they are, argument name -> spec field.
SERVICE_OPTIONS = {
    "session_affinity": "sessionAffinity",
    "internal_traffic_policy": "internalTrafficPolicy",
    "external_traffic_policy": "externalTrafficPolicy",
    "ip_families": "ipFamilies",
    "ip_family_policy": "ipFamilyPolicy",
    "traffic_distribution": "trafficDistribution",
    "publish_not_ready_addresses": "publishNotReadyAddresses",
    "load_balancer_source_ranges": "loadBalancerSourceRanges",
    "load_balancer_class": "loadBalancerClass",
    "allocate_load_balancer_node_ports": "allocateLoadBalancerNodePorts",
    "health_check_node_port": "healthCheckNodePort",
}
PORT_FIELDS = {
    "name": "name",
    "port": "port",
    "protocol": "protocol",
    "app_protocol": "appProtocol",
    "target_port": "targetPort",
    "node_port": "nodePort",
}


def build_service(
    service_type: str,
    args: Mapping[str, Any],
    metadata: dict[str, Any],
    ports: list[dict[str, Any]],
    selector: dict[str, Any] | None,
) -> dict[str, Any]:
    """The Service. ``ports`` are snake_case, with target ports resolved."""
    spec: dict[str, Any] = {"type": service_type}
    if selector is not None:
        spec["selector"] = selector
    if ports:
        spec["ports"] = [{PORT_FIELDS[key]: value for key, value in port.items()} for port in ports]
    if args.get("headless"):
        spec["clusterIP"] = "None"
    if service_type == "ExternalName":
        spec["externalName"] = args["external_name"]
    for key, field in SERVICE_OPTIONS.items():
        if key in args:
            spec[field] = list(args[key]) if isinstance(args[key], tuple) else args[key]
    if "session_affinity_timeout_seconds" in args:
        spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": args["session_affinity_timeout_seconds"]}}
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


# Where each workload keeps its Pod template, and the API group it lives in.
WORKLOAD_KINDS = {"Pod": "v1", "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1"}
REPLICATED = ("Deployment", "StatefulSet")
"""The workloads that have ``replicas`` (and so a disruption budget)."""


def build_workload(
    workload: str,
    metadata: dict[str, Any],
    pod_metadata: dict[str, Any],
    pod_spec: dict[str, Any],
    match_labels: dict[str, Any],
    replicas: Any,
    workload_spec: Mapping[str, Any] | None = None,
    service_name: Any = None,
) -> dict[str, Any]:
    """A bare Pod (the reference scenario), a Deployment, a StatefulSet
    (``service_name``: its governing Service) or a DaemonSet. ``metadata``
    is the workload object's own; ``workload_spec`` (camelCase) goes under
    the fields the bundle sets, which win."""
    if workload == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {**metadata, **pod_metadata}, "spec": pod_spec}
    spec: dict[str, Any] = dict(workload_spec or {})
    if workload == "StatefulSet":
        spec["serviceName"] = service_name
    if workload in REPLICATED:
        spec["replicas"] = replicas
    spec["selector"] = {"matchLabels": match_labels}
    spec["template"] = {"metadata": pod_metadata, "spec": pod_spec}
    return {"apiVersion": "apps/v1", "kind": workload, "metadata": metadata, "spec": spec}


def build_service_account(metadata: dict[str, Any], automount: bool) -> dict[str, Any]:
    """The bundle's own ServiceAccount; its token is not mounted unless asked."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata,
        "automountServiceAccountToken": automount,
    }


def build_disruption_budget(
    metadata: dict[str, Any], selector: dict[str, Any], budget: Mapping[str, Any]
) -> dict[str, Any]:
    """A PodDisruptionBudget over the bundle's Pods."""
    spec: dict[str, Any] = {"selector": {"matchLabels": selector}}
    for key, field in (
        ("min_available", "minAvailable"),
        ("max_unavailable", "maxUnavailable"),
        ("unhealthy_pod_eviction_policy", "unhealthyPodEvictionPolicy"),
    ):
        if key in budget:
            spec[field] = budget[key]
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata, "spec": spec}


def build_network_policy(
    metadata: dict[str, Any], selector: dict[str, Any], peers: list[Mapping[str, Any]], ports: list[dict[str, Any]]
) -> dict[str, Any]:
    """Admit traffic to the bundle's Pods, on its target ports, only from ``peers``."""
    sources = [
        {"ipBlock": {"cidr": peer["ip_block"]}}
        if "ip_block" in peer
        else {
            field: {"matchLabels": dict(peer[key])}
            for key, field in (("pod_selector", "podSelector"), ("namespace_selector", "namespaceSelector"))
            if key in peer
        }
        for peer in peers
    ]
    rule: dict[str, Any] = {"from": sources}
    if ports:
        rule["ports"] = [
            {"port": port.get("target_port", port.get("port")), "protocol": port["protocol"]} for port in ports
        ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata,
        "spec": {
            "podSelector": {"matchLabels": selector},
            "policyTypes": ["Ingress"],
            "ingress": [rule] if sources else [],
        },
    }


_PLAIN = (str, int, float, bool, type(None))


def checkable(value: Any) -> Any:
    """``value`` with every Output replaced by `UNKNOWN`, copied only where
    something changes."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        changed = None
        for key, item in value.items():
            if isinstance(item, _PLAIN):
                continue
            new = checkable(item)
            if new is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        return value if changed is None else changed
    if isinstance(value, list):
        items = [checkable(item) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return UNKNOWN if is_unknown(value) else value


def object_key(manifest: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """How objects are listed: by namespace, name, kind and apiVersion."""
    metadata = manifest.get("metadata") or {}
    return (
        str(metadata.get("namespace", "")),
        str(metadata.get("name", "")),
        str(manifest.get("kind", "")),
        str(manifest.get("apiVersion", "")),
    )


# How the SDK marks a secret value on the wire (pulumi.runtime.rpc): a
# mapping with this key and signature, the value under "value".
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SECRET_PLACEHOLDER = "[secret]"
"""What stands for a secret value in everything recorded or rendered."""


def as_registered(value: Any) -> Any:
    """``value`` as the Pulumi engine hands it on, in a fresh copy: every
    number travelled as a double (an integral one back to an int, an integer
    past 2**53 rounded as the double rounded it), tuples as lists, and a
    value the SDK marked secret as `SECRET_PLACEHOLDER`. The mock kit records
    what it is sent with this, and render (k8s_services.render) what the
    plans hold, so both write the same."""
    kind = type(value)
    if kind is dict or (kind is not str and isinstance(value, Mapping)):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return SECRET_PLACEHOLDER
        return {key: as_registered(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [as_registered(item) for item in value]
    if kind is float and value.is_integer():
        return int(value)
    if kind is int and not -(2**53) <= value <= 2**53:
        try:
            return int(float(value))
        except OverflowError:  # past any double: the SDK could not send it either
            return value
    return value
