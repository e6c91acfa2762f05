"""Rules over Kubernetes objects, shared by the components, the stack checks
and the policy pack. Plain Python: no Pulumi import.

Each family lives in its own module and returns `Problem`s:

- `schema`: the official OpenAPI schema (types, enums, unknown fields);
- `services`: what the API server's Service validation refuses;
- `workloads`: what it refuses in Deployments, StatefulSets, DaemonSets and
  PodDisruptionBudgets;
- `ports`: container ports;
- `pod_security`: the Pod Security Standards, baseline and restricted;
- `wiring`: Services against the Pods they select;
- `external_names`: where an ExternalName Service may point.
"""

from __future__ import annotations

from ._objects import CONTAINER_LISTS, POD_PATHS, PodView, kind_of, pod_of
from ._problem import NO_VALUE, UNKNOWN, Path, Problem, format_path, get, is_known, items, show
from .engine import check_object, check_objects

__all__ = [
    "CONTAINER_LISTS",
    "NO_VALUE",
    "POD_PATHS",
    "UNKNOWN",
    "check_object",
    "check_objects",
    "Path",
    "PodView",
    "Problem",
    "format_path",
    "get",
    "is_known",
    "items",
    "kind_of",
    "pod_of",
    "show",
]
