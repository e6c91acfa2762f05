"""The Pod Security Standards, levels "baseline" and "restricted", checked the way the
Pod Security admission controller checks them (kubernetes/pod-security-admission
``policy/check_*.go``, version "latest")."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ._objects import CONTAINER_LISTS, PodView, pod_of
from ._problem import UNKNOWN, Path, Problem, as_int, format_path

LEVELS: Final = ("baseline", "restricted")

# --- what Kubernetes defines (upstream's newest version of each list) ---------

BASELINE_CAPABILITIES: Final[frozenset[str]] = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
"""Capabilities a container may add under "baseline" (check_capabilities_baseline.go)."""

SAFE_SYSCTLS: Final[frozenset[str]] = frozenset(
    {
        # v1.0
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        # v1.27
        "net.ipv4.ip_local_reserved_ports",
        # v1.29
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        # v1.32
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
        # v1.37
        "net.ipv4.tcp_slow_start_after_idle",
        "net.ipv4.tcp_notsent_lowat",
    }
)
"""Sysctls a Pod may set under "baseline" (check_sysctls.go, newest version)."""

RESTRICTED_VOLUME_TYPES: Final[frozenset[str]] = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
"""The only volume sources "restricted" allows (check_restrictedVolumes.go)."""

ALLOWED_SELINUX_TYPES: Final[frozenset[str]] = frozenset(
    {"container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)
"""SELinux types "baseline" allows besides unset (check_seLinuxOptions.go, v1.31+)."""

_SECCOMP_TYPES: Final = frozenset({"RuntimeDefault", "Localhost"})
_APPARMOR_TYPES: Final = frozenset({"RuntimeDefault", "Localhost"})
_APPARMOR_ANNOTATION: Final = "container.apparmor.security.beta.kubernetes.io/"
_PROBES: Final = ("livenessProbe", "readinessProbe", "startupProbe")
_LIFECYCLE_HANDLERS: Final = ("postStart", "preStop")
_HOST_ACTIONS: Final = ("httpGet", "tcpSocket")


# --- reading objects fast: plain dicts first, any Mapping/Sequence after -------


def _at(value: Any, key: str) -> Any:
    """``value[key]``: None when absent, null or ``value`` is no mapping;
    `UNKNOWN` when ``value`` (or the field) is unknown."""
    if type(value) is dict:
        return value.get(key)
    if value is None:  # before isinstance(): ABC checks are slow, and absent is common
        return None
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, Mapping):
        return value.get(key)
    return None


def _elements(value: Any) -> Iterator[tuple[int, Any]]:
    """(index, element) of the known, non-null elements of a list."""
    if type(value) is not list and (
        value is None or value is UNKNOWN or not isinstance(value, Sequence) or isinstance(value, str)
    ):
        return
    for index, element in enumerate(value):
        if element is not None and element is not UNKNOWN:
            yield index, element


def _list(value: Any) -> Sequence[Any]:
    """The elements of a list, or () when ``value`` is no list."""
    if type(value) is list or (isinstance(value, Sequence) and not isinstance(value, str)):
        return value
    return ()


def _is_zero(value: Any) -> bool:
    # bool is an int in Python; a JSON false is not the number 0.
    return type(value) in (int, float) and value == 0


class _Container:
    __slots__ = ("path", "container", "sc", "sc_path")

    def __init__(self, path: Path, container: Any) -> None:
        self.path = path
        self.container = container
        self.sc = _at(container, "securityContext")
        self.sc_path: Path = (*path, "securityContext")


class _Pod:
    """One Pod, read once for every control: its security contexts, its
    containers, and the two switches some controls depend on."""

    __slots__ = ("view", "spec", "spec_path", "sc", "sc_path", "containers", "contexts", "windows", "user_namespace")

    def __init__(self, view: PodView) -> None:
        self.view = view
        spec = self.spec = view.spec
        spec_path = self.spec_path = view.spec_path
        self.sc = _at(spec, "securityContext")
        self.sc_path: Path = (*spec_path, "securityContext")
        self.containers = [
            _Container((*spec_path, field, index), container)
            for field in CONTAINER_LISTS
            for index, container in _elements(_at(spec, field))
        ]
        # Pod level first, then each container: where securityContext fields
        # that exist at both levels are read.
        self.contexts: list[tuple[Any, Path]] = [(self.sc, self.sc_path)]
        self.contexts += [(c.sc, c.sc_path) for c in self.containers]
        # None: unknown, so the controls that depend on it cannot decide.
        os_name = _at(_at(spec, "os"), "name")
        self.windows: bool | None = None if os_name is UNKNOWN else os_name == "windows"
        host_users = _at(spec, "hostUsers")
        self.user_namespace: bool | None = None if host_users is UNKNOWN else host_users is False


_Check = Callable[[_Pod, list[Problem]], None]

# --- reasons ------------------------------------------------------------------

_BASELINE = 'is not allowed under Pod Security Standards "baseline" or "restricted": '
_RESTRICTED = 'is not allowed under Pod Security Standards "restricted": '


def _rule(check_id: str) -> str:
    return "pod-security/" + check_id


# --- baseline controls --------------------------------------------------------

_WINDOWS_HOST_PROCESS = _rule("windowsHostProcess")
_HOST_PROCESS_REASON = (
    _BASELINE
    + "a Windows HostProcess container runs on the node with the node's privileges. Remove it or set it to false"
)


def _windows_host_process(pod: _Pod, out: list[Problem]) -> None:
    for sc, sc_path in pod.contexts:
        if _at(_at(sc, "windowsOptions"), "hostProcess") is True:
            out.append(
                Problem(_WINDOWS_HOST_PROCESS, (*sc_path, "windowsOptions", "hostProcess"), _HOST_PROCESS_REASON, True)
            )


_HOST_NAMESPACES = _rule("hostNamespaces")
_HOST_NAMESPACE_REASONS: Final = (
    (
        "hostNetwork",
        _BASELINE
        + "the Pod would use the node's network, its interfaces and node-local services. Remove it or set it to false",
    ),
    ("hostPID", _BASELINE + "the Pod would see and signal every process on the node. Remove it or set it to false"),
    (
        "hostIPC",
        _BASELINE + "the Pod would share the node's IPC namespace and shared memory. Remove it or set it to false",
    ),
)


def _host_namespaces(pod: _Pod, out: list[Problem]) -> None:
    for field, reason in _HOST_NAMESPACE_REASONS:
        if _at(pod.spec, field) is True:
            out.append(Problem(_HOST_NAMESPACES, (*pod.spec_path, field), reason, True))


_PRIVILEGED = _rule("privileged")
_PRIVILEGED_REASON = (
    _BASELINE
    + "a privileged container has every capability and the node's devices. Remove it or set it to false, and add only the capabilities the container needs"
)


def _privileged(pod: _Pod, out: list[Problem]) -> None:
    for c in pod.containers:
        if _at(c.sc, "privileged") is True:
            out.append(Problem(_PRIVILEGED, (*c.sc_path, "privileged"), _PRIVILEGED_REASON, True))


_CAPABILITIES_BASELINE = _rule("capabilities_baseline")
_BASELINE_LIST = ", ".join(sorted(BASELINE_CAPABILITIES))
_CAPABILITY_WHY = _BASELINE + f"a container may add only the runtime's default capabilities ({_BASELINE_LIST})"


def _capability_reason(capability: Any, why: str, allowed: Collection[str]) -> str:
    """``why`` and the fix: remove it, or spell it as the check expects
    (upstream compares exact strings, so "chown" and "CAP_CHOWN" are refused)."""
    if isinstance(capability, str):
        spelled = capability.upper().removeprefix("CAP_")
        if spelled != capability and spelled in allowed:
            return f'{why}. Write it as "{spelled}"'
    return why + ". Remove it"


def _capabilities_baseline(pod: _Pod, out: list[Problem]) -> None:
    for c in pod.containers:
        for index, capability in _elements(_at(_at(c.sc, "capabilities"), "add")):
            if not (type(capability) is str and capability in BASELINE_CAPABILITIES):
                path = (*c.sc_path, "capabilities", "add", index)
                out.append(
                    Problem(
                        _CAPABILITIES_BASELINE,
                        path,
                        _capability_reason(capability, _CAPABILITY_WHY, BASELINE_CAPABILITIES),
                        capability,
                    )
                )


_HOST_PATH_VOLUMES = _rule("hostPathVolumes")
_HOST_PATH_REASON = (
    _BASELINE
    + "a hostPath volume gives the Pod the node's filesystem. Use another volume type, e.g. emptyDir or a persistentVolumeClaim"
)


def _host_path_volumes(pod: _Pod, out: list[Problem]) -> None:
    for index, volume in _elements(_at(pod.spec, "volumes")):
        host_path = _at(volume, "hostPath")
        if host_path is not None and host_path is not UNKNOWN:
            out.append(
                Problem(
                    _HOST_PATH_VOLUMES, (*pod.spec_path, "volumes", index, "hostPath"), _HOST_PATH_REASON, host_path
                )
            )


_HOST_PORTS = _rule("hostPorts")
_HOST_PORT_REASON = (
    _BASELINE
    + "a hostPort opens the port on the node itself and limits where the Pod can run. Remove hostPort and reach the container through a Service"
)


def _host_ports(pod: _Pod, out: list[Problem]) -> None:
    for c in pod.containers:
        for index, port in _elements(_at(c.container, "ports")):
            host_port = _at(port, "hostPort")
            if host_port is not None and host_port is not UNKNOWN and not _is_zero(host_port):
                out.append(
                    Problem(_HOST_PORTS, (*c.path, "ports", index, "hostPort"), _HOST_PORT_REASON, as_int(host_port))
                )


_HOST_PROBES = _rule("hostProbesAndHostLifecycle")
_HOST_PROBE_REASON = (
    _BASELINE
    + "the kubelet sends probes and lifecycle requests from the node, so a host lets the Pod reach other addresses through it. Remove host so the request goes to the Pod's IP"
)


def _handler_hosts(out: list[Problem], handler: Any, path: Path) -> None:
    for action in _HOST_ACTIONS:
        target = _at(handler, action)
        if target is None:
            continue
        host = _at(target, "host")
        if isinstance(host, str) and host:
            out.append(Problem(_HOST_PROBES, (*path, action, "host"), _HOST_PROBE_REASON, host))


def _host_probes_and_host_lifecycle(pod: _Pod, out: list[Problem]) -> None:
    for c in pod.containers:
        for probe in _PROBES:
            handler = _at(c.container, probe)
            if handler is not None:
                _handler_hosts(out, handler, (*c.path, probe))
        lifecycle = _at(c.container, "lifecycle")
        if lifecycle is not None:
            for name in _LIFECYCLE_HANDLERS:
                handler = _at(lifecycle, name)
                if handler is not None:
                    _handler_hosts(out, handler, (*c.path, "lifecycle", name))


_APPARMOR = _rule("appArmorProfile")
_APPARMOR_TYPE_REASON = (
    _BASELINE
    + 'only the "RuntimeDefault" and "Localhost" AppArmor profiles are allowed. Use "RuntimeDefault" or remove appArmorProfile'
)
_APPARMOR_MISSING_REASON = 'must be "RuntimeDefault" or "Localhost" under Pod Security Standards "baseline" or "restricted": an AppArmor profile without a type is refused. Set type, or remove appArmorProfile'
_APPARMOR_ANNOTATION_REASON = (
    _BASELINE
    + 'only "runtime/default" and "localhost/<profile>" AppArmor profiles are allowed. Use "runtime/default", or the securityContext.appArmorProfile field that replaces this annotation'
)


def _app_armor_profile(pod: _Pod, out: list[Problem]) -> None:
    for sc, sc_path in pod.contexts:
        profile = _at(sc, "appArmorProfile")
        if profile is None or profile is UNKNOWN:
            continue
        profile_type = _at(profile, "type")
        path = (*sc_path, "appArmorProfile", "type")
        if profile_type is None or profile_type == "":
            out.append(Problem(_APPARMOR, path, _APPARMOR_MISSING_REASON))
        elif profile_type is not UNKNOWN and not (type(profile_type) is str and profile_type in _APPARMOR_TYPES):
            out.append(Problem(_APPARMOR, path, _APPARMOR_TYPE_REASON, profile_type))
    annotations = _at(pod.view.metadata, "annotations")
    if type(annotations) is not dict and not isinstance(annotations, Mapping):
        return
    for key, value in annotations.items():
        if (
            isinstance(key, str)
            and key.startswith(_APPARMOR_ANNOTATION)
            and isinstance(value, str)
            and value
            and value != "runtime/default"
            and not value.startswith("localhost/")
        ):
            out.append(
                Problem(_APPARMOR, (*pod.view.metadata_path, "annotations", key), _APPARMOR_ANNOTATION_REASON, value)
            )


_SELINUX = _rule("seLinuxOptions")
_SELINUX_TYPE_REASON = (
    _BASELINE
    + f"the SELinux type may only be {', '.join(sorted(ALLOWED_SELINUX_TYPES))}. Use one of these or remove it"
)
_SELINUX_USER_REASON = _BASELINE + "a custom SELinux user can lift the container's confinement. Remove it"
_SELINUX_ROLE_REASON = _BASELINE + "a custom SELinux role can lift the container's confinement. Remove it"


def _se_linux_options(pod: _Pod, out: list[Problem]) -> None:
    for sc, sc_path in pod.contexts:
        options = _at(sc, "seLinuxOptions")
        if options is None or options is UNKNOWN:
            continue
        path = (*sc_path, "seLinuxOptions")
        selinux_type = _at(options, "type")
        if selinux_type and not (type(selinux_type) is str and selinux_type in ALLOWED_SELINUX_TYPES):
            out.append(Problem(_SELINUX, (*path, "type"), _SELINUX_TYPE_REASON, selinux_type))
        # UNKNOWN is falsy: an unknown user or role is skipped here.
        user = _at(options, "user")
        if user:
            out.append(Problem(_SELINUX, (*path, "user"), _SELINUX_USER_REASON, user))
        role = _at(options, "role")
        if role:
            out.append(Problem(_SELINUX, (*path, "role"), _SELINUX_ROLE_REASON, role))


_PROC_MOUNT = _rule("procMount")
_PROC_MOUNT_RESTRICTED = _rule("procMount_restricted")
_PROC_MOUNT_REASON = (
    _BASELINE
    + 'the default /proc mount masks paths that expose the node; only a Pod with hostUsers: false may unmask them. Remove it or set it to "Default"'
)
_PROC_MOUNT_RESTRICTED_REASON = (
    _RESTRICTED
    + 'the default /proc mount masks paths that expose the node, even in a Pod with hostUsers: false. Remove it or set it to "Default"'
)


def _proc_mount_problems(pod: _Pod, out: list[Problem], rule: str, reason: str) -> None:
    for c in pod.containers:
        proc_mount = _at(c.sc, "procMount")
        if proc_mount is not None and proc_mount is not UNKNOWN and proc_mount != "Default":
            out.append(Problem(rule, (*c.sc_path, "procMount"), reason, proc_mount))


def _proc_mount(pod: _Pod, out: list[Problem]) -> None:
    # v1.35+: a Pod in a user namespace (hostUsers: false) may unmask /proc;
    # unknown hostUsers: cannot tell.
    if pod.user_namespace is False:
        _proc_mount_problems(pod, out, _PROC_MOUNT, _PROC_MOUNT_REASON)


_SECCOMP_BASELINE = _rule("seccompProfile_baseline")
_SECCOMP_TYPE_REASON = (
    _BASELINE + 'only the "RuntimeDefault" and "Localhost" seccomp profiles are allowed. Use "RuntimeDefault"'
)
_SECCOMP_MISSING_TYPE_REASON = 'must be "RuntimeDefault" or "Localhost" under Pod Security Standards "baseline" or "restricted": a seccomp profile without a type is refused. Set type: RuntimeDefault'


def _bad_seccomp_type(out: list[Problem], rule: str, profile: Any, path: Path) -> None:
    """Report the type of the seccomp profile at ``path`` unless it is allowed or unknown."""
    profile_type = _at(profile, "type")
    if profile_type is UNKNOWN or (type(profile_type) is str and profile_type in _SECCOMP_TYPES):
        return
    if profile_type is None or profile_type == "":
        out.append(Problem(rule, (*path, "type"), _SECCOMP_MISSING_TYPE_REASON))
    else:
        out.append(Problem(rule, (*path, "type"), _SECCOMP_TYPE_REASON, profile_type))


def _seccomp_profile_baseline(pod: _Pod, out: list[Problem]) -> None:
    # v1.19+ reads the fields only; the alpha seccomp annotations no longer count.
    for sc, sc_path in pod.contexts:
        profile = _at(sc, "seccompProfile")
        if profile is not None and profile is not UNKNOWN:
            _bad_seccomp_type(out, _SECCOMP_BASELINE, profile, (*sc_path, "seccompProfile"))


_SYSCTLS = _rule("sysctls")
_SYSCTL_REASON = (
    _BASELINE
    + f"a Pod may set only the sysctls that are isolated from other Pods ({', '.join(sorted(SAFE_SYSCTLS))}). Remove it, or set it on the node"
)


def _sysctls(pod: _Pod, out: list[Problem]) -> None:
    for index, sysctl in _elements(_at(pod.sc, "sysctls")):
        name = _at(sysctl, "name")
        if name is not None and name is not UNKNOWN and not (type(name) is str and name in SAFE_SYSCTLS):
            out.append(Problem(_SYSCTLS, (*pod.sc_path, "sysctls", index, "name"), _SYSCTL_REASON, name))


# --- restricted controls ------------------------------------------------------

_RESTRICTED_VOLUMES = _rule("restrictedVolumes")
_ALLOWED_VOLUMES = ", ".join(sorted(RESTRICTED_VOLUME_TYPES - {"secret"})) + " and secret"
_VOLUME_REASON = (
    _RESTRICTED
    + f"only {_ALLOWED_VOLUMES} volumes are allowed. Use a persistentVolumeClaim bound to a PersistentVolume of this type"
)
_VOLUME_REASONS: Final = {
    "hostPath": _BASELINE
    + "a hostPath volume gives the Pod the node's filesystem. Use another volume type, e.g. emptyDir or a persistentVolumeClaim",
    "gitRepo": _RESTRICTED
    + f"only {_ALLOWED_VOLUMES} volumes are allowed. Clone the repository into an emptyDir from an initContainer",
}


def _restricted_volumes(pod: _Pod, out: list[Problem]) -> None:
    for index, volume in _elements(_at(pod.spec, "volumes")):
        if type(volume) is not dict and not isinstance(volume, Mapping):
            continue
        refused: list[tuple[str, Any]] = []
        for source, value in volume.items():
            if source == "name" or value is None:
                continue
            if type(source) is str and source in RESTRICTED_VOLUME_TYPES:
                break
            refused.append((source, value))
        else:
            # A volume without a source is defaulted to emptyDir by the API server.
            for source, value in refused:
                if value is not UNKNOWN:
                    reason = _VOLUME_REASONS.get(source, _VOLUME_REASON)
                    out.append(Problem(_RESTRICTED_VOLUMES, (*pod.spec_path, "volumes", index, source), reason, value))


_ALLOW_PRIVILEGE_ESCALATION = _rule("allowPrivilegeEscalation")
_ESCALATION_WHY = "otherwise a process can gain more privileges than its parent, e.g. through a setuid binary"
_ESCALATION_MISSING_REASON = f'must be set to false under Pod Security Standards "restricted": {_ESCALATION_WHY}. Set allowPrivilegeEscalation: false'
_ESCALATION_REASON = _RESTRICTED + f"{_ESCALATION_WHY}. Set it to false"


def _allow_privilege_escalation(pod: _Pod, out: list[Problem]) -> None:
    # v1.25+: the API server refuses this field on Windows Pods, so they are exempt.
    if pod.windows is not False:
        return
    for c in pod.containers:
        value = _at(c.sc, "allowPrivilegeEscalation")
        if value is False or value is UNKNOWN:
            continue
        path = (*c.sc_path, "allowPrivilegeEscalation")
        if value is None:
            out.append(Problem(_ALLOW_PRIVILEGE_ESCALATION, path, _ESCALATION_MISSING_REASON))
        else:
            out.append(Problem(_ALLOW_PRIVILEGE_ESCALATION, path, _ESCALATION_REASON, value))


_RUN_AS_NON_ROOT = _rule("runAsNonRoot")
_NON_ROOT_REASON = (
    _RESTRICTED
    + "containers must not run as root (unless the Pod sets hostUsers: false). Set it to true and run the image as a non-zero UID"
)


def _run_as_non_root(pod: _Pod, out: list[Problem]) -> None:
    # v1.35+: root in a user namespace (hostUsers: false) is not root on the node.
    if pod.user_namespace is not False:
        return
    pod_value = _at(pod.sc, "runAsNonRoot")
    if pod_value is not None and pod_value is not True and pod_value is not UNKNOWN:
        out.append(Problem(_RUN_AS_NON_ROOT, (*pod.sc_path, "runAsNonRoot"), _NON_ROOT_REASON, pod_value))
    for c in pod.containers:
        value = _at(c.sc, "runAsNonRoot")
        if value is True or value is UNKNOWN:
            continue
        path = (*c.sc_path, "runAsNonRoot")
        if value is not None:
            out.append(Problem(_RUN_AS_NON_ROOT, path, _NON_ROOT_REASON, value))
        elif pod_value is None:
            # A container that sets nothing inherits a bad or unknown Pod value:
            # that one is reported (or skipped), not each container.
            pod_field = format_path((*pod.sc_path, "runAsNonRoot"))
            reason = f"must be set to true under Pod Security Standards \"restricted\": containers must not run as root. Set it here, or once for every container at '{pod_field}'"
            out.append(Problem(_RUN_AS_NON_ROOT, path, reason))


_RUN_AS_USER = _rule("runAsUser")
_RUN_AS_USER_REASON = (
    _RESTRICTED
    + "UID 0 is root (unless the Pod sets hostUsers: false). Use a non-zero UID, or remove it and run the image as a non-root user"
)


def _run_as_user(pod: _Pod, out: list[Problem]) -> None:
    # v1.35+: UID 0 in a user namespace (hostUsers: false) is not root on the node.
    if pod.user_namespace is not False:
        return
    for sc, sc_path in pod.contexts:
        value = _at(sc, "runAsUser")
        if _is_zero(value):
            out.append(Problem(_RUN_AS_USER, (*sc_path, "runAsUser"), _RUN_AS_USER_REASON, as_int(value)))


_SECCOMP_RESTRICTED = _rule("seccompProfile_restricted")


def _seccomp_profile_restricted(pod: _Pod, out: list[Problem]) -> None:
    # v1.25+: the API server refuses seccompProfile on Windows Pods, so they are exempt.
    if pod.windows is not False:
        return
    pod_profile = _at(pod.sc, "seccompProfile")
    if pod_profile is not None and pod_profile is not UNKNOWN:
        _bad_seccomp_type(out, _SECCOMP_RESTRICTED, pod_profile, (*pod.sc_path, "seccompProfile"))
    for c in pod.containers:
        profile = _at(c.sc, "seccompProfile")
        if profile is UNKNOWN:
            continue
        if profile is not None:
            _bad_seccomp_type(out, _SECCOMP_RESTRICTED, profile, (*c.sc_path, "seccompProfile"))
        elif pod_profile is None:
            # A container that sets nothing inherits a bad or unknown Pod
            # profile: that one is reported (or skipped), not each container.
            pod_field = format_path((*pod.sc_path, "seccompProfile"))
            reason = f"must be set under Pod Security Standards \"restricted\": without a profile the container runs Unconfined. Set seccompProfile: {{type: RuntimeDefault}} here, or once for every container at '{pod_field}'"
            out.append(Problem(_SECCOMP_RESTRICTED, (*c.sc_path, "seccompProfile"), reason))


_CAPABILITIES_RESTRICTED = _rule("capabilities_restricted")
_DROP_WHY = 'must include "ALL" under Pod Security Standards "restricted": a container keeps the runtime\'s default capabilities unless it drops them all'
_DROP_MISSING_REASON = _DROP_WHY + '. Set capabilities.drop: ["ALL"] and add back only NET_BIND_SERVICE if needed'
_DROP_REASON = _DROP_WHY + '. Add "ALL" to the list'
_ADD_RESTRICTED_REASON = _RESTRICTED + "a container may add only NET_BIND_SERVICE. Remove it"
_ADD_BASELINE_WHY = (
    _BASELINE
    + '"restricted" lets a container add only NET_BIND_SERVICE, "baseline" only the runtime\'s default capabilities'
)


def _capabilities_restricted(pod: _Pod, out: list[Problem]) -> None:
    # v1.25+: the API server refuses capabilities on Windows Pods, so they are exempt.
    if pod.windows is not False:
        return
    for c in pod.containers:
        capabilities = _at(c.sc, "capabilities")
        if capabilities is UNKNOWN:
            continue
        drop = _at(capabilities, "drop")
        if drop is None:
            out.append(Problem(_CAPABILITIES_RESTRICTED, (*c.sc_path, "capabilities", "drop"), _DROP_MISSING_REASON))
        elif drop is not UNKNOWN and not _drops_all(drop):
            out.append(Problem(_CAPABILITIES_RESTRICTED, (*c.sc_path, "capabilities", "drop"), _DROP_REASON, drop))
        add = _at(capabilities, "add")
        if add is None:
            continue
        for index, capability in _elements(add):
            if capability != "NET_BIND_SERVICE":
                if type(capability) is str and capability in BASELINE_CAPABILITIES:
                    reason = _ADD_RESTRICTED_REASON
                else:
                    reason = _capability_reason(capability, _ADD_BASELINE_WHY, ("NET_BIND_SERVICE",))
                path = (*c.sc_path, "capabilities", "add", index)
                out.append(Problem(_CAPABILITIES_RESTRICTED, path, reason, capability))


def _drops_all(drop: Any) -> bool:
    """Whether a drop list has "ALL", or an unknown element that may be "ALL"."""
    for value in _list(drop):
        if value == "ALL" or value is UNKNOWN:
            return True
    return False


def _proc_mount_restricted(pod: _Pod, out: list[Problem]) -> None:
    # v1.35+: "restricted" keeps /proc masked even in a user namespace.
    _proc_mount_problems(pod, out, _PROC_MOUNT_RESTRICTED, _PROC_MOUNT_RESTRICTED_REASON)


# --- the controls, in the order of the Pod Security Standards page -------------
# (procMount_restricted, upstream's v1.35 split of the /proc control, last)


@dataclass(frozen=True)
class _Control:
    id: str
    level: str
    check: _Check
    overrides: tuple[str, ...] = ()
    """Baseline controls this one replaces under "restricted" (upstream's
    OverrideCheckIDs): a violation is reported once, by the stricter check."""


_CONTROLS: Final = (
    _Control("windowsHostProcess", "baseline", _windows_host_process),
    _Control("hostNamespaces", "baseline", _host_namespaces),
    _Control("privileged", "baseline", _privileged),
    _Control("capabilities_baseline", "baseline", _capabilities_baseline),
    _Control("hostPathVolumes", "baseline", _host_path_volumes),
    _Control("hostPorts", "baseline", _host_ports),
    _Control("hostProbesAndHostLifecycle", "baseline", _host_probes_and_host_lifecycle),
    _Control("appArmorProfile", "baseline", _app_armor_profile),
    _Control("seLinuxOptions", "baseline", _se_linux_options),
    _Control("procMount", "baseline", _proc_mount),
    _Control("seccompProfile_baseline", "baseline", _seccomp_profile_baseline),
    _Control("sysctls", "baseline", _sysctls),
    _Control("restrictedVolumes", "restricted", _restricted_volumes, ("hostPathVolumes",)),
    _Control("allowPrivilegeEscalation", "restricted", _allow_privilege_escalation),
    _Control("runAsNonRoot", "restricted", _run_as_non_root),
    _Control("runAsUser", "restricted", _run_as_user),
    _Control("seccompProfile_restricted", "restricted", _seccomp_profile_restricted, ("seccompProfile_baseline",)),
    _Control("capabilities_restricted", "restricted", _capabilities_restricted, ("capabilities_baseline",)),
    _Control("procMount_restricted", "restricted", _proc_mount_restricted, ("procMount",)),
)

CONTROL_IDS: Final[dict[str, tuple[str, ...]]] = {
    "baseline": tuple(c.id for c in _CONTROLS if c.level == "baseline"),
    "restricted": tuple(
        c.id for c in _CONTROLS if c.id not in {o for r in _CONTROLS if r.level == "restricted" for o in r.overrides}
    ),
}
"""The upstream check IDs each level runs, in order ("restricted" without the
baseline checks it replaces)."""

_BY_ID: Final = {c.id: c.check for c in _CONTROLS}
_CHECKS: Final = {level: tuple(_BY_ID[i] for i in ids) for level, ids in CONTROL_IDS.items()}


def check_pod_security(obj: Any, level: str) -> list[Problem]:
    """Every control of ``level`` the Pod of ``obj`` fails; [] for kinds without a Pod."""
    checks = _CHECKS.get(level)
    if checks is None:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    view = pod_of(obj)
    if view is None:
        return []
    pod = _Pod(view)
    problems: list[Problem] = []
    for check in checks:
        check(pod, problems)
    return problems


def _passes(pod: _Pod, level: str) -> bool:
    problems: list[Problem] = []
    for check in _CHECKS[level]:
        check(pod, problems)
        if problems:
            return False
    return True


def highest_level(obj: Any) -> str | None:
    """ "restricted" if the Pod passes it, else "baseline" if it passes that, else None.

    Kinds without a Pod, and Pods whose spec is unknown, fail nothing: "restricted".
    """
    view = pod_of(obj)
    if view is None:
        return "restricted"
    pod = _Pod(view)
    if _passes(pod, "restricted"):
        return "restricted"
    return "baseline" if _passes(pod, "baseline") else None


__all__ = [
    "ALLOWED_SELINUX_TYPES",
    "BASELINE_CAPABILITIES",
    "CONTROL_IDS",
    "LEVELS",
    "RESTRICTED_VOLUME_TYPES",
    "SAFE_SYSCTLS",
    "check_pod_security",
    "highest_level",
]
