"""LoadBalancerService: the seed's LoadBalancer example and load-balancer options."""

from __future__ import annotations

import ipaddress
from typing import Any

import pulumi
import pytest

from components import LoadBalancerService, LoadBalancerServiceArgs
from tests.conftest import differences, load_seed


def seed_args() -> LoadBalancerServiceArgs:
    """The reference scenario's LoadBalancer example, as component arguments."""
    return {
        "namespace": "my-ns-nodeport",
        "workload_name": "nginx-pod-loadbalancer",
        "pod_security": "baseline",
        "selector": {"city": "beijing", "project": "loadbalancer-study"},
        "containers": [
            {
                "name": "nginx",
                "image": "nginx:1.9.1",
                "image_pull_policy": "IfNotPresent",
                "resources": {},
                "termination_message_path": "/dev/termination-log",
                "termination_message_policy": "File",
                "ports": [{"name": "nginx-port", "container_port": 80, "protocol": "TCP"}],
            }
        ],
        "ports": [{"name": "port2", "port": 82, "target_port": 80, "protocol": "TCP"}],
        "skip_await": True,
    }


def api(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "containers": [
            {"name": "api", "image": "ghcr.io/acme/api:1.4.2", "ports": [{"name": "http", "container_port": 8080}]}
        ],
        "ports": [{"name": "http", "port": 443, "target_port": "http"}],
    }
    args.update(changes)
    return args


def test_seed_objects_equal_the_seed_manifests(render) -> None:
    mocks = render(lambda: LoadBalancerService("loadbalancer-study", seed_args()))
    [service] = mocks.manifests("Service")
    [pod] = mocks.manifests("Pod")
    assert differences(service, load_seed("loadbalancer-service.yaml")) == []
    assert differences(pod, load_seed("nginx-pod-loadbalancer.yaml")) == []


def test_skip_await_annotates_the_service(render) -> None:
    mocks = render(lambda: LoadBalancerService("loadbalancer-study", seed_args()))
    [service] = mocks.manifests("Service")
    assert service["metadata"]["annotations"] == {"pulumi.com/skipAwait": "true"}


def test_endpoint_and_cluster_ip_come_from_the_cluster(outputs) -> None:
    def program():
        bundle = LoadBalancerService("api", api())
        return pulumi.Output.all(bundle.endpoint, bundle.cluster_ip, bundle.node_ports, bundle.exposure)

    _, (endpoint, cluster_ip, node_ports, exposure) = outputs(program)
    assert ipaddress.ip_address(endpoint) in ipaddress.ip_network("198.18.0.0/15")
    assert cluster_ip.startswith("10.")
    assert list(node_ports) == ["http"]
    assert exposure == "north-south"


def test_load_balancer_options_are_emitted(render) -> None:
    args = api(
        load_balancer_source_ranges=["203.0.113.0/24", "2001:db8::/32"],
        load_balancer_class="example.com/internal-vip",
        allocate_load_balancer_node_ports=False,
        external_traffic_policy="Local",
        health_check_node_port=30999,
    )
    mocks = render(lambda: LoadBalancerService("api", args))
    [service] = mocks.manifests("Service")
    assert service["spec"] == {
        "type": "LoadBalancer",
        "selector": {"app.kubernetes.io/name": "api"},
        "ports": [{"name": "http", "port": 443, "protocol": "TCP", "targetPort": "http"}],
        "loadBalancerSourceRanges": ["203.0.113.0/24", "2001:db8::/32"],
        "loadBalancerClass": "example.com/internal-vip",
        "allocateLoadBalancerNodePorts": False,
        "externalTrafficPolicy": "Local",
        "healthCheckNodePort": 30999,
    }


def test_source_range_without_mask_suggests_32() -> None:
    with pytest.raises(ValueError) as exc:
        LoadBalancerService("api", api(load_balancer_source_ranges=["10.0.0.1"]))
    assert str(exc.value) == (
        "Unable to create LoadBalancerService 'api': 'load_balancer_source_ranges[0]' (\"10.0.0.1\") must be a valid"
        ' CIDR value (e.g. 10.9.8.0/24 or 2001:db8::/64). Did you mean "10.0.0.1/32"?'
    )


@pytest.mark.parametrize("cidr", ["203.0.113.7/24", " 203.0.113.0/24 "])
def test_source_ranges_the_api_server_accepts_are_built_as_given(render, cidr: str) -> None:
    # kubernetes/kubernetes pkg/apis/core/validation/validation.go
    # validateLoadBalancerSourceRanges: each value is strings.TrimSpace'd and
    # parsed with ParseCIDRSloppy, which keeps host bits ("1.2.3.4/24").
    mocks = render(lambda: LoadBalancerService("api", api(load_balancer_source_ranges=[cidr])))
    assert mocks.manifests("Service")[0]["spec"]["loadBalancerSourceRanges"] == [cidr]


def test_source_range_that_is_no_cidr_is_rejected() -> None:
    with pytest.raises(ValueError) as exc:
        LoadBalancerService("api", api(load_balancer_source_ranges=["office"]))
    assert str(exc.value) == (
        "Unable to create LoadBalancerService 'api': 'load_balancer_source_ranges[0]' (\"office\") must be a valid"
        " CIDR value (e.g. 10.9.8.0/24 or 2001:db8::/64)."
    )


def test_health_check_node_port_needs_local_traffic_policy() -> None:
    with pytest.raises(ValueError) as exc:
        LoadBalancerService("api", api(health_check_node_port=30999))
    assert str(exc.value) == (
        "Unable to create LoadBalancerService 'api': 'health_check_node_port' (30999) only applies with"
        ' external_traffic_policy "Local"; set it or remove health_check_node_port.'
    )


def test_health_check_node_port_must_differ_from_node_ports() -> None:
    args = api(
        external_traffic_policy="Local",
        health_check_node_port=30443,
        ports=[{"name": "http", "port": 443, "node_port": 30443}],
    )
    with pytest.raises(ValueError) as exc:
        LoadBalancerService("api", args)
    assert str(exc.value) == (
        "Unable to create LoadBalancerService 'api': 'health_check_node_port' (30443) is already the node port"
        " of ports[0]; health checks need a node port of their own."
    )


def test_an_unprefixed_load_balancer_class_is_accepted(render) -> None:
    # kubernetes/kubernetes validation.go ValidateService: loadBalancerClass
    # is checked with ValidateQualifiedName, where the prefix is optional.
    mocks = render(lambda: LoadBalancerService("api", api(load_balancer_class="internal")))
    assert mocks.manifests("Service")[0]["spec"]["loadBalancerClass"] == "internal"


def test_a_malformed_load_balancer_class_is_rejected() -> None:
    with pytest.raises(ValueError) as exc:
        LoadBalancerService("api", api(load_balancer_class="Internal_x/"))
    assert str(exc.value) == (
        "Unable to create LoadBalancerService 'api': 'load_balancer_class' (\"Internal_x/\") prefix part (before '/')"
        " must consist of lowercase letters, digits, '-' and '.', and start and end with a letter or digit (an RFC"
        " 1123 subdomain such as 'example.com'); name part must be non-empty."
    )


def test_allocate_node_ports_must_be_a_bool() -> None:
    with pytest.raises(TypeError) as exc:
        LoadBalancerService("api", api(allocate_load_balancer_node_ports="no"))
    assert str(exc.value) == (
        "Unable to create LoadBalancerService 'api': 'allocate_load_balancer_node_ports' must be True or False,"
        " not str."
    )
