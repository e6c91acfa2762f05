"""The Pod Security Standards rules against upstream's own cases: the unit-test
tables of kubernetes/pod-security-admission ``policy/check_*_test.go`` and the
pass/fail fixtures of ``test/fixtures_*.go`` (as generated in
``test/testdata/{baseline,restricted}/v1.37``), read at commit 8f84a87c7f61."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k8s_rules import NO_VALUE, POD_PATHS, UNKNOWN, Problem, format_path
from k8s_rules.pod_security import (
    ALLOWED_SELINUX_TYPES,
    BASELINE_CAPABILITIES,
    CONTROL_IDS,
    LEVELS,
    RESTRICTED_VOLUME_TYPES,
    SAFE_SYSCTLS,
    check_pod_security,
    highest_level,
)

MISSING = NO_VALUE  # the value of a problem about a required field that is not set
Found = tuple[str, str, Any]


def found(problems: list[Problem]) -> list[Found]:
    """(check ID, path, value) of each problem, in order."""
    assert all(p.rule.startswith("pod-security/") for p in problems), problems
    return [(p.rule.removeprefix("pod-security/"), p.where, p.value) for p in problems]


def only(check_id: str, obj: Any, level: str) -> list[Found]:
    """What one check finds, as upstream's unit tests call one check function."""
    return [f for f in found(check_pod_security(obj, level)) if f[0] == check_id]


def pod(spec: dict[str, Any], annotations: dict[str, Any] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "test"}
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def sc(name: str, **security_context: Any) -> dict[str, Any]:
    """A container with that securityContext (upstream's ``{Name, SecurityContext}``)."""
    return {"name": name, "securityContext": security_context}


P_SC = "spec.securityContext"
I_SC = "spec.initContainers[0].securityContext"
C_SC = "spec.containers[0].securityContext"


def c_sc(index: int) -> str:
    return f"spec.containers[{index}].securityContext"


# --- the constants ------------------------------------------------------------


def test_constants_are_upstreams_newest_lists() -> None:
    # kubernetes/pod-security-admission policy/check_capabilities_baseline.go capabilities_allowed_1_0
    assert BASELINE_CAPABILITIES == {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }  # fmt: skip
    # policy/check_sysctls.go sysctlsAllowedV1Dot37
    assert SAFE_SYSCTLS == {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
        "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
    }  # fmt: skip
    # policy/check_restrictedVolumes.go restrictedVolumes_1_0 (image volumes included)
    assert RESTRICTED_VOLUME_TYPES == {
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
    }  # fmt: skip
    # policy/check_seLinuxOptions.go selinuxAllowedTypes1_31 (without "", which means unset)
    assert ALLOWED_SELINUX_TYPES == {"container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
    assert LEVELS == ("baseline", "restricted")


def test_each_level_runs_upstreams_checks_with_restricted_overrides() -> None:
    # policy/registry.go populate(): restricted runs the baseline checks that no
    # restricted check lists in OverrideCheckIDs.
    assert CONTROL_IDS == {
        "baseline": (
            "windowsHostProcess", "hostNamespaces", "privileged", "capabilities_baseline", "hostPathVolumes",
            "hostPorts", "hostProbesAndHostLifecycle", "appArmorProfile", "seLinuxOptions", "procMount",
            "seccompProfile_baseline", "sysctls",
        ),
        "restricted": (
            "windowsHostProcess", "hostNamespaces", "privileged", "hostPorts", "hostProbesAndHostLifecycle",
            "appArmorProfile", "seLinuxOptions", "sysctls", "restrictedVolumes", "allowPrivilegeEscalation",
            "runAsNonRoot", "runAsUser", "seccompProfile_restricted", "capabilities_restricted", "procMount_restricted",
        ),
    }  # fmt: skip


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="privileged"):
        check_pod_security(pod({}), "privileged")


# --- upstream unit tests: baseline checks ---------------------------------------

# kubernetes/pod-security-admission policy/check_windowsHostProcess_test.go TestWindowsHostProcess
# kubernetes/pod-security-admission policy/check_hostNamespaces_test.go TestHostNamespaces
# kubernetes/pod-security-admission policy/check_privileged_test.go TestPrivileged
# kubernetes/pod-security-admission policy/check_capabilities_baseline_test.go TestCapabilitiesBaseline
# kubernetes/pod-security-admission policy/check_hostPathVolumes_test.go TestHostPathVolumes
# kubernetes/pod-security-admission policy/check_hostPorts_test.go TestHostPort
BASELINE_UNIT_CASES: list[tuple[str, str, dict[str, Any], list[Found]]] = [
    (
        "TestWindowsHostProcess/host process",
        "windowsHostProcess",
        pod(
            {
                "securityContext": {"windowsOptions": {"hostProcess": True}},
                "containers": [
                    {"name": "a"},
                    sc("b"),
                    sc("c", windowsOptions={}),
                    sc("d", windowsOptions={"hostProcess": False}),
                    sc("e", windowsOptions={"hostProcess": True}),
                    sc("f", windowsOptions={"hostProcess": True}),
                ],
            }
        ),
        [
            ("windowsHostProcess", f"{P_SC}.windowsOptions.hostProcess", True),
            ("windowsHostProcess", f"{c_sc(4)}.windowsOptions.hostProcess", True),
            ("windowsHostProcess", f"{c_sc(5)}.windowsOptions.hostProcess", True),
        ],
    ),
    (
        "TestHostNamespaces/multiple host namespaces",
        "hostNamespaces",
        pod({"hostNetwork": True, "hostIPC": True, "hostPID": True}),
        [
            ("hostNamespaces", "spec.hostNetwork", True),
            ("hostNamespaces", "spec.hostPID", True),
            ("hostNamespaces", "spec.hostIPC", True),
        ],
    ),
    (
        "TestPrivileged/privileged",
        "privileged",
        pod(
            {
                "containers": [
                    {"name": "a"},
                    sc("b"),
                    sc("c", privileged=False),
                    sc("d", privileged=True),
                    sc("e", privileged=True),
                ]
            }
        ),
        [("privileged", f"{c_sc(3)}.privileged", True), ("privileged", f"{c_sc(4)}.privileged", True)],
    ),
    (
        "TestCapabilitiesBaseline/multiple containers",
        "capabilities_baseline",
        pod(
            {
                "containers": [
                    sc("a", capabilities={"add": ["FOO", "BAR"]}),
                    sc("b", capabilities={"add": ["BAR", "BAZ"]}),
                ]
            }
        ),
        [
            ("capabilities_baseline", f"{c_sc(0)}.capabilities.add[0]", "FOO"),
            ("capabilities_baseline", f"{c_sc(0)}.capabilities.add[1]", "BAR"),
            ("capabilities_baseline", f"{c_sc(1)}.capabilities.add[0]", "BAR"),
            ("capabilities_baseline", f"{c_sc(1)}.capabilities.add[1]", "BAZ"),
        ],
    ),
    (
        "TestHostPathVolumes/host path volumes",
        "hostPathVolumes",
        pod(
            {
                "volumes": [
                    {"name": "a", "hostPath": {}},
                    {"name": "b", "hostPath": {}},
                    {"name": "c", "emptyDir": {}},
                ]
            }
        ),
        [("hostPathVolumes", "spec.volumes[0].hostPath", {}), ("hostPathVolumes", "spec.volumes[1].hostPath", {})],
    ),
    (
        "TestHostPort/one container, one host port",
        "hostPorts",
        pod(
            {
                "containers": [
                    {"name": "a", "ports": [{"hostPort": 0}]},
                    {"name": "b", "ports": [{"hostPort": 0}, {"hostPort": 20}]},
                ]
            }
        ),
        [("hostPorts", "spec.containers[1].ports[1].hostPort", 20)],
    ),
    (
        "TestHostPort/multiple containers, multiple host port",
        "hostPorts",
        pod(
            {
                "containers": [
                    {"name": "a", "ports": [{"hostPort": 0}]},
                    {"name": "b", "ports": [{"hostPort": 0}, {"hostPort": 10}, {"hostPort": 20}]},
                    {"name": "c", "ports": [{"hostPort": 0}, {"hostPort": 10}, {"hostPort": 30}]},
                ]
            }
        ),
        [
            ("hostPorts", "spec.containers[1].ports[1].hostPort", 10),
            ("hostPorts", "spec.containers[1].ports[2].hostPort", 20),
            ("hostPorts", "spec.containers[2].ports[1].hostPort", 10),
            ("hostPorts", "spec.containers[2].ports[2].hostPort", 30),
        ],
    ),
]

# kubernetes/pod-security-admission policy/check_hostProbesAndhostLifecycle_test.go TestHostProbesAndHostLifecycle
BASELINE_UNIT_CASES += [
    (
        f"TestHostProbesAndHostLifecycle/{name}",
        "hostProbesAndHostLifecycle",
        pod(spec),
        [("hostProbesAndHostLifecycle", where, host) for where, host in expected],
    )
    for name, spec, expected in [
        (
            "valid pod with unset hosts",
            {
                "containers": [
                    {
                        "name": "a",
                        "livenessProbe": {"httpGet": {}},
                        "readinessProbe": {"tcpSocket": {}},
                        "lifecycle": {"postStart": {"httpGet": {}}},
                    }
                ]
            },
            [],
        ),
        (
            "invalid pod with local host IP as probe host",
            {
                "containers": [
                    {
                        "name": "a",
                        "livenessProbe": {"httpGet": {"host": "127.0.0.1"}},
                        "readinessProbe": {"tcpSocket": {"host": "::1"}},
                        "startupProbe": {"httpGet": {"host": "localhost"}},
                    }
                ]
            },
            [
                ("spec.containers[0].livenessProbe.httpGet.host", "127.0.0.1"),
                ("spec.containers[0].readinessProbe.tcpSocket.host", "::1"),
                ("spec.containers[0].startupProbe.httpGet.host", "localhost"),
            ],
        ),
        (
            "invalid httpget host in liveness probe",
            {"containers": [{"name": "a", "livenessProbe": {"httpGet": {"host": "invalid.host"}}}]},
            [("spec.containers[0].livenessProbe.httpGet.host", "invalid.host")],
        ),
        (
            "invalid tcpsocket host in readiness probe",
            {"containers": [{"name": "b", "readinessProbe": {"tcpSocket": {"host": "invalid.host"}}}]},
            [("spec.containers[0].readinessProbe.tcpSocket.host", "invalid.host")],
        ),
        (
            "invalid httpget host in startup probe",
            {"containers": [{"name": "c", "startupProbe": {"httpGet": {"host": "invalid.host"}}}]},
            [("spec.containers[0].startupProbe.httpGet.host", "invalid.host")],
        ),
        (
            "invalid poststart tcpsocket host",
            {"containers": [{"name": "d", "lifecycle": {"postStart": {"tcpSocket": {"host": "invalid.host"}}}}]},
            [("spec.containers[0].lifecycle.postStart.tcpSocket.host", "invalid.host")],
        ),
        (
            "invalid prestop httpget host",
            {"containers": [{"name": "e", "lifecycle": {"preStop": {"httpGet": {"host": "another.invalid.host"}}}}]},
            [("spec.containers[0].lifecycle.preStop.httpGet.host", "another.invalid.host")],
        ),
        (
            "multiple containers with multiple invalid hosts",
            {
                "containers": [
                    {"name": "valid"},
                    {"name": "invalid1", "livenessProbe": {"httpGet": {"host": "a.com"}}},
                    {
                        "name": "invalid2",
                        "lifecycle": {"preStop": {"tcpSocket": {"host": "b.com"}}},
                        "startupProbe": {"httpGet": {"host": "a.com"}},
                    },
                ]
            },
            [
                ("spec.containers[1].livenessProbe.httpGet.host", "a.com"),
                ("spec.containers[2].startupProbe.httpGet.host", "a.com"),
                ("spec.containers[2].lifecycle.preStop.tcpSocket.host", "b.com"),
            ],
        ),
        (
            "invalid ipv4 host in probe",
            {"containers": [{"name": "a", "livenessProbe": {"httpGet": {"host": "8.8.8.8"}}}]},
            [("spec.containers[0].livenessProbe.httpGet.host", "8.8.8.8")],
        ),
        (
            "invalid ipv6 host in probe",
            {"containers": [{"name": "a", "livenessProbe": {"tcpSocket": {"host": "2001:4860:4860::8888"}}}]},
            [("spec.containers[0].livenessProbe.tcpSocket.host", "2001:4860:4860::8888")],
        ),
        (
            "invalid host in initcontainer",
            {"initContainers": [{"name": "init", "livenessProbe": {"httpGet": {"host": "invalid.init.host"}}}]},
            [("spec.initContainers[0].livenessProbe.httpGet.host", "invalid.init.host")],
        ),
    ]
]

