"""What the API server's ``ValidateObjectMeta`` refuses in any object's
metadata, and in the metadata of the Pod template a workload carries: names,
the namespace, label keys and values, annotation keys and their total size.

Follows kubernetes/kubernetes ``staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go``
(ValidateObjectMetaAccessor, ValidateAnnotations, ValidateAnnotationsSize) and
``pkg/apis/meta/v1/validation`` (ValidateLabels). A Service's own name is a
Service rule (`services`), since it must be a DNS-1035 label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ._objects import POD_PATHS, kind_of
from ._problem import UNKNOWN, Path, Problem
from .names import dns1123_label_problem, dns1123_subdomain_problem, label_value_problem, qualified_name_problem

TOTAL_ANNOTATION_SIZE_LIMIT: Final = 256 * 1024
"""ValidateAnnotationsSize: keys and values together, in bytes."""

# Kinds whose name is a DNS-1123 label rather than a subdomain
# (ValidateNamespaceName and the path-segment-free kinds keep it short).
_LABEL_NAMED: Final = frozenset({"Namespace"})
# Cluster-scoped kinds: a namespace on them is ignored by the API server, and
# never checked here.
_CLUSTER_SCOPED: Final = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "Node"})


def _check_labels(labels: Any, path: Path, out: list[Problem]) -> None:
    if labels is UNKNOWN or not isinstance(labels, Mapping):
        return
    for key, value in labels.items():
        where: Path = (*path, key)
        if isinstance(key, str):
            reason = qualified_name_problem(key)
            if reason:
                out.append(Problem("metadata/labels", where, f"is not a valid label key: {reason}", key))
        if isinstance(value, str):
            reason = label_value_problem(value)
            if reason:
                out.append(Problem("metadata/labels", where, f"is not a valid label value: it {reason}", value))


def _check_annotations(annotations: Any, path: Path, out: list[Problem]) -> None:
    if annotations is UNKNOWN or not isinstance(annotations, Mapping):
        return
    size = 0
    for key, value in annotations.items():
        if isinstance(key, str):
            size += len(key.encode())
            reason = qualified_name_problem(key.lower())
            if reason:
                out.append(
                    Problem("metadata/annotations", (*path, key), f"is not a valid annotation key: {reason}", key)
                )
        if isinstance(value, str):
            size += len(value.encode())
    if size > TOTAL_ANNOTATION_SIZE_LIMIT:
        out.append(
            Problem(
                "metadata/annotations",
                path,
                f"are {size} bytes in all; the API server allows at most {TOTAL_ANNOTATION_SIZE_LIMIT}."
                " Move large values into a ConfigMap",
            )
        )


def _check_meta(meta: Any, path: Path, out: list[Problem], *, kind: str | None, own: bool) -> None:
    if meta is UNKNOWN or not isinstance(meta, Mapping):
        return
    if own and kind != "Service":
        name = meta.get("name")
        if isinstance(name, str) and name:
            if kind in _LABEL_NAMED:
                reason = dns1123_label_problem(name)
                what = "a DNS-1123 label"
            else:
                reason = dns1123_subdomain_problem(name)
                what = "a DNS-1123 subdomain"
            if reason:
                out.append(Problem("metadata/name", (*path, "name"), f"is not {what}: it {reason}", name))
    namespace = meta.get("namespace")
    if own and kind not in _CLUSTER_SCOPED and isinstance(namespace, str) and namespace:
        reason = dns1123_label_problem(namespace)
        if reason:
            out.append(
                Problem("metadata/namespace", (*path, "namespace"), f"is not a DNS-1123 label: it {reason}", namespace)
            )
    _check_labels(meta.get("labels"), (*path, "labels"), out)
    _check_annotations(meta.get("annotations"), (*path, "annotations"), out)


def check_metadata(obj: Any) -> list[Problem]:
    """Problems in the object's metadata and its Pod template's metadata."""
    if not isinstance(obj, Mapping):
        return []
    kind = kind_of(obj)
    out: list[Problem] = []
    _check_meta(obj.get("metadata"), ("metadata",), out, kind=kind, own=True)
    if kind in POD_PATHS and kind != "Pod":
        template_path = POD_PATHS[kind][0]
        template: Any = obj
        for key in template_path:
            template = template.get(key) if isinstance(template, Mapping) else None
        _check_meta(template, template_path, out, kind=kind, own=False)
    return out
