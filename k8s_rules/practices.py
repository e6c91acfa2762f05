"""Practices: what the API server accepts but an operator should not run.

Exposure an environment keeps closed, unpinned images, containers without
resources or probes, Pods nothing recreates, objects no tool can find. Each
function reads one plain object (camelCase, as the API server sees it; any
value may be `UNKNOWN`, and is then skipped) and returns `Problem`s with rule
id ``practice/<name>``; `service_selector_unique` reads a list of objects.
Functions that apply to Pods read every Pod-carrying kind through `pod_of`
(Pod, PodTemplate, ReplicationController, ReplicaSet, Deployment,
StatefulSet, DaemonSet, Job, CronJob).

A problem about a field that is absent has no value (`NO_VALUE`): a caller
checking a partial object (a patch, which leaves absent fields as they are)
can drop those and keep the ones about values the object does set.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final

from ._objects import POD_PATHS, PodView, kind_of, pod_of
from ._problem import NO_VALUE, UNKNOWN, Path, Problem, get, items, show
from .wiring import SHARES_PODS_ANNOTATION

__all__ = [
    "DEFAULT_REQUIRED_LABELS",
    "NAMESPACED_KINDS",
    "SERVICE_TYPES",
    "SOURCE_RANGES_ANNOTATION",
    "bare_pod",
    "image_digest_pinned",
    "image_tag_pinned",
    "loadbalancer_source_ranges",
    "no_default_namespace",
    "probes_configured",
    "recommended_labels",
    "resources_set",
    "sa_token_not_automounted",
    "service_has_selector",
    "service_no_external_ips",
    "service_selector_unique",
    "service_type_allowed",
]

SERVICE_TYPES: Final = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
DEFAULT_REQUIRED_LABELS: Final = ("app.kubernetes.io/name",)
NAMESPACED_KINDS: Final = frozenset(
    {*POD_PATHS, "Service", "ConfigMap", "Secret", "ServiceAccount", "NetworkPolicy", "Ingress"}
)
"""The kinds `no_default_namespace` reads: namespaced kinds this project creates."""

SOURCE_RANGES_ANNOTATION: Final = "service.beta.kubernetes.io/load-balancer-source-ranges"
"""The older way to restrict a load balancer's clients, still honoured by cloud providers."""


def _rule(name: str) -> str:
    return "practice/" + name


def _strings(value: Collection[str], what: str) -> Collection[str]:
    if isinstance(value, str):
        raise TypeError(f"{what} must be a collection of strings, not a single string")
    return value


def _is_service(obj: Any) -> bool:
    return kind_of(obj) == "Service"


def _service_type(obj: Any) -> Any:
    """spec.type, "ClusterIP" when absent; `UNKNOWN` when unknown."""
    return get(obj, "spec", "type", default="ClusterIP")


def _container(container: Any) -> str:
    name = get(container, "name")
    return f"container {show(name)}" if isinstance(name, str) else "the container"


def _app_containers(view: PodView) -> list[tuple[Path, Any]]:
    """(path, container) of init containers and containers (not ephemeral ones)."""
    return [(path, c) for path, c in view.containers() if path[-2] in ("initContainers", "containers")]


# --- Services ------------------------------------------------------------------


def service_type_allowed(obj: Any, *, allowed_types: Collection[str] = SERVICE_TYPES) -> list[Problem]:
    """``practice/service-type-allowed``: a Service of a type ``allowed_types`` leaves out."""
    allowed = list(_strings(allowed_types, "allowed_types"))
    if not _is_service(obj):
        return []
    service_type = get(obj, "spec", "type")
    effective = "ClusterIP" if service_type is None else service_type
    if effective is UNKNOWN or effective in allowed:
        return []
    fix = "Use one of the allowed types" + (", e.g. ClusterIP behind an Ingress" if "ClusterIP" in allowed else "")
    why = (
        f"this environment does not allow (allowed: {', '.join(allowed) or 'none'}): every exposure type is a way"
        f" into the cluster, and this one is kept closed here. {fix}"
    )
    if service_type is None:
        return [
            Problem(
                _rule("service-type-allowed"),
                ("spec", "type"),
                f"is not set, so the Service is a ClusterIP, which {why}",
            )
        ]
    return [Problem(_rule("service-type-allowed"), ("spec", "type"), f"is a type {why}", service_type)]


