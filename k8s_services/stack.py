"""Where a stack's configuration is read, checked as a whole, and built.

A stack config has three keys under the project's namespace:

- ``services``: bundle name to ``{type: ClusterIP | NodePort | LoadBalancer |
  ExternalName, ...}``; the other keys are exactly the component's Args keys,
  and ``allow_from`` peers may also be ``{bundle: <name>}``.
- ``defaults``: values for the keys a bundle leaves out (only where its type
  accepts them).
- ``namespaces``: namespaces to create, each with the Pod Security Standards
  level it enforces.

`parse` checks everything before any resource is registered and raises one
`ConfigError` listing every problem with its path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components import _validation as v
from components._checks import WORKLOAD_KEYS, Plan, as_argument_problem, check
from components._kinds import KINDS, Kind
from components._manifests import checkable
from k8s_rules import names, pod_security, wiring

from ._stackfile import StackFileError, load_yaml_file

if TYPE_CHECKING:
    import pulumi

    from components._component import ServiceComponent

# Reading and checking a stack (`parse`, `from_config`) needs neither pulumi
# nor pulumi_kubernetes; only `load` and `build`, which run inside the Pulumi
# program, import them (k8s_services.render renders a stack without them).

PROJECT = "k8s-services"

# Each bundle `type` and its component.
TYPES: dict[str, Kind] = {
    "ClusterIP": KINDS["ClusterIPService"],
    "NodePort": KINDS["NodePortService"],
    "LoadBalancer": KINDS["LoadBalancerService"],
    "ExternalName": KINDS["ExternalNameService"],
}


def component_class(service_type: str) -> type[ServiceComponent]:
    """The component class of a bundle ``type`` (imports pulumi)."""
    import components

    cls: type[ServiceComponent] = getattr(components, TYPES[service_type].component)
    return cls


# Keys `defaults` may set; each fills a bundle only where its type accepts it.
DEFAULT_KEYS = (
    "cluster_domain",
    "custom_timeouts",
    "namespace",
    "node_port_range",
    "pod_security",
    "skip_await",
    "workload",
)
CONFIG_KEYS = ("defaults", "namespaces", "protect", "services")
NAMESPACE_KEYS = ("pod_security", "labels")
POD_SECURITY_LEVELS = ("restricted", "baseline")


class ConfigError(ValueError):
    """A stack config that cannot be deployed; ``messages`` lists each problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        count = f"{len(messages)} problems" if len(messages) > 1 else "1 problem"
        super().__init__(f"The stack config has {count}:\n" + "\n".join(f"  {m}" for m in messages))


@dataclass
class Bundle:
    """One entry of ``services``, with its defaults applied and checked."""

    name: str
    service_type: str
    args: dict[str, Any]
    plan: Plan
    peers: list[str] = field(default_factory=list)
    previous_names: list[str] = field(default_factory=list)

    @property
    def component(self) -> type[ServiceComponent]:
        return component_class(self.service_type)


@dataclass
class StackConfig:
    bundles: list[Bundle]
    namespaces: dict[str, dict[str, Any]]
    protect: bool = False
    """Pulumi `protect` on every bundle (its children inherit it) and namespace."""


