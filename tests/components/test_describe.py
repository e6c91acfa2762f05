"""k8s_services.topology and `k8s-services describe`: how each Service is
reached, what it routes to and who may call it, read from the objects a
program registers (this project's stacks or any pulumi_kubernetes program),
as a table, a mermaid flowchart or a Graphviz digraph."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from k8s_services.cli import main
from k8s_services.render import objects
from k8s_services.topology import _Selector, describe, source_ranges

PROJECT = Path(__file__).resolve().parents[2]
SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"


# --- objects, as any program registers them ----------------------------------------


def workload(
    kind: str,
    name: str,
    labels: dict[str, str],
    *,
    namespace: str | None = "shop",
    replicas: int | None = None,
    ports: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    pod_spec = {"containers": [{"name": "app", "image": "ghcr.io/acme/app:1.0.0", "ports": ports or []}]}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {**metadata, "labels": labels}, "spec": pod_spec}
    template = {"metadata": {"labels": labels}, "spec": pod_spec}
    if kind == "CronJob":
        job = {"template": template}
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": metadata, "spec": {"jobTemplate": {"spec": job}}}
    spec: dict[str, Any] = {"selector": {"matchLabels": labels}, "template": template}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": spec}


def service(
    name: str,
    service_type: str = "ClusterIP",
    selector: dict[str, str] | None = None,
    *,
    namespace: str | None = "shop",
    ports: list[dict[str, Any]] | None = None,
    annotations: dict[str, str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    if annotations:
        metadata["annotations"] = annotations
    body: dict[str, Any] = {"type": service_type, **spec}
    body["ports"] = ports if ports is not None else [{"name": "http", "port": 80, "targetPort": "http"}]
    if selector is not None:
        body["selector"] = selector
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": body}


def policy(
    name: str,
    pod_selector: dict[str, Any],
    ingress: list[dict[str, Any]] | None,
    *,
    namespace: str = "shop",
    types: list[str] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": pod_selector, "policyTypes": types or ["Ingress"]}
    if ingress is not None:
        spec["ingress"] = ingress
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


HTTP = [{"name": "http", "containerPort": 8080}]


def app(name: str, **extra: Any) -> dict[str, str]:
    return {"app": name, **extra}


def column(text: str, title: str) -> dict[str, list[str]]:
    """One column of a table: each Service's lines in it, by the Service's first cell."""
    header = text.splitlines()[0]
    start = header.index(title)
    after = [header.index(t) for t in COLUMNS if header.index(t) > start]
    end = min(after) if after else None
    found: dict[str, list[str]] = {}
    last = ""
    for line in text.splitlines()[1:]:
        if not line.startswith(" "):
            last = line.split()[0]
            found[last] = []
        if cell := line[start:end].strip():
            found[last].append(cell)
    return found


COLUMNS = ("SERVICE", "TYPE", "EXPOSURE", "IN-CLUSTER", "FROM OUTSIDE", "ROUTES TO", "ALLOWED FROM")


# --- the repository's stacks ---------------------------------------------------------

DEV_TABLE = """\
SERVICE                            TYPE                  EXPOSURE     IN-CLUSTER                                              FROM OUTSIDE                     ROUTES TO                               ALLOWED FROM
my-ns-nodeport/loadbalancer-study  LoadBalancer          north-south  loadbalancer-study.my-ns-nodeport.svc.cluster.local:82  <EXTERNAL-IP>:82 from 0.0.0.0/0  Pod/nginx-pod-loadbalancer (1 replica)  any Pod
                                                                                                                              <node IP>:<assigned nodePort>
my-ns-nodeport/nodeport-study      NodePort              north-south  nodeport-study.my-ns-nodeport.svc.cluster.local:81      <node IP>:<assigned nodePort>    Pod/nginx-pod (1 replica)               any Pod
shop/orders                        ClusterIP             east-west    orders.shop.svc.cluster.local:80                        -                                Pod/orders (1 replica)                  Pod/products
shop/orders-db                     ExternalName          egress       orders-db.shop.svc.cluster.local:5432                   -                                orders-db.example.com (CNAME)           -
shop/products                      ClusterIP             east-west    products.shop.svc.cluster.local:80                      -                                Pod/products (1 replica)                Pod/orders
shop/sessions                      ClusterIP (headless)  east-west    sessions.shop.svc.cluster.local:6379                    -                                StatefulSet/sessions (3 replicas)       any Pod
shop/storefront                    ClusterIP             east-west    storefront.shop.svc.cluster.local:80                    -                                Deployment/storefront (2 replicas)      any Pod
shop/storefront-public             LoadBalancer          north-south  storefront-public.shop.svc.cluster.local:80             <EXTERNAL-IP>:80 from 0.0.0.0/0  Deployment/storefront (2 replicas)      any Pod
                                                                                                                              <node IP>:<assigned nodePort>
