"""Services against the Pods they select, and probes against the ports their
containers declare: the wiring mistakes each object alone cannot show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ._objects import POD_PATHS, kind_of, pod_of
from ._problem import UNKNOWN, Path, Problem, as_int, get, is_int, show

# The probes of a container and the handlers that aim at a port.
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
PROBE_HANDLERS = ("httpGet", "tcpSocket", "grpc")

# What a failing probe does, for messages.
_PROBE_FAILS = {
    "readinessProbe": "the Pod never becomes ready and gets no Service traffic",
    "livenessProbe": "the kubelet restarts the container again and again",
    "startupProbe": "the kubelet kills the container before it ever starts",
}

_SHOWN_PORTS = 6  # ports listed in a message before "..."

# How objects say what the wiring rules cannot see. Both are explicit, set
# by the components for what their arguments declare, and readable by any
# tool (the policy pack included) from the objects alone.
EXTERNAL_PODS_ANNOTATION = "k8s-services.io/external-pods"
"""On a Service, "true": it selects Pods deployed elsewhere (a Helm chart,
another stack), so selecting none of the stack's is expected."""
SHARES_PODS_ANNOTATION = "k8s-services.io/shares-pods-with"
"""On a Service: the name of the Service whose Pods it selects on purpose,
with the same selector (a second way in to one workload, a StatefulSet's
governing Service); `practices.service_selector_unique` exempts it."""
VERSION_OF_ANNOTATION = "k8s-services.io/version-of"
"""On a workload: the application it is a version of. A Service may select
several workloads that all carry the same value (canary releases, the
service-mesh samples' reviews-v1/v2/v3)."""


# --- reading objects -----------------------------------------------------------


def _get(obj: Any, *path: str | int, default: Any = None) -> Any:
    """`get` with a fast path for plain dicts: a stack of 20,000 objects reads
    hundreds of thousands of fields, and the ABC checks in `get` dominate."""
    value = obj
    for key in path:
        if type(value) is not dict:
            return get(obj, *path, default=default)  # the general reader, from the top
        value = value.get(key)
        if value is None:
            return default
    return value