class _Collector:
    """Config problems, as messages with their paths, without duplicates."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)

    def problems(self, prefix: str, problems: v.Problems) -> None:
        for problem in problems.items:
            self.add(problem.at(prefix))


def _bundle_args(
    c: _Collector, name: str, entry: Mapping[str, Any], defaults: Mapping[str, Any]
) -> tuple[str, dict[str, Any], set[str], list[str]] | None:
    """The entry's type, its args with defaults filled in, and its previous names."""
    kind_name = entry.get("type")
    p = v.Problems()
    if "type" not in entry:
        p.type("type", f"is required: one of {', '.join(v.show(t) for t in TYPES)}")
    else:
        v.check_choice(p, "type", kind_name, tuple(TYPES))
    previous = _previous_names(p, name, entry.get("previous_names", []))
    c.problems(f"services.{name}", p)
    if not isinstance(kind_name, str) or kind_name not in TYPES:
        return None
    kind = TYPES[kind_name]
    accepted = set(kind.args.__annotations__)
    args = {key: value for key, value in entry.items() if key not in ("type", "previous_names")}
    owns_pods = kind.has_workload and "target" not in args and args.get("external_pods") is not True
    if not owns_pods:
        # A bundle that owns no Pods takes no default about them; one with
        # a target is in the target's namespace.
        accepted -= {*WORKLOAD_KEYS, *(("namespace",) if "target" in args else ())}
    filled = {key for key in defaults if key in accepted and key not in args}
    for key in filled:
        args[key] = defaults[key]
    if previous:
        # The Kubernetes names were derived from the first name; keep them, or
        # the rename would replace every object. A first name that cannot
        # have been an object's name means the bundle named that object
        # itself: it must still do so.
        original = previous[0]
        derived = [("service_name", names.dns1035_label_problem(original), "Service")]
        if owns_pods:
            derived.append(("workload_name", names.dns1123_subdomain_problem(original), "workload"))
            args.setdefault("selector", {"app.kubernetes.io/name": original})
        for key, problem, what in derived:
            if key in args:
                continue
            if problem:
                c.add(
                    f"services.{name}.previous_names[0]: {v.show(original)} cannot have been the {what}'s name"
                    f" ({problem}), so that bundle set '{key}'; set '{key}' to the name its {what} had."
                )
            else:
                args[key] = original
    return kind_name, args, filled, previous


def _previous_names(p: v.Problems, name: str, previous: Any) -> list[str]:
    """Earlier names of a bundle, oldest first."""
    if not v.check_list(p, "previous_names", previous):
        return []
    names: list[str] = []
    for i, old in enumerate(previous):
        path = f"previous_names[{i}]"
        if not v.check_str(p, path, old):
            continue
        if old == name or old in names:
            p.value(path, old, "repeats a name already listed or the bundle's own name; list each earlier name once")
        elif not old or "::" in old:
            # Any name a bundle could have had: Pulumi takes any string as a
            # resource name but an empty one or one with "::" (the URN's
            # separator).
            p.value(path, old, "is not a name a bundle could have had: it must be non-empty and without '::'")
        else:
            names.append(old)
    return names


def _resolve_peers(c: _Collector, name: str, args: dict[str, Any], selectors: dict[str, tuple[Any, Any]]) -> list[str]:
    """Replace ``{bundle: x}`` peers with x's selectors; describe every peer."""
    peers = args.get("allow_from")
    described: list[str] = []
    if not isinstance(peers, list):
        return described
    resolved: list[Any] = []
    for i, peer in enumerate(peers):
        path = f"services.{name}.allow_from[{i}]"
        if isinstance(peer, Mapping) and "bundle" in peer:
            other = peer["bundle"]
            extra = sorted(set(peer) - {"bundle"})
            if extra:
                c.add(f"{path}.{extra[0]}: cannot be combined with 'bundle'; a bundle peer names its Pods already.")
            if not isinstance(other, str) or other not in selectors:
                hint = v.suggest(other, selectors, value=True) if isinstance(other, str) else ""
                c.add(f"{path}.bundle: {v.show(other)} is not a bundle of this stack.{hint}")
                resolved.append({"pod_selector": {}})
                continue
            selector, namespace = selectors[other]
            if selector is None:
                c.add(f"{path}.bundle: {v.show(other)} is an ExternalName Service; it has no Pods to admit.")
            # A selector that is no mapping is reported with its own bundle.
            resolved_peer: dict[str, Any] = {"pod_selector": dict(selector) if isinstance(selector, Mapping) else {}}
            if namespace != args.get("namespace", "default"):
                resolved_peer["namespace_selector"] = {"kubernetes.io/metadata.name": namespace}
            resolved.append(resolved_peer)
            described.append(f"bundle {other}")
        else:
            resolved.append(peer)
            if isinstance(peer, Mapping):
                described.append(_describe_peer(peer))
    args["allow_from"] = resolved
    return described


