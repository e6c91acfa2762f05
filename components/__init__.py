"""Pulumi components for Kubernetes Services: one Pod-plus-Service bundle per
exposure type, wired correctly by construction and checked before anything
reaches a cluster."""

from __future__ import annotations

from ._args import (
    CustomTimeoutsArgs,
    ExternalNameServicePortArgs,
    NodePortServicePortArgs,
    PeerArgs,
    ServicePortArgs,
)
from .cluster_ip import ClusterIPService, ClusterIPServiceArgs
from .external_name import ExternalNameService, ExternalNameServiceArgs
from .load_balancer import LoadBalancerService, LoadBalancerServiceArgs
from .node_port import NodePortService, NodePortServiceArgs

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
