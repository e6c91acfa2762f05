"""Every rule family over one object or a set of objects: the one entry
point the components, the stack checks and the policy pack share."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from ._problem import Problem
from .containers import check_containers
from .external_names import check_external_name
from .metadata import check_metadata
from .pod_security import check_pod_security
from .ports import check_container_ports
from .schema import check_schema
from .services import NODE_PORT_RANGE, check_service
from .wiring import check_probe_ports, check_wiring
from .workloads import check_workload


def check_object(
    obj: Any,
    *,
    pod_security: str | None = "restricted",
    node_port_range: tuple[int, int] = NODE_PORT_RANGE,
    cluster_domain: str = "cluster.local",
    in_cluster: bool | Collection[str] = True,
    schema: bool = True,
) -> list[Problem]:
    """Every single-object rule: the schema, metadata, Services, container ports,
    probes, ExternalName targets, workloads (Deployments, StatefulSets,
    DaemonSets, PodDisruptionBudgets) and, unless ``pod_security`` is None,
    that Pod Security Standards level."""
    problems = check_schema(obj) if schema else []
    # The schema speaks first: another rule's problem at a path the schema
    # already reported (an enum value, a port's type) would only repeat it.
    reported = {problem.path for problem in problems}
    others = check_metadata(obj)
    targets = check_external_name(obj, cluster_domain=cluster_domain, in_cluster=in_cluster)
    # Where the ExternalName rules say what is wrong with the target, the
    # Service rule's plainer "not a DNS name" would only repeat it.
    others += [
        problem
        for problem in check_service(obj, node_port_range=node_port_range)
        if not (targets and problem.path == ("spec", "externalName"))
    ]
    others += targets
    others += check_containers(obj)
    others += check_container_ports(obj)
    others += check_probe_ports(obj)
    others += check_workload(obj)
    if pod_security is not None:
        others += check_pod_security(obj, pod_security)
    problems += [problem for problem in others if problem.path not in reported]
    return problems


def check_objects(
    objects: Sequence[Any],
    *,
    pod_security: str | None = "restricted",
    node_port_range: tuple[int, int] = NODE_PORT_RANGE,
    cluster_domain: str = "cluster.local",
    in_cluster: bool | Collection[str] = True,
    intended_overlaps: Collection[tuple[str, str]] = (),
    schema: bool = True,
    context: Sequence[Any] = (),
) -> list[tuple[int, Problem]]:
    """`check_object` on each object, then the wiring between them; each
    problem with the index of its object, in object order. ``context``:
    objects checked elsewhere that the wiring reads too (the Pods a Service
    selects that another component owns); nothing is reported on them."""
    found: list[tuple[int, Problem]] = []
    for index, obj in enumerate(objects):
        found += [
            (index, problem)
            for problem in check_object(
                obj,
                pod_security=pod_security,
                node_port_range=node_port_range,
                cluster_domain=cluster_domain,
                in_cluster=in_cluster,
                schema=schema,
            )
        ]
    found += [
        (index, problem)
        for index, problem in check_wiring([*objects, *context], intended_overlaps=intended_overlaps)
        if index < len(objects)
    ]
    return sorted(found, key=lambda pair: pair[0])