def _resolve_target(
    c: _Collector,
    name: str,
    target: Any,
    prepared: Mapping[str, Any],
    targets: Mapping[str, Any],
    plans: Mapping[str, Plan],
) -> Plan | None:
    """The plan of the bundle ``target`` names; None, with the problem
    recorded, when it names none that can be targeted."""
    where = f"services.{name}.target"
    if not isinstance(target, str):
        c.add(f"{where}: must be the name of another bundle of this stack, not {v.type_name(target)}.")
    elif target == name:
        c.add(f"{where}: {v.show(target)} is this bundle; name the bundle that owns the Pods.")
    elif target not in prepared:
        c.add(f"{where}: {v.show(target)} is not a bundle of this stack.{v.suggest(target, prepared, value=True)}")
    elif target in targets:
        c.add(
            f"{where}: {v.show(target)} targets {v.show(targets[target])} itself; target the bundle that owns the Pods."
        )
    elif target in plans:
        return plans[target]
    # else: the target has problems of its own, reported at the target.
    return None


def _labels(selector: Any) -> str:
    if not isinstance(selector, Mapping) or not selector:
        return "any"
    return ",".join(f"{key}={value}" for key, value in selector.items())


def _describe_peer(peer: Mapping[str, Any]) -> str:
    if "ip_block" in peer:
        return f"clients in {peer['ip_block']}"
    parts = []
    if "pod_selector" in peer:
        parts.append(f"pods {_labels(peer['pod_selector'])}")
    if "namespace_selector" in peer:
        parts.append(f"namespaces {_labels(peer['namespace_selector'])}")
    return " in ".join(parts)


def _check_namespaces(c: _Collector, namespaces: Any) -> dict[str, dict[str, Any]]:
    p = v.Problems()
    result: dict[str, dict[str, Any]] = {}
    if v.check_mapping(p, "namespaces", namespaces):
        for name, entry in namespaces.items():
            path = f"namespaces.{name}"
            v.check_dns1123_label(p, path, name)
            entry = {} if entry is None else entry
            if not v.check_mapping(p, path, entry):
                continue
            v.check_keys(p, path, entry, NAMESPACE_KEYS, "a namespace")
            v.check_choice(p, f"{path}.pod_security", entry.get("pod_security", "restricted"), POD_SECURITY_LEVELS)
            if "labels" in entry:
                v.check_label_map(p, f"{path}.labels", entry["labels"])
            result[str(name)] = dict(entry)
    for problem in p.items:
        c.add(problem.at(""))
    return result


def cluster_range(defaults: Any) -> tuple[int, int]:
    """The cluster's node port range: ``defaults.node_port_range``, else
    Kubernetes' default, which also stands in for a malformed one (that is
    reported with the bundles)."""
    try:
        low, high = (int(part) for part in str(defaults["node_port_range"]).split("-"))
    except (KeyError, ValueError, TypeError):
        return (30000, 32767)
    return (low, high) if 0 < low <= high <= 65535 else (30000, 32767)


