"""policy/rules.py: every rule passes a good object and reports the corpus of
violating ones with their exact messages, in the engine's props form."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pulumi_policy import EnforcementLevel, StackValidationPolicy

from policy.rules import BY_NAME, POLICIES, UNKNOWN, _get, config_with_defaults
from tests.conftest import FIXTURES
from tests.policy.conftest import ENVIRONMENTS, check, check_stack, level

VIOLATIONS = yaml.safe_load((FIXTURES / "policy-violations.yaml").read_text())

GOOD_CONTAINER = {
    "name": "web",
    "image": "ghcr.io/acme/web:1.4.2@sha256:" + "a" * 64,
    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
    "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
    "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
}
GOOD_POD_SPEC = {"automountServiceAccountToken": False, "containers": [GOOD_CONTAINER]}
LABELS = {"app.kubernetes.io/name": "web"}
GOOD_DEPLOYMENT = {
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"selector": {"matchLabels": LABELS}, "template": {"metadata": {"labels": LABELS}, "spec": GOOD_POD_SPEC}},
}
GOOD_SERVICE = {
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop", "labels": LABELS},
    "spec": {
        "type": "LoadBalancer",
        "selector": LABELS,
        "ports": [
            {"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080},
            {"name": "alt", "port": 81, "targetPort": 8080},
        ],
        "loadBalancerSourceRanges": ["203.0.113.0/24"],
    },
}
GOOD_ALIAS = {
    "kind": "Service",
    "metadata": {"name": "db", "namespace": "shop", "labels": {"app.kubernetes.io/name": "db"}},
    "spec": {"type": "ExternalName", "externalName": "db.example.com"},
}
GOOD_STACK = [
    ("kubernetes:core/v1:Service", "web", GOOD_SERVICE),
    ("kubernetes:apps/v1:Deployment", "web", GOOD_DEPLOYMENT),
    ("kubernetes:core/v1:Service", "db", GOOD_ALIAS),
]


@pytest.mark.parametrize("policy", POLICIES, ids=[p.name for p in POLICIES])
def test_good_objects_pass_every_rule_in_every_environment(policy: Any) -> None:
    for env in ENVIRONMENTS:
        if isinstance(policy, StackValidationPolicy):
            assert check_stack(policy.name, GOOD_STACK, env=env) == []
        else:
            for resource_type, name, props in GOOD_STACK:
                assert check(policy.name, resource_type, props, env=env, logical_name=name) == []


def _run(case: dict[str, Any]) -> list[str]:
    if "stack" in case:
        resources = [(r["type"], r["name"], r["props"]) for r in case["stack"]]
        return check_stack(case["rule"], resources, env=case.get("env"))
    return check(case["rule"], case["type"], case["props"], env=case.get("env"), config=case.get("config"))


@pytest.mark.parametrize("case", VIOLATIONS, ids=[f"{i}-{c['rule']}" for i, c in enumerate(VIOLATIONS)])
def test_violation_is_reported_with_its_exact_messages(case: dict[str, Any]) -> None:
    assert _run(case) == case["messages"]


def test_the_corpus_covers_every_rule_with_a_violation() -> None:
    violated = {case["rule"] for case in VIOLATIONS if case["messages"]}
    assert violated == set(BY_NAME)


def test_the_corpus_includes_values_unknown_at_preview() -> None:
    assert any("<unknown" in yaml.safe_dump(case) for case in VIOLATIONS)


def test_unknown_values_read_as_unknown_not_as_errors() -> None:
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

    props = unknown_checking_proxy({"spec": {"type": UNKNOWN_STRING_VALUE, "ports": [{"port": 80.0}]}})
    assert _get(props, "spec", "type") is UNKNOWN
    assert _get(props, "spec", "ports", 0, "port") == 80.0
    assert _get(props, "spec", "missing", default="x") == "x"


@pytest.mark.parametrize(
    ("name", "levels"),
    [
        ("service-type-allowed", ("mandatory", "mandatory", "mandatory")),
        ("loadbalancer-source-ranges", ("advisory", "mandatory", "mandatory")),
        ("restricted-security-context", ("mandatory", "mandatory", "mandatory")),
        ("restricted-security-context-profile", ("advisory", "mandatory", "mandatory")),
        ("resources-set", ("advisory", "mandatory", "mandatory")),
        ("probes-configured", ("advisory", "mandatory", "mandatory")),
        ("bare-pod", ("advisory", "mandatory", "mandatory")),
        ("image-tag-pinned", ("mandatory", "mandatory", "mandatory")),
        ("image-digest-pinned", ("advisory", "advisory", "advisory")),
        ("sa-token-not-automounted", ("advisory", "advisory", "advisory")),
        ("recommended-labels", ("advisory", "advisory", "advisory")),
        ("no-default-namespace", ("advisory", "advisory", "advisory")),
        ("service-selector-unique", ("advisory", "advisory", "advisory")),
    ],
)
def test_enforcement_levels_per_environment(name: str, levels: tuple[str, str, str]) -> None:
    assert tuple(level(name, env).value for env in ENVIRONMENTS) == levels


def test_prod_allows_no_node_port_services() -> None:
    assert (
        check(
            "service-type-allowed",
            "kubernetes:core/v1:Service",
            {"kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"type": "NodePort"}},
            env="staging",
        )
        == []
    )
    assert (
        len(
            check(
                "service-type-allowed",
                "kubernetes:core/v1:Service",
                {"kind": "Service", "spec": {"type": "NodePort"}},
                env="prod",
            )
        )
        == 1
    )


def test_config_defaults_come_from_the_schemas() -> None:
    assert config_with_defaults(BY_NAME["service-nodeport-consistent"], None) == {"nodePortRange": "30000-32767"}
    assert config_with_defaults(
        BY_NAME["service-type-allowed"], {"enforcementLevel": "advisory", "allowedTypes": ["ClusterIP"]}
    ) == {"allowedTypes": ["ClusterIP"]}
    assert BY_NAME["service-has-selector"].enforcement_level is EnforcementLevel.MANDATORY
