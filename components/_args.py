"""The argument shapes shared by the components, as TypedDicts.

Each public ``...Args`` TypedDict in the per-type modules is built from these;
`ACCEPTED_BY` derives, from those TypedDicts alone, which components accept
which argument, so an argument given to the wrong type can name the right one.
"""

# No `from __future__ import annotations` here: TypedDict needs evaluated
# annotations to tell required keys from NotRequired ones.

from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s
from typing_extensions import NotRequired, TypedDict


class ServicePortArgs(TypedDict):
    """One port of a Service."""

    port: pulumi.Input[int]
    """The port the Service exposes inside the cluster (1-65535)."""
    name: NotRequired[pulumi.Input[str]]
    """A DNS-1123 label. Required when the Service has more than one port.
    Default: none."""
    target_port: NotRequired[pulumi.Input[int | str]]
    """The container port traffic is forwarded to, by number or by name; it
    must be declared by a container of the bundle.
    Default: the container port of the same name as this port, else the only
    container port."""
    protocol: NotRequired[pulumi.Input[Literal["TCP", "UDP", "SCTP"]]]
    """Default: "TCP"."""
    app_protocol: NotRequired[pulumi.Input[str]]
    """Application protocol hint, e.g. "http" or "kubernetes.io/h2c". Default: none."""


class NodePortServicePortArgs(ServicePortArgs):
    """One port of a NodePort or LoadBalancer Service."""

    node_port: NotRequired[pulumi.Input[int]]
    """The port opened on every node, inside ``node_port_range``.
    Default: assigned by Kubernetes."""


class ExternalNameServicePortArgs(TypedDict):
    """One port of an ExternalName Service (documentation only: nothing is proxied)."""

    port: pulumi.Input[int]
    name: NotRequired[pulumi.Input[str]]
    protocol: NotRequired[pulumi.Input[Literal["TCP", "UDP", "SCTP"]]]
    app_protocol: NotRequired[pulumi.Input[str]]


class PeerArgs(TypedDict):
    """Who may call a bundle's Pods: Pods matching ``pod_selector`` in
    namespaces matching ``namespace_selector``. With only ``pod_selector``,
    Pods of the bundle's own namespace; with only ``namespace_selector``,
    every Pod of those namespaces; an empty selector (``{}``) matches all.
    Or ``ip_block`` alone. A peer sets at least one of the three."""

    pod_selector: NotRequired[dict[str, str]]
    namespace_selector: NotRequired[dict[str, str]]
    ip_block: NotRequired[str]
    """Instead of selectors: clients from this CIDR, e.g. "0.0.0.0/0" for the
    traffic a NodePort or LoadBalancer brings in from outside."""


class CustomTimeoutsArgs(TypedDict, total=False):
    """How long Pulumi waits for the Service and workload, e.g. "5m"."""

    create: str
    update: str
    delete: str


class ServiceArgsBase(TypedDict):
    """Arguments every component accepts."""

    namespace: NotRequired[pulumi.Input[str]]
    """Namespace of every object of the bundle (a DNS-1123 label). Default: "default"."""
    service_name: NotRequired[pulumi.Input[str]]
    """``metadata.name`` of the Service, a DNS-1035 label; part of its DNS name.
    Default: the resource name."""
    cluster_domain: NotRequired[str]
    """The cluster's DNS domain, used for ``dns_name``. Default: "cluster.local"."""
    service_labels: NotRequired[dict[str, pulumi.Input[str]]]
    """Labels on the Service object itself; never part of its selector.
    Default: ``{"app.kubernetes.io/name": <resource name>}``, which given labels extend."""
    service_annotations: NotRequired[dict[str, pulumi.Input[str]]]
    """Annotations on the Service. Default: none."""


