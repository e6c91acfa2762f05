"""ExternalNameService: a DNS alias with no workload and no selector."""

from __future__ import annotations

import pulumi
import pytest

from components import ExternalNameService


def test_spec_is_exact_and_no_workload_is_built(render) -> None:
    mocks = render(
        lambda: ExternalNameService(
            "orders-db",
            {
                "external_name": "orders.db.example.com",
                "namespace": "shop",
                "service_labels": {"app.kubernetes.io/part-of": "shop"},
                "ports": [{"name": "postgres", "port": 5432}],
            },
        )
    )
    assert mocks.manifests() == [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "orders-db",
                "namespace": "shop",
                "labels": {"app.kubernetes.io/name": "orders-db", "app.kubernetes.io/part-of": "shop"},
            },
            "spec": {
                "type": "ExternalName",
                "externalName": "orders.db.example.com",
                "ports": [{"name": "postgres", "port": 5432, "protocol": "TCP"}],
            },
        }
    ]


def test_outputs_are_east_west_with_no_ip_node_ports_or_endpoint(outputs) -> None:
    def program():
        alias = ExternalNameService("db", {"external_name": "db.example.com"})
        assert alias.workload is None
        return pulumi.Output.all(alias.exposure, alias.dns_name, alias.cluster_ip, alias.node_ports, alias.endpoint)

    _, values = outputs(program)
    assert values == ["east-west", "db.default.svc.cluster.local", "", {}, ""]


def test_external_name_is_required() -> None:
    with pytest.raises(TypeError) as exc:
        ExternalNameService("db", {})  # type: ignore[typeddict-item]
    assert str(exc.value) == "Unable to create ExternalNameService 'db': 'external_name' is required."


@pytest.mark.parametrize(
    ("external_name", "reason"),
    [
        (
            "10.0.0.5",
            "is an IP address; an ExternalName must be a DNS name: use a Service with EndpointSlices for an IP.",
        ),
        (
            "2001:db8::1",
            "is an IPv6 address; an ExternalName must be a DNS name: use a Service with EndpointSlices for an IP.",
        ),
        (
            "localhost",
            "names the loopback host: whoever follows this Service (an ingress controller, a proxy) resolves it"
            " through its own /etc/hosts to itself, 127.0.0.1 or ::1, and so connects to its own local ports, admin"
            " ports included (CVE-2021-32783); point it at a real DNS name.",
        ),
        (
            "api.localhost",
            "names the loopback host: whoever follows this Service (an ingress controller, a proxy) resolves it"
            " through its own /etc/hosts to itself, 127.0.0.1 or ::1, and so connects to its own local ports, admin"
            " ports included (CVE-2021-32783); point it at a real DNS name.",
        ),
        (
            "DB.example.com",
            "is not a valid DNS name: the API server requires lower-case letters, digits, '-' and '.', each"
            " dot-separated part starting and ending with a letter or digit (one trailing dot is allowed)."
            ' Did you mean "db.example.com"?',
        ),
    ],
)
def test_external_name_must_be_a_safe_dns_name(external_name: str, reason: str) -> None:
    with pytest.raises(ValueError) as exc:
        ExternalNameService("db", {"external_name": external_name})
    assert str(exc.value) == (
        f"Unable to create ExternalNameService 'db': 'external_name' (\"{external_name}\") {reason}"
    )


def test_a_trailing_dot_is_accepted(render) -> None:
    mocks = render(lambda: ExternalNameService("db", {"external_name": "db.example.com."}))
    assert mocks.manifests()[0]["spec"]["externalName"] == "db.example.com."


@pytest.mark.parametrize(
    ("key", "value", "accepted_by"),
    [
        (
            "containers",
            [],
            "ClusterIPService, NodePortService and LoadBalancerService accept it. Use one of those types",
        ),
        (
            "selector",
            {"a": "b"},
            "ClusterIPService, NodePortService and LoadBalancerService accept it. Use one of those types",
        ),
        ("node_port_range", "30000-32767", "NodePortService and LoadBalancerService accept it. Use one of those types"),
    ],
)
def test_workload_arguments_are_refused(key: str, value: object, accepted_by: str) -> None:
    with pytest.raises(TypeError) as exc:
        ExternalNameService("db", {"external_name": "db.example.com", key: value})  # type: ignore[misc]
    assert str(exc.value) == (
        f"Unable to create ExternalNameService 'db': '{key}' is not accepted by ExternalNameService; only"
        f" {accepted_by} or remove it."
    )


def test_target_port_is_refused_since_nothing_is_proxied() -> None:
    with pytest.raises(TypeError) as exc:
        ExternalNameService("db", {"external_name": "db.example.com", "ports": [{"port": 5432, "target_port": 5432}]})  # type: ignore[typeddict-unknown-key]
    assert str(exc.value) == (
        "Unable to create ExternalNameService 'db': 'ports[0].target_port' is not accepted by ExternalNameService;"
        " only ClusterIPService, NodePortService and LoadBalancerService accept it. Use one of those types or"
        " remove it."
    )


@pytest.mark.parametrize(
    "component",
    ["ClusterIPService", "NodePortService", "LoadBalancerService", "ExternalNameService"],
)
def test_no_component_accepts_external_ips(component: str) -> None:
    import components

    cls = getattr(components, component)
    with pytest.raises(TypeError) as exc:
        cls("web", {"external_name": "db.example.com", "external_ips": ["203.0.113.10"]})
    assert f"'external_ips' is not an argument of {component}." in str(exc.value)
