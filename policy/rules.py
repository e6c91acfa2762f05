"""The rules of the k8s-services policy pack, as plain functions and policy
objects; `__main__.py` only wraps `POLICIES` in a `PolicyPack`.

Each rule reads props in the engine's form (camelCase keys, every number a
float) through `_get`/`_items`, which turn a value unknown at preview into
`UNKNOWN`; a rule skips what it cannot see instead of failing, so it keeps
checking every known value at preview. Messages say what is wrong, why it is
a risk, and how to fix it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

PACK_NAME = "k8s-services"
MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

SERVICE = "kubernetes:core/v1:Service"
POD = "kubernetes:core/v1:Pod"
# Where each workload type keeps its Pod template's labels and spec.
POD_PATHS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    POD: (("metadata", "labels"), ("spec",)),
    "kubernetes:apps/v1:Deployment": (("spec", "template", "metadata", "labels"), ("spec", "template", "spec")),
    "kubernetes:apps/v1:StatefulSet": (("spec", "template", "metadata", "labels"), ("spec", "template", "spec")),
    "kubernetes:apps/v1:DaemonSet": (("spec", "template", "metadata", "labels"), ("spec", "template", "spec")),
    "kubernetes:apps/v1:ReplicaSet": (("spec", "template", "metadata", "labels"), ("spec", "template", "spec")),
    "kubernetes:batch/v1:Job": (("spec", "template", "metadata", "labels"), ("spec", "template", "spec")),
    "kubernetes:batch/v1:CronJob": (
        ("spec", "jobTemplate", "spec", "template", "metadata", "labels"),
        ("spec", "jobTemplate", "spec", "template", "spec"),
    ),
}
NAMESPACED = {
    SERVICE,
    *POD_PATHS,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:networking.k8s.io/v1:Ingress",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ServiceAccount",
}

_SENTINELS = {
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
}
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_IANA_SVC_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
"""A value that is not known until the resource is created (at preview)."""


# --- reading props ----------------------------------------------------------


def _get(value: Any, *path: str | int, default: Any = None) -> Any:
    """The value at ``path``, ``default`` when absent, `UNKNOWN` when unknown."""
    try:
        for key in path:
            if value is None or value is UNKNOWN:
                break
            if isinstance(key, int):
                value = value[key] if key < len(value) else None
            elif isinstance(value, Mapping):
                value = value.get(key)
            else:
                value = None
    except UnknownValueError:
        return UNKNOWN
    if isinstance(value, str) and value in _SENTINELS:
        return UNKNOWN
    return default if value is None else value


def _items(value: Any, *path: str) -> Iterator[Any]:
    """The known elements of the list at ``path``."""
    found = _get(value, *path)
    if found is UNKNOWN or found is None or isinstance(found, (str, Mapping)):
        return
    for i in range(len(found)):
        item = _get(found, i)
        if item is not UNKNOWN and item is not None:
            yield item


def _known(value: Any) -> bool:
    return value is not UNKNOWN


def _as_int(value: Any) -> Any:
    """Engine numbers are floats: 80.0 reads as 80."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _labels(value: Any) -> dict[str, Any] | Any:
    """A known label mapping as a plain dict, or `UNKNOWN`."""
    if value is UNKNOWN:
        return UNKNOWN
    if not isinstance(value, Mapping):
        return {}
    result = {}
    for key in value:
        item = _get(value, key)
        if item is UNKNOWN:
            return UNKNOWN
        result[key] = item
    return result


def _object(props: Any, fallback: str) -> str:
    """``Kind 'namespace/name'`` for messages."""
    kind = _get(props, "kind", default="object")
    name = _get(props, "metadata", "name", default=fallback)
    namespace = _get(props, "metadata", "namespace", default="default")
    name = fallback if name is UNKNOWN else name
    namespace = "?" if namespace is UNKNOWN else namespace
    return f"{'object' if kind is UNKNOWN else kind} '{namespace}/{name}'"


def _pod_spec(resource_type: str, props: Any) -> Any:
    if resource_type not in POD_PATHS:
        return None
    return _get(props, *POD_PATHS[resource_type][1])