APPARMOR = "container.apparmor.security.beta.kubernetes.io/"

# kubernetes/pod-security-admission policy/check_appArmorProfile_test.go TestCheckAppArmor_Allowed
BASELINE_UNIT_CASES += [
    (f"TestCheckAppArmor_Allowed/{name}", "appArmorProfile", obj, [])
    for name, obj in [
        ("container with default AppArmor + extra annotations", pod({}, {APPARMOR + "test": "runtime/default", "env": "prod"})),
        ("container with local AppArmor + extra annotations", pod({}, {APPARMOR + "test": "localhost/sec-profile01", "env": "dev"})),
        ("container with no AppArmor annotations", pod({}, {"env": "dev"})),
        ("container with no annotations", pod({})),
        ("pod with runtime default", pod({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}})),
        ("container with localhost profile", pod({"containers": [sc("foo", appArmorProfile={"type": "RuntimeDefault"})]})),
    ]
]  # fmt: skip

# kubernetes/pod-security-admission policy/check_appArmorProfile_test.go TestCheckAppArmor_Forbidden
BASELINE_UNIT_CASES += [
    (
        "TestCheckAppArmor_Forbidden/unconfined pod",
        "appArmorProfile",
        pod({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}),
        [("appArmorProfile", f"{P_SC}.appArmorProfile.type", "Unconfined")],
    ),
    (
        "TestCheckAppArmor_Forbidden/unconfined container",
        "appArmorProfile",
        pod(
            {
                "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
                "containers": [sc("foo", appArmorProfile={"type": "Unconfined"})],
            }
        ),
        [("appArmorProfile", f"{C_SC}.appArmorProfile.type", "Unconfined")],
    ),
    (
        "TestCheckAppArmor_Forbidden/unconfined init container",
        "appArmorProfile",
        pod(
            {
                "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "foo"}],
                "initContainers": [sc("bar", appArmorProfile={"type": "Unconfined"})],
            }
        ),
        [("appArmorProfile", f"{I_SC}.appArmorProfile.type", "Unconfined")],
    ),
    (
        "TestCheckAppArmor_Forbidden/multiple containers",
        "appArmorProfile",
        pod(
            {},
            {
                APPARMOR: "bogus",
                APPARMOR + "a": "",
                APPARMOR + "b": "runtime/default",
                APPARMOR + "c": "localhost/",
                APPARMOR + "d": "localhost/foo",
                APPARMOR + "e": "unconfined",
                APPARMOR + "f": "unknown",
            },
        ),
        [
            ("appArmorProfile", f'metadata.annotations["{APPARMOR}"]', "bogus"),
            ("appArmorProfile", f'metadata.annotations["{APPARMOR}e"]', "unconfined"),
            ("appArmorProfile", f'metadata.annotations["{APPARMOR}f"]', "unknown"),
        ],
    ),
]


def _selinux(**options: str) -> dict[str, Any]:
    return {"seLinuxOptions": options}


_SELINUX_GOOD_CONTAINERS = [
    sc("a", **_selinux(type="container_t")),
    sc("b", **_selinux(type="container_init_t")),
    sc("c", **_selinux(type="container_kvm_t")),
    sc("d", **_selinux(type="container_engine_t")),
]
_SELINUX_BAD_CONTAINERS = [
    sc("e", **_selinux(type="bar")),
    sc("f", **_selinux(user="bar")),
    sc("g", **_selinux(role="baz")),
]
_SELINUX_BAD_POD = {"securityContext": _selinux(type="foo", user="bar", role="baz")}
_SELINUX_BAD_POD_FOUND = [
    ("seLinuxOptions", f"{P_SC}.seLinuxOptions.type", "foo"),
    ("seLinuxOptions", f"{P_SC}.seLinuxOptions.user", "bar"),
    ("seLinuxOptions", f"{P_SC}.seLinuxOptions.role", "baz"),
]
_SELINUX_BAD_CONTAINERS_FOUND = [
    ("seLinuxOptions", f"{c_sc(4)}.seLinuxOptions.type", "bar"),
    ("seLinuxOptions", f"{c_sc(5)}.seLinuxOptions.user", "bar"),
    ("seLinuxOptions", f"{c_sc(6)}.seLinuxOptions.role", "baz"),
]

# kubernetes/pod-security-admission policy/check_seLinuxOptions_test.go TestSELinuxOptions
BASELINE_UNIT_CASES += [
    (
        "TestSELinuxOptions/invalid pod and containers",
        "seLinuxOptions",
        pod({**_SELINUX_BAD_POD, "containers": _SELINUX_GOOD_CONTAINERS + _SELINUX_BAD_CONTAINERS}),
        _SELINUX_BAD_POD_FOUND + _SELINUX_BAD_CONTAINERS_FOUND,
    ),
    (
        "TestSELinuxOptions/invalid pod",
        "seLinuxOptions",
        pod({**_SELINUX_BAD_POD, "containers": _SELINUX_GOOD_CONTAINERS}),
        _SELINUX_BAD_POD_FOUND,
    ),
    (
        "TestSELinuxOptions/invalid containers",
        "seLinuxOptions",
        pod({"securityContext": _selinux(), "containers": _SELINUX_GOOD_CONTAINERS + _SELINUX_BAD_CONTAINERS}),
        _SELINUX_BAD_CONTAINERS_FOUND,
    ),
    (
        "TestSELinuxOptions/bad type",
        "seLinuxOptions",
        pod({"securityContext": _selinux(type="bad")}),
        [("seLinuxOptions", f"{P_SC}.seLinuxOptions.type", "bad")],
    ),
    (
        "TestSELinuxOptions/bad user",
        "seLinuxOptions",
        pod({"securityContext": _selinux(user="bad")}),
        [("seLinuxOptions", f"{P_SC}.seLinuxOptions.user", "bad")],
    ),
    (
        "TestSELinuxOptions/bad role",
        "seLinuxOptions",
        pod({"securityContext": _selinux(role="bad")}),
        [("seLinuxOptions", f"{P_SC}.seLinuxOptions.role", "bad")],
    ),
]

_PROC_MOUNT_CONTAINERS = [
    {"name": "a"},
    sc("b"),
    sc("c", procMount="Default"),
    sc("d", procMount="Unmasked"),
    sc("e", procMount="other"),
]

# kubernetes/pod-security-admission policy/check_procMount_baseline_test.go TestProcMountBaseline
BASELINE_UNIT_CASES += [
    (
        "TestProcMountBaseline/procMount",
        "procMount",
        pod({"containers": _PROC_MOUNT_CONTAINERS, "hostUsers": True}),
        [("procMount", f"{c_sc(3)}.procMount", "Unmasked"), ("procMount", f"{c_sc(4)}.procMount", "other")],
    ),
    (
        "TestProcMountBaseline/procMount with userns",
        "procMount",
        pod({"containers": _PROC_MOUNT_CONTAINERS, "hostUsers": False}),
        [],
    ),
]


def _seccomp(profile_type: str) -> dict[str, Any]:
    return {"seccompProfile": {"type": profile_type}}


_SECCOMP_CONTAINERS = [
    {"name": "a"},
    sc("b"),
    sc("c", **_seccomp("Unconfined")),
    sc("d", **_seccomp("Unconfined")),
    sc("e", **_seccomp("RuntimeDefault")),
    sc("f", **_seccomp("RuntimeDefault")),
]

# kubernetes/pod-security-admission policy/check_seccompProfile_baseline_test.go TestSeccompProfileBaseline_1_19
BASELINE_UNIT_CASES += [
    (
        "TestSeccompProfileBaseline_1_19/pod seccomp invalid",
        "seccompProfile_baseline",
        pod({"securityContext": _seccomp("Unconfined"), "containers": [{"name": "a"}]}),
        [("seccompProfile_baseline", f"{P_SC}.seccompProfile.type", "Unconfined")],
    ),
    (
        "TestSeccompProfileBaseline_1_19/containers seccomp invalid",
        "seccompProfile_baseline",
        pod({"securityContext": _seccomp("RuntimeDefault"), "containers": _SECCOMP_CONTAINERS}),
        [
            ("seccompProfile_baseline", f"{c_sc(2)}.seccompProfile.type", "Unconfined"),
            ("seccompProfile_baseline", f"{c_sc(3)}.seccompProfile.type", "Unconfined"),
        ],
    ),
    (
        "TestSeccompProfileBaseline_1_19/pod and containers seccomp invalid",
        "seccompProfile_baseline",
        pod({"securityContext": _seccomp("Unconfined"), "containers": _SECCOMP_CONTAINERS}),
        [
            ("seccompProfile_baseline", f"{P_SC}.seccompProfile.type", "Unconfined"),
            ("seccompProfile_baseline", f"{c_sc(2)}.seccompProfile.type", "Unconfined"),
            ("seccompProfile_baseline", f"{c_sc(3)}.seccompProfile.type", "Unconfined"),
        ],
    ),
    # TestSeccompProfileBaseline (the v1.0 check) refused the alpha annotations;
    # from v1.19 on, the newest version reads only the fields.
    (
        "TestSeccompProfileBaseline/pod and containers seccomp invalid (annotations ignored since v1.19)",
        "seccompProfile_baseline",
        pod(
            {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]},
            {
                "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
                "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
                "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
            },
        ),
        [],
    ),
]


