"""NodePortService: the seed's NodePort example, node ports and their range."""

from __future__ import annotations

from typing import Any

import pytest

from components import NodePortService, NodePortServiceArgs
from tests.conftest import differences, load_seed

NGINX = {
    "name": "nginx",
    "image": "nginx:1.9.1",
    "image_pull_policy": "IfNotPresent",
    "ports": [{"name": "nginx-port", "container_port": 80, "protocol": "TCP"}],
}


def seed_args() -> NodePortServiceArgs:
    """The reference scenario's NodePort example, as component arguments."""
    return {
        "namespace": "my-ns-nodeport",
        "workload_name": "nginx-pod",
        "pod_security": "baseline",
        "selector": {"app": "test-app", "city": "shanghai", "project": "k8s-study"},
        "service_labels": {"app": "test"},
        "containers": [dict(NGINX)],  # type: ignore[list-item]
        "ports": [{"name": "port1", "port": 81, "target_port": 80, "protocol": "TCP"}],
        "external_traffic_policy": "Cluster",
        "internal_traffic_policy": "Cluster",
        "ip_families": ["IPv4"],
        "ip_family_policy": "SingleStack",
    }


def web(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "containers": [{"name": "web", "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 8080}]}],
        "ports": [{"name": "http", "port": 80}],
    }
    args.update(changes)
    return args


def test_seed_objects_equal_the_seed_manifests(render) -> None:
    mocks = render(lambda: NodePortService("nodeport-study", seed_args()))
    [service] = mocks.manifests("Service")
    [pod] = mocks.manifests("Pod")
    assert differences(service, load_seed("nodeport-service.yaml")) == []
    assert differences(pod, load_seed("nginx-pod.yaml")) == []


def test_seed_service_spec_is_exact(render) -> None:
    mocks = render(lambda: NodePortService("nodeport-study", seed_args()))
    [service] = mocks.manifests("Service")
    assert service == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "nodeport-study",
            "namespace": "my-ns-nodeport",
            "labels": {"app.kubernetes.io/name": "nodeport-study", "app": "test"},
        },
        "spec": {
            "type": "NodePort",
            "selector": {"app": "test-app", "city": "shanghai", "project": "k8s-study"},
            "ports": [{"name": "port1", "port": 81, "protocol": "TCP", "targetPort": 80}],
            "externalTrafficPolicy": "Cluster",
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
        },
    }


def test_seed_pod_runs_baseline_with_no_privilege_escalation(render) -> None:
    mocks = render(lambda: NodePortService("nodeport-study", seed_args()))
    [pod] = mocks.manifests("Pod")
    assert pod["spec"]["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert pod["spec"]["containers"][0]["securityContext"] == {"allowPrivilegeEscalation": False}
    assert pod["spec"]["automountServiceAccountToken"] is False


def test_kubernetes_assigns_the_node_port_when_none_is_pinned(outputs) -> None:
    def program():
        bundle = NodePortService("web", web())
        return bundle.node_ports

    mocks, node_ports = outputs(program)
    [service] = mocks.manifests("Service")
    assert "nodePort" not in service["spec"]["ports"][0]
    assert list(node_ports) == ["http"]
    assert 30000 <= node_ports["http"] <= 32767


def test_pinned_node_port_is_emitted_and_reported(outputs) -> None:
    def program():
        return NodePortService("web", web(ports=[{"name": "http", "port": 80, "node_port": 30080}])).node_ports

    mocks, node_ports = outputs(program)
    [service] = mocks.manifests("Service")
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http", "nodePort": 30080}
    ]
    assert node_ports == {"http": 30080}


def test_outputs_say_north_south_and_give_the_dns_name(outputs) -> None:
    def program():
        bundle = NodePortService("web", web(namespace="shop"))
        import pulumi

        return pulumi.Output.all(
            bundle.exposure, bundle.dns_name, bundle.endpoint, bundle.service_name, bundle.namespace
        )

    _, values = outputs(program)
    assert values == ["north-south", "web.shop.svc.cluster.local", "", "web", "shop"]


