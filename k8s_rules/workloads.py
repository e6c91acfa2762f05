"""What the Kubernetes API server refuses when a Deployment, StatefulSet,
DaemonSet (apps/v1) or PodDisruptionBudget (policy/v1) is created, beyond the
schema (field types and enums, `schema`) and the metadata (`metadata`).

Follows kubernetes/kubernetes ``pkg/apis/apps/validation/validation.go``
(ValidateDeploymentSpec, ValidateDeploymentStrategy, ValidateRollingUpdateDeployment,
ValidateStatefulSetSpec, validateRollingUpdateStatefulSet,
ValidatePersistentVolumeClaimRetentionPolicy, ValidateDaemonSetSpec,
ValidateDaemonSetUpdateStrategy, ValidateRollingUpdateDaemonSet,
ValidatePositiveIntOrPercent, IsNotMoreThan100Percent), read at commit
2dd1588c490775be7cd90d0afc59c6dcef07032a; PR #130233 (Kubernetes 1.33), which
made a StatefulSet's ``spec.serviceName`` optional and checks it as a DNS-1123
label when it is set; ``pkg/apis/policy/validation/validation.go``
(ValidatePodDisruptionBudgetSpec); and
``staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation`` (ValidateLabelSelector)
with ``pkg/apis/meta/v1/helpers.go`` (LabelSelectorAsSelector) for selectors.

Validation runs on the object after v1 defaulting (``pkg/apis/apps/v1/defaults.go``),
so a field a client may leave out is read as its default: a Deployment's
strategy is RollingUpdate with maxUnavailable and maxSurge 25% and
progressDeadlineSeconds 600; a DaemonSet's is RollingUpdate with
maxUnavailable 1 and maxSurge 0; a StatefulSet's podManagementPolicy is
OrderedReady, its updateStrategy RollingUpdate, its PVC retention policies
Retain, and (MaxUnavailableStatefulSet, beta and on by default in 1.35) a
rollingUpdate's maxUnavailable 1; a Pod template's restartPolicy is Always.
Only apps/v1 and policy/v1 are checked: the older group versions default
differently and are no longer served.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from ._problem import BAD_INT, NO_VALUE, UNKNOWN, Path, Problem, decode_int, show
from .names import dns1123_label_problem, dns1123_subdomain_problem, label_value_problem, qualified_name_problem

__all__ = ["check_workload"]

_PERCENT: Final = re.compile(r"[0-9]+%")
_GO_ATOI: Final = re.compile(r"[+-]?[0-9]+")

SELECTOR_OPERATORS: Final = ("In", "NotIn", "Exists", "DoesNotExist")
POD_MANAGEMENT_POLICIES: Final = ("OrderedReady", "Parallel")
PVC_RETENTION_POLICIES: Final = ("Retain", "Delete")
UNHEALTHY_POD_EVICTION_POLICIES: Final = ("AlwaysAllow", "IfHealthyBudget")

_NOT_INT_OR_PERCENT: Final = "must be a non-negative integer or a percentage such as '25%' (digits followed by '%')"
_NEGATIVE: Final = "must be greater than or equal to 0"
_OVER_100: Final = "must not be greater than 100%"


def _one_of(values: Sequence[str]) -> str:
    return "must be one of " + ", ".join(f'"{value}"' for value in values)


def _map(value: Any) -> Any:
    """A mapping field: the mapping, UNKNOWN, or None (absent, null or not a
    mapping: the schema reports the last)."""
    if value is UNKNOWN or isinstance(value, Mapping):
        return value
    return None


# --- integers and int-or-percent values ---------------------------------------


def _check_non_negative(parent: Mapping[str, Any], key: str, path: Path, rule: str, out: list[Problem]) -> None:
    """ValidateNonnegativeField on an optional int field."""
    raw = parent.get(key)
    value = decode_int(raw)
    if value is not None and value is not UNKNOWN and value is not BAD_INT and value < 0:
        out.append(Problem(rule, (*path, key), _NEGATIVE, raw))


class _IntOrPercent:
    """An intstr.IntOrString as the decoder reads it. ``value`` is an int, a
    str, UNKNOWN, or None when the value cannot be an IntOrString at all (the
    schema reports that)."""

    __slots__ = ("raw", "value", "defaulted")

    def __init__(self, raw: Any, default: int | str | None = None) -> None:
        self.defaulted = raw is None and default is not None
        self.raw = default if self.defaulted else raw
        if raw is None:
            self.value: Any = default
        elif raw is UNKNOWN or isinstance(raw, str):
            self.value = raw
        else:
            number = decode_int(raw)
            self.value = None if number is BAD_INT else number

    @property
    def known(self) -> bool:
        return self.value is not None and self.value is not UNKNOWN

    @property
    def well_formed(self) -> bool:
        """ValidatePositiveIntOrPercent would accept it."""
        if isinstance(self.value, str):
            return _PERCENT.fullmatch(self.value) is not None
        return isinstance(self.value, int) and self.value >= 0

    def percent(self) -> int | None:
        """getPercentValue: the number of a valid percent string."""
        if isinstance(self.value, str) and _PERCENT.fullmatch(self.value):
            return int(self.value[:-1])
        return None

    def scalar(self) -> int:
        """getIntOrPercentValue: a percent's number, an int, or a string read by
        strconv.Atoi (0 when it is not a number)."""
        percent = self.percent()
        if percent is not None:
            return percent
        if isinstance(self.value, str):
            return int(self.value) if _GO_ATOI.fullmatch(self.value) else 0
        return int(self.value)

    def problem(self) -> str | None:
        """ValidatePositiveIntOrPercent, then IsNotMoreThan100Percent."""
        if isinstance(self.value, str):
            if not _PERCENT.fullmatch(self.value):
                return _NOT_INT_OR_PERCENT
        elif self.value < 0:
            return _NEGATIVE
        percent = self.percent()
        if percent is not None and percent > 100:
            return _OVER_100
        return None


def _int_or_percent_problem(value: _IntOrPercent, path: Path, rule: str, out: list[Problem], *, cap: bool) -> None:
    """ValidatePositiveIntOrPercent, plus IsNotMoreThan100Percent when ``cap``."""
    if not value.known:
        return
    reason = value.problem()
    if reason == _OVER_100 and not cap:
        return
    if reason:
        out.append(Problem(rule, path, reason, value.raw))


# --- label selectors ----------------------------------------------------------


def _check_label_selector(selector: Mapping[str, Any], path: Path, rule: str, out: list[Problem]) -> bool:
    """ValidateLabelSelector with label values checked strictly (as on create).
    True when the selector is fully known and LabelSelectorAsSelector would
    accept it, so that it can be matched against labels."""
    usable = True
    match_labels = selector.get("matchLabels")
    if match_labels is UNKNOWN:
        usable = False
    elif isinstance(match_labels, Mapping):
        for key, value in match_labels.items():
            where: Path = (*path, "matchLabels", key)
            if isinstance(key, str):
                reason = qualified_name_problem(key)
                if reason:
                    usable = False
                    out.append(Problem(rule, where, f"is not a valid label key: {reason}", key))
            if value is UNKNOWN:
                usable = False
            elif isinstance(value, str):
                reason = label_value_problem(value)
                if reason:
                    usable = False
                    out.append(Problem(rule, where, f"is not a valid label value: it {reason}", value))
            else:
                usable = False  # the schema says it must be a string
    expressions = selector.get("matchExpressions")
    if expressions is UNKNOWN:
        return False
    if not isinstance(expressions, list):
        return usable
    for index, expression in enumerate(expressions):
        if not isinstance(expression, Mapping):
            usable = False
            continue
        if not _check_requirement(expression, (*path, "matchExpressions", index), rule, out):
            usable = False
    return usable


def _check_requirement(expression: Mapping[str, Any], path: Path, rule: str, out: list[Problem]) -> bool:
    """ValidateLabelSelectorRequirement; True when known and valid."""
    usable = True
    operator = expression.get("operator")
    values = expression.get("values")
    if values is None:
        values = []
    if operator is UNKNOWN or values is UNKNOWN or not isinstance(values, list):
        usable = False
    elif operator in ("In", "NotIn"):
        if not values:
            usable = False
            out.append(
                Problem(
                    rule,
                    (*path, "values"),
                    f"is required when the operator is {operator}: list the label values to match",
                )
            )
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            usable = False
            out.append(
                Problem(
                    rule,
                    (*path, "values"),
                    f"must be empty when the operator is {operator}, which only looks at the key",
                    values,
                )
            )
    else:
        usable = False
        out.append(
            Problem(
                rule,
                (*path, "operator"),
                f"is not a label selector operator: it {_one_of(SELECTOR_OPERATORS)}",
                NO_VALUE if operator is None else operator,
            )
        )
    key = expression.get("key")
    if key is UNKNOWN:
        usable = False
    elif isinstance(key, str):
        reason = qualified_name_problem(key)
        if reason:
            usable = False
            out.append(Problem(rule, (*path, "key"), f"is not a valid label key: {reason}", key))
    if isinstance(values, list):
        for index, value in enumerate(values):
            if value is UNKNOWN:
                usable = False
            elif isinstance(value, str):
                reason = label_value_problem(value)
                if reason:
                    usable = False
                    out.append(
                        Problem(rule, (*path, "values", index), f"is not a valid label value: it {reason}", value)
                    )
    return usable


def _selects(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """labels.Selector.Matches for a selector `_check_label_selector` accepted."""
    match_labels = selector.get("matchLabels") or {}
    for key, value in match_labels.items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key = expression.get("key")
        operator = expression.get("operator")
        values = expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _check_selector(spec: Mapping[str, Any], kind: str, out: list[Problem]) -> None:
    """The workload's selector: required, valid, not empty, and matching the
    Pod template's labels (ValidateDeploymentSpec, ValidateStatefulSetSpec,
    ValidateDaemonSetSpec with ValidatePodTemplateSpecForReplicaSet and
    ValidatePodTemplateSpecForStatefulSet)."""
    rule = "workload/selector"
    raw = spec.get("selector")
    if raw is UNKNOWN:
        return
    selector = _map(raw)
    if selector is None:
        out.append(
            Problem(
                rule,
                ("spec", "selector"),
                f"is required: a {kind} owns the Pods its selector matches; "
                "set matchLabels to labels of spec.template.metadata.labels",
            )
        )
        return
    usable = _check_label_selector(selector, ("spec", "selector"), rule, out)
    match_labels = selector.get("matchLabels")
    expressions = selector.get("matchExpressions")
    if match_labels is UNKNOWN or expressions is UNKNOWN:
        return
    count = (len(match_labels) if isinstance(match_labels, Mapping) else 0) + (
        len(expressions) if isinstance(expressions, list) else 0
    )
    if count == 0:
        out.append(
            Problem(
                rule,
                ("spec", "selector"),
                f"may not be empty for a {kind}: it would claim every Pod in the namespace; "
                "set matchLabels to labels of spec.template.metadata.labels",
                dict(selector),
            )
        )
        return
    if not usable:
        return
    template = _map(spec.get("template"))
    metadata = _map(template.get("metadata")) if isinstance(template, Mapping) else template
    labels = _map(metadata.get("labels")) if isinstance(metadata, Mapping) else metadata
    if labels is UNKNOWN or (isinstance(labels, Mapping) and UNKNOWN in labels.values()):
        return
    labels = labels or {}
    if not _selects(selector, labels):
        out.append(
            Problem(
                rule,
                ("spec", "template", "metadata", "labels"),
                f"do not match spec.selector ({show(dict(selector))}): the {kind} would not own the Pods it "
                "creates; give the template every label the selector requires",
                dict(labels) if labels else NO_VALUE,
            )
        )


# --- the Pod template -----------------------------------------------------------


def _check_pod_template(spec: Mapping[str, Any], kind: str, out: list[Problem], *, ephemeral: bool) -> None:
    """restartPolicy Always, no activeDeadlineSeconds and, where the template goes
    through ValidatePodTemplateSpec (Deployments, DaemonSets), no ephemeral
    containers."""
    rule = "workload/pod-template"
    template = _map(spec.get("template"))
    pod = _map(template.get("spec")) if isinstance(template, Mapping) else None
    if not isinstance(pod, Mapping):
        return
    base: Path = ("spec", "template", "spec")
    policy = pod.get("restartPolicy")
    if isinstance(policy, str) and policy not in ("", "Always"):
        out.append(
            Problem(
                rule,
                (*base, "restartPolicy"),
                f'must be "Always" in a {kind}, whose controller replaces Pods rather than letting them finish; '
                "use a Job for run-to-completion work",
                policy,
            )
        )
    deadline = pod.get("activeDeadlineSeconds")
    if deadline is not None and deadline is not UNKNOWN:
        out.append(
            Problem(
                rule,
                (*base, "activeDeadlineSeconds"),
                f"may not be set in a {kind}'s Pod template: its Pods run until replaced; remove it",
                deadline,
            )
        )
    if ephemeral:
        containers = pod.get("ephemeralContainers")
        if isinstance(containers, list) and containers:
            out.append(
                Problem(
                    rule,
                    (*base, "ephemeralContainers"),
                    "may not be set in a Pod template: ephemeral containers are added to running Pods "
                    "(kubectl debug); remove them",
                )
            )


# --- Deployment -------------------------------------------------------------------


def _check_deployment_strategy(spec: Mapping[str, Any], out: list[Problem]) -> None:
    """ValidateDeploymentStrategy and ValidateRollingUpdateDeployment, after defaulting."""
    rule = "workload/strategy"
    strategy = _map(spec.get("strategy"))
    if strategy is UNKNOWN:
        return
    strategy = strategy or {}
    kind = strategy.get("type")
    if kind is UNKNOWN:
        return
    kind = kind or "RollingUpdate"
    path: Path = ("spec", "strategy")
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None and rolling is not UNKNOWN:
            out.append(
                Problem(
                    rule,
                    (*path, "rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'; remove it, or use type RollingUpdate",
                    rolling,
                )
            )
        return
    if kind != "RollingUpdate":
        out.append(Problem(rule, (*path, "type"), _one_of(("Recreate", "RollingUpdate")), kind))
        return
    rolling = _map(rolling)
    if rolling is UNKNOWN:
        return
    rolling = rolling or {}
    path = (*path, "rollingUpdate")
    unavailable = _IntOrPercent(rolling.get("maxUnavailable"), "25%")
    surge = _IntOrPercent(rolling.get("maxSurge"), "25%")
    _int_or_percent_problem(unavailable, (*path, "maxUnavailable"), rule, out, cap=True)
    _int_or_percent_problem(surge, (*path, "maxSurge"), rule, out, cap=False)
    if unavailable.known and surge.known and unavailable.well_formed and surge.well_formed:
        if unavailable.scalar() == 0 and surge.scalar() == 0:
            out.append(
                Problem(
                    rule,
                    (*path, "maxUnavailable"),
                    "may not be 0 when `maxSurge` is 0: a rollout could neither add nor remove a Pod; "
                    "raise one of them",
                    unavailable.raw,
                )
            )


def _check_deployment(spec: Mapping[str, Any], out: list[Problem]) -> None:
    """ValidateDeploymentSpec."""
    _check_non_negative(spec, "replicas", ("spec",), "workload/counts", out)
    _check_selector(spec, "Deployment", out)
    _check_pod_template(spec, "Deployment", out, ephemeral=True)
    _check_deployment_strategy(spec, out)
    _check_non_negative(spec, "minReadySeconds", ("spec",), "workload/counts", out)
    _check_non_negative(spec, "revisionHistoryLimit", ("spec",), "workload/counts", out)
    raw = spec.get("progressDeadlineSeconds")
    deadline = 600 if raw is None else decode_int(raw)
    ready = decode_int(spec.get("minReadySeconds"))
    if ready is None:
        ready = 0
    if not isinstance(deadline, int) or deadline is BAD_INT or deadline is UNKNOWN:
        return
    path: Path = ("spec", "progressDeadlineSeconds")
    if deadline < 0:
        out.append(Problem("workload/counts", path, _NEGATIVE, raw))
    elif isinstance(ready, int) and ready is not BAD_INT and ready is not UNKNOWN and deadline <= ready:
        said = "defaults to 600, which must" if raw is None else "must"
        out.append(
            Problem(
                "workload/progress-deadline",
                path,
                f"{said} be greater than spec.minReadySeconds ({ready}), or every rollout would be reported as "
                "stalled before its Pods could count as available; raise progressDeadlineSeconds",
                NO_VALUE if raw is None else raw,
            )
        )


# --- StatefulSet ------------------------------------------------------------------


def _check_statefulset_name(obj: Mapping[str, Any], out: list[Problem]) -> None:
    """ValidateStatefulSetName: NameIsDNSLabel, stricter than the DNS-1123
    subdomain the metadata rules check (the name becomes Pod hostnames). Only
    names that are valid subdomains are reported here; `metadata` reports the others."""
    meta = _map(obj.get("metadata"))
    if not isinstance(meta, Mapping):
        return
    name = meta.get("name")
    if not isinstance(name, str) or not name or dns1123_subdomain_problem(name):
        return
    reason = dns1123_label_problem(name)
    if reason:
        out.append(
            Problem(
                "statefulset/name",
                ("metadata", "name"),
                f"is not a DNS-1123 label: it {reason}; a StatefulSet's name becomes the hostname of its Pods",
                name,
            )
        )


def _check_statefulset_strategy(spec: Mapping[str, Any], out: list[Problem]) -> None:
    """The updateStrategy switch of ValidateStatefulSetSpec and
    validateRollingUpdateStatefulSet, after defaulting."""
    rule = "workload/strategy"
    strategy = _map(spec.get("updateStrategy"))
    if strategy is UNKNOWN:
        return
    strategy = strategy or {}
    kind = strategy.get("type")
    if kind is UNKNOWN:
        return
    kind = kind or "RollingUpdate"
    path: Path = ("spec", "updateStrategy")
    rolling = strategy.get("rollingUpdate")
    if kind == "OnDelete":
        if rolling is not None and rolling is not UNKNOWN:
            out.append(
                Problem(
                    rule,
                    (*path, "rollingUpdate"),
                    "is only allowed for updateStrategy 'RollingUpdate'; remove it, or use type RollingUpdate",
                    rolling,
                )
            )
        return
    if kind != "RollingUpdate":
        out.append(Problem(rule, (*path, "type"), 'must be "RollingUpdate" or "OnDelete" for a StatefulSet', kind))
        return
    rolling = _map(rolling)
    if not isinstance(rolling, Mapping):
        return
    path = (*path, "rollingUpdate")
    _check_non_negative(rolling, "partition", path, rule, out)
    if rolling.get("maxUnavailable") is None:
        return  # defaults to 1
    unavailable = _IntOrPercent(rolling.get("maxUnavailable"))
    if not unavailable.known:
        return
    reason = unavailable.problem()
    if reason is None and unavailable.scalar() == 0:
        reason = "cannot be 0: the rollout could never take a Pod down to update it; use at least 1 (the default)"
    if reason:
        out.append(Problem(rule, (*path, "maxUnavailable"), reason, unavailable.raw))


def _check_statefulset(spec: Mapping[str, Any], out: list[Problem]) -> None:
    """ValidateStatefulSetSpec."""
    policy = spec.get("podManagementPolicy")
    if isinstance(policy, str) and policy and policy not in POD_MANAGEMENT_POLICIES:
        out.append(
            Problem(
                "statefulset/pod-management-policy",
                ("spec", "podManagementPolicy"),
                _one_of(POD_MANAGEMENT_POLICIES),
                policy,
            )
        )
    _check_statefulset_strategy(spec, out)
    retention = _map(spec.get("persistentVolumeClaimRetentionPolicy"))
    if isinstance(retention, Mapping):
        for key in ("whenDeleted", "whenScaled"):
            value = retention.get(key)
            if isinstance(value, str) and value and value not in PVC_RETENTION_POLICIES:
                out.append(
                    Problem(
                        "statefulset/pvc-retention-policy",
                        ("spec", "persistentVolumeClaimRetentionPolicy", key),
                        _one_of(PVC_RETENTION_POLICIES),
                        value,
                    )
                )
    _check_non_negative(spec, "replicas", ("spec",), "workload/counts", out)
    _check_non_negative(spec, "minReadySeconds", ("spec",), "workload/counts", out)
    ordinals = _map(spec.get("ordinals"))
    if isinstance(ordinals, Mapping):
        _check_non_negative(ordinals, "start", ("spec", "ordinals"), "workload/counts", out)
    service = spec.get("serviceName")
    if isinstance(service, str) and service:
        reason = dns1123_label_problem(service)
        if reason:
            out.append(
                Problem(
                    "statefulset/service-name",
                    ("spec", "serviceName"),
                    f"is not a DNS-1123 label: it {reason}; it becomes the subdomain of the StatefulSet's Pods "
                    "and names their headless Service",
                    service,
                )
            )
    _check_selector(spec, "StatefulSet", out)
    _check_pod_template(spec, "StatefulSet", out, ephemeral=False)


# --- DaemonSet --------------------------------------------------------------------


def _check_daemonset_strategy(spec: Mapping[str, Any], out: list[Problem]) -> None:
    """ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet, after
    defaulting. OnDelete with a rollingUpdate is accepted."""
    rule = "workload/strategy"
    strategy = _map(spec.get("updateStrategy"))
    if strategy is UNKNOWN:
        return
    strategy = strategy or {}
    kind = strategy.get("type")
    if kind is UNKNOWN:
        return
    kind = kind or "RollingUpdate"
    path: Path = ("spec", "updateStrategy")
    if kind == "OnDelete":
        return
    if kind != "RollingUpdate":
        out.append(Problem(rule, (*path, "type"), _one_of(("RollingUpdate", "OnDelete")), kind))
        return
    rolling = _map(strategy.get("rollingUpdate"))
    if rolling is UNKNOWN:
        return
    rolling = rolling or {}
    path = (*path, "rollingUpdate")
    unavailable = _IntOrPercent(rolling.get("maxUnavailable"), 1)
    surge = _IntOrPercent(rolling.get("maxSurge"), 0)
    _int_or_percent_problem(unavailable, (*path, "maxUnavailable"), rule, out, cap=True)
    _int_or_percent_problem(surge, (*path, "maxSurge"), rule, out, cap=True)
    if not (unavailable.known and surge.known and unavailable.well_formed and surge.well_formed):
        return
    has_unavailable = unavailable.scalar() != 0
    has_surge = surge.scalar() != 0
    if has_unavailable and has_surge:
        said = " (it defaults to 1)" if unavailable.defaulted else ""
        out.append(
            Problem(
                rule,
                (*path, "maxSurge"),
                f"may not be set when maxUnavailable is non-zero{said}: a DaemonSet rollout either surges or "
                "takes Pods down, not both; set maxUnavailable to 0 to surge",
                surge.raw,
            )
        )
    elif not has_unavailable and not has_surge:
        out.append(
            Problem(
                rule,
                (*path, "maxUnavailable"),
                "cannot be 0 when maxSurge is 0: the rollout could neither add nor remove a Pod; raise one of them",
                unavailable.raw,
            )
        )


def _check_daemonset(spec: Mapping[str, Any], out: list[Problem]) -> None:
    """ValidateDaemonSetSpec."""
    _check_selector(spec, "DaemonSet", out)
    _check_pod_template(spec, "DaemonSet", out, ephemeral=True)
    _check_non_negative(spec, "minReadySeconds", ("spec",), "workload/counts", out)
    _check_daemonset_strategy(spec, out)
    _check_non_negative(spec, "revisionHistoryLimit", ("spec",), "workload/counts", out)


# --- PodDisruptionBudget ----------------------------------------------------------


def _check_pod_disruption_budget(spec: Mapping[str, Any], out: list[Problem]) -> None:
    """ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation/validation.go)."""
    rule = "pdb/budget"
    minimum = spec.get("minAvailable")
    maximum = spec.get("maxUnavailable")
    if minimum is not None and maximum is not None and minimum is not UNKNOWN and maximum is not UNKNOWN:
        out.append(
            Problem(
                rule,
                ("spec", "maxUnavailable"),
                "may not be set together with spec.minAvailable: a budget is one or the other; keep one",
                maximum,
            )
        )
    for key, raw in (("minAvailable", minimum), ("maxUnavailable", maximum)):
        if raw is not None:
            _int_or_percent_problem(_IntOrPercent(raw), ("spec", key), rule, out, cap=True)
    selector = _map(spec.get("selector"))
    if isinstance(selector, Mapping):
        _check_label_selector(selector, ("spec", "selector"), "pdb/selector", out)
    policy = spec.get("unhealthyPodEvictionPolicy")
    if isinstance(policy, str) and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
        out.append(
            Problem(
                "pdb/unhealthy-pod-eviction-policy",
                ("spec", "unhealthyPodEvictionPolicy"),
                _one_of(UNHEALTHY_POD_EVICTION_POLICIES),
                policy,
            )
        )


_CHECKS: Final[dict[tuple[str, str], Callable[[Mapping[str, Any], list[Problem]], None]]] = {
    ("apps/v1", "Deployment"): _check_deployment,
    ("apps/v1", "StatefulSet"): _check_statefulset,
    ("apps/v1", "DaemonSet"): _check_daemonset,
    ("policy/v1", "PodDisruptionBudget"): _check_pod_disruption_budget,
}


def check_workload(obj: Any) -> list[Problem]:
    """Everything the API server's workload validation would refuse in a
    Deployment, StatefulSet, DaemonSet or PodDisruptionBudget; [] for other kinds."""
    if not isinstance(obj, Mapping):
        return []
    api_version = obj.get("apiVersion")
    kind = obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return []
    check = _CHECKS.get((api_version, kind))
    if check is None:
        return []
    out: list[Problem] = []
    if kind == "StatefulSet":
        _check_statefulset_name(obj, out)
    spec = _map(obj.get("spec"))
    if isinstance(spec, Mapping):
        check(spec, out)
    return out
