"""How each Service of a set of Kubernetes objects is reached, what it routes
to and who may call it, read from the manifests alone (so from any Pulumi
program that uses pulumi_kubernetes, through `k8s_services.render.objects`),
and shown as a table or drawn as a mermaid or Graphviz picture.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .render import RenderedObject, _one_line

FORMATS = ("table", "mermaid", "dot")
"""What `describe` can write: an aligned table, a mermaid ``flowchart`` or a
Graphviz ``digraph``."""

DEFAULT_CLUSTER_DOMAIN = "cluster.local"

# Kubernetes defines this annotation (k8s.io/api core/v1
# AnnotationLoadBalancerSourceRangesKey); the field replaced it.
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
ALLOW_ALL_SOURCES = "0.0.0.0/0"

# The annotations k8s_rules.wiring defines, read here for what they say
# about the Pods a Service selects. Copied, not imported: this module reads
# any program's objects and needs no more of the rules than these names.
EXTERNAL_PODS_ANNOTATION = "k8s-services.io/external-pods"
VERSION_OF_ANNOTATION = "k8s-services.io/version-of"

# The label the API server puts on every Namespace (since 1.22), so a
# namespaceSelector on it names namespaces exactly.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

# Where each kind that runs Pods keeps their labels. PodTemplate runs none;
# Jobs and CronJobs are callers (and, rarely, backends) like any other.
_POD_LABELS: dict[str, tuple[str, ...]] = {
    "Pod": ("metadata", "labels"),
    "Deployment": ("spec", "template", "metadata", "labels"),
    "StatefulSet": ("spec", "template", "metadata", "labels"),
    "DaemonSet": ("spec", "template", "metadata", "labels"),
    "ReplicaSet": ("spec", "template", "metadata", "labels"),
    "ReplicationController": ("spec", "template", "metadata", "labels"),
    "Job": ("spec", "template", "metadata", "labels"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata", "labels"),
}
_POD_SPEC: dict[str, tuple[str, ...]] = {
    kind: (*path[:-2], "spec") if kind != "Pod" else ("spec",) for kind, path in _POD_LABELS.items()
}
_SCALED = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


# --- reading manifests ------------------------------------------------------------


def _get(obj: Any, *path: str) -> Any:
    """The value at ``path``, or None where a step is missing or not a mapping
    (a secret property is the string "[secret]", not a mapping)."""
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _labels(value: Any) -> dict[str, str] | None:
    """A label map whose keys and values are strings, or None."""
    if not isinstance(value, Mapping):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return None
    return dict(value)


def _namespace(manifest: Mapping[str, Any]) -> str:
    # What a namespaced object without one gets from the provider: "default".
    return _text(_get(manifest, "metadata", "namespace")) or "default"


def _name(manifest: Mapping[str, Any]) -> str:
    return _text(_get(manifest, "metadata", "name")) or "<unnamed>"


def _annotation(manifest: Mapping[str, Any], key: str) -> Any:
    return _get(manifest, "metadata", "annotations", key)


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


# --- label selectors --------------------------------------------------------------


@dataclass(frozen=True)
class _Selector:
    """A metav1.LabelSelector: every ``matchLabels`` pair and every expression
    must hold; an empty one selects everything."""

    labels: tuple[tuple[str, str], ...] = ()
    expressions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    valid: bool = True

    @classmethod
    def read(cls, value: Any) -> _Selector:
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            return cls(valid=False)
        labels = _labels(value.get("matchLabels") or {})
        expressions: list[tuple[str, str, tuple[str, ...]]] = []
        for expression in _list(value.get("matchExpressions")):
            key, operator = _get(expression, "key"), _get(expression, "operator")
            values = _get(expression, "values") or []
            if not isinstance(key, str) or not isinstance(operator, str) or not isinstance(values, list):
                return cls(valid=False)
            expressions.append((key, operator, tuple(str(v) for v in values)))
        if labels is None:
            return cls(valid=False)
        return cls(tuple(sorted(labels.items())), tuple(expressions))

    @property
    def empty(self) -> bool:
        return self.valid and not self.labels and not self.expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        """As k8s.io/apimachinery labels.Selector.Matches; an invalid selector
        (the API server would refuse it) matches nothing."""
        if not self.valid:
            return False
        if any(labels.get(key) != value for key, value in self.labels):
            return False
        for key, operator, values in self.expressions:
            present = key in labels
            if operator == "In":
                ok = present and labels[key] in values
            elif operator == "NotIn":
                ok = not present or labels[key] not in values
            elif operator == "Exists":
                ok = present
            elif operator == "DoesNotExist":
                ok = not present
            else:
                ok = False
            if not ok:
                return False
        return True

    def __str__(self) -> str:
        """kubectl's selector syntax: ``app=web,tier in (a,b),!debug``."""
        parts = [f"{key}={value}" for key, value in self.labels]
        for key, operator, values in self.expressions:
            if operator == "In":
                parts.append(f"{key} in ({','.join(values)})")
            elif operator == "NotIn":
                parts.append(f"{key} notin ({','.join(values)})")
            elif operator == "Exists":
                parts.append(key)
            elif operator == "DoesNotExist":
                parts.append(f"!{key}")
            else:
                parts.append(f"{key} {operator} ({','.join(values)})")
        return ",".join(parts) if self.valid else "<invalid selector>"


