"""What a cluster assigns to a Service when it is created, without pulumi:
shared by the mock kit (components.testing) and render (k8s_services.render)."""

from __future__ import annotations

import copy
import hashlib
import ipaddress
from collections.abc import Callable
from typing import Any


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Cluster:
    """What a cluster assigns to the Services created in it, in order: a
    cluster IP, node ports, a load balancer's address; and what it refuses
    (`refused`). The mock kit (`components.testing`) and render
    (`k8s_services.render`) both allocate through it, so they agree."""

    def __init__(
        self,
        *,
        service_cidr: str = "10.96.0.0/12",
        node_port_range: str = "30000-32767",
        load_balancer_cidr: str = "198.18.0.0/15",
    ) -> None:
        self._service_net = ipaddress.ip_network(service_cidr)
        self._lb_net = ipaddress.ip_network(load_balancer_cidr)
        low, high = node_port_range.split("-")
        self._node_port_range = (int(low), int(high))
        self._cluster_ips: set[str] = set()
        self._node_ports: set[int] = set()
        self._lb_ips: set[str] = set()
        self.refused: list[str] = []
        """What the cluster refused (see `ClusterRefused`), in order."""

    def _pick(self, seed: str, size: int, taken: Callable[[int], bool]) -> int:
        start = _digest(seed) % size
        for step in range(size):
            candidate = (start + step) % size
            if not taken(candidate):
                return candidate
        raise RuntimeError(f"KubernetesMocks: no free address left for {seed}")

    def _address(self, seed: str, network: Any, used: set[str]) -> str:
        # Skip the network's first ten addresses, as clusters reserve them.
        size = network.num_addresses - 11

        def taken(i: int) -> bool:
            return str(network[10 + i]) in used

        address = str(network[10 + self._pick(seed, size, taken)])
        used.add(address)
        return address

    def _node_port(self, seed: str, service: str, field: str) -> int | None:
        low, high = self._node_port_range
        if len(self._node_ports) >= high - low + 1 and all(p in self._node_ports for p in range(low, high + 1)):
            # The API server's words (pkg/registry/core/service/portallocator:
            # ErrFull, wrapped as an internal error on the field). The SDK
            # wraps what a mock raises; `refused` keeps the message as it is.
            message = (
                f'Service "{service}" is invalid: {field}: Internal error: failed to allocate a nodePort: range is'
                f" full: every node port of {low}-{high} is taken"
            )
            # Raising here would leave the SDK's futures for the Service
            # failed and unread; `run` raises once the program has settled.
            self.refused.append(message)
            return None
        index = self._pick(seed, high - low + 1, lambda i: low + i in self._node_ports)
        self._node_ports.add(low + index)
        return low + index

    def service_state(self, key: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """The state of the Service ``key`` (``<namespace>/<name>``) created with ``inputs``."""
        state = copy.deepcopy(inputs)
        ip = self.allocate(key, state.setdefault("spec", {}))
        if ip is not None:
            state["status"] = {"loadBalancer": {"ingress": [{"ip": ip}]}}
        return state

    def allocate(self, key: str, spec: dict[str, Any]) -> str | None:
        """Assign what the cluster assigns to the Service ``key`` into its
        ``spec`` (changed in place: the caller's copy), in order; return a
        load balancer's ingress IP, else None."""
        name = key.partition("/")[2]
        service_type = spec.get("type", "ClusterIP")
        if service_type == "ExternalName":
            return None
        for port in spec.get("ports", []):
            if "nodePort" in port:
                self._node_ports.add(port["nodePort"])
        if spec.get("clusterIP") is None:
            spec["clusterIP"] = self._address(key, self._service_net, self._cluster_ips)
        if spec["clusterIP"] != "None":
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
        wants_node_ports = service_type == "NodePort" or (
            service_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True)
        )
        if wants_node_ports:
            for index, port in enumerate(spec.get("ports", [])):
                if "nodePort" not in port:
                    assigned = self._node_port(
                        f"{key}:{port.get('name', port.get('port'))}", name, f"spec.ports[{index}].nodePort"
                    )
                    if assigned is not None:
                        port["nodePort"] = assigned
        if service_type == "LoadBalancer":
            if spec.get("externalTrafficPolicy") == "Local" and "healthCheckNodePort" not in spec:
                health = self._node_port(f"{key}:health", name, "spec.healthCheckNodePort")
                if health is not None:
                    spec["healthCheckNodePort"] = health
            return self._address(key, self._lb_net, self._lb_ips)
        return None
