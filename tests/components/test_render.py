"""k8s_services.render and `python -m components`: every stack of this project
rendered offline, checked against the schemas, the seed and its description."""

from __future__ import annotations

import ipaddress
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from k8s_services.cli import main
from k8s_services.render import HEADER, _dump, render, run_stack
from tests.conftest import assert_valid, differences, load_seed, plain_documents

PROJECT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (PROJECT / "stacks").glob("Pulumi.*.yaml"))


def test_every_environment_has_a_stack() -> None:
    assert STACKS == ["dev", "prod", "staging"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_rendered_object_validates(stack: str) -> None:
    manifests = list(yaml.safe_load_all(render(PROJECT, stack)))
    assert manifests
    for manifest in manifests:
        assert_valid(manifest)


@pytest.mark.parametrize("stack", STACKS)
def test_render_is_byte_for_byte_repeatable(stack: str) -> None:
    assert render(PROJECT, stack) == render(PROJECT, stack)


@pytest.mark.parametrize("stack", STACKS)
def test_integers_stay_integers(stack: str) -> None:
    text = render(PROJECT, stack)
    assert ".0\n" not in text
    services = [m for m in yaml.safe_load_all(text) if m and m["kind"] == "Service"]
    assert all(type(port["port"]) is int for s in services for port in s["spec"].get("ports", []))


@pytest.mark.parametrize(
    ("name", "kind", "seed"),
    [
        ("nodeport-study", "Service", "nodeport-service.yaml"),
        ("nginx-pod", "Pod", "nginx-pod.yaml"),
        ("loadbalancer-study", "Service", "loadbalancer-service.yaml"),
        ("nginx-pod-loadbalancer", "Pod", "nginx-pod-loadbalancer.yaml"),
    ],
)
def test_dev_reproduces_the_seed(name: str, kind: str, seed: str) -> None:
    manifests = run_stack(PROJECT, "dev").manifests(kind)
    [found] = [m for m in manifests if m["metadata"]["name"] == name]
    assert differences(found, load_seed(seed)) == []


def test_dev_east_west_services_admit_only_each_other() -> None:
    policies = {m["metadata"]["name"]: m["spec"] for m in run_stack(PROJECT, "dev").manifests("NetworkPolicy")}
    assert policies == {
        "orders": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "orders"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "products"}}}],
                    "ports": [{"port": "http", "protocol": "TCP"}],
                }
            ],
        },
        "products": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "products"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "orders"}}}],
                    "ports": [{"port": "http", "protocol": "TCP"}],
                }
            ],
        },
    }


def test_prod_has_no_node_port_service_and_runs_restricted_deployments() -> None:
    mocks = run_stack(PROJECT, "prod")
    assert {m["spec"]["type"] for m in mocks.manifests("Service")} == {"ClusterIP", "LoadBalancer", "ExternalName"}
    assert mocks.manifests("Pod") == []
    for deployment in mocks.manifests("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert deployment["spec"]["replicas"] == 3
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert ":" in container["image"] and not container["image"].endswith(":latest")
            assert set(container) >= {"readinessProbe", "livenessProbe", "resources"}
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}


def test_staging_and_prod_load_balancers_set_source_ranges() -> None:
    for stack in ("staging", "prod"):
        [lb] = [m for m in run_stack(PROJECT, stack).manifests("Service") if m["spec"]["type"] == "LoadBalancer"]
        assert lb["spec"]["loadBalancerSourceRanges"]


def test_services_output_says_how_each_bundle_is_reached() -> None:
    services = run_stack(PROJECT, "dev").stack_outputs["services"]
    assert sorted(services) == [
        "loadbalancer-study",
        "nodeport-study",
        "orders",
        "orders-db",
        "products",
        "sessions",
        "storefront",
        "storefront-public",
    ]
    nodeport = services["nodeport-study"]
    assert {k: v for k, v in nodeport.items() if k not in ("cluster_ip", "node_ports")} == {
        "type": "NodePort",
        "exposure": "north-south",
        "dns_name": "nodeport-study.my-ns-nodeport.svc.cluster.local",
        "ports": [{"name": "port1", "port": 81, "protocol": "TCP", "target_port": 80}],
        "endpoint": "",
        "allowed_from": None,
    }
    assert nodeport["cluster_ip"].startswith("10.")
    assert list(nodeport["node_ports"]) == ["port1"]
    assert ipaddress.ip_address(services["loadbalancer-study"]["endpoint"]) in ipaddress.ip_network("198.18.0.0/15")
    assert services["orders-db"] == {
        "type": "ExternalName",
        "exposure": "east-west",
        "dns_name": "orders-db.shop.svc.cluster.local",
        "cluster_ip": "",
        "ports": [{"name": "postgres", "port": 5432, "protocol": "TCP"}],
        "node_ports": {},
        "endpoint": "",
        "allowed_from": None,
    }
    assert services["products"]["allowed_from"] == ["bundle orders"]
    # One Deployment, reached east-west and north-south.
    assert services["storefront-public"]["type"] == "LoadBalancer"
    assert services["storefront-public"]["exposure"] == "north-south"
    assert services["storefront"]["exposure"] == "east-west"
    assert services["sessions"]["cluster_ip"] == "None"