def _pod_labels(resource_type: str, props: Any) -> Any:
    return _labels(_get(props, *POD_PATHS[resource_type][0], default={}))


def _containers(pod_spec: Any) -> Iterator[Any]:
    yield from _items(pod_spec, "initContainers")
    yield from _items(pod_spec, "containers")


def _container_name(container: Any, index: int) -> str:
    name = _get(container, "name")
    return f"container '{name}'" if isinstance(name, str) else f"container {index}"


def _ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return bool(text) and all(part.isdigit() for part in text.split("."))
    return True


def _port_range(text: str) -> tuple[int, int]:
    low, _, high = str(text).partition("-")
    return int(low), int(high)


# --- config -----------------------------------------------------------------


def _schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties=properties)


def config_with_defaults(policy: Any, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """A policy's config as the CLI passes it: the schema's defaults, then
    ``config`` on top (the enforcement level removed)."""
    merged: dict[str, Any] = {}
    schema = policy.config_schema
    if schema is not None:
        for key, spec in schema.properties.items():
            if "default" in spec:
                merged[key] = spec["default"]
    if isinstance(config, Mapping):
        merged.update({k: v for k, v in config.items() if k != "enforcementLevel"})
    return merged


# --- Service rules ----------------------------------------------------------

SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]


def _service(validate: Callable[[ResourceValidationArgs, ReportViolation, Any, str], None]) -> Callable[..., None]:
    """Run ``validate`` for Services only, with their props and description."""

    def run(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type == SERVICE:
            validate(args, report, args.props, _object(args.props, args.name))

    return run


@_service
def service_type_allowed(args: ResourceValidationArgs, report: ReportViolation, props: Any, what: str) -> None:
    allowed = list(args.get_config().get("allowedTypes", SERVICE_TYPES))
    service_type = _get(props, "spec", "type", default="ClusterIP")
    if _known(service_type) and service_type not in allowed:
        report(
            f"{what} has type {service_type}, which this environment does not allow (allowed: {', '.join(allowed)}):"
            " every exposure type is a way into the cluster, and this one is kept closed here."
            f" Use one of the allowed types{', e.g. ClusterIP behind an Ingress' if 'ClusterIP' in allowed else ''}.",
            None,
        )


@_service
def service_no_external_ips(args: ResourceValidationArgs, report: ReportViolation, props: Any, what: str) -> None:
    allowed = set(args.get_config().get("allowedExternalIPs", []))
    for ip in _items(props, "spec", "externalIPs"):
        if ip not in allowed:
            report(
                f"{what} sets externalIPs {ip}: whoever can create such a Service can intercept traffic the"
                " cluster sends to that address (CVE-2020-8554). Remove spec.externalIPs and use a LoadBalancer"
                " Service, or add the address to 'allowedExternalIPs' if your cluster controls who may use it.",
                None,
            )


@_service
def externalname_target_safe(args: ResourceValidationArgs, report: ReportViolation, props: Any, what: str) -> None:
    if _get(props, "spec", "type") != "ExternalName":
        return
    config = args.get_config()
    domain = str(config.get("clusterDomain", "cluster.local"))
    allowed = set(config.get("allowedInClusterTargets", []))
    target = _get(props, "spec", "externalName")
    if not _known(target):
        return
    host = str(target or "").rstrip(".").lower()
    risk = (
        ": an ExternalName answers in-cluster clients with whatever it names, so it can send them somewhere"
        " the cluster's own rules never meant (CVE-2021-25740)."
    )
    if not host:
        report(
            f"{what} is an ExternalName with no externalName: clients resolving it get nothing. Set spec.externalName to a DNS name.",
            None,
        )
    elif _ip(host) or ":" in host:
        report(
            f"{what} points at the IP address {target}{risk} Use a DNS name, or a Service with EndpointSlices for an IP.",
            None,
        )
    elif host == "localhost" or host.endswith(".localhost"):
        report(f"{what} points at {target}, the client's own node or Pod{risk} Point it at a real DNS name.", None)
    elif len(host) > 253 or not _DNS1123_SUBDOMAIN.fullmatch(host):
        report(
            f"{what} points at {target!r}, which is not a valid DNS name; clients cannot resolve it. Use a DNS-1123 subdomain.",
            None,
        )
    elif (host.endswith((f".svc.{domain}", ".svc"))) and host not in allowed:
        report(
            f"{what} points at the in-cluster name {target}{risk} Call that Service by its own name, or add"
            " it to 'allowedInClusterTargets'.",
            None,
        )


@_service
def service_port_names(args: ResourceValidationArgs, report: ReportViolation, props: Any, what: str) -> None:
    ports = list(_items(props, "spec", "ports"))
    seen: set[str] = set()
    for i, port in enumerate(ports):
        name = _get(port, "name")
        if not _known(name):
            continue
        if name is None:
            if len(ports) > 1:
                report(
                    f"{what} port {i} has no name, but the Service has {len(ports)} ports: Kubernetes refuses it, and"
                    " EndpointSlices and clients tell ports apart by name. Name every port (a DNS-1123 label).",
                    None,
                )
            continue
        if len(name) > 63 or not _DNS1123_LABEL.fullmatch(name):
            report(
                f"{what} port name {name!r} is not a DNS-1123 label: Kubernetes refuses it. Use lower-case letters, digits and '-'.",
                None,
            )
        if name in seen:
            report(
                f"{what} names two ports {name!r}: Kubernetes refuses duplicate port names. Give each port its own name.",
                None,
            )
        seen.add(name)


@_service
def service_nodeport_consistent(args: ResourceValidationArgs, report: ReportViolation, props: Any, what: str) -> None:
    low, high = _port_range(args.get_config().get("nodePortRange", "30000-32767"))
    service_type = _get(props, "spec", "type", default="ClusterIP")
    if not _known(service_type):
        return
    takes_node_ports = service_type in ("NodePort", "LoadBalancer")
    for port in _items(props, "spec", "ports"):
        node_port = _as_int(_get(port, "nodePort"))
        if node_port is None or not _known(node_port):
            continue
        if not takes_node_ports:
            report(
                f"{what} of type {service_type} sets nodePort {node_port}: only NodePort and LoadBalancer Services"
                " open node ports, so the API server refuses it. Remove nodePort or change the type.",
                None,
            )
        elif not low <= node_port <= high:
            report(
                f"{what} pins nodePort {node_port}, outside the cluster's node port range {low}-{high}: the API"
                " server refuses it, or it collides with ports the nodes use. Pick a port in the range or let"
                " Kubernetes assign one.",
                None,
            )


@_service
def service_has_selector(args: ResourceValidationArgs, report: ReportViolation, props: Any, what: str) -> None:
    service_type = _get(props, "spec", "type", default="ClusterIP")
    selector = _labels(_get(props, "spec", "selector", default={}))
    if service_type == "ExternalName" or not _known(service_type) or not _known(selector):
        return
    if not selector:
        report(
            f"{what} has no selector: it sends traffic only to endpoints someone maintains by hand, which can point"
            " anywhere and go stale unnoticed. Give it a selector matching its Pods' labels.",
            None,
        )


@_service
def loadbalancer_source_ranges(args: ResourceValidationArgs, report: ReportViolation, props: Any, what: str) -> None:
    if _get(props, "spec", "type") != "LoadBalancer":
        return
    ranges = _get(props, "spec", "loadBalancerSourceRanges", default=[])
    if _known(ranges) and len(ranges) == 0:
        report(
            f"{what} is a LoadBalancer without loadBalancerSourceRanges: its external address accepts traffic from"
            " the whole internet. Set loadBalancerSourceRanges to the CIDRs that should reach it.",
            None,
        )


# --- Pod rules --------------------------------------------------------------


def _pods(
    validate: Callable[[ResourceValidationArgs, ReportViolation, Any, str], None],
) -> Callable[..., None]:
    """Run ``validate`` on the Pod spec of a Pod or of a workload's template."""

    def run(args: ResourceValidationArgs, report: ReportViolation) -> None:
        spec = _pod_spec(args.resource_type, args.props)
        if spec is not None and spec is not UNKNOWN:
            validate(args, report, spec, _object(args.props, args.name))

    return run


@_pods
def container_port_names(args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str) -> None:
    seen: set[str] = set()
    for i, container in enumerate(_containers(spec)):
        for port in _items(container, "ports"):
            name = _get(port, "name")
            if name is None or not _known(name):
                continue
            if len(name) > 15 or not _IANA_SVC_NAME.fullmatch(name) or "--" in name or not re.search("[a-z]", name):
                report(
                    f"{what} {_container_name(container, i)} names a port {name!r}, which is not an IANA service name"
                    " (at most 15 lower-case letters, digits and single '-', with a letter): Kubernetes refuses it and"
                    " Services cannot target it by name. Shorten or rename it.",
                    None,
                )
            if name in seen:
                report(
                    f"{what} declares the port name {name!r} twice: a Service targeting it by name is ambiguous. Rename one.",
                    None,
                )
            seen.add(name)


def _repository(image: str) -> str:
    """The image reference without tag or digest."""
    rest = image.partition("@")[0]
    head, slash, last = rest.rpartition("/")
    return f"{head}{slash}{last.partition(':')[0]}"


def _image_parts(image: str) -> tuple[str | None, str | None]:
    """(tag, digest) of an image reference."""
    rest, _, digest = image.partition("@")
    last = rest.rsplit("/", 1)[-1]
    tag = last.partition(":")[2] or None
    return tag, digest or None


@_pods
def image_tag_pinned(args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str) -> None:
    for i, container in enumerate(_containers(spec)):
        image = _get(container, "image")
        if not isinstance(image, str):
            continue
        tag, digest = _image_parts(image)
        if digest is None and (tag is None or tag == "latest"):
            report(
                f"{what} {_container_name(container, i)} runs {image!r}, which is not pinned: 'latest' or no tag means"
                " each node may run whatever the tag points at when it pulls. Use a version tag"
                f" ('{_repository(image)}:<version>') or a digest.",
                None,
            )


@_pods
def image_digest_pinned(args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str) -> None:
    for i, container in enumerate(_containers(spec)):
        image = _get(container, "image")
        if isinstance(image, str) and _image_parts(image)[1] is None:
            report(
                f"{what} {_container_name(container, i)} runs {image!r} by tag: a tag can be moved to other content."
                " Pin the digest ('image:tag@sha256:...') to run exactly what was reviewed.",
                None,
            )


@_pods
def no_host_namespaces_or_ports(args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str) -> None:
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if _get(spec, key) is True:
            report(
                f"{what} sets {key}: the Pod shares the node's namespace and can see or reach the node and every"
                f" other Pod on it. Remove {key}.",
                None,
            )
    for i, container in enumerate(_containers(spec)):
        for port in _items(container, "ports"):
            host_port = _as_int(_get(port, "hostPort"))
            if host_port not in (None, 0) and _known(host_port):
                report(
                    f"{what} {_container_name(container, i)} binds hostPort {host_port}: it opens a port on the node,"
                    " outside every Service and NetworkPolicy, and pins the Pod to nodes where it is free. Remove"
                    " hostPort and expose the port through a Service.",
                    None,
                )


def _context(spec: Any, container: Any, key: str) -> Any:
    """A security setting, the container's winning over the Pod's."""
    value = _get(container, "securityContext", key)
    return _get(spec, "securityContext", key) if value is None else value


@_pods
def restricted_security_context(args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str) -> None:
    for i, container in enumerate(_containers(spec)):
        name = _container_name(container, i)
        if _get(container, "securityContext", "privileged") is True:
            report(
                f"{what} {name} is privileged: it has every capability and all of the node's devices, so a"
                " compromise of it is a compromise of the node. Remove privileged.",
                None,
            )
        escalation = _get(container, "securityContext", "allowPrivilegeEscalation")
        if _known(escalation) and escalation is not False:
            report(
                f"{what} {name} does not set allowPrivilegeEscalation: false: a process in it can gain more"
                " privileges than it started with (setuid binaries, file capabilities). Set"
                " securityContext.allowPrivilegeEscalation to false.",
                None,
            )


@_pods
def restricted_security_context_profile(
    args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str
) -> None:
    for i, container in enumerate(_containers(spec)):
        name = _container_name(container, i)
        non_root = _context(spec, container, "runAsNonRoot")
        if _known(non_root) and non_root is not True:
            report(
                f"{what} {name} may run as root (runAsNonRoot is not true): a root process that escapes the container"
                " is root on the node. Set securityContext.runAsNonRoot: true and use an image that runs as a"
                " non-root user.",
                None,
            )
        drop = _get(container, "securityContext", "capabilities", "drop", default=[])
        if _known(drop) and "ALL" not in list(drop):
            report(
                f"{what} {name} does not drop all capabilities: the defaults include NET_RAW and others an attacker"
                " can use. Set securityContext.capabilities.drop: [ALL] (and add back only NET_BIND_SERVICE if needed).",
                None,
            )
        for capability in _items(container, "securityContext", "capabilities", "add"):
            if capability != "NET_BIND_SERVICE":
                report(
                    f"{what} {name} adds capability {capability}: the restricted profile allows only NET_BIND_SERVICE."
                    " Remove it.",
                    None,
                )
        seccomp = _get(container, "securityContext", "seccompProfile", "type")
        if seccomp is None:
            seccomp = _get(spec, "securityContext", "seccompProfile", "type")
        if _known(seccomp) and seccomp not in ("RuntimeDefault", "Localhost"):
            report(
                f"{what} {name} runs without a seccomp profile: every system call is open to it. Set"
                " securityContext.seccompProfile.type: RuntimeDefault (on the Pod or the container).",
                None,
            )


@_pods
def resources_set(args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str) -> None:
    for i, container in enumerate(_containers(spec)):
        missing = [
            path
            for path in ("requests.cpu", "requests.memory", "limits.memory")
            if _get(container, "resources", *path.split(".")) is None
        ]
        if missing:
            report(
                f"{what} {_container_name(container, i)} sets no {', '.join(missing)}: without requests the scheduler"
                " overcommits nodes, and without a memory limit one leak can starve every Pod on the node. Set"
                " resources.requests.cpu, resources.requests.memory and resources.limits.memory.",
                None,
            )


@_pods
def probes_configured(args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str) -> None:
    for i, container in enumerate(_items(spec, "containers")):
        missing = [probe for probe in ("readinessProbe", "livenessProbe") if _get(container, probe) is None]
        if missing:
            report(
                f"{what} {_container_name(container, i)} has no {' or '.join(missing)}: the Service sends traffic to it"
                " before it can answer, and a hung process is never restarted. Add a readinessProbe and a"
                " livenessProbe.",
                None,
            )


@_pods
def sa_token_not_automounted(args: ResourceValidationArgs, report: ReportViolation, spec: Any, what: str) -> None:
    automount = _get(spec, "automountServiceAccountToken")
    if _known(automount) and automount is not False:
        report(
            f"{what} mounts a service-account token: anyone who takes over a container can call the Kubernetes API"
            " as that account. Set automountServiceAccountToken: false unless the Pod calls the API.",
            None,
        )


def recommended_labels(args: ResourceValidationArgs, report: ReportViolation) -> None:
    required = list(args.get_config().get("requiredLabels", ["app.kubernetes.io/name"]))
    if args.resource_type in POD_PATHS:
        labels = _pod_labels(args.resource_type, args.props)
        where = "Pod labels"
    elif args.resource_type == SERVICE:
        labels = _labels(_get(args.props, "metadata", "labels", default={}))
        where = "labels"
    else:
        return
    if not _known(labels):
        return
    missing = [label for label in required if label not in labels]
    if missing:
        report(
            f"{_object(args.props, args.name)} {where} lack {', '.join(missing)}: tools and people find an"
            " application's objects by the recommended labels. Add them.",
            None,
        )


def no_default_namespace(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in NAMESPACED:
        return
    namespace = _get(args.props, "metadata", "namespace", default="default")
    if namespace == "default":
        report(
            f"{_object(args.props, args.name)} is in the default namespace: everything there shares one set of"
            " permissions, quotas and NetworkPolicies. Put it in a namespace of its own application or team.",
            None,
        )


def bare_pod(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == POD:
        report(
            f"{_object(args.props, args.name)} is a bare Pod: nothing recreates it when its node fails or it is"
            " evicted, and it cannot be rolled out without downtime. Run it from a Deployment (workload:"
            " Deployment).",
            None,
        )


# --- stack rules ------------------------------------------------------------


def _namespace(props: Any) -> Any:
    return _get(props, "metadata", "namespace", default="default")


def _pod_sources(args: StackValidationArgs) -> list[tuple[Any, Any, dict[str, Any], Any]]:
    """(resource, namespace, labels, pod spec) of every Pod and Pod template."""
    found = []
    for resource in args.resources:
        if resource.resource_type in POD_PATHS:
            labels = _pod_labels(resource.resource_type, resource.props)
            if _known(labels):
                found.append(
                    (resource, _namespace(resource.props), labels, _pod_spec(resource.resource_type, resource.props))
                )
    return found


def _services(args: StackValidationArgs) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    """(resource, namespace, selector) of every Service with a known, non-empty selector."""
    for resource in args.resources:
        if resource.resource_type != SERVICE or _get(resource.props, "spec", "type") == "ExternalName":
            continue
        selector = _labels(_get(resource.props, "spec", "selector", default={}))
        if _known(selector) and selector:
            yield resource, _namespace(resource.props), selector


def _matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def service_selector_matches_pod(args: StackValidationArgs, report: ReportViolation) -> None:
    pods = _pod_sources(args)
    for service, namespace, selector in _services(args):
        if not any(ns == namespace and _matches(selector, labels) for _, ns, labels, _ in pods):
            shown = ", ".join(f"{k}={v}" for k, v in selector.items())
            report(
                f"{_object(service.props, service.name)} selects {shown}, but no Pod or Pod template in namespace"
                f" {namespace!r} carries those labels: the Service has no endpoints and every connection to it"
                " fails. Fix the selector or the Pod labels so they match.",
                service.urn,
            )


def _declares(pod_spec: Any, target: Any) -> bool:
    for container in _items(pod_spec, "containers"):
        for port in _items(container, "ports"):
            if isinstance(target, str) and _get(port, "name") == target:
                return True
            if not isinstance(target, str) and _as_int(_get(port, "containerPort")) == target:
                return True
    return False


def service_target_port_resolves(args: StackValidationArgs, report: ReportViolation) -> None:
    pods = _pod_sources(args)
    for service, namespace, selector in _services(args):
        selected = [
            (resource, spec) for resource, ns, labels, spec in pods if ns == namespace and _matches(selector, labels)
        ]
        for i, port in enumerate(_items(service.props, "spec", "ports")):
            target = _as_int(_get(port, "targetPort", default=_get(port, "port")))
            if not _known(target) or target is None:
                continue
            for resource, spec in selected:
                if spec is UNKNOWN or spec is None or _declares(spec, target):
                    continue
                report(
                    f"{_object(service.props, service.name)} port {i} targets {target!r}, which"
                    f" {_object(resource.props, resource.name)} does not declare as a container port: connections"
                    " to that Pod are refused. Point targetPort at a declared containerPort (by number or name).",
                    service.urn,
                )


def service_selector_unique(args: StackValidationArgs, report: ReportViolation) -> None:
    seen: dict[tuple[Any, tuple[tuple[str, Any], ...]], Any] = {}
    for service, namespace, selector in _services(args):
        key = (namespace, tuple(sorted(selector.items())))
        if key in seen:
            first = seen[key]
            report(
                f"{_object(service.props, service.name)} has the same selector as"
                f" {_object(first.props, first.name)}: both send traffic to the same Pods, which usually means one"
                " was copied and not updated. Give each Service the selector of its own Pods.",
                service.urn,
            )
        else:
            seen[key] = service


# --- the policies -----------------------------------------------------------


def _resource(
    name: str, description: str, validate: Any, level: EnforcementLevel, schema: PolicyConfigSchema | None = None
) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=level, config_schema=schema
    )


def _stack(name: str, description: str, validate: Any, level: EnforcementLevel) -> StackValidationPolicy:
    return StackValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level)


POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    _resource(
        "service-type-allowed",
        "Services use only the exposure types this environment allows.",
        service_type_allowed,
        MANDATORY,
        _schema(
            allowedTypes={"type": "array", "items": {"type": "string", "enum": SERVICE_TYPES}, "default": SERVICE_TYPES}
        ),
    ),
    _resource(
        "service-no-external-ips",
        "Services set no externalIPs outside an allowlist (CVE-2020-8554).",
        service_no_external_ips,
        MANDATORY,
        _schema(allowedExternalIPs={"type": "array", "items": {"type": "string"}, "default": []}),
    ),
    _resource(
        "externalname-target-safe",
        "An ExternalName points at a DNS name: not an IP, not localhost, not an in-cluster name (CVE-2021-25740).",
        externalname_target_safe,
        MANDATORY,
        _schema(
            clusterDomain={"type": "string", "default": "cluster.local"},
            allowedInClusterTargets={"type": "array", "items": {"type": "string"}, "default": []},
        ),
    ),
    _resource(
        "service-port-names",
        "Service ports are named when there are several; names are DNS-1123 labels and unique.",
        service_port_names,
        MANDATORY,
    ),
    _resource(
        "service-nodeport-consistent",
        "nodePort only on NodePort and LoadBalancer Services, inside the node port range.",
        service_nodeport_consistent,
        MANDATORY,
        _schema(nodePortRange={"type": "string", "pattern": "^[0-9]+-[0-9]+$", "default": "30000-32767"}),
    ),
    _resource(
        "service-has-selector", "Every Service other than ExternalName has a selector.", service_has_selector, MANDATORY
    ),
    _stack(
        "service-selector-matches-pod",
        "Every Service selector matches at least one Pod or Pod template in its namespace.",
        service_selector_matches_pod,
        MANDATORY,
    ),
    _stack(
        "service-target-port-resolves",
        "Every Service targetPort is a container port of every Pod it selects.",
        service_target_port_resolves,
        MANDATORY,
    ),
    _resource(
        "loadbalancer-source-ranges",
        "LoadBalancer Services restrict their clients with loadBalancerSourceRanges.",
        loadbalancer_source_ranges,
        MANDATORY,
    ),
    _resource(
        "container-port-names",
        "Container port names are IANA service names, unique in the Pod.",
        container_port_names,
        MANDATORY,
    ),
    _resource(
        "image-tag-pinned", "Images are pinned to a tag other than latest, or a digest.", image_tag_pinned, MANDATORY
    ),
    _resource("image-digest-pinned", "Images are pinned to a digest.", image_digest_pinned, ADVISORY),
    _resource(
        "no-host-namespaces-or-ports",
        "Pods share no host namespace and bind no host port.",
        no_host_namespaces_or_ports,
        MANDATORY,
    ),
    _resource(
        "restricted-security-context",
        "No privileged container; privilege escalation is switched off.",
        restricted_security_context,
        MANDATORY,
    ),
    _resource(
        "restricted-security-context-profile",
        "The rest of the restricted profile: non-root, all capabilities dropped, a seccomp profile.",
        restricted_security_context_profile,
        MANDATORY,
    ),
    _resource("resources-set", "Containers request CPU and memory and limit memory.", resources_set, MANDATORY),
    _resource("probes-configured", "Containers have readiness and liveness probes.", probes_configured, MANDATORY),
    _resource(
        "sa-token-not-automounted", "Pods do not mount a service-account token.", sa_token_not_automounted, ADVISORY
    ),
    _resource(
        "recommended-labels",
        "Pods and Services carry the recommended app.kubernetes.io labels.",
        recommended_labels,
        ADVISORY,
        _schema(requiredLabels={"type": "array", "items": {"type": "string"}, "default": ["app.kubernetes.io/name"]}),
    ),
    _resource(
        "no-default-namespace", "Objects live in a namespace other than default.", no_default_namespace, ADVISORY
    ),
    _stack(
        "service-selector-unique",
        "No two Services in a namespace have the same selector.",
        service_selector_unique,
        ADVISORY,
    ),
    _resource("bare-pod", "Pods are run by a controller (a Deployment), not bare.", bare_pod, MANDATORY),
]

BY_NAME = {policy.name: policy for policy in POLICIES}