"""

STAGING_TABLE = """\
SERVICE                            TYPE          EXPOSURE     IN-CLUSTER                                              FROM OUTSIDE                          ROUTES TO                                   ALLOWED FROM
my-ns-nodeport/loadbalancer-study  LoadBalancer  north-south  loadbalancer-study.my-ns-nodeport.svc.cluster.local:82  <EXTERNAL-IP>:82 from 203.0.113.0/24  Deployment/loadbalancer-study (2 replicas)  0.0.0.0/0
                                                                                                                      <node IP>:<assigned nodePort>
my-ns-nodeport/nodeport-study      NodePort      north-south  nodeport-study.my-ns-nodeport.svc.cluster.local:81      <node IP>:<assigned nodePort>         Deployment/nodeport-study (2 replicas)      0.0.0.0/0
shop/orders                        ClusterIP     east-west    orders.shop.svc.cluster.local:80                        -                                     Deployment/orders (2 replicas)              Deployment/products
shop/orders-db                     ExternalName  egress       orders-db.shop.svc.cluster.local:5432                   -                                     orders-db.staging.example.com (CNAME)       -
shop/products                      ClusterIP     east-west    products.shop.svc.cluster.local:80                      -                                     Deployment/products (2 replicas)            Deployment/orders
"""

PROD_TABLE = """\
SERVICE                            TYPE          EXPOSURE     IN-CLUSTER                                              FROM OUTSIDE                                           ROUTES TO                                   ALLOWED FROM
my-ns-nodeport/loadbalancer-study  LoadBalancer  north-south  loadbalancer-study.my-ns-nodeport.svc.cluster.local:82  <EXTERNAL-IP>:82 from 203.0.113.0/24, 198.51.100.0/24  Deployment/loadbalancer-study (3 replicas)  0.0.0.0/0
                                                                                                                      <node IP>:<assigned nodePort>
my-ns-nodeport/nodeport-study      ClusterIP     east-west    nodeport-study.my-ns-nodeport.svc.cluster.local:81      -                                                      Deployment/nodeport-study (3 replicas)      0.0.0.0/0
shop/orders                        ClusterIP     east-west    orders.shop.svc.cluster.local:80                        -                                                      Deployment/orders (3 replicas)              Deployment/products
shop/orders-db                     ExternalName  egress       orders-db.shop.svc.cluster.local:5432                   -                                                      orders-db.example.com (CNAME)               -
shop/products                      ClusterIP     east-west    products.shop.svc.cluster.local:80                      -                                                      Deployment/products (3 replicas)            Deployment/orders
"""

DEV_MERMAID = """\
flowchart LR
    subgraph ns1["namespace my-ns-nodeport"]
        svc1["Service loadbalancer-study<br/>LoadBalancer<br/>any Pod may call"]
        svc2["Service nodeport-study<br/>NodePort<br/>any Pod may call"]
        wl1[["Pod nginx-pod<br/>1 replica"]]
        wl2[["Pod nginx-pod-loadbalancer<br/>1 replica"]]
    end
    subgraph ns2["namespace shop"]
        svc3["Service orders<br/>ClusterIP"]
        svc4["Service orders-db<br/>ExternalName"]
        svc5["Service products<br/>ClusterIP"]
        svc6["Service sessions<br/>ClusterIP (headless)<br/>any Pod may call"]
        svc7["Service storefront<br/>ClusterIP<br/>any Pod may call"]
        svc8["Service storefront-public<br/>LoadBalancer<br/>any Pod may call"]
        wl3[["Pod orders<br/>1 replica"]]
        wl4[["Pod products<br/>1 replica"]]
        wl5[["StatefulSet sessions<br/>3 replicas"]]
        wl6[["Deployment storefront<br/>2 replicas"]]
    end
    clients(("clients outside the cluster"))
    entry1[/"load balancer :82 from 0.0.0.0/0<br/>every node, assigned node port"/]
    entry2[/"every node, assigned node port"/]
    entry8[/"load balancer :80 from 0.0.0.0/0<br/>every node, assigned node port"/]
    dns1>"orders-db.example.com"]
    clients --> entry1
    clients --> entry2
    clients --> entry8
    entry1 --> svc1
    entry2 --> svc2
    entry8 --> svc8
    svc1 --> wl2
    svc2 --> wl1
    svc3 --> wl3
    svc4 -->|"CNAME"| dns1
    svc5 --> wl4
    svc6 --> wl5
    svc7 --> wl6
    svc8 --> wl6
    wl3 -.->|"may call"| svc5
    wl4 -.->|"may call"| svc3
