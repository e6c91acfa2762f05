"""ExternalNameService: an in-cluster DNS alias (CNAME) for a name outside the cluster.

It builds no workload and has no selector: the cluster DNS answers the
Service's name with a CNAME to ``external_name``.
"""

from typing import TYPE_CHECKING

import pulumi

from ._args import ExternalNameServiceArgs
from ._component import ServiceComponent
from ._kinds import KINDS


class ExternalNameService(ServiceComponent):
    """A Service that is a DNS CNAME to a name outside the cluster (east-west)."""

    KIND = KINDS["ExternalNameService"]

    if TYPE_CHECKING:
        # Declared for type checkers only: a real override would add a frame
        # to every resource the bundle registers, and the SDK walks the whole
        # stack for each one (benchmarks/README.md).
        def __init__(
            self, name: str, args: ExternalNameServiceArgs, opts: pulumi.ResourceOptions | None = None
        ) -> None: ...