class BundleArgsBase(ServiceArgsBase):
    """Arguments of the three Pod-plus-Service bundles."""

    containers: list[k8s.core.v1.ContainerArgsDict]
    """The Pod's containers (snake_case keys, `ContainerArgsDict` shape); at
    least one, each with a unique ``name`` and a non-empty ``image``."""
    workload_name: NotRequired[pulumi.Input[str]]
    """``metadata.name`` of the Pod or Deployment, a DNS-1123 subdomain.
    Default: the resource name."""
    selector: NotRequired[dict[str, str]]
    """Labels put on the Pod (template) and used, as the very same mapping, as
    the Service selector (and a Deployment's ``matchLabels``).
    Default: ``{"app.kubernetes.io/name": <resource name>}``."""
    pod_labels: NotRequired[dict[str, pulumi.Input[str]]]
    """Extra Pod labels that the Service does not select on. Default: none."""
    pod_annotations: NotRequired[dict[str, pulumi.Input[str]]]
    """Annotations on the Pod (template). Default: none."""
    pod_spec: NotRequired[k8s.core.v1.PodSpecArgsDict]
    """Further PodSpec fields (snake_case), merged over the bundle's defaults;
    ``containers`` is not accepted here. Default: none."""
    workload: NotRequired[Literal["Pod", "Deployment"]]
    """A bare Pod, as in the reference scenario, or a Deployment. Default: "Pod"."""
    replicas: NotRequired[pulumi.Input[int]]
    """Deployment only: the number of Pods. Default: 1."""
    pod_security: NotRequired[Literal["restricted", "baseline"]]
    """Pod Security Standards profile the Pod is built to pass; "baseline" is
    for images that must run as root. Fields set on a container win over the
    profile's defaults, but not over its limits.
    Default: "restricted".
    See https://kubernetes.io/docs/concepts/security/pod-security-standards/."""
    ports: NotRequired[list[ServicePortArgs]]
    """The Service's ports; at least one (a headless ClusterIPService may have none)."""
    session_affinity: NotRequired[Literal["None", "ClientIP"]]
    """Default: "None"."""
    session_affinity_timeout_seconds: NotRequired[int]
    """ClientIP affinity only, 1-86400. Default: Kubernetes' 10800."""
    internal_traffic_policy: NotRequired[Literal["Cluster", "Local"]]
    """Default: Kubernetes' "Cluster"."""
    ip_families: NotRequired[list[Literal["IPv4", "IPv6"]]]
    """Default: the cluster's primary family."""
    ip_family_policy: NotRequired[Literal["SingleStack", "PreferDualStack", "RequireDualStack"]]
    """Default: Kubernetes' "SingleStack"."""
    traffic_distribution: NotRequired[Literal["PreferClose", "PreferSameZone", "PreferSameNode"]]
    """Routing preference; needs Kubernetes 1.31+ ("PreferSameZone" and
    "PreferSameNode" 1.34+). Default: none."""
    allow_from: NotRequired[list[PeerArgs]]
    """When given, a NetworkPolicy admits traffic to the bundle's Pods, on its
    target ports, only from these peers; an empty list admits nobody. Only
    enforced where the cluster's network plugin implements NetworkPolicy.
    Default: no NetworkPolicy (every Pod may connect)."""
    skip_await: NotRequired[bool]
    """Annotate the Service with ``pulumi.com/skipAwait: "true"`` so Pulumi does
    not wait for it to become ready: for clusters with no load-balancer
    controller (kind, minikube). Default: False."""
    custom_timeouts: NotRequired[CustomTimeoutsArgs | pulumi.CustomTimeouts]
    """How long Pulumi waits to create, update or delete the Service and the
    workload. Default: the provider's (10 minutes)."""


def keys_of(typed_dict: Any) -> frozenset[str]:
    """The keys a TypedDict declares, its bases' included."""
    return frozenset(typed_dict.__annotations__)


CONTAINER_KEYS = keys_of(k8s.core.v1.ContainerArgsDict)
CONTAINER_PORT_KEYS = keys_of(k8s.core.v1.ContainerPortArgsDict)
POD_SPEC_KEYS = keys_of(k8s.core.v1.PodSpecArgsDict)
