"""The argument shapes shared by the components, as TypedDicts.

Each public ``...Args`` TypedDict in the per-type modules is built from these;
`ACCEPTED_BY` derives, from those TypedDicts alone, which components accept
which argument, so an argument given to the wrong type can name the right one.
"""

# No `from __future__ import annotations` here: TypedDict needs evaluated
# annotations to tell required keys from NotRequired ones. The types of
# pulumi and pulumi_kubernetes are quoted instead: checking and rendering a
# stack runs without importing either (benchmarks/README.md), and type
# checkers read the quoted names all the same.

from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import NotRequired, TypedDict

if TYPE_CHECKING:
    import pulumi
    import pulumi_kubernetes as k8s


class ServicePortArgs(TypedDict):
    """One port of a Service."""

    port: "pulumi.Input[int]"
    """The port the Service exposes inside the cluster (1-65535)."""
    name: NotRequired["pulumi.Input[str]"]
    """A DNS-1123 label. Required when the Service has more than one port.
    Default: none."""
    target_port: NotRequired["pulumi.Input[int | str]"]
    """The container port traffic is forwarded to, by number or by name; it
    must be declared by a container of the bundle.
    Default: the container port of the same name as this port, else the only
    container port."""
    protocol: NotRequired["pulumi.Input[Literal['TCP', 'UDP', 'SCTP']]"]
    """Default: "TCP"."""
    app_protocol: NotRequired["pulumi.Input[str]"]
    """Application protocol hint, e.g. "http" or "kubernetes.io/h2c". Default: none."""


class NodePortServicePortArgs(ServicePortArgs):
    """One port of a NodePort or LoadBalancer Service."""

    node_port: NotRequired["pulumi.Input[int]"]
    """The port opened on every node, inside ``node_port_range``.
    Default: assigned by Kubernetes."""


class ExternalNameServicePortArgs(TypedDict):
    """One port of an ExternalName Service (documentation only: nothing is proxied)."""

    port: "pulumi.Input[int]"
    name: NotRequired["pulumi.Input[str]"]
    protocol: NotRequired["pulumi.Input[Literal['TCP', 'UDP', 'SCTP']]"]
    app_protocol: NotRequired["pulumi.Input[str]"]


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

    namespace: NotRequired["pulumi.Input[str]"]
    """Namespace of every object of the bundle (a DNS-1123 label). Default: "default"."""
    service_name: NotRequired["pulumi.Input[str]"]
    """``metadata.name`` of the Service, a DNS-1035 label; part of its DNS name.
    Default: the resource name."""
    cluster_domain: NotRequired[str]
    """The cluster's DNS domain, used for ``dns_name``. Default: "cluster.local"."""
    service_labels: NotRequired["dict[str, pulumi.Input[str]]"]
    """Labels on the Service object itself; never part of its selector.
    Default: ``{"app.kubernetes.io/name": <resource name>}``, which given labels extend."""
    service_annotations: NotRequired["dict[str, pulumi.Input[str]]"]
    """Annotations on the Service. Default: none."""


class ServiceAccountArgs(TypedDict, total=False):
    """The ServiceAccount a bundle creates for its Pods."""

    name: str
    """``metadata.name``. Default: the workload's name."""
    labels: dict[str, str]
    """Extra labels. Default: ``{"app.kubernetes.io/name": <resource name>}``."""
    annotations: dict[str, str]
    """E.g. a cloud identity binding. Default: none."""
    automount_service_account_token: bool
    """Default: False; a Pod that needs the token sets
    ``pod_spec.automount_service_account_token`` too."""


class DisruptionBudgetArgs(TypedDict, total=False):
    """A PodDisruptionBudget over the bundle's Pods: exactly one of
    ``min_available`` and ``max_unavailable``, a count or a percentage ("50%")."""

    min_available: int | str
    max_unavailable: int | str
    unhealthy_pod_eviction_policy: Literal["IfHealthyBudget", "AlwaysAllow"]
    """Default: Kubernetes' "IfHealthyBudget"."""


