"""policy/rules.py: every policy passes good objects, reports the corpus of
violating ones with their exact messages, in the engine's props form, and
never fails on a value unknown at preview."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from pulumi_policy import EnforcementLevel, Secret, StackValidationPolicy
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    unknown_checking_proxy,
)

from k8s_rules import UNKNOWN
from policy.rules import BY_NAME, POLICIES, config_with_defaults, materialize, to_object
from tests.conftest import FIXTURES
from tests.policy.conftest import ENVIRONMENTS, check, check_stack, level, run_all

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
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop", "labels": LABELS},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": LABELS},
        "template": {"metadata": {"labels": LABELS}, "spec": GOOD_POD_SPEC},
    },
}
GOOD_SERVICE = {
    "apiVersion": "v1",
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
    "apiVersion": "v1",
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
def test_good_objects_pass_every_policy_in_every_environment(policy: Any) -> None:
    for env in ENVIRONMENTS:
        if isinstance(policy, StackValidationPolicy):
            assert check_stack(policy.name, GOOD_STACK, env=env) == []
        else:
            for resource_type, name, props in GOOD_STACK:
                assert check(policy.name, resource_type, props, env=env, logical_name=name) == []


def _run(case: dict[str, Any]) -> list[str]:
    if "stack" in case:
        resources = [(r["type"], r["name"], r["props"]) for r in case["stack"]]
        return check_stack(case["rule"], resources, env=case.get("env"), config=case.get("config"))
    return check(case["rule"], case["type"], case["props"], env=case.get("env"), config=case.get("config"))


@pytest.mark.parametrize("case", VIOLATIONS, ids=[f"{i}-{c['rule']}" for i, c in enumerate(VIOLATIONS)])
def test_violation_is_reported_with_its_exact_messages(case: dict[str, Any]) -> None:
    assert _run(case) == case["messages"]


def test_the_corpus_covers_every_policy_with_a_violation() -> None:
    violated = {case["rule"] for case in VIOLATIONS if case["messages"]}
    assert violated == set(BY_NAME)


def test_the_corpus_includes_values_unknown_at_preview() -> None:
    assert any("<unknown" in yaml.safe_dump(case) for case in VIOLATIONS)


# --- props to plain objects -------------------------------------------------------------


def test_materialize_turns_every_unknown_into_UNKNOWN_and_floats_into_ints() -> None:
    props = unknown_checking_proxy(
        {
            "spec": {
                "type": UNKNOWN_STRING_VALUE,
                "ports": [{"port": 80.0, "weight": 0.5}, UNKNOWN_OBJECT_VALUE],
                "selector": UNKNOWN_OBJECT_VALUE,
                "externalIPs": UNKNOWN_ARRAY_VALUE,
                "publishNotReadyAddresses": UNKNOWN_BOOLEAN_VALUE,
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": UNKNOWN_NUMBER_VALUE}},
                "allocateLoadBalancerNodePorts": True,
            }
        }
    )
    assert materialize(props) == {
        "spec": {
            "type": UNKNOWN,
            "ports": [{"port": 80, "weight": 0.5}, UNKNOWN],
            "selector": UNKNOWN,
            "externalIPs": UNKNOWN,
            "publishNotReadyAddresses": UNKNOWN,
            "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": UNKNOWN}},
            "allocateLoadBalancerNodePorts": True,
        }
    }
    assert type(materialize(props)["spec"]["ports"][0]["port"]) is int
    assert materialize({"data": Secret({"password": "x"}), "n": [1.0, True, None]}) == {
        "data": {"password": "x"},
        "n": [1, True, None],
    }


def test_the_kind_comes_from_the_type_token_and_the_api_version_when_props_have_none() -> None:
    obj = to_object("kubernetes:apps/v1beta1:DeploymentPatch", {"metadata": {"name": "web"}})
    assert obj == {"kind": "Deployment", "apiVersion": "apps/v1beta1", "metadata": {"name": "web"}}
    assert to_object("kubernetes:core/v1:Pod", {"apiVersion": "v1", "kind": "Pod"})["apiVersion"] == "v1"
    assert to_object("kubernetes:core/v1:Service", {})["apiVersion"] == "v1"
    assert to_object("kubernetes:core/v1:Namespace", {"kind": "Namespace"}) is None
    assert to_object("aws:s3/bucket:Bucket", {}) is None


def _variants(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, ``value`` with the value at path unknown) for every value inside ``value``."""
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return
    for key, item in items:
        sentinel = {dict: UNKNOWN_OBJECT_VALUE, list: UNKNOWN_ARRAY_VALUE, bool: UNKNOWN_BOOLEAN_VALUE}.get(
            type(item), UNKNOWN_NUMBER_VALUE if isinstance(item, (int, float)) else UNKNOWN_STRING_VALUE
        )
        changed = copy.deepcopy(value)
        changed[key] = sentinel
        yield (*path, key), changed
        for inner_path, inner in _variants(item, (*path, key)):
            changed = copy.deepcopy(value)
            changed[key] = inner
            yield inner_path, changed


