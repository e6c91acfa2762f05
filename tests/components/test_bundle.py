"""The rules every Pod-plus-Service bundle shares: one case per rule, each
with its exact message, and the guarantees around them (nothing registered on
bad input, every problem reported at once, secure defaults)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components import ClusterIPService, NodePortService
from components._checks import plan
from components.testing import KubernetesMocks, run

C = [{"name": "app", "image": "ghcr.io/acme/products:2.1.0", "ports": [{"name": "http", "container_port": 8080}]}]


def two_ports_container() -> list[dict[str, Any]]:
    return [
        {
            "name": "app",
            "image": "x:1",
            "ports": [{"name": "http", "container_port": 8080}, {"name": "metrics", "container_port": 9090}],
        }
    ]


def products(changes: dict[str, Any] | None) -> Any:
    """Valid arguments with ``changes`` applied; a None value removes a key."""
    if changes is None:
        return ["not", "a", "dict"]
    args: dict[str, Any] = {"namespace": "shop", "containers": C, "ports": [{"name": "http", "port": 80}]}
    args.update(changes)
    return {key: value for key, value in args.items() if value is not None}


RULES = [
    pytest.param(
        "products",
        {"service_name": "9products"},
        ValueError,
        "Unable to create ClusterIPService 'products': 'service_name' (\"9products\") must consist of lowercase letters, digits and '-', start with a letter and end with a letter or digit (an RFC 1035 label such as 'my-name' or 'abc-123').",
        id="service_name_dns1035",
    ),
    pytest.param(
        "Products",
        {"workload_name": "products"},
        ValueError,
        "Unable to create ClusterIPService 'Products': 'service_name' (\"Products\") must consist of lowercase letters, digits and '-', start with a letter and end with a letter or digit (an RFC 1035 label such as 'my-name' or 'abc-123'); it defaults to the resource name, so set 'service_name'.",
        id="service_name_defaulted",
    ),
    pytest.param(
        "products",
        {"service_name": "a" * 64},
        ValueError,
        "Unable to create ClusterIPService 'products': 'service_name' (\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\") must be no more than 63 characters.",
        id="service_name_too_long",
    ),
    pytest.param(
        "products",
        {"workload_name": "products_v1"},
        ValueError,
        "Unable to create ClusterIPService 'products': 'workload_name' (\"products_v1\") is not a DNS-1123 subdomain: it must consist of lowercase letters, digits, '-' and '.', and start and end with a letter or digit (an RFC 1123 subdomain such as 'example.com').",
        id="workload_name_dns1123",
    ),
    pytest.param(
        "products",
        {"namespace": "Shop"},
        ValueError,
        "Unable to create ClusterIPService 'products': 'namespace' (\"Shop\") is not a DNS-1123 label: it must consist of lowercase letters, digits and '-', and start and end with a letter or digit (an RFC 1123 label such as 'my-name' or '123-abc').",
        id="namespace_dns1123",
    ),
    pytest.param(
        "products",
        {"cluster_domain": "cluster..local"},
        ValueError,
        "Unable to create ClusterIPService 'products': 'cluster_domain' (\"cluster..local\") is not a DNS-1123 subdomain: it must consist of lowercase letters, digits, '-' and '.', and start and end with a letter or digit (an RFC 1123 subdomain such as 'example.com').",
        id="cluster_domain",
    ),
    pytest.param(
        "products",
        {"selector": {"-app": "products"}},
        ValueError,
        "Unable to create ClusterIPService 'products': 'selector[\"-app\"]' (\"-app\") is not a valid label key: name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (e.g. 'MyName', 'my.name' or '123-abc').",
        id="selector_key",
    ),
    pytest.param(
        "products",
        {"selector": {"Acme.com/app": "products"}},
        ValueError,
        "Unable to create ClusterIPService 'products': 'selector[\"Acme.com/app\"]' (\"Acme.com/app\") is not a valid label key: prefix part (before '/') must consist of lowercase letters, digits, '-' and '.', and start and end with a letter or digit (an RFC 1123 subdomain such as 'example.com').",
        id="selector_key_prefix",
    ),
    pytest.param(
        "products",
        {"pod_labels": {"tier": "front end"}},
        ValueError,
        "Unable to create ClusterIPService 'products': 'pod_labels[\"tier\"]' (\"front end\") is not a valid label value: it must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (e.g. 'MyValue', 'my_value' or '12345').",
        id="label_value_chars",
    ),
    pytest.param(
        "products",
        {"service_labels": {"tier": "a" * 64}},
        ValueError,
        "Unable to create ClusterIPService 'products': 'service_labels[\"tier\"]' (\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\") is not a valid label value: it must be no more than 63 characters.",
        id="label_value_long",
    ),
    pytest.param(
        "products",
        {"service_labels": {"tier": 3}},
        TypeError,
        "Unable to create ClusterIPService 'products': 'service_labels[\"tier\"]' must be a string, not int.",
        id="label_value_type",
    ),
    pytest.param(
        "products",
        {"service_annotations": {"bad key": "x"}},
        ValueError,
        "Unable to create ClusterIPService 'products': 'service_annotations[\"bad key\"]' (\"bad key\") is not a valid annotation key: name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (e.g. 'MyName', 'my.name' or '123-abc').",
        id="annotation_key",
    ),
    pytest.param(
        "products",
        {"pod_annotations": {"acme.com/x": 1}},
        TypeError,
        "Unable to create ClusterIPService 'products': 'pod_annotations[\"acme.com/x\"]' must be a string, not int.",
        id="annotation_value_type",
    ),
    pytest.param(
        "products",
        {"selector": {}},
        ValueError,
        "Unable to create ClusterIPService 'products': 'selector' ({}) must have at least one label; an empty selector would select no Pods.",
        id="empty_selector",
    ),
    pytest.param(
        "products",
        {"selector": {"app": "products"}, "pod_labels": {"app": "orders"}},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'pod_labels["app"]\' ("orders") conflicts with selector["app"] ("products"); the Pod must carry the selector\'s value.',
        id="pod_label_conflict",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "http", "port": 70000}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'ports[0].port' (70000) must be between 1 and 65535.",
        id="port_range",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "http", "port": "80"}]},
        TypeError,
        "Unable to create ClusterIPService 'products': 'ports[0].port' (\"80\") must be an integer, not a string.",
        id="port_type",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "http"}]},
        TypeError,
        "Unable to create ClusterIPService 'products': 'ports[0].port' is required.",
        id="port_required",
    ),
    pytest.param(
        "products",
        {
            "containers": two_ports_container(),
            "ports": [{"port": 80, "target_port": "http"}, {"port": 9090, "target_port": "metrics"}],
        },
        ValueError,
        "Unable to create ClusterIPService 'products' (2 problems):\n  'ports[0].name' is required when a Service has more than one port, so that Endpoints can tell them apart.\n  'ports[1].name' is required when a Service has more than one port, so that Endpoints can tell them apart.",
        id="port_name_required",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "HTTP", "port": 80, "target_port": "http"}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'ports[0].name' (\"HTTP\") must consist of lowercase letters, digits and '-', and start and end with a letter or digit (an RFC 1123 label such as 'my-name' or '123-abc').",
        id="port_name_dns",
    ),
    pytest.param(
        "products",
        {
            "containers": two_ports_container(),
            "ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81, "target_port": "metrics"}],
        },
        ValueError,
        "Unable to create ClusterIPService 'products': 'ports[1].name' (\"http\") is already used by ports[0]; port names must be unique.",
        id="port_names_unique",
    ),
    pytest.param(
        "products",
        {"containers": two_ports_container(), "ports": [{"name": "http", "port": 80}, {"name": "metrics", "port": 80}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'ports[1]' ({'port': 80, 'protocol': 'TCP'}) repeats port 80/TCP of ports[0]; each port number may appear once per protocol.",
        id="port_twice",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "http", "port": 80, "protocol": "HTTP"}]},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'ports[0].protocol\' ("HTTP") must be one of "SCTP", "TCP", "UDP".',
        id="protocol",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "http", "port": 80, "protocol": "UDP"}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'ports[0].target_port' (\"http\") names port \"http\" 8080/TCP of Pod 'shop/products', but this Service port is UDP: Kubernetes resolves a named targetPort only to a port of the same protocol, so those Pods get no endpoint for it; make the protocols match.",
        id="protocol_mismatch",
    ),
    pytest.param(
        "products",
        {
            "containers": [
                {"name": "app", "image": "x:1", "ports": [{"name": "http-admin-console", "container_port": 8080}]}
            ],
            "ports": [{"name": "http", "port": 80, "target_port": 8080}],
        },
        ValueError,
        "Unable to create ClusterIPService 'products': 'containers[0].ports[0].name' (\"http-admin-console\") must be no more than 15 characters (a port name is an IANA service name that Services and probes refer to).",
        id="container_port_name_long",
    ),
    pytest.param(
        "products",
        {
            "containers": [{"name": "app", "image": "x:1", "ports": [{"name": "8080", "container_port": 8080}]}],
            "ports": [{"name": "http", "port": 80, "target_port": 8080}],
        },
        ValueError,
        "Unable to create ClusterIPService 'products': 'containers[0].ports[0].name' (\"8080\") must contain at least one letter (a-z) (a port name is an IANA service name that Services and probes refer to).",
        id="container_port_name_chars",
    ),
    pytest.param(
        "products",
        {
            "containers": [
                {"name": "app", "image": "x:1", "ports": [{"name": "http", "container_port": 8080, "protocol": "tcp"}]}
            ]
        },
        ValueError,
        'Unable to create ClusterIPService \'products\': \'containers[0].ports[0].protocol\' ("tcp") must be one of "SCTP", "TCP", "UDP". Did you mean "TCP"?',
        id="container_port_protocol",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "web", "port": 80, "target_port": "htp"}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'ports[0].target_port' (\"htp\") names no TCP container port of Pod 'shop/products' (it declares \"http\" 8080/TCP): Kubernetes cannot resolve it, so those Pods get no endpoint for this port; use a declared port name, or name the port.",
        id="target_port_name_undeclared",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "http", "port": 80, "target_port": 80}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'ports[0].target_port' (80) is not a TCP containerPort of Pod 'shop/products' (it declares \"http\" 8080/TCP): traffic reaches those Pods only if a container listens there undeclared, and usually this is a typo or a port changed in one place only; point targetPort at a declared port, or declare it.",
        id="target_port_number_undeclared",
    ),
    pytest.param(
        "products",
        {"containers": two_ports_container(), "ports": [{"name": "web", "port": 80}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'ports[0].target_port' is not set and cannot be inferred: no container port is named \"web\" and 2 container ports are declared; set 'target_port' to a container port's name or number.",
        id="target_port_not_inferable",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "http", "port": 80, "target_port": 80.5}]},
        TypeError,
        "Unable to create ClusterIPService 'products': 'ports[0].target_port' must be a port number or a container port name, not float.",
        id="target_port_type",
    ),
    pytest.param(
        "products",
        {"containers": []},
        ValueError,
        "Unable to create ClusterIPService 'products': 'containers' ([]) must list at least one container.",
        id="containers_empty",
    ),
    pytest.param(
        "products",
        {"containers": None},
        TypeError,
        "Unable to create ClusterIPService 'products': 'containers' is required.",
        id="containers_missing",
    ),
    pytest.param(
        "products",
        {"containers": [C[0], {"name": "app", "image": "y:1"}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'containers[1].name' (\"app\") is already the name of containers[0]; container names must be unique in a Pod, init containers included.",
        id="container_names_unique",
    ),
    pytest.param(
        "products",
        {"containers": [{**C[0], "image": " "}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'containers[0].image' (\" \") must be a non-empty image reference without spaces, e.g. \"nginx:1.27.0\".",
        id="container_image_empty",
    ),
    pytest.param(
        "products",
        {"containers": [{"name": "app"}]},
        TypeError,
        "Unable to create ClusterIPService 'products': 'containers[0].image' is required.",
        id="container_image_missing",
    ),
    pytest.param(
        "products",
        {"containers": [{**C[0], "imagePullPolicy": "Always"}]},
        TypeError,
        "Unable to create ClusterIPService 'products': 'containers[0].imagePullPolicy' is not a field of a Container (ContainerArgsDict). Did you mean 'image_pull_policy'?",
        id="container_unknown_key",
    ),
    pytest.param(
        "products",
        {"pod_spec": {"containers": []}},
        TypeError,
        "Unable to create ClusterIPService 'products': 'pod_spec.containers' is not accepted; give the containers as the 'containers' argument.",
        id="pod_spec_containers",
    ),
    pytest.param(
        "products",
        {"pod_spec": {"hostnetwork": False}},
        TypeError,
        "Unable to create ClusterIPService 'products': 'pod_spec.hostnetwork' is not a field of a PodSpec (PodSpecArgsDict). Did you mean 'host_network'?",
        id="pod_spec_unknown",
    ),
    pytest.param(
        "products",
        {"pod_spec": {"host_network": True}},
        ValueError,
        "Unable to create ClusterIPService 'products': 'pod_spec.host_network' (True) is not allowed under Pod Security Standards \"baseline\" or \"restricted\": the Pod would use the node's network, its interfaces and node-local services. Remove it or set it to false.",
        id="pod_spec_host_network",
    ),
    pytest.param(
        "products",
        {"containers": [{**C[0], "security_context": {"privileged": True}}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'containers[0].security_context.privileged' (True) is not allowed under Pod Security Standards \"baseline\" or \"restricted\": a privileged container has every capability and the node's devices. Remove it or set it to false, and add only the capabilities the container needs.",
        id="restricted_privileged",
    ),
    pytest.param(
        "products",
        {"containers": [{**C[0], "security_context": {"run_as_user": 0}}]},
        ValueError,
        "Unable to create ClusterIPService 'products': 'containers[0].security_context.run_as_user' (0) is not allowed under Pod Security Standards \"restricted\": UID 0 is root (unless the Pod sets hostUsers: false). Use a non-zero UID, or remove it and run the image as a non-root user; or set 'pod_security' to \"baseline\" if the image needs it.",
        id="restricted_root",
    ),
    pytest.param(
        "products",
        {"containers": [{**C[0], "security_context": {"capabilities": {"add": ["NET_ADMIN"]}}}]},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'containers[0].security_context.capabilities.add[0]\' ("NET_ADMIN") is not allowed under Pod Security Standards "baseline" or "restricted": "restricted" lets a container add only NET_BIND_SERVICE, "baseline" only the runtime\'s default capabilities. Remove it.',
        id="restricted_capability",
    ),
    pytest.param(
        "products",
        {"session_affinity": "Client"},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'session_affinity\' ("Client") must be one of "ClientIP", "None". Did you mean "ClientIP"?',
        id="session_affinity",
    ),
    pytest.param(
        "products",
        {"session_affinity_timeout_seconds": 60},
        ValueError,
        "Unable to create ClusterIPService 'products': 'session_affinity_timeout_seconds' (60) only applies with session_affinity \"ClientIP\"; set session_affinity or remove it.",
        id="session_timeout_without_clientip",
    ),
    pytest.param(
        "products",
        {"session_affinity": "ClientIP", "session_affinity_timeout_seconds": 0},
        ValueError,
        "Unable to create ClusterIPService 'products': 'session_affinity_timeout_seconds' (0) must be a number of seconds from 1 to 86400 (one day).",
        id="session_timeout_range",
    ),
    pytest.param(
        "products",
        {"internal_traffic_policy": "Node"},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'internal_traffic_policy\' ("Node") must be one of "Cluster", "Local".',
        id="internal_traffic_policy",
    ),
    pytest.param(
        "products",
        {"ip_families": ["IPv5"]},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'ip_families[0]\' ("IPv5") must be one of "IPv4", "IPv6". Did you mean "IPv6"?',
        id="ip_family",
    ),
    pytest.param(
        "products",
        {"ip_families": ["IPv4", "IPv6"], "ip_family_policy": "SingleStack"},
        ValueError,
        "Unable to create ClusterIPService 'products': 'ip_family_policy' (\"SingleStack\") is SingleStack, which refuses the two families in ip_families; set it to PreferDualStack or RequireDualStack.",
        id="single_stack_two_families",
    ),
    pytest.param(
        "products",
        {"ip_family_policy": "DualStack"},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'ip_family_policy\' ("DualStack") must be one of "PreferDualStack", "RequireDualStack", "SingleStack". Did you mean "PreferDualStack"?',
        id="ip_family_policy",
    ),
    pytest.param(
        "products",
        {"traffic_distribution": "Nearest"},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'traffic_distribution\' ("Nearest") must be one of "PreferClose", "PreferSameZone", "PreferSameNode".',
        id="traffic_distribution",
    ),
    pytest.param(
        "products",
        {"workload": "ReplicaSet"},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'workload\' ("ReplicaSet") must be one of "Pod", "Deployment", "StatefulSet", "DaemonSet".',
        id="workload",
    ),
    pytest.param(
        "products",
        {"pod_security": "privileged"},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'pod_security\' ("privileged") must be "baseline" or "restricted".',
        id="pod_security",
    ),
    pytest.param(
        "products",
        {"replicas": 2},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'replicas\' (2) only applies with workload "Deployment" or "StatefulSet", not "Pod"; set workload or remove replicas.',
        id="replicas_for_pod",
    ),
    pytest.param(
        "products",
        {"workload": "Deployment", "replicas": -1},
        ValueError,
        "Unable to create ClusterIPService 'products': 'replicas' (-1) must not be negative.",
        id="replicas_negative",
    ),
    pytest.param(
        "products",
        {"workload": "Deployment", "replicas": "2"},
        TypeError,
        "Unable to create ClusterIPService 'products': 'replicas' must be an integer, not str.",
        id="replicas_type",
    ),
    pytest.param(
        "products",
        {"skip_await": "true"},
        TypeError,
        "Unable to create ClusterIPService 'products': 'skip_await' must be True or False, not str.",
        id="skip_await_type",
    ),
    pytest.param(
        "products",
        {"custom_timeouts": {"create": "5 minutes"}},
        ValueError,
        'Unable to create ClusterIPService \'products\': \'custom_timeouts.create\' ("5 minutes") must be a duration such as "30s", "5m" or "1h30m".',
        id="custom_timeouts",
    ),
    pytest.param(
        "products",
        {"custom_timeouts": {"read": "5m"}},
        TypeError,
        "Unable to create ClusterIPService 'products': 'custom_timeouts.read' is not a field of custom_timeouts. Did you mean 'create'?",
        id="custom_timeouts_key",
    ),
    pytest.param(
        "products",
        {"selecter": {"app": "x"}},
        TypeError,
        "Unable to create ClusterIPService 'products': 'selecter' is not an argument of ClusterIPService. Did you mean 'selector'?",
        id="unknown_key",
    ),
    pytest.param(
        "products",
        {"ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
        TypeError,
        "Unable to create ClusterIPService 'products': 'ports[0].targetPort' is not a field of a ClusterIPService port. Did you mean 'target_port'?",
        id="camel_case_key",
    ),
    pytest.param(
        "products",
        None,
        TypeError,
        "Unable to create ClusterIPService 'products': 'args' must be a mapping (ClusterIPServiceArgs), not list.",
        id="args_type",
    ),
]


@pytest.mark.parametrize(("resource_name", "changes", "error", "message"), RULES)
def test_rule_is_enforced_with_its_message(resource_name: str, changes: Any, error: type, message: str) -> None:
    with pytest.raises(error) as exc:
        ClusterIPService(resource_name, products(changes))
    assert type(exc.value) is error
    assert str(exc.value) == message


def test_bad_input_registers_nothing() -> None:
    recorder = KubernetesMocks()
    with pytest.raises(ValueError):
        run(lambda: ClusterIPService("products", products({"namespace": "Shop"})), recorder)
    assert recorder.resources == []


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValueError) as exc:
        NodePortService(
            "web",
            {
                "namespace": "Shop",
                "containers": C,
                "ports": [{"name": "http", "port": 80, "node_port": 80}],
                "session_affinity": "Sticky",
            },
        )
    assert str(exc.value) == (
        "Unable to create NodePortService 'web' (3 problems):\n"
        "  'namespace' (\"Shop\") is not a DNS-1123 label: it must consist of lowercase letters, digits and '-',"
        " and start and end with a letter or digit (an RFC 1123 label such as 'my-name' or '123-abc').\n"
        '  \'session_affinity\' ("Sticky") must be one of "ClientIP", "None".\n'
        "  'ports[0].node_port' (80) must be within the cluster's node port range 30000-32767"
        " (--service-node-port-range)."
    )


def test_type_problems_are_reported_before_value_problems() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products({"namespace": "Shop", "replicas": "2", "workload": "Deployment"}))
    assert str(exc.value) == "Unable to create ClusterIPService 'products': 'replicas' must be an integer, not str."


def test_a_name_that_is_no_string_is_a_type_error() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService(None, products({}))  # type: ignore[arg-type]
    assert (
        str(exc.value) == "Unable to create ClusterIPService: the resource name must be a non-empty string, not None."
    )


def test_user_security_fields_win_over_the_defaults_within_the_profile(render) -> None:
    container = {**C[0], "security_context": {"run_as_user": 10001, "capabilities": {"add": ["NET_BIND_SERVICE"]}}}
    mocks = render(
        lambda: ClusterIPService(
            "products",
            products({"containers": [container], "pod_spec": {"security_context": {"fs_group": 2000}}}),
        )
    )
    [pod] = mocks.manifests("Pod")
    assert pod["spec"]["securityContext"] == {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
        "fsGroup": 2000,
    }
    assert pod["spec"]["containers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_pod_spec_fields_are_merged_and_may_override_defaults(render) -> None:
    pod_spec = {
        "service_account_name": "products",
        "automount_service_account_token": True,
        "termination_grace_period_seconds": 5,
    }
    mocks = render(lambda: ClusterIPService("products", products({"pod_spec": pod_spec})))
    [pod] = mocks.manifests("Pod")
    assert pod["spec"]["serviceAccountName"] == "products"
    assert pod["spec"]["automountServiceAccountToken"] is True
    assert pod["spec"]["terminationGracePeriodSeconds"] == 5


def test_service_options_are_emitted(render) -> None:
    changes = {
        "session_affinity": "ClientIP",
        "session_affinity_timeout_seconds": 600,
        "internal_traffic_policy": "Local",
        "ip_families": ["IPv6", "IPv4"],
        "ip_family_policy": "RequireDualStack",
        "traffic_distribution": "PreferClose",
        "service_annotations": {"example.com/owner": "team-shop"},
        "skip_await": True,
    }
    mocks = render(lambda: ClusterIPService("products", products(changes)))
    [service] = mocks.manifests("Service")
    assert service["metadata"] == {
        "name": "products",
        "namespace": "shop",
        "labels": {"app.kubernetes.io/name": "products"},
        "annotations": {"example.com/owner": "team-shop", "pulumi.com/skipAwait": "true"},
    }
    assert service["spec"] == {
        "type": "ClusterIP",
        "selector": {"app.kubernetes.io/name": "products"},
        "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
        "sessionAffinity": "ClientIP",
        "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 600}},
        "internalTrafficPolicy": "Local",
        "ipFamilies": ["IPv6", "IPv4"],
        "ipFamilyPolicy": "RequireDualStack",
        "trafficDistribution": "PreferClose",
    }


def test_the_only_container_port_is_the_default_target(render) -> None:
    mocks = render(lambda: ClusterIPService("products", products({"ports": [{"name": "web", "port": 80}]})))
    [service] = mocks.manifests("Service")
    assert service["spec"]["ports"] == [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": 8080}]


def test_deployment_defaults_to_one_replica(render) -> None:
    mocks = render(lambda: ClusterIPService("products", products({"workload": "Deployment"})))
    [deployment] = mocks.manifests("Deployment")
    assert deployment["spec"]["replicas"] == 1


def test_custom_timeouts_become_resource_options(render) -> None:
    args = products({"custom_timeouts": {"create": "5m", "delete": "1m"}, "allow_from": [{"pod_selector": {"a": "b"}}]})
    assert plan(ClusterIPService.KIND, "products", args).custom_timeouts == {"create": "5m", "delete": "1m"}
    mocks = render(lambda: ClusterIPService("products", args))
    waits = {r.type.rpartition(":")[2]: r.options["customTimeouts"] for r in mocks.resources if r.custom}
    # The workload and the Service, whose readiness Pulumi awaits; not the NetworkPolicy.
    assert waits == {
        "Pod": {"create": "5m", "delete": "1m"},
        "Service": {"create": "5m", "delete": "1m"},
        "NetworkPolicy": {},
    }


def test_a_pulumi_custom_timeouts_is_taken_as_it_is() -> None:
    timeouts = pulumi.CustomTimeouts(update="2m")
    assert plan(ClusterIPService.KIND, "products", products({"custom_timeouts": timeouts})).custom_timeouts == {
        "update": "2m"
    }


def test_a_selector_only_known_at_deployment_is_refused() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products({"selector": pulumi.Output.from_input({"app": "products"})}))
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'products': 'selector' must be a plain mapping, not an Output: the Pod"
        " labels and the Service selector are built from it."
    )


def test_values_known_only_at_deployment_are_not_checked(render) -> None:
    mocks = render(
        lambda: ClusterIPService(
            "products",
            products(
                {"namespace": pulumi.Output.from_input("shop"), "service_labels": {"v": pulumi.Output.from_input("2")}}
            ),
        )
    )
    [service] = mocks.manifests("Service")
    assert service["metadata"] == {
        "name": "products",
        "namespace": "shop",
        "labels": {"app.kubernetes.io/name": "products", "v": "2"},
    }


def test_allow_from_builds_a_network_policy_on_the_target_ports(render) -> None:
    peers = [
        {"pod_selector": {"app.kubernetes.io/name": "orders"}},
        {"pod_selector": {"app": "audit"}, "namespace_selector": {"kubernetes.io/metadata.name": "ops"}},
    ]
    mocks = render(lambda: ClusterIPService("products", products({"allow_from": peers})))
    assert mocks.manifests("NetworkPolicy") == [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "products", "namespace": "shop"},
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "products"}},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "orders"}}},
                            {
                                "podSelector": {"matchLabels": {"app": "audit"}},
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}},
                            },
                        ],
                        "ports": [{"port": "http", "protocol": "TCP"}],
                    }
                ],
            },
        }
    ]


def test_empty_allow_from_admits_nobody(render) -> None:
    mocks = render(lambda: ClusterIPService("products", products({"allow_from": []})))
    [policy] = mocks.manifests("NetworkPolicy")
    assert policy["spec"] == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "products"}},
        "policyTypes": ["Ingress"],
        "ingress": [],
    }


def test_no_allow_from_means_no_network_policy(render) -> None:
    mocks = render(lambda: ClusterIPService("products", products({})))
    assert mocks.manifests("NetworkPolicy") == []


def test_a_peer_must_select_something() -> None:
    with pytest.raises(ValueError) as exc:
        ClusterIPService("products", products({"allow_from": [{}]}))
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'products': 'allow_from[0]' must set 'pod_selector', 'namespace_selector'"
        " or both, or 'ip_block'."
    )


def test_a_peer_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products({"allow_from": [{"podSelector": {"app": "orders"}}]}))
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'products': 'allow_from[0].podSelector' is not a field of a peer"
        " (PeerArgs). Did you mean 'pod_selector'?"
    )


def test_an_ip_block_peer_admits_clients_from_a_cidr(render) -> None:
    mocks = render(lambda: ClusterIPService("products", products({"allow_from": [{"ip_block": "0.0.0.0/0"}]})))
    [policy] = mocks.manifests("NetworkPolicy")
    assert policy["spec"]["ingress"] == [
        {"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": "http", "protocol": "TCP"}]}
    ]


def test_an_ip_block_peer_is_a_peer_of_its_own() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products({"allow_from": [{"ip_block": "10.0.0.0/8", "pod_selector": {"a": "b"}}]}))
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'products': 'allow_from[0].ip_block' cannot be combined with"
        " 'pod_selector' or 'namespace_selector'; make it a peer of its own."
    )


def test_a_port_name_may_repeat_in_another_container() -> None:
    # The API server checks port names per container
    # (kubernetes/kubernetes pkg/apis/core/validation/validation.go,
    # validateContainerPorts: `allNames` is per call); a named targetPort
    # then resolves to the first container declaring it (FindPort).
    built = plan(
        ClusterIPService.KIND,
        "products",
        products(
            {
                "containers": [
                    {"name": "app", "image": "x:1", "ports": [{"name": "http", "container_port": 8080}]},
                    {"name": "side", "image": "y:1", "ports": [{"name": "http", "container_port": 9090}]},
                ]
            }
        ),
    )
    assert built.service["spec"]["ports"] == [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}]