def _sysctls(*names: str) -> dict[str, Any]:
    return {"securityContext": {"sysctls": [{"name": name, "value": "0"} for name in names]}}


# kubernetes/pod-security-admission policy/check_sysctls_test.go TestSysctls_1_37 (and the
# earlier TestSysctls*, whose "not supported" sysctls the newest version allows)
BASELINE_UNIT_CASES += [
    (
        "TestSysctls_1_37/forbidden sysctls",
        "sysctls",
        pod(_sysctls("a", "b")),
        [("sysctls", f"{P_SC}.sysctls[0].name", "a"), ("sysctls", f"{P_SC}.sysctls[1].name", "b")],
    ),
] + [
    (f"TestSysctls_1_37/new supported sysctls: {name}", "sysctls", pod(_sysctls(name)), [])
    for name in (
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
        "net.ipv4.tcp_slow_start_after_idle",
        "net.ipv4.tcp_notsent_lowat",
    )
]


# Under "restricted" these baseline checks are replaced by stricter ones
# (OverrideCheckIDs in policy/check_*.go), which the fixtures below exercise.
OVERRIDDEN = {"hostPathVolumes", "capabilities_baseline", "seccompProfile_baseline", "procMount"}


@pytest.mark.parametrize(
    ("level", "check_id", "obj", "expected"),
    [
        pytest.param(level, *case[1:], id=f"{level}/{case[0]}")
        for case in BASELINE_UNIT_CASES
        for level in LEVELS
        if level == "baseline" or case[1] not in OVERRIDDEN
    ],
)
def test_upstream_unit_cases_baseline(level: str, check_id: str, obj: Any, expected: list[Found]) -> None:
    assert only(check_id, obj, level) == expected


# --- upstream unit tests: restricted checks -----------------------------------

_VOLUME_SOURCES = [
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd",
    "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
    "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
]  # fmt: skip
_ALLOWED_SOURCES = [
    "emptyDir", "secret", "persistentVolumeClaim", "downwardAPI", "configMap", "projected", "csi", "ephemeral", "image",
]  # fmt: skip

RESTRICTED_UNIT_CASES: list[tuple[str, str, dict[str, Any], list[Found]]] = [
    # kubernetes/pod-security-admission policy/check_restrictedVolumes_test.go TestRestrictedVolumes
    (
        "TestRestrictedVolumes/host path volumes",
        "restrictedVolumes",
        pod(
            {
                "volumes": [{"name": f"a{i}", source: {}} for i, source in enumerate(_ALLOWED_SOURCES, 1)]
                + [{"name": f"b{i}", source: {}} for i, source in enumerate(_VOLUME_SOURCES, 1)]
                # Upstream's unit test calls c1 (no source) "unknown"; the API server
                # defaults such a volume to emptyDir before admission, which is why
                # test/fixtures_restrictedVolumes.go passes "volume0" (see the fixtures).
                + [{"name": "c1"}]
            }
        ),
        [
            ("restrictedVolumes", f"spec.volumes[{i}].{source}", {})
            for i, source in enumerate(_VOLUME_SOURCES, len(_ALLOWED_SOURCES))
        ],
    ),
    # kubernetes/pod-security-admission policy/check_allowPrivilegeEscalation_test.go TestAllowPrivilegeEscalation_1_25
    (
        "TestAllowPrivilegeEscalation_1_25/multiple containers",
        "allowPrivilegeEscalation",
        pod(
            {
                "containers": [
                    {"name": "a"},
                    sc("b", allowPrivilegeEscalation=None),
                    sc("c", allowPrivilegeEscalation=True),
                    sc("d", allowPrivilegeEscalation=False),
                ]
            }
        ),
        [
            ("allowPrivilegeEscalation", f"{c_sc(0)}.allowPrivilegeEscalation", MISSING),
            ("allowPrivilegeEscalation", f"{c_sc(1)}.allowPrivilegeEscalation", MISSING),
            ("allowPrivilegeEscalation", f"{c_sc(2)}.allowPrivilegeEscalation", True),
        ],
    ),
    (
        "TestAllowPrivilegeEscalation_1_25/windows pod, admit without checking privilegeEscalation",
        "allowPrivilegeEscalation",
        pod({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
        [],
    ),
    (
        "TestAllowPrivilegeEscalation_1_25/linux pod, reject if security context is not set",
        "allowPrivilegeEscalation",
        pod({"os": {"name": "linux"}, "containers": [{"name": "a"}]}),
        [("allowPrivilegeEscalation", f"{C_SC}.allowPrivilegeEscalation", MISSING)],
    ),
    # kubernetes/pod-security-admission policy/check_runAsNonRoot_test.go TestRunAsNonRoot
    (
        "TestRunAsNonRoot/no explicit runAsNonRoot",
        "runAsNonRoot",
        pod({"containers": [{"name": "a"}]}),
        [("runAsNonRoot", f"{C_SC}.runAsNonRoot", MISSING)],
    ),
    (
        "TestRunAsNonRoot/pod runAsNonRoot=false",
        "runAsNonRoot",
        pod({"securityContext": {"runAsNonRoot": False}, "containers": [{"name": "a"}]}),
        [("runAsNonRoot", f"{P_SC}.runAsNonRoot", False)],
    ),
    (
        "TestRunAsNonRoot/containers runAsNonRoot=false",
        "runAsNonRoot",
        pod(
            {
                "securityContext": {"runAsNonRoot": True},
                "containers": [
                    {"name": "a"},
                    sc("b"),
                    sc("c", runAsNonRoot=False),
                    sc("d", runAsNonRoot=False),
                    sc("e", runAsNonRoot=True),
                    sc("f", runAsNonRoot=True),
                ],
            }
        ),
        [("runAsNonRoot", f"{c_sc(2)}.runAsNonRoot", False), ("runAsNonRoot", f"{c_sc(3)}.runAsNonRoot", False)],
    ),
    (
        "TestRunAsNonRoot/pod nil, container fallthrough",
        "runAsNonRoot",
        pod({"containers": [{"name": "a"}, sc("b"), sc("d", runAsNonRoot=True), sc("e", runAsNonRoot=True)]}),
        [("runAsNonRoot", f"{c_sc(0)}.runAsNonRoot", MISSING), ("runAsNonRoot", f"{c_sc(1)}.runAsNonRoot", MISSING)],
    ),
    ("TestRunAsNonRoot/host users false allowed", "runAsNonRoot", pod({"hostUsers": False}), []),
    (
        "TestRunAsNonRoot/host users false allowed (containers set false)",
        "runAsNonRoot",
        pod(
            {
                "hostUsers": False,
                "securityContext": {"runAsNonRoot": False},
                "containers": [sc("a", runAsNonRoot=False)],
            }
        ),
        [],
    ),
    # kubernetes/pod-security-admission policy/check_runAsUser_test.go TestRunAsUser
    (
        "TestRunAsUser/pod runAsUser=0",
        "runAsUser",
        pod({"securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}),
        [("runAsUser", f"{P_SC}.runAsUser", 0)],
    ),
    (
        "TestRunAsUser/pod runAsUser=non-zero",
        "runAsUser",
        pod({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "a"}]}),
        [],
    ),
    (
        "TestRunAsUser/pod runAsUser=nil",
        "runAsUser",
        pod({"securityContext": {"runAsUser": None}, "containers": [{"name": "a"}]}),
        [],
    ),
    (
        "TestRunAsUser/containers runAsUser=0",
        "runAsUser",
        pod(
            {
                "securityContext": {"runAsUser": 1000},
                "containers": [
                    {"name": "a"},
                    sc("b"),
                    sc("c", runAsUser=0),
                    sc("d", runAsUser=0),
                    sc("e", runAsUser=1),
                    sc("f", runAsUser=1),
                ],
            }
        ),
        [("runAsUser", f"{c_sc(2)}.runAsUser", 0), ("runAsUser", f"{c_sc(3)}.runAsUser", 0)],
    ),
    (
        "TestRunAsUser/containers runAsUser=non-zero",
        "runAsUser",
        pod({"containers": [sc(name, runAsUser=uid) for uid, name in enumerate("cdef", 1)]}),
        [],
    ),
    ("TestRunAsUser/host users false allowed", "runAsUser", pod({"hostUsers": False}), []),
    (
        "TestRunAsUser/host users false allowed (UID 0 set)",
        "runAsUser",
        pod({"hostUsers": False, "securityContext": {"runAsUser": 0}, "containers": [sc("a", runAsUser=0)]}),
        [],
    ),
    # kubernetes/pod-security-admission policy/check_seccompProfile_restricted_test.go TestSeccompProfileRestricted_1_25
    (
        "TestSeccompProfileRestricted_1_25/no explicit seccomp",
        "seccompProfile_restricted",
        pod({"containers": [{"name": "a"}]}),
        [("seccompProfile_restricted", f"{C_SC}.seccompProfile", MISSING)],
    ),
    (
        "TestSeccompProfileRestricted_1_25/no explicit seccomp, windows Pod",
        "seccompProfile_restricted",
        pod({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
        [],
    ),
    (
        "TestSeccompProfileRestricted_1_25/no explicit seccomp, linux pod",
        "seccompProfile_restricted",
        pod({"os": {"name": "linux"}, "containers": [{"name": "a"}]}),
        [("seccompProfile_restricted", f"{C_SC}.seccompProfile", MISSING)],
    ),
    (
        "TestSeccompProfileRestricted_1_25/pod seccomp invalid",
        "seccompProfile_restricted",
        pod({"securityContext": _seccomp("Unconfined"), "containers": [{"name": "a"}]}),
        [("seccompProfile_restricted", f"{P_SC}.seccompProfile.type", "Unconfined")],
    ),
    (
        "TestSeccompProfileRestricted_1_25/containers seccomp invalid",
        "seccompProfile_restricted",
        pod({"securityContext": _seccomp("RuntimeDefault"), "containers": _SECCOMP_CONTAINERS}),
        [
            ("seccompProfile_restricted", f"{c_sc(2)}.seccompProfile.type", "Unconfined"),
            ("seccompProfile_restricted", f"{c_sc(3)}.seccompProfile.type", "Unconfined"),
        ],
    ),
    (
        "TestSeccompProfileRestricted_1_25/pod nil, container fallthrough",
        "seccompProfile_restricted",
        pod(
            {
                "containers": [
                    {"name": "a"},
                    sc("b"),
                    sc("d", **_seccomp("RuntimeDefault")),
                    sc("e", **_seccomp("RuntimeDefault")),
                ]
            }
        ),
        [
            ("seccompProfile_restricted", f"{c_sc(0)}.seccompProfile", MISSING),
            ("seccompProfile_restricted", f"{c_sc(1)}.seccompProfile", MISSING),
        ],
    ),
    # kubernetes/pod-security-admission policy/check_capabilities_restricted_test.go TestCapabilitiesRestricted_1_25
    (
        "TestCapabilitiesRestricted_1_25/multiple containers",
        "capabilities_restricted",
        pod(
            {
                "containers": [
                    sc("a", capabilities={"add": ["FOO", "BAR"]}),
                    sc("b", capabilities={"add": ["BAR", "BAZ"]}),
                    sc("c", capabilities={"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL", "FOO"]}),
                ]
            }
        ),
        [
            ("capabilities_restricted", f"{c_sc(0)}.capabilities.drop", MISSING),
            ("capabilities_restricted", f"{c_sc(0)}.capabilities.add[0]", "FOO"),
            ("capabilities_restricted", f"{c_sc(0)}.capabilities.add[1]", "BAR"),
            ("capabilities_restricted", f"{c_sc(1)}.capabilities.drop", MISSING),
            ("capabilities_restricted", f"{c_sc(1)}.capabilities.add[0]", "BAR"),
            ("capabilities_restricted", f"{c_sc(1)}.capabilities.add[1]", "BAZ"),
            ("capabilities_restricted", f"{c_sc(2)}.capabilities.add[1]", "CHOWN"),
        ],
    ),
    (
        "TestCapabilitiesRestricted_1_25/windows pod, admit without checking capabilities",
        "capabilities_restricted",
        pod({"os": {"name": "windows"}, "containers": [{"name": "a"}]}),
        [],
    ),
    (
        "TestCapabilitiesRestricted_1_25/linux pod, reject if security context is not set",
        "capabilities_restricted",
        pod({"os": {"name": "linux"}, "containers": [{"name": "a"}]}),
        [("capabilities_restricted", f"{C_SC}.capabilities.drop", MISSING)],
    ),
    # kubernetes/pod-security-admission policy/check_procMount_restricted_test.go TestProcMountRestricted
    *(
        (
            f"TestProcMountRestricted/procMount (hostUsers: {host_users})",
            "procMount_restricted",
            pod({"containers": _PROC_MOUNT_CONTAINERS, "hostUsers": host_users}),
            [
                ("procMount_restricted", f"{c_sc(3)}.procMount", "Unmasked"),
                ("procMount_restricted", f"{c_sc(4)}.procMount", "other"),
            ],
        )
        for host_users in (True, False)
    ),
]


@pytest.mark.parametrize(
    ("check_id", "obj", "expected"),
    [case[1:] for case in RESTRICTED_UNIT_CASES],
    ids=[case[0] for case in RESTRICTED_UNIT_CASES],
)
def test_upstream_unit_cases_restricted(check_id: str, obj: Any, expected: list[Found]) -> None:
    assert only(check_id, obj, "restricted") == expected
    # Restricted-only checks never run under "baseline".
    assert only(check_id, obj, "baseline") == []


# --- upstream fixtures: test/fixtures_*.go ----------------------------------------

# test/fixtures.go: the minimal valid Pods every fixture starts from.
BASELINE_POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "fixture"},
    "spec": {
        "initContainers": [{"name": "initcontainer1", "image": "registry.k8s.io/pause"}],
        "containers": [{"name": "container1", "image": "registry.k8s.io/pause"}],
    },
}
RESTRICTED_POD: dict[str, Any] = copy.deepcopy(BASELINE_POD)
RESTRICTED_POD["spec"]["securityContext"] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
for _container in (*RESTRICTED_POD["spec"]["initContainers"], *RESTRICTED_POD["spec"]["containers"]):
    _container["securityContext"] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}

