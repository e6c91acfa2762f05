"""What the Kubernetes API server refuses in the ports a Pod's containers declare
(validateContainerPorts, AccumulateUniqueHostPorts, the ephemeral-container field
allow-list and validatePodHostNetworkDeps), read after v1 defaulting. Duplicate ports
and port names across containers are only warnings upstream, so not problems here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from ._objects import PodView, kind_of, pod_of
from ._problem import NO_VALUE, UNKNOWN, Path, Problem, decode_int, format_path
from .names import iana_svc_name_problem, port_number_problem
from .services import PROTOCOLS

__all__ = ["check_container_ports"]


def _is_map(value: Any) -> bool:
    # type() first: an ABC isinstance check costs several dict lookups.
    return type(value) is dict or isinstance(value, Mapping)


def _field(parent: Any, key: str) -> Any:
    """parent[key]; None when parent is not a mapping (or is unknown)."""
    return parent.get(key) if _is_map(parent) else None


def _maps(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    """(index, entry) for the known mapping entries of a list field."""
    if type(value) is not list:
        return []
    return [(index, entry) for index, entry in enumerate(value) if _is_map(entry)]


class _ContainerPort:
    """One known entry of a container's ports, after v1 defaulting."""

    __slots__ = ("path", "name", "container_port", "host_port", "host_port_defaulted", "host_ip", "protocol", "raw")

    def __init__(self, path: Path, raw: Mapping[str, Any], host_network_pod: bool) -> None:
        self.path = path
        self.raw = raw
        self.name = raw.get("name")
        self.container_port = decode_int(raw.get("containerPort"))
        host_port = decode_int(raw.get("hostPort"))
        self.host_port = 0 if host_port is None else host_port
        # SetDefaults_Pod (defaultHostNetworkPorts): on the host network a Pod's
        # unset hostPort becomes its containerPort before validation.
        self.host_port_defaulted = host_network_pod and self.host_port == 0
        if self.host_port_defaulted:
            self.host_port = self.container_port if type(self.container_port) is int else 0
        host_ip = raw.get("hostIP")
        self.host_ip = "" if host_ip is None else host_ip
        protocol = raw.get("protocol")
        self.protocol = "TCP" if protocol is None or protocol == "" else protocol


class _Container:
    __slots__ = ("kind", "path", "ports", "ports_value")

    def __init__(self, kind: str, path: Path, container: Mapping[str, Any], host_network_pod: bool) -> None:
        self.kind = kind  # "containers", "initContainers" or "ephemeralContainers"
        self.path = path
        self.ports_value = container.get("ports")
        defaulted = host_network_pod and kind != "ephemeralContainers"
        self.ports = [_ContainerPort((*path, "ports", i), port, defaulted) for i, port in _maps(self.ports_value)]


_Check = Callable[[PodView, list[_Container], list[Problem]], None]


def _check_port_fields(view: PodView, containers: list[_Container], out: list[Problem]) -> None:
    """validateContainerPorts, for every container of every kind."""
    for container in containers:
        names: dict[str, Path] = {}
        for port in container.ports:
            name = port.name
            if isinstance(name, str) and name:
                reason = iana_svc_name_problem(name)
                if reason:
                    out.append(
                        Problem(
                            "container-ports/name",
                            (*port.path, "name"),
                            f"{reason} (a port name is an IANA service name that Services and probes refer to)",
                            name,
                        )
                    )
                elif name in names:
                    out.append(
                        Problem(
                            "container-ports/name",
                            (*port.path, "name"),
                            f"is already the name of {format_path(names[name])} in this container; "
                            "port names must be unique within a container",
                            name,
                        )
                    )
                else:
                    names[name] = port.path
            elif name is not None and name is not UNKNOWN and not isinstance(name, str):
                out.append(Problem("container-ports/name", (*port.path, "name"), "must be a string", name))
            number = port.container_port
            if number is None or number == 0:
                out.append(
                    Problem(
                        "container-ports/container-port",
                        (*port.path, "containerPort"),
                        "is required: the port number between 1 and 65535 the container listens on",
                        NO_VALUE if number is None else number,
                    )
                )
            elif number is not UNKNOWN:
                reason = port_number_problem(number)
                if reason:
                    out.append(
                        Problem(
                            "container-ports/container-port",
                            (*port.path, "containerPort"),
                            reason,
                            port.raw.get("containerPort"),
                        )
                    )
            if port.host_port is not UNKNOWN and port.host_port != 0 and not port.host_port_defaulted:
                reason = port_number_problem(port.host_port)
                if reason:
                    out.append(
                        Problem(
                            "container-ports/host-port",
                            (*port.path, "hostPort"),
                            f"{reason} (or 0 or unset for no host port)",
                            port.raw.get("hostPort"),
                        )
                    )
            if port.protocol is not UNKNOWN and port.protocol not in PROTOCOLS:
                out.append(
                    Problem(
                        "container-ports/protocol",
                        (*port.path, "protocol"),
                        'must be one of "TCP", "UDP", "SCTP"',
                        port.protocol,
                    )
                )


