"""What the Kubernetes API server refuses when a Service is created: ValidateService
(pkg/apis/core/validation) on the object after v1 defaulting, plus the create-time
refusals of the Service registry (pkg/registry/core/service/storage/alloc.go) that do
not depend on how the cluster is configured. Feature gates are taken at their
Kubernetes 1.35 defaults: StrictIPCIDRValidation off, PreferSameTrafficDistribution
on, RelaxedServiceNameValidation off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from ._problem import BAD_INT, NO_VALUE, UNKNOWN, Path, Problem, decode_int, show
from .names import (
    cidr_problem,
    dns1035_label_problem,
    dns1123_label_problem,
    dns1123_subdomain_problem,
    iana_svc_name_problem,
    ip_family,
    ip_problem,
    label_value_problem,
    non_special_ip_problem,
    port_number_problem,
    qualified_name_problem,
    trim_space,
)

__all__ = ["NODE_PORT_RANGE", "PROTOCOLS", "SERVICE_TYPES", "check_service"]

NODE_PORT_RANGE: Final = (30000, 32767)  # Kubernetes' default --service-node-port-range
PROTOCOLS: Final = ("TCP", "UDP", "SCTP")
SERVICE_TYPES: Final = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")

SESSION_AFFINITIES: Final = ("None", "ClientIP")
EXTERNAL_TRAFFIC_POLICIES: Final = ("Cluster", "Local")
INTERNAL_TRAFFIC_POLICIES: Final = ("Cluster", "Local")
IP_FAMILIES: Final = ("IPv4", "IPv6")
IP_FAMILY_POLICIES: Final = ("SingleStack", "PreferDualStack", "RequireDualStack")
# PreferSameZone and PreferSameNode are GA in 1.35 (beta, on by default, in 1.34).
TRAFFIC_DISTRIBUTIONS: Final = ("PreferClose", "PreferSameZone", "PreferSameNode")
MAX_CLIENT_IP_AFFINITY_SECONDS: Final = 86400

SOURCE_RANGES_ANNOTATION: Final = "service.beta.kubernetes.io/load-balancer-source-ranges"
TOPOLOGY_MODE_ANNOTATION: Final = "service.kubernetes.io/topology-mode"
TOPOLOGY_HINTS_ANNOTATION: Final = "service.kubernetes.io/topology-aware-hints"


def _one_of(values: Sequence[str]) -> str:
    return "must be one of " + ", ".join(f'"{value}"' for value in values)


_EMPTY: Final[Mapping[str, Any]] = {}


def _is_map(value: Any) -> bool:
    # type() first: an ABC isinstance check costs several dict lookups.
    return type(value) is dict or isinstance(value, Mapping)


def _child(parent: Any, key: str) -> Any:
    """parent[key] as a mapping: the mapping, UNKNOWN, or an empty mapping
    (absent, null, or not a mapping: the schema rules report that)."""
    if parent is UNKNOWN:
        return UNKNOWN
    value = parent.get(key)
    if value is UNKNOWN or _is_map(value):
        return value
    return _EMPTY


def _str_list(value: Any) -> Any:
    """A list field: the list, [] when absent, UNKNOWN when not known."""
    if value is None:
        return []
    if value is UNKNOWN or isinstance(value, list):
        return value
    return UNKNOWN  # not a list: the schema rules say so; nothing to check here


class _Port:
    """One known entry of spec.ports, after v1 defaulting."""

    __slots__ = ("index", "name", "port", "protocol", "target", "node_port", "app_protocol", "raw")

    def __init__(self, index: int, raw: Mapping[str, Any]) -> None:
        self.index = index
        self.raw = raw
        field = raw.get
        self.name = field("name")
        port = field("port")
        self.port = port if type(port) is int else decode_int(port)
        protocol = field("protocol")
        self.protocol = "TCP" if protocol is None or protocol == "" else protocol
        self.target = field("targetPort")
        node_port = field("nodePort")
        self.node_port = 0 if node_port is None else node_port if type(node_port) is int else decode_int(node_port)
        self.app_protocol = field("appProtocol")


class _Service:
    """The Service as the checks read it: defaulted, with the derived facts
    several checks share."""

    __slots__ = (
        "meta",
        "annotations",
        "spec",
        "type",
        "ports",
        "port_count",
        "cluster_ip",
        "user_cluster_ips",
        "cluster_ips",
        "headless",
        "selector",
        "families",
        "node_port_range",
        "allocated",
        "cluster_ip_problems",
    )

    def __init__(self, obj: Mapping[str, Any], node_port_range: tuple[int, int]) -> None:
        self.node_port_range = node_port_range
        self.meta: Any = _child(obj, "metadata")
        self.annotations: Any = _child(self.meta, "annotations")
        self.spec: Any = _child(obj, "spec")
        spec = _EMPTY if self.spec is UNKNOWN else self.spec
        kind = spec.get("type")
        self.type: Any = "ClusterIP" if kind is None or kind == "" else kind
        raw_ports = _str_list(spec.get("ports"))
        self.port_count = -1 if raw_ports is UNKNOWN else len(raw_ports)
        self.ports: list[_Port] = []
        if raw_ports is not UNKNOWN:
            self.ports = [_Port(i, port) for i, port in enumerate(raw_ports) if _is_map(port)]
        cluster_ip = spec.get("clusterIP")
        self.cluster_ip: Any = "" if cluster_ip is None else cluster_ip
        self.user_cluster_ips: Any = _str_list(spec.get("clusterIPs"))
        # On create the registry copies a lone spec.clusterIP into clusterIPs
        # before anything looks at them (normalizeClusterIPs).
        self.cluster_ips: Any = self.user_cluster_ips
        if not self.user_cluster_ips and isinstance(self.cluster_ip, str) and self.cluster_ip:
            self.cluster_ips = [self.cluster_ip]
        ips = self.cluster_ips
        if ips is UNKNOWN or UNKNOWN in ips:
            self.headless: Any = UNKNOWN
        else:
            self.headless = len(ips) == 1 and ips[0] == "None"
        self.selector = spec.get("selector")
        self.families: Any = _str_list(spec.get("ipFamilies"))
        # Node port -> index of the port it was allocated to; None when the
        # allocation could not be followed.
        self.allocated: dict[int, int] | None = None
        self.cluster_ip_problems = 0

    def cluster_ip_path(self, index: int) -> Path:
        """Where clusterIPs[index] is written in the object."""
        if not self.user_cluster_ips and index == 0:
            return ("spec", "clusterIP")
        return ("spec", "clusterIPs", index)

    def externally_accessible(self) -> Any:
        """apiservice.ExternallyAccessible: True, False or UNKNOWN."""
        if self.type in ("LoadBalancer", "NodePort"):
            return True
        if self.type != "ClusterIP":
            return self.type if self.type is UNKNOWN else False
        external_ips = _str_list(self.spec.get("externalIPs"))
        return external_ips if external_ips is UNKNOWN else len(external_ips) > 0


_Check = Callable[[_Service, list[Problem]], None]


# --- metadata ---------------------------------------------------------------------


def _check_name(s: _Service, out: list[Problem]) -> None:
    """ValidateObjectMeta with ValidateServiceName: a Service name is an RFC
    1035 label (it becomes a DNS name and environment variable prefix)."""
    if s.meta is UNKNOWN:
        return
    name = s.meta.get("name")
    if isinstance(name, str) and name:
        reason = dns1035_label_problem(name)
        if reason:
            out.append(Problem("service/name", ("metadata", "name"), reason, name))
    prefix = s.meta.get("generateName")
    if isinstance(prefix, str) and prefix:
        # NameIsDNS1035Label(prefix=true) masks a trailing dash (maskTrailingDash).
        masked = prefix[:-2] + "a" if len(prefix) > 1 and prefix.endswith("-") else prefix
        reason = dns1035_label_problem(masked)
        if reason:
            out.append(Problem("service/name", ("metadata", "generateName"), reason, prefix))


def _check_topology_mode(s: _Service, out: list[Problem]) -> None:
    """The topology-mode annotation must agree with its deprecated predecessor."""
    if s.annotations is UNKNOWN:
        return
    mode = s.annotations.get(TOPOLOGY_MODE_ANNOTATION)
    hints = s.annotations.get(TOPOLOGY_HINTS_ANNOTATION)
    if isinstance(mode, str) and isinstance(hints, str) and mode != hints:
        out.append(
            Problem(
                "service/topology-mode",
                ("metadata", "annotations", TOPOLOGY_MODE_ANNOTATION),
                f"must match metadata.annotations[{TOPOLOGY_HINTS_ANNOTATION}] ({show(hints)}) when both are set; "
                "drop the deprecated topology-aware-hints annotation",
                mode,
            )
        )


# --- spec -------------------------------------------------------------------------


def _check_ports_required(s: _Service, out: list[Problem]) -> None:
    if s.port_count == 0 and s.headless is False and s.type is not UNKNOWN and s.type != "ExternalName":
        out.append(
            Problem(
                "service/ports",
                ("spec", "ports"),
                "is required: a Service needs at least one port unless it is headless (clusterIP None) "
                "or of type ExternalName",
            )
        )


def _check_headless_type(s: _Service, out: list[Problem]) -> None:
    if s.headless is True and s.type in ("LoadBalancer", "NodePort"):
        out.append(
            Problem(
                "service/cluster-ip",
                s.cluster_ip_path(0),
                f"may not be 'None' for {s.type} Services; only a ClusterIP Service can be headless",
                "None",
            )
        )


def _check_external_name(s: _Service, out: list[Problem]) -> None:
    """An ExternalName Service is only a CNAME: no cluster IPs, no families."""
    if s.type != "ExternalName":
        return
    spec = s.spec
    forbidden = "may not be set for ExternalName Services"
    if isinstance(s.cluster_ips, list) and s.cluster_ips:
        if not s.user_cluster_ips:
            out.append(Problem("service/external-name", ("spec", "clusterIP"), forbidden, s.cluster_ip))
        else:
            out.append(Problem("service/external-name", ("spec", "clusterIPs"), forbidden, s.cluster_ips))
    if isinstance(s.families, list) and s.families:
        out.append(Problem("service/external-name", ("spec", "ipFamilies"), forbidden, s.families))
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy is not UNKNOWN:
        out.append(Problem("service/external-name", ("spec", "ipFamilyPolicy"), forbidden, policy))
    name = spec.get("externalName")
    if name is UNKNOWN:
        return
    if name is None:
        name = ""
    if not isinstance(name, str):
        out.append(Problem("service/external-name", ("spec", "externalName"), "must be a string", name))
        return
    # The CNAME may end in a dot to mark it fully qualified.
    cname = name[:-1] if name.endswith(".") else name
    if not cname:
        out.append(
            Problem(
                "service/external-name",
                ("spec", "externalName"),
                "is required for type ExternalName: the DNS name the Service is an alias of",
                name if name else NO_VALUE,
            )
        )
        return
    reason = dns1123_subdomain_problem(cname)
    if reason:
        out.append(Problem("service/external-name", ("spec", "externalName"), reason, name))


def _port_number_problem(value: Any) -> str | None:
    """IsValidPortNum on a decoded int field (value from _integer)."""
    if value is None:
        return "is required: a port number between 1 and 65535"
    return port_number_problem(value)


def _check_service_ports(s: _Service, out: list[Problem]) -> None:
    """validateServicePort for every port."""
    require_name = s.port_count > 1
    names: dict[str, int] = {}
    for p in s.ports:
        base: Path = ("spec", "ports", p.index)
        name = p.name
        if name is not UNKNOWN:
            if name is None or name == "":
                if require_name:
                    out.append(
                        Problem(
                            "service/ports",
                            (*base, "name"),
                            "is required when a Service has more than one port, so that Endpoints can tell them apart",
                        )
                    )
            else:
                reason = dns1123_label_problem(name)
                if reason:
                    out.append(Problem("service/ports", (*base, "name"), reason, name))
                if isinstance(name, str):
                    first = names.setdefault(name, p.index)
                    if first != p.index:
                        out.append(
                            Problem(
                                "service/ports",
                                (*base, "name"),
                                f"is already used by spec.ports[{first}]; port names must be unique",
                                name,
                            )
                        )
        if p.port is not UNKNOWN:
            reason = _port_number_problem(p.port)
            if reason:
                shown = p.raw.get("port")
                out.append(Problem("service/ports", (*base, "port"), reason, NO_VALUE if shown is None else shown))
        if p.protocol is not UNKNOWN and p.protocol not in PROTOCOLS:
            out.append(Problem("service/ports", (*base, "protocol"), _one_of(PROTOCOLS), p.protocol))
        _check_target_port(p, base, out)
        if p.app_protocol is not None and p.app_protocol is not UNKNOWN:
            reason = qualified_name_problem(p.app_protocol)
            if reason:
                out.append(
                    Problem(
                        "service/app-protocol",
                        (*base, "appProtocol"),
                        f"{reason}; appProtocol takes a label-key style name such as 'http', "
                        "'kubernetes.io/h2c' or 'example.com/proto'",
                        p.app_protocol,
                    )
                )


def _check_target_port(p: _Port, base: Path, out: list[Problem]) -> None:
    """ValidatePortNumOrName; an absent, 0 or "" targetPort defaults to port."""
    target = p.target
    if target is None or target is UNKNOWN:
        return
    if not isinstance(target, bool) and (target == "" or target == 0):
        return  # defaulted from port, whose own problems are reported there
    if isinstance(target, str):
        reason = iana_svc_name_problem(target)
        if reason:
            out.append(
                Problem(
                    "service/ports",
                    (*base, "targetPort"),
                    f"{reason} (a named targetPort is an IANA service name matching a container port's name)",
                    target,
                )
            )
        return
    number = decode_int(target)
    if number is BAD_INT:
        problem: str | None = "must be a port number between 1 and 65535 or a container port name"
    else:
        problem = _port_number_problem(number)
    if problem:
        out.append(Problem("service/ports", (*base, "targetPort"), problem, target))


def _check_selector(s: _Service, out: list[Problem]) -> None:
    """ValidateLabels: selector keys are qualified names, values label values."""
    selector = s.selector
    if selector is None or selector is UNKNOWN or not _is_map(selector):
        return
    for key, value in selector.items():
        path: Path = ("spec", "selector", key)
        reason = qualified_name_problem(key)
        if reason:
            out.append(Problem("service/selector", path, f"is not a valid label key: {reason}", key))
        if value is not UNKNOWN:
            reason = label_value_problem(value)
            if reason:
                out.append(Problem("service/selector", path, f"is not a valid label value: {reason}", value))


def _check_session_affinity(s: _Service, out: list[Problem]) -> None:
    affinity = s.spec.get("sessionAffinity")
    if affinity is None or affinity == "" or affinity is UNKNOWN:
        return  # defaults to None, and with it sessionAffinityConfig is cleared
    if affinity not in SESSION_AFFINITIES:
        out.append(
            Problem("service/session-affinity", ("spec", "sessionAffinity"), _one_of(SESSION_AFFINITIES), affinity)
        )
        return
    if affinity != "ClientIP":
        return
    path: Path = ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds")
    client_ip = _child(_child(s.spec, "sessionAffinityConfig"), "clientIP")
    raw = UNKNOWN if client_ip is UNKNOWN else client_ip.get("timeoutSeconds")
    timeout = decode_int(raw)
    if timeout is None or timeout is UNKNOWN:
        return  # defaults to 10800
    if timeout is BAD_INT or not 0 < timeout <= MAX_CLIENT_IP_AFFINITY_SECONDS:
        out.append(
            Problem(
                "service/session-affinity",
                path,
                f"must be a number of seconds from 1 to {MAX_CLIENT_IP_AFFINITY_SECONDS} (one day)",
                raw,
            )
        )


def _check_cluster_ips(s: _Service, out: list[Problem]) -> None:
    """ValidateServiceClusterIPsRelatedFields: clusterIP(s), ipFamilies and
    ipFamilyPolicy, each alone and against each other."""
    if s.type == "ExternalName" or s.type is UNKNOWN:
        return  # ExternalName: all of them must be unset (checked above)
    before = len(out)
    spec = s.spec
    cluster_ip, user_ips = s.cluster_ip, s.user_cluster_ips
    if cluster_ip is not UNKNOWN and user_ips is not UNKNOWN:
        if cluster_ip != "":
            if user_ips and user_ips[0] is not UNKNOWN and user_ips[0] != cluster_ip:
                out.append(
                    Problem(
                        "service/cluster-ip",
                        ("spec", "clusterIPs"),
                        f"must start with spec.clusterIP ({show(cluster_ip)})",
                        user_ips,
                    )
                )
        elif user_ips:
            out.append(
                Problem(
                    "service/cluster-ip",
                    ("spec", "clusterIPs"),
                    "must be empty when spec.clusterIP is not set; set spec.clusterIP to its first value",
                    user_ips,
                )
            )
    families = s.families
    if families is not UNKNOWN:
        seen: dict[Any, int] = {}
        for i, family in enumerate(families):
            if family is UNKNOWN:
                continue
            if family not in IP_FAMILIES:
                out.append(Problem("service/ip-families", ("spec", "ipFamilies", i), _one_of(IP_FAMILIES), family))
            if isinstance(family, str):
                first = seen.setdefault(family, i)
                if first != i:
                    out.append(
                        Problem(
                            "service/ip-families",
                            ("spec", "ipFamilies", i),
                            f"is already listed at spec.ipFamilies[{first}]; list each family at most once",
                            family,
                        )
                    )
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy is not UNKNOWN and policy not in IP_FAMILY_POLICIES:
        out.append(Problem("service/ip-families", ("spec", "ipFamilyPolicy"), _one_of(IP_FAMILY_POLICIES), policy))
    ips = s.cluster_ips
    if ips is UNKNOWN:
        s.cluster_ip_problems = len(out) - before
        return
    invalid = unknown = False
    for i, ip in enumerate(ips):
        if ip is UNKNOWN:
            unknown = True
            continue
        if i == 0 and ip == "None":
            if len(ips) > 1:
                invalid = True
                out.append(
                    Problem(
                        "service/cluster-ip",
                        ("spec", "clusterIPs"),
                        "may hold 'None' only as its first and only value",
                        ips,
                    )
                )
            continue
        reason = ip_problem(ip)
        if reason:
            invalid = True
            out.append(Problem("service/cluster-ip", s.cluster_ip_path(i), reason, ip))
    if len(ips) > 2:
        out.append(
            Problem("service/cluster-ip", ("spec", "clusterIPs"), "may hold at most 2 values, one per IP family", ips)
        )
    # Upstream stops here after a bad IP: further messages would only restate it.
    if not invalid and not unknown:
        if len(ips) > 1 and {ip_family(ip) for ip in ips} != {4, 6}:
            out.append(
                Problem(
                    "service/cluster-ip",
                    ("spec", "clusterIPs"),
                    "may hold at most one IP of each family (one IPv4 and one IPv6)",
                    ips,
                )
            )
        if s.headless is False and ips and families is not UNKNOWN:
            # ipFamilies may be shorter than clusterIPs: the rest are inferred.
            for i, (ip, family) in enumerate(zip(ips, families, strict=False)):
                actual = ip_family(ip)
                if family == "IPv4" and actual == 6 or family == "IPv6" and actual != 6:
                    out.append(
                        Problem(
                            "service/ip-families",
                            s.cluster_ip_path(i),
                            f"must be an {family} address, as spec.ipFamilies[{i}] says",
                            ip,
                        )
                    )
    s.cluster_ip_problems = len(out) - before


def _check_ip_family_policy(s: _Service, out: list[Problem]) -> None:
    """initIPFamilyFields on create: an unset ipFamilyPolicy becomes
    SingleStack (RequireDualStack for a headless Service without selector),
    and SingleStack refuses two cluster IPs or two IP families."""
    if s.type == "ExternalName" or s.type is UNKNOWN or s.cluster_ip_problems:
        return  # the registry stops at the problems reported above
    policy = s.spec.get("ipFamilyPolicy")
    if policy is UNKNOWN:
        return
    explicit = policy is not None
    if not explicit:
        if s.cluster_ip is UNKNOWN:
            return
        if s.cluster_ip == "None":
            if s.selector is UNKNOWN:
                return
            if not s.selector:
                return  # defaults to RequireDualStack
        policy = "SingleStack"
    if policy != "SingleStack":
        return
    what = "is SingleStack, which" if explicit else "is not set, so on create it defaults to SingleStack, which"
    shown = "SingleStack" if explicit else NO_VALUE
    fix = "set it to PreferDualStack or RequireDualStack"
    if isinstance(s.cluster_ips, list) and len(s.cluster_ips) == 2:
        out.append(
            Problem(
                "service/ip-families",
                ("spec", "ipFamilyPolicy"),
                f"{what} refuses the two cluster IPs in spec.clusterIPs; {fix}",
                shown,
            )
        )
    if isinstance(s.families, list) and len(s.families) == 2:
        out.append(
            Problem(
                "service/ip-families",
                ("spec", "ipFamilyPolicy"),
                f"{what} refuses the two families in spec.ipFamilies; {fix}",
                shown,
            )
        )


def _check_external_ips(s: _Service, out: list[Problem]) -> None:
    external_ips = _str_list(s.spec.get("externalIPs"))
    if external_ips is UNKNOWN:
        return
    for i, ip in enumerate(external_ips):
        if ip is UNKNOWN:
            continue
        reason = ip_problem(ip) or non_special_ip_problem(ip)
        if reason:
            out.append(Problem("service/external-ips", ("spec", "externalIPs", i), reason, ip))


def _check_type(s: _Service, out: list[Problem]) -> None:
    if s.type is not UNKNOWN and s.type not in SERVICE_TYPES:
        out.append(Problem("service/type", ("spec", "type"), _one_of(SERVICE_TYPES), s.type))


def _check_node_ports(s: _Service, out: list[Problem]) -> None:
    """nodePort: forbidden on ClusterIP, unique per protocol (validation keys
    them on nodePort and protocol), and, for NodePort and LoadBalancer,
    allocatable from the node port range in one go."""
    asked = [p for p in s.ports if p.node_port != 0 and p.node_port is not UNKNOWN]
    if not asked:
        s.allocated = {}  # every node port is the allocator's pick: none can clash
        return
    kind = s.type
    seen: dict[tuple[int, Any], int] = {}
    reported: set[int] = set()
    for p in asked:
        node_port = p.node_port
        path: Path = ("spec", "ports", p.index, "nodePort")
        if node_port is BAD_INT:
            reported.add(p.index)
            out.append(Problem("service/node-ports", path, "must be an integer", p.raw.get("nodePort")))
            continue
        if kind == "ClusterIP":
            out.append(
                Problem(
                    "service/node-ports",
                    path,
                    "may not be set when spec.type is ClusterIP; use type NodePort or LoadBalancer, or remove it",
                    node_port,
                )
            )
        if p.protocol is UNKNOWN:
            continue
        first = seen.setdefault((node_port, p.protocol), p.index)
        if first != p.index:
            reported.add(p.index)
            out.append(
                Problem(
                    "service/node-ports",
                    path,
                    f"is already used by spec.ports[{first}] with protocol {p.protocol}; "
                    "node ports must be unique per protocol",
                    node_port,
                )
            )
    if kind == "NodePort" or kind == "LoadBalancer":
        _allocate_node_ports(s, reported, out)


def _allocate_node_ports(s: _Service, reported: set[int], out: list[Problem]) -> None:
    """initNodePorts: ports that share a port number share a node port; any
    other node port asked for twice is refused by the allocator, whatever the
    protocols, and so is one outside the node port range."""
    low, high = s.node_port_range
    followable = len(s.ports) == s.port_count
    requested: dict[int, _Port] = {}  # port number -> first port asking a node port for it
    for p in s.ports:
        node_port = p.node_port
        if type(node_port) is not int or type(p.port) is not int:
            followable = False  # unknown or not a number: the allocation cannot be followed
            continue
        if node_port == 0:
            continue
        requested.setdefault(p.port, p)
        if p.index not in reported and not low <= node_port <= high:
            reported.add(p.index)
            out.append(
                Problem(
                    "service/node-ports",
                    ("spec", "ports", p.index, "nodePort"),
                    f"must be within the cluster's node port range {low}-{high} (--service-node-port-range)",
                    node_port,
                )
            )
    if not followable:
        return
    allocate = s.type == "NodePort" or s.spec.get("allocateLoadBalancerNodePorts") is not False
    allocated: dict[int, _Port] = {}
    shared: dict[int, int] = {}  # port number -> the node port its ports share (-1: the allocator's pick)
    for p in s.ports:
        if p.node_port == 0 and not allocate:
            continue  # nothing to allocate, but specific requests are still honoured
        number = shared.get(p.port, 0)
        if number == 0:
            # The first node port asked for by any port with this number.
            holder = requested.get(p.port)
            shared[p.port] = -1 if holder is None else holder.node_port
        elif p.node_port != 0 and p.node_port != number:
            holder = p
        else:
            continue
        if holder is None or not low <= holder.node_port <= high:
            continue
        owner = allocated.setdefault(holder.node_port, holder)
        if owner is not holder and holder.index not in reported:
            reported.add(holder.index)
            out.append(
                Problem(
                    "service/node-ports",
                    ("spec", "ports", holder.index, "nodePort"),
                    f"is already allocated to spec.ports[{owner.index}] ({owner.port}/{owner.protocol}); "
                    "one node port can be shared only by ports with the same port number, such as 53/TCP and 53/UDP",
                    holder.node_port,
                )
            )
    s.allocated = {number: port.index for number, port in allocated.items()}


def _check_duplicate_ports(s: _Service, out: list[Problem]) -> None:
    seen: dict[tuple[int, str], int] = {}
    for p in s.ports:
        if not isinstance(p.port, int) or p.port is BAD_INT or not isinstance(p.protocol, str):
            continue
        first = seen.setdefault((p.port, p.protocol), p.index)
        if first != p.index:
            out.append(
                Problem(
                    "service/ports",
                    ("spec", "ports", p.index),
                    f"repeats port {p.port}/{p.protocol} of spec.ports[{first}]; "
                    "each port number may appear once per protocol",
                    {"port": p.port, "protocol": p.protocol},
                )
            )


def _check_source_ranges(s: _Service, out: list[Problem]) -> None:
    """loadBalancerSourceRanges, or the older annotation when the field is
    empty. Values may be padded with spaces (a historical accident upstream
    keeps accepting), and host bits past the prefix are tolerated."""
    ranges = _str_list(s.spec.get("loadBalancerSourceRanges"))
    if ranges is UNKNOWN:
        return
    only_lb = "may only be used when spec.type is LoadBalancer"
    if ranges:
        if s.type is not UNKNOWN and s.type != "LoadBalancer":
            out.append(Problem("service/load-balancer", ("spec", "loadBalancerSourceRanges"), only_lb, ranges))
        for i, value in enumerate(ranges):
            if value is UNKNOWN:
                continue
            reason = cidr_problem(trim_space(value)) if isinstance(value, str) else "must be a string"
            if reason:
                out.append(Problem("service/load-balancer", ("spec", "loadBalancerSourceRanges", i), reason, value))
        return
    if s.annotations is UNKNOWN or SOURCE_RANGES_ANNOTATION not in s.annotations:
        return
    path: Path = ("metadata", "annotations", SOURCE_RANGES_ANNOTATION)
    value = s.annotations[SOURCE_RANGES_ANNOTATION]
    if s.type is not UNKNOWN and s.type != "LoadBalancer":
        out.append(Problem("service/load-balancer", path, only_lb, NO_VALUE if value is UNKNOWN else value))
    if not isinstance(value, str):
        return
    value = trim_space(value)
    if value:
        for piece in value.split(","):
            piece = trim_space(piece)
            reason = cidr_problem(piece)
            if reason:
                out.append(Problem("service/load-balancer", path, f"{reason}, in its comma-separated list", piece))


def _check_allocate_lb_node_ports(s: _Service, out: list[Problem]) -> None:
    value = s.spec.get("allocateLoadBalancerNodePorts")
    if value is not None and value is not UNKNOWN and s.type is not UNKNOWN and s.type != "LoadBalancer":
        out.append(
            Problem(
                "service/load-balancer",
                ("spec", "allocateLoadBalancerNodePorts"),
                "may only be used when spec.type is LoadBalancer",
                value,
            )
        )


def _check_load_balancer_class(s: _Service, out: list[Problem]) -> None:
    """validateLoadBalancerClassField: a qualified name; a prefix is optional
    (unprefixed names are reserved for end users, not refused)."""
    value = s.spec.get("loadBalancerClass")
    if value is None or value is UNKNOWN or s.type is UNKNOWN:
        return
    path: Path = ("spec", "loadBalancerClass")
    if s.type != "LoadBalancer":
        out.append(Problem("service/load-balancer", path, "may only be used when spec.type is LoadBalancer", value))
        return
    reason = qualified_name_problem(value)
    if reason:
        out.append(Problem("service/load-balancer", path, reason, value))


def _check_external_traffic_policy(s: _Service, out: list[Problem]) -> None:
    """validateServiceExternalTrafficPolicy, after defaulting (an externally
    accessible Service without a policy gets Cluster)."""
    accessible = s.externally_accessible()
    if accessible is UNKNOWN:
        return
    policy = s.spec.get("externalTrafficPolicy")
    if policy is UNKNOWN:
        return
    if not accessible:
        if policy is not None and policy != "":
            out.append(
                Problem(
                    "service/traffic-policy",
                    ("spec", "externalTrafficPolicy"),
                    "may only be set for externally accessible Services "
                    "(NodePort, LoadBalancer, or ClusterIP with externalIPs)",
                    policy,
                )
            )
    elif policy is not None and policy != "" and policy not in EXTERNAL_TRAFFIC_POLICIES:
        out.append(
            Problem(
                "service/traffic-policy",
                ("spec", "externalTrafficPolicy"),
                _one_of(EXTERNAL_TRAFFIC_POLICIES),
                policy,
            )
        )
    raw = s.spec.get("healthCheckNodePort")
    port = decode_int(raw)
    if port is None or port is UNKNOWN or port == 0:
        return  # allocated by the registry when it is needed
    path: Path = ("spec", "healthCheckNodePort")
    if s.type != "LoadBalancer" or policy != "Local":
        out.append(
            Problem(
                "service/traffic-policy",
                path,
                "may only be set when spec.type is LoadBalancer and spec.externalTrafficPolicy is Local",
                raw,
            )
        )
        return
    reason = _port_number_problem(port)
    if reason:
        out.append(Problem("service/node-ports", path, reason, raw))
        return
    low, high = s.node_port_range
    if not low <= port <= high:
        out.append(
            Problem(
                "service/node-ports",
                path,
                f"must be within the cluster's node port range {low}-{high} (--service-node-port-range)",
                port,
            )
        )
    elif s.allocated is not None and port in s.allocated:
        out.append(
            Problem(
                "service/node-ports",
                path,
                f"is already the node port of spec.ports[{s.allocated[port]}]; health checks need a node port "
                "of their own",
                port,
            )
        )


def _check_internal_traffic_policy(s: _Service, out: list[Problem]) -> None:
    policy = s.spec.get("internalTrafficPolicy")
    if policy is not None and policy is not UNKNOWN and policy not in INTERNAL_TRAFFIC_POLICIES:
        out.append(
            Problem(
                "service/traffic-policy",
                ("spec", "internalTrafficPolicy"),
                _one_of(INTERNAL_TRAFFIC_POLICIES),
                policy,
            )
        )


def _check_traffic_distribution(s: _Service, out: list[Problem]) -> None:
    value = s.spec.get("trafficDistribution")
    if value is not None and value is not UNKNOWN and value not in TRAFFIC_DISTRIBUTIONS:
        out.append(
            Problem(
                "service/traffic-distribution",
                ("spec", "trafficDistribution"),
                _one_of(TRAFFIC_DISTRIBUTIONS),
                value,
            )
        )


# In ValidateService's order; the registry's create-time checks sit next to
# the validation of the fields they read.
_METADATA_CHECKS: Final[tuple[_Check, ...]] = (_check_name, _check_topology_mode)
_SPEC_CHECKS: Final[tuple[_Check, ...]] = (
    _check_ports_required,
    _check_headless_type,
    _check_external_name,
    _check_service_ports,
    _check_selector,
    _check_session_affinity,
    _check_cluster_ips,
    _check_ip_family_policy,
    _check_external_ips,
    _check_type,
    _check_node_ports,
    _check_duplicate_ports,
    _check_source_ranges,
    _check_allocate_lb_node_ports,
    _check_load_balancer_class,
    _check_external_traffic_policy,
    _check_internal_traffic_policy,
    _check_traffic_distribution,
)


def check_service(obj: Any, *, node_port_range: tuple[int, int] = NODE_PORT_RANGE) -> list[Problem]:
    """Everything the API server would refuse in a Service; [] for other kinds."""
    if not _is_map(obj) or obj.get("kind") != "Service":
        return []
    service = _Service(obj, node_port_range)
    out: list[Problem] = []
    for check in _METADATA_CHECKS:
        check(service, out)
    if service.spec is not UNKNOWN:
        for check in _SPEC_CHECKS:
            check(service, out)
    return out
