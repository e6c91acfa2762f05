"""What the API server's ``validateContainers`` refuses in a Pod's container
lists, beyond their ports (`ports`) and their security (`pod_security`):
container names.

Follows kubernetes/kubernetes ``pkg/apis/core/validation/validation.go``
(validateContainers, validateInitContainers, validateEphemeralContainers):
every name is a DNS-1123 label, and names are unique across ``containers``,
``initContainers`` and ``ephemeralContainers`` of one Pod.
"""

from __future__ import annotations

from typing import Any

from ._objects import pod_of
from ._problem import Path, Problem
from .names import dns1123_label_problem


def check_containers(obj: Any) -> list[Problem]:
    """Container names of the object's Pod; [] for kinds without a Pod."""
    pod = pod_of(obj)
    if pod is None:
        return []
    out: list[Problem] = []
    seen: dict[str, Path] = {}
    for path, container in pod.containers():
        name = container.get("name") if isinstance(container, dict) else None
        if not isinstance(name, str):
            continue  # missing or unknown: the schema says it is required
        where: Path = (*path, "name")
        reason = dns1123_label_problem(name) if name else "must not be empty"
        if reason:
            out.append(Problem("containers/name", where, f"is not a DNS-1123 label: it {reason}", name))
        elif name in seen:
            first = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in seen[name])
            out.append(
                Problem(
                    "containers/name",
                    where,
                    f"is already the name of {first.replace('.[', '[')}; container names must be unique in a Pod,"
                    " init containers included",
                    name,
                )
            )
        else:
            seen[name] = path
    return out