# --- the model --------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """An object that runs Pods: a bare Pod or a controller."""

    kind: str
    namespace: str
    name: str
    labels: tuple[tuple[str, str], ...]
    """Its Pods' labels."""
    replicas: str
    """How many Pods: ``2 replicas``, ``1 per node`` (a DaemonSet), ``runs to
    completion`` (a Job), ``on a schedule`` (a CronJob)."""
    version_of: str
    """The application it is a version of (`VERSION_OF_ANNOTATION`), or ""."""
    container_ports: tuple[tuple[str, int, str], ...]
    """(name, number, protocol) of each container port it declares."""

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"

    def ref_from(self, namespace: str) -> str:
        return self.ref if namespace == self.namespace else f"{self.ref} in {self.namespace}"


@dataclass(frozen=True)
class Caller:
    """Who a NetworkPolicy lets call a Service's Pods."""

    text: str
    """As the table shows it: a workload, Pods by label, a CIDR, "anyone"."""
    workload: Workload | None = None
    """The workload it names, when the peer's selector resolves to one here."""
    only: tuple[str, ...] = ()
    """The Service ports it may reach when not all of them; () for all."""

    @property
    def only_text(self) -> str:
        return f"{'port' if len(self.only) == 1 else 'ports'} {', '.join(self.only)} only" if self.only else ""

    def __str__(self) -> str:
        return f"{self.text} ({self.only_text})" if self.only else self.text


@dataclass(frozen=True)
class Route:
    """One workload a Service sends traffic to, and who may call it there."""

    workload: Workload
    callers: tuple[Caller, ...] | None
    """None when no NetworkPolicy selects its Pods (any Pod may call); ()
    when policies select them and admit nobody to the Service's ports."""
    policies: tuple[str, ...]
    """The Ingress NetworkPolicies that select its Pods (their union applies)."""


@dataclass(frozen=True)
class ServicePort:
    """One port of a Service, as its manifest sets it."""

    name: str
    port: Any
    protocol: str
    target: Any
    """``targetPort``, defaulting to ``port`` as the API server does."""
    node_port: Any


