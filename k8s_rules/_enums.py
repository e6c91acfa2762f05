"""The allowed values of Kubernetes string enums, which the schemas lack.

kubernetes-validate's schemas come from the OpenAPI v2 spec, which has no
``enum``: ``imagePullPolicy: Sometimes`` passes them. ``enums.json``, generated
from the ``// +enum`` Go types of k8s.io/api by ``scripts/generate_enums.py``,
lists the values of each such field, by definition and property, the way the
OpenAPI v3 spec does; `apply_enums` merges them into schema definitions.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

__all__ = ["apply_enums", "enum_overlay", "enum_source"]

_FILE = "enums.json"


@functools.cache
def _load() -> dict[str, Any]:
    # A file next to this module: importlib.resources finds it in a wheel and
    # in a source tree alike (package-dir maps k8s_rules to its own folder).
    text = resources.files(__package__ or "k8s_rules").joinpath(_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def enum_overlay() -> dict[str, dict[str, list[str]]]:
    """Definition name -> property -> allowed values (for an array, of its items).

    Cached: the same dict on every call, not to be changed.
    """
    definitions: dict[str, dict[str, list[str]]] = _load()["definitions"]
    return definitions


def enum_source() -> str:
    """Where the values come from: ``kubernetes/api@<commit>``."""
    source: str = _load()["source"]
    return source


def _allows_null(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return kind == "null" or (isinstance(kind, list) and "null" in kind)


def apply_enums(definitions: dict[str, Any]) -> None:
    """Set ``enum`` on the listed properties of ``definitions`` (definition
    name -> JSON schema, as ``_definitions.json``'s ``$defs``), in place.

    An array property gets it on its ``items``. A schema whose type allows
    ``null`` keeps allowing it (``None`` joins the values). Definitions and
    properties the schemas lack (an older Kubernetes version) are skipped, and
    so is a property that is a ``$ref`` or whose items are.

    Only ``definitions`` itself is changed: each definition on the way to an
    enum is replaced by a copy, so a shallow copy of cached definitions
    (``dict(raw)``) can be passed without touching them, and the overlay's
    lists are never shared with the schemas.
    """
    for name, properties in enum_overlay().items():
        definition = definitions.get(name)
        if not isinstance(definition, dict) or not isinstance(definition.get("properties"), dict):
            continue
        definition = definitions[name] = dict(definition)
        schemas = definition["properties"] = dict(definition["properties"])
        for prop, values in properties.items():
            node = schemas.get(prop)
            if not isinstance(node, dict) or "$ref" in node:
                continue
            node = schemas[prop] = dict(node)
            kind = node.get("type")
            if kind == "array" or (isinstance(kind, list) and "array" in kind):
                items = node.get("items")
                if not isinstance(items, dict) or "$ref" in items:
                    continue
                items = node["items"] = dict(items)
                node = items
            node["enum"] = [*values, None] if _allows_null(node) else list(values)
