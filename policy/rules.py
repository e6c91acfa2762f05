"""The k8s-services policy pack: `k8s_rules` run as CrossGuard policies.

No rule is written here. This module turns what the engine sends (props
wrapped in `unknown_checking_proxy`, camelCase, every number a float, values
unknown at preview as sentinels) into plain objects (`k8s_rules.UNKNOWN` in
place of every unknown value, integral floats as ints, the kind taken from
the resource type token), runs one `k8s_rules` family or practice per policy,
and reports each `Problem` as ``<Kind> '<namespace>/<name>' <problem>``.

Every rule skips what is unknown and checks the rest, so a policy never fails
on, or stops at, a value unknown at preview. `__main__.py` only wraps
`POLICIES` in a `PolicyPack`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from k8s_rules import NO_VALUE, UNKNOWN, Problem, get
from k8s_rules import practices as practice
from k8s_rules.containers import check_containers
from k8s_rules.external_names import check_external_name
from k8s_rules.metadata import check_metadata
from k8s_rules.pod_security import check_pod_security
from k8s_rules.ports import check_container_ports
from k8s_rules.schema import check_schema
from k8s_rules.services import NODE_PORT_RANGE, check_service
from k8s_rules.wiring import check_probe_ports, check_wiring

PACK_NAME = "k8s-services"
MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

# --- resource types -------------------------------------------------------------

# The pulumi_kubernetes modules ("<group>/<version>") that register each kind the
# policies read, as listed from pulumi_kubernetes 4.34 (every resource class and
# its `pulumi.type_token`); each kind is also registered as "<Kind>Patch".
# tests/policy/test_types.py checks the table against the installed package.
MODULES: dict[str, tuple[str, ...]] = {
    "Pod": ("core/v1",),
    "PodTemplate": ("core/v1",),
    "ReplicationController": ("core/v1",),
    "ReplicaSet": ("apps/v1", "apps/v1beta2", "extensions/v1beta1"),
    "Deployment": ("apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"),
    "StatefulSet": ("apps/v1", "apps/v1beta1", "apps/v1beta2"),
    "DaemonSet": ("apps/v1", "apps/v1beta2", "extensions/v1beta1"),
    "Job": ("batch/v1",),
    "CronJob": ("batch/v1", "batch/v1beta1", "batch/v2alpha1"),
    "Service": ("core/v1",),
    # For no-default-namespace, and kubernetes-schema (Secrets aside).
    "ConfigMap": ("core/v1",),
    "Secret": ("core/v1",),
    "ServiceAccount": ("core/v1",),
    "PodDisruptionBudget": ("policy/v1", "policy/v1beta1"),
    "NetworkPolicy": ("networking.k8s.io/v1", "extensions/v1beta1"),
    "Ingress": ("networking.k8s.io/v1", "networking.k8s.io/v1beta1", "extensions/v1beta1"),
}
PATCH = "Patch"

KINDS: dict[str, str] = {
    f"kubernetes:{module}:{kind}{suffix}": kind
    for kind, modules in MODULES.items()
    for module in modules
    for suffix in ("", PATCH)
}
"""Resource type token to the Kubernetes kind of its object."""


def kind_of_type(resource_type: str) -> str | None:
    """The kind of a resource type's object, or None for a type no policy reads."""
    return KINDS.get(resource_type)


def is_patch(resource_type: str) -> bool:
    """A ``*Patch`` type: a partial object, whose absent fields stay as they are in the cluster."""
    return resource_type in KINDS and resource_type.endswith(PATCH)


def _api_version(resource_type: str) -> str:
    module = resource_type.split(":")[1]
    return module.removeprefix("core/")


# --- props to plain objects ---------------------------------------------------------

_SENTINELS = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