def test_dev_storefront_is_one_deployment_behind_two_services() -> None:
    mocks = run_stack(PROJECT, "dev")
    services = {m["metadata"]["name"]: m["spec"] for m in mocks.manifests("Service")}
    assert (
        services["storefront"]["selector"]
        == services["storefront-public"]["selector"]
        == {"app.kubernetes.io/name": "storefront"}
    )
    assert [m["metadata"]["name"] for m in mocks.manifests("Deployment")] == ["storefront"]
    [sessions] = mocks.manifests("StatefulSet")
    assert sessions["spec"]["serviceName"] == "sessions"
    assert services["sessions"]["clusterIP"] == "None"


def test_render_out_writes_one_file_per_object_and_replaces_its_own(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    out.mkdir()
    (out / "stale.yaml").write_text(HEADER + "kind: Old\n")
    (out / "mine.yaml").write_text("kind: NotOurs\n")
    stream = render(PROJECT, "dev", out)
    files = sorted(p.name for p in out.glob("*.yaml"))
    assert "stale.yaml" not in files
    assert "mine.yaml" in files
    assert "my-ns-nodeport--service--nodeport-study.yaml" in files
    assert "_cluster--namespace--shop.yaml" in files
    written = [yaml.safe_load((out / name).read_text()) for name in files if name != "mine.yaml"]
    assert sorted(written, key=str) == sorted((m for m in yaml.safe_load_all(stream) if m), key=str)


def _project(tmp_path: Path, stack_text: str, program: str | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: k8s-services\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.test.yaml").write_text(stack_text)
    (tmp_path / "__main__.py").write_text(program if program is not None else (PROJECT / "__main__.py").read_text())
    return tmp_path


@pytest.mark.parametrize("command", ["render", "describe"])
def test_a_config_error_exits_2_with_the_messages(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(
        tmp_path,
        "config:\n  k8s-services:services:\n    db: {type: ExternalName, external_name: localhost}\n",
    )
    assert main([command, "test", "--project-dir", str(project)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: The stack config has 1 problem:\n"
        '  services.db.external_name: "localhost" names the loopback host: whoever follows this Service (an ingress'
        " controller, a proxy) resolves it through its own /etc/hosts to itself, 127.0.0.1 or ::1, and so connects"
        " to its own local ports, admin ports included (CVE-2021-32783); point it at a real DNS name.\n"
    )


@pytest.mark.parametrize(
    ("stack_text", "message"),
    [
        ("- just\n- a list\n", "must be a mapping with a 'config' key, not list."),
        ("config: [1, 2]\n", "'config' must be a mapping, not list."),
        ("config: {unclosed\n", "is not valid YAML"),
    ],
)
def test_a_malformed_stack_file_exits_2(
    tmp_path: Path, stack_text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, stack_text)
    assert main(["render", "test", "--project-dir", str(project)]) == 2
    assert message in capsys.readouterr().err


def test_an_unknown_stack_exits_2_listing_the_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "qa", "--project-dir", str(PROJECT)]) == 2
    assert (
        capsys.readouterr().err
        == f"error: {PROJECT}/stacks/Pulumi.qa.yaml: no such stack file; stacks here: dev, prod, staging.\n"
    )


def test_render_runs_any_pulumi_kubernetes_program(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = textwrap.dedent(
        """\
        import pulumi
        import pulumi_kubernetes as k8s

        replicas = pulumi.Config().require_int("replicas")
        k8s.apps.v1.Deployment(
            "web",
            metadata={"name": "web"},
            spec={
                "replicas": replicas,
                "selector": {"match_labels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27.0"}]},
                },
            },
        )
        """
    )
    project = _project(tmp_path, "config:\n  k8s-services:replicas: 2\n", program)
    assert main(["render", "test", "--project-dir", str(project)]) == 0
    [deployment] = [m for m in yaml.safe_load_all(capsys.readouterr().out) if m]
    assert deployment["spec"]["replicas"] == 2
    assert_valid(deployment)


def test_a_nested_secure_value_renders_as_the_placeholder(tmp_path: Path) -> None:
    # What `pulumi config set --path --secret
    # 'k8s-services:services.web.containers[0].env[0].value' ...` writes.
    ciphertext = "v1:Qm9ndXNDaXBoZXJ0ZXh0:AAABAGZha2Vfc2VjcmV0"
    project = _project(
        tmp_path,
        textwrap.dedent(
            f"""\
            config:
              k8s-services:services:
                web:
                  type: ClusterIP
                  namespace: shop
                  containers:
                  - name: web
                    image: nginxinc/nginx-unprivileged:1.27.2
                    env:
                    - name: API_TOKEN
                      value:
                        secure: {ciphertext}
                    ports:
                    - name: http
                      container_port: 8080
                  ports:
                  - name: http
                    port: 80
            """
        ),
    )
    stream = render(project, "test")
    assert ciphertext not in stream
    [pod] = [doc for doc in yaml.safe_load_all(stream) if doc and doc["kind"] == "Pod"]
    assert pod["spec"]["containers"][0]["env"] == [{"name": "API_TOKEN", "value": "[secret]"}]


NODE_PORT_BUNDLE = (
    "    w{i}: {{type: NodePort, selector: {{app: w{i}}}, ports: [{{name: http, port: 80}}],"
    " containers: [{{name: a, image: 'ghcr.io/acme/a:1', ports: [{{name: http, container_port: 8080}}]}}]}}\n"
)


def test_more_node_ports_than_the_range_holds_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the API server refuses a Service once the range is full
    (pkg/registry/core/service/portallocator ErrFull)."""
    bundles = "".join(NODE_PORT_BUNDLE.format(i=i) for i in range(5))
    project = _project(
        tmp_path,
        "config:\n  k8s-services:defaults: {node_port_range: 30000-30003}\n  k8s-services:services:\n" + bundles,
    )
    assert main(["render", "test", "--project-dir", str(project)]) == 2
    assert capsys.readouterr().err == (
        "error: The stack config has 1 problem:\n"
        "  services.w4: needs node ports past the cluster's node port range 30000-30003, which holds 4: the bundles"
        " up to this one ask for 5, and the API server refuses a Service when the range is full. Use ClusterIP for"
        " east-west bundles, a LoadBalancer with 'allocate_load_balancer_node_ports: false', or a wider"
        " 'node_port_range' if the cluster has one.\n"
    )


def test_render_allocates_from_the_stack_s_node_port_range(tmp_path: Path) -> None:
    bundles = "".join(NODE_PORT_BUNDLE.format(i=i) for i in range(4))
    project = _project(
        tmp_path,
        "config:\n  k8s-services:defaults: {node_port_range: 40000-40003}\n  k8s-services:services:\n" + bundles,
    )
    outputs = run_stack(project, "test").stack_outputs["services"]
    assert sorted(port for bundle in outputs.values() for port in bundle["node_ports"].values()) == [
        40000,
        40001,
        40002,
        40003,
    ]


def test_the_mock_kit_refuses_a_service_when_the_range_is_full() -> None:
    from components import NodePortService
    from components.testing import ClusterRefused, KubernetesMocks, run

    def program() -> None:
        for i in range(3):
            NodePortService(
                f"w{i}",
                {
                    "selector": {"app": f"w{i}"},
                    "containers": [{"name": "a", "image": "b:1", "ports": [{"name": "http", "container_port": 80}]}],
                    "ports": [{"name": "http", "port": 80}],
                },
            )

    mocks = KubernetesMocks(node_port_range="30000-30001")
    with pytest.raises(ClusterRefused) as exc:
        run(program, mocks)
    assert str(exc.value) == mocks.refused[0]
    assert mocks.refused == [
        'Service "w2" is invalid: spec.ports[0].nodePort: Internal error: failed to allocate a nodePort: range is'
        " full: every node port of 30000-30001 is taken"
    ]


# --- render writes what the program registers ----------------------------------------------


def _loaded(text: str) -> list[Any]:
    return [document for document in yaml.safe_load_all(text) if document is not None]


def _exact(value: Any) -> Any:
    """``value`` with each leaf's type beside it, so True == 1 and 1 == 1.0 do not pass."""
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact(item) for item in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("stack", STACKS)
def test_render_writes_exactly_the_objects_the_program_registers(stack: str) -> None:
    registered = run_stack(PROJECT, stack).manifests()
    assert _exact(_loaded(render(PROJECT, stack))) == _exact(registered)


def test_render_of_a_large_generated_stack_writes_exactly_what_is_registered(tmp_path: Path) -> None:
    bundles = "".join(
        f"    b{i}:\n"
        f"      type: {('ClusterIP', 'NodePort', 'LoadBalancer')[i % 3]}\n"
        f"      selector: {{app: b{i}}}\n"
        f"      service_annotations: {{note: {json.dumps('é ' * (i % 7) + 'x: y # z' * (i % 2) + ' ' * (i % 3))}}}\n"
        "      ports: [{name: http, port: 80}]\n"
        "      containers:\n"
        "        - name: web\n"
        "          image: ghcr.io/acme/web:1.0.0\n"
        "          ports: [{name: http, container_port: 8080}]\n"
        f"          env: [{{name: LONG, value: {json.dumps('word ' * (i % 40))}}}, {{name: EMPTY, value: ''}}]\n"
        for i in range(120)
    )
    project = _project(tmp_path, "config:\n  k8s-services:services:\n" + bundles)
    registered = run_stack(project, "test").manifests()
    assert len(registered) == 240
    assert _exact(_loaded(render(project, "test"))) == _exact(registered)


@settings(max_examples=300, deadline=None)
@given(plain_documents(nan=False))
def test_the_yaml_render_writes_loads_back_to_the_same_data(document: dict[str, Any]) -> None:
    """The emitter render uses (libyaml's when PyYAML has it) on any plain
    data: what it writes loads back, with PyYAML's pure-Python loader, to
    the very same values and types."""
    assert _exact(yaml.safe_load(_dump(document))) == _exact(document)