class VersionArgs(TypedDict, total=False):
    """One version of the application (see ``versions``): what it sets
    replaces the bundle's value, but labels and annotations extend it."""

    containers: "list[k8s.core.v1.ContainerArgsDict]"
    replicas: int
    pod_labels: dict[str, str]
    pod_annotations: dict[str, str]
    pod_spec: "k8s.core.v1.PodSpecArgsDict"
    workload_name: str
    """Default: ``<workload_name>-<version>``."""


class BundleArgsBase(ServiceArgsBase):
    """Arguments of the three Pod-plus-Service bundles."""

    containers: NotRequired["list[k8s.core.v1.ContainerArgsDict]"]
    """The Pod's containers (snake_case keys, `ContainerArgsDict` shape); at
    least one, each with a unique ``name`` and a non-empty ``image``.
    Required unless the bundle has a ``target``, ``external_pods``, or
    ``versions`` that each give their own."""
    target: NotRequired[Any]
    """Another bundle (a ClusterIPService, NodePortService or
    LoadBalancerService object; in stack config, its name) whose Pods this
    Service selects instead of owning a workload: its selector, namespace
    and containers' ports are the target's. For one workload reached in
    several ways, e.g. east-west and north-south. Default: none."""
    external_pods: NotRequired[bool]
    """The Pods are deployed elsewhere (a Helm chart, another stack): the
    bundle builds the Service (and the NetworkPolicy of ``allow_from``)
    only, ``selector`` is required and each port's ``target_port`` is used
    as given, unchecked. Default: False."""
    versions: NotRequired[dict[str, VersionArgs]]
    """Several versions of the application behind the one Service, e.g.
    ``{"v1": {...}, "v2": {"containers": [...], "replicas": 1}}``: one
    workload each, whose Pods carry the selector plus ``version_label:
    <version>``. Each can be added, scaled and removed on its own; the
    Service never changes. Default: none (one workload)."""
    version_label: NotRequired[str]
    """The Pod label that tells ``versions`` apart. Default: "version"."""
    service_account: NotRequired[bool | ServiceAccountArgs]
    """True (or the ServiceAccount's fields) to give the Pods a ServiceAccount
    of their own instead of the namespace's "default". Default: False."""
    disruption_budget: NotRequired[DisruptionBudgetArgs]
    """A PodDisruptionBudget, for replicated workloads (Deployment,
    StatefulSet). Default: none."""
    workload_spec: NotRequired[dict[str, Any]]
    """Further fields of the Deployment, StatefulSet or DaemonSet spec
    (snake_case, e.g. ``strategy``, ``min_ready_seconds``,
    ``volume_claim_templates``), merged over the bundle's; ``selector``,
    ``template``, ``replicas`` and ``service_name`` are the bundle's.
    Default: none."""
    workload_labels: NotRequired[dict[str, str]]
    """Extra labels on the workload object itself. Default: its Pod labels."""
    workload_annotations: NotRequired[dict[str, str]]
    """Annotations on the workload object itself. Default: none."""
    governing_service_name: NotRequired[str]
    """StatefulSet only, when the bundle's own Service is not headless: the
    name of the headless Service the bundle creates to govern it.
    Default: ``<service_name>-headless``."""
    workload_name: NotRequired["pulumi.Input[str]"]
    """``metadata.name`` of the Pod or Deployment, a DNS-1123 subdomain.
    Default: the resource name."""
    selector: NotRequired[dict[str, str]]
    """Labels put on the Pod (template) and used, as the very same mapping, as
    the Service selector (and a Deployment's ``matchLabels``).
    Default: ``{"app.kubernetes.io/name": <resource name>}``."""
    pod_labels: NotRequired["dict[str, pulumi.Input[str]]"]
    """Extra Pod labels that the Service does not select on. Default: none."""
    pod_annotations: NotRequired["dict[str, pulumi.Input[str]]"]
    """Annotations on the Pod (template). Default: none."""
    pod_spec: NotRequired["k8s.core.v1.PodSpecArgsDict"]
    """Further PodSpec fields (snake_case), merged over the bundle's defaults;
    ``containers`` is not accepted here. Default: none."""
    workload: NotRequired[Literal["Pod", "Deployment", "StatefulSet", "DaemonSet"]]
    """A bare Pod, as in the reference scenario, a Deployment, a StatefulSet
    (governed by the bundle's headless Service, or by one the bundle
    creates), or a DaemonSet (one Pod per node). Default: "Pod"."""
    replicas: NotRequired["pulumi.Input[int]"]
    """Deployment and StatefulSet only: the number of Pods. Default: 1."""
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
    custom_timeouts: NotRequired["CustomTimeoutsArgs | pulumi.CustomTimeouts"]
    """How long Pulumi waits to create, update or delete the Service and the
    workload. Default: the provider's (10 minutes)."""