def materialize(value: Any) -> Any:
    """Props as plain data: dicts and lists, `UNKNOWN` for every unknown value
    (a sentinel, or a read that raises `UnknownValueError`), integral floats
    as ints, secrets unwrapped."""
    if isinstance(value, str):
        return UNKNOWN if value in _SENTINELS else value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Secret):
        return materialize(value.value)
    if isinstance(value, Mapping):
        return {key: _read(value, key) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [_read(value, index) for index in range(len(value))]
    return value


def _read(container: Any, key: Any) -> Any:
    try:
        item = container[key]
    except UnknownValueError:
        return UNKNOWN
    return materialize(item)


def to_object(resource_type: str, props: Any) -> dict[str, Any] | None:
    """The plain Kubernetes object of a resource, its kind from the type token
    (and its apiVersion from it when props have none); None for types no
    policy reads."""
    kind = kind_of_type(resource_type)
    if kind is None:
        return None
    obj = materialize(props)
    if not isinstance(obj, dict):
        return None
    obj["kind"] = kind
    if obj.get("apiVersion") is None:
        obj["apiVersion"] = _api_version(resource_type)
    return obj


def describe(obj: Any, fallback_name: str) -> str:
    """``Kind 'namespace/name'``: the name falls back to the resource's name
    when unknown, the namespace to "default" when absent."""
    name = get(obj, "metadata", "name")
    namespace = get(obj, "metadata", "namespace")
    if not isinstance(name, str) or not name:
        name = fallback_name
    if namespace is UNKNOWN:
        namespace = "<unknown>"
    elif not isinstance(namespace, str) or not namespace:
        namespace = "default"
    return f"{obj['kind']} '{namespace}/{name}'"


def message(obj: Any, fallback_name: str, problem: Problem) -> str:
    return f"{describe(obj, fallback_name)} {problem}"


# --- config ---------------------------------------------------------------------------


def _schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties=properties)


def config_with_defaults(policy: Any, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """A policy's config as the CLI passes it: the schema's defaults, then
    ``config`` on top (the enforcement level removed)."""
    merged: dict[str, Any] = {}
    schema = policy.config_schema
    if schema is not None:
        for key, spec in schema.properties.items():
            if "default" in spec:
                merged[key] = spec["default"]
    if isinstance(config, Mapping):
        merged.update({k: v for k, v in config.items() if k != "enforcementLevel"})
    return merged


def _port_range(config: Mapping[str, Any]) -> tuple[int, int]:
    low, _, high = str(config.get("nodePortRange", "{}-{}".format(*NODE_PORT_RANGE))).partition("-")
    return int(low), int(high)


def _in_cluster(config: Mapping[str, Any]) -> bool | list[str]:
    allowed = list(config.get("allowedInClusterTargets", []))
    return allowed or False


def _intended_overlaps(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(pair["service"]), str(pair["workload"])) for pair in config.get("intendedOverlaps", [])]


# --- policies -------------------------------------------------------------------------

Check = Callable[[dict[str, Any], Mapping[str, Any]], list[Problem]]
StackCheck = Callable[[list[dict[str, Any]], Mapping[str, Any]], list[tuple[int, Problem]]]


def _resource_policy(
    name: str,
    description: str,
    level: EnforcementLevel,
    check: Check,
    schema: PolicyConfigSchema | None = None,
    *,
    patches: bool = True,
) -> ResourceValidationPolicy:
    """A policy running ``check`` on each resource of a type in `KINDS`.

    On a ``*Patch`` type (skipped entirely unless ``patches``) only problems
    with a value are reported: a patch leaves the fields it omits as they
    are, so a missing field there says nothing.
    """

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        partial = is_patch(args.resource_type)
        if partial and not patches:
            return
        obj = to_object(args.resource_type, args.props)
        if obj is None:
            return
        for problem in check(obj, args.get_config()):
            if not (partial and problem.value is NO_VALUE):
                report(message(obj, args.name, problem), None)

    return ResourceValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=level, config_schema=schema
    )