def _check_stack_wide(
    c: _Collector, bundles: list[Bundle], namespaces: dict[str, dict[str, Any]], cluster_range: tuple[int, int]
) -> None:
    owners: dict[tuple[Any, ...], str] = {}

    def owner(key: tuple[Any, ...], name: str) -> str | None:
        """The bundle that claimed ``key`` before ``name``, if any."""
        first = owners.setdefault(key, name)
        return None if first == name else first

    node_ports: dict[Any, str] = {}
    for bundle in bundles:
        plan = bundle.plan
        where = f"services.{bundle.name}"
        first = owner(("Service", plan.namespace, plan.service_name), bundle.name)
        if first:
            c.add(
                f"{where}.service_name: {v.show(plan.service_name)} is already the Service name of"
                f" services.{first} in namespace {v.show(plan.namespace)}; give one a different"
                " 'service_name' or 'namespace'."
            )
        others = [
            (role, manifest)
            for role, manifest in plan.objects
            if role not in ("service", "network_policy") and not role.startswith("workload")
        ]
        for role, manifest in others:
            other = manifest["metadata"]["name"]
            first = owner((manifest["kind"], plan.namespace, other), bundle.name)
            if first:
                c.add(
                    f"{where}: its {manifest['kind']} {v.show(other)} has the name of one of services.{first} in"
                    f" namespace {v.show(plan.namespace)}; rename one (see '{role}')."
                )
        for version, workload in plan.workloads:
            workload_name = workload["metadata"]["name"]
            kind = workload["kind"]
            first = owner((kind, plan.namespace, workload_name), bundle.name)
            if first:
                path = f"versions[{v.show(version)}].workload_name" if version else "workload_name"
                c.add(
                    f"{where}.{path}: {v.show(workload_name)} is already the {kind} name of"
                    f" services.{first} in namespace {v.show(plan.namespace)}; set a different '{path}'."
                )
        if plan.kind.exposes_node_ports and plan.node_port_range != cluster_range:
            low, high = plan.node_port_range
            c.add(
                f"{where}.node_port_range: {low}-{high} is not the stack's node port range"
                f" {cluster_range[0]}-{cluster_range[1]}: a cluster has one (--service-node-port-range); set it once,"
                " in defaults.node_port_range."
            )
        health = plan.service["spec"].get("healthCheckNodePort")
        if health is not None:
            if health in node_ports and node_ports[health] != f"{where}.health_check_node_port":
                c.add(
                    f"{where}.health_check_node_port: {health} is already pinned by {node_ports[health]};"
                    " node ports are cluster-wide, so pin another or leave it to Kubernetes."
                )
            node_ports.setdefault(health, f"{where}.health_check_node_port")
        for i, port in enumerate(plan.ports):
            pinned = port.get("node_port")
            if pinned is None:
                continue
            # Within one Service, one node port may serve TCP and UDP of one
            # port number (the Service rules check that); across Services a
            # node port is the cluster's once.
            if pinned in node_ports and not node_ports[pinned].startswith(f"{where}.ports["):
                c.add(
                    f"{where}.ports[{i}].node_port: {pinned} is already pinned by {node_ports[pinned]};"
                    " node ports are cluster-wide, so pin another or leave it to Kubernetes."
                )
            node_ports.setdefault(pinned, f"{where}.ports[{i}]")
        enforced = namespaces.get(str(plan.namespace), {}).get("pod_security")
        if plan.workloads and enforced and enforced != plan.profile:
            # What the namespace's Pod Security admission would do: the same
            # rules, at the level it enforces.
            refused = [
                problem
                for _, workload in plan.workloads
                for problem in pod_security.check_pod_security(
                    workload if plan.plain else checkable(workload), enforced
                )
            ]
            if refused:
                c.add(
                    f"{where}.pod_security: {v.show(plan.profile)} is weaker than namespace {v.show(plan.namespace)}"
                    f" enforces ({v.show(enforced)}); its Pods would be refused. Use {v.show(enforced)} or another"
                    " namespace."
                )
    _check_node_port_capacity(c, bundles)
    _check_wiring(c, bundles)


def _check_node_port_capacity(c: _Collector, bundles: list[Bundle]) -> None:
    """More node ports than the cluster's range holds: the API server would
    refuse the Services past it ("range is full"), so the stack cannot be
    deployed. Counted per declared range, pinned ports once each."""
    used: dict[tuple[int, int], tuple[set[Any], int]] = {}
    reported: set[tuple[int, int]] = set()
    for bundle in bundles:
        plan = bundle.plan
        spec = plan.service["spec"]
        if not plan.kind.exposes_node_ports or spec.get("allocateLoadBalancerNodePorts") is False:
            continue
        pinned, assigned = used.get(plan.node_port_range, (set(), 0))
        for port in plan.ports:
            if port.get("node_port") is None:
                assigned += 1
            else:
                pinned.add(port["node_port"])
        if spec.get("externalTrafficPolicy") == "Local" and spec["type"] == "LoadBalancer":
            if spec.get("healthCheckNodePort") is None:
                assigned += 1
            else:
                pinned.add(spec["healthCheckNodePort"])
        used[plan.node_port_range] = (pinned, assigned)
        low, high = plan.node_port_range
        size = high - low + 1
        if len(pinned) + assigned > size and plan.node_port_range not in reported:
            reported.add(plan.node_port_range)
            c.add(
                f"services.{bundle.name}: needs node ports past the cluster's node port range {low}-{high}, which"
                f" holds {size}: the bundles up to this one ask for {len(pinned) + assigned}, and the API server"
                " refuses a Service when the range is full. Use ClusterIP for east-west bundles, a LoadBalancer with"
                " 'allocate_load_balancer_node_ports: false', or a wider 'node_port_range' if the cluster has one."
            )


