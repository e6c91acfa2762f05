"""What distinguishes one component class from another, and the registry of
them all (so an argument given to the wrong type can name the right one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


# Every component's Kind, in the order their modules register them.
KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.component] = kind
    return kind
