"""Pulumi components for Kubernetes Services: one Pod-plus-Service bundle per
exposure type, wired correctly by construction and checked before anything
reaches a cluster."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._args import (
    ClusterIPServiceArgs,
    CustomTimeoutsArgs,
    ExternalNameServiceArgs,
    ExternalNameServicePortArgs,
    LoadBalancerServiceArgs,
    NodePortServiceArgs,
    NodePortServicePortArgs,
    PeerArgs,
    ServicePortArgs,
)

if TYPE_CHECKING:
    from .cluster_ip import ClusterIPService
    from .external_name import ExternalNameService
    from .load_balancer import LoadBalancerService
    from .node_port import NodePortService

# The component classes import pulumi and pulumi_kubernetes (about a second);
# they load on first use, so that checking and rendering a stack, which only
# needs the argument shapes and the checks, runs without either.
_COMPONENTS = {
    "ClusterIPService": "cluster_ip",
    "ExternalNameService": "external_name",
    "LoadBalancerService": "load_balancer",
    "NodePortService": "node_port",
}


def __getattr__(name: str) -> Any:
    module = _COMPONENTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_COMPONENTS})


__all__ = [
    "ClusterIPService",
    "ClusterIPServiceArgs",
    "CustomTimeoutsArgs",
    "ExternalNameService",
    "ExternalNameServiceArgs",
    "ExternalNameServicePortArgs",
    "LoadBalancerService",
    "LoadBalancerServiceArgs",
    "NodePortService",
    "NodePortServiceArgs",
    "NodePortServicePortArgs",
    "PeerArgs",
    "ServicePortArgs",
]
