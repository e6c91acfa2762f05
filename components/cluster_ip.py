"""ClusterIPService: a Pod-plus-Service bundle reachable inside the cluster only."""

# No `from __future__ import annotations` here: TypedDict needs evaluated
# annotations to tell required keys from NotRequired ones.

from typing import TYPE_CHECKING

import pulumi
from typing_extensions import NotRequired

from ._args import BundleArgsBase, ServicePortArgs
from ._component import ServiceComponent
from ._kinds import Kind, register_kind


class ClusterIPServiceArgs(BundleArgsBase):
    """Arguments of `ClusterIPService`; the shared ones are documented on `BundleArgsBase`."""

    headless: NotRequired[bool]
    """Set ``clusterIP: None``: DNS answers with the Pod IPs themselves, and
    ``ports`` may be empty. Switching an existing Service to or from headless
    replaces it. Default: False.
    See https://kubernetes.io/docs/concepts/services-networking/service/#headless-services."""
    publish_not_ready_addresses: NotRequired[bool]
    """Publish Pods before they are ready (for peer discovery). Default: False."""


class ClusterIPService(ServiceComponent):
    """A Pod-plus-Service bundle reachable inside the cluster only (east-west)."""

    KIND = register_kind(
        Kind(
            component="ClusterIPService",
            service_type="ClusterIP",
            exposure="east-west",
            args=ClusterIPServiceArgs,
            port_args=ServicePortArgs,
        )
    )

    if TYPE_CHECKING:
        # Declared for type checkers only: a real override would add a frame
        # to every resource the bundle registers, and the SDK walks the whole
        # stack for each one (benchmarks/README.md).
        def __init__(
            self, name: str, args: ClusterIPServiceArgs, opts: pulumi.ResourceOptions | None = None
        ) -> None: ...
