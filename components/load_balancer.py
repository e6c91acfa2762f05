"""LoadBalancerService: a Pod-plus-Service bundle behind an external load balancer."""

from typing import TYPE_CHECKING

import pulumi

from ._args import LoadBalancerServiceArgs
from ._component import ServiceComponent
from ._kinds import KINDS


class LoadBalancerService(ServiceComponent):
    """A Pod-plus-Service bundle reachable at a load balancer's address (north-south)."""

    KIND = KINDS["LoadBalancerService"]

    if TYPE_CHECKING:
        # Declared for type checkers only: a real override would add a frame
        # to every resource the bundle registers, and the SDK walks the whole
        # stack for each one (benchmarks/README.md).
        def __init__(
            self, name: str, args: LoadBalancerServiceArgs, opts: pulumi.ResourceOptions | None = None
        ) -> None: ...