def _is_map(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _is_list(value: Any) -> bool:
    return type(value) is list or (isinstance(value, Sequence) and not isinstance(value, str))


def _namespace(obj: Any) -> Any:
    """The object's namespace: "default" when absent or empty; `UNKNOWN` when unknown."""
    namespace = _get(obj, "metadata", "namespace")
    if namespace is UNKNOWN:
        return UNKNOWN
    return namespace if isinstance(namespace, str) and namespace else "default"


def _name(obj: Any) -> str:
    name = _get(obj, "metadata", "name")
    if name is UNKNOWN:
        return "<unknown>"
    return name if isinstance(name, str) and name else "<unnamed>"


def _describe(obj: Any, namespace: str) -> str:
    """``Deployment 'shop/web'``: how messages name another object."""
    return f"{kind_of(obj) or 'object'} '{namespace}/{_name(obj)}'"


def _string_map(value: Any) -> dict[str, str] | None:
    """A label map or selector whose keys and values are all known strings, or None."""
    if not _is_map(value):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return None
    return dict(value)


class _Port(NamedTuple):
    """One declared container port: its name ("" if none), number and protocol."""

    name: str
    number: int | None
    protocol: str
    sidecar: bool

    def __str__(self) -> str:
        number = "?" if self.number is None else str(self.number)
        return f'"{self.name}" {number}/{self.protocol}' if self.name else f"{number}/{self.protocol}"


def _container_ports(container: Any, *, sidecar: bool = False) -> list[_Port] | None:
    """The ports a container declares; None when any of them is not known."""
    ports = _get(container, "ports", default=[])
    if ports is UNKNOWN or not _is_list(ports):
        return None if ports is UNKNOWN else []
    found: list[_Port] = []
    for port in ports:
        if port is None:
            continue
        if not _is_map(port):
            return None
        name = _get(port, "name", default="")
        number = as_int(_get(port, "containerPort"))
        protocol = _get(port, "protocol", default="TCP")
        if name is UNKNOWN or number is UNKNOWN or protocol is UNKNOWN:
            return None
        found.append(
            _Port(
                name if isinstance(name, str) else "",
                number if is_int(number) else None,
                protocol if isinstance(protocol, str) else "TCP",
                sidecar,
            )
        )
    return found


def _serving_containers(spec: Any) -> tuple[list[tuple[str, int, Any]], bool]:
    """(list, index, container) of the known containers that serve traffic:
    every ``containers`` entry and the sidecars (``initContainers`` with
    ``restartPolicy: Always``); and whether every one of them is known (a
    list, a container or an init container's ``restartPolicy`` may not be)."""
    found: list[tuple[str, int, Any]] = []
    complete = True
    for field_name in ("containers", "initContainers"):
        containers = _get(spec, field_name, default=[])
        if containers is UNKNOWN:
            complete = False
            continue
        if not _is_list(containers):
            continue
        for index, container in enumerate(containers):
            if container is UNKNOWN:
                complete = False
                continue
            if not _is_map(container):
                continue
            if field_name == "initContainers":
                policy = _get(container, "restartPolicy")
                if policy is UNKNOWN:
                    complete = False
                    continue
                if policy != "Always":
                    continue
            found.append((field_name, index, container))
    return found, complete


def _pod_ports(spec: Any) -> list[_Port] | None:
    """Every port the Pod's serving containers declare; None when not all are known."""
    containers, complete = _serving_containers(spec)
    if not complete:
        return None
    ports: list[_Port] = []
    for field_name, _, container in containers:
        declared = _container_ports(container, sidecar=field_name == "initContainers")
        if declared is None:
            return None
        ports.extend(declared)
    return ports


def _listing(ports: Sequence[_Port]) -> str:
    if not ports:
        return "it declares no ports"
    shown = ", ".join(str(port) for port in ports[:_SHOWN_PORTS])
    return f"it declares {shown}{', ...' if len(ports) > _SHOWN_PORTS else ''}"


# --- check_wiring ------------------------------------------------------------------


@dataclass
class _Carrier:
    """An object that carries a Pod: where it is, its Pod labels and ports."""

    index: int
    obj: Any
    namespace: str
    labels: dict[str, str]
    ports: list[_Port] | None  # None: not known, so not checked

    @property
    def qualified(self) -> str:
        return f"{self.namespace}/{_name(self.obj)}"


@dataclass
class _Pods:
    """The Pod-carrying objects of a stack, indexed by (namespace, key, value)."""

    by_label: dict[tuple[str, str, str], list[_Carrier]] = field(default_factory=lambda: defaultdict(list))
    # Namespaces holding a Pod carrier whose labels are not known (any
    # namespace, under None, when its namespace is not known either): a
    # Service there may select it, so "selects nothing" is not reported.
    uncertain: set[str | None] = field(default_factory=set)

    def add(self, index: int, obj: Any, kind: str) -> None:
        namespace = _namespace(obj)
        # POD_PATHS directly, not pod_of: the labels are read even when the
        # Pod spec is unknown, and a large stack pays for every lookup.
        metadata_path, spec_path = POD_PATHS[kind]
        labels = _string_map(_get(obj, *metadata_path, "labels", default={}))
        if namespace is UNKNOWN or labels is None:
            self.uncertain.add(None if namespace is UNKNOWN else namespace)
            return
        spec = _get(obj, *spec_path, default={})
        carrier = _Carrier(index, obj, namespace, labels, None if spec is UNKNOWN else _pod_ports(spec))
        for key, value in labels.items():
            self.by_label[(namespace, key, value)].append(carrier)

    def selected(self, namespace: str, selector: Mapping[str, str]) -> list[_Carrier]:
        """The carriers whose labels the selector matches: the shortest
        candidate list, then a check of every key, so the work is the size of
        the answer (at most the carriers under the rarest label), not of the stack."""
        shortest: list[_Carrier] | None = None
        for key, value in selector.items():
            candidates = self.by_label.get((namespace, key, value))
            if not candidates:
                return []
            if shortest is None or len(candidates) < len(shortest):
                shortest = candidates
        if shortest is None:
            return []
        return [c for c in shortest if all(c.labels.get(k) == v for k, v in selector.items())]

    def may_hide(self, namespace: str) -> bool:
        return namespace in self.uncertain or None in self.uncertain


def _qualify(name: str) -> str:
    return name if "/" in name else f"default/{name}"


def check_wiring(
    objects: Sequence[Any],
    *,
    intended_overlaps: Collection[tuple[str, str]] = (),
    external_pods: Collection[int] = (),
) -> list[tuple[int, Problem]]:
    """Problems with the index of the object they belong to.

    Reads Services against the Pods of every Pod-carrying object (Pod, Pod
    template, workload; see `pod_of`) in the same namespace, an absent
    namespace being "default":

    - ``wiring/selector-matches-pod``: a Service (not ExternalName) with a
      known, non-empty selector that matches the Pod labels of no object,
      unless it declares that its Pods are deployed elsewhere
      (`EXTERNAL_PODS_ANNOTATION` "true") or ``external_pods`` lists its
      index.
    - ``wiring/target-port``: a Service port whose ``targetPort`` (default:
      ``port``) a selected Pod does not declare, once per (Service port, Pod
      object). A name must be a container port ``name`` with the Service
      port's protocol (default TCP), as kubernetes/kubernetes
      ``pkg/api/v1/pod/util.go`` ``FindPort`` and its EndpointSlice copy in
      ``staging/src/k8s.io/endpointslice/util/controller_utils.go`` resolve
      it: from ``spec.containers``, and since Kubernetes 1.32
      (kubernetes/kubernetes#127976, #128850) from sidecars too
      (``initContainers`` with ``restartPolicy: Always``). A name only a
      sidecar declares is reported, since clusters before 1.32 leave it
      unresolved, with the number as the fix that works everywhere. For a
      number the rule is stricter than Kubernetes, deliberately, in both
      the declaration and the protocol: ``FindPort`` sends traffic to a
      numeric targetPort without looking at the declared ports at all, but
      a number no serving container declares, or declares only for another
      protocol (a TCP Service port on a UDP-only containerPort), is nearly
      always a typo or a port changed in one place only. Ports of plain
      init and ephemeral containers never count.
    - ``wiring/selector-overlap``: a Service whose selector matches the Pods
      of two or more objects (the copy-paste bug: one Service sends traffic
      to another application), unless every one of them declares itself a
      version of the same application (`VERSION_OF_ANNOTATION`).
      ``intended_overlaps`` holds
      (``"namespace/service"``, ``"namespace/workload"``) pairs, a name
      without '/' meaning namespace "default": a Service may select one
      object of its own plus any listed with it.

    Unknown values are skipped: a Service with an unknown type, namespace or
    selector is not checked; an object with unknown Pod labels or namespace
    is not matched, and no Service in its namespace is reported as
    selecting nothing; an object with unknown ports is not checked for
    target ports.

    The work is linear in the number of objects plus the number of
    (Service, selected object) matches: Pod label sets are indexed by
    (namespace, key, value), and each selector reads only the shortest
    candidate list.
    """
    pods = _Pods()
    services: list[tuple[int, Any, str, dict[str, str]]] = []
    for index, obj in enumerate(objects):
        kind = _get(obj, "kind")
        if kind == "Service":
            found = _service(obj)
            if found is not None:
                services.append((index, obj, *found))
        elif isinstance(kind, str) and kind in POD_PATHS:
            pods.add(index, obj, kind)
        elif kind is UNKNOWN:
            # Its kind is not known: it may carry Pods its namespace's Services select.
            namespace = _namespace(obj)
            pods.uncertain.add(None if namespace is UNKNOWN else namespace)

    overlaps = {(_qualify(s), _qualify(w)) for s, w in intended_overlaps}
    skip = set(external_pods)
    problems: list[tuple[int, Problem]] = []
    for index, obj, namespace, selector in services:
        selected = pods.selected(namespace, selector)
        if not selected:
            if index not in skip and not pods.may_hide(namespace) and not _declares_external(obj):
                problems.append((index, _no_match(namespace, selector)))
            continue
        overlap = _overlap(obj, namespace, selector, selected, overlaps)
        if overlap is not None:
            problems.append((index, overlap))
        for port_index, port in _service_ports(obj):
            for carrier in selected:
                problem = _target_port(port_index, port, carrier)
                if problem is not None:
                    problems.append((index, problem))
    return problems


def _service(obj: Any) -> tuple[str, dict[str, str]] | None:
    """(namespace, selector) of a Service the wiring rules read, or None."""
    service_type = _get(obj, "spec", "type", default="ClusterIP")
    if service_type is UNKNOWN or service_type == "ExternalName":
        return None
    namespace = _namespace(obj)
    selector = _string_map(_get(obj, "spec", "selector", default={}))
    if namespace is UNKNOWN or not selector:
        return None
    return namespace, selector


def _declares_external(obj: Any) -> bool:
    return bool(_get(obj, "metadata", "annotations", EXTERNAL_PODS_ANNOTATION) == "true")


def _versions_of_one(selected: list[_Carrier]) -> bool:
    """Every selected object declares itself a version of one application."""
    found = {_get(c.obj, "metadata", "annotations", VERSION_OF_ANNOTATION) for c in selected}
    return len(found) == 1 and isinstance(next(iter(found)), str) and bool(next(iter(found)))


def _no_match(namespace: str, selector: dict[str, str]) -> Problem:
    labels = ", ".join(f"{key}={value}" for key, value in selector.items())
    return Problem(
        "wiring/selector-matches-pod",
        ("spec", "selector"),
        f"matches no Pod in namespace {show(namespace)}: no Pod or workload there carries {labels} in its"
        " Pod labels, so the Service has no endpoints and every connection to it fails; fix the selector or"
        " the Pod labels so they match",
        selector,
    )


def _overlap(
    obj: Any, namespace: str, selector: dict[str, str], selected: list[_Carrier], intended: set[tuple[str, str]]
) -> Problem | None:
    if len(selected) < 2:
        return None
    service = f"{namespace}/{_name(obj)}"
    names_known = _get(obj, "metadata", "name") is not UNKNOWN
    unexpected = [
        c
        for c in selected
        if (service, c.qualified) not in intended
        # With exemptions in play, an unknown name may be one of them.
        and (not intended or (names_known and _get(c.obj, "metadata", "name") is not UNKNOWN))
    ]
    if len(unexpected) < 2 or _versions_of_one(selected):
        return None
    described = [_describe(c.obj, c.namespace) for c in selected]
    listed = ", ".join(described[:-1]) + f" and {described[-1]}"
    return Problem(
        "wiring/selector-overlap",
        ("spec", "selector"),
        f"selects the Pods of {listed}, so the Service sends traffic to all of them, usually because one was"
        " copied from the other; add a label that tells them apart to the selector and the Pod labels",
        selector,
    )


def _service_ports(obj: Any) -> Iterator[tuple[int, Any]]:
    ports = _get(obj, "spec", "ports", default=[])
    if ports is UNKNOWN or not _is_list(ports):
        return
    for index, port in enumerate(ports):
        if _is_map(port):
            yield index, port


def _target_port(index: int, port: Mapping[str, Any], carrier: _Carrier) -> Problem | None:
    if carrier.ports is None:
        return None
    target = as_int(_get(port, "targetPort"))
    path: Path = ("spec", "ports", index, "targetPort")
    if target is None or target == 0 or target == "":
        # The API server defaults an absent, 0 or "" targetPort to port: the
        # problem is then at the field that holds the value.
        target = as_int(_get(port, "port"))
        path = ("spec", "ports", index, "port")
    protocol = _get(port, "protocol", default="TCP")
    if target is None or target is UNKNOWN or protocol is UNKNOWN or not isinstance(protocol, str):
        return None
    if not (is_int(target) or isinstance(target, str)):
        return None
    reason = _target_reason(target, protocol, carrier)
    return None if reason is None else Problem("wiring/target-port", path, reason, target)


def _target_reason(target: int | str, protocol: str, carrier: _Carrier) -> str | None:
    declared = carrier.ports or []
    if isinstance(target, str):
        same = [p for p in declared if p.name == target and p.protocol == protocol]
        if any(not p.sidecar for p in same):
            return None
        other = _describe(carrier.obj, carrier.namespace)
        if same:
            number = "its number" if same[0].number is None else f"the number {same[0].number}"
            return (
                f"names a port only a sidecar (an initContainer with restartPolicy: Always) of {other} declares:"
                " Kubernetes resolves sidecar port names only since 1.32, and older clusters give those Pods no"
                f" endpoint for this port; use {number} instead"
            )
        others = [p for p in declared if p.name == target]
        if others:
            return (
                f"names port {others[0]} of {other}, but this Service port is {protocol}: Kubernetes resolves a"
                f" named targetPort only to a port of the same protocol, so those Pods get no endpoint for it;"
                " make the protocols match"
            )
        return (
            f"names no {protocol} container port of {other} ({_listing(declared)}): Kubernetes cannot resolve"
            " it, so those Pods get no endpoint for this port; use a declared port name, or name the port"
        )
    if any(p.number == target and p.protocol == protocol for p in declared):
        return None
    other = _describe(carrier.obj, carrier.namespace)
    others = [p for p in declared if p.number == target]
    if others:
        return (
            f"is declared by {other} only as {others[0].protocol}, but this Service port is {protocol}: traffic"
            " arrives over a protocol the container does not serve there; make the protocols match"
        )
    return (
        f"is not a {protocol} containerPort of {other} ({_listing(declared)}): traffic reaches those Pods only"
        " if a container listens there undeclared, and usually this is a typo or a port changed in one place"
        " only; point targetPort at a declared port, or declare it"
    )


# --- check_probe_ports -------------------------------------------------------------


def check_probe_ports(obj: Any) -> list[Problem]:
    """Probes (readiness, liveness, startup; httpGet, tcpSocket, grpc) aimed at a port no container of the Pod declares (kube-linter's readiness-port / liveness-port checks).

    Follows kube-linter ``pkg/templates/util/check_probe_port.go``
    (``CheckProbePort``, behind its readiness-port, liveness-port and
    startup-port checks): a probe's port must be one the same container
    declares with protocol TCP (or none): a name must be a port's ``name``,
    a number its ``containerPort``; UDP and SCTP ports do not count. The
    kubelet resolves a named probe port from the container's own ports only,
    so a name it lacks always fails; a number the kubelet probes anyway,
    which is why that case reads as a likely mistake, not a certain one.
    kube-linter checks ``spec.containers`` only; sidecars (``initContainers``
    with ``restartPolicy: Always``), the only init containers that may have
    probes, are checked too. A container whose ports are not known is skipped.
    """
    pod = pod_of(obj)
    if pod is None:
        return []
    # A probe's port is the probing container's own business: an unknown
    # container hides nothing from the others.
    containers, _ = _serving_containers(pod.spec)
    problems: list[Problem] = []
    for field_name, index, container in containers:
        declared = _container_ports(container)
        if declared is None:
            continue
        tcp = [p for p in declared if p.protocol == "TCP"]
        name = _name_of_container(container)
        for probe in PROBES:
            for handler in PROBE_HANDLERS:
                target = as_int(_get(container, probe, handler, "port"))
                if target is None or target is UNKNOWN or not (is_int(target) or isinstance(target, str)):
                    continue
                reason = _probe_reason(target, probe, name, declared, tcp)
                if reason:
                    path = (*pod.spec_path, field_name, index, probe, handler, "port")
                    problems.append(Problem("wiring/probe-port", path, reason, target))
    return problems


def _name_of_container(container: Any) -> str:
    name = _get(container, "name")
    return f'"{name}"' if isinstance(name, str) else "<unnamed>"


def _probe_reason(target: int | str, probe: str, name: str, declared: list[_Port], tcp: list[_Port]) -> str | None:
    if isinstance(target, str):
        if any(p.name == target for p in tcp):
            return None
        other = next((p for p in declared if p.name == target), None)
        if other is not None:
            return (
                f"names port {other} of container {name}, but probes connect over TCP: unless the container also"
                f" listens on TCP there, the probe fails and {_PROBE_FAILS[probe]}; probe a TCP port"
            )
        return (
            f"names no port of container {name} ({_listing(declared)}): the kubelet looks a probe's port name up"
            f" in the container's own ports only, so the probe always fails: {_PROBE_FAILS[probe]}; use a"
            " declared port name or number"
        )
    if any(p.number == target for p in tcp):
        return None
    return (
        f"is not a TCP port container {name} declares ({_listing(declared)}): the probe checks a port the"
        f" container does not say it listens on, usually a typo or a port changed in one place only, and if"
        f" nothing listens there {_PROBE_FAILS[probe]}; probe a declared port, or declare it"
    )