"""

STAGING_DOT = r"""digraph "topology" {
    rankdir=LR;
    subgraph "cluster_ns1" {
        label="namespace my-ns-nodeport";
        "svc1" [shape=box, label="Service loadbalancer-study\nLoadBalancer"];
        "svc2" [shape=box, label="Service nodeport-study\nNodePort"];
        "wl1" [shape=box3d, label="Deployment loadbalancer-study\n2 replicas"];
        "wl2" [shape=box3d, label="Deployment nodeport-study\n2 replicas"];
    }
    subgraph "cluster_ns2" {
        label="namespace shop";
        "svc3" [shape=box, label="Service orders\nClusterIP"];
        "svc4" [shape=box, label="Service orders-db\nExternalName"];
        "svc5" [shape=box, label="Service products\nClusterIP"];
        "wl3" [shape=box3d, label="Deployment orders\n2 replicas"];
        "wl4" [shape=box3d, label="Deployment products\n2 replicas"];
    }
    "clients" [shape=ellipse, label="clients outside the cluster"];
    "entry1" [shape=box, style="rounded", label="load balancer :82 from 203.0.113.0/24\nevery node, assigned node port"];
    "entry2" [shape=box, style="rounded", label="every node, assigned node port"];
    "dns1" [shape=cds, label="orders-db.staging.example.com"];
    "peer1" [shape=box, style="rounded,dashed", label="0.0.0.0/0"];
    "clients" -> "entry1";
    "clients" -> "entry2";
    "entry1" -> "svc1";
    "entry2" -> "svc2";
    "peer1" -> "svc1" [label="may call", style=dashed];
    "peer1" -> "svc2" [label="may call", style=dashed];
    "svc1" -> "wl1";
    "svc2" -> "wl2";
    "svc3" -> "wl3";
    "svc4" -> "dns1" [label="CNAME"];
    "svc5" -> "wl4";
    "wl3" -> "svc5" [label="may call", style=dashed];
    "wl4" -> "svc3" [label="may call", style=dashed];
}
"""


@pytest.mark.parametrize(("stack", "expected"), [("dev", DEV_TABLE), ("staging", STAGING_TABLE), ("prod", PROD_TABLE)])
def test_describe_each_stack(stack: str, expected: str) -> None:
    assert describe(objects(PROJECT, stack)) == expected


def test_describe_dev_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "dev", "--project-dir", str(PROJECT)]) == 0
    assert capsys.readouterr().out == DEV_TABLE


def test_dev_as_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "dev", "--project-dir", str(PROJECT), "--format", "mermaid"]) == 0
    assert capsys.readouterr().out == DEV_MERMAID


def test_staging_as_dot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "staging", "--project-dir", str(PROJECT), "--format", "dot"]) == 0
    assert capsys.readouterr().out == STAGING_DOT


def test_the_readme_shows_dev_s_picture_as_describe_prints_it() -> None:
    readme = (PROJECT / "README.md").read_text()
    begin, end = "<!-- describe dev --format mermaid: begin -->", "<!-- describe dev --format mermaid: end -->"
    assert begin in readme and end in readme, "README.md has no describe dev picture between its markers"
    between = readme.split(begin, 1)[1].split(end, 1)[0]
    assert between == f"\n```mermaid\n{describe(objects(PROJECT, 'dev'), 'mermaid')}```\n"


def test_cluster_domain_names_the_dns_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "prod", "--project-dir", str(PROJECT), "--cluster-domain", "corp.internal"]) == 0
    assert "products.shop.svc.corp.internal:80" in capsys.readouterr().out


# --- errors ------------------------------------------------------------------------


def test_an_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["describe", "dev", "--project-dir", str(PROJECT), "--format", "svg"])
    assert exc.value.code == 2
    assert "argument --format: invalid choice: 'svg' (choose from 'table', 'mermaid', 'dot')" in capsys.readouterr().err


def test_an_unknown_format_is_refused_by_the_library() -> None:
    with pytest.raises(ValueError) as exc:
        describe([], "svg")
    assert str(exc.value) == "Unable to describe: 'format' ('svg') must be one of table, mermaid, dot."


def test_an_unreadable_project_exits_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["describe", "dev", "--project-dir", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"error: {tmp_path.resolve()}/Pulumi.yaml: no Pulumi.yaml here; pass --project-dir with the project's"
        " directory.\n"
    )


def test_no_services_is_a_header_and_an_empty_picture() -> None:
    assert describe([]) == "SERVICE  TYPE  EXPOSURE  IN-CLUSTER  FROM OUTSIDE  ROUTES TO  ALLOWED FROM\n"
    assert describe([], "mermaid") == "flowchart LR\n"
    assert describe([], "dot") == 'digraph "topology" {\n    rankdir=LR;\n}\n'


# --- load balancer source ranges ----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "annotation", "expected"),
    [
        # kubernetes/kubernetes pkg/api/v1/service/util.go GetLoadBalancerSourceRanges:
        (["10.0.0.0/8", "192.168.0.0/16"], None, ("10.0.0.0/8", "192.168.0.0/16")),
        # a non-empty field wins: the annotation is ignored
        (["10.0.0.0/8"], "203.0.113.0/24", ("10.0.0.0/8",)),
        # an empty field falls back to the annotation, trimmed and split on commas
        ([], " 203.0.113.0/24, 198.51.100.0/24 ", ("203.0.113.0/24", "198.51.100.0/24")),
        (None, "203.0.113.0/24", ("203.0.113.0/24",)),
        # neither, or a blank annotation: allow all
        (None, None, ("0.0.0.0/0",)),
        (None, "   ", ("0.0.0.0/0",)),
        # entries are trimmed (ParseIPNets, kube-proxy)
        ([" 10.0.0.0/8 "], None, ("10.0.0.0/8",)),
    ],
)
def test_source_ranges_follow_kubernetes(
    field: list[str] | None, annotation: str | None, expected: tuple[str, ...]
) -> None:
    manifest = service("web", "LoadBalancer", app("web"))
    if field is not None:
        manifest["spec"]["loadBalancerSourceRanges"] = field
    if annotation is not None:
        manifest["metadata"]["annotations"] = {SOURCE_RANGES_ANNOTATION: annotation}
    assert source_ranges(manifest) == expected


def test_a_load_balancer_shows_its_source_ranges_from_the_field_or_the_annotation() -> None:
    text = describe(
        [
            workload("Deployment", "web", app("web"), replicas=2, ports=HTTP),
            service("by-field", "LoadBalancer", app("web"), loadBalancerSourceRanges=["10.0.0.0/8", "192.168.0.0/16"]),
            service(
                "by-annotation",
                "LoadBalancer",
                app("web"),
                annotations={SOURCE_RANGES_ANNOTATION: "203.0.113.0/24,198.51.100.0/24"},
            ),
            service(
                "open", "LoadBalancer", app("web"), loadBalancerIP="198.51.100.7", allocateLoadBalancerNodePorts=False
            ),
        ]
    )
    assert text == textwrap.dedent(
        """\
        SERVICE             TYPE          EXPOSURE     IN-CLUSTER                               FROM OUTSIDE                                           ROUTES TO                    ALLOWED FROM
        shop/by-annotation  LoadBalancer  north-south  by-annotation.shop.svc.cluster.local:80  <EXTERNAL-IP>:80 from 203.0.113.0/24, 198.51.100.0/24  Deployment/web (2 replicas)  any Pod
                                                                                                <node IP>:<assigned nodePort>
        shop/by-field       LoadBalancer  north-south  by-field.shop.svc.cluster.local:80       <EXTERNAL-IP>:80 from 10.0.0.0/8, 192.168.0.0/16       Deployment/web (2 replicas)  any Pod
                                                                                                <node IP>:<assigned nodePort>
        shop/open           LoadBalancer  north-south  open.shop.svc.cluster.local:80           198.51.100.7:80 from 0.0.0.0/0                         Deployment/web (2 replicas)  any Pod
        """
    )


# --- node ports, external IPs ------------------------------------------------------


def test_node_ports_set_in_the_manifest_are_shown_and_others_are_assigned() -> None:
    text = describe(
        [
            workload("DaemonSet", "dns", app("dns"), ports=[{"name": "dns", "containerPort": 53, "protocol": "UDP"}]),
            service(
                "dns",
                "NodePort",
                app("dns"),
                ports=[
                    {"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 30053},
                    {"name": "dns-tcp", "port": 53, "targetPort": 53},
                ],
            ),
            service("web", externalIPs=["203.0.113.9"], ports=[{"port": 80}]),
        ]
    )
    assert text == textwrap.dedent(
        """\
        SERVICE   TYPE       EXPOSURE     IN-CLUSTER                         FROM OUTSIDE                   ROUTES TO                                 ALLOWED FROM
        shop/dns  NodePort   north-south  dns.shop.svc.cluster.local:53/UDP  <node IP>:30053/UDP            DaemonSet/dns (1 per node)                any Pod
                                          dns.shop.svc.cluster.local:53      <node IP>:<assigned nodePort>
        shop/web  ClusterIP  north-south  web.shop.svc.cluster.local:80      203.0.113.9:80                 no selector: Endpoints managed elsewhere  -
        """
    )


# --- what a Service routes to ------------------------------------------------------


def test_replicas_of_each_workload_kind() -> None:
    found = [
        workload("Deployment", "three", app("three"), replicas=3),
        workload("Deployment", "default", app("default")),  # the API server's default: 1
        workload("StatefulSet", "scaled-down", app("scaled-down"), replicas=0),
        workload("ReplicaSet", "rs", app("rs"), replicas=2),
        workload("DaemonSet", "agent", app("agent")),
        workload("Pod", "bare", app("bare")),
    ]
    services = [service(w["metadata"]["name"], "ClusterIP", app(w["metadata"]["name"])) for w in found]
    assert describe(found + services) == textwrap.dedent(
        """\
        SERVICE           TYPE       EXPOSURE   IN-CLUSTER                             FROM OUTSIDE  ROUTES TO                             ALLOWED FROM
        shop/agent        ClusterIP  east-west  agent.shop.svc.cluster.local:80        -             DaemonSet/agent (1 per node)          any Pod
        shop/bare         ClusterIP  east-west  bare.shop.svc.cluster.local:80         -             Pod/bare (1 replica)                  any Pod
        shop/default      ClusterIP  east-west  default.shop.svc.cluster.local:80      -             Deployment/default (1 replica)        any Pod
        shop/rs           ClusterIP  east-west  rs.shop.svc.cluster.local:80           -             ReplicaSet/rs (2 replicas)            any Pod
        shop/scaled-down  ClusterIP  east-west  scaled-down.shop.svc.cluster.local:80  -             StatefulSet/scaled-down (0 replicas)  any Pod
        shop/three        ClusterIP  east-west  three.shop.svc.cluster.local:80        -             Deployment/three (3 replicas)         any Pod
        """
    )


def test_a_service_selects_workloads_of_its_own_namespace_only() -> None:
    text = describe(
        [
            workload("Deployment", "web", app("web"), namespace="a", replicas=2),
            workload("Deployment", "web", app("web"), namespace="b", replicas=5),
            workload("StatefulSet", "web-canary", app("web"), namespace="b", replicas=1),
            service("web", "ClusterIP", app("web"), namespace="b"),
            service("web", "ClusterIP", app("web"), namespace=None),
        ]
    )
    assert text == textwrap.dedent(
        """\
        SERVICE      TYPE       EXPOSURE   IN-CLUSTER                        FROM OUTSIDE  ROUTES TO                           ALLOWED FROM
        b/web        ClusterIP  east-west  web.b.svc.cluster.local:80        -             Deployment/web (5 replicas)         any Pod
                                                                                           StatefulSet/web-canary (1 replica)
        default/web  ClusterIP  east-west  web.default.svc.cluster.local:80  -             no Pods here match its selector     -
        """
    )


def test_external_name_external_pods_and_no_selector() -> None:
    text = describe(
        [
            service("db", "ExternalName", externalName="db.example.com", ports=[]),
            service("chart", "ClusterIP", app("chart"), annotations={"k8s-services.io/external-pods": "true"}),
            service("legacy", "ClusterIP", ports=[{"port": 5432}]),
            {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": "legacy", "namespace": "shop"},
                "subsets": [{"addresses": [{"ip": "10.1.2.4"}, {"ip": "10.1.2.3"}]}],
            },
        ]
    )
    assert text == textwrap.dedent(
        """\
        SERVICE      TYPE          EXPOSURE   IN-CLUSTER                          FROM OUTSIDE  ROUTES TO                ALLOWED FROM
        shop/chart   ClusterIP     east-west  chart.shop.svc.cluster.local:80     -             Pods deployed elsewhere  -
        shop/db      ExternalName  egress     db.shop.svc.cluster.local           -             db.example.com (CNAME)   -
        shop/legacy  ClusterIP     east-west  legacy.shop.svc.cluster.local:5432  -             10.1.2.3 (Endpoints)     -
                                                                                                10.1.2.4 (Endpoints)
        """
    )


def test_a_workload_whose_pod_labels_are_secret_may_be_selected() -> None:
    """A property registered as a secret is the string "[secret]": its labels cannot be matched."""
    hidden = workload("Deployment", "web", app("web")) | {"spec": "[secret]"}
    seen = workload("Deployment", "web-v2", app("web"), replicas=2)
    web = service("web", "ClusterIP", app("web"))
    assert column(describe([hidden, web]), "ROUTES TO") == {"shop/web": ["Deployment/web? (its Pod labels are secret)"]}
    assert column(describe([hidden, seen, web]), "ROUTES TO") == {
        "shop/web": ["Deployment/web-v2 (2 replicas)", "Deployment/web? (its Pod labels are secret)"]
    }


def test_versions_of_one_application_are_drawn_as_such() -> None:
    versions = [
        workload("Deployment", f"reviews-{v}", app("reviews", version=v))
        | {
            "metadata": {
                "name": f"reviews-{v}",
                "namespace": "shop",
                "annotations": {"k8s-services.io/version-of": "reviews"},
            }
        }
        for v in ("v1", "v2")
    ]
    text = describe([*versions, service("reviews", "ClusterIP", app("reviews")), policy("deny", {}, [])], "mermaid")
    assert text == textwrap.dedent(
        """\
        flowchart LR
            subgraph ns1["namespace shop"]
                svc1["Service reviews<br/>ClusterIP<br/>nobody may call"]
                wl1[["Deployment reviews-v1<br/>1 replica<br/>version of reviews"]]
                wl2[["Deployment reviews-v2<br/>1 replica<br/>version of reviews"]]
            end
            svc1 --> wl1
            svc1 --> wl2
        """
    )


# --- who may call whom ------------------------------------------------------------


def allowed(manifests: list[dict[str, Any]], name: str) -> list[str]:
    """The ALLOWED FROM lines of one Service's row."""
    return column(describe(manifests), "ALLOWED FROM")[f"shop/{name}"]


