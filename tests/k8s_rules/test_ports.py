"""check_container_ports against the upstream cases it follows
(kubernetes/kubernetes pkg/apis/core/validation, read at
000f26050b9be6fb3d79fae95e06b47fc96128cd)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k8s_rules import UNKNOWN
from k8s_rules.ports import check_container_ports


def pod(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = (), **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"containers": list(containers), **spec}
    if init:
        body["initContainers"] = list(init)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": body}


def ctr(name: str, *ports: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "image": "nginx", "ports": list(ports)}


def found(obj: Any) -> list[tuple[str, str]]:
    return [(p.rule, p.where) for p in check_container_ports(obj)]


# kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidatePorts successCase
# (and nonCanonicalCase): every port in one container.
def test_validate_ports_success_case() -> None:
    obj = pod(
        ctr(
            "c",
            {"name": "abc", "containerPort": 80, "hostPort": 80, "protocol": "TCP"},
            {"name": "easy", "containerPort": 82, "protocol": "TCP"},
            {"name": "as", "containerPort": 83, "protocol": "UDP"},
            {"name": "do-re-me", "containerPort": 84, "protocol": "SCTP"},
            {"containerPort": 85, "protocol": "TCP"},
        )
    )
    assert found(obj) == []
    assert found(pod(ctr("c", {"containerPort": 80, "protocol": "TCP"}))) == []


P = "spec.containers[0].ports"

# kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidatePorts errorCases:
# the first ten case ids are the upstream case names.
ERROR_CASES: list[tuple[str, list[dict[str, Any]], list[tuple[str, str]]]] = [
    (
        "name > 15 characters",
        [{"name": "a" * 16, "containerPort": 80, "protocol": "TCP"}],
        [("container-ports/name", f"{P}[0].name")],
    ),
    (
        "name contains invalid characters",
        [{"name": "a.b.c", "containerPort": 80, "protocol": "TCP"}],
        [("container-ports/name", f"{P}[0].name")],
    ),
    (
        "name is a number",
        [{"name": "80", "containerPort": 80, "protocol": "TCP"}],
        [("container-ports/name", f"{P}[0].name")],
    ),
    (
        "name not unique",
        [
            {"name": "abc", "containerPort": 80, "protocol": "TCP"},
            {"name": "abc", "containerPort": 81, "protocol": "TCP"},
        ],
        [("container-ports/name", f"{P}[1].name")],
    ),
    (
        "zero container port",
        [{"containerPort": 0, "protocol": "TCP"}],
        [("container-ports/container-port", f"{P}[0].containerPort")],
    ),
    (
        "invalid container port",
        [{"containerPort": 65536, "protocol": "TCP"}],
        [("container-ports/container-port", f"{P}[0].containerPort")],
    ),
    (
        "invalid host port",
        [{"containerPort": 80, "hostPort": 65536, "protocol": "TCP"}],
        [("container-ports/host-port", f"{P}[0].hostPort")],
    ),
    (
        "invalid protocol case",
        [{"containerPort": 80, "protocol": "tcp"}],
        [("container-ports/protocol", f"{P}[0].protocol")],
    ),
    (
        "invalid protocol",
        [{"containerPort": 80, "protocol": "ICMP"}],
        [("container-ports/protocol", f"{P}[0].protocol")],
    ),
    # "protocol required": accepted after v1 defaulting (ContainerPort.protocol defaults to TCP).
    ("protocol required", [{"name": "abc", "containerPort": 80}], []),
    # validateContainerPorts: a missing containerPort is the zero value, "Required".
    ("missing container port", [{"name": "abc"}], [("container-ports/container-port", f"{P}[0].containerPort")]),
    # IsValidPortNum on hostPort when it is not 0: negative numbers are refused.
    (
        "negative host port",
        [{"containerPort": 80, "hostPort": -1}],
        [("container-ports/host-port", f"{P}[0].hostPort")],
    ),
    ("host port 0 means none", [{"containerPort": 80, "hostPort": 0}], []),
]


@pytest.mark.parametrize(("name", "ports", "expected"), ERROR_CASES, ids=[case[0] for case in ERROR_CASES])
def test_validate_ports(name: str, ports: list[dict[str, Any]], expected: list[tuple[str, str]]) -> None:
    assert found(pod(ctr("c", *ports))) == expected


def test_port_names_need_only_be_unique_within_a_container() -> None:
    # validateContainerPorts keeps allNames per container; the same name in two
    # containers is only a warning upstream (pkg/api/pod/warnings.go).
    obj = pod(ctr("a", {"name": "http", "containerPort": 80}), ctr("b", {"name": "http", "containerPort": 8080}))
    assert found(obj) == []


def test_duplicate_container_ports_are_only_warnings() -> None:
    # pkg/api/pod/warnings.go: "duplicate port definition" is a warning, not an error.
    obj = pod(ctr("a", {"containerPort": 80}, {"containerPort": 80}), ctr("b", {"containerPort": 80}))
    assert found(obj) == []


HOST_PORT_CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    # validation.go validateContainers -> checkHostPortConflicts -> AccumulateUniqueHostPorts:
    # key "protocol/hostIP/hostPort" across all regular containers.
    (
        "same host port in two containers",
        pod(ctr("a", {"containerPort": 80, "hostPort": 8080}), ctr("b", {"containerPort": 81, "hostPort": 8080})),
        [("container-ports/host-port-conflict", "spec.containers[1].ports[0].hostPort")],
    ),
    (
        "same host port, TCP and UDP",
        pod(ctr("a", {"containerPort": 53, "hostPort": 53}, {"containerPort": 53, "hostPort": 53, "protocol": "UDP"})),
        [],
    ),
    (
        "same host port, different host IPs",
        pod(
            ctr("a", {"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.1"}),
            ctr("b", {"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.2"}),
        ),
        [],
    ),
    # The key is the hostIP string: "" and "0.0.0.0" do not collide upstream.
    (
        "same host port, empty and any host IP",
        pod(
            ctr("a", {"containerPort": 80, "hostPort": 8080}),
            ctr("b", {"containerPort": 80, "hostPort": 8080, "hostIP": "0.0.0.0"}),
        ),
        [],
    ),
    (
        "same host port twice in one container",
        pod(
            ctr(
                "a", {"containerPort": 80, "hostPort": 8080}, {"containerPort": 81, "hostPort": 8080, "protocol": "TCP"}
            )
        ),
        [("container-ports/host-port-conflict", "spec.containers[0].ports[1].hostPort")],
    ),
    # validateInitContainers: "Check for port conflicts in init containers individually
    # since init containers run one-by-one."
    (
        "init containers may reuse a host port",
        pod(
            ctr("main", {"containerPort": 80, "hostPort": 8080}),
            init=(
                ctr("i1", {"containerPort": 80, "hostPort": 8080}),
                ctr("i2", {"containerPort": 80, "hostPort": 8080}),
            ),
        ),
        [],
    ),
    (
        "one init container with the same host port twice",
        pod(
            ctr("main"),
            init=(ctr("i1", {"containerPort": 80, "hostPort": 8080}, {"containerPort": 81, "hostPort": 8080}),),
        ),
        [("container-ports/host-port-conflict", "spec.initContainers[0].ports[1].hostPort")],
    ),
    (
        "containers without host ports never clash",
        pod(ctr("a", {"containerPort": 80}), ctr("b", {"containerPort": 80})),
        [],
    ),
]


@pytest.mark.parametrize(("name", "obj", "expected"), HOST_PORT_CASES, ids=[case[0] for case in HOST_PORT_CASES])
def test_host_port_conflicts(name: str, obj: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert found(obj) == expected


def test_ephemeral_containers_may_not_declare_ports() -> None:
    # validation.go allowedEphemeralContainerFields: "Ports": false, refused by
    # validateFieldAllowList with "cannot be set for an Ephemeral Container".
    obj = pod(ctr("main"))
    obj["spec"]["ephemeralContainers"] = [{"name": "debug", "image": "busybox", "ports": [{"containerPort": 80}]}]
    assert found(obj) == [("container-ports/ephemeral", "spec.ephemeralContainers[0].ports")]
    # validateContainerCommon still checks the ports' own fields too.
    obj["spec"]["ephemeralContainers"][0]["ports"] = [{"containerPort": 0}]
    assert found(obj) == [
        ("container-ports/container-port", "spec.ephemeralContainers[0].ports[0].containerPort"),
        ("container-ports/ephemeral", "spec.ephemeralContainers[0].ports"),
    ]


HOST_NETWORK_CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    # validation.go validatePodHostNetworkDeps; TestValidateReplicationController "hostnet"
    # (hostNetwork template with containerPort 12345 and no hostPort) is valid.
    ("no host port", pod(ctr("c", {"containerPort": 12345}), hostNetwork=True), []),
    ("host port equals container port", pod(ctr("c", {"containerPort": 80, "hostPort": 80}), hostNetwork=True), []),
    (
        "host port differs",
        pod(ctr("c", {"containerPort": 80, "hostPort": 8080}), hostNetwork=True),
        [("container-ports/host-network", "spec.containers[0].ports[0].hostPort")],
    ),
    ("host port differs without hostNetwork", pod(ctr("c", {"containerPort": 80, "hostPort": 8080})), []),
    # Only spec.containers are checked upstream.
    (
        "init container host port differs",
        pod(ctr("c"), init=(ctr("i", {"containerPort": 80, "hostPort": 8080}),), hostNetwork=True),
        [],
    ),
    # SetDefaults_Pod (defaultHostNetworkPorts) gives a host-network Pod's ports
    # hostPort = containerPort before validation, so AccumulateUniqueHostPorts
    # then sees two containers on the same port.
    (
        "host-network Pod, two containers on one port",
        pod(ctr("a", {"containerPort": 8080}), ctr("b", {"containerPort": 8080}), hostNetwork=True),
        [("container-ports/host-port-conflict", "spec.containers[1].ports[0].hostPort")],
    ),
    (
        "host-network Pod, TCP and UDP on one port",
        pod(ctr("a", {"containerPort": 53}, {"containerPort": 53, "protocol": "UDP"}), hostNetwork=True),
        [],
    ),
    (
        "host-network Pod, init container reuses the port",
        pod(ctr("a", {"containerPort": 8080}), init=(ctr("i", {"containerPort": 8080}),), hostNetwork=True),
        [],
    ),
    # Pod templates are not defaulted that way (DefaultHostNetworkHostPortsInPodTemplates
    # is off), so the workload itself is accepted.
    (
        "host-network Deployment, two containers on one port",
        {
            "kind": "Deployment",
            "spec": {
                "template": {
                    "spec": {
                        "hostNetwork": True,
                        "containers": [ctr("a", {"containerPort": 8080}), ctr("b", {"containerPort": 8080})],
                    }
                }
            },
        },
        [],
    ),
]


@pytest.mark.parametrize(("name", "obj", "expected"), HOST_NETWORK_CASES, ids=[case[0] for case in HOST_NETWORK_CASES])
def test_host_network(name: str, obj: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert found(obj) == expected


def test_every_kind_with_a_pod() -> None:
    bad = {"containers": [ctr("c", {"containerPort": 0})]}
    deployment = {"kind": "Deployment", "spec": {"template": {"spec": bad}}}
    assert found(deployment) == [
        ("container-ports/container-port", "spec.template.spec.containers[0].ports[0].containerPort")
    ]
    cronjob = {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": bad}}}}}
    assert found(cronjob) == [
        ("container-ports/container-port", "spec.jobTemplate.spec.template.spec.containers[0].ports[0].containerPort")
    ]
    template = {"kind": "PodTemplate", "template": {"spec": bad}}
    assert found(template) == [("container-ports/container-port", "template.spec.containers[0].ports[0].containerPort")]
    assert found({"kind": "Service", "spec": bad}) == []


def test_messages() -> None:
    obj = pod(
        ctr("a", {"name": "http", "containerPort": 80, "hostPort": 8080}, {"name": "http", "containerPort": 81}),
        ctr("b", {"containerPort": 70000, "hostPort": 8080, "protocol": "tcp"}),
    )
    assert [str(p) for p in check_container_ports(obj)] == [
        "'spec.containers[0].ports[1].name' (\"http\") is already the name of spec.containers[0].ports[0] in this "
        "container; port names must be unique within a container.",
        "'spec.containers[1].ports[0].containerPort' (70000) must be between 1 and 65535.",
        '\'spec.containers[1].ports[0].protocol\' ("tcp") must be one of "TCP", "UDP", "SCTP".',
    ]
    clash = pod(ctr("a", {"containerPort": 80, "hostPort": 8080}), ctr("b", {"containerPort": 81, "hostPort": 8080}))
    assert [str(p) for p in check_container_ports(clash)] == [
        "'spec.containers[1].ports[0].hostPort' (8080) is already taken by spec.containers[0].ports[0] for TCP; "
        "a host port can be bound once per protocol and host IP."
    ]


def test_float_numbers_from_the_engine() -> None:
    assert found(pod(ctr("c", {"containerPort": 80.0, "hostPort": 8080.0}))) == []
    assert found(pod(ctr("c", {"containerPort": 80.5}))) == [
        ("container-ports/container-port", "spec.containers[0].ports[0].containerPort")
    ]
    assert found(pod(ctr("c", {"containerPort": True}))) == [
        ("container-ports/container-port", "spec.containers[0].ports[0].containerPort")
    ]
    # 8080.0 and 8080 are the same host port.
    clash = pod(ctr("a", {"containerPort": 80, "hostPort": 8080.0}), ctr("b", {"containerPort": 81, "hostPort": 8080}))
    assert found(clash) == [("container-ports/host-port-conflict", "spec.containers[1].ports[0].hostPort")]


def test_unknown_values_are_skipped() -> None:
    assert found(pod(ctr("c", {"name": UNKNOWN, "containerPort": UNKNOWN, "protocol": UNKNOWN}))) == []
    assert found(pod({"name": "c", "ports": UNKNOWN})) == []
    assert found(pod(ctr("c", UNKNOWN, {"containerPort": 0}))) == [
        ("container-ports/container-port", "spec.containers[0].ports[1].containerPort")
    ]
    clash = pod(ctr("a", {"containerPort": 80, "hostPort": UNKNOWN}), ctr("b", {"containerPort": 81, "hostPort": 8080}))
    assert found(clash) == []
    obj = pod(ctr("c", {"containerPort": 0}))
    obj["spec"] = UNKNOWN
    assert found(obj) == []


def test_does_not_modify_the_object() -> None:
    obj = pod(ctr("a", {"containerPort": 80, "hostPort": 8080}), hostNetwork=True)
    before = copy.deepcopy(obj)
    check_container_ports(obj)
    assert obj == before