def test_node_port_outside_range_is_rejected() -> None:
    with pytest.raises(ValueError) as exc:
        NodePortService("web", web(ports=[{"name": "http", "port": 80, "node_port": 8080}]))
    assert str(exc.value) == (
        "Unable to create NodePortService 'web': 'ports[0].node_port' (8080) must be within the cluster's node port"
        " range 30000-32767 (--service-node-port-range)."
    )


def test_node_port_range_can_be_changed_for_clusters_that_changed_it(render) -> None:
    args = web(node_port_range="20000-22767", ports=[{"name": "http", "port": 80, "node_port": 20080}])
    mocks = render(lambda: NodePortService("web", args))
    assert mocks.manifests("Service")[0]["spec"]["ports"][0]["nodePort"] == 20080
    with pytest.raises(ValueError) as exc:
        NodePortService(
            "web", web(node_port_range="20000-22767", ports=[{"name": "http", "port": 80, "node_port": 30080}])
        )
    assert str(exc.value) == (
        "Unable to create NodePortService 'web': 'ports[0].node_port' (30080) must be within the cluster's node port"
        " range 20000-22767 (--service-node-port-range)."
    )


def test_malformed_node_port_range_is_rejected() -> None:
    with pytest.raises(ValueError) as exc:
        NodePortService("web", web(node_port_range="32767-30000"))
    assert str(exc.value) == (
        "Unable to create NodePortService 'web': 'node_port_range' (\"32767-30000\") must be a port range"
        ' "LOW-HIGH" with 1 <= LOW <= HIGH <= 65535.'
    )


def test_same_node_port_twice_is_rejected() -> None:
    containers = [
        {
            "name": "web",
            "image": "nginx:1.27.0",
            "ports": [{"name": "http", "container_port": 8080}, {"name": "metrics", "container_port": 9090}],
        }
    ]
    ports = [{"name": "http", "port": 80, "node_port": 30080}, {"name": "metrics", "port": 9090, "node_port": 30080}]
    with pytest.raises(ValueError) as exc:
        NodePortService("web", web(containers=containers, ports=ports))
    assert str(exc.value) == (
        "Unable to create NodePortService 'web': 'ports[1].node_port' (30080) is already used by ports[0] with"
        " protocol TCP; node ports must be unique per protocol."
    )


def test_one_node_port_may_serve_tcp_and_udp_of_the_same_port(render) -> None:
    # kubernetes/kubernetes pkg/apis/core/validation/validation.go
    # ValidateService keys node ports on {NodePort, Protocol}: DNS on 53/TCP
    # and 53/UDP may share node port 30053.
    containers = [
        {
            "name": "dns",
            "image": "coredns/coredns:1.11.3",
            "ports": [
                {"name": "dns-tcp", "container_port": 53, "protocol": "TCP"},
                {"name": "dns-udp", "container_port": 53, "protocol": "UDP"},
            ],
        }
    ]
    ports = [
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "node_port": 30053},
        {"name": "dns-udp", "port": 53, "protocol": "UDP", "node_port": 30053},
    ]
    mocks = render(lambda: NodePortService("web", web(containers=containers, ports=ports)))
    assert [port["nodePort"] for port in mocks.manifests("Service")[0]["spec"]["ports"]] == [30053, 30053]


def test_external_traffic_policy_must_be_known() -> None:
    with pytest.raises(ValueError) as exc:
        NodePortService("web", web(external_traffic_policy="local"))
    assert str(exc.value) == (
        "Unable to create NodePortService 'web': 'external_traffic_policy' (\"local\") must be one of"
        ' "Cluster", "Local". Did you mean "Local"?'
    )


def test_load_balancer_arguments_are_refused_with_the_type_that_takes_them() -> None:
    with pytest.raises(TypeError) as exc:
        NodePortService("web", web(load_balancer_source_ranges=["10.0.0.0/8"]))
    assert str(exc.value) == (
        "Unable to create NodePortService 'web': 'load_balancer_source_ranges' is not accepted by NodePortService;"
        " only LoadBalancerService accepts it. Use that type or remove it."
    )