Edit = tuple[tuple[str | int, ...], Any]
POD_SC: tuple[str | int, ...] = ("spec", "securityContext")
C0: tuple[str | int, ...] = ("spec", "containers", 0)
I0: tuple[str | int, ...] = ("spec", "initContainers", 0)
C0_SC = (*C0, "securityContext")
I0_SC = (*I0, "securityContext")
ANNOTATIONS: tuple[str | int, ...] = ("metadata", "annotations")


def tweak(base: dict[str, Any], edits: list[Edit]) -> dict[str, Any]:
    """A copy of ``base`` with each (path, value) set, creating mappings on the way."""
    obj = copy.deepcopy(base)
    for path, value in edits:
        target: Any = obj
        for key in path[:-1]:
            if isinstance(key, str) and target.get(key) is None:
                target[key] = {}
            target = target[key]
        target[path[-1]] = copy.deepcopy(value)  # tables share values: keep them unchanged
    return obj


DEFAULT_CAPABILITIES = [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]  # fmt: skip
DROP_WITHOUT_ALL = [
    "SYS_TIME", "SYS_MODULE", "SYS_RAWIO", "SYS_PACCT", "SYS_ADMIN", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
    "SYS_TTY_CONFIG", "MKNOD", "AUDIT_WRITE", "AUDIT_CONTROL", "MAC_OVERRIDE", "MAC_ADMIN", "NET_ADMIN", "SYSLOG",
    "CHOWN", "NET_RAW", "DAC_OVERRIDE", "FOWNER", "DAC_READ_SEARCH", "FSETID", "KILL", "SETGID", "SETUID",
    "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "IPC_LOCK", "IPC_OWNER", "SYS_CHROOT", "SYS_PTRACE",
    "SYS_BOOT", "LEASE", "SETFCAP", "WAKE_ALARM", "BLOCK_SUSPEND",
]  # fmt: skip
WINDOWS_OPTIONS: list[Edit] = [
    ((*POD_SC, "windowsOptions"), {}),
    ((*C0_SC, "windowsOptions"), {}),
    ((*I0_SC, "windowsOptions"), {}),
]
SELINUX_OPTIONS: list[Edit] = [
    ((*POD_SC, "seLinuxOptions"), {}),
    ((*C0_SC, "seLinuxOptions"), {}),
    ((*I0_SC, "seLinuxOptions"), {}),
]
NOT_RUN = None  # upstream does not generate this fixture for that level