def _check_host_port_conflicts(view: PodView, containers: list[_Container], out: list[Problem]) -> None:
    """AccumulateUniqueHostPorts: one protocol/hostIP/hostPort per Pod among
    its regular containers, which run together; each init container runs
    alone, so only its own ports may clash. Ephemeral containers are not
    checked (they may not declare ports at all)."""
    together: dict[str, Path] = {}
    for container in containers:
        if container.kind == "ephemeralContainers":
            continue
        seen = together if container.kind == "containers" else {}
        for port in container.ports:
            host_port = port.host_port
            if not isinstance(host_port, int) or host_port == 0 or port.protocol is UNKNOWN or port.host_ip is UNKNOWN:
                continue
            key = f"{port.protocol}/{port.host_ip}/{host_port}"
            first = seen.setdefault(key, port.path)
            if first != port.path:
                where = f" {port.host_ip}" if port.host_ip else ""
                why = (
                    " (with spec.hostNetwork a Pod's containerPort is its hostPort)" if port.host_port_defaulted else ""
                )
                out.append(
                    Problem(
                        "container-ports/host-port-conflict",
                        (*port.path, "hostPort"),
                        f"is already taken by {format_path(first)} for {port.protocol}{where}{why}; "
                        "a host port can be bound once per protocol and host IP",
                        host_port,
                    )
                )


def _check_ephemeral_ports(view: PodView, containers: list[_Container], out: list[Problem]) -> None:
    """Ephemeral containers may not declare ports (allowedEphemeralContainerFields)."""
    for container in containers:
        declared = container.ports_value
        if container.kind == "ephemeralContainers" and isinstance(declared, list) and declared:
            out.append(
                Problem(
                    "container-ports/ephemeral",
                    (*container.path, "ports"),
                    "cannot be set for an ephemeral container; it is not meant to serve traffic",
                    declared,
                )
            )


def _check_host_network(view: PodView, containers: list[_Container], out: list[Problem]) -> None:
    """validatePodHostNetworkDeps: with hostNetwork a container port is a host
    port, so a hostPort other than 0 (defaulted to containerPort on a Pod)
    must equal containerPort. Init containers are not checked upstream."""
    if _field(view.spec, "hostNetwork") is not True:
        return
    for container in containers:
        if container.kind != "containers":
            continue
        for port in container.ports:
            host_port, number = port.host_port, port.container_port
            if not isinstance(host_port, int) or not isinstance(number, int) or host_port == 0:
                continue
            if host_port != number:
                out.append(
                    Problem(
                        "container-ports/host-network",
                        (*port.path, "hostPort"),
                        f"must equal containerPort ({number}) when spec.hostNetwork is true, or be left unset",
                        host_port,
                    )
                )


_CHECKS: Final[tuple[_Check, ...]] = (
    _check_port_fields,
    _check_host_port_conflicts,
    _check_ephemeral_ports,
    _check_host_network,
)


def check_container_ports(obj: Any) -> list[Problem]:
    """Everything the API server would refuse in the container ports of the
    Pod that ``obj`` is or carries; [] for kinds without a Pod."""
    view = pod_of(obj)
    if view is None:
        return []
    host_network_pod = kind_of(obj) == "Pod" and _field(view.spec, "hostNetwork") is True
    containers = [
        _Container(kind, (*view.spec_path, kind, index), container, host_network_pod)
        for kind in ("containers", "initContainers", "ephemeralContainers")
        for index, container in _maps(_field(view.spec, kind))
    ]
    out: list[Problem] = []
    if any(container.ports_value for container in containers):
        for check in _CHECKS:
            check(view, containers, out)
    return out
