"""The resource type table of policy/rules.py against the installed
pulumi_kubernetes, and every Pod-carrying type (and its Patch) checked."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pulumi
import pulumi_kubernetes
import pytest
from pulumi.type_token import get_type_token

from k8s_rules import POD_PATHS
from policy.rules import KINDS, MODULES, is_patch, kind_of_type
from tests.policy.conftest import check, run_all


def _registered_types() -> set[str]:
    """The type token of every resource class pulumi_kubernetes defines."""
    tokens: set[str] = set()
    for module_info in pkgutil.walk_packages(pulumi_kubernetes.__path__, "pulumi_kubernetes."):
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, pulumi.CustomResource):
                token = get_type_token(value)
                if token is not None and token.startswith("kubernetes:"):
                    tokens.add(token)
    return tokens


@pytest.fixture(scope="module")
def registered() -> set[str]:
    tokens = _registered_types()
    assert "kubernetes:apps/v1:Deployment" in tokens  # the walk found resource classes
    return tokens


def _kind(token: str) -> str:
    kind = token.rsplit(":", 1)[1]
    return kind.removesuffix("Patch")


def test_every_type_of_a_pod_carrying_kind_or_service_is_in_the_table(registered: set[str]) -> None:
    wanted = {t for t in registered if _kind(t) in POD_PATHS or _kind(t) == "Service"}
    assert len(wanted) == 42
    assert wanted <= set(KINDS)
    assert all(KINDS[t] == _kind(t) for t in wanted)


def test_the_table_holds_only_types_pulumi_kubernetes_registers(registered: set[str]) -> None:
    assert set(KINDS) <= registered
    assert {t for t in registered if _kind(t) in MODULES} == set(KINDS)


def test_the_table_covers_the_examples() -> None:
    for token, kind in {
        "kubernetes:apps/v1:Deployment": "Deployment",
        "kubernetes:apps/v1beta1:Deployment": "Deployment",
        "kubernetes:apps/v1beta2:Deployment": "Deployment",
        "kubernetes:extensions/v1beta1:Deployment": "Deployment",
        "kubernetes:core/v1:ReplicationController": "ReplicationController",
        "kubernetes:core/v1:PodTemplate": "PodTemplate",
        "kubernetes:batch/v1beta1:CronJob": "CronJob",
        "kubernetes:apps/v1:DeploymentPatch": "Deployment",
        "kubernetes:core/v1:ServicePatch": "Service",
    }.items():
        assert kind_of_type(token) == kind
    assert is_patch("kubernetes:core/v1:ServicePatch") and not is_patch("kubernetes:core/v1:Service")
    assert kind_of_type("kubernetes:core/v1:Namespace") is None


POD_TYPES = sorted(t for t, kind in KINDS.items() if kind in POD_PATHS)


def _carrying(kind: str, pod_spec: dict[str, Any]) -> dict[str, Any]:
    """An object of ``kind`` with ``pod_spec`` where POD_PATHS says it goes."""
    obj: dict[str, Any] = {"kind": kind, "metadata": {"name": "web", "namespace": "shop"}}
    node = obj
    *parents, last = POD_PATHS[kind][1]
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = pod_spec
    return obj


def test_every_pod_kind_has_types_and_patches() -> None:
    assert {KINDS[t] for t in POD_TYPES} == set(POD_PATHS)
    assert len(POD_TYPES) == 40
    assert sum(is_patch(t) for t in POD_TYPES) == 20


@pytest.mark.parametrize("resource_type", POD_TYPES)
def test_a_host_path_volume_is_reported_on_every_pod_carrying_type(resource_type: str) -> None:
    kind = KINDS[resource_type]
    spec = {
        "containers": [{"name": "web", "image": "web:1.0.0"}],
        "volumes": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}],
    }
    path = ".".join(str(part) for part in POD_PATHS[kind][1])
    assert check("pod-security-baseline", resource_type, _carrying(kind, spec)) == [
        f"{kind} 'shop/web' '{path}.volumes[0].hostPath' ({{\"path\": \"/var/run/docker.sock\"}}) is not allowed"
        ' under Pod Security Standards "baseline" or "restricted": a hostPath volume gives the Pod the node\'s'
        " filesystem. Use another volume type, e.g. emptyDir or a persistentVolumeClaim."
    ]
    found = run_all([(resource_type, "web", _carrying(kind, spec))], "prod")
    assert "pod-security-baseline" in found
    assert "image-digest-pinned" in found