# (testdata name, edits, expected under "baseline" on BASELINE_POD, expected under
# "restricted" on RESTRICTED_POD). Baseline fixtures are registered for both levels
# (test/fixtures.go registerFixtureGenerator); restricted ones only for restricted.
FIXTURES: list[tuple[str, list[Edit], list[Found] | None, list[Found] | None]] = [
    ("pass/base", [], [], []),
    ("pass/base_linux", [(("spec", "os"), {"name": "linux"})], NOT_RUN, []),
    # test/fixtures.go restricted_1_25_windows: none of the v1.8+ requirements apply.
    ("pass/base_windows", [], NOT_RUN, NOT_RUN),
    # test/fixtures_windowsHostProcess.go
    (
        "fail/windowshostprocess0",
        [*WINDOWS_OPTIONS, (("spec", "hostNetwork"), True), ((*POD_SC, "windowsOptions", "hostProcess"), True)],
        [
            ("windowsHostProcess", f"{P_SC}.windowsOptions.hostProcess", True),
            ("hostNamespaces", "spec.hostNetwork", True),
        ],
        [
            ("windowsHostProcess", f"{P_SC}.windowsOptions.hostProcess", True),
            ("hostNamespaces", "spec.hostNetwork", True),
        ],
    ),
    (
        "fail/windowshostprocess1",
        [
            *WINDOWS_OPTIONS,
            (("spec", "hostNetwork"), True),
            ((*C0_SC, "windowsOptions", "hostProcess"), True),
            ((*I0_SC, "windowsOptions", "hostProcess"), True),
        ],
        [
            ("windowsHostProcess", f"{I_SC}.windowsOptions.hostProcess", True),
            ("windowsHostProcess", f"{C_SC}.windowsOptions.hostProcess", True),
            ("hostNamespaces", "spec.hostNetwork", True),
        ],
        [
            ("windowsHostProcess", f"{I_SC}.windowsOptions.hostProcess", True),
            ("windowsHostProcess", f"{C_SC}.windowsOptions.hostProcess", True),
            ("hostNamespaces", "spec.hostNetwork", True),
        ],
    ),
    # test/fixtures_hostNamespaces.go
    *(
        (f"fail/hostnamespaces{i}", [(("spec", field), True)], [found_], [found_])
        for i, field in enumerate(("hostIPC", "hostNetwork", "hostPID"))
        for found_ in [("hostNamespaces", f"spec.{field}", True)]
    ),
    # test/fixtures_privileged.go
    (
        "pass/privileged0",
        [((*C0_SC, "privileged"), False), ((*I0_SC, "privileged"), False)],
        [],
        [],
    ),
    *(
        (
            f"fail/privileged{i}",
            [((*target, "privileged"), True), ((*target, "allowPrivilegeEscalation"), None)],
            [("privileged", f"{where}.privileged", True)],
            [
                ("privileged", f"{where}.privileged", True),
                ("allowPrivilegeEscalation", f"{where}.allowPrivilegeEscalation", MISSING),
            ],
        )
        for i, (target, where) in enumerate(((C0_SC, C_SC), (I0_SC, I_SC)))
    ),
    # test/fixtures_capabilities_baseline.go (generatePass returns nothing once drop has "ALL")
    (
        "pass/capabilities_baseline0",
        [
            ((*C0_SC, "capabilities", "add"), DEFAULT_CAPABILITIES),
            ((*I0_SC, "capabilities", "add"), DEFAULT_CAPABILITIES),
        ],
        [],
        NOT_RUN,
    ),
    *(
        (
            f"fail/capabilities_baseline{i}",
            [((*target, "capabilities", "add"), [capability])],
            [("capabilities_baseline", f"{where}.capabilities.add[0]", capability)],
            [("capabilities_restricted", f"{where}.capabilities.add[0]", capability)],
        )
        for i, (target, where, capability) in enumerate(
            ((C0_SC, C_SC, "NET_RAW"), (I0_SC, I_SC, "NET_RAW"), (C0_SC, C_SC, "chown"), (C0_SC, C_SC, "CAP_CHOWN"))
        )
    ),
    # test/fixtures_hostPathVolumes.go (restrictedVolumes replaces hostPathVolumes under "restricted")
    *(
        (
            f"fail/hostpathvolumes{i}",
            [(("spec", "volumes"), volumes)],
            [("hostPathVolumes", f"spec.volumes[{n}].hostPath", {"path": path}) for n, path in bad],
            [("restrictedVolumes", f"spec.volumes[{n}].hostPath", {"path": path}) for n, path in bad],
        )
        for i, (volumes, bad) in enumerate(
            (
                (
                    [
                        {"name": "volume-emptydir", "emptyDir": {}},
                        {"name": "volume-hostpath", "hostPath": {"path": "/a"}},
                    ],
                    [(1, "/a")],
                ),
                (
                    [
                        {"name": "volume-hostpath-a", "hostPath": {"path": "/a"}},
                        {"name": "volume-hostpath-b", "hostPath": {"path": "/b"}},
                    ],
                    [(0, "/a"), (1, "/b")],
                ),
            )
        )
    ),
    # test/fixtures_hostPorts.go
    (
        "pass/hostports0",
        [((*C0, "ports"), [{"containerPort": 12345}]), ((*I0, "ports"), [{"containerPort": 12346}])],
        [],
        [],
    ),
    (
        "fail/hostports0",
        [((*C0, "ports"), [{"containerPort": 12345, "hostPort": 12345}])],
        [("hostPorts", "spec.containers[0].ports[0].hostPort", 12345)],
        [("hostPorts", "spec.containers[0].ports[0].hostPort", 12345)],
    ),
    (
        "fail/hostports1",
        [((*I0, "ports"), [{"containerPort": 12346, "hostPort": 12346}])],
        [("hostPorts", "spec.initContainers[0].ports[0].hostPort", 12346)],
        [("hostPorts", "spec.initContainers[0].ports[0].hostPort", 12346)],
    ),
    (
        "fail/hostports2",
        [
            ((*C0, "ports"), [{"containerPort": 12345, "hostPort": 12345}, {"containerPort": 12347}]),
            ((*I0, "ports"), [{"containerPort": 12346, "hostPort": 12346}, {"containerPort": 12348}]),
        ],
        [
            ("hostPorts", "spec.initContainers[0].ports[0].hostPort", 12346),
            ("hostPorts", "spec.containers[0].ports[0].hostPort", 12345),
        ],
        [
            ("hostPorts", "spec.initContainers[0].ports[0].hostPort", 12346),
            ("hostPorts", "spec.containers[0].ports[0].hostPort", 12345),
        ],
    ),
    # test/fixtures_hostProbesAndHostLifecycle.go
    ("pass/hostprobesandhostlifecycle0", [], [], []),
    ("pass/hostprobesandhostlifecycle1", [((*C0, "livenessProbe"), {"httpGet": {"port": 8080}})], [], []),
    ("pass/hostprobesandhostlifecycle2", [((*C0, "readinessProbe"), {"tcpSocket": {"port": 8080}})], [], []),
    *(
        (
            f"fail/hostprobesandhostlifecycle{i}",
            edits,
            [("hostProbesAndHostLifecycle", where, host)],
            [("hostProbesAndHostLifecycle", where, host)],
        )
        for i, (edits, where, host) in enumerate(
            (
                (
                    [((*C0, "livenessProbe"), {"httpGet": {"host": "bad.host", "port": 8080}})],
                    "spec.containers[0].livenessProbe.httpGet.host",
                    "bad.host",
                ),
                (
                    [
                        ((*I0, "restartPolicy"), "Always"),
                        ((*I0, "readinessProbe"), {"tcpSocket": {"host": "8.8.8.8", "port": 8080}}),
                    ],
                    "spec.initContainers[0].readinessProbe.tcpSocket.host",
                    "8.8.8.8",
                ),
                (
                    [((*C0, "lifecycle"), {"postStart": {"httpGet": {"host": "bad.host", "port": 8080}}})],
                    "spec.containers[0].lifecycle.postStart.httpGet.host",
                    "bad.host",
                ),
                (
                    [((*C0, "livenessProbe"), {"httpGet": {"host": "127.0.0.1", "port": 8080}})],
                    "spec.containers[0].livenessProbe.httpGet.host",
                    "127.0.0.1",
                ),
                (
                    [((*C0, "readinessProbe"), {"tcpSocket": {"host": "::1", "port": 8080}})],
                    "spec.containers[0].readinessProbe.tcpSocket.host",
                    "::1",
                ),
            )
        )
    ),
    # test/fixtures_appArmorProfile.go (the pass case sets the container1 annotation twice)
    ("pass/apparmorprofile0", [(ANNOTATIONS, {APPARMOR + "container1": "localhost/foo"})], [], []),
    *(
        (
            f"fail/apparmorprofile{i}",
            [(ANNOTATIONS, {APPARMOR + name: "unconfined"})],
            [("appArmorProfile", f'metadata.annotations["{APPARMOR}{name}"]', "unconfined")],
            [("appArmorProfile", f'metadata.annotations["{APPARMOR}{name}"]', "unconfined")],
        )
        for i, name in enumerate(("container1", "initcontainer1"))
    ),
    # test/fixtures_seLinuxOptions.go
    (
        "pass/selinuxoptions0",
        [*SELINUX_OPTIONS, ((*POD_SC, "seLinuxOptions"), None), ((*C0_SC, "seLinuxOptions"), None)],
        [],
        [],
    ),
    (
        "pass/selinuxoptions1",
        [
            *SELINUX_OPTIONS,
            ((*POD_SC, "seLinuxOptions", "type"), "container_t"),
            ((*C0_SC, "seLinuxOptions", "type"), "container_init_t"),
            ((*I0_SC, "seLinuxOptions", "type"), "container_kvm_t"),
            ((*POD_SC, "seLinuxOptions", "level"), ""),
            ((*C0_SC, "seLinuxOptions", "level"), "somevalue"),
        ],
        [],
        [],
    ),
    *(
        (
            f"fail/selinuxoptions{i}",
            [*SELINUX_OPTIONS, ((*target, "seLinuxOptions", field), "somevalue")],
            [("seLinuxOptions", f"{where}.seLinuxOptions.{field}", "somevalue")],
            [("seLinuxOptions", f"{where}.seLinuxOptions.{field}", "somevalue")],
        )
        for i, (target, where, field) in enumerate(
            (
                (POD_SC, P_SC, "type"),
                (C0_SC, C_SC, "type"),
                (I0_SC, I_SC, "type"),
                (POD_SC, P_SC, "user"),
                (POD_SC, P_SC, "role"),
            )
        )
    ),
    # test/fixtures_procMount.go fixtureData1_35baseline (procMount_restricted replaces it under "restricted")
    (
        "pass/procmount0",
        [(("spec", "hostUsers"), False), ((*C0_SC, "procMount"), "Default"), ((*I0_SC, "procMount"), "Default")],
        [],
        [],
    ),
    (
        # generated for "baseline" only: "restricted" keeps /proc masked in a user namespace.
        "pass/procmount1",
        [(("spec", "hostUsers"), False), ((*C0_SC, "procMount"), "Unmasked"), ((*I0_SC, "procMount"), "Unmasked")],
        [],
        [
            ("procMount_restricted", f"{I_SC}.procMount", "Unmasked"),
            ("procMount_restricted", f"{C_SC}.procMount", "Unmasked"),
        ],
    ),
    *(
        (
            f"fail/procmount{i}",
            [(("spec", "hostUsers"), True), ((*target, "procMount"), "Unmasked")],
            [("procMount", f"{where}.procMount", "Unmasked")],
            [("procMount_restricted", f"{where}.procMount", "Unmasked")],
        )
        for i, (target, where) in enumerate(((C0_SC, C_SC), (I0_SC, I_SC)))
    ),
    # test/fixtures_procMount.go fixtureData1_35restricted
    (
        "pass/procmount_restricted0",
        [(("spec", "hostUsers"), False), ((*C0_SC, "procMount"), "Default"), ((*I0_SC, "procMount"), "Default")],
        NOT_RUN,
        [],
    ),
    *(
        (
            f"fail/procmount_restricted{i}",
            [(("spec", "hostUsers"), False), ((*target, "procMount"), "Unmasked")],
            NOT_RUN,
            [("procMount_restricted", f"{where}.procMount", "Unmasked")],
        )
        for i, (target, where) in enumerate(((C0_SC, C_SC), (I0_SC, I_SC)))
    ),
    # test/fixtures_seccompProfile_baseline.go fixtureData_baseline_1_19
    # (seccompProfile_restricted replaces it under "restricted")
    (
        "pass/seccompprofile_baseline0",
        [
            ((*POD_SC, "seccompProfile"), {"type": "RuntimeDefault"}),
            ((*C0_SC, "seccompProfile"), {"type": "RuntimeDefault"}),
        ],
        [],
        NOT_RUN,
    ),
    *(
        (
            f"fail/seccompprofile_baseline{i}",
            [((*target, "seccompProfile"), {"type": "Unconfined"})],
            [("seccompProfile_baseline", f"{where}.seccompProfile.type", "Unconfined")],
            [("seccompProfile_restricted", f"{where}.seccompProfile.type", "Unconfined")],
        )
        for i, (target, where) in enumerate(((POD_SC, P_SC), (C0_SC, C_SC), (I0_SC, I_SC)))
    ),
    # test/fixtures_sysctls.go (every version's pass list, all allowed by the newest)
    ("pass/sysctls0", [((*POD_SC, "sysctls"), None)], [], []),
    *(
        (f"pass/sysctls1 (v{version})", [((*POD_SC, "sysctls"), [{"name": n, "value": "0"} for n in names])], [], [])
        for version, names in (
            (
                "1.0",
                (
                    "kernel.shm_rmid_forced",
                    "net.ipv4.ip_local_port_range",
                    "net.ipv4.tcp_syncookies",
                    "net.ipv4.ping_group_range",
                    "net.ipv4.ip_unprivileged_port_start",
                ),
            ),
            ("1.27", ("net.ipv4.ip_local_reserved_ports",)),
            (
                "1.29",
                (
                    "net.ipv4.tcp_keepalive_time",
                    "net.ipv4.tcp_fin_timeout",
                    "net.ipv4.tcp_keepalive_intvl",
                    "net.ipv4.tcp_keepalive_probes",
                ),
            ),
            ("1.32", ("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")),
            ("1.37", ("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")),
        )
    ),
    (
        "fail/sysctls0",
        [((*POD_SC, "sysctls"), [{"name": "othersysctl", "value": "other"}])],
        [("sysctls", f"{P_SC}.sysctls[0].name", "othersysctl")],
        [("sysctls", f"{P_SC}.sysctls[0].name", "othersysctl")],
    ),
    # test/fixtures_restrictedVolumes.go
    (
        "pass/restrictedvolumes0",
        [
            (
                ("spec", "volumes"),
                [
                    {"name": "volume0"},  # implicit emptyDir
                    {"name": "volume1", "emptyDir": {}},
                    {"name": "volume2", "secret": {"secretName": "test"}},
                    {"name": "volume3", "persistentVolumeClaim": {"claimName": "test"}},
                    {
                        "name": "volume4",
                        "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]},
                    },
                    {"name": "volume5", "configMap": {"name": "test"}},
                    {"name": "volume6", "projected": {"sources": []}},
                ],
            )
        ],
        [],
        [],
    ),
    *(
        (
            f"fail/restrictedvolumes{i}",
            [(("spec", "volumes"), [{"name": "volume1", source: value}])],
            # hostPath is the one restricted volume type "baseline" refuses too.
            [("hostPathVolumes", "spec.volumes[0].hostPath", value)] if source == "hostPath" else NOT_RUN,
            [("restrictedVolumes", f"spec.volumes[0].{source}", value)],
        )
        for i, (source, value) in enumerate(
            (
                ("gcePersistentDisk", {"pdName": "test"}),
                ("awsElasticBlockStore", {"volumeID": "test"}),
                ("gitRepo", {"repository": "github.com/kubernetes/kubernetes"}),
                ("nfs", {"server": "test", "path": "/test"}),
                ("iscsi", {"targetPortal": "test", "iqn": "iqn.2001-04.com.example:storage.kube.sys1.xyz", "lun": 0}),
                ("glusterfs", {"path": "test", "endpoints": "test"}),
                ("rbd", {"monitors": ["test"], "image": "test"}),
                ("flexVolume", {"driver": "test"}),
                ("cinder", {"volumeID": "test"}),
                ("cephfs", {"monitors": ["test"]}),
                ("flocker", {"datasetName": "test"}),
                ("fc", {"wwids": ["test"]}),
                ("azureFile", {"secretName": "test", "shareName": "test"}),
                ("vsphereVolume", {"volumePath": "test"}),
                ("quobyte", {"registry": "localhost:1234", "volume": "test"}),
                ("azureDisk", {"diskName": "test", "diskURI": "https://test.blob.core.windows.net/test/test.vhd"}),
                ("portworxVolume", {"volumeID": "test", "fsType": "ext4"}),
                ("scaleIO", {"volumeName": "test", "gateway": "localhost", "system": "test"}),
                ("storageos", {"volumeName": "test"}),
                ("hostPath", {"path": "/dev/null"}),
            )
        )
    ),
    # test/fixtures_allowPrivilegeEscalation.go
    *(
        (f"fail/allowprivilegeescalation{i}", edits, NOT_RUN, expected)
        for i, (edits, expected) in enumerate(
            (
                (
                    [((*C0_SC, "allowPrivilegeEscalation"), True)],
                    [("allowPrivilegeEscalation", f"{C_SC}.allowPrivilegeEscalation", True)],
                ),
                (
                    [((*I0_SC, "allowPrivilegeEscalation"), True)],
                    [("allowPrivilegeEscalation", f"{I_SC}.allowPrivilegeEscalation", True)],
                ),
                (
                    [((*C0_SC, "allowPrivilegeEscalation"), None)],
                    [("allowPrivilegeEscalation", f"{C_SC}.allowPrivilegeEscalation", MISSING)],
                ),
                (
                    [(C0_SC, None)],
                    [
                        ("allowPrivilegeEscalation", f"{C_SC}.allowPrivilegeEscalation", MISSING),
                        ("capabilities_restricted", f"{C_SC}.capabilities.drop", MISSING),
                    ],
                ),
            )
        )
    ),
    # test/fixtures_capabilities_restricted.go
    (
        "pass/capabilities_restricted0",
        [
            ((*C0_SC, "capabilities"), {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}),
            ((*I0_SC, "capabilities"), {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}),
        ],
        NOT_RUN,
        [],
    ),
    (
        "fail/capabilities_restricted0",
        [((*C0_SC, "capabilities", "drop"), [])],
        NOT_RUN,
        [("capabilities_restricted", f"{C_SC}.capabilities.drop", [])],
    ),
    (
        "fail/capabilities_restricted1",
        [((*I0_SC, "capabilities", "drop"), [])],
        NOT_RUN,
        [("capabilities_restricted", f"{I_SC}.capabilities.drop", [])],
    ),
    (
        "fail/capabilities_restricted2",
        [((*C0_SC, "capabilities", "drop"), DROP_WITHOUT_ALL), ((*I0_SC, "capabilities", "drop"), DROP_WITHOUT_ALL)],
        NOT_RUN,
        [
            ("capabilities_restricted", f"{I_SC}.capabilities.drop", DROP_WITHOUT_ALL),
            ("capabilities_restricted", f"{C_SC}.capabilities.drop", DROP_WITHOUT_ALL),
        ],
    ),
    (
        "fail/capabilities_restricted3",
        [
            ((*C0_SC, "capabilities", "add"), DEFAULT_CAPABILITIES),
            ((*I0_SC, "capabilities", "add"), DEFAULT_CAPABILITIES),
        ],
        NOT_RUN,
        [
            ("capabilities_restricted", f"{where}.capabilities.add[{i}]", capability)
            for where in (I_SC, C_SC)
            for i, capability in enumerate(DEFAULT_CAPABILITIES)
            if capability != "NET_BIND_SERVICE"
        ],
    ),
    # test/fixtures_runAsNonRoot.go
    (
        "pass/runasnonroot0",
        [((*POD_SC, "runAsNonRoot"), True), ((*C0_SC, "runAsNonRoot"), None), ((*I0_SC, "runAsNonRoot"), None)],
        NOT_RUN,
        [],
    ),
    (
        "pass/runasnonroot1",
        [((*POD_SC, "runAsNonRoot"), None), ((*C0_SC, "runAsNonRoot"), True), ((*I0_SC, "runAsNonRoot"), True)],
        NOT_RUN,
        [],
    ),
    (
        "fail/runasnonroot0",
        [((*POD_SC, "runAsNonRoot"), None), ((*C0_SC, "runAsNonRoot"), None), ((*I0_SC, "runAsNonRoot"), None)],
        NOT_RUN,
        [
            ("runAsNonRoot", f"{I_SC}.runAsNonRoot", MISSING),
            ("runAsNonRoot", f"{C_SC}.runAsNonRoot", MISSING),
        ],
    ),
    *(
        (
            f"fail/runasnonroot{i}",
            [((*target, "runAsNonRoot"), False)],
            NOT_RUN,
            [("runAsNonRoot", f"{where}.runAsNonRoot", False)],
        )
        for i, (target, where) in enumerate(((POD_SC, P_SC), (C0_SC, C_SC), (I0_SC, I_SC)), 1)
    ),
    # test/fixtures_runAsUser.go
    (
        "pass/runasuser0",
        [((*POD_SC, "runAsUser"), 1000), ((*C0_SC, "runAsUser"), 1000), ((*I0_SC, "runAsUser"), 1000)],
        NOT_RUN,
        [],
    ),
    *(
        (f"fail/runasuser{i}", [((*target, "runAsUser"), 0)], NOT_RUN, [("runAsUser", f"{where}.runAsUser", 0)])
        for i, (target, where) in enumerate(((POD_SC, P_SC), (C0_SC, C_SC), (I0_SC, I_SC)))
    ),
    # test/fixtures_seccompProfile_restricted.go
    ("pass/seccompprofile_restricted0", [((*POD_SC, "seccompProfile"), {"type": "RuntimeDefault"})], NOT_RUN, []),
    (
        "pass/seccompprofile_restricted1",
        [((*POD_SC, "seccompProfile"), {"type": "Localhost", "localhostProfile": "testing"})],
        NOT_RUN,
        [],
    ),
    (
        "pass/seccompprofile_restricted2",
        [
            ((*POD_SC, "seccompProfile"), None),
            ((*C0_SC, "seccompProfile"), {"type": "RuntimeDefault"}),
            ((*I0_SC, "seccompProfile"), {"type": "Localhost", "localhostProfile": "testing"}),
        ],
        NOT_RUN,
        [],
    ),
    (
        "fail/seccompprofile_restricted0",
        [((*POD_SC, "seccompProfile"), None)],
        NOT_RUN,
        [
            ("seccompProfile_restricted", f"{I_SC}.seccompProfile", MISSING),
            ("seccompProfile_restricted", f"{C_SC}.seccompProfile", MISSING),
        ],
    ),
    (
        "fail/seccompprofile_restricted1",
        [((*POD_SC, "seccompProfile"), {"type": "Unconfined"})],
        NOT_RUN,
        [("seccompProfile_restricted", f"{P_SC}.seccompProfile.type", "Unconfined")],
    ),
    (
        "fail/seccompprofile_restricted2",
        [((*POD_SC, "seccompProfile"), None), ((*C0_SC, "seccompProfile"), {"type": "RuntimeDefault"})],
        NOT_RUN,
        [("seccompProfile_restricted", f"{I_SC}.seccompProfile", MISSING)],
    ),
    (
        "fail/seccompprofile_restricted3",
        [((*POD_SC, "seccompProfile"), None), ((*I0_SC, "seccompProfile"), {"type": "RuntimeDefault"})],
        NOT_RUN,
        [("seccompProfile_restricted", f"{C_SC}.seccompProfile", MISSING)],
    ),
    (
        "fail/seccompprofile_restricted4",
        [
            ((*POD_SC, "seccompProfile"), None),
            ((*C0_SC, "seccompProfile"), {"type": "RuntimeDefault"}),
            ((*I0_SC, "seccompProfile"), {"type": "Unconfined"}),
        ],
        NOT_RUN,
        [("seccompProfile_restricted", f"{I_SC}.seccompProfile.type", "Unconfined")],
    ),
]

