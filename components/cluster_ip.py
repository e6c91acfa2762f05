"""ClusterIPService: a Pod-plus-Service bundle reachable inside the cluster only."""

from typing import TYPE_CHECKING

import pulumi

from ._args import ClusterIPServiceArgs
from ._component import ServiceComponent
from ._kinds import KINDS


class ClusterIPService(ServiceComponent):
    """A Pod-plus-Service bundle reachable inside the cluster only (east-west)."""

    KIND = KINDS["ClusterIPService"]

    if TYPE_CHECKING:
        # Declared for type checkers only: a real override would add a frame
        # to every resource the bundle registers, and the SDK walks the whole
        # stack for each one (benchmarks/README.md).
        def __init__(
            self, name: str, args: ClusterIPServiceArgs, opts: pulumi.ResourceOptions | None = None
        ) -> None: ...