def _check_wiring(c: _Collector, bundles: list[Bundle]) -> None:
    """The wiring rules across bundles: a Service that also selects another
    bundle's Pods, and the target ports those Pods would have to declare.
    (Within a bundle the component has checked them already.) Linear in the
    number of objects."""
    objects: list[Any] = []
    owners: list[tuple[Bundle, str]] = []
    for bundle in bundles:
        for role, manifest in bundle.plan.objects:
            objects.append(manifest if bundle.plan.plain else checkable(manifest))
            owners.append((bundle, role))
    for index, problem in wiring.check_wiring(objects):
        bundle, role = owners[index]
        c.add(as_argument_problem(bundle.plan, role, problem).at(f"services.{bundle.name}"))


def parse(
    services: Any,
    defaults: Any = None,
    namespaces: Any = None,
    *,
    protect: Any = False,
    extra_keys: tuple[str, ...] = (),
    plain: bool = True,
) -> StackConfig:
    """Check a whole stack config; raise `ConfigError` with every problem."""
    c = _Collector()
    for key in extra_keys:
        c.add(f"{key}: is not a config key of {PROJECT}.{v.suggest(key, CONFIG_KEYS)}")
    p = v.Problems()
    v.check_bool(p, "protect", protect)
    if defaults is None:
        defaults = {}
    elif v.check_mapping(p, "defaults", defaults):
        v.check_keys(p, "defaults", defaults, DEFAULT_KEYS, "defaults")
    for problem in p.items:
        c.add(problem.at(""))
    if not isinstance(defaults, Mapping):
        defaults = {}
    declared_namespaces = _check_namespaces(c, namespaces) if namespaces is not None else {}

    if services is None:
        services = {}
    if not isinstance(services, Mapping):
        c.add(f"services: must be a mapping of bundle names to bundles, not {v.type_name(services)}.")
        raise ConfigError(c.messages)
    if not services:
        c.add("services: lists no bundle; add at least one, e.g. {web: {type: ClusterIP, ...}}.")

    prepared: dict[str, tuple[str, dict[str, Any], set[str], list[str]]] = {}
    for name, entry in services.items():
        if not name or "::" in str(name):
            # Each bundle's name is its resources' Pulumi name: the SDK refuses
            # an empty one, and "::" is the URN's separator.
            c.add(f"services.{v.show(name)}: is not a bundle name: it must be non-empty and without '::'.")
            continue
        if not isinstance(entry, Mapping):
            c.add(f"services.{name}: must be a mapping with a 'type', not {v.type_name(entry)}.")
            continue
        found = _bundle_args(c, str(name), entry, defaults)
        if found is not None:
            prepared[str(name)] = found

    targets = {name: found[1]["target"] for name, found in prepared.items() if "target" in found[1]}
    selectors: dict[str, tuple[Any, Any]] = {}
    for name in prepared:
        owner = name
        if name in targets and isinstance(targets[name], str) and targets[name] in prepared:
            owner = targets[name]  # its Pods are the target's
        owner_args = prepared[owner][1]
        has_pods = TYPES[prepared[owner][0]].has_workload
        selector = owner_args.get("selector", {"app.kubernetes.io/name": owner}) if has_pods else None
        selectors[name] = (selector, owner_args.get("namespace", "default"))

    plans: dict[str, Plan] = {}
    peers_of: dict[str, list[str]] = {}
    # Targets first: a bundle that targets another is built from its plan.
    order = [name for name in prepared if name not in targets] + [name for name in prepared if name in targets]
    for name in order:
        kind_name, args, filled, previous = prepared[name]
        peers = _resolve_peers(c, name, args, selectors)
        checked_args = args
        if name in targets:
            target_plan = _resolve_target(c, name, targets[name], prepared, targets, plans)
            if target_plan is None:
                continue
            checked_args = {**args, "target": target_plan}
        # Stack config is JSON: plain data, with no Output, unless load()
        # made its secrets secret Outputs again.
        built, problems = check(TYPES[kind_name], name, checked_args, plain=plain)
        for problem in problems.items:
            root = problem.path.split(".")[0].split("[")[0]
            c.add(problem.at("defaults") if root in filled else problem.at(f"services.{name}"))
        if built is not None:
            plans[name] = built
            peers_of[name] = peers
    bundles = [
        Bundle(name, kind_name, args, plans[name], peers_of[name], previous)
        for name, (kind_name, args, _, previous) in prepared.items()
        if name in plans
    ]
    claimed: dict[str, str] = {}
    for bundle in bundles:
        for i, old in enumerate(bundle.previous_names):
            if old in prepared:
                c.add(
                    f"services.{bundle.name}.previous_names[{i}]: {v.show(old)} is the name of another bundle of"
                    " this stack; two bundles cannot both own its objects."
                )
            elif old in claimed:
                c.add(
                    f"services.{bundle.name}.previous_names[{i}]: {v.show(old)} is already an earlier name of"
                    f" services.{claimed[old]}; two bundles cannot both take over its objects."
                )
            else:
                claimed[old] = bundle.name
    if not c.messages:
        _check_stack_wide(c, bundles, declared_namespaces, cluster_range(defaults))
    if c.messages:
        raise ConfigError(c.messages)
    return StackConfig(bundles, declared_namespaces, protect is True)


