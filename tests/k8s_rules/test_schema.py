"""k8s_rules.schema: the exact problems it reports, its verdicts against
kubernetes_validate's, and its on-disk cache of compiled schemas."""

from __future__ import annotations

import copy
import importlib.util
import json
import marshal
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import fastjsonschema
import kubernetes_validate
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8s_rules import NO_VALUE, UNKNOWN, Problem, schema
from k8s_rules.schema import LATEST, OLDEST_SUPPORTED, check_schema

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seed"
CONTAINER = ("spec", "containers", 0)
LATER = f" (Kubernetes {OLDEST_SUPPORTED})"


def pod(**container: Any) -> dict[str, Any]:
    """A valid Pod whose one container also has ``container``."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27.0", **container}]},
    }


def problem(path: tuple[str | int, ...], reason: str, value: Any = NO_VALUE) -> Problem:
    return Problem("schema", path, reason, value)


POD_TEMPLATE = {
    "metadata": {"labels": {"app": "web", "app.kubernetes.io/name": "web"}},
    "spec": {
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {
                "name": "web",
                "image": "nginx:1.27.0",
                "args": ["--port", "8080"],
                "env": [{"name": "MODE", "value": "production"}],
                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.25}},
                "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 5},
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                    "runAsNonRoot": True,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
            }
        ],
    },
}
SELECTOR = {"matchLabels": {"app": "web"}}

VALID: dict[str, dict[str, Any]] = {
    "Pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"}, **POD_TEMPLATE},
    "Deployment": {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"pulumi.com/skipAwait": "true"}},
        "spec": {"replicas": 2, "selector": SELECTOR, "template": POD_TEMPLATE},
    },
    "StatefulSet": {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {"serviceName": "db", "replicas": 1, "selector": SELECTOR, "template": POD_TEMPLATE},
    },
    "DaemonSet": {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {"selector": SELECTOR, "template": POD_TEMPLATE},
    },
    "Service": {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "type": "NodePort",
            "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080, "protocol": "TCP"}],
        },
    },
    "NetworkPolicy": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "web"},
        "spec": {
            "podSelector": SELECTOR,
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}}}],
                    "ports": [{"port": 8080, "protocol": "TCP"}],
                }
            ],
        },
    },
    "Namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"team": "a"}}},
    "ServiceAccount": {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "web"},
        "automountServiceAccountToken": False,
    },
    "PodDisruptionBudget": {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web"},
        "spec": {"minAvailable": 1, "selector": SELECTOR},
    },
}


_VERDICTS: dict[tuple[str, str], bool] = {}


def kv_valid(obj: dict[str, Any], version: str) -> bool:
    """kubernetes_validate's verdict, strict; a kind it has no schema for passes,
    as it does here. Remembered: it takes about 15 ms a call."""
    key = (json.dumps(obj, sort_keys=True), version)
    if key not in _VERDICTS:
        _VERDICTS[key] = _kv_valid(obj, version)
    return _VERDICTS[key]


def _kv_valid(obj: dict[str, Any], version: str) -> bool:
    try:
        kubernetes_validate.validate(copy.deepcopy(obj), version, strict=True)
    except kubernetes_validate.ValidationError:
        return False
    except kubernetes_validate.SchemaNotFoundError:
        return True
    return True


# --- the issue's examples -------------------------------------------------------


def test_env_value_boolean() -> None:
    obj = pod(env=[{"name": "DEBUG", "value": True}])
    assert check_schema(obj) == [problem((*CONTAINER, "env", 0, "value"), "must be a string, not a boolean", True)]
    assert str(check_schema(obj)[0]) == "'spec.containers[0].env[0].value' (true) must be a string, not a boolean."


def test_env_value_number() -> None:
    obj = pod(env=[{"name": "PORT", "value": 8080}])
    assert check_schema(obj) == [problem((*CONTAINER, "env", 0, "value"), "must be a string, not a number", 8080)]


def test_args_given_as_a_string() -> None:
    obj = pod(args="--port 8080")
    assert check_schema(obj) == [
        problem((*CONTAINER, "args"), "must be a list of strings, not a string", "--port 8080")
    ]


def test_enum_values_from_k8s_io_api_are_refused() -> None:
    # The schemas kubernetes-validate ships come from the OpenAPI v2 document,
    # which lists no enum values, so kubernetes_validate itself passes
    # "Sometimes"; the overlay from k8s.io/api's +enum types
    # (k8s_rules/enums.json) refuses it, as the API server does.
    obj = pod(imagePullPolicy="Sometimes")
    obj["spec"]["restartPolicy"] = "Sometimes"
    assert [str(p) for p in check_schema(obj)] == [
        '\'spec.containers[0].imagePullPolicy\' ("Sometimes") must be one of "Always", "IfNotPresent", "Never".',
        '\'spec.restartPolicy\' ("Sometimes") must be one of "Always", "Never", "OnFailure".',
    ]
    assert kv_valid(obj, LATEST)


def _overlay_enum_only(problems: list[Problem]) -> bool:
    """Problems only the enum overlay finds (kubernetes_validate has no enums
    but apiVersion and kind)."""
    return bool(problems) and all(
        p.reason.startswith("must be one of") and p.path not in (("kind",), ("apiVersion",)) for p in problems
    )


def test_enum_values_the_schemas_list() -> None:
    obj = {**VALID["Deployment"], "kind": "deployment"}
    assert check_schema(obj) == [problem(("kind",), 'must be one of "Deployment"', "deployment")]
    assert str(check_schema(obj)[0]) == '\'kind\' ("deployment") must be one of "Deployment".'
    assert not kv_valid(obj, LATEST)


def test_unknown_field_with_a_suggestion() -> None:
    obj = pod(imagePullPolicyy="Always")
    expected = 'is not a field of io.k8s.api.core.v1.Container. Did you mean "imagePullPolicy"?'
    assert check_schema(obj) == [problem((*CONTAINER, "imagePullPolicyy"), expected)]
    assert str(check_schema(obj)[0]) == f"'spec.containers[0].imagePullPolicyy' {expected}"


def test_unknown_field_without_a_close_name() -> None:
    obj = pod()
    obj["spec"]["flavour"] = "vanilla"
    assert check_schema(obj) == [problem(("spec", "flavour"), "is not a field of io.k8s.api.core.v1.PodSpec")]


def test_unknown_top_level_field_names_the_kind() -> None:
    obj = {**VALID["Service"], "sepc": {}}
    assert check_schema(obj) == [
        problem(("sepc",), 'is not a field of io.k8s.api.core.v1.Service. Did you mean "spec"?')
    ]


def test_missing_required_field() -> None:
    obj = pod()
    del obj["spec"]["containers"][0]["name"]
    assert check_schema(obj) == [problem((*CONTAINER, "name"), "is required")]


def test_several_problems_at_once() -> None:
    obj = pod(
        args="--port 8080",
        env=[{"name": "A", "value": True}, {"value": "x"}],
        imagePullPolicyy="Always",
    )
    obj["spec"]["containers"].append({"name": "side", "image": "busybox", "ports": [{"containerPort": 80.5}]})
    obj["metadata"]["labels"]["app.kubernetes.io/name"] = 5
    assert check_schema(obj) == [
        problem(("metadata", "labels", "app.kubernetes.io/name"), "must be a string, not a number", 5),
        problem((*CONTAINER, "args"), "must be a list of strings, not a string", "--port 8080"),
        problem((*CONTAINER, "env", 0, "value"), "must be a string, not a boolean", True),
        problem((*CONTAINER, "env", 1, "name"), "is required"),
        problem(
            (*CONTAINER, "imagePullPolicyy"),
            'is not a field of io.k8s.api.core.v1.Container. Did you mean "imagePullPolicy"?',
        ),
        problem(("spec", "containers", 1, "ports", 0, "containerPort"), "must be an integer", 80.5),
    ]


def test_problems_are_capped() -> None:
    obj = pod(env=[{"name": f"V{i}", "value": True} for i in range(30)])
    problems = check_schema(obj)
    assert len(problems) == schema.MAX_PROBLEMS
    assert problems[-1].path == (*CONTAINER, "env", schema.MAX_PROBLEMS - 1, "value")


def test_null_where_a_value_is_needed() -> None:
    obj = pod(resources={"limits": {"cpu": None}})
    obj["spec"]["containers"][0]["name"] = None
    assert check_schema(obj) == [
        problem((*CONTAINER, "name"), "must be a string, not null", None),
        problem((*CONTAINER, "resources", "limits", "cpu"), "must be a string or a number, not null", None),
    ]


def test_int_or_string() -> None:
    obj = copy.deepcopy(VALID["Service"])
    obj["spec"]["ports"][0]["targetPort"] = True
    assert check_schema(obj) == [
        problem(("spec", "ports", 0, "targetPort"), "must be a string or an integer, not a boolean", True)
    ]


@pytest.mark.parametrize("value", [None, True, 0, 8080, 8080.0, 80.5, "http", "", [80], {"port": 80}])
@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("Service", ("spec", "ports", 0, "targetPort")),  # IntOrString
        ("PodDisruptionBudget", ("spec", "minAvailable")),  # IntOrString
        ("Pod", ("spec", "containers", 0, "resources", "limits", "cpu")),  # Quantity
    ],
)
def test_int_or_string_and_quantity_agree_with_kubernetes_validate(
    kind: str, field: tuple[str | int, ...], value: Any
) -> None:
    # Both are a oneOf of two types, checked here as one type list.
    obj = copy.deepcopy(VALID[kind])
    parent: Any = obj
    for key in field[:-1]:
        parent = parent[key]
    parent[field[-1]] = value
    for version in (OLDEST_SUPPORTED, LATEST):
        problems = check_schema(obj, version)
        assert (problems == []) == kv_valid(obj, version), problems
        assert all(problem.path == field for problem in problems)


def test_enum_reason() -> None:
    # The shipped schemas have no such enum yet (see above): the words, on a
    # schema node as an overlay of enum values would make it.
    node = {"type": ["string", "null"], "enum": ["Always", "IfNotPresent", "Never", None]}
    walker = schema._Walker(schema._schemas(LATEST), True, "", schema.MAX_PROBLEMS)
    for value in ("Alway", "Sometimes", 5, None, "Never"):
        walker.walk(node, value, ("imagePullPolicy",), "io.k8s.api.core.v1.Container")
    choices = 'must be one of "Always", "IfNotPresent", "Never"'
    assert walker.problems == [
        problem(("imagePullPolicy",), choices + '. Did you mean "Always"?', "Alway"),
        problem(("imagePullPolicy",), choices, "Sometimes"),
        problem(("imagePullPolicy",), "must be a string, not a number", 5),
    ]


# --- valid objects ----------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(VALID))
def test_valid_objects_have_no_problem(kind: str) -> None:
    obj = VALID[kind]
    assert check_schema(obj) == []
    assert check_schema(obj, OLDEST_SUPPORTED) == []
    assert check_schema(obj, LATEST) == []
    assert kv_valid(obj, OLDEST_SUPPORTED) and kv_valid(obj, LATEST)


def test_the_object_is_not_changed() -> None:
    obj = pod(env=[{"name": "A", "value": UNKNOWN}, {"name": "B", "value": True}], imagePullPolicyy="x")
    before = copy.deepcopy(obj)
    check_schema(obj)
    assert obj == before


@pytest.mark.parametrize("path", sorted(SEED.glob("*.yaml")), ids=lambda path: path.name)
def test_seed_manifests_are_valid(path: Path) -> None:
    for obj in yaml.safe_load_all(path.read_text()):
        if obj:
            assert check_schema(obj) == []


# --- numbers as the engine sends them ---------------------------------------------------


def test_integral_floats_are_integers() -> None:
    service = copy.deepcopy(VALID["Service"])
    service["spec"]["ports"][0].update(port=80.0, targetPort=8080.0, nodePort=30080.0)
    deployment = copy.deepcopy(VALID["Deployment"])
    deployment["spec"]["replicas"] = 3.0
    assert check_schema(service) == []
    assert check_schema(deployment) == []
    assert check_schema(pod(ports=[{"containerPort": 80.0}])) == []


def test_fractional_floats_are_not() -> None:
    service = copy.deepcopy(VALID["Service"])
    service["spec"]["ports"][0]["port"] = 80.5
    # 1.29 says the same of the same value: said once, by the newest schema.
    assert check_schema(service) == [problem(("spec", "ports", 0, "port"), "must be an integer", 80.5)]
    assert check_schema(pod(ports=[{"containerPort": "80"}])) == [
        problem((*CONTAINER, "ports", 0, "containerPort"), "must be an integer, not a string", "80")
    ]


# --- values not known yet -----------------------------------------------------------------


def test_unknown_values_are_skipped() -> None:
    obj = pod(env=[{"name": "A", "value": UNKNOWN}, UNKNOWN], image=UNKNOWN, args=["--a", UNKNOWN])
    obj["metadata"]["namespace"] = UNKNOWN
    obj["spec"]["containers"][0]["name"] = UNKNOWN  # required, present, unknown
    obj["spec"]["containers"].append(UNKNOWN)
    obj["spec"]["securityContext"] = UNKNOWN
    assert check_schema(obj) == []
    assert check_schema(obj, OLDEST_SUPPORTED) == []


def test_unknown_values_do_not_hide_problems() -> None:
    obj = pod(env=[{"name": UNKNOWN, "value": False}], image=UNKNOWN, args=UNKNOWN, tty="yes")
    assert check_schema(obj) == [
        problem((*CONTAINER, "env", 0, "value"), "must be a string, not a boolean", False),
        problem((*CONTAINER, "tty"), "must be a boolean, not a string", "yes"),
    ]


def test_unknown_api_version_or_kind_is_not_checked() -> None:
    assert check_schema({"apiVersion": UNKNOWN, "kind": "Pod", "spec": 5}) == []
    assert check_schema({"apiVersion": "v1", "kind": UNKNOWN, "spec": 5}) == []


# --- versions -----------------------------------------------------------------------------


def test_field_newer_than_oldest_supported_is_accepted_by_default() -> None:
    obj = copy.deepcopy(VALID["Service"])
    obj["spec"]["trafficDistribution"] = "PreferClose"
    assert check_schema(obj) == []
    assert check_schema(obj, LATEST) == []
    assert check_schema(obj, OLDEST_SUPPORTED) == [
        problem(("spec", "trafficDistribution"), "is not a field of io.k8s.api.core.v1.ServiceSpec")
    ]
    assert not kv_valid(obj, OLDEST_SUPPORTED)


def test_newer_field_is_still_checked_by_latest() -> None:
    obj = copy.deepcopy(VALID["Service"])
    obj["spec"]["trafficDistribution"] = 5
    assert check_schema(obj) == [problem(("spec", "trafficDistribution"), "must be a string, not a number", 5)]


def test_what_only_the_oldest_schema_document_requires_is_not_refused() -> None:
    """1.29's OpenAPI marks StatefulSet spec.serviceName and NetworkPolicy
    spec.podSelector required; its API server never refused their absence
    (kubernetes/kubernetes pkg/apis/apps/validation/validation.go
    ValidateStatefulSetSpec checks serviceName only when set, since #130233;
    pkg/apis/networking/types.go makes podSelector a non-pointer selector),
    and LATEST's schema no longer marks them. Asked for 1.29's document
    alone, they are still reported."""
    policy = copy.deepcopy(VALID["NetworkPolicy"])
    del policy["spec"]["podSelector"]
    stateful = copy.deepcopy(VALID["StatefulSet"])
    del stateful["spec"]["serviceName"]
    assert check_schema(policy, LATEST) == []
    assert check_schema(policy) == []
    assert check_schema(stateful) == []
    assert check_schema(policy, OLDEST_SUPPORTED) == [problem(("spec", "podSelector"), "is required")]
    assert [str(found) for found in check_schema(stateful, OLDEST_SUPPORTED)] == ["'spec.serviceName' is required."]


def test_latest_is_the_newest_shipped() -> None:
    assert LATEST == ".".join(kubernetes_validate.latest_version().split(".")[:2])
    assert OLDEST_SUPPORTED == "1.29"


# --- what has no schema, and what has no kind -----------------------------------------------


def test_custom_resource_is_not_refused() -> None:
    obj = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "web"},
        "spec": {"endpoints": [{"port": "http"}], "anything": True},
    }
    assert check_schema(obj) == []
    assert check_schema(obj, OLDEST_SUPPORTED) == []


def test_kind_removed_before_latest_is_checked_by_oldest_supported() -> None:
    # flowcontrol v1beta3 was removed in 1.32: only 1.29 can check it, strictly.
    obj = {
        "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3",
        "kind": "PriorityLevelConfiguration",
        "metadata": {"name": "p"},
        "spec": {"type": "Exempt", "exmpt": {}},
    }
    assert check_schema(obj, LATEST) == []
    assert check_schema(obj) == [
        problem(
            ("spec", "exmpt"),
            "is not a field of io.k8s.api.flowcontrol.v1beta3.PriorityLevelConfigurationSpec"
            + LATER
            + '. Did you mean "exempt"?',
        )
    ]


def test_kind_in_the_wrong_case_is_refused_like_kubernetes_validate() -> None:
    obj = {**VALID["Namespace"], "kind": "namespace"}
    assert check_schema(obj) == [problem(("kind",), 'must be one of "Namespace"', "namespace")]
    assert not kv_valid(obj, LATEST)


def test_missing_kind_or_api_version() -> None:
    assert check_schema({"apiVersion": "v1", "metadata": {"name": "x"}}) == [problem(("kind",), "is required")]
    assert check_schema({"kind": "Pod"}) == [problem(("apiVersion",), "is required")]
    assert check_schema({"apiVersion": "v1", "kind": 5}) == [problem(("kind",), "must be a string, not a number", 5)]
    assert check_schema({"apiVersion": "", "kind": "Pod"}) == [problem(("apiVersion",), "must not be empty", "")]
    assert check_schema(["Pod"]) == [problem((), "must be a Kubernetes object (a mapping), not a list", ["Pod"])]


def test_odd_api_versions_and_kinds_have_no_schema() -> None:
    for api_version, kind in [("v1", "../../_definitions"), ("../v1", "Pod"), ("v1", "Pod/x"), ("v1", "All")]:
        assert check_schema({"apiVersion": api_version, "kind": kind}) == []


@pytest.mark.parametrize(
    ("api_version", "kind", "file_name"),
    [
        ("v1", "Service", "service-v1.json"),
        ("apps/v1", "Deployment", "deployment-apps-v1.json"),
        ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicy-networking-v1.json"),
        ("policy/v1", "PodDisruptionBudget", "poddisruptionbudget-policy-v1.json"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterrole-rbac-v1.json"),
    ],
)
def test_file_names_as_kubernetes_validate_names_them(api_version: str, kind: str, file_name: str) -> None:
    assert schema._file_name(api_version, kind) == file_name
    assert (Path(schema._SCHEMA_ROOT) / f"v{LATEST}.0-local-strict" / file_name).is_file()


# --- agreement with kubernetes_validate -------------------------------------------------------


def _mutated(kind: str, change: Any) -> dict[str, Any]:
    obj = copy.deepcopy(VALID[kind])
    change(obj)
    return obj


def spec(obj: dict[str, Any]) -> Any:
    return obj["spec"]


def first(obj: dict[str, Any]) -> Any:
    """The first container of a workload's Pod template."""
    return obj["spec"]["template"]["spec"]["containers"][0]


