"""Shared fixtures: run components under the mock kit, check what they emit
against the official Kubernetes schemas, and load the seed manifests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from hypothesis import strategies as st

from components.testing import KubernetesMocks, run

FIXTURES = Path(__file__).parent / "fixtures"

# The oldest Kubernetes this project supports, and the newest the schema
# package ships.
KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.latest_version())

# Fields newer than 1.29: objects using them are checked against the newest
# schema only.
_NEWER_THAN_1_29 = ("trafficDistribution",)


def assert_valid(manifest: dict[str, Any]) -> None:
    """Strict validation against the official schemas, for every version the
    object's fields exist in."""
    spec = manifest.get("spec") or {}
    versions = KUBERNETES_VERSIONS
    if any(key in spec for key in _NEWER_THAN_1_29):
        versions = versions[1:]
    for version in versions:
        kubernetes_validate.validate(copy.deepcopy(manifest), version, strict=True)


def differences(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Where ``actual`` differs from ``expected`` in a field ``expected`` sets.
    Extra mapping keys in ``actual`` are allowed; lists must match item by item."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        found: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            else:
                found += differences(actual[key], value, f"{path}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        found = []
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            found += differences(a, e, f"{path}[{i}]")
        return found
    if actual != expected or type(actual) is not type(expected):
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def load_seed(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((FIXTURES / "seed" / name).read_text())
    return loaded


Render = Callable[[Callable[[], Any]], KubernetesMocks]


@pytest.fixture
def render() -> Render:
    """Run a program under fresh mocks; every object it emits must validate."""

    def _render(program: Callable[[], Any]) -> KubernetesMocks:
        mocks = run(program)
        for manifest in mocks.manifests():
            assert_valid(manifest)
        return mocks

    return _render


@pytest.fixture
def outputs(render: Render) -> Callable[[Callable[[], Any]], tuple[KubernetesMocks, Any]]:
    """Run a program that returns an Output; give back the mocks and its value."""

    def _outputs(program: Callable[[], Any]) -> tuple[KubernetesMocks, Any]:
        seen: list[Any] = []

        def wrapped() -> Any:
            return program().apply(seen.append)

        mocks = render(wrapped)
        assert len(seen) == 1
        return mocks, seen[0]

    return _outputs


def plain_documents(*, nan: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Any plain data a YAML document holds: mappings of lists, mappings and
    scalars (NaN only with ``nan``: it never equals itself)."""
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=nan), st.text(max_size=120))
    return st.dictionaries(
        st.text(max_size=20),
        st.recursive(
            leaves,
            lambda inner: st.one_of(
                st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=20), inner, max_size=4)
            ),
            max_leaves=25,
        ),
        max_size=6,
    )