def unknown_keys(full_keys: Any) -> tuple[str, ...]:
    """The project's config keys, among ``full_keys``, that this program
    does not know."""
    prefix = f"{PROJECT}:"
    return tuple(
        sorted(
            key[len(prefix) :] for key in full_keys if key.startswith(prefix) and key[len(prefix) :] not in CONFIG_KEYS
        )
    )


def _config_keys() -> tuple[str, ...]:
    """The project's config keys that this program does not know."""
    import pulumi

    try:
        every = pulumi.runtime.config.CONFIG.get()
    except (AttributeError, LookupError):
        return ()
    return unknown_keys(every)


def load(config: pulumi.Config | None = None) -> StackConfig:
    """Read and check the current stack's config (inside the Pulumi program)."""
    import pulumi

    config = config or pulumi.Config(PROJECT)
    return from_config(
        {key: config.get(key) for key in CONFIG_KEYS},
        extra_keys=_config_keys(),
        secret=pulumi.runtime.is_config_secret(f"{PROJECT}:services"),
    )


def from_config(
    raw_values: Mapping[str, str | None], *, extra_keys: tuple[str, ...] = (), secret: bool = False
) -> StackConfig:
    """Check a stack's config given as the Pulumi CLI passes it to the
    program: each of `CONFIG_KEYS` a JSON string or None. ``secret``: the
    CLI marked ``services`` secret (then its ``secure:`` values are made
    secret Outputs again, which imports pulumi)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key in CONFIG_KEYS:
        raw = raw_values.get(key)
        if raw is None:
            values[key] = None
            continue
        try:
            values[key] = json.loads(raw)
        except ValueError as exc:
            problems.append(
                f"{key}: is not valid JSON ({exc}); set it with `pulumi config set --path` or in the stack file."
            )
    if problems:
        raise ConfigError(problems)
    secrets = 0
    if values["services"] is not None and secret:
        secrets = _keep_secrets_secret(values, "services")
    return parse(
        values["services"],
        values["defaults"],
        values["namespaces"],
        protect=False if values["protect"] is None else values["protect"],
        extra_keys=extra_keys,
        plain=secrets == 0,
    )


def _keep_secrets_secret(values: dict[str, Any], key: str) -> int:
    """Make every value set with ``pulumi config set --path --secret`` a
    secret Output again, so what the bundles register from it is secret.

    The CLI decrypts the whole key and only says that the key holds a secret
    (``PULUMI_CONFIG_SECRET_KEYS``), not where; the stack file says where:
    each ``secure:`` value under the key. Returns how many were wrapped.
    """
    import pulumi

    full_key = f"{PROJECT}:{key}"
    paths = _secure_paths(full_key)
    if not paths:
        raise ConfigError(
            [
                f"{key}: holds a secret, but {_stack_file() or 'the stack file'} shows no `secure:` value under"
                f" {full_key}, so its place cannot be kept secret. Set secrets with `pulumi config set --path --secret"
                f" '{full_key}.<bundle>.<path>' <value>` in the stack file (secrets from a Pulumi ESC environment"
                " are not supported inside services)."
            ]
        )
    if () in paths:
        raise ConfigError(
            [
                f"{key}: is secret as a whole; the bundles are built and checked from it, so only values inside it"
                f" may be secret. Set them with `pulumi config set --path --secret '{full_key}.<bundle>.<path>'"
                " <value>`."
            ]
        )
    wrapped = 0
    for path in paths:
        parent = values[key]
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = pulumi.Output.secret(parent[path[-1]])
            wrapped += 1
        except (KeyError, IndexError, TypeError):
            continue  # the file and the decrypted config disagree: nothing to wrap there
    return wrapped


def _stack_file() -> str | None:
    """The current stack's config file, as the CLI finds it: the project's
    ``stackConfigDir`` (Pulumi.yaml), relative to the working directory, which
    is the project's directory when the CLI runs the program."""
    import pulumi

    try:
        project = load_yaml_file(Path("Pulumi.yaml")) or {}
    except (OSError, StackFileError):
        return None
    directory = project.get("stackConfigDir", ".") if isinstance(project, Mapping) else "."
    path = Path(str(directory)) / f"Pulumi.{pulumi.get_stack()}.yaml"
    return str(path) if path.is_file() else None


