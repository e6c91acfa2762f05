"""k8s_rules.practices: each practice passes a good object, reports a bad one
with its path, value and reason, reads every Pod-carrying kind, and skips
what is unknown."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k8s_rules import NO_VALUE, POD_PATHS, UNKNOWN, Problem
from k8s_rules.practices import (
    NAMESPACED_KINDS,
    bare_pod,
    image_digest_pinned,
    image_tag_pinned,
    loadbalancer_source_ranges,
    no_default_namespace,
    probes_configured,
    recommended_labels,
    resources_set,
    sa_token_not_automounted,
    service_has_selector,
    service_no_external_ips,
    service_selector_unique,
    service_type_allowed,
)

LABELS = {"app.kubernetes.io/name": "web"}
GOOD_CONTAINER: dict[str, Any] = {
    "name": "web",
    "image": "ghcr.io/acme/web:1.4.2@sha256:" + "a" * 64,
    "ports": [{"name": "http", "containerPort": 8080}],
    "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
    "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
}
GOOD_POD_SPEC: dict[str, Any] = {"automountServiceAccountToken": False, "containers": [GOOD_CONTAINER]}
GOOD_SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "shop", "labels": LABELS},
    "spec": {
        "type": "LoadBalancer",
        "selector": LABELS,
        "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
        "loadBalancerSourceRanges": ["203.0.113.0/24"],
    },
}


def carrier(kind: str, pod_spec: Any = None, labels: Any = None, namespace: Any = "shop") -> dict[str, Any]:
    """An object of ``kind`` whose Pod has ``pod_spec`` and ``labels``, built from POD_PATHS."""
    obj: dict[str, Any] = {"kind": kind, "metadata": {"name": "web", "namespace": namespace}}
    metadata_path, spec_path = POD_PATHS[kind]
    for path, value in ((metadata_path, {"labels": LABELS if labels is None else labels}), (spec_path, pod_spec)):
        node = obj
        for key in path[:-1]:
            node = node.setdefault(key, {})
        if path[-1] in node and isinstance(value, dict):
            node[path[-1]].update(value)
        else:
            node[path[-1]] = copy.deepcopy(GOOD_POD_SPEC if value is None else value)
    return obj


def service(**spec: Any) -> dict[str, Any]:
    obj = copy.deepcopy(GOOD_SERVICE)
    obj["spec"].update(spec)
    return obj


def strings(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


ALL_SINGLE = [
    service_type_allowed,
    service_no_external_ips,
    loadbalancer_source_ranges,
    service_has_selector,
    image_tag_pinned,
    image_digest_pinned,
    resources_set,
    probes_configured,
    sa_token_not_automounted,
    recommended_labels,
    no_default_namespace,
    bare_pod,
]


@pytest.mark.parametrize("check", ALL_SINGLE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("kind", [k for k in POD_PATHS if k != "Pod"])
def test_good_objects_pass(check: Any, kind: str) -> None:
    assert check(GOOD_SERVICE) == []
    assert check(carrier(kind)) == []


@pytest.mark.parametrize("check", ALL_SINGLE, ids=lambda f: f.__name__)
def test_other_kinds_and_non_objects_are_not_read(check: Any) -> None:
    assert check({"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}, "data": {}}) == []
    assert check({"kind": UNKNOWN}) == []
    assert check({}) == []
    assert check(None) == []


def test_rule_ids_are_practice_slash_name() -> None:
    problems = image_tag_pinned(carrier("Pod", {"containers": [{"name": "web", "image": "nginx"}]}))
    assert [p.rule for p in problems] == ["practice/image-tag-pinned"]


# --- Services ----------------------------------------------------------------------


def test_service_type_allowed() -> None:
    [problem] = service_type_allowed(service(type="NodePort"), allowed_types=["ClusterIP", "LoadBalancer"])
    assert problem == Problem(
        "practice/service-type-allowed",
        ("spec", "type"),
        "is a type this environment does not allow (allowed: ClusterIP, LoadBalancer): every exposure type is a way"
        " into the cluster, and this one is kept closed here. Use one of the allowed types, e.g. ClusterIP behind"
        " an Ingress",
        "NodePort",
    )
    assert str(problem).startswith("'spec.type' (\"NodePort\") is a type this environment does not allow")
    assert service_type_allowed(service(type="NodePort")) == []
    [unset] = service_type_allowed({"kind": "Service", "spec": {}}, allowed_types=["LoadBalancer"])
    assert unset.value is NO_VALUE
    assert str(unset) == (
        "'spec.type' is not set, so the Service is a ClusterIP, which this environment does not allow (allowed:"
        " LoadBalancer): every exposure type is a way into the cluster, and this one is kept closed here. Use one"
        " of the allowed types."
    )
    assert service_type_allowed(service(type=UNKNOWN), allowed_types=["ClusterIP"]) == []
    with pytest.raises(TypeError):
        service_type_allowed(GOOD_SERVICE, allowed_types="ClusterIP")


def test_service_no_external_ips() -> None:
    obj = service(externalIPs=["203.0.113.10", UNKNOWN, "198.51.100.1"])
    assert strings(service_no_external_ips(obj, allowed_external_ips=["198.51.100.1"])) == [
        "'spec.externalIPs[0]' (\"203.0.113.10\") is an external IP: whoever can create such a Service can intercept"
        " the traffic the cluster sends to that address (CVE-2020-8554). Remove spec.externalIPs and use a"
        " LoadBalancer Service, or allow the address (allowedExternalIPs) if your cluster controls who may use it."
    ]
    assert len(service_no_external_ips(obj)) == 2
    assert service_no_external_ips(service(externalIPs=UNKNOWN)) == []


def test_loadbalancer_source_ranges() -> None:
    open_lb = service()
    del open_lb["spec"]["loadBalancerSourceRanges"]
    assert strings(loadbalancer_source_ranges(open_lb)) == [
        "'spec.loadBalancerSourceRanges' is not set on a LoadBalancer Service: its external address accepts traffic"
        " from the whole internet. Set loadBalancerSourceRanges to the CIDRs that should reach it."
    ]
    [empty] = loadbalancer_source_ranges(service(loadBalancerSourceRanges=[]))
    assert empty.value == [] and "is empty on a LoadBalancer" in empty.reason
    assert loadbalancer_source_ranges(service(loadBalancerSourceRanges=UNKNOWN)) == []
    assert loadbalancer_source_ranges(service(loadBalancerSourceRanges=[UNKNOWN])) == []
    annotated = copy.deepcopy(open_lb)
    annotated["metadata"]["annotations"] = {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8"}
    assert loadbalancer_source_ranges(annotated) == []
    annotated["metadata"]["annotations"] = UNKNOWN
    assert loadbalancer_source_ranges(annotated) == []
    assert loadbalancer_source_ranges(service(type="ClusterIP", loadBalancerSourceRanges=None)) == []
    assert loadbalancer_source_ranges(service(type=UNKNOWN, loadBalancerSourceRanges=None)) == []


def test_service_has_selector() -> None:
    no_selector = service(type="ClusterIP", selector=None)
    assert strings(service_has_selector(no_selector)) == [
        "'spec.selector' is not set: the Service sends traffic only to endpoints someone maintains by hand, which"
        " can point anywhere and go stale unnoticed. Give it a selector matching its Pods' labels."
    ]
    [empty] = service_has_selector(service(selector={}))
    assert empty.value == {}
    assert service_has_selector(service(type="ExternalName", selector=None)) == []
    assert service_has_selector(service(type=UNKNOWN, selector=None)) == []
    assert service_has_selector(service(selector=UNKNOWN)) == []
    assert service_has_selector(service(selector={"app": UNKNOWN})) == []
    # No type means ClusterIP.
    assert len(service_has_selector({"kind": "Service", "spec": {"ports": [{"port": 80}]}})) == 1


def test_service_selector_unique_reports_the_later_copy_in_the_same_namespace() -> None:
    copy_ = service()
    copy_["metadata"]["name"] = "web-copy"
    elsewhere = service()
    elsewhere["metadata"]["namespace"] = "other"
    alias = service(type="ExternalName", externalName="db.example.com")
    pod = carrier("Pod")
    found = service_selector_unique([GOOD_SERVICE, pod, elsewhere, alias, copy_])
    assert [(i, str(p)) for i, p in found] == [
        (
            4,
            "'spec.selector' ({\"app.kubernetes.io/name\": \"web\"}) is the selector of Service 'shop/web' too: both"
            " send traffic to the same Pods, which usually means one was copied and not updated. Give each Service"
            " the selector of its own Pods.",
        )
    ]
    assert found[0][1].rule == "practice/service-selector-unique"


def test_service_selector_unique_skips_unknowns_and_reads_absent_namespace_as_default() -> None:
    a = {"kind": "Service", "metadata": {"name": "a"}, "spec": {"selector": {"app": "x"}}}
    b = {"kind": "Service", "metadata": {"name": "b", "namespace": "default"}, "spec": {"selector": {"app": "x"}}}
    assert [i for i, _ in service_selector_unique([a, b])] == [1]
    unknowns = [
        {"kind": "Service", "metadata": {"name": "c"}, "spec": {"selector": {"app": UNKNOWN}}},
        {"kind": "Service", "metadata": {"name": "d", "namespace": UNKNOWN}, "spec": {"selector": {"app": "x"}}},
        {"kind": "Service", "metadata": {"name": "e"}, "spec": {"selector": UNKNOWN}},
        {"kind": "Service", "metadata": {"name": "f"}, "spec": {"type": UNKNOWN, "selector": {"app": "x"}}},
    ]
    assert service_selector_unique([a, *unknowns]) == []
    first_unknown_name = {"kind": "Service", "metadata": {"name": UNKNOWN}, "spec": {"selector": {"app": "x"}}}
    [(index, problem)] = service_selector_unique([first_unknown_name, a])
    assert index == 1 and "Service 'default/<unknown>'" in problem.reason


def test_service_selector_unique_is_linear() -> None:
    services = [
        {"kind": "Service", "metadata": {"name": f"s{i}"}, "spec": {"selector": {"app": f"a{i % 1000}"}}}
        for i in range(20000)
    ]
    assert len(service_selector_unique(services)) == 19000


# --- Pods --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(POD_PATHS))
def test_every_pod_carrying_kind_is_read(kind: str) -> None:
    spec = {"containers": [{"name": "web", "image": "nginx:latest"}]}
    obj = carrier(kind, spec)
    _, spec_path = POD_PATHS[kind]
    container = (*spec_path, "containers", 0)
    assert [p.path for p in image_tag_pinned(obj)] == [(*container, "image")]
    assert [p.path for p in image_digest_pinned(obj)] == [(*container, "image")]
    assert [p.path for p in resources_set(obj)] == [(*container, "resources")]
    assert [p.path for p in probes_configured(obj)] == [(*container, "readinessProbe"), (*container, "livenessProbe")]
    assert [p.path for p in sa_token_not_automounted(obj)] == [(*spec_path, "automountServiceAccountToken")]
    assert [p.path for p in recommended_labels(carrier(kind, labels={"app": "web"}))] == [
        (*POD_PATHS[kind][0], "labels")
    ]
    assert [p.path for p in no_default_namespace(carrier(kind, namespace="default"))] == [("metadata", "namespace")]
    assert len(bare_pod(obj)) == (kind == "Pod")


def test_image_tag_pinned_messages_and_every_container_list() -> None:
    obj = carrier(
        "Deployment",
        {
            "initContainers": [{"name": "init", "image": "registry.example.com:5000/envoy"}],
            "containers": [
                {"name": "web", "image": "nginx:latest"},
                {"name": "ok", "image": "nginx:1.27.0"},
                {"name": "pinned", "image": "nginx@sha256:" + "b" * 64},
                {"name": "later", "image": UNKNOWN},
            ],
            "ephemeralContainers": [{"name": "debug", "image": "busybox"}],
        },
    )
    assert strings(image_tag_pinned(obj)) == [
        '\'spec.template.spec.initContainers[0].image\' ("registry.example.com:5000/envoy") of container "init" is'
        ' not pinned: "latest" or no tag means each node may run whatever the tag points at when it pulls. Use a'
        ' version tag ("registry.example.com:5000/envoy:<version>") or a digest.',
        '\'spec.template.spec.containers[0].image\' ("nginx:latest") of container "web" is not pinned: "latest"'
        " or no tag means each node may run whatever the tag points at when it pulls. Use a version tag"
        ' ("nginx:<version>") or a digest.',
        '\'spec.template.spec.ephemeralContainers[0].image\' ("busybox") of container "debug" is not pinned:'
        ' "latest" or no tag means each node may run whatever the tag points at when it pulls. Use a version tag'
        ' ("busybox:<version>") or a digest.',
    ]
    assert [p.value for p in image_digest_pinned(obj)] == [
        "registry.example.com:5000/envoy",
        "nginx:latest",
        "nginx:1.27.0",
        "busybox",
    ]
    assert str(image_digest_pinned(obj)[2]) == (
        '\'spec.template.spec.containers[1].image\' ("nginx:1.27.0") of container "ok" has no digest: a tag can'
        ' be moved to other content. Pin the digest ("image:tag@sha256:...") to run exactly what was reviewed.'
    )


def test_resources_set() -> None:
    obj = carrier(
        "Pod",
        {
            "initContainers": [{"name": "init", "image": "x:1"}],
            "containers": [
                {"name": "web", "image": "x:1", "resources": {"requests": {"cpu": "100m"}}},
                {"name": "later", "image": "x:1", "resources": UNKNOWN},
                {"name": "part", "image": "x:1", "resources": {"requests": UNKNOWN, "limits": {"memory": "1Gi"}}},
            ],
            "ephemeralContainers": [{"name": "debug", "image": "x:1"}],
        },
    )
    assert strings(resources_set(obj)) == [
        "'spec.initContainers[0].resources' of container \"init\" sets no requests.cpu, requests.memory,"
        " limits.memory: without requests the scheduler overcommits nodes, and without a memory limit one leak can"
        " starve every Pod on the node. Set resources.requests.cpu, resources.requests.memory and"
        " resources.limits.memory.",
        "'spec.containers[0].resources' of container \"web\" sets no requests.memory, limits.memory: without"
        " requests the scheduler overcommits nodes, and without a memory limit one leak can starve every Pod on the"
        " node. Set resources.requests.cpu, resources.requests.memory and resources.limits.memory.",
    ]
    assert all(p.value is NO_VALUE for p in resources_set(obj))


def test_probes_configured() -> None:
    obj = carrier(
        "Deployment",
        {
            "initContainers": [{"name": "init", "image": "x:1"}],
            "containers": [
                {"name": "web", "image": "x:1", "readinessProbe": {"httpGet": {"port": 80}}},
                {"name": "later", "image": "x:1", "readinessProbe": UNKNOWN, "livenessProbe": UNKNOWN},
            ],
        },
    )
    assert strings(probes_configured(obj)) == [
        "'spec.template.spec.containers[0].livenessProbe' is missing in container \"web\": a hung process is never"
        " restarted. Add a livenessProbe."
    ]
    [readiness, _] = probes_configured(carrier("Pod", {"containers": [{"image": "x:1"}]}))
    assert str(readiness) == (
        "'spec.containers[0].readinessProbe' is missing in the container: the Service sends traffic to the container"
        " before it can answer. Add a readinessProbe."
    )
    assert probes_configured(carrier("Pod", {"containers": UNKNOWN})) == []
    assert probes_configured(carrier("Pod", UNKNOWN)) == []


def test_sa_token_not_automounted() -> None:
    assert strings(sa_token_not_automounted(carrier("Pod", {"containers": []}))) == [
        "'spec.automountServiceAccountToken' is not set to false: the Pod mounts a service-account token, and"
        " anyone who takes over a container can call the Kubernetes API as that account. Set"
        " automountServiceAccountToken: false unless the Pod calls the API."
    ]
    [true] = sa_token_not_automounted(carrier("Pod", {"automountServiceAccountToken": True}))
    assert true.value is True and true.reason.startswith("is not false:")
    assert sa_token_not_automounted(carrier("Pod", {"automountServiceAccountToken": UNKNOWN})) == []


# --- every object --------------------------------------------------------------------


def test_recommended_labels() -> None:
    assert strings(recommended_labels(carrier("Deployment", labels={"app": "web"}))) == [
        "'spec.template.metadata.labels' lacks app.kubernetes.io/name: tools and people find an application's"
        " objects by the recommended labels. Add them."
    ]
    bare_service = {"kind": "Service", "metadata": {"name": "web"}, "spec": {}}
    [problem] = recommended_labels(
        bare_service, required_labels=["app.kubernetes.io/name", "app.kubernetes.io/part-of"]
    )
    assert problem.path == ("metadata", "labels")
    assert problem.reason.startswith("lacks app.kubernetes.io/name, app.kubernetes.io/part-of:")
    assert recommended_labels(carrier("Pod", labels={"app.kubernetes.io/name": UNKNOWN})) == []
    assert recommended_labels(carrier("Pod", labels=UNKNOWN)) == []
    assert recommended_labels(GOOD_SERVICE, required_labels=[]) == []


def test_no_default_namespace() -> None:
    assert strings(no_default_namespace({"kind": "Service", "metadata": {"name": "web"}})) == [
        "'metadata.namespace' is not set, so the object goes to the default namespace: everything there shares one"
        " set of permissions, quotas and NetworkPolicies. Put it in a namespace of its own application or team."
    ]
    [explicit] = no_default_namespace({"kind": "ConfigMap", "metadata": {"namespace": "default"}})
    assert explicit.value == "default"
    assert no_default_namespace({"kind": "Service", "metadata": {"namespace": UNKNOWN}}) == []
    assert no_default_namespace({"kind": "Namespace", "metadata": {"name": "default"}}) == []
    assert {"Pod", "Deployment", "CronJob", "Service", "ConfigMap"} <= NAMESPACED_KINDS


def test_bare_pod() -> None:
    assert strings(bare_pod(carrier("Pod"))) == [
        "'kind' (\"Pod\") is a bare Pod: nothing recreates it when its node fails or it is evicted, and it cannot"
        " be rolled out without downtime. Run it from a Deployment (workload: Deployment)."
    ]
    assert bare_pod(carrier("Deployment")) == []


def test_pod_spec_unknown_is_skipped_by_every_pod_practice() -> None:
    for kind in POD_PATHS:
        obj = carrier(kind, UNKNOWN)
        for check in (
            image_tag_pinned,
            image_digest_pinned,
            resources_set,
            probes_configured,
            sa_token_not_automounted,
        ):
            assert check(obj) == [], (kind, check.__name__)
