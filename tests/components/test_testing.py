"""components.testing: the mock kit answers as a cluster would, repeatably."""

from __future__ import annotations

import ipaddress
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.testing import KubernetesMocks, normalize, run


def _service(name: str, spec: dict) -> k8s.core.v1.Service:
    return k8s.core.v1.Service(name, metadata={"name": name, "namespace": "ns"}, spec=spec)


def _capture(program) -> tuple[KubernetesMocks, object]:
    seen: list[object] = []
    mocks = run(lambda: program().apply(seen.append))
    return mocks, seen[0]


def test_numbers_arrive_as_ints_again() -> None:
    assert normalize({"port": 80.0, "ratio": 0.5, "ports": [{"nodePort": 30000.0}]}) == {
        "port": 80,
        "ratio": 0.5,
        "ports": [{"nodePort": 30000}],
    }


def test_every_resource_is_recorded_with_type_name_and_inputs() -> None:
    mocks = run(lambda: _service("a", {"ports": [{"port": 80}]}))
    [recorded] = mocks.resources
    assert (recorded.type, recorded.name, recorded.custom) == ("kubernetes:core/v1:Service", "a", True)
    assert recorded.inputs == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "a", "namespace": "ns"},
        "spec": {"ports": [{"port": 80}]},
    }


def test_cluster_ip_comes_from_the_service_range_and_is_repeatable() -> None:
    def program() -> pulumi.Output:
        return pulumi.Output.all(*[_service(name, {"ports": [{"port": 80}]}).spec.cluster_ip for name in "abc"])

    _, first = _capture(program)
    _, second = _capture(program)
    assert first == second
    assert len(set(first)) == 3
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12") for ip in first)


def test_node_ports_are_assigned_in_range_unique_and_around_pinned_ones() -> None:
    def program() -> pulumi.Output:
        pinned = _service("pinned", {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]})
        assigned = _service(
            "assigned", {"type": "NodePort", "ports": [{"name": "a", "port": 80}, {"name": "b", "port": 81}]}
        )
        return pulumi.Output.all(pinned.spec.ports, assigned.spec.ports)

    _, (pinned, assigned) = _capture(program)
    ports = [pinned[0]["node_port"]] + [p["node_port"] for p in assigned]
    assert ports[0] == 30080
    assert len(set(ports)) == 3
    assert all(30000 <= port <= 32767 for port in ports)


def test_cluster_ip_services_get_no_node_port() -> None:
    _, ports = _capture(lambda: _service("a", {"type": "ClusterIP", "ports": [{"port": 80}]}).spec.ports)
    assert "node_port" not in ports[0]


def test_load_balancer_gets_an_ingress_ip_in_the_providers_status_shape() -> None:
    _, status = _capture(lambda: _service("lb", {"type": "LoadBalancer", "ports": [{"port": 80}]}).status)
    ingress = status["load_balancer"]["ingress"]
    assert len(ingress) == 1
    assert ipaddress.ip_address(ingress[0]["ip"]) in ipaddress.ip_network("198.18.0.0/15")


def test_load_balancer_without_node_ports_gets_none() -> None:
    spec = {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": False, "ports": [{"port": 80}]}
    _, ports = _capture(lambda: _service("lb", spec).spec.ports)
    assert "node_port" not in ports[0]


def test_external_name_and_headless_services_get_no_cluster_ip() -> None:
    def program() -> pulumi.Output:
        alias = _service("alias", {"type": "ExternalName", "externalName": "db.example.com"})
        headless = _service("peers", {"clusterIP": "None", "ports": [{"port": 80}]})
        return pulumi.Output.all(alias.spec, headless.spec.cluster_ip)

    _, (alias_spec, headless_ip) = _capture(program)
    assert "cluster_ip" not in alias_spec
    assert headless_ip == "None"


def test_a_custom_node_port_range_is_honoured() -> None:
    seen: list[object] = []
    run(
        lambda: _service("a", {"type": "NodePort", "ports": [{"port": 80}]}).spec.ports.apply(seen.append),
        KubernetesMocks(node_port_range="20000-20001"),
    )
    assert seen[0][0]["node_port"] in (20000, 20001)  # type: ignore[index]


def test_manifests_filter_by_kind_and_are_sorted() -> None:
    def program() -> None:
        _service("b", {"ports": [{"port": 80}]})
        _service("a", {"ports": [{"port": 80}]})
        k8s.core.v1.ConfigMap("c", metadata={"name": "c", "namespace": "ns"}, data={"k": "v"})

    mocks = run(program)
    assert [m["metadata"]["name"] for m in mocks.manifests("Service")] == ["a", "b"]
    assert [m["kind"] for m in mocks.manifests()] == ["Service", "Service", "ConfigMap"]


def test_exports_resolve_as_output_from_input_resolves_them() -> None:
    """run() resolves the stack's exports lifting only their Outputs; the
    values are what Output.from_input gives, nested Outputs, lists, plain
    values and secrets alike."""
    from components.testing import _resolved

    seen: list[Any] = []

    def program() -> Any:
        value = {
            "plain": {"a": [1, "x", None, True]},
            "nested": {"b": [pulumi.Output.from_input(2), {"c": pulumi.Output.from_input("d")}]},
            "secret": pulumi.Output.secret("s"),
            "empty": {},
        }
        ours, sdk = _resolved(value), pulumi.Output.from_input(value)
        return pulumi.Output.all(ours, sdk, ours.is_secret(), sdk.is_secret()).apply(seen.append)

    run(program)
    [(ours, sdk, ours_secret, sdk_secret)] = seen
    assert (
        ours
        == sdk
        == {
            "plain": {"a": [1, "x", None, True]},
            "nested": {"b": [2, {"c": "d"}]},
            "secret": "s",
            "empty": {},
        }
    )
    assert ours_secret is sdk_secret is True
