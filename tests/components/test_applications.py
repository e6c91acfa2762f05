"""Real applications: one workload behind several Services (``target``),
versions behind one Service, Pods deployed elsewhere, StatefulSets,
DaemonSets, ServiceAccounts and PodDisruptionBudgets. Exact specs, exact
messages, the schemas (the ``render`` fixture) and the policy pack on every
object."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import EnforcementLevel

from components import ClusterIPService, ExternalNameService, LoadBalancerService, NodePortService
from components.testing import KubernetesMocks
from k8s_services import stack
from tests.policy.conftest import level, run_all

RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESTRICTED_POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


# What the pack's mandatory prod policies ask of a container beside the profile.
RESOURCES = {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}


def container(name: str = "web", image: str = "ghcr.io/acme/web:1.4.2", port: int = 8080) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "ports": [{"name": "http", "container_port": port}],
        "readiness_probe": {"http_get": {"path": "/", "port": "http"}},
        "liveness_probe": {"http_get": {"path": "/", "port": "http"}},
        "resources": RESOURCES,
    }


def built_container(name: str = "web", image: str = "ghcr.io/acme/web:1.4.2", port: int = 8080) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
        "resources": RESOURCES,
        "securityContext": RESTRICTED_CONTAINER,
    }


def web(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "namespace": "shop",
        "workload": "Deployment",
        "replicas": 2,
        "containers": [container()],
        "ports": [{"name": "http", "port": 80}],
    }
    args.update(changes)
    return args


def by_kind(mocks: KubernetesMocks, kind: str) -> dict[str, dict[str, Any]]:
    return {m["metadata"]["name"]: m for m in mocks.manifests(kind)}


def pack_findings(mocks: KubernetesMocks, env: str = "prod") -> dict[str, list[str]]:
    """What the pack's mandatory policies in ``env`` report on the registered
    Kubernetes objects."""
    resources = [(r.type, r.name, r.inputs) for r in mocks.resources if r.is_kubernetes]
    found = run_all(resources, env)
    return {name: messages for name, messages in found.items() if level(name, env) == EnforcementLevel.MANDATORY}


# --- several Services, one workload (target) -----------------------------------


def test_a_load_balancer_targets_the_front_end_of_another_bundle(render) -> None:
    def program() -> None:
        front = ClusterIPService("frontend", web(allow_from=[{"pod_selector": {"app.kubernetes.io/name": "checkout"}}]))
        LoadBalancerService(
            "frontend-external",
            {
                "target": front,
                "ports": [{"name": "http", "port": 80}],
                "load_balancer_source_ranges": ["203.0.113.0/24"],
                "allow_from": [{"ip_block": "203.0.113.0/24"}],
            },
        )

    mocks = render(program)
    services = by_kind(mocks, "Service")
    assert services["frontend-external"] == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "frontend-external",
            "namespace": "shop",
            "labels": {"app.kubernetes.io/name": "frontend-external"},
            # So the pack's service-selector-unique knows the shared selector is meant.
            "annotations": {"k8s-services.io/shares-pods-with": "frontend"},
        },
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app.kubernetes.io/name": "frontend"},
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
            "loadBalancerSourceRanges": ["203.0.113.0/24"],
        },
    }
    assert sorted(by_kind(mocks, "Deployment")) == ["frontend"]
    assert by_kind(mocks, "NetworkPolicy")["frontend-external"]["spec"] == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "frontend"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {"from": [{"ipBlock": {"cidr": "203.0.113.0/24"}}], "ports": [{"port": "http", "protocol": "TCP"}]}
        ],
    }
    assert pack_findings(mocks) == {}
    # Advisory too: the two Services share the Pods on purpose.
    resources = [(r.type, r.name, r.inputs) for r in mocks.resources if r.is_kubernetes]
    assert "service-selector-unique" not in run_all(resources, "prod")
    for _, _, inputs in resources:
        inputs["metadata"].pop("annotations", None)
    assert run_all(resources, "prod")["service-selector-unique"] == [
        "Service 'shop/frontend-external' 'spec.selector' ({\"app.kubernetes.io/name\": \"frontend\"}) is the selector"
        " of Service 'shop/frontend' too: both send traffic to the same Pods, which usually means one was copied and"
        " not updated. Give each Service the selector of its own Pods."
    ]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"containers": [container()]},
            TypeError,
            "Unable to create LoadBalancerService 'edge': 'containers' is not accepted with 'target': this bundle owns"
            ' no Pods (bundle "frontend" does); remove it.',
        ),
        (
            {"selector": {"app": "web"}},
            TypeError,
            "Unable to create LoadBalancerService 'edge': 'selector' is not accepted with 'target': the Service selects"
            " with the target's selector.",
        ),
        (
            {"namespace": "default"},
            ValueError,
            "Unable to create LoadBalancerService 'edge': 'namespace' (\"default\") is not the namespace of target"
            ' "frontend" ("shop"): a Service selects Pods of its own namespace only; leave it out.',
        ),
        (
            {"allow_from": [{"ip_block": "0.0.0.0/0"}]},
            ValueError,
            "Unable to create LoadBalancerService 'edge': 'allow_from' would isolate the Pods of target \"frontend\","
            ' which admits every client: a NetworkPolicy here cuts off every other client of "frontend". Give'
            " \"frontend\" an 'allow_from' too, or leave this one out.",
        ),
        (
            {"ports": [{"name": "http", "port": 80, "target_port": 9090}]},
            ValueError,
            "Unable to create LoadBalancerService 'edge': 'ports[0].target_port' (9090) is not a TCP containerPort of"
            " Deployment 'shop/frontend' (it declares \"http\" 8080/TCP): traffic reaches those Pods only if a container"
            " listens there undeclared, and usually this is a typo or a port changed in one place only; point"
            " targetPort at a declared port, or declare it.",
        ),
    ],
    ids=["containers", "selector", "namespace", "allow-from-open-target", "target-port"],
)
def test_a_targeting_bundle_owns_no_pods(changes: dict[str, Any], error: type, message: str) -> None:
    front = ClusterIPService("frontend", web())
    with pytest.raises(error) as exc:
        LoadBalancerService("edge", {"target": front, "ports": [{"name": "http", "port": 80}], **changes})
    assert type(exc.value) is error
    assert str(exc.value) == message


def test_a_target_must_be_a_bundle_with_pods() -> None:
    db = ExternalNameService("db", {"external_name": "db.example.com"})
    with pytest.raises(ValueError) as exc:
        ClusterIPService("edge", {"target": db, "ports": [{"port": 80, "target_port": 80}]})
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'edge': 'target' (\"db\") is an ExternalNameService: it has no Pods to select."
    )
    with pytest.raises(TypeError) as type_exc:
        ClusterIPService("edge", {"target": "frontend", "ports": [{"port": 80}]})
    assert str(type_exc.value) == (
        "Unable to create ClusterIPService 'edge': 'target' must be a bundle created before this one (a"
        " ClusterIPService, NodePortService or LoadBalancerService; in stack config, its name), not str."
    )


def test_a_target_with_allow_from_needs_one_on_the_targeting_bundle() -> None:
    front = ClusterIPService("frontend", web(allow_from=[{"pod_selector": {"app": "checkout"}}]))
    with pytest.raises(ValueError) as exc:
        NodePortService("edge", {"target": front, "ports": [{"name": "http", "port": 80}]})
    assert str(exc.value) == (
        "Unable to create NodePortService 'edge': 'allow_from' is required: target \"frontend\" admits only its"
        " 'allow_from' peers, so this Service's clients would be cut off; list them here (e.g. [{ip_block:"
        " 0.0.0.0/0}] for clients outside the cluster)."
    )


# --- several workloads, one Service (versions) ----------------------------------------


def test_versions_share_the_service_and_each_has_its_own_workload(render) -> None:
    def program() -> None:
        ClusterIPService(
            "reviews",
            web(
                selector={"app": "reviews"},
                replicas=3,
                versions={
                    "v1": {},
                    "v2": {"containers": [container(image="ghcr.io/acme/web:2.0.0")], "replicas": 1},
                },
            ),
        )

    mocks = render(program)
    deployments = by_kind(mocks, "Deployment")
    assert sorted(deployments) == ["reviews-v1", "reviews-v2"]
    assert deployments["reviews-v2"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "reviews-v2",
            "namespace": "shop",
            "labels": {"app": "reviews", "version": "v2"},
            "annotations": {"k8s-services.io/version-of": "reviews"},
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "reviews", "version": "v2"}},
            "template": {
                "metadata": {"labels": {"app": "reviews", "version": "v2"}},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": RESTRICTED_POD,
                    "containers": [built_container(image="ghcr.io/acme/web:2.0.0")],
                },
            },
        },
    }
    assert deployments["reviews-v1"]["spec"]["replicas"] == 3
    assert deployments["reviews-v1"]["spec"]["template"]["spec"]["containers"] == [built_container()]
    assert by_kind(mocks, "Service")["reviews"]["spec"]["selector"] == {"app": "reviews"}
    assert pack_findings(mocks) == {}


def test_the_pack_knows_versions_from_the_annotation_alone(render) -> None:
    mocks = render(lambda: ClusterIPService("reviews", web(selector={"app": "reviews"}, versions={"v1": {}, "v2": {}})))
    resources = [(r.type, r.name, r.inputs) for r in mocks.resources if r.is_kubernetes]
    for _, _, inputs in resources:
        if inputs["kind"] == "Deployment":
            del inputs["metadata"]["annotations"]
    found = run_all(resources, "prod")
    assert found["service-selector-overlap"] == [
        "Service 'shop/reviews' 'spec.selector' ({\"app\": \"reviews\"}) selects the Pods of Deployment 'shop/reviews-v1'"
        " and Deployment 'shop/reviews-v2', so the Service sends traffic to all of them, usually because one was"
        " copied from the other; add a label that tells them apart to the selector and the Pod labels."
    ]


def test_the_wiring_checks_hold_for_every_version() -> None:
    renamed = {**container(image="ghcr.io/acme/web:2.0.0"), "ports": [{"name": "web", "container_port": 9090}]}
    renamed["readiness_probe"] = renamed["liveness_probe"] = {"http_get": {"path": "/", "port": "web"}}
    with pytest.raises(ValueError) as exc:
        ClusterIPService(
            "reviews", web(selector={"app": "reviews"}, versions={"v1": {}, "v2": {"containers": [renamed]}})
        )
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'reviews': 'ports[0].target_port' (\"http\") names no TCP container port"
        " of Deployment 'shop/reviews-v2' (it declares \"web\" 9090/TCP): Kubernetes cannot resolve it, so those"
        " Pods get no endpoint for this port; use a declared port name, or name the port."
    )


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"versions": {}},
            ValueError,
            "Unable to create ClusterIPService 'reviews': 'versions' ({}) must list at least one version, e.g."
            ' {"v1": {}}; leave it out for one workload.',
        ),
        (
            {"versions": {"v1": {}}, "version_label": "app"},
            ValueError,
            "Unable to create ClusterIPService 'reviews': 'version_label' (\"app\") is a key of 'selector' too: the"
            " Service would select one version only; the selector holds the labels the versions share.",
        ),
        (
            {"versions": {"v1": {"image": "x"}}},
            TypeError,
            "Unable to create ClusterIPService 'reviews': 'versions[\"v1\"].image' is not a field of a version"
            " (VersionArgs).",
        ),
        (
            {"versions": {"v1": {"replicas": -1}}},
            ValueError,
            "Unable to create ClusterIPService 'reviews': 'versions[\"v1\"].replicas' (-1) must not be negative.",
        ),
        (
            {"versions": {"V_1": {}}},
            ValueError,
            "Unable to create ClusterIPService 'reviews': 'versions[\"V_1\"]' (\"reviews-V_1\") is not a DNS-1123 subdomain: it must consist of lowercase"
            " letters, digits, '-' and '.', and start and end with a letter or digit (an RFC 1123 subdomain such as"
            " 'example.com').",
        ),
        (
            {"version_label": "track"},
            TypeError,
            "Unable to create ClusterIPService 'reviews': 'version_label' only applies with 'versions'; add"
            " 'versions' or remove it.",
        ),
        (
            {"versions": {"v1": {"containers": None}}},
            TypeError,
            "Unable to create ClusterIPService 'reviews': 'versions[\"v1\"].containers' must not be None; leave it"
            " out to take the bundle's.",
        ),
    ],
    ids=[
        "empty",
        "label-in-selector",
        "unknown-key",
        "negative-replicas",
        "bad-name",
        "label-without-versions",
        "none-value",
    ],
)
def test_versions_are_checked(changes: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error) as exc:
        ClusterIPService("reviews", web(selector={"app": "reviews"}, **changes))
    assert type(exc.value) is error
    assert str(exc.value) == message


# --- Pods the stack does not create -------------------------------------------------


def test_a_service_in_front_of_pods_deployed_elsewhere(render) -> None:
    def program() -> None:
        ClusterIPService(
            "legacy",
            {
                "namespace": "shop",
                "external_pods": True,
                "selector": {"app.kubernetes.io/instance": "legacy"},
                "ports": [{"name": "http", "port": 80, "target_port": "web"}, {"name": "admin", "port": 9000}],
            },
        )

    mocks = render(program)
    assert mocks.manifests() == [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "legacy",
                "namespace": "shop",
                "labels": {"app.kubernetes.io/name": "legacy"},
                "annotations": {"k8s-services.io/external-pods": "true"},
            },
            "spec": {
                "type": "ClusterIP",
                "selector": {"app.kubernetes.io/instance": "legacy"},
                "ports": [
                    {"name": "http", "port": 80, "protocol": "TCP", "targetPort": "web"},
                    {"name": "admin", "port": 9000, "protocol": "TCP"},
                ],
            },
        }
    ]
    assert pack_findings(mocks) == {}


def test_external_pods_is_a_boolean() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("legacy", {"external_pods": "yes", "selector": {"app": "legacy"}, "ports": [{"port": 80}]})
    assert (
        str(exc.value) == "Unable to create ClusterIPService 'legacy': 'external_pods' must be True or False, not str."
    )


def test_external_pods_need_a_selector_and_take_no_containers() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService("legacy", {"external_pods": True, "containers": [container()], "ports": [{"port": 80}]})
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'legacy': 'containers' is not accepted with 'external_pods': this bundle"
        " owns no Pods (whatever deploys them does); remove it."
    )
    with pytest.raises(ValueError) as value_exc:
        ClusterIPService("legacy", {"external_pods": True, "ports": [{"port": 80}]})
    assert str(value_exc.value) == (
        "Unable to create ClusterIPService 'legacy': 'selector' is required with 'external_pods': the labels of the"
        " Pods deployed elsewhere."
    )


# --- StatefulSet and DaemonSet ----------------------------------------------------------

CLAIM = {
    "metadata": {"name": "data"},
    "spec": {"access_modes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
}


def test_a_stateful_set_is_governed_by_its_headless_service(render) -> None:
    mocks = render(
        lambda: ClusterIPService(
            "db",
            web(workload="StatefulSet", headless=True, workload_spec={"volume_claim_templates": [CLAIM]}),
        )
    )
    assert [m["kind"] for m in mocks.manifests()] == ["Service", "StatefulSet"]
    [workload] = mocks.manifests("StatefulSet")
    assert workload == {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "shop", "labels": {"app.kubernetes.io/name": "db"}},
        "spec": {
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                }
            ],
            "serviceName": "db",
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "db"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "db"}},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": RESTRICTED_POD,
                    "containers": [built_container()],
                },
            },
        },
    }
    assert mocks.manifests("Service")[0]["spec"]["clusterIP"] == "None"
    assert pack_findings(mocks) == {}


def test_a_stateful_set_behind_a_load_balancer_gets_a_headless_governing_service(render) -> None:
    mocks = render(
        lambda: LoadBalancerService(
            "cache",
            web(
                workload="StatefulSet",
                load_balancer_source_ranges=["203.0.113.0/24"],
                governing_service_name="cache-peers",
            ),
        )
    )
    services = by_kind(mocks, "Service")
    assert services["cache-peers"] == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "cache-peers",
            "namespace": "shop",
            "labels": {"app.kubernetes.io/name": "cache"},
            "annotations": {"k8s-services.io/shares-pods-with": "cache"},
        },
        "spec": {
            "type": "ClusterIP",
            "selector": {"app.kubernetes.io/name": "cache"},
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
            "clusterIP": "None",
        },
    }
    assert services["cache"]["spec"]["type"] == "LoadBalancer"
    assert mocks.manifests("StatefulSet")[0]["spec"]["serviceName"] == "cache-peers"
    assert pack_findings(mocks) == {}


def test_a_daemon_set_has_no_replicas(render) -> None:
    args = web(workload="DaemonSet", workload_spec={"update_strategy": {"type": "OnDelete"}})
    del args["replicas"]
    mocks = render(lambda: ClusterIPService("agent", args))
    [workload] = mocks.manifests("DaemonSet")
    assert workload["spec"] == {
        "updateStrategy": {"type": "OnDelete"},
        "selector": {"matchLabels": {"app.kubernetes.io/name": "agent"}},
        "template": {
            "metadata": {"labels": {"app.kubernetes.io/name": "agent"}},
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": RESTRICTED_POD,
                "containers": [built_container()],
            },
        },
    }
    with pytest.raises(ValueError) as exc:
        ClusterIPService("agent2", {**args, "replicas": 3})
    assert str(exc.value) == (
        "Unable to create ClusterIPService 'agent2': 'replicas' (3) only applies with workload \"Deployment\" or"
        ' "StatefulSet", not "DaemonSet"; set workload or remove replicas.'
    )


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"workload_spec": {"replicas": 3}},
            TypeError,
            "Unable to create ClusterIPService 'web': 'workload_spec.replicas' is built by the bundle: use the"
            " 'replicas' argument.",
        ),
        (
            {"workload_spec": {"strategy": {"type": "Recreated"}}},
            ValueError,
            "Unable to create ClusterIPService 'web': 'workload_spec.strategy.type' (\"Recreated\") must be one of"
            ' "Recreate", "RollingUpdate". Did you mean "Recreate"?',
        ),
        (
            {"workload_spec": {"min_ready": 5}},
            TypeError,
            "Unable to create ClusterIPService 'web': 'workload_spec.min_ready' is not a field of a DeploymentSpec"
            " (DeploymentSpecArgsDict). Did you mean 'min_ready_seconds'?",
        ),
        (
            {"workload": "Pod", "replicas": 1, "workload_spec": {"paused": True}},
            TypeError,
            "Unable to create ClusterIPService 'web': 'workload_spec' only applies to a Deployment, StatefulSet or"
            ' DaemonSet, not "Pod".',
        ),
        (
            {"governing_service_name": "web-peers"},
            TypeError,
            "Unable to create ClusterIPService 'web': 'governing_service_name' only applies to a StatefulSet whose"
            " own Service is not headless (a headless one governs it).",
        ),
    ],
    ids=["built-field", "enum", "unknown-field", "pod", "governing-without-statefulset"],
)
def test_workload_spec_is_checked(changes: dict[str, Any], error: type, message: str) -> None:
    args = web(**changes)
    if args["workload"] == "Pod":
        del args["replicas"]
    with pytest.raises(error) as exc:
        ClusterIPService("web", args)
    assert type(exc.value) is error
    assert str(exc.value) == message


# --- ServiceAccount and PodDisruptionBudget -----------------------------------------------


def test_service_account_and_disruption_budget(render) -> None:
    mocks = render(
        lambda: ClusterIPService(
            "web",
            web(
                service_account={"annotations": {"iam.gke.io/gcp-service-account": "web@acme.iam.gserviceaccount.com"}},
                disruption_budget={"min_available": "50%"},
            ),
        )
    )
    assert mocks.manifests("ServiceAccount") == [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "web",
                "namespace": "shop",
                "labels": {"app.kubernetes.io/name": "web"},
                "annotations": {"iam.gke.io/gcp-service-account": "web@acme.iam.gserviceaccount.com"},
            },
            "automountServiceAccountToken": False,
        }
    ]
    assert mocks.manifests("PodDisruptionBudget") == [
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app.kubernetes.io/name": "web"}},
            "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}, "minAvailable": "50%"},
        }
    ]
    pod = mocks.manifests("Deployment")[0]["spec"]["template"]["spec"]
    assert (pod["serviceAccountName"], pod["automountServiceAccountToken"]) == ("web", False)
    assert pack_findings(mocks) == {}


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"disruption_budget": {"min_available": 1, "max_unavailable": 1}},
            ValueError,
            "Unable to create ClusterIPService 'web': 'disruption_budget.max_unavailable' (1) may not be set together"
            " with min_available: a budget is one or the other; keep one.",
        ),
        (
            {"disruption_budget": {"min_available": "150%"}},
            ValueError,
            "Unable to create ClusterIPService 'web': 'disruption_budget.min_available' (\"150%\") must not be"
            " greater than 100%.",
        ),
        (
            {"disruption_budget": {}},
            ValueError,
            "Unable to create ClusterIPService 'web': 'disruption_budget' must set 'min_available' or"
            " 'max_unavailable', e.g. {max_unavailable: 1}.",
        ),
        (
            {"workload": "DaemonSet", "disruption_budget": {"max_unavailable": 1}},
            TypeError,
            "Unable to create ClusterIPService 'web': 'disruption_budget' only applies to a replicated workload"
            ' ("Deployment" or "StatefulSet"), not "DaemonSet".',
        ),
        (
            {"service_account": True, "pod_spec": {"service_account_name": "builder"}},
            TypeError,
            "Unable to create ClusterIPService 'web': 'pod_spec.service_account_name' cannot be combined with"
            " 'service_account', which names the Pods' ServiceAccount; remove one.",
        ),
        (
            {"service_account": {"name": "Web_SA"}},
            ValueError,
            "Unable to create ClusterIPService 'web': 'service_account.name' (\"Web_SA\") is not a DNS-1123"
            " subdomain: it must consist of lowercase letters, digits, '-' and '.', and start and end with a letter"
            " or digit (an RFC 1123 subdomain such as 'example.com').",
        ),
    ],
    ids=["both", "over-100-percent", "neither", "daemonset", "pod-spec-account", "bad-name"],
)
def test_extras_are_checked(changes: dict[str, Any], error: type, message: str) -> None:
    args = web(**changes)
    if args["workload"] == "DaemonSet":
        del args["replicas"]
    with pytest.raises(error) as exc:
        ClusterIPService("web", args)
    assert type(exc.value) is error
    assert str(exc.value) == message


# --- in stack config ------------------------------------------------------------------------


def test_a_stack_names_its_target_and_versions() -> None:
    parsed = stack.parse(
        {
            "frontend-external": {
                "type": "LoadBalancer",
                "target": "frontend",
                "ports": [{"name": "http", "port": 80}],
                "load_balancer_source_ranges": ["203.0.113.0/24"],
            },
            "frontend": {"type": "ClusterIP", **web()},
            "reviews": {"type": "ClusterIP", **web(selector={"app": "reviews"}, versions={"v1": {}, "v2": {}})},
            "checkout": {
                "type": "ClusterIP",
                **web(selector={"app": "checkout"}),
                "allow_from": [{"bundle": "frontend-external"}],
            },
        },
        {"workload": "Deployment"},
    )
    plans = {bundle.name: bundle.plan for bundle in parsed.bundles}
    assert list(plans) == ["frontend-external", "frontend", "reviews", "checkout"]
    assert plans["frontend-external"].workloads == []
    assert plans["frontend-external"].service["spec"]["selector"] == {"app.kubernetes.io/name": "frontend"}
    assert plans["frontend-external"].namespace == "shop"
    assert plans["checkout"].network_policy is not None
    assert plans["checkout"].network_policy["spec"]["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "frontend"}}}
    ]


@pytest.mark.parametrize(
    ("services", "message"),
    [
        (
            {
                "edge": {"type": "NodePort", "target": "fronted", "ports": [{"port": 80}]},
                "frontend": {"type": "ClusterIP", **web()},
            },
            'services.edge.target: "fronted" is not a bundle of this stack. Did you mean "frontend"?',
        ),
        (
            {"edge": {"type": "NodePort", "target": "edge", "ports": [{"port": 80}]}},
            'services.edge.target: "edge" is this bundle; name the bundle that owns the Pods.',
        ),
        (
            {
                "a": {"type": "NodePort", "target": "b", "ports": [{"port": 80}]},
                "b": {"type": "ClusterIP", "target": "c", "ports": [{"port": 80}]},
                "c": {"type": "ClusterIP", **web()},
            },
            'services.a.target: "b" targets "c" itself; target the bundle that owns the Pods.',
        ),
        (
            {"edge": {"type": "NodePort", "target": ["frontend"], "ports": [{"port": 80}]}},
            "services.edge.target: must be the name of another bundle of this stack, not list.",
        ),
    ],
    ids=["unknown", "itself", "chain", "not-a-name"],
)
def test_a_stack_target_must_name_a_bundle_with_pods(services: dict[str, Any], message: str) -> None:
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse(services)
    assert exc.value.messages == [message]


def test_stack_wide_checks_see_every_version_and_target() -> None:
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse(
            {
                "reviews": {"type": "ClusterIP", **web(selector={"app": "reviews"}, versions={"v1": {}})},
                "ratings": {"type": "ClusterIP", **web(selector={"app": "ratings"}, workload_name="reviews-v1")},
            }
        )
    assert exc.value.messages == [
        'services.ratings.workload_name: "reviews-v1" is already the Deployment name of services.reviews in'
        " namespace \"shop\"; set a different 'workload_name'."
    ]


# --- the README's examples ---------------------------------------------------------------


def _readme_examples() -> list[str]:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text.split("\n## Real applications\n", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```python\n")[1:]]


def test_the_readme_real_application_examples_run(render) -> None:
    examples = _readme_examples()
    assert len(examples) == 2
    namespace: dict[str, Any] = {}

    def program() -> None:
        for example in examples:
            exec(example, namespace)  # noqa: S102 - the README's own code

    mocks = render(program)
    services = by_kind(mocks, "Service")
    assert services["storefront-public"]["spec"]["selector"] == {"app.kubernetes.io/name": "storefront"}
    assert sorted(by_kind(mocks, "Deployment")) == ["reviews-v1", "reviews-v2", "storefront"]
    assert by_kind(mocks, "Deployment")["reviews-v1"]["spec"]["replicas"] == 3