def test_a_value_unknown_at_preview_never_fails_a_policy() -> None:
    """Each value of the good stack in turn made unknown (a leaf, a list, a
    mapping): no policy, in no environment, reports anything or raises."""
    failures = []
    for index, (resource_type, name, props) in enumerate(GOOD_STACK):
        for path, changed in _variants(props):
            stack = [*GOOD_STACK[:index], (resource_type, name, changed), *GOOD_STACK[index + 1 :]]
            for env in ENVIRONMENTS:
                found = run_all(stack, env)
                if found:
                    failures.append((name, path, env, found))
    assert failures == []


def test_an_unknown_value_does_not_stop_the_rest_of_the_object_being_checked() -> None:
    props = copy.deepcopy(GOOD_DEPLOYMENT)
    spec = props["spec"]["template"]["spec"]
    spec["automountServiceAccountToken"] = "<unknown boolean>"
    spec["containers"].append({**GOOD_CONTAINER, "name": "side", "image": "<unknown string>"})
    spec["containers"].append({**GOOD_CONTAINER, "name": "tool", "image": "tool:latest"})
    spec["volumes"] = ["<unknown object>", {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]
    found = run_all([("kubernetes:apps/v1:Deployment", "web", props)], "prod")
    assert {name: len(messages) for name, messages in found.items()} == {
        "image-tag-pinned": 1,
        "image-digest-pinned": 1,
        "pod-security-baseline": 1,
    }


# --- Pod Security Standards ---------------------------------------------------------


def _pod(spec: dict[str, Any], name: str = "web") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "labels": LABELS},
        "spec": spec,
    }


def test_a_pod_under_pss_restricted_passes_both_pod_security_policies() -> None:
    pod = _pod(copy.deepcopy(GOOD_POD_SPEC))
    for env in ENVIRONMENTS:
        assert check("pod-security-baseline", "kubernetes:core/v1:Pod", pod, env=env) == []
        assert check("pod-security-restricted", "kubernetes:core/v1:Pod", pod, env=env) == []