def _secure_paths(full_key: str) -> list[tuple[str | int, ...]]:
    """Paths of the ``secure:`` values under ``full_key`` in the stack file."""
    path = _stack_file()
    if path is None:
        return []
    try:
        document = load_yaml_file(Path(path))
    except OSError:
        return []
    except StackFileError as error:
        raise ConfigError([str(error)]) from None
    config = document.get("config") if isinstance(document, Mapping) else None
    value = config.get(full_key, config.get(full_key.partition(":")[2])) if isinstance(config, Mapping) else None
    found: list[tuple[str | int, ...]] = []

    def walk(node: Any, where: tuple[str | int, ...]) -> None:
        if isinstance(node, Mapping):
            if set(node) == {"secure"}:
                found.append(where)
                return
            for name, item in node.items():
                walk(item, (*where, name))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, (*where, index))

    walk(value, ())
    return found


def namespace_manifest(name: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The Namespace a stack declares, labelled with its Pod Security level."""
    level = entry.get("pod_security", "restricted")
    labels = {
        **entry.get("labels", {}),
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
    }
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def build(stack: StackConfig) -> dict[str, ServiceComponent]:
    """Register the namespaces and every bundle; return the bundles by name."""
    import pulumi
    import pulumi_kubernetes as k8s

    created: dict[str, k8s.core.v1.Namespace] = {}
    for name, entry in stack.namespaces.items():
        manifest = namespace_manifest(name, entry)
        # Deleting a namespace deletes everything in it, including objects
        # this stack does not manage: never do that on `pulumi destroy`.
        created[name] = k8s.core.v1.Namespace(
            name,
            metadata=manifest["metadata"],
            opts=pulumi.ResourceOptions(retain_on_delete=True, protect=stack.protect),
        )
    bundles: dict[str, ServiceComponent] = {}
    for bundle in stack.bundles:
        namespace = created.get(str(bundle.plan.namespace))
        opts = pulumi.ResourceOptions(
            depends_on=[namespace] if namespace is not None else None,
            # Children inherit `protect` from their parent, and their aliases
            # follow the parent's: a renamed bundle keeps every object.
            protect=stack.protect,
            aliases=[pulumi.Alias(name=old) for old in bundle.previous_names] or None,
        )
        bundles[bundle.name] = bundle.component(bundle.name, bundle.args, opts, _checked=bundle.plan)
    return bundles


def services_output(stack: StackConfig, bundles: Mapping[str, ServiceComponent]) -> dict[str, Any]:
    """The ``services`` stack output: how each bundle is reached."""
    output: dict[str, Any] = {}
    for bundle in stack.bundles:
        component = bundles[bundle.name]
        output[bundle.name] = {
            "type": bundle.service_type,
            "exposure": component.exposure,
            "dns_name": component.dns_name,
            "cluster_ip": component.cluster_ip,
            "ports": [
                {key: port[key] for key in ("name", "port", "protocol", "target_port", "node_port") if key in port}
                for port in bundle.plan.ports
            ],
            "node_ports": component.node_ports,
            "endpoint": component.endpoint,
            "allowed_from": bundle.peers if bundle.plan.network_policy is not None else None,
        }
    return output


__all__ = [
    "TYPES",
    "Bundle",
    "ConfigError",
    "StackConfig",
    "build",
    "cluster_range",
    "component_class",
    "from_config",
    "load",
    "parse",
    "services_output",
]
