"""policy/__main__.py builds exactly one PolicyPack with every rule."""

from __future__ import annotations

import runpy
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
        "service-type-allowed": ("ResourceValidationPolicy", "mandatory"),
        "service-no-external-ips": ("ResourceValidationPolicy", "mandatory"),
        "externalname-target-safe": ("ResourceValidationPolicy", "mandatory"),
        "service-port-names": ("ResourceValidationPolicy", "mandatory"),
        "service-nodeport-consistent": ("ResourceValidationPolicy", "mandatory"),
        "service-has-selector": ("ResourceValidationPolicy", "mandatory"),
        "service-selector-matches-pod": ("StackValidationPolicy", "mandatory"),
        "service-target-port-resolves": ("StackValidationPolicy", "mandatory"),
        "loadbalancer-source-ranges": ("ResourceValidationPolicy", "mandatory"),
        "container-port-names": ("ResourceValidationPolicy", "mandatory"),
        "image-tag-pinned": ("ResourceValidationPolicy", "mandatory"),
        "image-digest-pinned": ("ResourceValidationPolicy", "advisory"),
        "no-host-namespaces-or-ports": ("ResourceValidationPolicy", "mandatory"),
        "restricted-security-context": ("ResourceValidationPolicy", "mandatory"),
        "restricted-security-context-profile": ("ResourceValidationPolicy", "mandatory"),
        "resources-set": ("ResourceValidationPolicy", "mandatory"),
        "probes-configured": ("ResourceValidationPolicy", "mandatory"),
        "sa-token-not-automounted": ("ResourceValidationPolicy", "advisory"),
        "recommended-labels": ("ResourceValidationPolicy", "advisory"),
        "no-default-namespace": ("ResourceValidationPolicy", "advisory"),
        "service-selector-unique": ("StackValidationPolicy", "advisory"),
        "bare-pod": ("ResourceValidationPolicy", "mandatory"),
    }
    assert all(
        isinstance(p, StackValidationPolicy)
        == (p.name in {"service-selector-matches-pod", "service-target-port-resolves", "service-selector-unique"})
        for p in pack["policies"]
    )