def test_prod_reports_host_access_under_baseline_and_unhardened_init_containers_under_restricted() -> None:
    spec = copy.deepcopy(GOOD_POD_SPEC)
    spec["securityContext"] = {
        "seLinuxOptions": {"type": "spc_t"},
        "sysctls": [{"name": "kernel.msgmax", "value": "1"}],
    }
    spec["containers"][0]["securityContext"]["procMount"] = "Unmasked"
    spec["volumes"] = [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]
    spec["initContainers"] = [
        {"name": "init", "image": GOOD_CONTAINER["image"], "resources": GOOD_CONTAINER["resources"]}
    ]
    found = run_all([("kubernetes:core/v1:Pod", "web", _pod(spec))], "prod")
    assert set(found) == {"pod-security-baseline", "pod-security-restricted", "bare-pod"}
    assert level("pod-security-baseline", "prod") is EnforcementLevel.MANDATORY
    assert level("pod-security-restricted", "prod") is EnforcementLevel.MANDATORY
    assert found["pod-security-baseline"][0] == (
        "Pod 'shop/web' 'spec.volumes[0].hostPath' ({\"path\": \"/var/run/docker.sock\"}) is not allowed under Pod"
        ' Security Standards "baseline" or "restricted": a hostPath volume gives the Pod the node\'s filesystem.'
        " Use another volume type, e.g. emptyDir or a persistentVolumeClaim."
    )
    baseline = [m.split("'")[3] for m in found["pod-security-baseline"]]
    assert baseline == [
        "spec.volumes[0].hostPath",
        "spec.securityContext.seLinuxOptions.type",
        "spec.containers[0].securityContext.procMount",
        "spec.securityContext.sysctls[0].name",
    ]
    restricted = [m.split("'")[3] for m in found["pod-security-restricted"]]
    assert restricted == [
        "spec.initContainers[0].securityContext.allowPrivilegeEscalation",
        "spec.initContainers[0].securityContext.runAsNonRoot",
        "spec.initContainers[0].securityContext.seccompProfile",
        "spec.initContainers[0].securityContext.capabilities.drop",
    ]


def test_a_field_both_levels_refuse_is_reported_once_by_the_baseline_policy() -> None:
    spec = copy.deepcopy(GOOD_POD_SPEC)
    spec["volumes"] = [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]
    spec["containers"][0]["securityContext"]["seccompProfile"] = {"type": "Unconfined"}
    spec["containers"][0]["securityContext"]["capabilities"]["add"] = ["SYS_ADMIN"]
    pod = _pod(spec)
    assert len(check("pod-security-baseline", "kubernetes:core/v1:Pod", pod)) == 3
    assert check("pod-security-restricted", "kubernetes:core/v1:Pod", pod) == []


# --- patches ------------------------------------------------------------------------


def test_patches_skip_the_schema_and_missing_fields_but_not_the_values_they_set() -> None:
    patch = {
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": "x", "template": {"spec": {"containers": [{"name": "web", "image": "web:latest"}]}}},
    }
    found = run_all([("kubernetes:apps/v1:DeploymentPatch", "web", patch)], "prod")
    assert found == {
        "image-tag-pinned": [
            "Deployment 'shop/web' 'spec.template.spec.containers[0].image' (\"web:latest\") of container \"web\" is not"
            ' pinned: "latest" or no tag means each node may run whatever the tag points at when it pulls. Use a'
            ' version tag ("web:<version>") or a digest.'
        ],
        "image-digest-pinned": [
            "Deployment 'shop/web' 'spec.template.spec.containers[0].image' (\"web:latest\") of container \"web\" has"
            ' no digest: a tag can be moved to other content. Pin the digest ("image:tag@sha256:...") to run exactly'
            " what was reviewed."
        ],
    }
    assert run_all([("kubernetes:apps/v1:Deployment", "web", patch)], "prod")["kubernetes-schema"] == [
        "Deployment 'shop/web' 'spec.selector' is required.",
        "Deployment 'shop/web' 'spec.replicas' (\"x\") must be an integer, not a string.",
    ]


def test_stack_policies_leave_patches_out() -> None:
    service_patch = copy.deepcopy(GOOD_SERVICE)
    service_patch["spec"]["selector"] = {"app": "elsewhere"}
    deployment_patch = copy.deepcopy(GOOD_DEPLOYMENT)
    deployment_patch["spec"]["template"]["spec"]["containers"][0]["ports"] = []
    stack = [
        *GOOD_STACK,
        ("kubernetes:core/v1:ServicePatch", "other", service_patch),
        ("kubernetes:apps/v1:DeploymentPatch", "web-patch", deployment_patch),
    ]
    for policy in POLICIES:
        if isinstance(policy, StackValidationPolicy):
            assert check_stack(policy.name, stack, env="prod") == [], policy.name


# --- levels and config ----------------------------------------------------------------