API = [workload("Deployment", "api", app("api"), ports=HTTP), service("api", "ClusterIP", app("api"))]
CALLERS = [
    workload("Deployment", "web", app("web")),
    workload("CronJob", "report", app("report")),
    workload("Deployment", "front", app("front"), namespace="web"),
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web", "labels": {"team": "web"}}},
]


def test_no_policy_selecting_the_pods_admits_any_pod() -> None:
    egress_only = policy("egress", {}, None, types=["Egress"])
    other_pods = policy("db-only", {"matchLabels": app("db")}, [])
    assert allowed(API + [egress_only, other_pods], "api") == ["any Pod"]


def test_a_policy_with_no_ingress_rules_admits_nobody() -> None:
    assert allowed(API + [policy("deny", {}, [])], "api") == ["nobody"]
    assert allowed(API + [policy("deny", {"matchLabels": app("api")}, None)], "api") == ["nobody"]


def test_peers_are_named_when_they_resolve_to_workloads_here_and_by_labels_otherwise() -> None:
    rules = [
        {
            "from": [
                {"podSelector": {"matchLabels": app("web")}},
                {"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["report"]}]}},
                {"podSelector": {"matchLabels": app("monitoring")}},
                {"podSelector": {}},
            ]
        }
    ]
    assert allowed(API + CALLERS + [policy("api", {"matchLabels": app("api")}, rules)], "api") == [
        "CronJob/report",
        "Deployment/web",
        "Pods app=monitoring in shop",
        "any Pod in shop",
    ]


def test_namespace_selectors() -> None:
    rules = [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "web"}},
                    "podSelector": {"matchLabels": app("front")},
                },
                {"namespaceSelector": {"matchLabels": {"team": "ops"}}},
                {"namespaceSelector": {}, "podSelector": {"matchLabels": app("prometheus")}},
            ]
        }
    ]
    assert allowed(API + CALLERS + [policy("api", {"matchLabels": app("api")}, rules)], "api") == [
        "Deployment/front in web",
        "Pods app=prometheus in any namespace",
        "any Pod in namespaces team=ops",
    ]