def service_no_external_ips(obj: Any, *, allowed_external_ips: Collection[str] = ()) -> list[Problem]:
    """``practice/service-no-external-ips``: each entry of spec.externalIPs not in ``allowed_external_ips``."""
    allowed = set(_strings(allowed_external_ips, "allowed_external_ips"))
    if not _is_service(obj):
        return []
    return [
        Problem(
            _rule("service-no-external-ips"),
            ("spec", "externalIPs", index),
            "is an external IP: whoever can create such a Service can intercept the traffic the cluster sends to"
            " that address (CVE-2020-8554). Remove spec.externalIPs and use a LoadBalancer Service, or allow the"
            " address (allowedExternalIPs) if your cluster controls who may use it",
            ip,
        )
        for index, ip in items(obj, "spec", "externalIPs")
        if ip not in allowed
    ]


def loadbalancer_source_ranges(obj: Any) -> list[Problem]:
    """``practice/loadbalancer-source-ranges``: a LoadBalancer Service open to every client address.

    Restricted by spec.loadBalancerSourceRanges, or by the older annotation
    `SOURCE_RANGES_ANNOTATION` that cloud providers still read.
    """
    if not _is_service(obj) or get(obj, "spec", "type") != "LoadBalancer":
        return []
    ranges = get(obj, "spec", "loadBalancerSourceRanges")
    annotation = get(obj, "metadata", "annotations", SOURCE_RANGES_ANNOTATION)
    if ranges is UNKNOWN or annotation is UNKNOWN or (isinstance(annotation, str) and annotation.strip()):
        return []
    if ranges is not None and (not isinstance(ranges, Sequence) or isinstance(ranges, str) or len(ranges) > 0):
        return []
    return [
        Problem(
            _rule("loadbalancer-source-ranges"),
            ("spec", "loadBalancerSourceRanges"),
            f"is {'empty' if ranges is not None else 'not set'} on a LoadBalancer Service: its external address"
            " accepts traffic from the whole internet. Set loadBalancerSourceRanges to the CIDRs that should reach it",
            NO_VALUE if ranges is None else ranges,
        )
    ]


def service_has_selector(obj: Any) -> list[Problem]:
    """``practice/service-has-selector``: a Service other than ExternalName with no (or an empty) selector."""
    if not _is_service(obj):
        return []
    service_type = _service_type(obj)
    selector = get(obj, "spec", "selector")
    if service_type is UNKNOWN or service_type == "ExternalName" or selector is UNKNOWN:
        return []
    if isinstance(selector, Mapping) and selector:
        return []
    return [
        Problem(
            _rule("service-has-selector"),
            ("spec", "selector"),
            f"is {'empty' if selector is not None else 'not set'}: the Service sends traffic only to endpoints someone"
            " maintains by hand, which can point anywhere and go stale unnoticed. Give it a selector matching its"
            " Pods' labels",
            NO_VALUE if selector is None else selector,
        )
    ]


