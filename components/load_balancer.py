"""LoadBalancerService: a Pod-plus-Service bundle behind an external load balancer."""

# No `from __future__ import annotations` here: TypedDict needs evaluated
# annotations to tell required keys from NotRequired ones.

from typing import TYPE_CHECKING

import pulumi
from typing_extensions import NotRequired

from ._args import NodePortServicePortArgs
from ._component import ServiceComponent
from ._kinds import Kind, register_kind
from .node_port import NodePortServiceArgs


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


class LoadBalancerService(ServiceComponent):
    """A Pod-plus-Service bundle reachable at a load balancer's address (north-south)."""

    KIND = register_kind(
        Kind(
            component="LoadBalancerService",
            service_type="LoadBalancer",
            exposure="north-south",
            args=LoadBalancerServiceArgs,
            port_args=NodePortServicePortArgs,
        )
    )

    if TYPE_CHECKING:
        # Declared for type checkers only: a real override would add a frame
        # to every resource the bundle registers, and the SDK walks the whole
        # stack for each one (benchmarks/README.md).
        def __init__(
            self, name: str, args: LoadBalancerServiceArgs, opts: pulumi.ResourceOptions | None = None
        ) -> None: ...