def test_ip_blocks_and_rules_without_peers() -> None:
    block = [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}]
    assert allowed(API + [policy("api", {"matchLabels": app("api")}, block)], "api") == [
        "10.0.0.0/8 except 10.1.0.0/16"
    ]
    # A rule without "from" admits every source.
    everyone = [{"ports": [{"port": 8080}]}]
    assert allowed(API + CALLERS + [policy("api", {}, block + everyone)], "api") == ["anyone"]


def test_several_policies_union() -> None:
    first = policy("from-web", {"matchLabels": app("api")}, [{"from": [{"podSelector": {"matchLabels": app("web")}}]}])
    second = policy("from-report", {}, [{"from": [{"podSelector": {"matchLabels": app("report")}}]}])
    deny = policy("deny", {"matchLabels": app("api")}, [])
    assert allowed(API + CALLERS + [first, second, deny], "api") == ["CronJob/report", "Deployment/web"]


def test_a_rule_counts_only_for_the_service_ports_it_admits() -> None:
    manifests = [
        workload("Deployment", "api", app("api"), ports=HTTP + [{"name": "metrics", "containerPort": 9090}]),
        service(
            "api",
            "ClusterIP",
            app("api"),
            ports=[{"name": "http", "port": 80, "targetPort": "http"}, {"name": "m", "port": 9090}],
        ),
        service("api-http", "ClusterIP", app("api"), ports=[{"name": "http", "port": 80, "targetPort": 8080}]),
        *CALLERS,
        policy(
            "api",
            {"matchLabels": app("api")},
            [
                # A named port admits the Service port whose number it resolves to.
                {
                    "from": [{"podSelector": {"matchLabels": app("web")}}],
                    "ports": [{"port": "http", "protocol": "TCP"}],
                },
                {"from": [{"podSelector": {"matchLabels": app("report")}}], "ports": [{"port": 9000, "endPort": 9100}]},
                {"from": [{"podSelector": {"matchLabels": app("report")}}], "ports": [{"port": 8080}]},
                # Another protocol admits nothing here.
                {
                    "from": [{"podSelector": {"matchLabels": app("monitoring")}}],
                    "ports": [{"port": 8080, "protocol": "UDP"}],
                },
            ],
        ),
    ]
    assert allowed(manifests, "api") == ["CronJob/report", "Deployment/web (port 80 only)"]
    assert allowed(manifests, "api-http") == ["CronJob/report", "Deployment/web"]