def service_selector_unique(objects: Sequence[Any]) -> list[tuple[int, Problem]]:
    """``practice/service-selector-unique``: a Service whose selector is exactly the selector of an
    earlier Service in the same namespace, with the index of the later one.

    Reads Services other than ExternalName whose namespace and selector are
    known (every key and value a string), but not one that declares it
    shares its Pods on purpose (`wiring.SHARES_PODS_ANNOTATION`); linear in
    the number of objects.
    """
    seen: dict[tuple[str, frozenset[tuple[str, str]]], Any] = {}
    problems: list[tuple[int, Problem]] = []
    for index, obj in enumerate(objects):
        if not _is_service(obj) or _service_type(obj) in (UNKNOWN, "ExternalName"):
            continue
        if isinstance(get(obj, "metadata", "annotations", SHARES_PODS_ANNOTATION), str):
            continue
        namespace = get(obj, "metadata", "namespace")
        selector = get(obj, "spec", "selector")
        if namespace is UNKNOWN or not isinstance(selector, Mapping) or not selector:
            continue
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in selector.items()):
            continue
        namespace = namespace if isinstance(namespace, str) and namespace else "default"
        key = (namespace, frozenset(selector.items()))
        first = seen.setdefault(key, obj)
        if first is obj:
            continue
        name = get(first, "metadata", "name")
        shown = name if isinstance(name, str) else "<unknown>"
        problems.append(
            (
                index,
                Problem(
                    _rule("service-selector-unique"),
                    ("spec", "selector"),
                    f"is the selector of Service '{namespace}/{shown}' too: both send traffic to the same Pods, which"
                    " usually means one was copied and not updated. Give each Service the selector of its own Pods",
                    dict(selector),
                ),
            )
        )
    return problems


# --- Pods ----------------------------------------------------------------------


def _image_parts(image: str) -> tuple[str | None, str | None]:
    """(tag, digest) of an image reference."""
    rest, _, digest = image.partition("@")
    last = rest.rsplit("/", 1)[-1]
    tag = last.partition(":")[2] or None
    return tag, digest or None


def _repository(image: str) -> str:
    """The image reference without tag or digest."""
    rest = image.partition("@")[0]
    head, slash, last = rest.rpartition("/")
    return f"{head}{slash}{last.partition(':')[0]}"


def _images(obj: Any) -> list[tuple[Path, Any, str]]:
    """(path of the image, container, image) of every container with a known image."""
    view = pod_of(obj)
    if view is None:
        return []
    found = []
    for path, container in view.containers():
        image = get(container, "image")
        if isinstance(image, str):
            found.append(((*path, "image"), container, image))
    return found


def image_tag_pinned(obj: Any) -> list[Problem]:
    """``practice/image-tag-pinned``: images with no tag, or ``latest``, and no digest (every container list)."""
    problems = []
    for path, container, image in _images(obj):
        tag, digest = _image_parts(image)
        if digest is None and (tag is None or tag == "latest"):
            problems.append(
                Problem(
                    _rule("image-tag-pinned"),
                    path,
                    f'of {_container(container)} is not pinned: "latest" or no tag means each node may run whatever'
                    f" the tag points at when it pulls. Use a version tag ({show(_repository(image) + ':<version>')})"
                    " or a digest",
                    image,
                )
            )
    return problems


def image_digest_pinned(obj: Any) -> list[Problem]:
    """``practice/image-digest-pinned``: images without a digest (every container list)."""
    return [
        Problem(
            _rule("image-digest-pinned"),
            path,
            f"of {_container(container)} has no digest: a tag can be moved to other content. Pin the digest"
            ' ("image:tag@sha256:...") to run exactly what was reviewed',
            image,
        )
        for path, container, image in _images(obj)
        if _image_parts(image)[1] is None
    ]


_RESOURCES: Final = (("requests", "cpu"), ("requests", "memory"), ("limits", "memory"))


def resources_set(obj: Any) -> list[Problem]:
    """``practice/resources-set``: init containers and containers without requests.cpu,
    requests.memory or limits.memory (ephemeral containers cannot set resources)."""
    view = pod_of(obj)
    if view is None:
        return []
    problems = []
    for path, container in _app_containers(view):
        missing = [".".join(field) for field in _RESOURCES if get(container, "resources", *field) is None]
        if missing:
            problems.append(
                Problem(
                    _rule("resources-set"),
                    (*path, "resources"),
                    f"of {_container(container)} sets no {', '.join(missing)}: without requests the scheduler"
                    " overcommits nodes, and without a memory limit one leak can starve every Pod on the node. Set"
                    " resources.requests.cpu, resources.requests.memory and resources.limits.memory",
                )
            )
    return problems


