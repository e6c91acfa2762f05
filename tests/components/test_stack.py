"""components.stack: a whole stack config checked at once, then built."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components import stack
from components.testing import run
from tests.conftest import FIXTURES

BROKEN = yaml.safe_load((FIXTURES / "broken-configs.yaml").read_text())


@pytest.mark.parametrize("case", BROKEN, ids=[case["name"] for case in BROKEN])
def test_broken_config_reports_every_problem_with_its_path(case: dict[str, Any]) -> None:
    config = case["config"]
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse(
            config.get("services"),
            config.get("defaults"),
            config.get("namespaces"),
            extra_keys=tuple(config.get("extra_keys", ())),
        )
    assert exc.value.messages == case["messages"]


def test_a_config_with_several_problems_reports_all_of_them() -> None:
    [case] = [c for c in BROKEN if c["name"] == "several problems at once"]
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse(case["config"]["services"])
    assert len(exc.value.messages) == 5
    assert str(exc.value) == "The stack config has 5 problems:\n" + "\n".join(f"  {m}" for m in case["messages"])


def test_defaults_fill_only_what_a_bundle_leaves_out_and_its_type_accepts() -> None:
    parsed = stack.parse(
        {
            "web": {
                "type": "ClusterIP",
                "containers": [
                    {"name": "web", "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 8080}]}
                ],
                "ports": [{"name": "http", "port": 80}],
            },
            "db": {"type": "ExternalName", "external_name": "db.example.com", "namespace": "data"},
        },
        {"namespace": "shop", "pod_security": "baseline", "workload": "Deployment", "skip_await": True},
    )
    web, db = parsed.bundles
    assert web.args["namespace"] == "shop"
    assert (web.args["pod_security"], web.args["workload"], web.args["skip_await"]) == ("baseline", "Deployment", True)
    assert db.args == {"external_name": "db.example.com", "namespace": "data"}


def test_a_bundle_peer_becomes_that_bundles_selector() -> None:
    container = [{"name": "app", "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 8080}]}]
    parsed = stack.parse(
        {
            "products": {
                "type": "ClusterIP",
                "containers": container,
                "ports": [{"name": "http", "port": 80}],
                "allow_from": [{"bundle": "orders"}],
            },
            "orders": {
                "type": "ClusterIP",
                "namespace": "sales",
                "selector": {"app": "orders"},
                "containers": container,
                "ports": [{"name": "http", "port": 80}],
            },
        }
    )
    products = parsed.bundles[0]
    assert products.args["allow_from"] == [
        {"pod_selector": {"app": "orders"}, "namespace_selector": {"kubernetes.io/metadata.name": "sales"}}
    ]
    assert products.peers == ["bundle orders"]


def test_build_creates_namespaces_with_their_pod_security_labels() -> None:
    parsed = stack.parse(
        {"db": {"type": "ExternalName", "external_name": "db.example.com", "namespace": "data"}},
        namespaces={"data": {"pod_security": "restricted", "labels": {"team": "data"}}},
    )
    mocks = run(lambda: stack.build(parsed))
    assert mocks.manifests("Namespace") == [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": "data",
                "labels": {
                    "team": "data",
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            },
        }
    ]


def test_invalid_json_in_a_config_value_is_a_config_error() -> None:
    def program() -> None:
        stack.load()

    with pytest.raises(stack.ConfigError) as exc:
        run(program, config={"k8s-services:services": "{not json"})
    assert exc.value.messages == [
        "services: is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1));"
        " set it with `pulumi config set --path` or in the stack file."
    ]