@dataclass(frozen=True)
class ServiceView:
    """A Service as `describe` shows it."""

    namespace: str
    name: str
    type: str
    headless: bool
    exposure: str
    """north-south (reachable from outside the cluster), east-west, or egress (ExternalName)."""
    dns_name: str
    ports: tuple[ServicePort, ...]
    external_name: str
    external_ips: tuple[str, ...]
    load_balancer_ip: str
    source_ranges: tuple[str, ...]
    """For a LoadBalancer, the sources its load balancer admits."""
    node_ports: bool
    """Whether the Service opens a port on every node."""
    has_selector: bool
    pods_elsewhere: bool
    """Its Pods are deployed by something else (`EXTERNAL_PODS_ANNOTATION`)."""
    routes: tuple[Route, ...]
    endpoints: tuple[str, ...]
    """Addresses of the Endpoints/EndpointSlices registered for a Service
    without a selector."""
    hidden: tuple[str, ...] = ()
    """Workloads in its namespace whose Pod labels cannot be read (secret):
    it may select them too."""

    @property
    def qualified(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def type_text(self) -> str:
        return f"{self.type} (headless)" if self.headless else self.type

    def in_cluster(self) -> list[str]:
        if not self.ports:
            return [self.dns_name]
        return [f"{self.dns_name}:{_port_text(port.port, port.protocol)}" for port in self.ports]

    def from_outside(self) -> list[str]:
        lines: list[str] = []
        if self.type == "LoadBalancer":
            address = self.load_balancer_ip or "<EXTERNAL-IP>"
            ranges = ", ".join(self.source_ranges)
            lines += [f"{address}:{_port_text(port.port, port.protocol)} from {ranges}" for port in self.ports]
        if self.node_ports:
            lines += [f"<node IP>:{_port_text(_node_port(p) or '<assigned nodePort>', p.protocol)}" for p in self.ports]
        lines += [f"{ip}:{_port_text(port.port, port.protocol)}" for ip in self.external_ips for port in self.ports]
        return lines

    def entries(self) -> list[str]:
        """The ways in from outside, as the picture labels them."""
        lines: list[str] = []
        ports = ", ".join(f":{_port_text(port.port, port.protocol)}" for port in self.ports)
        if self.type == "LoadBalancer":
            lines.append(f"{self.load_balancer_ip or 'load balancer'} {ports} from {', '.join(self.source_ranges)}")
        if self.node_ports:
            parts = [
                f":{_port_text(number, port.protocol)}" if (number := _node_port(port)) else "assigned node port"
                for port in self.ports
            ]
            lines.append(("every node " if parts and parts[0][0] == ":" else "every node, ") + ", ".join(parts))
        lines += [f"{ip} {ports}" for ip in self.external_ips]
        return [" ".join(line.split()) for line in lines]

    def routes_to(self) -> list[str]:
        if self.type == "ExternalName":
            return [f"{self.external_name or '<no externalName>'} (CNAME)"]
        if not self.has_selector:
            if self.endpoints:
                return [f"{address} (Endpoints)" for address in self.endpoints]
            return ["no selector: Endpoints managed elsewhere"]
        maybe = [f"{ref}? (its Pod labels are secret)" for ref in self.hidden]
        if not self.routes and not maybe:
            return ["Pods deployed elsewhere" if self.pods_elsewhere else "no Pods here match its selector"]
        return [f"{route.workload.ref} ({route.workload.replicas})" for route in self.routes] + maybe

    def allowed_from(self) -> list[str]:
        if self.type == "ExternalName" or not self.routes:
            return ["-"]
        texts = [_callers_text(route.callers) for route in self.routes]
        if all(text == texts[0] for text in texts):
            return texts[0]
        return [
            f"{route.workload.ref}: {line}" for route, text in zip(self.routes, texts, strict=True) for line in text
        ]


def _callers_text(callers: tuple[Caller, ...] | None) -> list[str]:
    if callers is None:
        return ["any Pod"]
    if not callers:
        return ["nobody"]
    return [str(caller) for caller in callers]


def _port_text(port: Any, protocol: str) -> str:
    return f"{port}" if protocol == "TCP" else f"{port}/{protocol}"


def _node_port(port: ServicePort) -> int | None:
    """The port's node port when the manifest sets one; the cluster assigns it otherwise."""
    return port.node_port if isinstance(port.node_port, int) and port.node_port else None


class _Workloads:
    """The workloads of the objects, indexed by (namespace, label key,
    value) and by (namespace, label key): a selector reads only the shortest
    candidate list its ``matchLabels`` pairs and its ``In`` and ``Exists``
    expressions give, so a stack of thousands of Services and policies is
    described in linear time."""

    def __init__(self, workloads: Iterable[Workload]) -> None:
        self.by_namespace: dict[str, list[Workload]] = defaultdict(list)
        self.by_label: dict[tuple[str, str, str], list[Workload]] = defaultdict(list)
        self.by_key: dict[tuple[str, str], list[Workload]] = defaultdict(list)
        for workload in workloads:
            self.by_namespace[workload.namespace].append(workload)
            for key, value in workload.labels:
                self.by_label[(workload.namespace, key, value)].append(workload)
                self.by_key[(workload.namespace, key)].append(workload)

    def selected(self, namespace: str, selector: _Selector) -> list[Workload]:
        if not selector.valid:
            return []
        candidates = self.by_namespace.get(namespace, [])
        for key, value in selector.labels:
            found = self.by_label.get((namespace, key, value), [])
            if len(found) < len(candidates):
                candidates = found
        for key, operator, values in selector.expressions:
            if operator == "In":
                # A workload has one value per key: no workload twice.
                found = [w for v in dict.fromkeys(values) for w in self.by_label.get((namespace, key, v), [])]
            elif operator == "Exists":
                found = self.by_key.get((namespace, key), [])
            else:
                continue
            if len(found) < len(candidates):
                candidates = found
        return [w for w in candidates if selector.matches(dict(w.labels))]


@dataclass(frozen=True)
class _Policy:
    """An Ingress NetworkPolicy, read once."""

    namespace: str
    name: str
    selector: _Selector
    rules: tuple[Any, ...]


class _Policies:
    """The Ingress NetworkPolicies of the objects, by the workloads whose
    Pods they select: each policy's podSelector is resolved once through the
    `_Workloads` index, so that a label every policy selects on (a shared
    ``app.kubernetes.io/instance``, say) costs no more than a rare one."""

    def __init__(self, manifests: Iterable[Mapping[str, Any]], workloads: _Workloads) -> None:
        self.by_workload: dict[int, list[_Policy]] = defaultdict(list)
        for manifest in manifests:
            if manifest.get("kind") != "NetworkPolicy" or not _is_ingress_policy(manifest):
                continue
            selector = _Selector.read(_get(manifest, "spec", "podSelector"))
            policy = _Policy(
                _namespace(manifest), _name(manifest), selector, tuple(_list(_get(manifest, "spec", "ingress")))
            )
            for workload in workloads.selected(policy.namespace, selector):
                self.by_workload[id(workload)].append(policy)

    def selecting(self, workload: Workload) -> list[_Policy]:
        """The policies whose podSelector selects the workload's Pods, by name
        (``workload`` as `_Workloads` holds it)."""
        return sorted(self.by_workload.get(id(workload), []), key=lambda p: p.name)


@dataclass
class Topology:
    """Every Service of the objects, with what it routes to and who may call it."""

    services: list[ServiceView] = field(default_factory=list)


def read(manifests: Iterable[Mapping[str, Any]], *, cluster_domain: str = DEFAULT_CLUSTER_DOMAIN) -> Topology:
    """The topology of any set of Kubernetes objects (camelCase manifests)."""
    manifests = [m for m in manifests if isinstance(m, Mapping)]
    found: list[Workload] = []
    hidden: dict[str, list[str]] = defaultdict(list)
    for manifest in manifests:
        kind = manifest.get("kind")
        if not isinstance(kind, str) or kind not in _POD_LABELS:
            continue
        labels = _pod_labels(manifest, kind)
        if labels is None:
            hidden[_namespace(manifest)].append(f"{kind}/{_name(manifest)}")
        else:
            found.append(_workload(manifest, kind, labels))
    workloads = _Workloads(found)
    namespaces = _namespace_labels(manifests)
    policies = _Policies(manifests, workloads)
    endpoints = _endpoints(manifests)
    services = [
        _service(m, workloads, hidden, namespaces, policies, endpoints, cluster_domain)
        for m in manifests
        if m.get("kind") == "Service"
    ]
    return Topology(sorted(services, key=lambda s: (s.namespace, s.name)))


def _pod_labels(manifest: Mapping[str, Any], kind: str) -> dict[str, str] | None:
    """The labels of the Pods an object runs: {} when it sets none; None
    when they cannot be read (a property registered as a secret shows as
    the string "[secret]")."""
    value: Any = manifest
    for key in _POD_LABELS[kind]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return {} if value is None else _labels(value)


def _workload(manifest: Mapping[str, Any], kind: str, labels: Mapping[str, str]) -> Workload:
    if kind == "Pod":
        replicas = "1 replica"
    elif kind == "DaemonSet":
        replicas = "1 per node"
    elif kind in _SCALED:
        count = _get(manifest, "spec", "replicas")
        # The API server defaults an absent replicas to 1.
        replicas = _count(1 if count is None else count, "replica") if isinstance(count, int | None) else "? replicas"
    else:
        replicas = "runs to completion" if kind == "Job" else "on a schedule"
    version_of = _annotation(manifest, VERSION_OF_ANNOTATION)
    if kind != "Pod" and not isinstance(version_of, str):
        version_of = _get(manifest, *_POD_LABELS[kind][:-1], "annotations", VERSION_OF_ANNOTATION)
    return Workload(
        kind,
        _namespace(manifest),
        _name(manifest),
        tuple(sorted(labels.items())),
        replicas,
        version_of if isinstance(version_of, str) else "",
        tuple(_container_ports(_get(manifest, *_POD_SPEC[kind]))),
    )


def _container_ports(spec: Any) -> Iterator[tuple[str, int, str]]:
    # Sidecars (init containers that keep running) serve named ports too.
    containers = _list(_get(spec, "containers")) + [
        c for c in _list(_get(spec, "initContainers")) if _get(c, "restartPolicy") == "Always"
    ]
    for container in containers:
        for port in _list(_get(container, "ports")):
            number = _get(port, "containerPort")
            if isinstance(number, int):
                yield (_text(_get(port, "name")) or "", number, _text(_get(port, "protocol")) or "TCP")


def _namespace_labels(manifests: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Each namespace the objects name, with its labels (the API server's
    name label included)."""
    found: dict[str, dict[str, str]] = {}
    for manifest in manifests:
        if manifest.get("kind") == "Namespace":
            name = _name(manifest)
            found[name] = {**(_labels(_get(manifest, "metadata", "labels")) or {}), NAMESPACE_NAME_LABEL: name}
    for manifest in manifests:
        namespace = _namespace(manifest)
        found.setdefault(namespace, {NAMESPACE_NAME_LABEL: namespace})
    return found


def _endpoints(manifests: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """Addresses registered by hand for Services without a selector, by
    (namespace, Service name): Endpoints by name, EndpointSlices by their
    ``kubernetes.io/service-name`` label."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for manifest in manifests:
        if manifest.get("kind") == "Endpoints":
            key = (_namespace(manifest), _name(manifest))
            for subset in _list(manifest.get("subsets")):
                found[key] += [str(_get(a, "ip")) for a in _list(_get(subset, "addresses")) if _get(a, "ip")]
        elif manifest.get("kind") == "EndpointSlice":
            service = _text(_get(manifest, "metadata", "labels", "kubernetes.io/service-name"))
            if service is not None:
                for endpoint in _list(manifest.get("endpoints")):
                    found[(_namespace(manifest), service)] += [str(a) for a in _list(_get(endpoint, "addresses"))]
    return {key: sorted(set(addresses)) for key, addresses in found.items()}


def source_ranges(manifest: Mapping[str, Any]) -> tuple[str, ...]:
    """The sources a LoadBalancer Service's load balancer admits.

    As kubernetes/kubernetes ``pkg/api/v1/service/util.go``
    ``GetLoadBalancerSourceRanges`` (and its copy the cloud providers call,
    ``staging/src/k8s.io/cloud-provider/service/helpers/helper.go``): a
    non-empty ``spec.loadBalancerSourceRanges`` wins and the annotation is
    then ignored; otherwise the annotation, trimmed, split on commas; when
    that is empty too, ``0.0.0.0/0``. Each entry is trimmed, as ``ParseIPNets``
    (k8s.io/utils/net) trims it. (kube-proxy's own filter, ``pkg/proxy``
    ``newBaseServiceInfo``, reads the field only; a cloud load balancer
    applies the annotation too.)
    """
    field_ranges = [str(value).strip() for value in _list(_get(manifest, "spec", "loadBalancerSourceRanges"))]
    if field_ranges:
        return tuple(field_ranges)
    annotation = _annotation(manifest, SOURCE_RANGES_ANNOTATION)
    value = annotation.strip() if isinstance(annotation, str) else ""
    if not value:
        return (ALLOW_ALL_SOURCES,)
    return tuple(part.strip() for part in value.split(","))


def _service(
    manifest: Mapping[str, Any],
    workloads: _Workloads,
    hidden: Mapping[str, list[str]],
    namespaces: Mapping[str, Mapping[str, str]],
    policies: _Policies,
    endpoints: Mapping[tuple[str, str], list[str]],
    cluster_domain: str,
) -> ServiceView:
    namespace, name = _namespace(manifest), _name(manifest)
    spec = manifest.get("spec")
    spec = spec if isinstance(spec, Mapping) else {}
    service_type = _text(spec.get("type")) or "ClusterIP"
    ports = tuple(_service_port(port) for port in _list(spec.get("ports")) if isinstance(port, Mapping))
    external_ips = tuple(str(ip) for ip in _list(spec.get("externalIPs")))
    if service_type == "ExternalName":
        exposure = "egress"
    elif service_type in ("NodePort", "LoadBalancer") or external_ips:
        exposure = "north-south"
    else:
        exposure = "east-west"
    selector = _labels(spec.get("selector")) or {}
    routes: tuple[Route, ...] = ()
    if selector and service_type != "ExternalName":
        selected = sorted(
            workloads.selected(namespace, _Selector(tuple(sorted(selector.items())))), key=lambda w: (w.name, w.kind)
        )
        routes = tuple(_route(w, ports, workloads, namespaces, policies) for w in selected)
    return ServiceView(
        namespace=namespace,
        name=name,
        type=service_type,
        headless=spec.get("clusterIP") == "None",
        exposure=exposure,
        dns_name=f"{name}.{namespace}.svc.{cluster_domain}",
        ports=ports,
        external_name=_text(spec.get("externalName")) or "",
        external_ips=external_ips if service_type != "ExternalName" else (),
        load_balancer_ip=_text(spec.get("loadBalancerIP")) or "",
        source_ranges=source_ranges(manifest) if service_type == "LoadBalancer" else (),
        node_ports=service_type == "NodePort"
        or (service_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is not False),
        has_selector=bool(selector) and service_type != "ExternalName",
        pods_elsewhere=_annotation(manifest, EXTERNAL_PODS_ANNOTATION) == "true",
        routes=routes,
        endpoints=tuple(endpoints.get((namespace, name), ())) if not selector else (),
        hidden=tuple(sorted(hidden.get(namespace, ()))) if selector and service_type != "ExternalName" else (),
    )


def _service_port(port: Mapping[str, Any]) -> ServicePort:
    number = port.get("port")
    target = port.get("targetPort")
    # The API server defaults an absent, 0 or "" targetPort to the port.
    if target in (None, 0, ""):
        target = number
    return ServicePort(
        _text(port.get("name")) or "", number, _text(port.get("protocol")) or "TCP", target, port.get("nodePort")
    )


# --- NetworkPolicy --------------------------------------------------------------


def _is_ingress_policy(policy: Mapping[str, Any]) -> bool:
    """Whether the policy isolates its Pods for ingress: ``policyTypes``
    names Ingress, or is absent (then Ingress is always implied)."""
    types = _get(policy, "spec", "policyTypes")
    return not isinstance(types, list) or not types or "Ingress" in types


def _route(
    workload: Workload,
    ports: Sequence[ServicePort],
    workloads: _Workloads,
    namespaces: Mapping[str, Mapping[str, str]],
    policies: _Policies,
) -> Route:
    """Who may call the Service's ports on ``workload``'s Pods: the union of
    the ingress rules of every Ingress policy in its namespace that selects
    them; any Pod when none does."""
    selecting = policies.selecting(workload)
    if not selecting:
        return Route(workload, None, ())
    callers: dict[str, Caller] = {}
    for policy in selecting:
        for rule in policy.rules:
            only = _reach(rule, ports, workload)
            if only is None:
                continue
            for caller in _peers(rule, workload.namespace, workloads, namespaces, only):
                # A peer admitted by several rules (or policies) reaches the union of their ports.
                known = callers.get(caller.text)
                if known is not None:
                    merged: tuple[str, ...] = ()
                    if known.only and caller.only:
                        # In the Service's order of ports; all of them is ().
                        union = {*known.only, *caller.only}
                        merged = tuple(t for p in ports if (t := _port_text(p.port, p.protocol)) in union)
                        merged = () if len(merged) == len(ports) else merged
                    caller = Caller(caller.text, caller.workload, merged)
                callers[caller.text] = caller
    if "anyone" in callers and not callers["anyone"].only:
        found: tuple[Caller, ...] = (callers["anyone"],)
    else:
        found = tuple(sorted(callers.values(), key=lambda c: (c.workload is None, c.text)))
    return Route(workload, found, tuple(p.name for p in selecting))


def _reach(rule: Any, ports: Sequence[ServicePort], workload: Workload) -> tuple[str, ...] | None:
    """The Service ports an ingress rule admits on ``workload``'s Pods: ()
    for all of them (a rule without ports admits every port; a Service
    without ports, a headless one, has only the Pods to reach), the ones it
    admits when only some, None when none."""
    allowed = _list(_get(rule, "ports"))
    if not allowed or not ports:
        return ()
    reached = [port for port in ports if any(_admits(entry, port, workload) for entry in allowed)]
    if not reached:
        return None
    if len(reached) == len(ports):
        return ()
    return tuple(_port_text(port.port, port.protocol) for port in reached)


def _admits(entry: Any, port: ServicePort, workload: Workload) -> bool:
    """Whether a NetworkPolicyPort admits traffic to the Service port's
    target on the workload's Pods (a name is resolved through the Pods'
    container ports, as the network plugin resolves it)."""
    protocol = _text(_get(entry, "protocol")) or "TCP"
    if protocol != port.protocol:
        return False
    allowed, end = _get(entry, "port"), _get(entry, "endPort")
    if allowed is None:
        return True
    target = _resolve(port.target, port.protocol, workload)
    if isinstance(allowed, str) and not _DIGITS.fullmatch(allowed):
        if allowed == port.target:
            return True
        allowed = _resolve(allowed, protocol, workload)
    elif isinstance(allowed, str):
        allowed = int(allowed)
    if not isinstance(allowed, int) or not isinstance(target, int):
        return False
    return allowed <= target <= (end if isinstance(end, int) else allowed)


# A port number written as a string: ASCII digits only (str.isdigit() takes
# "²", which int() refuses, and "٨٠", which no port is), and few of them.
_DIGITS = re.compile("[0-9]{1,9}")


def _resolve(port: Any, protocol: str, workload: Workload) -> Any:
    if isinstance(port, str) and _DIGITS.fullmatch(port):
        return int(port)
    if isinstance(port, str):
        for name, number, declared in workload.container_ports:
            if name == port and declared == protocol:
                return number
    return port


def _peers(
    rule: Any,
    namespace: str,
    workloads: _Workloads,
    namespaces: Mapping[str, Mapping[str, str]],
    only: tuple[str, ...],
) -> Iterator[Caller]:
    peers = _list(_get(rule, "from"))
    if not peers:
        # No "from": every source, inside the cluster or not.
        yield Caller("anyone", only=only)
        return
    for peer in peers:
        if not isinstance(peer, Mapping):
            continue
        block = peer.get("ipBlock")
        if block is not None:
            cidr = str(_get(block, "cidr"))
            excepted = [str(e) for e in _list(_get(block, "except"))]
            yield Caller(f"{cidr} except {', '.join(excepted)}" if excepted else cidr, only=only)
            continue
        pods = _Selector.read(peer.get("podSelector"))
        if "namespaceSelector" not in peer:
            candidates = [namespace]
            where = f"in {namespace}"
        else:
            namespace_selector = _Selector.read(peer.get("namespaceSelector"))
            candidates = _pinned_namespaces(namespace_selector, namespaces)
            if namespace_selector.empty:
                where = "in any namespace"
            elif candidates:
                where = "in " + ", ".join(candidates)
            else:
                where = f"in namespaces {namespace_selector}"
        matched = [] if pods.empty else [w for ns in candidates for w in workloads.selected(ns, pods)]
        if pods.empty or not matched:
            yield Caller(f"any Pod {where}" if pods.empty else f"Pods {pods} {where}", only=only)
        else:
            for workload in sorted(matched, key=lambda w: (w.namespace, w.name, w.kind)):
                yield Caller(workload.ref_from(namespace), workload, only)


def _pinned_namespaces(selector: _Selector, namespaces: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The namespaces a namespaceSelector names exactly, by the API server's
    name label; [] when it selects by other labels only (namespaces outside
    the program may carry those)."""
    if not selector.valid:
        return []
    names: set[str] | None = None
    for key, value in selector.labels:
        if key == NAMESPACE_NAME_LABEL:
            names = {value}
    for key, operator, values in selector.expressions:
        if key == NAMESPACE_NAME_LABEL and operator == "In":
            names = set(values) if names is None else names & set(values)
    if names is None:
        return []
    return sorted(name for name in names if selector.matches(namespaces.get(name, {NAMESPACE_NAME_LABEL: name})))


# --- the table --------------------------------------------------------------------

_COLUMNS = ("SERVICE", "TYPE", "EXPOSURE", "IN-CLUSTER", "FROM OUTSIDE", "ROUTES TO", "ALLOWED FROM")


def table(topology: Topology) -> str:
    """One row per Service, aligned; a cell with several values takes one
    line each. A character that would break a line or hide itself (control
    characters, escape sequences, Unicode line separators) is written as its
    JSON escape, so no name can forge a row or drive the terminal."""
    rows: list[list[list[str]]] = [[[title] for title in _COLUMNS]]
    for service in topology.services:
        values = [
            [service.qualified],
            [service.type_text],
            [service.exposure],
            service.in_cluster(),
            service.from_outside() or ["-"],
            service.routes_to(),
            service.allowed_from(),
        ]
        rows.append([[_one_line(line) for line in cell] for cell in values])
    widths = [max(len(line) for row in rows for line in row[i]) for i in range(len(_COLUMNS))]
    out: list[str] = []
    for row in rows:
        for index in range(max(len(cell) for cell in row)):
            cells = [cell[index] if index < len(cell) else "" for cell in row]
            out.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() + "\n")
    return "".join(out)


# --- the picture ------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    id: str
    shape: str  # outside, entry, service, workload, external, peer
    lines: tuple[str, ...]
    namespace: str | None = None


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


@dataclass
class _Graph:
    nodes: list[_Node] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)

    @property
    def namespaces(self) -> list[str]:
        return sorted({n.namespace for n in self.nodes if n.namespace is not None})


def _graph(topology: Topology) -> _Graph:
    """Nodes and edges, numbered in a sorted order so the same objects always
    draw the same picture; names only ever appear in labels."""
    graph = _Graph()
    services = topology.services
    workloads = sorted(
        {route.workload for s in services for route in s.routes}
        | {c.workload for s in services for r in s.routes for c in r.callers or () if c.workload is not None},
        key=lambda w: (w.namespace, w.name, w.kind),
    )
    workload_ids = {w: f"wl{i}" for i, w in enumerate(workloads, 1)}
    externals = sorted({s.external_name for s in services if s.type == "ExternalName" and s.external_name})
    external_ids = {name: f"dns{i}" for i, name in enumerate(externals, 1)}
    peers = sorted({c.text for s in services for r in s.routes for c in r.callers or () if c.workload is None})
    peer_ids = {text: f"peer{i}" for i, text in enumerate(peers, 1)}
    entries = [s for s in services if s.exposure == "north-south"]
    if entries:
        graph.nodes.append(_Node("clients", "outside", ("clients outside the cluster",)))
    for index, service in enumerate(services, 1):
        service_id = f"svc{index}"
        access = ""
        if service.routes and all(route.callers is None for route in service.routes):
            access = "any Pod may call"
        elif service.routes and all(route.callers == () for route in service.routes):
            access = "nobody may call"
        lines = [f"Service {service.name}", service.type_text]
        graph.nodes.append(_Node(service_id, "service", (*lines, *([access] if access else [])), service.namespace))
        if service.exposure == "north-south":
            entry_id = f"entry{index}"
            graph.nodes.append(_Node(entry_id, "entry", tuple(service.entries())))
            graph.edges += [_Edge("clients", entry_id), _Edge(entry_id, service_id)]
        if service.type == "ExternalName" and service.external_name:
            graph.edges.append(_Edge(service_id, external_ids[service.external_name], "CNAME"))
        for route in service.routes:
            graph.edges.append(_Edge(service_id, workload_ids[route.workload]))
            for caller in route.callers or ():
                source = workload_ids[caller.workload] if caller.workload else peer_ids[caller.text]
                label = f"may call, {caller.only_text}" if caller.only else "may call"
                graph.edges.append(_Edge(source, service_id, label, dashed=True))
    for workload in workloads:
        lines = [f"{workload.kind} {workload.name}", workload.replicas]
        if workload.version_of:
            lines.append(f"version of {workload.version_of}")
        graph.nodes.append(_Node(workload_ids[workload], "workload", tuple(lines), workload.namespace))
    graph.nodes += [_Node(external_ids[name], "external", (name,)) for name in externals]
    graph.nodes += [_Node(peer_ids[text], "peer", (text,)) for text in peers]
    graph.edges = sorted(set(graph.edges), key=lambda e: (_id_key(e.source), _id_key(e.target), e.label, e.dashed))
    return graph


def _id_key(node_id: str) -> tuple[str, int]:
    digits = node_id.lstrip("abcdefghijklmnopqrstuvwxyz")
    return (node_id[: len(node_id) - len(digits)], int(digits) if digits else 0)


# Characters a label may carry as they are; everything else is written as an
# entity (mermaid) or escaped (DOT), so no name can end a label early.
_PLAIN = re.compile(r"[A-Za-z0-9 ._:/,()=+*@-]")


def _mermaid_text(text: str) -> str:
    """Text inside a quoted mermaid label: every other character as a
    numeric entity code (``#34;``), which mermaid turns back into the
    character after parsing, so quotes, brackets, pipes, ``%%``, ``#``,
    backticks and HTML all stay text; control characters as spaces."""
    text = "".join(" " if ord(char) < 32 or ord(char) == 127 else char for char in text)
    return "".join(char if _PLAIN.fullmatch(char) else f"#{ord(char)};" for char in text)


_MERMAID_SHAPES = {
    "outside": ('(("', '"))'),
    "entry": ('[/"', '"/]'),
    "service": ('["', '"]'),
    "workload": ('[["', '"]]'),
    "external": ('>"', '"]'),
    "peer": ('("', '")'),
}


def mermaid(topology: Topology) -> str:
    """A mermaid ``flowchart``: one subgraph per namespace."""
    graph = _graph(topology)
    out = ["flowchart LR"]

    def node(n: _Node, indent: str) -> str:
        opening, closing = _MERMAID_SHAPES[n.shape]
        return f"{indent}{n.id}{opening}{'<br/>'.join(_mermaid_text(line) for line in n.lines)}{closing}"

    for index, namespace in enumerate(graph.namespaces, 1):
        out.append(f'    subgraph ns{index}["namespace {_mermaid_text(namespace)}"]')
        out += [node(n, "        ") for n in graph.nodes if n.namespace == namespace]
        out.append("    end")
    out += [node(n, "    ") for n in graph.nodes if n.namespace is None]
    for edge in graph.edges:
        arrow = "-.->" if edge.dashed else "-->"
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        out.append(f"    {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(out) + "\n"


def _dot_text(text: str) -> str:
    """Text inside a quoted DOT string: backslashes and quotes escaped (so a
    label's escape sequences stay literal), control characters as spaces."""
    text = "".join(" " if ord(char) < 32 or ord(char) == 127 else char for char in text)
    return text.replace("\\", "\\\\").replace('"', '\\"')


_DOT_SHAPES = {
    "outside": "shape=ellipse",
    "entry": 'shape=box, style="rounded"',
    "service": "shape=box",
    "workload": "shape=box3d",
    "external": "shape=cds",
    "peer": 'shape=box, style="rounded,dashed"',
}


def dot(topology: Topology) -> str:
    """A Graphviz ``digraph``: one cluster per namespace."""
    graph = _graph(topology)
    out = ['digraph "topology" {', "    rankdir=LR;"]

    def node(n: _Node, indent: str) -> str:
        label = "\\n".join(_dot_text(line) for line in n.lines)
        return f'{indent}"{n.id}" [{_DOT_SHAPES[n.shape]}, label="{label}"];'

    for index, namespace in enumerate(graph.namespaces, 1):
        out.append(f'    subgraph "cluster_ns{index}" {{')
        out.append(f'        label="namespace {_dot_text(namespace)}";')
        out += [node(n, "        ") for n in graph.nodes if n.namespace == namespace]
        out.append("    }")
    out += [node(n, "    ") for n in graph.nodes if n.namespace is None]
    for edge in graph.edges:
        attributes = [f'label="{_dot_text(edge.label)}"'] if edge.label else []
        if edge.dashed:
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        out.append(f'    "{edge.source}" -> "{edge.target}"{suffix};')
    out.append("}")
    return "\n".join(out) + "\n"


# --- entry point ------------------------------------------------------------------


def describe(
    objects: Iterable[RenderedObject | Mapping[str, Any]],
    format: str = "table",
    *,
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN,
) -> str:
    """How each Service of ``objects`` (`k8s_services.render.objects`, or
    manifests) is reached, as ``format``: "table", "mermaid" or "dot"."""
    manifests = [o.manifest if isinstance(o, RenderedObject) else o for o in objects]
    topology = read(manifests, cluster_domain=cluster_domain)
    if format == "table":
        return table(topology)
    if format == "mermaid":
        return mermaid(topology)
    if format == "dot":
        return dot(topology)
    raise ValueError(f"Unable to describe: 'format' ({format!r}) must be one of {', '.join(FORMATS)}.")