_PROBE_WHY: Final = {
    "readinessProbe": "the Service sends traffic to the container before it can answer. Add a readinessProbe",
    "livenessProbe": "a hung process is never restarted. Add a livenessProbe",
}


def probes_configured(obj: Any) -> list[Problem]:
    """``practice/probes-configured``: containers (spec.containers) without a readinessProbe or a livenessProbe."""
    view = pod_of(obj)
    if view is None:
        return []
    problems = []
    for path, container in view.containers():
        if path[-2] != "containers":
            continue
        for probe, why in _PROBE_WHY.items():
            if get(container, probe) is None:
                problems.append(
                    Problem(_rule("probes-configured"), (*path, probe), f"is missing in {_container(container)}: {why}")
                )
    return problems


def sa_token_not_automounted(obj: Any) -> list[Problem]:
    """``practice/sa-token-not-automounted``: a Pod that does not set automountServiceAccountToken: false."""
    view = pod_of(obj)
    if view is None:
        return []
    automount = get(view.spec, "automountServiceAccountToken")
    if automount is UNKNOWN or automount is False:
        return []
    why = (
        "the Pod mounts a service-account token, and anyone who takes over a container can call the Kubernetes API"
        " as that account. Set automountServiceAccountToken: false unless the Pod calls the API"
    )
    path = (*view.spec_path, "automountServiceAccountToken")
    if automount is None:
        return [Problem(_rule("sa-token-not-automounted"), path, f"is not set to false: {why}")]
    return [Problem(_rule("sa-token-not-automounted"), path, f"is not false: {why}", automount)]


# --- every object ----------------------------------------------------------------


def recommended_labels(obj: Any, *, required_labels: Collection[str] = DEFAULT_REQUIRED_LABELS) -> list[Problem]:
    """``practice/recommended-labels``: a Service's labels, or the Pod labels of a Pod-carrying
    object, without one of ``required_labels``."""
    required = list(_strings(required_labels, "required_labels"))
    view = pod_of(obj)
    if view is not None:
        path: Path = (*view.metadata_path, "labels")
    elif _is_service(obj):
        path = ("metadata", "labels")
    else:
        return []
    labels = get(obj, *path, default={})
    if labels is UNKNOWN:
        return []
    present = labels if isinstance(labels, Mapping) else {}
    missing = [label for label in required if label not in present]
    if not missing:
        return []
    return [
        Problem(
            _rule("recommended-labels"),
            path,
            f"lacks {', '.join(missing)}: tools and people find an application's objects by the recommended labels."
            " Add them",
        )
    ]


def no_default_namespace(obj: Any) -> list[Problem]:
    """``practice/no-default-namespace``: an object of `NAMESPACED_KINDS` in the default namespace
    (an absent namespace included)."""
    if kind_of(obj) not in NAMESPACED_KINDS:
        return []
    namespace = get(obj, "metadata", "namespace")
    why = (
        "everything there shares one set of permissions, quotas and NetworkPolicies. Put it in a namespace of its"
        " own application or team"
    )
    if namespace is None or namespace == "":
        return [
            Problem(
                _rule("no-default-namespace"),
                ("metadata", "namespace"),
                f"is not set, so the object goes to the default namespace: {why}",
            )
        ]
    if namespace == "default":
        return [
            Problem(
                _rule("no-default-namespace"), ("metadata", "namespace"), f"is the default namespace: {why}", namespace
            )
        ]
    return []


def bare_pod(obj: Any) -> list[Problem]:
    """``practice/bare-pod``: a Pod not run by a controller."""
    if kind_of(obj) != "Pod":
        return []
    return [
        Problem(
            _rule("bare-pod"),
            ("kind",),
            "is a bare Pod: nothing recreates it when its node fails or it is evicted, and it cannot be rolled out"
            " without downtime. Run it from a Deployment (workload: Deployment)",
            "Pod",
        )
    ]
