"""ClusterIPService: in-cluster bundles, Deployments, headless Services."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components import ClusterIPService

RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESTRICTED_POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def products(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "namespace": "shop",
        "containers": [
            {"name": "app", "image": "ghcr.io/acme/products:2.1.0", "ports": [{"name": "http", "container_port": 8080}]}
        ],
        "ports": [{"name": "http", "port": 80}],
    }
    args.update(changes)
    return args


def test_default_bundle_is_a_restricted_pod_and_a_cluster_ip_service(render) -> None:
    mocks = render(lambda: ClusterIPService("products", products()))
    assert mocks.manifests() == [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "products", "namespace": "shop", "labels": {"app.kubernetes.io/name": "products"}},
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": RESTRICTED_POD,
                "containers": [
                    {
                        "name": "app",
                        "image": "ghcr.io/acme/products:2.1.0",
                        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                        "securityContext": RESTRICTED_CONTAINER,
                    }
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "products", "namespace": "shop", "labels": {"app.kubernetes.io/name": "products"}},
            "spec": {
                "type": "ClusterIP",
                "selector": {"app.kubernetes.io/name": "products"},
                "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
            },
        },
    ]


def test_deployment_selects_with_the_very_same_labels(render) -> None:
    args = products(
        workload="Deployment",
        replicas=3,
        selector={"app": "products", "tier": "backend"},
        pod_labels={"version": "2.1.0"},
        pod_annotations={"prometheus.io/scrape": "true"},
    )
    mocks = render(lambda: ClusterIPService("products", args))
    [deployment] = mocks.manifests("Deployment")
    [service] = mocks.manifests("Service")
    selector = {"app": "products", "tier": "backend"}
    assert service["spec"]["selector"] == selector
    assert deployment["spec"]["selector"] == {"matchLabels": selector}
    assert deployment["spec"]["replicas"] == 3
    assert deployment["metadata"] == {
        "name": "products",
        "namespace": "shop",
        "labels": {"app": "products", "tier": "backend", "version": "2.1.0"},
    }
    assert deployment["spec"]["template"]["metadata"] == {
        "labels": {"app": "products", "tier": "backend", "version": "2.1.0"},
        "annotations": {"prometheus.io/scrape": "true"},
    }
    assert mocks.manifests("Pod") == []


def test_selector_equals_pod_labels_restricted_to_its_keys(render) -> None:
    mocks = render(lambda: ClusterIPService("products", products(pod_labels={"version": "2"})))
    [pod] = mocks.manifests("Pod")
    [service] = mocks.manifests("Service")
    labels = pod["metadata"]["labels"]
    assert {key: labels[key] for key in service["spec"]["selector"]} == service["spec"]["selector"]
    assert labels == {"app.kubernetes.io/name": "products", "version": "2"}


def test_headless_service_has_no_cluster_ip_and_may_have_no_ports(outputs) -> None:
    def program():
        bundle = ClusterIPService("peers", products(headless=True, ports=[], publish_not_ready_addresses=True))
        return bundle.cluster_ip

    mocks, cluster_ip = outputs(program)
    [service] = mocks.manifests("Service")
    assert service["spec"] == {
        "type": "ClusterIP",
        "clusterIP": "None",
        "selector": {"app.kubernetes.io/name": "peers"},
        "publishNotReadyAddresses": True,
    }
    assert cluster_ip == "None"


def test_outputs_are_east_west_with_cluster_ip_and_no_node_ports(outputs) -> None:
    def program():
        bundle = ClusterIPService("products", products())
        return pulumi.Output.all(
            bundle.exposure, bundle.cluster_ip, bundle.node_ports, bundle.endpoint, bundle.dns_name
        )

    _, (exposure, cluster_ip, node_ports, endpoint, dns_name) = outputs(program)
    assert exposure == "east-west"
    assert cluster_ip.startswith("10.")
    assert (node_ports, endpoint, dns_name) == ({}, "", "products.shop.svc.cluster.local")


def test_node_port_on_a_cluster_ip_port_is_refused() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products(ports=[{"name": "http", "port": 80, "node_port": 30080}]))
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'products': 'ports[0].node_port' is not accepted by ClusterIPService;"
        " only NodePortService and LoadBalancerService accept it. Use one of those types or remove it."
    )


def test_external_traffic_policy_on_cluster_ip_is_refused() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products(external_traffic_policy="Local"))
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'products': 'external_traffic_policy' is not accepted by ClusterIPService;"
        " only NodePortService and LoadBalancerService accept it. Use one of those types or remove it."
    )


def test_headless_must_be_a_bool() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products(headless="yes"))
    assert str(exc.value) == "Unable to create ClusterIPService 'products': 'headless' must be True or False, not str."


def test_ports_are_required_unless_headless() -> None:
    with pytest.raises(ValueError) as exc:
        ClusterIPService("products", products(ports=[]))
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'products': 'ports' ([]) must list at least one port (only a headless"
        " ClusterIPService may have none)."
    )