def _seed_objects() -> list[dict[str, Any]]:
    return [obj for path in sorted(SEED.glob("*.yaml")) for obj in yaml.safe_load_all(path.read_text()) if obj]


def _corpus() -> list[dict[str, Any]]:
    seeds = _seed_objects()
    corpus = [*VALID.values(), *seeds]
    corpus += [
        # seeds with a fault each
        {**seeds[0], "spec": {**seeds[0]["spec"], "restartPolicy": "Sometimes"}},
        {**seeds[1], "metadata": {**seeds[1]["metadata"], "labels": {"port": 80}}},
        {**seeds[-1], "spec": {**seeds[-1]["spec"], "type": 5}},
        {**seeds[-1], "spec": {**seeds[-1]["spec"], "ports": [{"port": "81"}]}},
        # valid variants
        _mutated("Service", lambda o: spec(o).update(trafficDistribution="PreferClose")),
        _mutated("Service", lambda o: spec(o)["ports"][0].update(port=80.0, targetPort=8080.0)),
        _mutated("Deployment", lambda o: spec(o).update(replicas=2.0, strategy={"type": "RollingUpdate"})),
        _mutated(
            "Deployment", lambda o: first(o).update(env=[{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}])
        ),
        _mutated("NetworkPolicy", lambda o: spec(o).pop("podSelector")),
        _mutated("StatefulSet", lambda o: spec(o).pop("serviceName")),
        _mutated("Pod", lambda o: spec(o).update(hostAliases=[{"hostnames": ["a"]}])),
        # invalid variants
        _mutated("Deployment", lambda o: first(o).update(env=[{"name": "A", "value": True}])),
        _mutated("Deployment", lambda o: first(o).update(env=[{"name": "A", "value": 5}])),
        _mutated("Deployment", lambda o: first(o).update(args="--a")),
        _mutated("Deployment", lambda o: first(o).update(imagePullPolicy="Sometimes")),
        _mutated("Deployment", lambda o: first(o).update(imagePullPolicyy="Always")),
        _mutated("Deployment", lambda o: first(o).pop("name")),
        _mutated("Deployment", lambda o: spec(o).update(replicas=1.5)),
        _mutated("Deployment", lambda o: o.pop("spec")),
        _mutated("Service", lambda o: spec(o)["ports"][0].update(targetPort=None)),
        _mutated("Service", lambda o: spec(o)["ports"][0].update(targetPort=True)),
        _mutated("Service", lambda o: spec(o).update(selector=["app"])),
        _mutated("NetworkPolicy", lambda o: spec(o).update(policyTypes="Ingress")),
        _mutated("Namespace", lambda o: o["metadata"].update(labels={"a": None})),
        _mutated("ServiceAccount", lambda o: o.update(automountServiceAccountToken="false")),
        _mutated("PodDisruptionBudget", lambda o: spec(o).update(minAvailable=[1])),
        _mutated("DaemonSet", lambda o: first(o).update(resources={"limits": {"cpu": None}})),
        _mutated("Pod", lambda o: spec(o).update(hostAliases=[{"ip": None}])),
        _mutated("Pod", lambda o: o.update(apiVersion="v2")),
    ]
    return corpus


