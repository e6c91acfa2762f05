"""What distinguishes one component class from another, and the registry of
them all (so an argument given to the wrong type can name the right one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._args import (
    ClusterIPServiceArgs,
    ExternalNameServiceArgs,
    ExternalNameServicePortArgs,
    LoadBalancerServiceArgs,
    NodePortServiceArgs,
    NodePortServicePortArgs,
    ServicePortArgs,
)


@dataclass(frozen=True)
class Kind:
    """One component class: its name, Service type, exposure and argument shapes."""

    component: str
    service_type: str
    exposure: str
    args: Any
    port_args: Any
    has_workload: bool = True

    @property
    def exposes_node_ports(self) -> bool:
        return self.service_type in ("NodePort", "LoadBalancer")


# Every component's Kind. The order is the order messages list them in.
KINDS: dict[str, Kind] = {
    "ClusterIPService": Kind(
        component="ClusterIPService",
        service_type="ClusterIP",
        exposure="east-west",
        args=ClusterIPServiceArgs,
        port_args=ServicePortArgs,
    ),
    "ExternalNameService": Kind(
        component="ExternalNameService",
        service_type="ExternalName",
        exposure="east-west",
        args=ExternalNameServiceArgs,
        port_args=ExternalNameServicePortArgs,
        has_workload=False,
    ),
    "NodePortService": Kind(
        component="NodePortService",
        service_type="NodePort",
        exposure="north-south",
        args=NodePortServiceArgs,
        port_args=NodePortServicePortArgs,
    ),
    "LoadBalancerService": Kind(
        component="LoadBalancerService",
        service_type="LoadBalancer",
        exposure="north-south",
        args=LoadBalancerServiceArgs,
        port_args=NodePortServicePortArgs,
    ),
}