def _stack_policy(
    name: str,
    description: str,
    level: EnforcementLevel,
    check: StackCheck,
    schema: PolicyConfigSchema | None = None,
) -> StackValidationPolicy:
    """A policy running ``check`` on the objects of every resource of a type in
    `KINDS` but patches (which change objects the stack does not define)."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = []
        objects = []
        for resource in args.resources:
            if is_patch(resource.resource_type):
                continue
            obj = to_object(resource.resource_type, resource.props)
            if obj is not None:
                resources.append(resource)
                objects.append(obj)
        for index, problem in check(objects, args.get_config()):
            resource = resources[index]
            report(message(objects[index], resource.name, problem), resource.urn)

    return StackValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=level, config_schema=schema
    )


def _wiring(rule: str) -> StackCheck:
    def check(objects: list[dict[str, Any]], config: Mapping[str, Any]) -> list[tuple[int, Problem]]:
        found = check_wiring(objects, intended_overlaps=_intended_overlaps(config))
        return [(index, problem) for index, problem in found if problem.rule == rule]

    return check


def _restricted_only(obj: dict[str, Any], config: Mapping[str, Any]) -> list[Problem]:
    """The "restricted" problems "baseline" does not report (pod-security-baseline
    does): a field refused by both levels is reported once, by the mandatory policy."""
    baseline = {problem.path for problem in check_pod_security(obj, "baseline")}
    return [problem for problem in check_pod_security(obj, "restricted") if problem.path not in baseline]


def _schema_problems(obj: dict[str, Any]) -> list[Problem]:
    """`check_schema`, except on Secrets: a schema problem shows the value it
    refuses, and a Secret's values must not appear in a preview's output."""
    return [] if obj["kind"] == "Secret" else check_schema(obj)


_STRINGS = {"type": "array", "items": {"type": "string"}}

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    # --- what the API server refuses, or Kubernetes' own security profiles
    _resource_policy(
        "kubernetes-schema",
        "Objects match the official Kubernetes OpenAPI schema (types, enums, unknown and required fields).",
        MANDATORY,
        lambda obj, config: _schema_problems(obj),
        patches=False,
    ),
    _resource_policy(
        "service-api-rules",
        "Services pass the API server's Service validation: ports, names, selector, IPs, node ports.",
        MANDATORY,
        lambda obj, config: check_service(obj, node_port_range=_port_range(config)),
        _schema(nodePortRange={"type": "string", "pattern": "^[0-9]+-[0-9]+$", "default": "30000-32767"}),
    ),
    _resource_policy(
        "object-metadata-rules",
        "Names, namespaces, labels, annotations and container names pass the API server's validation.",
        MANDATORY,
        lambda obj, config: check_metadata(obj) + check_containers(obj),
    ),
    _resource_policy(
        "container-port-rules",
        "Container ports are valid and their names unique in the Pod, so Services can target them.",
        MANDATORY,
        lambda obj, config: check_container_ports(obj),
    ),
    _resource_policy(
        "externalname-target-safe",
        "An ExternalName points at a DNS name: not an IP, not loopback, not an in-cluster name (CVE-2021-25740).",
        MANDATORY,
        lambda obj, config: check_external_name(
            obj, cluster_domain=str(config.get("clusterDomain", "cluster.local")), in_cluster=_in_cluster(config)
        ),
        _schema(
            clusterDomain={"type": "string", "default": "cluster.local"},
            allowedInClusterTargets={**_STRINGS, "default": []},
        ),
    ),
    _resource_policy(
        "pod-security-baseline",
        'Pods pass the Pod Security Standards "baseline" level: no host namespaces, paths or ports, no privilege.',
        MANDATORY,
        lambda obj, config: check_pod_security(obj, "baseline"),
    ),
    _resource_policy(
        "pod-security-restricted",
        'Pods pass the rest of Pod Security Standards "restricted": non-root, no escalation, capabilities'
        " dropped, a seccomp profile, only restricted volume types.",
        MANDATORY,
        _restricted_only,
    ),
    _resource_policy(
        "probe-ports",
        "Probes aim at ports their container declares.",
        MANDATORY,
        lambda obj, config: check_probe_ports(obj),
    ),
    _stack_policy(
        "service-selector-matches-pod",
        "Every Service selector matches the Pods of at least one object in its namespace.",
        MANDATORY,
        _wiring("wiring/selector-matches-pod"),
    ),
    _stack_policy(
        "service-target-port-resolves",
        "Every Service targetPort is a container port of every Pod it selects.",
        MANDATORY,
        _wiring("wiring/target-port"),
    ),
    _stack_policy(
        "service-selector-overlap",
        "No Service selects the Pods of two objects unless listed in intendedOverlaps.",
        ADVISORY,
        _wiring("wiring/selector-overlap"),
        _schema(
            intendedOverlaps={
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"service": {"type": "string"}, "workload": {"type": "string"}},
                    "required": ["service", "workload"],
                },
                "default": [],
            }
        ),
    ),
    # --- practices
    _resource_policy(
        "service-type-allowed",
        "Services use only the exposure types this environment allows.",
        MANDATORY,
        lambda obj, config: practice.service_type_allowed(
            obj, allowed_types=list(config.get("allowedTypes", practice.SERVICE_TYPES))
        ),
        _schema(
            allowedTypes={
                "type": "array",
                "items": {"type": "string", "enum": list(practice.SERVICE_TYPES)},
                "default": list(practice.SERVICE_TYPES),
            }
        ),
    ),
    _resource_policy(
        "service-no-external-ips",
        "Services set no externalIPs outside an allowlist (CVE-2020-8554).",
        MANDATORY,
        lambda obj, config: practice.service_no_external_ips(
            obj, allowed_external_ips=list(config.get("allowedExternalIPs", []))
        ),
        _schema(allowedExternalIPs={**_STRINGS, "default": []}),
    ),
    _resource_policy(
        "service-has-selector",
        "Every Service other than ExternalName has a selector.",
        MANDATORY,
        lambda obj, config: practice.service_has_selector(obj),
    ),
    _resource_policy(
        "loadbalancer-source-ranges",
        "LoadBalancer Services restrict their clients with loadBalancerSourceRanges.",
        MANDATORY,
        lambda obj, config: practice.loadbalancer_source_ranges(obj),
    ),
    _resource_policy(
        "image-tag-pinned",
        "Images are pinned to a tag other than latest, or a digest.",
        MANDATORY,
        lambda obj, config: practice.image_tag_pinned(obj),
    ),
    _resource_policy(
        "image-digest-pinned",
        "Images are pinned to a digest.",
        ADVISORY,
        lambda obj, config: practice.image_digest_pinned(obj),
    ),
    _resource_policy(
        "resources-set",
        "Containers request CPU and memory and limit memory.",
        MANDATORY,
        lambda obj, config: practice.resources_set(obj),
    ),
    _resource_policy(
        "probes-configured",
        "Containers have readiness and liveness probes.",
        MANDATORY,
        lambda obj, config: practice.probes_configured(obj),
    ),
    _resource_policy(
        "sa-token-not-automounted",
        "Pods do not mount a service-account token.",
        ADVISORY,
        lambda obj, config: practice.sa_token_not_automounted(obj),
    ),
    _resource_policy(
        "recommended-labels",
        "Pods and Services carry the recommended app.kubernetes.io labels.",
        ADVISORY,
        lambda obj, config: practice.recommended_labels(
            obj, required_labels=list(config.get("requiredLabels", practice.DEFAULT_REQUIRED_LABELS))
        ),
        _schema(requiredLabels={**_STRINGS, "default": list(practice.DEFAULT_REQUIRED_LABELS)}),
    ),
    _resource_policy(
        "no-default-namespace",
        "Objects live in a namespace other than default.",
        ADVISORY,
        lambda obj, config: practice.no_default_namespace(obj),
    ),
    _resource_policy(
        "bare-pod",
        "Pods are run by a controller (a Deployment), not bare.",
        MANDATORY,
        lambda obj, config: practice.bare_pod(obj),
    ),
    _stack_policy(
        "service-selector-unique",
        "No two Services in a namespace have the same selector.",
        ADVISORY,
        lambda objects, config: practice.service_selector_unique(objects),
    ),
]

BY_NAME = {policy.name: policy for policy in POLICIES}

__all__ = [
    "BY_NAME",
    "KINDS",
    "MODULES",
    "PACK_NAME",
    "POLICIES",
    "config_with_defaults",
    "describe",
    "is_patch",
    "kind_of_type",
    "materialize",
    "message",
    "to_object",
]