CORPUS = _corpus()


def test_corpus_has_both_verdicts() -> None:
    verdicts = {kv_valid(obj, LATEST) for obj in CORPUS} | {kv_valid(obj, OLDEST_SUPPORTED) for obj in CORPUS}
    assert len(CORPUS) >= 30 and verdicts == {True, False}


@pytest.mark.parametrize("version", [OLDEST_SUPPORTED, LATEST])
@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_verdict_agrees_with_kubernetes_validate(version: str, index: int) -> None:
    obj = CORPUS[index]
    problems = check_schema(obj, version)
    assert (problems == [] or _overlay_enum_only(problems)) == kv_valid(obj, version), problems
    assert not any(p.reason.startswith("does not match") for p in problems)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _leaves(item, (*path, index))
    return found


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.sampled_from([80.0, 80.5, 1e3]),
    st.sampled_from(["", "Always", "TCP", "http", "80", "500m"]),
    st.lists(st.sampled_from(["a", 1, None]), max_size=2),
    st.dictionaries(st.sampled_from(["name", "port", "value", "bogus"]), st.sampled_from(["x", 2, None]), max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_objects_agree_with_kubernetes_validate(data: st.DataObject) -> None:
    obj = copy.deepcopy(VALID[data.draw(st.sampled_from(sorted(VALID)))])
    path = data.draw(st.sampled_from([p for p in _leaves(obj) if p and p[0] not in ("apiVersion", "kind")]))
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        parent[path[-1]] = data.draw(JSON_VALUES)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent[path[-1]], dict):
        parent[path[-1]][data.draw(st.sampled_from(["nmae", "extra", "imagePullPolicyy"]))] = "x"
    for version in (OLDEST_SUPPORTED, LATEST):
        problems = check_schema(obj, version)
        assert (problems == [] or _overlay_enum_only(problems)) == kv_valid(obj, version), (version, obj, problems)
        assert not any(p.reason.startswith("does not match") for p in problems)