def test_workloads_behind_one_service_with_different_callers_are_listed_apart() -> None:
    manifests = [
        workload("Deployment", "v1", app("reviews", version="v1")),
        workload("Deployment", "v2", app("reviews", version="v2")),
        service("reviews", "ClusterIP", app("reviews")),
        policy("v2", {"matchLabels": {"version": "v2"}}, []),
    ]
    assert allowed(manifests, "reviews") == ["Deployment/v1: any Pod", "Deployment/v2: nobody"]


def test_port_numbers_written_as_strings_are_ascii_digits() -> None:
    """ "²" is a digit to str.isdigit() and not to int(); "٨٠٨٠" is no port
    number: both are names, which the workload's container ports resolve
    (here they do not)."""
    for number in ("²", "٨٠٨٠"):
        rule = [{"from": [{"podSelector": {"matchLabels": app("web")}}], "ports": [{"port": number}]}]
        api = [
            workload("Deployment", "api", app("api"), ports=[{"name": "http", "containerPort": 8080}]),
            service("api", "ClusterIP", app("api"), ports=[{"port": 80, "targetPort": 8080}]),
            service("by-name", "ClusterIP", app("api"), ports=[{"port": 81, "targetPort": number}]),
        ]
        manifests = [*api, workload("Deployment", "web", app("web")), policy("api", {"matchLabels": app("api")}, rule)]
        assert allowed(manifests, "api") == ["nobody"]
        assert allowed(manifests, "by-name") == ["Deployment/web"]  # the same name: the same port


