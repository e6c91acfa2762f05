"""k8s_rules.wiring: Services against the Pods they select, probes against the
ports their containers declare, checked against kube-linter's fixtures and
Kubernetes' FindPort."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k8s_rules import UNKNOWN, Problem
from k8s_rules.wiring import check_probe_ports, check_wiring

# Sources the tables cite.
KL_PROBE = "kube-linter pkg/templates/util/check_probe_port.go CheckProbePort"
KL_READINESS = "kube-linter tests/checks/readiness-port.yml + e2etests/bats-tests.sh 'readiness-port'"
KL_LIVENESS = "kube-linter tests/checks/liveness-port.yml + e2etests/bats-tests.sh 'liveness-port'"
KL_STARTUP = "kube-linter tests/checks/startup-port.yml + e2etests/bats-tests.sh 'startup-port'"
KL_READINESS_GO = "kube-linter pkg/templates/readinessport/template_test.go"
KL_DANGLING = "kube-linter tests/checks/dangling-service.yml + pkg/templates/danglingservice/template.go"
FIND_PORT = "kubernetes pkg/api/v1/pod/util.go FindPort (spec.containers, same protocol)"
FIND_PORT_SIDECAR = "kubernetes/kubernetes#127976, #128850: FindPort reads sidecar ports since 1.32"
STRICTER = "deliberately stricter than FindPort, which uses a number as is"


# --- builders ------------------------------------------------------------------------


def deployment(
    name: str,
    labels: dict[str, str] | Any,
    containers: list[Any],
    *,
    namespace: str | None = "shop",
    kind: str = "Deployment",
    **pod_spec: Any,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": metadata,
        "spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": containers, **pod_spec}}},
    }


def container(name: str = "web", ports: Any = (("http", 8080),), **fields: Any) -> dict[str, Any]:
    """A container; ``ports`` as (name, number) or (name, number, protocol)."""
    if isinstance(ports, (list, tuple)):
        declared = []
        for entry in ports:
            if isinstance(entry, tuple):
                port: dict[str, Any] = {"containerPort": entry[1]}
                if entry[0]:
                    port["name"] = entry[0]
                if len(entry) > 2:
                    port["protocol"] = entry[2]
                entry = port
            declared.append(entry)
        ports = declared
    return {"name": name, "image": "ghcr.io/acme/web:1", "ports": ports, **fields}


def service(
    name: str, selector: Any, ports: Any = ({"port": 80, "targetPort": "http"},), *, namespace: str | None = "shop"
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {"selector": selector, "ports": list(ports) if isinstance(ports, tuple) else ports},
    }


WEB = {"app": "web"}


def found(objects: list[Any], **options: Any) -> list[tuple[int, str, str]]:
    """(index, rule, where) of every problem."""
    return [(index, problem.rule, problem.where) for index, problem in check_wiring(objects, **options)]


# --- check_probe_ports: kube-linter's fixtures ----------------------------------------


def probe_fixture(probe: str) -> dict[str, Any]:
    """kube-linter tests/checks/{readiness,startup}-port.yml, the Deployment
    (liveness-port.yml has the same containers bar the gRPC pair)."""
    http = {"path": "/"}
    return deployment(
        "fixture",
        WEB,
        [
            container("dont-fire-deployment-grpc", [("http", 8080)], **{probe: {"grpc": {"port": 8080}}}),
            container("dont-fire-deployment", [("http", 8080, "TCP")], **{probe: {"httpGet": {**http, "port": 8080}}}),
            container("fire-deployment-name", [], **{probe: {"httpGet": {**http, "port": "http"}}}),
            container("fire-deployment-int", [("http", 9999, "TCP")], **{probe: {"httpGet": {**http, "port": 8080}}}),
            container("fire-deployment-udp", [("udp", 9999, "UDP")], **{probe: {"tcpSocket": {"port": "udp"}}}),
            container("fire-deployment-grpc", [("grpc", 9999, "TCP")], **{probe: {"grpc": {"port": 8080}}}),
        ],
    )


@pytest.mark.parametrize(
    ("probe", "source"),
    [("readinessProbe", KL_READINESS), ("livenessProbe", KL_LIVENESS), ("startupProbe", KL_STARTUP)],
)
def test_kube_linter_probe_fixtures(probe: str, source: str) -> None:
    # The four containers whose names say "fire", with the port kube-linter names.
    problems = check_probe_ports(probe_fixture(probe))
    base = ("spec", "template", "spec", "containers")
    assert [(p.rule, p.path, p.value) for p in problems] == [
        ("wiring/probe-port", (*base, 2, probe, "httpGet", "port"), "http"),
        ("wiring/probe-port", (*base, 3, probe, "httpGet", "port"), 8080),
        ("wiring/probe-port", (*base, 4, probe, "tcpSocket", "port"), "udp"),
        ("wiring/probe-port", (*base, 5, probe, "grpc", "port"), 8080),
    ], source


def test_kube_linter_liveness_statefulset_fixture() -> None:
    # liveness-port.yml, the StatefulSet: only the probe aimed at an undeclared name fires.
    statefulset = deployment(
        "fixture",
        WEB,
        [
            container("dont-fire-stateful", [("http", 8080, "TCP")]),
            container(
                "fire-stateful-name",
                [("http", 9999, "TCP")],
                livenessProbe={"httpGet": {"path": "/", "port": "healthcheck"}},
            ),
        ],
        kind="StatefulSet",
    )
    [problem] = check_probe_ports(statefulset)
    assert problem.path == ("spec", "template", "spec", "containers", 1, "livenessProbe", "httpGet", "port")
    assert problem.value == "healthcheck"


@pytest.mark.parametrize(
    ("case", "fields", "fires"),
    [
        ("NoReadinessProbe", {}, False),
        ("NoReadinessProbeExecIgnored", {"readinessProbe": {"exec": {"command": ["true"]}}}, False),
        ("GrpcCheckWillPass", {"readinessProbe": {"grpc": {"port": 8080}}}, False),
        ("GrpcPortMissmatch", {"readinessProbe": {"grpc": {"port": 9999}}}, True),
    ],
)
def test_kube_linter_readiness_template_cases(case: str, fields: dict[str, Any], fires: bool) -> None:
    obj = deployment("deployment01", WEB, [container("container", [("http", 8080)], **fields)])
    assert bool(check_probe_ports(obj)) is fires, f"{KL_READINESS_GO} {case}"


@pytest.mark.parametrize(
    ("ports", "probe", "fires", "source"),
    [
        ([("http", 8080)], {"httpGet": {"port": "http"}}, False, KL_PROBE + ": a name, protocol unset"),
        ([("http", 8080, "TCP")], {"tcpSocket": {"port": 8080}}, False, KL_PROBE + ": a number"),
        ([("http", 8080)], {"httpGet": {"port": 8080.0}}, False, "numbers may arrive as floats"),
        ([("http", 8080)], {"httpGet": {"port": "8080"}}, True, KL_PROBE + ": a string is a name"),
        ([("dns", 53, "UDP")], {"tcpSocket": {"port": 53}}, True, KL_PROBE + ": UDP ports do not count"),
        ([("sctp", 9000, "SCTP")], {"httpGet": {"port": "sctp"}}, True, KL_PROBE + ": SCTP ports do not count"),
        ([], {"grpc": {"port": 9090}}, True, KL_PROBE),
        ([("http", 8080)], {"httpGet": {"port": UNKNOWN}}, False, "unknown port: skipped"),
    ],
)
def test_probe_ports(ports: list[Any], probe: dict[str, Any], fires: bool, source: str) -> None:
    obj = deployment("web", WEB, [container("web", ports, livenessProbe=probe)])
    assert bool(check_probe_ports(obj)) is fires, source


def test_probe_port_on_another_container_does_not_count() -> None:
    # kube-linter CheckProbePort reads the probing container's own ports, as the kubelet does for names.
    obj = deployment(
        "web",
        WEB,
        [
            container("web", [], readinessProbe={"httpGet": {"port": "metrics"}}),
            container("exporter", [("metrics", 9090)]),
        ],
    )
    assert [p.where for p in check_probe_ports(obj)] == ["spec.template.spec.containers[0].readinessProbe.httpGet.port"]


def test_probe_ports_exact_messages() -> None:
    obj = deployment(
        "web",
        WEB,
        [
            container(
                "web",
                [("http", 8080), ("dns", 53, "UDP")],
                readinessProbe={"httpGet": {"path": "/ready", "port": "metrics"}},
                livenessProbe={"tcpSocket": {"port": "dns"}},
                startupProbe={"grpc": {"port": 9090}},
            )
        ],
    )
    assert [str(problem) for problem in check_probe_ports(obj)] == [
        "'spec.template.spec.containers[0].readinessProbe.httpGet.port' (\"metrics\") names no port of container"
        ' "web" (it declares "http" 8080/TCP, "dns" 53/UDP): the kubelet looks a probe\'s port name up in the'
        " container's own ports only, so the probe always fails: the Pod never becomes ready and gets no Service"
        " traffic; use a declared port name or number.",
        '\'spec.template.spec.containers[0].livenessProbe.tcpSocket.port\' ("dns") names port "dns" 53/UDP of'
        ' container "web", but probes connect over TCP: unless the container also listens on TCP there, the probe'
        " fails and the kubelet restarts the container again and again; probe a TCP port.",
        "'spec.template.spec.containers[0].startupProbe.grpc.port' (9090) is not a TCP port container \"web\""
        ' declares (it declares "http" 8080/TCP, "dns" 53/UDP): the probe checks a port the container does not'
        " say it listens on, usually a typo or a port changed in one place only, and if nothing listens there the"
        " kubelet kills the container before it ever starts; probe a declared port, or declare it.",
    ]


def test_probe_ports_of_sidecars_only_among_init_containers() -> None:
    bad = {"readinessProbe": {"httpGet": {"port": "admin"}}}
    obj = deployment(
        "web",
        WEB,
        [container("web")],
        initContainers=[
            container("migrate", [], **bad),  # a plain init container: no probes run, none checked
            container("proxy", [("https", 8443)], restartPolicy="Always", **bad),
        ],
        ephemeralContainers=[container("debug", [], **bad)],
    )
    assert [p.where for p in check_probe_ports(obj)] == [
        "spec.template.spec.initContainers[1].readinessProbe.httpGet.port"
    ]


def test_probe_ports_skip_what_is_not_known() -> None:
    probe = {"readinessProbe": {"httpGet": {"port": "http"}}}
    for obj in [
        deployment("web", WEB, [container("web", UNKNOWN, **probe)]),
        deployment("web", WEB, [container("web", [UNKNOWN], **probe)]),
        deployment("web", WEB, [container("web", [{"containerPort": 1, "name": UNKNOWN}], **probe)]),
        deployment("web", WEB, UNKNOWN),
        {"kind": "Deployment", "spec": UNKNOWN},
        service("web", WEB),
        {"kind": UNKNOWN},
    ]:
        assert check_probe_ports(obj) == []
    # An unknown container is skipped; the known ones are still checked.
    obj = deployment("web", WEB, [container("web", [], **probe)])
    obj["spec"]["template"]["spec"]["containers"].insert(0, UNKNOWN)
    assert [p.where for p in check_probe_ports(obj)] == ["spec.template.spec.containers[1].readinessProbe.httpGet.port"]
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [container("web", [], **probe)]}}
    assert [p.where for p in check_probe_ports(pod)] == ["spec.containers[0].readinessProbe.httpGet.port"]


# --- check_wiring: selector-matches-pod ---------------------------------------------


def test_kube_linter_dangling_service_fixture() -> None:
    # tests/checks/dangling-service.yml (no namespaces: all in "default"); kube-linter fires for app1 and
    # app2. Its Deployments have no containers; these declare port 8080, so no target-port problem mixes in.
    objects = [
        deployment("dont-fire", {"app.kubernetes.io/name": "dontfire"}, [container()], namespace=None),
        service(
            "dont-fire", {"app.kubernetes.io/name": "dontfire"}, [{"name": "8080-tcp", "port": 8080}], namespace=None
        ),
        deployment("app1", {"app.kubernetes.io/name": "app1"}, [container()], namespace=None),
        service("app1", {"app.kubernetes.io/name": "app"}, [{"name": "8080-tcp", "port": 8080}], namespace=None),
        deployment("app2", {"app.kubernetes.io/name": "app2"}, [container()], namespace=None, kind="DeploymentConfig"),
        service("app2", {"app.kubernetes.io/name": "app"}, [{"name": "8080-tcp", "port": 8080}], namespace=None),
    ]
    assert found(objects) == [
        (3, "wiring/selector-matches-pod", "spec.selector"),
        (5, "wiring/selector-matches-pod", "spec.selector"),
    ], KL_DANGLING


def test_selector_matches_pod_exact_message() -> None:
    [(index, problem)] = check_wiring([deployment("web", WEB, [container()]), service("api", {"app": "api"})])
    assert index == 1
    assert problem == Problem(
        "wiring/selector-matches-pod",
        ("spec", "selector"),
        'matches no Pod in namespace "shop": no Pod or workload there carries app=api in its Pod labels, so the'
        " Service has no endpoints and every connection to it fails; fix the selector or the Pod labels so they"
        " match",
        {"app": "api"},
    )


@pytest.mark.parametrize(
    ("objects", "problems", "why"),
    [
        ([deployment("web", WEB, [container()]), service("web", WEB)], [], "matches"),
        (
            [deployment("web", {**WEB, "tier": "front"}, [container()]), service("web", WEB)],
            [],
            "a selector is a subset of the Pod labels",
        ),
        (
            [deployment("web", WEB, [container()]), service("web", {**WEB, "tier": "front"})],
            [(1, "wiring/selector-matches-pod", "spec.selector")],
            "every selector key must match",
        ),
        (
            [deployment("web", WEB, [container()], namespace="other"), service("web", WEB)],
            [(1, "wiring/selector-matches-pod", "spec.selector")],
            "Pods of another namespace",
        ),
        (
            [deployment("web", WEB, [container()], namespace=None), service("web", WEB, namespace="default")],
            [],
            "an absent namespace is default",
        ),
        (
            [deployment("web", WEB, [container()], namespace=""), service("web", WEB, namespace=None)],
            [],
            "an empty namespace is default",
        ),
        (
            [
                {
                    "kind": "Pod",
                    "metadata": {"name": "p", "namespace": "shop", "labels": WEB},
                    "spec": {"containers": [container()]},
                },
                service("web", WEB),
            ],
            [],
            "a bare Pod",
        ),
        (
            [
                {
                    "kind": "PodTemplate",
                    "metadata": {"name": "web", "namespace": "shop"},
                    "template": {"metadata": {"labels": WEB}, "spec": {"containers": [container()]}},
                },
                service("web", WEB),
            ],
            [],
            "a PodTemplate",
        ),
        (
            [
                {
                    "kind": "CronJob",
                    "metadata": {"name": "c", "namespace": "shop"},
                    "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": WEB}, "spec": {}}}}},
                },
                service("web", WEB, [{"port": 80}]),
            ],
            [(1, "wiring/target-port", "spec.ports[0].port")],
            "a CronJob's Pods are selected (and declare no port 80)",
        ),
        (
            [
                {"kind": "ConfigMap", "metadata": {"name": "web", "namespace": "shop", "labels": WEB}},
                service("web", WEB),
            ],
            [(1, "wiring/selector-matches-pod", "spec.selector")],
            "only Pod labels count",
        ),
        (
            [
                {"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop", "labels": WEB}, "spec": {}},
                service("web", WEB),
            ],
            [(1, "wiring/selector-matches-pod", "spec.selector")],
            "a workload's own labels are not its Pods' labels",
        ),
        ([service("web", {})], [], "no selector: Endpoints managed by hand (kube-linter would report it)"),
        ([service("web", None)], [], "no selector"),
        (
            [service("web", WEB) | {"spec": {"type": "ExternalName", "externalName": "a.b", "selector": WEB}}],
            [],
            "ExternalName",
        ),
    ],
)
def test_selector_matches_pod(objects: list[Any], problems: list[Any], why: str) -> None:
    assert found(objects) == problems, why


def test_external_pods_skips_only_the_no_match_rule() -> None:
    objects = [service("db", {"app": "db"}), deployment("web", WEB, [container()]), service("web", WEB, [{"port": 1}])]
    assert found(objects, external_pods={0, 2}) == [(2, "wiring/target-port", "spec.ports[0].port")]


@pytest.mark.parametrize(
    ("objects", "why"),
    [
        ([deployment("web", UNKNOWN, [container()]), service("api", {"app": "api"})], "unknown Pod labels"),
        (
            [deployment("web", {"app": UNKNOWN}, [container()]), service("api", {"app": "api"})],
            "an unknown label value",
        ),
        (
            [deployment("web", WEB, [container()], namespace=UNKNOWN), service("api", {"app": "api"})],
            "an unknown namespace",
        ),
        ([{"kind": UNKNOWN, "metadata": {"namespace": "shop"}}, service("api", {"app": "api"})], "an unknown kind"),
        ([service("api", UNKNOWN)], "an unknown selector"),
        ([service("api", {"app": UNKNOWN})], "an unknown selector value"),
        ([service("api", {"app": "api"}, namespace=UNKNOWN)], "an unknown Service namespace"),
        ([service("api", {"app": "api"}) | {"spec": {"type": UNKNOWN, "selector": {"app": "api"}}}], "an unknown type"),
    ],
)
def test_unknowns_are_skipped(objects: list[Any], why: str) -> None:
    assert found(objects) == [], why


def test_unknown_labels_in_another_namespace_do_not_hide_a_problem() -> None:
    objects = [deployment("web", UNKNOWN, [container()], namespace="other"), service("api", {"app": "api"})]
    assert found(objects) == [(1, "wiring/selector-matches-pod", "spec.selector")]


# --- check_wiring: target-port ---------------------------------------------------------


@pytest.mark.parametrize(
    ("containers", "pod_spec", "port", "fires", "source"),
    [
        ([container("web", [("http", 8080)])], {}, {"port": 80, "targetPort": "http"}, False, FIND_PORT),
        (
            [container("web", [("http", 8080, "TCP")])],
            {},
            {"port": 80, "targetPort": "http", "protocol": "TCP"},
            False,
            FIND_PORT,
        ),
        (
            [container("web", [("dns", 53, "UDP")])],
            {},
            {"port": 53, "targetPort": "dns", "protocol": "UDP"},
            False,
            FIND_PORT,
        ),
        (
            [container("web", [("dns", 53, "UDP")])],
            {},
            {"port": 53, "targetPort": "dns"},
            True,
            FIND_PORT + ": protocol must match",
        ),
        ([container("web", [("http", 8080)])], {}, {"port": 80, "targetPort": "https"}, True, FIND_PORT),
        (
            [container("web", []), container("exporter", [("metrics", 9090)])],
            {},
            {"port": 9090, "targetPort": "metrics"},
            False,
            FIND_PORT + ": any container of the Pod",
        ),
        (
            [container("web", [])],
            {"initContainers": [container("migrate", [("http", 8080)])]},
            {"port": 80, "targetPort": "http"},
            True,
            FIND_PORT + ": not plain init containers",
        ),
        (
            [container("web", [])],
            {"ephemeralContainers": [container("debug", [("http", 8080)])]},
            {"port": 80, "targetPort": "http"},
            True,
            FIND_PORT + ": not ephemeral containers",
        ),
        (
            [container("web", [])],
            {"initContainers": [container("proxy", [("https", 8443)], restartPolicy="Always")]},
            {"port": 443, "targetPort": "https"},
            True,
            FIND_PORT_SIDECAR + ": refused for clusters before 1.32",
        ),
        (
            [container("web", [])],
            {"initContainers": [container("proxy", [("https", 8443)], restartPolicy="Always")]},
            {"port": 443, "targetPort": 8443},
            False,
            FIND_PORT_SIDECAR + ": a number works everywhere",
        ),
        ([container("web", [("http", 8080)])], {}, {"port": 80, "targetPort": 8080}, False, FIND_PORT),
        ([container("web", [("http", 8080)])], {}, {"port": 80, "targetPort": 8080.0}, False, "floats read as ints"),
        ([container("web", [("http", 8080)])], {}, {"port": 8080}, False, "targetPort defaults to port"),
        (
            [container("web", [("http", 8080)])],
            {},
            {"port": 8080, "targetPort": 0},
            False,
            "targetPort 0 defaults to port",
        ),
        ([container("web", [("http", 8080)])], {}, {"port": 80, "targetPort": 9090}, True, STRICTER),
        ([container("web", [("dns", 53, "UDP")])], {}, {"port": 53, "targetPort": 53}, True, STRICTER + ": protocol"),
        ([container("web", [("http", 8080)])], {}, {"port": 80, "targetPort": UNKNOWN}, False, "unknown targetPort"),
        (
            [container("web", [("http", 8080)])],
            {},
            {"port": 80, "targetPort": 9090, "protocol": UNKNOWN},
            False,
            "unknown protocol",
        ),
        ([container("web", UNKNOWN)], {}, {"port": 80, "targetPort": "http"}, False, "unknown container ports"),
        (
            [container("web", [{"name": "http", "containerPort": UNKNOWN}])],
            {},
            {"port": 80, "targetPort": "x"},
            False,
            "an unknown port",
        ),
        (
            [container("web", [])],
            {"initContainers": [container("proxy", [("https", 8443)], restartPolicy=UNKNOWN)]},
            {"port": 443, "targetPort": "nope"},
            False,
            "an unknown restartPolicy",
        ),
    ],
)
def test_target_port(
    containers: list[Any], pod_spec: dict[str, Any], port: dict[str, Any], fires: bool, source: str
) -> None:
    objects = [deployment("web", WEB, containers, **pod_spec), service("web", WEB, [port])]
    problems = [problem for _, problem in check_wiring(objects)]
    assert [p.rule for p in problems] == (["wiring/target-port"] if fires else []), source


def test_target_port_unknown_pod_spec_still_matches() -> None:
    obj = deployment("web", WEB, [])
    obj["spec"]["template"]["spec"] = UNKNOWN
    assert found([obj, service("web", WEB, [{"port": 80, "targetPort": "nope"}])]) == []


def test_target_port_exact_messages() -> None:
    objects = [
        deployment(
            "web",
            WEB,
            [container("web", [("http", 8080), ("dns", 53, "UDP")])],
            initContainers=[container("proxy", [("https", 8443)], restartPolicy="Always")],
        ),
        service(
            "web",
            WEB,
            [
                {"name": "a", "port": 80, "targetPort": "metrics"},
                {"name": "b", "port": 53, "targetPort": "dns"},
                {"name": "c", "port": 443, "targetPort": "https"},
                {"name": "d", "port": 9090},
                {"name": "e", "port": 5353, "targetPort": 53},
                {"name": "f", "port": 8080, "targetPort": 8080},
            ],
        ),
    ]
    assert [(index, str(problem)) for index, problem in check_wiring(objects)] == [
        (
            1,
            "'spec.ports[0].targetPort' (\"metrics\") names no TCP container port of Deployment 'shop/web' (it"
            ' declares "http" 8080/TCP, "dns" 53/UDP, "https" 8443/TCP): Kubernetes cannot resolve it, so those'
            " Pods get no endpoint for this port; use a declared port name, or name the port.",
        ),
        (
            1,
            "'spec.ports[1].targetPort' (\"dns\") names port \"dns\" 53/UDP of Deployment 'shop/web', but this"
            " Service port is TCP: Kubernetes resolves a named targetPort only to a port of the same protocol, so"
            " those Pods get no endpoint for it; make the protocols match.",
        ),
        (
            1,
            "'spec.ports[2].targetPort' (\"https\") names a port only a sidecar (an initContainer with"
            " restartPolicy: Always) of Deployment 'shop/web' declares: Kubernetes resolves sidecar port names"
            " only since 1.32, and older clusters give those Pods no endpoint for this port; use the number 8443"
            " instead.",
        ),
        (
            1,
            "'spec.ports[3].port' (9090) is not a TCP containerPort of Deployment 'shop/web' (it declares \"http\""
            ' 8080/TCP, "dns" 53/UDP, "https" 8443/TCP): traffic reaches those Pods only if a container listens'
            " there undeclared, and usually this is a typo or a port changed in one place only; point targetPort"
            " at a declared port, or declare it.",
        ),
        (
            1,
            "'spec.ports[4].targetPort' (53) is declared by Deployment 'shop/web' only as UDP, but this Service"
            " port is TCP: traffic arrives over a protocol the container does not serve there; make the protocols"
            " match.",
        ),
    ]


def test_target_port_once_per_service_port_and_pod_object() -> None:
    objects = [
        deployment("web", WEB, [container("a", [("http", 8080)]), container("b", [("http-alt", 8081)])]),
        {"kind": "Pod", "metadata": {"name": "canary", "namespace": "shop", "labels": WEB}, "spec": {"containers": []}},
        service("web", WEB, [{"port": 80, "targetPort": 9090}, {"port": 81, "targetPort": "http-alt"}]),
    ]
    problems = [
        (i, p.where, p.reason.split(" (")[0])
        for i, p in check_wiring(objects, intended_overlaps={("shop/web", "shop/canary")})
    ]
    assert problems == [
        (2, "spec.ports[0].targetPort", "is not a TCP containerPort of Deployment 'shop/web'"),
        (2, "spec.ports[0].targetPort", "is not a TCP containerPort of Pod 'shop/canary'"),
        (2, "spec.ports[1].targetPort", "names no TCP container port of Pod 'shop/canary'"),
    ]


# --- check_wiring: selector-overlap ----------------------------------------------------


def two_webs(**labels: str) -> list[Any]:
    return [
        deployment("web", WEB, [container()]),
        deployment("web-old", {**WEB, **labels}, [container()]),
        service("web", WEB),
    ]


def test_selector_overlap_exact_message() -> None:
    [(index, problem)] = check_wiring(two_webs(version="1"))
    assert index == 2
    assert problem == Problem(
        "wiring/selector-overlap",
        ("spec", "selector"),
        "selects the Pods of Deployment 'shop/web' and Deployment 'shop/web-old', so the Service sends traffic to"
        " all of them, usually because one was copied from the other; add a label that tells them apart to the"
        " selector and the Pod labels",
        WEB,
    )


def test_selector_overlap_and_intended_overlaps() -> None:
    assert found(two_webs()) == [(2, "wiring/selector-overlap", "spec.selector")]
    # A Service may select one object of its own plus those listed with it.
    assert found(two_webs(), intended_overlaps={("shop/web", "shop/web-old")}) == []
    assert found(two_webs(), intended_overlaps={("shop/web", "shop/web")}) == []
    assert found(two_webs(), intended_overlaps={("shop/other", "shop/web-old")}) == [
        (2, "wiring/selector-overlap", "spec.selector")
    ]
    third = deployment("web-older", WEB, [container()])
    assert found([*two_webs(), third], intended_overlaps={("shop/web", "shop/web-old")}) == [
        (2, "wiring/selector-overlap", "spec.selector")
    ]
    # Without a namespace, a name means namespace "default".
    objects = [copy.deepcopy(o) for o in two_webs()]
    for obj in objects:
        del obj["metadata"]["namespace"]
    assert found(objects, intended_overlaps={("web", "web-old")}) == []
    assert found(objects, intended_overlaps={("default/web", "default/web-old")}) == []


def test_selector_overlap_is_per_service_and_counts_objects() -> None:
    objects = [
        deployment("web", WEB, [container()]),
        deployment("api", {"app": "api"}, [container()]),
        service("web", WEB),
        service("api", {"app": "api"}),
        service("web-2", WEB),  # two Services selecting one workload is no overlap
    ]
    assert found(objects) == []


def test_selector_overlap_skips_unknown_names_only_when_exemptions_apply() -> None:
    objects = two_webs()
    objects[1]["metadata"]["name"] = UNKNOWN
    assert found(objects) == [(2, "wiring/selector-overlap", "spec.selector")]
    assert found(objects, intended_overlaps={("shop/web", "shop/web-old")}) == []


# --- scale ------------------------------------------------------------------------------------


def test_a_generated_stack_of_2000_objects() -> None:
    """1,000 Services and 1,000 Deployments over 20 namespaces, every label
    shared by many objects but the name; exactly the planted mistakes come back."""
    objects: list[Any] = []
    planted: list[tuple[int, str, str]] = []
    for i in range(1000):
        namespace = f"team-{i % 20}"
        labels = {"app.kubernetes.io/name": f"app-{i}", "app.kubernetes.io/managed-by": "pulumi", "tier": "web"}
        selector = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/name": f"app-{i}"}
        ports: list[dict[str, Any]] = [{"name": "http", "port": 80, "targetPort": "http"}]
        if i % 97 == 0:
            selector["app.kubernetes.io/name"] = f"app-{i}-typo"
            planted.append((2 * i + 1, "wiring/selector-matches-pod", "spec.selector"))
        elif i % 89 == 0:
            ports.append({"name": "metrics", "port": 9090})
            planted.append((2 * i + 1, "wiring/target-port", "spec.ports[1].port"))
        elif i % 83 == 0:
            selector = {"app.kubernetes.io/managed-by": "pulumi", "tier": "web"}
            # Every Deployment of its namespace: one overlap, and target ports that all resolve.
            planted.append((2 * i + 1, "wiring/selector-overlap", "spec.selector"))
        objects.append(deployment(f"app-{i}", labels, [container("app", [("http", 8080)])], namespace=namespace))
        objects.append(service(f"app-{i}", selector, ports, namespace=namespace))
    assert len(objects) == 2000
    assert found(objects) == sorted(planted)
    overlaps = [p for _, p in check_wiring(objects) if p.rule == "wiring/selector-overlap"]
    assert len(overlaps) == 12
    # Each selects every Deployment of its namespace: 1,000 over 20 namespaces.
    assert all(problem.reason.count("Deployment '") == 50 for problem in overlaps)