# --- the cache ---------------------------------------------------------------------------


def run_python(code: str, cache: Path | str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter with the cache at ``cache``."""
    environment = {**os.environ, "K8S_SERVICES_CACHE_DIR": str(cache), **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


CHECK_SERVICE = f"""
    import json
    from k8s_rules import schema
    service = json.loads({json.dumps(json.dumps(VALID["Service"]))})
    service["spec"]["ports"][0]["port"] = "80"
    print(json.dumps([str(p) for p in schema.check_schema(service, {LATEST!r})]))
"""
EXPECTED = ["'spec.ports[0].port' (\"80\") must be an integer, not a string."]
NO_COMPILE = """
    from k8s_rules import schema
    def refuse(*args, **kwargs):
        raise AssertionError("compiled, not loaded from the cache")
    schema._generate = refuse
"""


def cache_files(cache: Path) -> list[Path]:
    return sorted(path for path in cache.glob("*.bin") if not path.name.startswith("."))


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache file of Service's LATEST schema, written here (faster than a process)."""
    monkeypatch.setenv("K8S_SERVICES_CACHE_DIR", str(tmp_path))
    schema._compile(LATEST, True, "service-v1.json")
    [found] = cache_files(tmp_path)
    return found


def test_cache_file_is_written_by_a_process(tmp_path: Path) -> None:
    first = run_python(CHECK_SERVICE, tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == EXPECTED
    [cached] = cache_files(tmp_path)
    for part in (
        f"kv{schema._KV_VERSION}",
        f"fjs{fastjsonschema.VERSION}",
        sys.implementation.cache_tag,
        f"k{LATEST}",
        "strict",
        "service-v1",
    ):
        assert part in cached.name
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".tmp-")]


