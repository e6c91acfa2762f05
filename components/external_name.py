"""ExternalNameService: an in-cluster DNS alias (CNAME) for a name outside the cluster.

It builds no workload and has no selector: the cluster DNS answers the
Service's name with a CNAME to ``external_name``.
"""

# No `from __future__ import annotations` here: TypedDict needs evaluated
# annotations to tell required keys from NotRequired ones.

from typing import TYPE_CHECKING

import pulumi
from typing_extensions import NotRequired

from ._args import ExternalNameServicePortArgs, ServiceArgsBase
from ._component import ServiceComponent
from ._kinds import Kind, register_kind


class ExternalNameServiceArgs(ServiceArgsBase):
    """Arguments of `ExternalNameService`; the shared ones are documented on `ServiceArgsBase`."""

    external_name: pulumi.Input[str]
    """The DNS name clients are sent to, e.g. "db.example.com": a DNS-1123
    subdomain, not an IP address, not localhost."""
    ports: NotRequired[list[ExternalNameServicePortArgs]]
    """Ports, for documentation and for clients that look them up; nothing is
    proxied. Default: none."""


class ExternalNameService(ServiceComponent):
    """A Service that is a DNS CNAME to a name outside the cluster (east-west)."""

    KIND = register_kind(
        Kind(
            component="ExternalNameService",
            service_type="ExternalName",
            exposure="east-west",
            args=ExternalNameServiceArgs,
            port_args=ExternalNameServicePortArgs,
            has_workload=False,
        )
    )

    if TYPE_CHECKING:
        # Declared for type checkers only: a real override would add a frame
        # to every resource the bundle registers, and the SDK walks the whole
        # stack for each one (benchmarks/README.md).
        def __init__(
            self, name: str, args: ExternalNameServiceArgs, opts: pulumi.ResourceOptions | None = None
        ) -> None: ...
