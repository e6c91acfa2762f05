"""NodePortService: a Pod-plus-Service bundle reachable on a port of every node."""

# No `from __future__ import annotations` here: TypedDict needs evaluated
# annotations to tell required keys from NotRequired ones.

from typing import TYPE_CHECKING, Literal

import pulumi
from typing_extensions import NotRequired

from ._args import BundleArgsBase, NodePortServicePortArgs
from ._component import ServiceComponent
from ._kinds import Kind, register_kind


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


class NodePortService(ServiceComponent):
    """A Pod-plus-Service bundle reachable at ``<node IP>:<node port>`` (north-south)."""

    KIND = register_kind(
        Kind(
            component="NodePortService",
            service_type="NodePort",
            exposure="north-south",
            args=NodePortServiceArgs,
            port_args=NodePortServicePortArgs,
        )
    )

    if TYPE_CHECKING:
        # Declared for type checkers only: a real override would add a frame
        # to every resource the bundle registers, and the SDK walks the whole
        # stack for each one (benchmarks/README.md).
        def __init__(
            self, name: str, args: NodePortServiceArgs, opts: pulumi.ResourceOptions | None = None
        ) -> None: ...