def test_second_process_loads_from_the_cache(cached: Path) -> None:
    before = cached.stat().st_mtime_ns
    second = run_python(NO_COMPILE + CHECK_SERVICE, cached.parent)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == EXPECTED
    assert cached.stat().st_mtime_ns == before


def _other_key() -> bytes:
    # Valid marshal data of the right shape, for another key: never run.
    return marshal.dumps(("another key", importlib.util.MAGIC_NUMBER, compile("validate = None", "x", "exec")))


@pytest.mark.parametrize("corrupt", ["garbage", "truncated", "other-key", "raises"])
def test_corrupt_cache_file_is_recompiled(cached: Path, corrupt: str) -> None:
    if corrupt == "garbage":
        content = b"\x00garbage"
    elif corrupt == "truncated":
        content = cached.read_bytes()[:1000]
    elif corrupt == "other-key":
        content = _other_key()
    else:  # loads and matches, but running it fails
        key, magic, _ = marshal.loads(cached.read_bytes())
        content = marshal.dumps((key, magic, compile("raise RuntimeError('broken')", "x", "exec")))
    cached.write_bytes(content)
    again = run_python(CHECK_SERVICE, cached.parent)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == EXPECTED
    assert cached.read_bytes() != content  # rewritten
    assert run_python(NO_COMPILE + CHECK_SERVICE, cached.parent).returncode == 0


def test_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    result = run_python(CHECK_SERVICE, not_a_directory / "schemas")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == EXPECTED


def test_cache_directory_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("K8S_SERVICES_CACHE_DIR", str(tmp_path / "chosen"))
    assert schema.cache_dir() == str(tmp_path / "chosen")
    monkeypatch.delenv("K8S_SERVICES_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert schema.cache_dir() == str(tmp_path / "xdg" / "k8s-services" / "schemas")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert schema.cache_dir() == str(tmp_path / "home" / ".cache" / "k8s-services" / "schemas")


def test_kind_that_does_not_compile_is_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> str:
        raise fastjsonschema.JsonSchemaDefinitionException("cannot compile")

    monkeypatch.setattr(schema, "_VALIDATORS", {})
    monkeypatch.setattr(schema, "_COMPILED", {})
    monkeypatch.setattr(schema, "_generate", refuse)
    monkeypatch.setattr(schema, "_read_cache", lambda path, key: None)
    assert check_schema(VALID["Pod"]) == []
    assert check_schema(pod(env=[{"name": "A", "value": True}, {"name": "B", "value": UNKNOWN}])) == [
        problem((*CONTAINER, "env", 0, "value"), "must be a string, not a boolean", True)
    ]
