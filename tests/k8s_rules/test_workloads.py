"""check_workload against the upstream cases it follows.

Sources: kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go (read at
afd5df58bd7dcb7b8c3f00e2065936bd0c508b77) and pkg/apis/policy/validation/validation_test.go.
Upstream unit tests call the validators on internal objects that were never
defaulted; here the object is an apps/v1 or policy/v1 manifest, which the API
server defaults before validating it. Where a left-out field's default changes
the verdict the case is marked "accepted after defaulting" or "refused after
defaulting". Metadata problems (names, label syntax) belong to `metadata`, and
Pod spec problems to the other rule families; cases about those are left out.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k8s_rules import UNKNOWN, check_object
from k8s_rules.workloads import check_workload

Found = tuple[str, str, str]  # rule, path as printed, reason
Edits = dict[tuple[str | int, ...], Any]
DROP = object()


def edit(obj: dict[str, Any], edits: Edits) -> dict[str, Any]:
    """A copy of ``obj`` with each path set to its value (DROP removes it)."""
    obj = copy.deepcopy(obj)
    for path, value in edits.items():
        node: Any = obj
        for key in path[:-1]:
            node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
        if value is DROP:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    return obj


def pod_spec() -> dict[str, Any]:
    """podtest.MakePodSpec: one container, restartPolicy Always, dnsPolicy ClusterFirst."""
    return {
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "containers": [
            {"name": "ctr", "image": "image", "imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "File"}
        ],
    }


# validDeployment (validation_test.go), as an apps/v1 manifest; apps/v1 has no rollbackTo.
DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "abc", "namespace": "default"},
    "spec": {
        "selector": {"matchLabels": {"name": "abc"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}},
        "template": {"metadata": {"labels": {"name": "abc"}}, "spec": pod_spec()},
    },
}

# mkStatefulSet(&validPodTemplate) (validation_test.go).
STATEFUL_SET: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {"name": "abc", "namespace": "default"},
    "spec": {
        "podManagementPolicy": "OrderedReady",
        "selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": pod_spec()},
        "updateStrategy": {"type": "RollingUpdate"},
    },
}

# TestValidateDaemonSet's first success case.
DAEMON_SET: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "DaemonSet",
    "metadata": {"name": "abc", "namespace": "default"},
    "spec": {
        "selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": pod_spec()},
        "updateStrategy": {"type": "OnDelete"},
    },
}

PDB: dict[str, Any] = {
    "apiVersion": "policy/v1",
    "kind": "PodDisruptionBudget",
    "metadata": {"name": "abc", "namespace": "default"},
    "spec": {"selector": {"matchLabels": {"a": "b"}}},
}

S = ("spec",)
TEMPLATE_SPEC = ("spec", "template", "spec")
D_ROLLING = ("spec", "strategy", "rollingUpdate")
SS_ROLLING = ("spec", "updateStrategy", "rollingUpdate")
DS_ROLLING = ("spec", "updateStrategy", "rollingUpdate")

NEGATIVE = "must be greater than or equal to 0"
OVER_100 = "must not be greater than 100%"
NOT_PERCENT = "must be a non-negative integer or a percentage such as '25%' (digits followed by '%')"
BAD_KEY = (
    "is not a valid label key: name part must consist of letters, digits, '-', '_' or '.', and start and end"
    " with a letter or digit (e.g. 'MyName', 'my.name' or '123-abc')"
)


def mismatch(kind: str, selector: str) -> str:
    return (
        f"do not match spec.selector ({selector}): the {kind} would not own the Pods it creates; give the template"
        " every label the selector requires"
    )


def restart(kind: str) -> str:
    return (
        f'must be "Always" in a {kind}, whose controller replaces Pods rather than letting them finish; use a Job'
        " for run-to-completion work"
    )


def required(kind: str) -> str:
    return (
        f"is required: a {kind} owns the Pods its selector matches; set matchLabels to labels of"
        " spec.template.metadata.labels"
    )


def empty(kind: str) -> str:
    return (
        f"may not be empty for a {kind}: it would claim every Pod in the namespace; set matchLabels to labels of"
        " spec.template.metadata.labels"
    )


def deadline(kind: str) -> str:
    return f"may not be set in a {kind}'s Pod template: its Pods run until replaced; remove it"


EPHEMERAL = (
    "may not be set in a Pod template: ephemeral containers are added to running Pods (kubectl debug); remove them"
)
D_BOTH_ZERO = "may not be 0 when `maxSurge` is 0: a rollout could neither add nor remove a Pod; raise one of them"
SS_ZERO = "cannot be 0: the rollout could never take a Pod down to update it; use at least 1 (the default)"
DS_BOTH = (
    "may not be set when maxUnavailable is non-zero: a DaemonSet rollout either surges or takes Pods down, not"
    " both; set maxUnavailable to 0 to surge"
)
DS_BOTH_DEFAULTED = (
    "may not be set when maxUnavailable is non-zero (it defaults to 1): a DaemonSet rollout either surges or takes"
    " Pods down, not both; set maxUnavailable to 0 to surge"
)
DS_BOTH_ZERO = "cannot be 0 when maxSurge is 0: the rollout could neither add nor remove a Pod; raise one of them"


def found(obj: dict[str, Any]) -> list[Found]:
    return [(p.rule, p.where, p.reason) for p in check_workload(obj)]


# --- Deployment ------------------------------------------------------------------

DEPLOYMENT_CASES: list[tuple[str, Edits, list[Found]]] = [
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment successCases[0]
    ("valid", {}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment successCases[1]
    (
        "host network",
        {
            (*TEMPLATE_SPEC, "hostNetwork"): True,
            (*TEMPLATE_SPEC, "containers", 0, "ports"): [{"containerPort": 12345, "protocol": "TCP"}],
        },
        [],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment "`selector` does not match template `labels`"
    (
        "selector does not match template labels",
        {("spec", "selector", "matchLabels"): {"name": "def"}},
        [
            (
                "workload/selector",
                "spec.template.metadata.labels",
                mismatch("Deployment", '{"matchLabels": {"name": "def"}}'),
            )
        ],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment "Unsupported value: \"Never\""
    (
        "restart policy Never",
        {(*TEMPLATE_SPEC, "restartPolicy"): "Never"},
        [("workload/pod-template", "spec.template.spec.restartPolicy", restart("Deployment"))],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment `supported values: "Recreate", "RollingUpdate"`
    (
        "invalid strategy type",
        {("spec", "strategy", "type"): "randomType"},
        [("workload/strategy", "spec.strategy.type", 'must be one of "Recreate", "RollingUpdate"')],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment "may not be specified when strategy `type` is 'Recreate'"
    (
        "recreate with rollingUpdate",
        {("spec", "strategy"): {"type": "Recreate", "rollingUpdate": {}}},
        [
            (
                "workload/strategy",
                "spec.strategy.rollingUpdate",
                "may not be specified when strategy `type` is 'Recreate'; remove it, or use type RollingUpdate",
            )
        ],
    ),
    # ValidateDeploymentStrategy: Recreate alone is fine.
    ("recreate", {("spec", "strategy"): {"type": "Recreate"}}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment "a valid percent string must be"
    # (maxUnavailable left out: it defaults to 25%, so only the percent is wrong)
    (
        "maxSurge not a percent",
        {("spec", "strategy"): {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "20Percent"}}},
        [("workload/strategy", "spec.strategy.rollingUpdate.maxSurge", NOT_PERCENT)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment "may not be 0 when `maxSurge` is 0"
    (
        "maxSurge and maxUnavailable zero",
        {("spec", "strategy", "rollingUpdate"): {"maxSurge": "0%", "maxUnavailable": 0}},
        [("workload/strategy", "spec.strategy.rollingUpdate.maxUnavailable", D_BOTH_ZERO)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment "must not be greater than 100%"
    (
        "maxUnavailable over 100%",
        {("spec", "strategy", "rollingUpdate"): {"maxUnavailable": "110%"}},
        [("workload/strategy", "spec.strategy.rollingUpdate.maxUnavailable", OVER_100)],
    ),
    # ValidateRollingUpdateDeployment caps maxUnavailable only: a surge of 200% is accepted.
    ("maxSurge over 100%", {(*D_ROLLING, "maxSurge"): "200%"}, []),
    # ValidatePositiveIntOrPercent: negative ints are refused.
    (
        "negative maxSurge",
        {(*D_ROLLING, "maxSurge"): -1},
        [("workload/strategy", "spec.strategy.rollingUpdate.maxSurge", NEGATIVE)],
    ),
    # accepted after defaulting: strategy RollingUpdate, 25%/25%.
    ("no strategy", {("spec", "strategy"): DROP}, []),
    # accepted after defaulting: maxUnavailable 25%.
    ("maxSurge 0 alone", {D_ROLLING: {"maxSurge": 0}}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment "must be greater than minReadySeconds"
    (
        "progress deadline equal to minReadySeconds",
        {("spec", "progressDeadlineSeconds"): 600, ("spec", "minReadySeconds"): 600},
        [
            (
                "workload/progress-deadline",
                "spec.progressDeadlineSeconds",
                "must be greater than spec.minReadySeconds (600), or every rollout would be reported as stalled"
                " before its Pods could count as available; raise progressDeadlineSeconds",
            )
        ],
    ),
    # refused after defaulting: progressDeadlineSeconds defaults to 600.
    (
        "minReadySeconds 600 with the default deadline",
        {("spec", "minReadySeconds"): 600},
        [
            (
                "workload/progress-deadline",
                "spec.progressDeadlineSeconds",
                "defaults to 600, which must be greater than spec.minReadySeconds (600), or every rollout would be"
                " reported as stalled before its Pods could count as available; raise progressDeadlineSeconds",
            )
        ],
    ),
    ("minReadySeconds 599 with the default deadline", {("spec", "minReadySeconds"): 599}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeployment "ephemeral containers not allowed"
    (
        "ephemeral containers",
        {
            (*TEMPLATE_SPEC, "ephemeralContainers"): [
                {"name": "ec", "image": "image", "imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "File"}
            ]
        },
        [("workload/pod-template", "spec.template.spec.ephemeralContainers", EPHEMERAL)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeploymentUpdate "negative replicas"
    ("negative replicas", {("spec", "replicas"): -1}, [("workload/counts", "spec.replicas", NEGATIVE)]),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDeploymentUpdate "invalid selector"
    (
        "invalid selector key",
        {("spec", "selector", "matchLabels"): {"NoUppercaseOrSpecialCharsLike=Equals": "b"}},
        [("workload/selector", 'spec.selector.matchLabels["NoUppercaseOrSpecialCharsLike=Equals"]', BAD_KEY)],
    ),
    # ValidateDeploymentSpec: minReadySeconds and revisionHistoryLimit (zero is valid) are non-negative.
    ("zero revisionHistoryLimit", {("spec", "revisionHistoryLimit"): 0}, []),
    (
        "negative counts",
        {("spec", "minReadySeconds"): -1, ("spec", "revisionHistoryLimit"): -1},
        [
            ("workload/counts", "spec.minReadySeconds", NEGATIVE),
            ("workload/counts", "spec.revisionHistoryLimit", NEGATIVE),
        ],
    ),
    # ValidatePodTemplateSpecForReplicaSet: activeDeadlineSeconds is forbidden.
    (
        "activeDeadlineSeconds",
        {(*TEMPLATE_SPEC, "activeDeadlineSeconds"): 60},
        [("workload/pod-template", "spec.template.spec.activeDeadlineSeconds", deadline("Deployment"))],
    ),
    # ValidateDeploymentSpec: "empty selector is invalid for deployment".
    (
        "empty selector",
        {("spec", "selector"): {}},
        [("workload/selector", "spec.selector", empty("Deployment"))],
    ),
    (
        "missing selector",
        {("spec", "selector"): DROP},
        [("workload/selector", "spec.selector", required("Deployment"))],
    ),
    # labels.Selector semantics for matchExpressions.
    (
        "matching expressions",
        {
            ("spec", "selector"): {
                "matchExpressions": [
                    {"key": "name", "operator": "In", "values": ["abc", "def"]},
                    {"key": "tier", "operator": "NotIn", "values": ["db"]},
                    {"key": "name", "operator": "Exists"},
                    {"key": "canary", "operator": "DoesNotExist"},
                ]
            }
        },
        [],
    ),
    (
        "expression not matching",
        {("spec", "selector"): {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}},
        [
            (
                "workload/selector",
                "spec.template.metadata.labels",
                mismatch("Deployment", '{"matchExpressions": [{"key": "tier", "operator": "Exists"}]}'),
            )
        ],
    ),
    # ValidateLabelSelectorRequirement: In needs values, Exists takes none, operators are a closed set.
    (
        "invalid expressions",
        {
            ("spec", "selector"): {
                "matchLabels": {"name": "abc"},
                "matchExpressions": [
                    {"key": "a", "operator": "In", "values": []},
                    {"key": "b", "operator": "Exists", "values": ["x"]},
                    {"key": "c", "operator": "Equals", "values": ["x"]},
                    {"key": "d", "operator": "In", "values": ["not valid"]},
                ],
            }
        },
        [
            (
                "workload/selector",
                "spec.selector.matchExpressions[0].values",
                "is required when the operator is In: list the label values to match",
            ),
            (
                "workload/selector",
                "spec.selector.matchExpressions[1].values",
                "must be empty when the operator is Exists, which only looks at the key",
            ),
            (
                "workload/selector",
                "spec.selector.matchExpressions[2].operator",
                'is not a label selector operator: it must be one of "In", "NotIn", "Exists", "DoesNotExist"',
            ),
            (
                "workload/selector",
                "spec.selector.matchExpressions[3].values[0]",
                "is not a valid label value: it must be empty or consist of letters, digits, '-', '_' or '.', and"
                " start and end with a letter or digit (e.g. 'MyValue', 'my_value' or '12345')",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("name", "edits", "expected"), DEPLOYMENT_CASES, ids=[c[0] for c in DEPLOYMENT_CASES])
def test_deployment(name: str, edits: Edits, expected: list[Found]) -> None:
    assert found(edit(DEPLOYMENT, edits)) == expected


# --- StatefulSet -----------------------------------------------------------------

STATEFUL_SET_CASES: list[tuple[str, Edits, list[Found]]] = [
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "alpha name"
    ("alpha name", {}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "alphanumeric name"
    ("alphanumeric name", {("metadata", "name"): "abc-123"}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "hostNetwork true"
    ("hostNetwork true", {(*TEMPLATE_SPEC, "hostNetwork"): True}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "parallel pod management"
    ("parallel pod management", {("spec", "podManagementPolicy"): "Parallel"}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "update strategy"
    ("update strategy", {("spec", "replicas"): 3, (*SS_ROLLING, "partition"): 2}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "PVC policy [enable StatefulSetAutoDeletePVC]"
    (
        "PVC policy",
        {("spec", "persistentVolumeClaimRetentionPolicy"): {"whenDeleted": "Delete", "whenScaled": "Retain"}},
        [],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "maxUnavailable with parallel pod management"
    (
        "maxUnavailable with parallel pod management",
        {("spec", "replicas"): 3, SS_ROLLING: {"partition": 2, "maxUnavailable": 2}},
        [],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "ordinals.start positive value"
    ("ordinals.start positive value", {("spec", "replicas"): 3, ("spec", "ordinals"): {"start": 2}}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "name-with-dots"
    # (ValidateStatefulSetName is NameIsDNSLabel; the metadata rules only know subdomains)
    (
        "name-with-dots",
        {("metadata", "name"): "abc.123"},
        [
            (
                "statefulset/name",
                "metadata.name",
                "is not a DNS-1123 label: it must not contain dots; a StatefulSet's name becomes the hostname of"
                " its Pods",
            )
        ],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "empty selector"
    ("empty selector", {("spec", "selector"): DROP}, [("workload/selector", "spec.selector", required("StatefulSet"))]),
    # ValidateStatefulSetSpec: "empty selector is invalid for statefulset".
    ("selector {}", {("spec", "selector"): {}}, [("workload/selector", "spec.selector", empty("StatefulSet"))]),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "selector_doesnt_match"
    (
        "selector_doesnt_match",
        {("spec", "selector", "matchLabels"): {"foo": "bar"}},
        [
            (
                "workload/selector",
                "spec.template.metadata.labels",
                mismatch("StatefulSet", '{"matchLabels": {"foo": "bar"}}'),
            )
        ],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "negative_replicas"
    ("negative_replicas", {("spec", "replicas"): -1}, [("workload/counts", "spec.replicas", NEGATIVE)]),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "invalid_label 2"
    # (the template's own label is the metadata rules' to report)
    (
        "invalid_label 2",
        {
            ("spec", "selector", "matchLabels"): {"NoUppercaseOrSpecialCharsLike=Equals": "b"},
            ("spec", "template", "metadata", "labels"): {"NoUppercaseOrSpecialCharsLike=Equals": "b"},
        },
        [("workload/selector", 'spec.selector.matchLabels["NoUppercaseOrSpecialCharsLike=Equals"]', BAD_KEY)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "invalid restart policy 1"
    (
        "invalid restart policy 1",
        {(*TEMPLATE_SPEC, "restartPolicy"): "OnFailure"},
        [("workload/pod-template", "spec.template.spec.restartPolicy", restart("StatefulSet"))],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "invalid restart policy 2"
    (
        "invalid restart policy 2",
        {(*TEMPLATE_SPEC, "restartPolicy"): "Never"},
        [("workload/pod-template", "spec.template.spec.restartPolicy", restart("StatefulSet"))],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "empty restart policy"
    # (accepted after defaulting: Always)
    ("empty restart policy", {(*TEMPLATE_SPEC, "restartPolicy"): ""}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "invalid update strategy"
    (
        "invalid update strategy",
        {("spec", "replicas"): 3, ("spec", "updateStrategy", "type"): "foo"},
        [
            (
                "workload/strategy",
                "spec.updateStrategy.type",
                'must be "RollingUpdate" or "OnDelete" for a StatefulSet',
            )
        ],
    ),
    # The published schema's enum for this field lists Recreate; validation refuses it.
    (
        "Recreate",
        {("spec", "updateStrategy", "type"): "Recreate"},
        [
            (
                "workload/strategy",
                "spec.updateStrategy.type",
                'must be "RollingUpdate" or "OnDelete" for a StatefulSet',
            )
        ],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "empty update strategy"
    # (accepted after defaulting: RollingUpdate)
    ("empty update strategy", {("spec", "updateStrategy", "type"): ""}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "invalid rolling update"
    (
        "invalid rolling update",
        {("spec", "replicas"): 3, ("spec", "updateStrategy"): {"type": "OnDelete", "rollingUpdate": {"partition": 1}}},
        [
            (
                "workload/strategy",
                "spec.updateStrategy.rollingUpdate",
                "is only allowed for updateStrategy 'RollingUpdate'; remove it, or use type RollingUpdate",
            )
        ],
    ),
    ("on delete", {("spec", "updateStrategy"): {"type": "OnDelete"}}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "negative partition"
    (
        "negative partition",
        {("spec", "replicas"): 3, (*SS_ROLLING, "partition"): -1},
        [("workload/strategy", "spec.updateStrategy.rollingUpdate.partition", NEGATIVE)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "empty pod management policy"
    # (accepted after defaulting: OrderedReady)
    ("empty pod management policy", {("spec", "podManagementPolicy"): ""}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "invalid pod management policy"
    (
        "invalid pod management policy",
        {("spec", "podManagementPolicy"): "foo"},
        [
            (
                "statefulset/pod-management-policy",
                "spec.podManagementPolicy",
                'must be one of "OrderedReady", "Parallel"',
            )
        ],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "set active deadline seconds"
    (
        "set active deadline seconds",
        {("spec", "replicas"): 3, (*TEMPLATE_SPEC, "activeDeadlineSeconds"): 60},
        [("workload/pod-template", "spec.template.spec.activeDeadlineSeconds", deadline("StatefulSet"))],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "empty PersistentVolumeClaimRetentionPolicy [enable StatefulSetAutoDeletePVC]"
    # (accepted after defaulting: Retain, Retain)
    ("empty PersistentVolumeClaimRetentionPolicy", {("spec", "persistentVolumeClaimRetentionPolicy"): {}}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "invalid PersistentVolumeClaimRetentionPolicy [enable StatefulSetAutoDeletePVC]"
    (
        "invalid PersistentVolumeClaimRetentionPolicy",
        {
            ("spec", "persistentVolumeClaimRetentionPolicy"): {
                "whenDeleted": "invalid-retention-policy",
                "whenScaled": "invalid-retention-policy",
            }
        },
        [
            (
                "statefulset/pvc-retention-policy",
                "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
                'must be one of "Retain", "Delete"',
            ),
            (
                "statefulset/pvc-retention-policy",
                "spec.persistentVolumeClaimRetentionPolicy.whenScaled",
                'must be one of "Retain", "Delete"',
            ),
        ],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "zero maxUnavailable"
    (
        "zero maxUnavailable",
        {("spec", "replicas"): 3, (*SS_ROLLING, "maxUnavailable"): 0},
        [("workload/strategy", "spec.updateStrategy.rollingUpdate.maxUnavailable", SS_ZERO)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "zero percent maxUnavailable"
    (
        "zero percent maxUnavailable",
        {("spec", "replicas"): 3, (*SS_ROLLING, "maxUnavailable"): "0%"},
        [("workload/strategy", "spec.updateStrategy.rollingUpdate.maxUnavailable", SS_ZERO)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "greater than 100 percent maxUnavailable"
    (
        "greater than 100 percent maxUnavailable",
        {("spec", "replicas"): 3, (*SS_ROLLING, "maxUnavailable"): "101%"},
        [("workload/strategy", "spec.updateStrategy.rollingUpdate.maxUnavailable", OVER_100)],
    ),
    ("100 percent maxUnavailable", {(*SS_ROLLING, "maxUnavailable"): "100%"}, []),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSet "invalid ordinals.start"
    (
        "invalid ordinals.start",
        {("spec", "replicas"): 3, ("spec", "ordinals"): {"start": -2}},
        [("workload/counts", "spec.ordinals.start", NEGATIVE)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateStatefulSetMinReadySeconds
    ("minReadySeconds zero", {("spec", "minReadySeconds"): 0}, []),
    ("minReadySeconds very large", {("spec", "minReadySeconds"): 2147483647}, []),
    (
        "minReadySeconds negative",
        {("spec", "minReadySeconds"): -1},
        [("workload/counts", "spec.minReadySeconds", NEGATIVE)],
    ),
    (
        "minReadySeconds large negative",
        {("spec", "minReadySeconds"): -2147483648},
        [("workload/counts", "spec.minReadySeconds", NEGATIVE)],
    ),
    # kubernetes/kubernetes PR #130233: serviceName is optional, and a DNS-1123 label when set.
    ("no serviceName", {("spec", "serviceName"): DROP}, []),
    ("empty serviceName", {("spec", "serviceName"): ""}, []),
    ("valid serviceName", {("spec", "serviceName"): "abc-headless"}, []),
    (
        "invalid serviceName",
        {("spec", "serviceName"): "Not_A_Label"},
        [
            (
                "statefulset/service-name",
                "spec.serviceName",
                "is not a DNS-1123 label: it must consist of lowercase letters, digits and '-', and start and end"
                " with a letter or digit (an RFC 1123 label such as 'my-name' or '123-abc'); it becomes the subdomain"
                " of the StatefulSet's Pods and names their headless Service",
            )
        ],
    ),
    # ValidateStatefulSetSpec does not read revisionHistoryLimit (at 2dd1588c).
    ("negative revisionHistoryLimit is not checked", {("spec", "revisionHistoryLimit"): -1}, []),
]


@pytest.mark.parametrize(("name", "edits", "expected"), STATEFUL_SET_CASES, ids=[c[0] for c in STATEFUL_SET_CASES])
def test_stateful_set(name: str, edits: Edits, expected: list[Found]) -> None:
    assert found(edit(STATEFUL_SET, edits)) == expected


# --- DaemonSet -------------------------------------------------------------------

DAEMON_SET_CASES: list[tuple[str, Edits, list[Found]]] = [
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSet successCases
    ("valid", {}, []),
    ("valid name with digits", {("metadata", "name"): "abc-123"}, []),
    (
        "hostnet",
        {
            ("metadata", "name"): "hostnet",
            (*TEMPLATE_SPEC, "hostNetwork"): True,
            (*TEMPLATE_SPEC, "containers", 0, "ports"): [{"containerPort": 12345, "protocol": "TCP"}],
        },
        [],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSet "nil selector"
    ("nil selector", {("spec", "selector"): DROP}, [("workload/selector", "spec.selector", required("DaemonSet"))]),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSet "empty selector"
    ("empty selector", {("spec", "selector"): {}}, [("workload/selector", "spec.selector", empty("DaemonSet"))]),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSet "selector_doesnt_match"
    (
        "selector_doesnt_match",
        {("spec", "selector", "matchLabels"): {"foo": "bar"}},
        [
            (
                "workload/selector",
                "spec.template.metadata.labels",
                mismatch("DaemonSet", '{"matchLabels": {"foo": "bar"}}'),
            )
        ],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSet "invalid restart policy 1"
    (
        "invalid restart policy 1",
        {(*TEMPLATE_SPEC, "restartPolicy"): "OnFailure"},
        [("workload/pod-template", "spec.template.spec.restartPolicy", restart("DaemonSet"))],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSet "invalid restart policy 2"
    (
        "invalid restart policy 2",
        {(*TEMPLATE_SPEC, "restartPolicy"): "Never"},
        [("workload/pod-template", "spec.template.spec.restartPolicy", restart("DaemonSet"))],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSet "template may not contain ephemeral containers"
    (
        "template may not contain ephemeral containers",
        {
            (*TEMPLATE_SPEC, "ephemeralContainers"): [
                {
                    "name": "debug",
                    "image": "image",
                    "imagePullPolicy": "IfNotPresent",
                    "terminationMessagePolicy": "File",
                }
            ]
        },
        [("workload/pod-template", "spec.template.spec.ephemeralContainers", EPHEMERAL)],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSetUpdate "invalid update strategy"
    (
        "invalid update strategy",
        {("spec", "updateStrategy", "type"): "Random"},
        [("workload/strategy", "spec.updateStrategy.type", 'must be one of "RollingUpdate", "OnDelete"')],
    ),
    # kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestValidateDaemonSetUpdate "change update strategy"
    (
        "rolling update maxUnavailable 1",
        {("spec", "updateStrategy"): {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}},
        [],
    ),
    # ValidateDaemonSetUpdateStrategy ignores a rollingUpdate under OnDelete.
    ("on delete with rollingUpdate", {("spec", "updateStrategy", "rollingUpdate"): {"maxUnavailable": 0}}, []),
    # accepted after defaulting: RollingUpdate, maxUnavailable 1, maxSurge 0.
    ("no update strategy", {("spec", "updateStrategy"): DROP}, []),
    # ValidateDaemonSetSpec: minReadySeconds and revisionHistoryLimit are non-negative.
    (
        "negative counts",
        {("spec", "minReadySeconds"): -1, ("spec", "revisionHistoryLimit"): -1},
        [
            ("workload/counts", "spec.minReadySeconds", NEGATIVE),
            ("workload/counts", "spec.revisionHistoryLimit", NEGATIVE),
        ],
    ),
    (
        "activeDeadlineSeconds",
        {(*TEMPLATE_SPEC, "activeDeadlineSeconds"): 60},
        [("workload/pod-template", "spec.template.spec.activeDeadlineSeconds", deadline("DaemonSet"))],
    ),
]


@pytest.mark.parametrize(("name", "edits", "expected"), DAEMON_SET_CASES, ids=[c[0] for c in DAEMON_SET_CASES])
def test_daemon_set(name: str, edits: Edits, expected: list[Found]) -> None:
    assert found(edit(DAEMON_SET, edits)) == expected


# kubernetes/kubernetes pkg/apis/apps/validation/validation_test.go TestDaemonSetUpdateMaxSurge: upstream
# validates the rollingUpdate as given; a manifest's left-out maxUnavailable is 1 and maxSurge 0.
MAX_SURGE_CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    ("invalid: unset (accepted after defaulting: 1 and 0)", {}, []),
    ("invalid: zero percent", {"maxUnavailable": "0%"}, [("maxUnavailable", DS_BOTH_ZERO)]),
    ("invalid: zero", {"maxUnavailable": 0}, [("maxUnavailable", DS_BOTH_ZERO)]),
    ("valid: one", {"maxUnavailable": 1}, []),
    ("valid: one percent", {"maxUnavailable": "1%"}, []),
    ("valid: 100%", {"maxUnavailable": "100%"}, []),
    ("invalid: greater than 100%", {"maxUnavailable": "101%"}, [("maxUnavailable", OVER_100)]),
    (
        "valid: surge and unavailable set (expects an error)",
        {"maxUnavailable": "1%", "maxSurge": "1%"},
        [("maxSurge", DS_BOTH)],
    ),
    ("invalid: surge zero percent (accepted after defaulting)", {"maxSurge": "0%"}, []),
    ("invalid: surge zero (accepted after defaulting)", {"maxSurge": 0}, []),
    ("valid: surge one (refused after defaulting)", {"maxSurge": 1}, [("maxSurge", DS_BOTH_DEFAULTED)]),
    ("valid: surge one percent (refused after defaulting)", {"maxSurge": "1%"}, [("maxSurge", DS_BOTH_DEFAULTED)]),
    ("valid: surge 100% (refused after defaulting)", {"maxSurge": "100%"}, [("maxSurge", DS_BOTH_DEFAULTED)]),
    ("valid: surge one, unavailable zero", {"maxSurge": 1, "maxUnavailable": 0}, []),
    ("valid: surge 100%, unavailable zero", {"maxSurge": "100%", "maxUnavailable": 0}, []),
    (
        "invalid: surge greater than 100%",
        {"maxSurge": "101%", "maxUnavailable": 0},
        [("maxSurge", OVER_100)],
    ),
    ("invalid: surge and unavailable set", {"maxUnavailable": "1%", "maxSurge": "1%"}, [("maxSurge", DS_BOTH)]),
    (
        "invalid: surge and unavailable zero percent",
        {"maxUnavailable": "0%", "maxSurge": "0%"},
        [("maxUnavailable", DS_BOTH_ZERO)],
    ),
    ("invalid: surge and unavailable zero", {"maxUnavailable": 0, "maxSurge": 0}, [("maxUnavailable", DS_BOTH_ZERO)]),
    (
        "invalid: surge and unavailable mixed zero",
        {"maxUnavailable": 0, "maxSurge": "0%"},
        [("maxUnavailable", DS_BOTH_ZERO)],
    ),
    ("not a percent", {"maxUnavailable": "5 percent"}, [("maxUnavailable", NOT_PERCENT)]),
    ("negative", {"maxUnavailable": -1}, [("maxUnavailable", NEGATIVE)]),
]


@pytest.mark.parametrize(("name", "rolling", "expected"), MAX_SURGE_CASES, ids=[c[0] for c in MAX_SURGE_CASES])
def test_daemon_set_rolling_update(name: str, rolling: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    obj = edit(DAEMON_SET, {("spec", "updateStrategy"): {"type": "RollingUpdate", "rollingUpdate": rolling}})
    assert found(obj) == [
        ("workload/strategy", f"spec.updateStrategy.rollingUpdate.{key}", reason) for key, reason in expected
    ]


# --- PodDisruptionBudget ----------------------------------------------------------

# kubernetes/kubernetes pkg/apis/policy/validation/validation_test.go TestValidateMinAvailablePodDisruptionBudgetSpec
PDB_ACCEPTED = ["0%", "1%", "100%", 0, 1, 100]
PDB_REFUSED = [("1.1%", NOT_PERCENT), ("nope", NOT_PERCENT), ("-1%", NOT_PERCENT), ("101%", OVER_100), (-1, NEGATIVE)]


@pytest.mark.parametrize("key", ["minAvailable", "maxUnavailable"])
@pytest.mark.parametrize("value", PDB_ACCEPTED)
def test_pdb_budget_accepted(key: str, value: Any) -> None:
    assert found(edit(PDB, {("spec", key): value})) == []


@pytest.mark.parametrize("key", ["minAvailable", "maxUnavailable"])
@pytest.mark.parametrize(("value", "reason"), PDB_REFUSED)
def test_pdb_budget_refused(key: str, value: Any, reason: str) -> None:
    assert found(edit(PDB, {("spec", key): value})) == [("pdb/budget", f"spec.{key}", reason)]


def test_pdb_min_available_and_max_unavailable() -> None:
    # kubernetes/kubernetes pkg/apis/policy/validation/validation_test.go
    # TestValidateMinAvailablePodAndMaxUnavailableDisruptionBudgetSpec
    obj = edit(PDB, {("spec", "minAvailable"): "10%", ("spec", "maxUnavailable"): 1})
    assert found(obj) == [
        (
            "pdb/budget",
            "spec.maxUnavailable",
            "may not be set together with spec.minAvailable: a budget is one or the other; keep one",
        )
    ]


@pytest.mark.parametrize(
    ("policy", "refused"),
    [
        # kubernetes/kubernetes pkg/apis/policy/validation/validation_test.go
        # TestValidateUnhealthyPodEvictionPolicyDisruptionBudgetSpec
        (DROP, False),  # "valid nil UnhealthyPodEvictionPolicy"
        ("AlwaysAllow", False),  # "valid UnhealthyPodEvictionPolicy"
        ("IfHealthyBudget", False),
        ("", True),  # "empty UnhealthyPodEvictionPolicy"
        ("Invalid", True),  # "invalid UnhealthyPodEvictionPolicy"
    ],
)
def test_pdb_unhealthy_pod_eviction_policy(policy: Any, refused: bool) -> None:
    obj = edit(PDB, {("spec", "minAvailable"): "10%", ("spec", "unhealthyPodEvictionPolicy"): policy})
    expected = [
        (
            "pdb/unhealthy-pod-eviction-policy",
            "spec.unhealthyPodEvictionPolicy",
            'must be one of "AlwaysAllow", "IfHealthyBudget"',
        )
    ]
    assert found(obj) == (expected if refused else [])


def test_pdb_selector_is_optional_and_may_be_empty() -> None:
    # ValidatePodDisruptionBudgetSpec checks the selector only with ValidateLabelSelector.
    assert found(edit(PDB, {("spec", "selector"): DROP})) == []
    assert found(edit(PDB, {("spec", "selector"): {}})) == []
    bad = edit(PDB, {("spec", "selector"): {"matchExpressions": [{"key": "a", "operator": "NotIn"}]}})
    assert found(bad) == [
        (
            "pdb/selector",
            "spec.selector.matchExpressions[0].values",
            "is required when the operator is NotIn: list the label values to match",
        )
    ]


# --- everything else -------------------------------------------------------------


def test_unknown_values_are_skipped() -> None:
    assert check_workload(edit(DEPLOYMENT, {("spec",): UNKNOWN})) == []
    assert check_workload(edit(DEPLOYMENT, {("spec", "selector"): UNKNOWN, ("spec", "replicas"): UNKNOWN})) == []
    assert check_workload(edit(DEPLOYMENT, {("spec", "template", "metadata", "labels"): UNKNOWN})) == []
    assert check_workload(edit(DEPLOYMENT, {("spec", "template", "metadata", "labels", "name"): UNKNOWN})) == []
    assert (
        check_workload(edit(DEPLOYMENT, {(*D_ROLLING, "maxSurge"): UNKNOWN, (*D_ROLLING, "maxUnavailable"): 0})) == []
    )
    assert check_workload(edit(STATEFUL_SET, {("spec", "updateStrategy"): UNKNOWN})) == []
    # An unknown value may yet be null: "both set" is not reported on a guess.
    assert check_workload(edit(PDB, {("spec", "minAvailable"): UNKNOWN, ("spec", "maxUnavailable"): 1})) == []


def test_engine_floats_are_integers() -> None:
    # The Pulumi engine sends numbers as floats.
    obj = edit(DEPLOYMENT, {("spec", "replicas"): -1.0, D_ROLLING: {"maxSurge": 0.0, "maxUnavailable": 0.0}})
    assert [p.where for p in check_workload(obj)] == [
        "spec.replicas",
        "spec.strategy.rollingUpdate.maxUnavailable",
    ]


def test_other_kinds_and_versions() -> None:
    assert check_workload({"apiVersion": "v1", "kind": "Service", "spec": {}}) == []
    assert check_workload(edit(DEPLOYMENT, {("apiVersion",): "extensions/v1beta1"})) == []
    assert check_workload(edit(PDB, {("apiVersion",): "policy/v1beta1"})) == []
    assert check_workload("not an object") == []


def test_messages() -> None:
    [problem] = check_workload(edit(DEPLOYMENT, {("spec", "selector", "matchLabels"): {"name": "def"}}))
    assert str(problem) == (
        '\'spec.template.metadata.labels\' ({"name": "abc"}) do not match spec.selector ({"matchLabels": {"name":'
        ' "def"}}): the Deployment would not own the Pods it creates; give the template every label the selector'
        " requires."
    )


def test_engine_reports_workload_problems_after_the_schema() -> None:
    obj = edit(
        STATEFUL_SET,
        {
            # Both the schema (enum) and the workload rule refuse it: the schema speaks.
            ("spec", "podManagementPolicy"): "foo",
            # The 1.29 schema still lists serviceName as required.
            ("spec", "serviceName"): "abc",
            # Only the workload rules refuse these.
            ("spec", "replicas"): -1,
            ("spec", "updateStrategy", "type"): "Recreate",
        },
    )
    problems = [p for p in check_object(obj, pod_security=None) if p.path[:2] != ("spec", "template")]
    assert [(p.rule, p.where) for p in problems] == [
        ("schema", "spec.podManagementPolicy"),
        ("workload/strategy", "spec.updateStrategy.type"),
        ("workload/counts", "spec.replicas"),
    ]
