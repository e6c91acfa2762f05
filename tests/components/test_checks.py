"""components._checks: the rules of k8s_rules on the objects a bundle emits,
reported against the argument each problem came from (issue: the pass-through
fields `containers` and `pod_spec` are checked like every other argument)."""

from __future__ import annotations

from typing import Any

import pytest

from components import ClusterIPService
from components._checks import plan

C = [{"name": "app", "image": "ghcr.io/acme/products:2.1.0", "ports": [{"name": "http", "container_port": 8080}]}]
PREFIX = "Unable to create ClusterIPService 'products': "


def container(**fields: Any) -> list[dict[str, Any]]:
    return [{**C[0], **fields}]


def products(**changes: Any) -> dict[str, Any]:
    return {"namespace": "shop", "containers": C, "ports": [{"name": "http", "port": 80}], **changes}


DOCKER_SOCKET = {"pod_spec": {"volumes": [{"name": "docker", "host_path": {"path": "/var/run/docker.sock"}}]}}

CASES = [
    # Pod Security Standards, kubernetes/pod-security-admission policy/check_*.go.
    pytest.param(
        products(**DOCKER_SOCKET),
        ValueError,
        "'pod_spec.volumes[0].host_path' ({'path': '/var/run/docker.sock'}) is not allowed under Pod Security"
        ' Standards "baseline" or "restricted": a hostPath volume gives the Pod the node\'s filesystem. Use another'
        " volume type, e.g. emptyDir or a persistentVolumeClaim.",
        id="hostpath_docker_socket",  # check_hostPathVolumes.go
    ),
    pytest.param(
        products(pod_security="baseline", **DOCKER_SOCKET),
        ValueError,
        "'pod_spec.volumes[0].host_path' ({'path': '/var/run/docker.sock'}) is not allowed under Pod Security"
        ' Standards "baseline" or "restricted": a hostPath volume gives the Pod the node\'s filesystem. Use another'
        " volume type, e.g. emptyDir or a persistentVolumeClaim.",
        id="hostpath_under_baseline",
    ),
    pytest.param(
        products(
            pod_security="baseline", containers=container(security_context={"se_linux_options": {"type": "spc_t"}})
        ),
        ValueError,
        "'containers[0].security_context.se_linux_options.type' (\"spc_t\") is not allowed under Pod Security"
        ' Standards "baseline" or "restricted": the SELinux type may only be container_engine_t, container_init_t,'
        " container_kvm_t, container_t. Use one of these or remove it.",
        id="selinux_spc_t",  # check_seLinuxOptions.go
    ),
    pytest.param(
        products(containers=container(security_context={"proc_mount": "Unmasked"})),
        ValueError,
        "'containers[0].security_context.proc_mount' (\"Unmasked\") is not allowed under Pod Security Standards"
        ' "restricted": the default /proc mount masks paths that expose the node, even in a Pod with hostUsers:'
        ' false. Remove it or set it to "Default".',
        id="proc_mount_unmasked",  # check_procMount.go
    ),
    pytest.param(
        products(pod_spec={"security_context": {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}}),
        ValueError,
        "'pod_spec.security_context.sysctls[0].name' (\"kernel.msgmax\") is not allowed under Pod Security"
        ' Standards "baseline" or "restricted": a Pod may set only the sysctls that are isolated from other Pods'
        " (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_local_reserved_ports,"
        " net.ipv4.ip_unprivileged_port_start, net.ipv4.ping_group_range, net.ipv4.tcp_fin_timeout,"
        " net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_keepalive_time,"
        " net.ipv4.tcp_notsent_lowat, net.ipv4.tcp_rmem, net.ipv4.tcp_slow_start_after_idle,"
        " net.ipv4.tcp_syncookies, net.ipv4.tcp_wmem). Remove it, or set it on the node.",
        id="unsafe_sysctl",  # check_sysctls.go
    ),
    pytest.param(
        products(containers=container(security_context={"capabilities": {"drop": ["NET_RAW"]}})),
        ValueError,
        "'containers[0].security_context.capabilities.drop' (['NET_RAW']) must include \"ALL\" under Pod Security"
        ' Standards "restricted": a container keeps the runtime\'s default capabilities unless it drops them all.'
        ' Add "ALL" to the list; or set \'pod_security\' to "baseline" if the image needs it.',
        id="drop_replaces_all",  # check_capabilities_restricted.go
    ),
    pytest.param(
        products(
            pod_spec={
                "init_containers": [
                    {"name": "setup", "image": "busybox:1.36", "security_context": {"privileged": True}}
                ]
            }
        ),
        ValueError,
        "'pod_spec.init_containers[0].security_context.privileged' (True) is not allowed under Pod Security"
        ' Standards "baseline" or "restricted": a privileged container has every capability and the node\'s'
        " devices. Remove it or set it to false, and add only the capabilities the container needs.",
        id="privileged_init_container",  # check_privileged.go
    ),
    pytest.param(
        products(pod_annotations={"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}),
        ValueError,
        '\'pod_annotations["container.apparmor.security.beta.kubernetes.io/app"]\' ("unconfined") is not allowed'
        ' under Pod Security Standards "baseline" or "restricted": only "runtime/default" and'
        ' "localhost/<profile>" AppArmor profiles are allowed. Use "runtime/default", or the'
        " securityContext.appArmorProfile field that replaces this annotation.",
        id="apparmor_annotation",  # check_appArmorProfile.go
    ),
    # An explicit null never removes a profile default silently.
    pytest.param(
        products(containers=container(security_context={"run_as_non_root": None})),
        ValueError,
        "'containers[0].security_context.run_as_non_root' (None) would remove the pod_security \"restricted\""
        " default (True); leave it out to keep the default, or set the value you want.",
        id="null_over_container_default",
    ),
    pytest.param(
        products(pod_spec={"security_context": {"seccomp_profile": None}}),
        ValueError,
        "'pod_spec.security_context.seccomp_profile' (None) would remove the pod_security \"restricted\" default"
        " ({'type': 'RuntimeDefault'}); leave it out to keep the default, or set the value you want.",
        id="null_over_pod_default",
    ),
    # The schema (kubernetes-validate's OpenAPI schemas) on pass-through fields.
    pytest.param(
        products(containers=container(env=[{"name": "DEBUG", "value": True}])),
        TypeError,
        "'containers[0].env[0].value' (True) must be a string, not a boolean.",
        id="env_value_bool",
    ),
    pytest.param(
        products(containers=container(env=[{"name": "PORT", "value": 8080}])),
        TypeError,
        "'containers[0].env[0].value' (8080) must be a string, not a number.",
        id="env_value_number",
    ),
    pytest.param(
        products(containers=container(args="--verbose")),
        TypeError,
        "'containers[0].args' (\"--verbose\") must be a list of strings, not a string.",
        id="args_as_string",
    ),
    # Service rules of the API server (kubernetes/kubernetes pkg/apis/core/validation/validation.go).
    pytest.param(
        products(ports=[{"name": "http", "port": 80, "app_protocol": "my proto"}]),
        ValueError,
        "'ports[0].app_protocol' (\"my proto\") name part must consist of letters, digits, '-', '_' or '.', and"
        " start and end with a letter or digit (e.g. 'MyName', 'my.name' or '123-abc'); appProtocol takes a"
        " label-key style name such as 'http', 'kubernetes.io/h2c' or 'example.com/proto'.",
        id="app_protocol_not_qualified_name",  # validateServicePort: IsQualifiedName
    ),
    pytest.param(
        products(ip_families=["IPv4", "IPv6"]),
        ValueError,
        "'ip_family_policy' is not set, so on create it defaults to SingleStack, which refuses the two families in"
        " ip_families; set it to PreferDualStack or RequireDualStack.",
        id="two_families_no_policy",  # pkg/registry/core/service/storage/alloc.go initIPFamilyFields
    ),
    # Wiring: kube-linter's readiness-port check.
    pytest.param(
        products(containers=container(readiness_probe={"http_get": {"path": "/", "port": "metrics"}})),
        ValueError,
        '\'containers[0].readiness_probe.http_get.port\' ("metrics") names no port of container "app" (it'
        " declares \"http\" 8080/TCP): the kubelet looks a probe's port name up in the container's own ports only,"
        " so the probe always fails: the Pod never becomes ready and gets no Service traffic; use a declared port"
        " name or number.",
        id="probe_port_undeclared",
    ),
    pytest.param(
        products(pod_spec={"ephemeral_containers": [{"name": "dbg", "image": "busybox:1.36"}]}),
        TypeError,
        "'pod_spec.ephemeral_containers' is not accepted: the API server refuses ephemeral containers when a Pod is"
        " created; add them later with `kubectl debug`.",
        id="ephemeral_containers_on_create",
    ),
]


@pytest.mark.parametrize(("args", "error", "message"), CASES)
def test_a_problem_in_an_emitted_object_is_reported_against_its_argument(
    args: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error) as exc:
        ClusterIPService("products", args)
    assert type(exc.value) is error
    assert str(exc.value) == PREFIX + message


def test_init_containers_get_the_profile_defaults() -> None:
    built = plan(
        ClusterIPService.KIND,
        "products",
        products(pod_spec={"init_containers": [{"name": "setup", "image": "busybox:1.36"}]}),
    )
    assert built.workload is not None
    assert built.workload["spec"]["initContainers"] == [
        {
            "name": "setup",
            "image": "busybox:1.36",
            "securityContext": {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "runAsNonRoot": True,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
        }
    ]


def test_the_checked_objects_are_the_registered_camel_case_objects() -> None:
    built = plan(
        ClusterIPService.KIND,
        "products",
        products(pod_spec={"node_selector": {"kubernetes.io/os": "linux"}, "host_users": False}),
    )
    assert built.workload is not None
    spec = built.workload["spec"]
    # Field names are translated with the provider's tables; map keys are data.
    assert spec["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert spec["hostUsers"] is False
    assert spec["automountServiceAccountToken"] is False


def test_a_problem_deep_in_a_pass_through_field_names_the_snake_case_path() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products(pod_spec={"node_selector": {"kubernetes.io/os": 1}}))
    assert (
        str(exc.value) == PREFIX + "'pod_spec.node_selector[\"kubernetes.io/os\"]' (1) must be a string, not a number."
    )


def test_a_numeric_quantity_is_accepted_as_kubernetes_accepts_it() -> None:
    # Quantities are int-or-string in the OpenAPI schema: `memory: 512` is 512 bytes.
    built = plan(
        ClusterIPService.KIND, "products", products(containers=container(resources={"limits": {"memory": 512}}))
    )
    assert built.workload is not None
    assert built.workload["spec"]["containers"][0]["resources"] == {"limits": {"memory": 512}}


def test_an_unknown_nested_key_is_refused_with_a_suggestion() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("products", products(containers=container(security_context={"run_as_nonroot": True})))
    assert str(exc.value) == PREFIX + (
        "'containers[0].security_context.run_as_nonroot' is not a field of a SecurityContext"
        " (SecurityContextArgsDict). Did you mean 'run_as_non_root'?"
    )


def test_a_restricted_only_problem_suggests_baseline_and_a_baseline_one_does_not() -> None:
    with pytest.raises(ValueError) as exc:
        ClusterIPService("products", products(containers=container(security_context={"run_as_user": 0})))
    assert str(exc.value).endswith("; or set 'pod_security' to \"baseline\" if the image needs it.")
    with pytest.raises(ValueError) as exc:
        ClusterIPService("products", products(**DOCKER_SOCKET))
    assert "set 'pod_security'" not in str(exc.value)