FIXTURE_CASES = [
    pytest.param(level, edits, expected, id=f"{level}/{name}")
    for name, edits, *by_level in FIXTURES
    for level, expected in zip(LEVELS, by_level, strict=True)
    if expected is not NOT_RUN
]


@pytest.mark.parametrize(("level", "edits", "expected"), FIXTURE_CASES)
def test_upstream_fixtures(level: str, edits: list[Edit], expected: list[Found]) -> None:
    base = BASELINE_POD if level == "baseline" else RESTRICTED_POD
    assert found(check_pod_security(tweak(base, edits), level)) == expected


def test_upstream_windows_fixture_passes_restricted() -> None:
    # test/fixtures.go restricted_1_25_windows (testdata restricted/v1.37/pass/base_windows.yaml):
    # allowPrivilegeEscalation, seccompProfile and capabilities do not apply to Windows Pods.
    windows = tweak(BASELINE_POD, [(("spec", "os"), {"name": "windows"}), ((*POD_SC, "runAsNonRoot"), True)])
    assert check_pod_security(windows, "restricted") == []
    assert highest_level(windows) == "restricted"
    # runAsNonRoot is not exempt.
    del windows["spec"]["securityContext"]
    assert found(check_pod_security(windows, "restricted")) == [
        ("runAsNonRoot", f"{I_SC}.runAsNonRoot", MISSING),
        ("runAsNonRoot", f"{C_SC}.runAsNonRoot", MISSING),
    ]