LEVELS = [
    ("kubernetes-schema", ("mandatory", "mandatory", "mandatory")),
    ("service-api-rules", ("mandatory", "mandatory", "mandatory")),
    ("object-metadata-rules", ("mandatory", "mandatory", "mandatory")),
    ("container-port-rules", ("mandatory", "mandatory", "mandatory")),
    ("externalname-target-safe", ("mandatory", "mandatory", "mandatory")),
    ("pod-security-baseline", ("mandatory", "mandatory", "mandatory")),
    ("pod-security-restricted", ("advisory", "mandatory", "mandatory")),
    ("probe-ports", ("mandatory", "mandatory", "mandatory")),
    ("service-selector-matches-pod", ("mandatory", "mandatory", "mandatory")),
    ("service-target-port-resolves", ("mandatory", "mandatory", "mandatory")),
    ("service-selector-overlap", ("advisory", "advisory", "advisory")),
    ("service-type-allowed", ("mandatory", "mandatory", "mandatory")),
    ("service-no-external-ips", ("mandatory", "mandatory", "mandatory")),
    ("service-has-selector", ("mandatory", "mandatory", "mandatory")),
    ("loadbalancer-source-ranges", ("advisory", "mandatory", "mandatory")),
    ("image-tag-pinned", ("mandatory", "mandatory", "mandatory")),
    ("image-digest-pinned", ("advisory", "advisory", "advisory")),
    ("resources-set", ("advisory", "mandatory", "mandatory")),
    ("probes-configured", ("advisory", "mandatory", "mandatory")),
    ("sa-token-not-automounted", ("advisory", "advisory", "advisory")),
    ("recommended-labels", ("advisory", "advisory", "advisory")),
    ("no-default-namespace", ("advisory", "advisory", "advisory")),
    ("bare-pod", ("advisory", "mandatory", "mandatory")),
    ("service-selector-unique", ("advisory", "advisory", "advisory")),
]


@pytest.mark.parametrize(("name", "levels"), LEVELS)
def test_enforcement_levels_per_environment(name: str, levels: tuple[str, str, str]) -> None:
    assert tuple(level(name, env).value for env in ENVIRONMENTS) == levels


def test_every_policy_has_its_levels_tested() -> None:
    assert [name for name, _ in LEVELS] == list(BY_NAME)


def test_config_files_name_only_policies_of_the_pack() -> None:
    from tests.policy.conftest import environment

    for env in ENVIRONMENTS:
        assert set(environment(env)) <= set(BY_NAME), env


def test_prod_allows_no_node_port_services() -> None:
    node_port = {"kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"type": "NodePort"}}
    assert check("service-type-allowed", "kubernetes:core/v1:Service", node_port, env="staging") == []
    assert len(check("service-type-allowed", "kubernetes:core/v1:Service", node_port, env="prod")) == 1


def test_intended_overlaps_silence_the_overlap_policy() -> None:
    [case] = [c for c in VIOLATIONS if c["rule"] == "service-selector-overlap"]
    resources = [(r["type"], r["name"], r["props"]) for r in case["stack"]]
    config = {"intendedOverlaps": [{"service": "shop/web", "workload": "shop/web-canary"}]}
    assert check_stack("service-selector-overlap", resources, config=config) == []


def test_config_defaults_come_from_the_schemas() -> None:
    assert config_with_defaults(BY_NAME["service-api-rules"], None) == {"nodePortRange": "30000-32767"}
    assert config_with_defaults(
        BY_NAME["service-type-allowed"], {"enforcementLevel": "advisory", "allowedTypes": ["ClusterIP"]}
    ) == {"allowedTypes": ["ClusterIP"]}
    assert config_with_defaults(BY_NAME["externalname-target-safe"], None) == {
        "clusterDomain": "cluster.local",
        "allowedInClusterTargets": [],
    }
    assert BY_NAME["service-has-selector"].enforcement_level is EnforcementLevel.MANDATORY


def test_a_node_port_range_from_config_is_used() -> None:
    service = {
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "nodePort": 8080}]},
    }
    assert (
        check("service-api-rules", "kubernetes:core/v1:Service", service, config={"nodePortRange": "8000-9000"}) == []
    )
    assert len(check("service-api-rules", "kubernetes:core/v1:Service", service)) == 1