class ClusterIPServiceArgs(BundleArgsBase):
    """Arguments of `ClusterIPService`; the shared ones are documented on `BundleArgsBase`."""

    headless: NotRequired[bool]
    """Set ``clusterIP: None``: DNS answers with the Pod IPs themselves, and
    ``ports`` may be empty. Switching an existing Service to or from headless
    replaces it. Default: False.
    See https://kubernetes.io/docs/concepts/services-networking/service/#headless-services."""
    publish_not_ready_addresses: NotRequired[bool]
    """Publish Pods before they are ready (for peer discovery). Default: False."""


class ExternalNameServiceArgs(ServiceArgsBase):
    """Arguments of `ExternalNameService`; the shared ones are documented on `ServiceArgsBase`."""

    external_name: "pulumi.Input[str]"
    """The DNS name clients are sent to, e.g. "db.example.com": a DNS-1123
    subdomain, not an IP address, not localhost."""
    ports: NotRequired[list[ExternalNameServicePortArgs]]
    """Ports, for documentation and for clients that look them up; nothing is
    proxied. Default: none."""


class NodePortServiceArgs(BundleArgsBase):
    """Arguments of `NodePortService`; the shared ones are documented on `BundleArgsBase`."""

    ports: NotRequired[list[NodePortServicePortArgs]]  # type: ignore[misc]
    """The Service's ports; at least one. Each may pin a ``node_port``."""
    external_traffic_policy: NotRequired[Literal["Cluster", "Local"]]
    """"Local" keeps the client's source IP and only uses Pods on the node that
    received the traffic. Default: Kubernetes' "Cluster"."""
    node_port_range: NotRequired[str]
    """The cluster's ``--service-node-port-range``, for clusters that changed it.
    Default: "30000-32767"."""


class LoadBalancerServiceArgs(NodePortServiceArgs):
    """Arguments of `LoadBalancerService`: those of `NodePortServiceArgs`, and these."""

    load_balancer_source_ranges: NotRequired[list[str]]
    """CIDRs allowed to reach the load balancer, e.g. ``["203.0.113.0/24"]``.
    Default: none (open to every address)."""
    load_balancer_class: NotRequired[str]
    """Which load-balancer implementation serves this Service, a prefixed name
    such as "example.com/internal-vip". Default: the cluster's default."""
    allocate_load_balancer_node_ports: NotRequired[bool]
    """False skips node ports, for load balancers that route to Pods directly.
    Default: Kubernetes' True."""
    health_check_node_port: NotRequired[int]
    """The node port for the load balancer's health checks; only with
    ``external_traffic_policy: "Local"``. Default: assigned by Kubernetes."""


def keys_of(typed_dict: Any) -> frozenset[str]:
    """The keys a TypedDict declares, its bases' included."""
    return frozenset(typed_dict.__annotations__)


def _fields_of(input_type: str) -> frozenset[str]:
    # The snake_case keys of pulumi_kubernetes' ``...ArgsDict``, from the
    # generated tables (components/_wire_tables.py): importing the provider
    # to read them would cost about a second.
    from ._wire_tables import load

    return frozenset(load()[1][input_type])


CONTAINER_KEYS = _fields_of("core.v1.ContainerArgs")
CONTAINER_PORT_KEYS = _fields_of("core.v1.ContainerPortArgs")
POD_SPEC_KEYS = _fields_of("core.v1.PodSpecArgs")