def test_selecting_pods_costs_the_same_whatever_labels_policies_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """Policies and peers that all select on a label every workload has (a
    shared instance label sorts first), or by matchExpressions: each
    selector is matched against its few candidates, not every workload."""
    calls = 0
    real = _Selector.matches

    def counted(self: _Selector, labels: Any) -> bool:
        nonlocal calls
        calls += 1
        return real(self, labels)

    monkeypatch.setattr(_Selector, "matches", counted)
    n = 200
    manifests: list[dict[str, Any]] = []
    for i in range(n):
        labels = {"app.kubernetes.io/instance": "prod", "app.kubernetes.io/name": f"w{i}"}
        caller = {"app.kubernetes.io/instance": "prod", "app.kubernetes.io/name": f"w{(i + 1) % n}"}
        by_expression = {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": [f"w{i}"]}]}
        manifests += [
            workload("Deployment", f"w{i}", labels, ports=HTTP),
            service(f"w{i}", "ClusterIP", labels),
            policy(f"p{i}", {"matchLabels": labels}, [{"from": [{"podSelector": {"matchLabels": caller}}]}]),
            policy(
                f"q{i}",
                by_expression,
                [
                    {
                        "from": [
                            {
                                "podSelector": {
                                    "matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "Exists"}],
                                    "matchLabels": caller,
                                }
                            }
                        ]
                    }
                ],
            ),
        ]
    rows = column(describe(manifests), "ALLOWED FROM")
    assert rows["shop/w0"] == ["Deployment/w1"]
    assert rows[f"shop/w{n - 1}"] == ["Deployment/w0"]
    assert calls <= 10 * n


def test_names_cannot_break_a_table_row() -> None:
    """A line break would forge a row; an escape sequence would drive the terminal."""
    name = "x\ndefault/forged  ClusterIP\x1b[2J\u2028\r"
    manifests = [workload("Deployment", name, app("web")), service(name, "ClusterIP", app("web"))]
    assert describe(manifests).splitlines()[1:] == [
        "shop/x\\ndefault/forged  ClusterIP\\u001b[2J\\u2028\\r  ClusterIP  east-west"
        "  x\\ndefault/forged  ClusterIP\\u001b[2J\\u2028\\r.shop.svc.cluster.local:80  -"
        "             Deployment/x\\ndefault/forged  ClusterIP\\u001b[2J\\u2028\\r (1 replica)  any Pod"
    ]


def test_any_pulumi_kubernetes_program_is_described_from_what_it_registers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A program this project did not write: raw pulumi_kubernetes resources."""
    (tmp_path / "Pulumi.yaml").write_text("name: raw-app\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config:\n  raw-app:replicas: 3\n")
    (tmp_path / "__main__.py").write_text(
        textwrap.dedent(
            """\
            import pulumi
            import pulumi_kubernetes as k8s

            replicas = pulumi.Config().require_int("replicas")
            for name, count in (("api", replicas), ("web", 1)):
                k8s.apps.v1.Deployment(
                    name,
                    metadata={"name": name, "namespace": "team"},
                    spec={
                        "replicas": count,
                        "selector": {"match_labels": {"app": name}},
                        "template": {
                            "metadata": {"labels": {"app": name}},
                            "spec": {
                                "containers": [
                                    {"name": name, "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 80}]}
                                ]
                            },
                        },
                    },
                )
            k8s.core.v1.Service(
                "api",
                metadata={"name": "api", "namespace": "team"},
                spec={"type": "NodePort", "selector": {"app": "api"}, "ports": [{"port": 8080, "target_port": "http", "node_port": 31080}]},
            )
            k8s.networking.v1.NetworkPolicy(
                "api",
                metadata={"name": "api", "namespace": "team"},
                spec={
                    "pod_selector": {"match_labels": {"app": "api"}},
                    "policy_types": ["Ingress"],
                    "ingress": [{"from_": [{"pod_selector": {"match_labels": {"app": "web"}}}]}],
                },
            )
            """
        )
    )
    assert main(["describe", "test", "--project-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == textwrap.dedent(
        """\
        SERVICE   TYPE      EXPOSURE     IN-CLUSTER                       FROM OUTSIDE     ROUTES TO                    ALLOWED FROM
        team/api  NodePort  north-south  api.team.svc.cluster.local:8080  <node IP>:31080  Deployment/api (3 replicas)  Deployment/web
        """
    )
    assert main(["describe", "test", "--project-dir", str(tmp_path), "--format", "mermaid"]) == 0
    assert capsys.readouterr().out == textwrap.dedent(
        """\
        flowchart LR
            subgraph ns1["namespace team"]
                svc1["Service api<br/>NodePort"]
                wl1[["Deployment api<br/>3 replicas"]]
                wl2[["Deployment web<br/>1 replica"]]
            end
            clients(("clients outside the cluster"))
            entry1[/"every node :31080"/]
            clients --> entry1
            entry1 --> svc1
            svc1 --> wl1
            wl2 -.->|"may call"| svc1
        """
    )


# --- hostile names in pictures -----------------------------------------------------

# What no name may do to a picture: end a label or a statement, start a
# comment, open markdown or HTML, or smuggle an escape sequence.
HOSTILE = 'x"] --> evil; end\n%% `a` |b| #quot; <br/> \\ \\" {c} é 💥'
# What each label shows of it: control characters become spaces.
SHOWN = HOSTILE.replace("\n", " ")


def hostile_objects() -> list[dict[str, Any]]:
    return [
        workload("Deployment", HOSTILE, app("web"), namespace=HOSTILE, replicas=2),
        workload("Deployment", "caller", app("caller"), namespace=HOSTILE),
        service(
            HOSTILE, "LoadBalancer", app("web"), namespace=HOSTILE, annotations={SOURCE_RANGES_ANNOTATION: HOSTILE}
        ),
        service("ext", "ExternalName", namespace=HOSTILE, externalName=HOSTILE),
        policy(
            HOSTILE,
            {"matchLabels": app("web")},
            [{"from": [{"podSelector": {"matchLabels": app("caller")}}, {"ipBlock": {"cidr": HOSTILE}}]}],
            namespace=HOSTILE,
        ),
    ]


# Every line `mermaid` writes, and the labels in it: only plain characters,
# entity codes and <br/>, inside double quotes.
_MERMAID_LABEL = r'"((?:[A-Za-z0-9 ._:/,()=+*@-]|#\d+;|<br/>)*)"'
_MERMAID_LINE = re.compile(
    r"flowchart LR|    end|( {4}| {8})subgraph ns\d+\[" + _MERMAID_LABEL + r"\]"
    r"|( {4}| {8})(clients|entry\d+|svc\d+|wl\d+|dns\d+|peer\d+)"
    r"(\(\(" + _MERMAID_LABEL + r"\)\)|\[/" + _MERMAID_LABEL + r"/\]|\[\[" + _MERMAID_LABEL + r"\]\]"
    r"|\[" + _MERMAID_LABEL + r"\]|>" + _MERMAID_LABEL + r"\]|\(" + _MERMAID_LABEL + r"\))"
    r"|    [a-z]+\d* (-->|-\.->)(\|" + _MERMAID_LABEL + r"\|)? [a-z]+\d*"
)


def mermaid_labels(text: str) -> list[str]:
    for line in text.splitlines():
        assert _MERMAID_LINE.fullmatch(line), line
    labels = re.findall(_MERMAID_LABEL, text)
    return [
        "\n".join(re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), line) for line in label.split("<br/>"))
        for label in labels
    ]


_DOT_STRING = r'"((?:[^"\\\n]|\\.)*)"'
_DOT_LINE = re.compile(
    r'digraph "topology" \{|    rankdir=LR;|    subgraph "cluster_ns\d+" \{|    \}|\}'
    r"|        label=" + _DOT_STRING + ";"
    r'|( {4}| {8})"[a-z]+\d*" \[shape=[a-z0-9]+(, style="[a-z,]+")?, label=' + _DOT_STRING + r"\];"
    r'|    "[a-z]+\d*" -> "[a-z]+\d*"( \[label=' + _DOT_STRING + r"(, style=dashed)?\]| \[style=dashed\])?;"
)


def dot_labels(text: str) -> list[str]:
    for line in text.splitlines():
        assert _DOT_LINE.fullmatch(line), line
    labels = re.findall(r"label=" + _DOT_STRING, text)
    # As Graphviz reads them: \" is a quote, \\ a backslash, \n a line break.
    return [re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), label) for label in labels]


def test_hostile_names_stay_inside_mermaid_labels() -> None:
    text = describe(hostile_objects(), "mermaid")
    labels = mermaid_labels(text)
    assert f"namespace {SHOWN}" in labels
    assert f"Service {SHOWN}\nLoadBalancer" in labels
    assert f"Deployment {SHOWN}\n2 replicas" in labels
    assert f"load balancer :80 from {SHOWN}\nevery node, assigned node port" in labels
    assert SHOWN in labels  # the ExternalName target and the ipBlock
    assert text.splitlines()[:3] == [
        "flowchart LR",
        '    subgraph ns1["namespace x#34;#93; --#62; evil#59; end #37;#37; #96;a#96; #124;b#124; #35;quot#59;'
        ' #60;br/#62; #92; #92;#34; #123;c#125; #233; #128165;"]',
        '        svc1["Service ext<br/>ExternalName"]',
    ]


def test_hostile_names_stay_inside_dot_strings() -> None:
    text = describe(hostile_objects(), "dot")
    labels = dot_labels(text)
    assert f"namespace {SHOWN}" in labels
    assert f"Service {SHOWN}\nLoadBalancer" in labels
    assert f"Deployment {SHOWN}\n2 replicas" in labels
    assert SHOWN in labels
    assert text.splitlines()[3] == (
        r'        label="namespace x\"] --> evil; end %% `a` |b| #quot; <br/> \\ \\\" {c} é 💥";'
    )


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_stack_s_pictures_are_well_formed(stack: str) -> None:
    found = objects(PROJECT, stack)
    assert mermaid_labels(describe(found, "mermaid"))
    assert dot_labels(describe(found, "dot"))