# --- every container list, every kind that carries a Pod ----------------------

_BAD_SPEC: dict[str, Any] = {
    "hostPID": True,
    "volumes": [{"name": "host", "hostPath": {"path": "/var/run"}}],
    "initContainers": [{"name": "init", "securityContext": {"privileged": True}}],
    "containers": [{"name": "app", "ports": [{"containerPort": 80, "hostPort": 8080}]}],
    "ephemeralContainers": [{"name": "debug", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}}}],
}


def _wrap(kind: str, spec: Any, metadata: Any = None) -> dict[str, Any]:
    """An object of ``kind`` carrying that Pod spec, built from the shared table of paths."""
    metadata_path, spec_path = POD_PATHS[kind]
    edits = [(path, value) for path, value in ((metadata_path, metadata), (spec_path, spec)) if value is not None]
    return tweak({"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}}, edits)


@pytest.mark.parametrize("kind", sorted(POD_PATHS))
def test_every_kind_and_container_list_baseline(kind: str) -> None:
    spec = format_path(POD_PATHS[kind][1])
    problems = check_pod_security(_wrap(kind, _BAD_SPEC), "baseline")
    assert found(problems) == [
        ("hostNamespaces", f"{spec}.hostPID", True),
        ("privileged", f"{spec}.initContainers[0].securityContext.privileged", True),
        ("capabilities_baseline", f"{spec}.ephemeralContainers[0].securityContext.capabilities.add[0]", "SYS_PTRACE"),
        ("hostPathVolumes", f"{spec}.volumes[0].hostPath", {"path": "/var/run"}),
        ("hostPorts", f"{spec}.containers[0].ports[0].hostPort", 8080),
    ]


def test_paths_are_tuples_inside_the_object() -> None:
    deployment = _wrap("Deployment", _BAD_SPEC)
    assert [p.path for p in check_pod_security(deployment, "baseline")] == [
        ("spec", "template", "spec", "hostPID"),
        ("spec", "template", "spec", "initContainers", 0, "securityContext", "privileged"),
        ("spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "capabilities", "add", 0),
        ("spec", "template", "spec", "volumes", 0, "hostPath"),
        ("spec", "template", "spec", "containers", 0, "ports", 0, "hostPort"),
    ]
    annotated = _wrap("CronJob", {}, {"annotations": {APPARMOR + "app": "unconfined"}})
    assert [p.path for p in check_pod_security(annotated, "baseline")] == [
        ("spec", "jobTemplate", "spec", "template", "metadata", "annotations", APPARMOR + "app"),
    ]


def test_restricted_in_every_container_list_of_a_cron_job() -> None:
    containers = {field: [{"name": field}] for field in ("initContainers", "containers", "ephemeralContainers")}
    problems = check_pod_security(_wrap("CronJob", containers), "restricted")
    spec = "spec.jobTemplate.spec.template.spec"
    assert found(problems) == [
        (check_id, f"{spec}.{field}[0].securityContext.{where}", MISSING)
        for check_id, where in (
            ("allowPrivilegeEscalation", "allowPrivilegeEscalation"),
            ("runAsNonRoot", "runAsNonRoot"),
            ("seccompProfile_restricted", "seccompProfile"),
            ("capabilities_restricted", "capabilities.drop"),
        )
        for field in ("initContainers", "containers", "ephemeralContainers")
    ]


def test_pod_template_paths() -> None:
    template = {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": {"name": "t"},
        "template": {
            "spec": {"securityContext": {"runAsUser": 0, "sysctls": [{"name": "kernel.msgmax", "value": "1"}]}}
        },
    }
    assert [(p.rule, p.path, p.value) for p in check_pod_security(template, "restricted")] == [
        ("pod-security/sysctls", ("template", "spec", "securityContext", "sysctls", 0, "name"), "kernel.msgmax"),
        ("pod-security/runAsUser", ("template", "spec", "securityContext", "runAsUser"), 0),
    ]


@pytest.mark.parametrize("level", LEVELS)
def test_kinds_without_a_pod(level: str) -> None:
    for obj in (
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"hostNetwork": True}},
        {"apiVersion": "v1", "kind": "ConfigMap"},
        {"spec": {"hostNetwork": True}},
        None,
        "Pod",
    ):
        assert check_pod_security(obj, level) == []
        assert highest_level(obj) == "restricted"


# --- messages -----------------------------------------------------------------


def test_messages() -> None:
    deployment = _wrap(
        "Deployment",
        {
            "volumes": [{"name": "run", "hostPath": {"path": "/var/run"}}],
            "containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}],
        },
    )
    assert [str(p) for p in check_pod_security(deployment, "baseline")] == [
        """'spec.template.spec.containers[0].securityContext.capabilities.add[0]' ("SYS_ADMIN") is not allowed under Pod Security Standards "baseline" or "restricted": a container may add only the runtime's default capabilities (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT). Remove it.""",
        """'spec.template.spec.volumes[0].hostPath' ({"path": "/var/run"}) is not allowed under Pod Security Standards "baseline" or "restricted": a hostPath volume gives the Pod the node's filesystem. Use another volume type, e.g. emptyDir or a persistentVolumeClaim.""",
    ]
    cron_job = _wrap("CronJob", {"containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": True, "capabilities": {"drop": ["ALL"], "add": ["CHOWN", "cap_net_bind_service"]}}}]})  # fmt: skip
    c = "spec.jobTemplate.spec.template.spec.containers[0].securityContext"
    assert [str(p) for p in check_pod_security(cron_job, "restricted")] == [
        f"""'{c}.allowPrivilegeEscalation' (true) is not allowed under Pod Security Standards "restricted": otherwise a process can gain more privileges than its parent, e.g. through a setuid binary. Set it to false.""",
        f"""'{c}.runAsNonRoot' must be set to true under Pod Security Standards "restricted": containers must not run as root. Set it here, or once for every container at 'spec.jobTemplate.spec.template.spec.securityContext.runAsNonRoot'.""",
        f"""'{c}.seccompProfile' must be set under Pod Security Standards "restricted": without a profile the container runs Unconfined. Set seccompProfile: {{type: RuntimeDefault}} here, or once for every container at 'spec.jobTemplate.spec.template.spec.securityContext.seccompProfile'.""",
        f"""'{c}.capabilities.add[0]' ("CHOWN") is not allowed under Pod Security Standards "restricted": a container may add only NET_BIND_SERVICE. Remove it.""",
        f"""'{c}.capabilities.add[1]' ("cap_net_bind_service") is not allowed under Pod Security Standards "baseline" or "restricted": "restricted" lets a container add only NET_BIND_SERVICE, "baseline" only the runtime's default capabilities. Write it as "NET_BIND_SERVICE".""",
    ]
    missing_drop = pod({"containers": [sc("app", allowPrivilegeEscalation=False)], "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}})  # fmt: skip
    assert [str(p) for p in check_pod_security(missing_drop, "restricted")] == [
        f"""'{C_SC}.capabilities.drop' must include "ALL" under Pod Security Standards "restricted": a container keeps the runtime's default capabilities unless it drops them all. Set capabilities.drop: ["ALL"] and add back only NET_BIND_SERVICE if needed.""",
    ]


def test_a_misspelt_capability_says_how_to_spell_it() -> None:
    obj = pod({"containers": [sc("a", capabilities={"add": ["CAP_CHOWN", "chown", "cap_sys_admin"]})]})
    assert [p.reason.rsplit(". ", 1)[1] for p in check_pod_security(obj, "baseline")] == [
        'Write it as "CHOWN"',
        'Write it as "CHOWN"',
        "Remove it",
    ]


@pytest.mark.parametrize("level", LEVELS)
def test_reasons_name_the_level_and_say_what_to_do(level: str) -> None:
    spec = copy.deepcopy(_BAD_SPEC)
    spec.update(hostNetwork=True, hostIPC=True, securityContext={"runAsUser": 0, "runAsNonRoot": False})
    problems = check_pod_security(pod(spec), level)
    assert len(problems) == (7 if level == "baseline" else 18)
    for problem in problems:
        assert "under Pod Security Standards " in problem.reason
        assert problem.reason.count(". ") >= 1, problem.reason  # why, then the fix
        assert not problem.reason.endswith(".")
        if problem.rule in {f"pod-security/{i}" for i in CONTROL_IDS["baseline"]}:
            assert 'Standards "baseline" or "restricted"' in problem.reason


# --- unknown and null values --------------------------------------------------

_RESTRICTED_CONTAINER: dict[str, Any] = {
    "name": "app",
    "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
}
_RESTRICTED_SC = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def _restricted(**spec: Any) -> dict[str, Any]:
    """A Pod that passes "restricted", with these spec fields replaced."""
    return pod({"securityContext": dict(_RESTRICTED_SC), "containers": [copy.deepcopy(_RESTRICTED_CONTAINER)], **spec})


UNKNOWN_CASES: list[tuple[str, dict[str, Any], list[Found]]] = [
    ("spec", pod(UNKNOWN), []),
    ("containers", _restricted(containers=UNKNOWN), []),
    ("a container", _restricted(containers=[UNKNOWN, {"name": "b"}]), [
        ("allowPrivilegeEscalation", "spec.containers[1].securityContext.allowPrivilegeEscalation", MISSING),
        ("capabilities_restricted", "spec.containers[1].securityContext.capabilities.drop", MISSING),
    ]),
    ("a container's securityContext", _restricted(containers=[{"name": "a", "securityContext": UNKNOWN}]), []),
    ("the Pod's securityContext", _restricted(securityContext=UNKNOWN), []),
    ("hostNetwork", _restricted(hostNetwork=UNKNOWN), []),
    ("hostUsers: runAsNonRoot and runAsUser cannot tell",
     _restricted(hostUsers=UNKNOWN, securityContext={"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}}), []),
    ("os: the Windows exemptions cannot tell", _restricted(os=UNKNOWN, securityContext={"runAsNonRoot": True}, containers=[{"name": "a"}]), []),
    ("os.name", _restricted(os={"name": UNKNOWN}, securityContext={"runAsNonRoot": True}, containers=[{"name": "a"}]), []),
    ("the Pod's runAsNonRoot: containers that set nothing inherit it",
     _restricted(securityContext={"runAsNonRoot": UNKNOWN, "seccompProfile": {"type": "RuntimeDefault"}},
                 containers=[_RESTRICTED_CONTAINER, {**_RESTRICTED_CONTAINER, "name": "b",
                  "securityContext": {**_RESTRICTED_CONTAINER["securityContext"], "runAsNonRoot": False}}]),
     [("runAsNonRoot", "spec.containers[1].securityContext.runAsNonRoot", False)]),
    ("the Pod's seccompProfile: containers that set nothing inherit it",
     _restricted(securityContext={"runAsNonRoot": True, "seccompProfile": UNKNOWN}), []),
    ("the Pod's seccompProfile.type", _restricted(securityContext={"runAsNonRoot": True, "seccompProfile": {"type": UNKNOWN}}), []),
    ("a capability", _restricted(containers=[{**_RESTRICTED_CONTAINER, "securityContext": {
        "allowPrivilegeEscalation": False, "capabilities": {"drop": [UNKNOWN], "add": [UNKNOWN, "NET_RAW"]}}}]),
     [("capabilities_restricted", f"{C_SC}.capabilities.add[1]", "NET_RAW")]),
    ("capabilities", _restricted(containers=[{"name": "a", "securityContext": {"allowPrivilegeEscalation": False, "capabilities": UNKNOWN}}]), []),
    ("drop", _restricted(containers=[{"name": "a", "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": UNKNOWN}}}]), []),
    ("allowPrivilegeEscalation", _restricted(containers=[{"name": "a", "securityContext": {"allowPrivilegeEscalation": UNKNOWN, "capabilities": {"drop": ["ALL"]}}}]), []),
    ("volumes and volume sources", _restricted(volumes=[UNKNOWN, {"name": "a", "hostPath": UNKNOWN}, {"name": "b", "nfs": UNKNOWN},
                                                         {"name": "c", "emptyDir": UNKNOWN}, {"name": "d", "gitRepo": {"repository": "r"}}]),
     [("restrictedVolumes", "spec.volumes[4].gitRepo", {"repository": "r"})]),
    ("ports and hosts", _restricted(containers=[{**_RESTRICTED_CONTAINER, "ports": [UNKNOWN, {"hostPort": UNKNOWN}],
                                                  "livenessProbe": {"httpGet": {"host": UNKNOWN}}, "lifecycle": UNKNOWN}]), []),
    ("annotations", {**_restricted(), "metadata": {"annotations": UNKNOWN}}, []),
    ("an annotation", {**_restricted(), "metadata": {"annotations": {APPARMOR + "app": UNKNOWN}}}, []),
    ("profile types and SELinux options",
     _restricted(securityContext={**_RESTRICTED_SC, "appArmorProfile": {"type": UNKNOWN}, "seLinuxOptions": {"type": UNKNOWN, "user": UNKNOWN}}), []),
    ("sysctls", _restricted(securityContext={**_RESTRICTED_SC, "sysctls": [UNKNOWN, {"name": UNKNOWN}, {"name": "kernel.msgmax"}]}),
     [("sysctls", f"{P_SC}.sysctls[2].name", "kernel.msgmax")]),
    ("hostUsers, for procMount_restricted: refused either way",
     _restricted(hostUsers=UNKNOWN, containers=[{**_RESTRICTED_CONTAINER, "securityContext": {
         **_RESTRICTED_CONTAINER["securityContext"], "procMount": "Unmasked"}}]),
     [("procMount_restricted", f"{C_SC}.procMount", "Unmasked")]),
]  # fmt: skip


@pytest.mark.parametrize(("obj", "expected"), [c[1:] for c in UNKNOWN_CASES], ids=[c[0] for c in UNKNOWN_CASES])
def test_unknown_values_are_skipped(obj: dict[str, Any], expected: list[Found]) -> None:
    assert found(check_pod_security(obj, "restricted")) == expected


def test_unknown_host_users_skips_the_baseline_proc_mount_check() -> None:
    obj = pod({"hostUsers": UNKNOWN, "containers": [sc("a", procMount="Unmasked")]})
    assert check_pod_security(obj, "baseline") == []
    obj["spec"]["hostUsers"] = None  # null is unset: hostUsers defaults to true
    assert found(check_pod_security(obj, "baseline")) == [("procMount", f"{C_SC}.procMount", "Unmasked")]


def test_null_is_absent() -> None:
    obj = pod(
        {
            "hostNetwork": None,
            "securityContext": {"runAsNonRoot": True, "seccompProfile": None, "appArmorProfile": None, "sysctls": None},
            "volumes": [None, {"name": "a", "hostPath": None, "emptyDir": {}}, {"name": "b", "nfs": None}],
            "initContainers": None,
            "containers": [
                None,
                {
                    "name": "app",
                    "ports": [{"containerPort": 80, "hostPort": None}],
                    "livenessProbe": {"httpGet": {"host": None, "port": 80}},
                    "securityContext": {
                        "allowPrivilegeEscalation": None,
                        "privileged": None,
                        "capabilities": {"add": None, "drop": None},
                        "seLinuxOptions": None,
                        "procMount": None,
                    },
                },
            ],
        }
    )
    assert found(check_pod_security(obj, "baseline")) == []
    assert found(check_pod_security(obj, "restricted")) == [
        ("allowPrivilegeEscalation", "spec.containers[1].securityContext.allowPrivilegeEscalation", MISSING),
        ("seccompProfile_restricted", "spec.containers[1].securityContext.seccompProfile", MISSING),
        ("capabilities_restricted", "spec.containers[1].securityContext.capabilities.drop", MISSING),
    ]


# --- semantics upstream settles -------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # check_procMount_baseline.go: only unset or "Default"; the spelling is exact.
        ({"containers": [sc("a", procMount="default")]}, [("procMount", f"{C_SC}.procMount", "default")]),
        ({"containers": [sc("a", procMount="")]}, [("procMount", f"{C_SC}.procMount", "")]),
        # check_seLinuxOptions.go: an empty type, user or role is unset.
        ({"containers": [sc("a", seLinuxOptions={"type": "", "user": "", "role": "", "level": "s0:c1"})]}, []),
        # check_appArmorProfile.go: an empty annotation is allowed, "localhost/" is a prefix.
        ({}, []),
        # check_appArmorProfile.go allowedProfileType: a profile without a type is refused.
        ({"securityContext": {"appArmorProfile": {}}}, [("appArmorProfile", f"{P_SC}.appArmorProfile.type", MISSING)]),
        # check_seccompProfile_baseline.go validSeccomp: so is a seccomp profile without a type.
        (
            {"securityContext": {"seccompProfile": {}}},
            [("seccompProfile_baseline", f"{P_SC}.seccompProfile.type", MISSING)],
        ),
        # check_hostPorts.go: hostPort 0 is unset; numbers the engine sends as floats are ints.
        (
            {"containers": [{"name": "a", "ports": [{"hostPort": 0.0}, {"hostPort": 443.0}]}]},
            [("hostPorts", "spec.containers[0].ports[1].hostPort", 443)],
        ),
        # check_hostProbesAndhostLifecycle.go: an empty host is unset.
        ({"containers": [{"name": "a", "startupProbe": {"tcpSocket": {"host": ""}}}]}, []),
        # check_windowsHostProcess.go: only true is refused.
        ({"securityContext": {"windowsOptions": {"hostProcess": False}}}, []),
    ],
)
def test_baseline_edge_cases(spec: dict[str, Any], expected: list[Found]) -> None:
    annotations = {APPARMOR + "a": "", APPARMOR + "b": "localhost/x"}
    assert found(check_pod_security(pod(spec, annotations), "baseline")) == expected


def test_run_as_user_zero_is_a_number_not_false() -> None:
    obj = _restricted(securityContext={**_RESTRICTED_SC, "runAsUser": 0.0})
    assert found(check_pod_security(obj, "restricted")) == [("runAsUser", f"{P_SC}.runAsUser", 0)]
    obj = _restricted(securityContext={**_RESTRICTED_SC, "runAsUser": False})
    assert check_pod_security(obj, "restricted") == []


def test_a_bad_pod_level_setting_is_reported_once_not_per_container() -> None:
    obj = pod(
        {
            "securityContext": {"runAsNonRoot": False, "seccompProfile": {"type": "Unconfined"}},
            "containers": [_RESTRICTED_CONTAINER, {**_RESTRICTED_CONTAINER, "name": "b"}],
        }
    )
    assert found(check_pod_security(obj, "restricted")) == [
        ("runAsNonRoot", f"{P_SC}.runAsNonRoot", False),
        ("seccompProfile_restricted", f"{P_SC}.seccompProfile.type", "Unconfined"),
    ]


def test_image_volumes_are_allowed_under_restricted() -> None:
    obj = _restricted(
        volumes=[{"name": "model", "image": {"reference": "registry.example/model:1", "pullPolicy": "IfNotPresent"}}]
    )
    assert check_pod_security(obj, "restricted") == []


def test_windows_pods_skip_only_the_windows_exempt_checks() -> None:
    # policy/check_{allowPrivilegeEscalation,capabilities_restricted,seccompProfile_restricted}.go (v1.25+).
    # The restricted capabilities check also replaces the baseline one, so a
    # Windows Pod's added capability passes "restricted" as upstream admits it
    # (the API server refuses capabilities on Windows Pods anyway).
    obj = pod(
        {
            "os": {"name": "windows"},
            "securityContext": {"runAsNonRoot": True},
            "containers": [sc("a", capabilities={"add": ["SYS_ADMIN"]}, runAsUser=0)],
        }
    )
    assert found(check_pod_security(obj, "restricted")) == [("runAsUser", f"{C_SC}.runAsUser", 0)]
    assert found(check_pod_security(obj, "baseline")) == [
        ("capabilities_baseline", f"{C_SC}.capabilities.add[0]", "SYS_ADMIN"),
    ]


# --- highest_level -------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (tweak(RESTRICTED_POD, []), "restricted"),
        (tweak(BASELINE_POD, []), "baseline"),
        (tweak(RESTRICTED_POD, [((*C0_SC, "capabilities", "add"), ["CHOWN"])]), "baseline"),
        (
            tweak(RESTRICTED_POD, [(("spec", "volumes"), [{"name": "n", "nfs": {"server": "s", "path": "/"}}])]),
            "baseline",
        ),
        (tweak(BASELINE_POD, [(("spec", "hostNetwork"), True)]), None),
        (tweak(RESTRICTED_POD, [((*I0_SC, "privileged"), True)]), None),
        (_wrap("Deployment", RESTRICTED_POD["spec"]), "restricted"),
        (_wrap("CronJob", {"containers": [{"name": "a", "ports": [{"hostPort": 1}]}]}), None),
        (_wrap("StatefulSet", UNKNOWN), "restricted"),
    ],
)
def test_highest_level(obj: Any, expected: str | None) -> None:
    assert highest_level(obj) == expected
    # The same answer as checking each level.
    passes = [level for level in LEVELS if not check_pod_security(obj, level)]
    assert expected == (passes[-1] if passes and passes[-1] == "restricted" or passes == ["baseline"] else None)


def test_nothing_is_copied_or_changed() -> None:
    obj = tweak(BASELINE_POD, [(("spec", "hostNetwork"), True)])
    before = copy.deepcopy(obj)
    check_pod_security(obj, "restricted")
    highest_level(obj)
    assert obj == before
