"""Where a component registers its children: the base class of the four
public components, with their outputs.

The objects come from `_checks.plan`, checked; this module only registers
them and exposes what the cluster assigns (cluster IP, node ports, the load
balancer's address) as Outputs.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi
import pulumi_kubernetes as k8s

from ._checks import Plan, plan
from ._kinds import Kind


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


# The resource class of each kind a bundle registers with metadata and spec.
RESOURCES: dict[str, Any] = {
    "Pod": k8s.core.v1.Pod,
    "Deployment": k8s.apps.v1.Deployment,
    "StatefulSet": k8s.apps.v1.StatefulSet,
    "DaemonSet": k8s.apps.v1.DaemonSet,
    "Service": k8s.core.v1.Service,
    "NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
}


class ServiceComponent(pulumi.ComponentResource):
    """What the four public components share: outputs and registration."""

    KIND: ClassVar[Kind]

    service: k8s.core.v1.Service
    """The Service resource."""
    workload: pulumi.CustomResource | None
    """The Pod, Deployment, StatefulSet or DaemonSet the Service selects;
    None for ExternalName, with ``target`` or ``external_pods``, and with
    ``versions`` (see ``workloads``)."""
    workloads: dict[str, pulumi.CustomResource]
    """Each workload by version ("" without ``versions``)."""
    network_policy: k8s.networking.v1.NetworkPolicy | None
    """The NetworkPolicy that admits only ``allow_from``; None without ``allow_from``."""
    governing_service: k8s.core.v1.Service | None
    """A StatefulSet's headless governing Service, when the bundle's own is not headless."""
    service_account: k8s.core.v1.ServiceAccount | None
    """The Pods' own ServiceAccount (``service_account``)."""
    disruption_budget: k8s.policy.v1.PodDisruptionBudget | None
    """The PodDisruptionBudget (``disruption_budget``)."""
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

    def __init__(
        self, name: str, args: Any, opts: pulumi.ResourceOptions | None = None, *, _checked: Plan | None = None
    ) -> None:
        # Everything is checked before the component itself is registered, so
        # a bad input leaves nothing behind. A stack passes the plan it has
        # already checked (``_checked``), so no bundle is built twice.
        built = _checked if _checked is not None and _checked.name == name else plan(self.KIND, name, args)
        super().__init__(f"k8s-services:index:{self.KIND.component}", name, None, opts)
        self._plan = built  # what a bundle that targets this one reads
        timeouts = pulumi.CustomTimeouts(**built.custom_timeouts) if built.custom_timeouts else None
        child = pulumi.ResourceOptions(parent=self, custom_timeouts=timeouts)
        plain = pulumi.ResourceOptions(parent=self)
        # The manifests are camelCase, as checked; the SDK registers a
        # camelCase key as it is, so what is registered is what was checked.
        # The plan names each object's resource and says which ones wait
        # (k8s_services.render builds the same list without pulumi).
        registered: dict[str, Any] = {}
        for role, manifest in built.objects:
            opts = child if built.waits(role) else plain
            resource_name = built.resource_name(role)
            kind = manifest["kind"]
            if kind == "ServiceAccount":
                registered[role] = k8s.core.v1.ServiceAccount(
                    resource_name,
                    metadata=manifest["metadata"],
                    automount_service_account_token=manifest["automountServiceAccountToken"],
                    opts=opts,
                )
            else:
                registered[role] = RESOURCES[kind](
                    resource_name, metadata=manifest["metadata"], spec=manifest["spec"], opts=opts
                )
        self.service_account = registered.get("service_account")
        self.workloads = {
            role.partition(":")[2]: resource for role, resource in registered.items() if role.startswith("workload")
        }
        self.workload = self.workloads.get("")
        self.service = registered["service"]
        self.governing_service = registered.get("governing_service")
        self.network_policy = registered.get("network_policy")
        self.disruption_budget = registered.get("disruption_budget")

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
