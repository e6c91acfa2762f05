"""NodePortService: a Pod-plus-Service bundle reachable on a port of every node."""

from typing import TYPE_CHECKING

import pulumi

from ._args import NodePortServiceArgs
from ._component import ServiceComponent
from ._kinds import KINDS


class NodePortService(ServiceComponent):
    """A Pod-plus-Service bundle reachable at ``<node IP>:<node port>`` (north-south)."""

    KIND = KINDS["NodePortService"]

    if TYPE_CHECKING:
        # Declared for type checkers only: a real override would add a frame
        # to every resource the bundle registers, and the SDK walks the whole
        # stack for each one (benchmarks/README.md).
        def __init__(
            self, name: str, args: NodePortServiceArgs, opts: pulumi.ResourceOptions | None = None
        ) -> None: ...
