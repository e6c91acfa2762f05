"""Where each kind keeps its Pod: the one table every rule family reads.

Kinds, not apiVersions: a Deployment under ``apps/v1``, ``apps/v1beta1`` or
``extensions/v1beta1`` keeps its Pod template in the same place, and so do the
``*Patch`` resources pulumi_kubernetes registers for each kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._problem import UNKNOWN, Path, get, items

# Path of the Pod metadata and of the Pod spec, by kind.
POD_PATHS: dict[str, tuple[Path, Path]] = {
    "Pod": (("metadata",), ("spec",)),
    "PodTemplate": (("template", "metadata"), ("template", "spec")),
    "ReplicationController": (("spec", "template", "metadata"), ("spec", "template", "spec")),
    "ReplicaSet": (("spec", "template", "metadata"), ("spec", "template", "spec")),
    "Deployment": (("spec", "template", "metadata"), ("spec", "template", "spec")),
    "StatefulSet": (("spec", "template", "metadata"), ("spec", "template", "spec")),
    "DaemonSet": (("spec", "template", "metadata"), ("spec", "template", "spec")),
    "Job": (("spec", "template", "metadata"), ("spec", "template", "spec")),
    "CronJob": (
        ("spec", "jobTemplate", "spec", "template", "metadata"),
        ("spec", "jobTemplate", "spec", "template", "spec"),
    ),
}

CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
"""Every list of containers in a PodSpec; a rule on containers reads all three."""


@dataclass(frozen=True)
class PodView:
    """The Pod an object carries: its metadata and spec, and their paths."""

    metadata: Any
    metadata_path: Path
    spec: Any
    spec_path: Path

    def containers(self) -> Iterator[tuple[Path, Any]]:
        """(path inside the object, container) for every known container."""
        for field in CONTAINER_LISTS:
            for index, container in items(self.spec, field):
                yield (*self.spec_path, field, index), container


def kind_of(obj: Any) -> str | None:
    kind = get(obj, "kind")
    return kind if isinstance(kind, str) else None


def pod_of(obj: Any) -> PodView | None:
    """The Pod of a Pod, Pod template or workload; None for other kinds and
    when the spec itself is unknown."""
    kind = kind_of(obj)
    if kind is None or kind not in POD_PATHS:
        return None
    metadata_path, spec_path = POD_PATHS[kind]
    spec = get(obj, *spec_path, default={})
    if spec is UNKNOWN:
        return None
    return PodView(get(obj, *metadata_path, default={}), metadata_path, spec, spec_path)
