"""policy/__main__.py builds exactly one PolicyPack with every rule."""

from __future__ import annotations

import runpy
import subprocess
import sys
from typing import Any

import pulumi_policy
import pytest
from pulumi_policy import StackValidationPolicy

from tests.policy.conftest import POLICY_DIR


class Recorder:
    packs: list[dict[str, Any]] = []

    def __init__(self, **kwargs: Any) -> None:
        Recorder.packs.append(kwargs)


def test_main_builds_the_pack_with_every_rule_and_its_level(monkeypatch: pytest.MonkeyPatch) -> None:
    Recorder.packs = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", Recorder)
    monkeypatch.syspath_prepend(str(POLICY_DIR))
    runpy.run_path(str(POLICY_DIR / "__main__.py"), run_name="__main__")
    [pack] = Recorder.packs
    assert pack["name"] == "k8s-services"
    rules = {policy.name: (type(policy).__name__, policy.enforcement_level.value) for policy in pack["policies"]}
    assert rules == {
        "kubernetes-schema": ("ResourceValidationPolicy", "mandatory"),
        "service-api-rules": ("ResourceValidationPolicy", "mandatory"),
        "object-metadata-rules": ("ResourceValidationPolicy", "mandatory"),
        "container-port-rules": ("ResourceValidationPolicy", "mandatory"),
        "externalname-target-safe": ("ResourceValidationPolicy", "mandatory"),
        "pod-security-baseline": ("ResourceValidationPolicy", "mandatory"),
        "pod-security-restricted": ("ResourceValidationPolicy", "mandatory"),
        "probe-ports": ("ResourceValidationPolicy", "mandatory"),
        "service-selector-matches-pod": ("StackValidationPolicy", "mandatory"),
        "service-target-port-resolves": ("StackValidationPolicy", "mandatory"),
        "service-selector-overlap": ("StackValidationPolicy", "advisory"),
        "service-type-allowed": ("ResourceValidationPolicy", "mandatory"),
        "service-no-external-ips": ("ResourceValidationPolicy", "mandatory"),
        "service-has-selector": ("ResourceValidationPolicy", "mandatory"),
        "loadbalancer-source-ranges": ("ResourceValidationPolicy", "mandatory"),
        "image-tag-pinned": ("ResourceValidationPolicy", "mandatory"),
        "image-digest-pinned": ("ResourceValidationPolicy", "advisory"),
        "resources-set": ("ResourceValidationPolicy", "mandatory"),
        "probes-configured": ("ResourceValidationPolicy", "mandatory"),
        "sa-token-not-automounted": ("ResourceValidationPolicy", "advisory"),
        "recommended-labels": ("ResourceValidationPolicy", "advisory"),
        "no-default-namespace": ("ResourceValidationPolicy", "advisory"),
        "bare-pod": ("ResourceValidationPolicy", "mandatory"),
        "service-selector-unique": ("StackValidationPolicy", "advisory"),
    }
    assert all(
        isinstance(p, StackValidationPolicy)
        == (
            p.name
            in {
                "service-selector-matches-pod",
                "service-target-port-resolves",
                "service-selector-overlap",
                "service-selector-unique",
            }
        )
        for p in pack["policies"]
    )


def test_the_pack_imports_neither_the_components_nor_pulumi_kubernetes() -> None:
    """The pack's virtualenv (policy/requirements.txt) has pulumi, pulumi-policy
    and k8s_rules only: rules.py may import nothing else of this project."""
    code = (
        "import sys; import rules; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('components', 'pulumi_kubernetes')); "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=POLICY_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
