"""render's two paths (k8s_services.render.objects): the stack's plans,
built without pulumi, against the Pulumi SDK running the program under the
mock kit. For this project's program both must give the same objects, byte
for byte, the same sources and Pulumi options, and the same errors (issue
15: "a test compares any faster path with the SDK's own registration
path on every stack in the repository and on a generated large one")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from k8s_services.cli import main
from k8s_services.render import DUMPER, RenderError, _dump, is_this_program, objects, render
from tests.conftest import FIXTURES, plain_documents

PROJECT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (PROJECT / "stacks").glob("Pulumi.*.yaml"))
BROKEN = yaml.safe_load((FIXTURES / "broken-configs.yaml").read_text())


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _project(tmp_path: Path, config: dict[str, Any], program: str | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: k8s-services\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir(exist_ok=True)
    (tmp_path / "stacks" / "Pulumi.test.yaml").write_text(
        yaml.dump({"config": config}, Dumper=_NoAliases, sort_keys=False)
    )
    (tmp_path / "__main__.py").write_text(program if program is not None else (PROJECT / "__main__.py").read_text())
    return tmp_path


def _errors_both_ways(project: Path) -> str:
    """The error both paths refuse the stack "test" with; assert it is the same."""
    errors = []
    for via in ("sdk", "plans"):
        with pytest.raises(RenderError) as caught:
            objects(project, "test", via)  # type: ignore[arg-type]
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    return errors[1]


def _imported_while_rendering(project: Path, stack: str) -> str:
    """Which of pulumi, pulumi_kubernetes and grpc a fresh process rendering
    ``stack`` imports, as printed by it."""
    code = (
        "import sys, pathlib\n"
        "from k8s_services.render import render\n"
        "render(pathlib.Path(sys.argv[1]), sys.argv[2])\n"
        "print(sorted(m for m in ('pulumi', 'pulumi_kubernetes', 'grpc') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(project), stack], capture_output=True, text=True, check=True
    )
    return result.stdout


def _same_both_ways(project: Path, stack: str) -> str:
    """Render both ways; assert the objects and the text are the same; return the text."""
    via_sdk, via_plans = objects(project, stack, "sdk"), objects(project, stack, "plans")
    assert [(o.type, o.name, o.source, o.options) for o in via_plans] == [
        (o.type, o.name, o.source, o.options) for o in via_sdk
    ]
    # JSON tells 1 from 1.0 and True from 1; keys sorted, as render writes them.
    assert [json.dumps(o.manifest, sort_keys=True) for o in via_plans] == [
        json.dumps(o.manifest, sort_keys=True) for o in via_sdk
    ]
    text = render(project, stack, via="plans")
    assert text == render(project, stack, via="sdk")
    return text


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_renders_the_same_through_its_plans_and_through_the_sdk(stack: str) -> None:
    text = _same_both_ways(PROJECT, stack)
    assert render(PROJECT, stack) == text  # auto: this project's program takes the plans


def _generated(n: int) -> dict[str, Any]:
    """A stack with every kind of bundle the library builds, n of them."""
    container = {
        "name": "web",
        "image": "ghcr.io/acme/web:1.0.0",
        "ports": [{"name": "http", "container_port": 8080}],
        "env": [{"name": "EMPTY", "value": ""}, {"name": "NOTE", "value": "x: y # z é"}],
        "resources": {"limits": {"cpu": 0.5, "memory": "64Mi"}},
    }
    services: dict[str, Any] = {}
    for i in range(n):
        kind = i % 8
        name = f"b{i}"
        base: dict[str, Any] = {"containers": [container], "ports": [{"name": "http", "port": 80 + i % 3}]}
        if kind == 0:
            services[name] = {"type": "ClusterIP", **base, "allow_from": [{"bundle": f"b{i + 1}"}]}
        elif kind == 1:
            services[name] = {"type": "NodePort", **base, "workload": "Deployment", "replicas": 2}
        elif kind == 2:
            services[name] = {
                "type": "LoadBalancer",
                **base,
                "load_balancer_source_ranges": ["203.0.113.0/24"],
                "external_traffic_policy": "Local",
                "custom_timeouts": {"create": "5m"},
            }
        elif kind == 3:
            services[name] = {"type": "ExternalName", "external_name": f"db{i}.example.com"}
        elif kind == 4:
            services[name] = {
                "type": "ClusterIP",
                **base,
                "headless": True,
                "workload": "StatefulSet",
                "namespace": "data",
                "service_account": True,
                "disruption_budget": {"max_unavailable": 1},
            }
        elif kind == 5:
            services[name] = {"type": "LoadBalancer", "target": f"b{i - 4}", "ports": [{"name": "http", "port": 443}]}
        elif kind == 6:
            services[name] = {
                "type": "ClusterIP",
                **base,
                "versions": {"v1": {"replicas": 2}, "v2": {}},
                "workload": "Deployment",
            }
        else:
            services[name] = {"type": "ClusterIP", **base, "workload": "DaemonSet", "pod_security": "baseline"}
    return {
        "k8s-services:protect": True,
        "k8s-services:defaults": {"namespace": "apps", "node_port_range": "30000-39999"},
        "k8s-services:namespaces": {"apps": {}, "data": {"labels": {"team": "data"}}},
        "k8s-services:services": services,
    }


def test_a_large_generated_stack_renders_the_same_through_its_plans_and_through_the_sdk(tmp_path: Path) -> None:
    project = _project(tmp_path, _generated(160))
    text = _same_both_ways(project, "test")
    rendered = [document for document in yaml.safe_load_all(text) if document is not None]
    # Two namespaces; per 8 bundles: Pod, Service, NetworkPolicy; Deployment, Service; Pod, Service; Service;
    # ServiceAccount, StatefulSet, Service, PodDisruptionBudget; Service; two Deployments, Service; DaemonSet, Service.
    assert len(rendered) == 2 + 20 * (3 + 2 + 2 + 1 + 4 + 1 + 3 + 2)
    # Each kind of object and each Pulumi-only option is there to compare.
    assert {d["kind"] for d in rendered} == {
        "Namespace",
        "Pod",
        "Service",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "NetworkPolicy",
        "ServiceAccount",
        "PodDisruptionBudget",
    }
    assert "# Pulumi only: protect" in text
    assert "# Pulumi only: retainOnDelete" in text
    assert "# Pulumi only: customTimeouts (create 5m)" in text


@pytest.mark.parametrize("case", BROKEN, ids=[case["name"] for case in BROKEN])
def test_a_broken_config_is_refused_alike_both_ways(tmp_path: Path, case: dict[str, Any]) -> None:
    config = {f"k8s-services:{key}": value for key, value in case["config"].items() if key != "extra_keys"}
    for key in case["config"].get("extra_keys", []):
        config[f"k8s-services:{key}"] = "x"
    project = _project(tmp_path, config)
    errors = _errors_both_ways(project)
    for message in case["messages"]:
        assert message in errors


def test_a_full_node_port_range_is_refused_alike_both_ways(tmp_path: Path) -> None:
    web = {
        "type": "NodePort",
        "containers": [{"name": "web", "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 80}]}],
        "ports": [{"name": "http", "port": 80}],
    }
    project = _project(
        tmp_path,
        {
            "k8s-services:defaults": {"node_port_range": "30000-30001"},
            "k8s-services:services": {"a": web, "b": web, "c": web},
        },
    )
    errors = _errors_both_ways(project)
    assert "services.c: needs node ports past the cluster's node port range 30000-30001, which holds 2" in errors


# --- which programs take the plans ------------------------------------------------------------


def test_this_project_s_program_is_recognized_with_any_docstring_and_comments(tmp_path: Path) -> None:
    main = tmp_path / "__main__.py"
    main.write_text('"""Another docstring."""\n# a comment\nfrom k8s_services.program import main  # why\n\n\nmain()\n')
    assert is_this_program(main)
    assert is_this_program(PROJECT / "__main__.py")


@pytest.mark.parametrize(
    "text",
    [
        "from k8s_services.program import main\nmain()\nprint('more')\n",
        "from k8s_services.program import main\n",
        "import k8s_services.program\nk8s_services.program.main()\n",
        "def (:\n",
        "x = 1\n" * 20_000,  # over 64 KiB: not read further
        "\0",
    ],
)
def test_any_other_program_runs_under_the_sdk(tmp_path: Path, text: str) -> None:
    main = tmp_path / "__main__.py"
    main.write_text(text)
    assert not is_this_program(main)


def test_a_program_with_resources_of_its_own_is_rendered_by_running_it(tmp_path: Path) -> None:
    program = (PROJECT / "__main__.py").read_text() + (
        "\nimport pulumi_kubernetes as k8s\n\n"
        "k8s.core.v1.ConfigMap('settings', metadata={'name': 'settings', 'namespace': 'default'},"
        " data={'mode': 'fast'})\n"
    )
    config = {
        "k8s-services:services": {
            "db": {"type": "ExternalName", "external_name": "db.example.com"},
        }
    }
    project = _project(tmp_path, config, program)
    text = render(project, "test")
    assert [o.manifest["kind"] for o in objects(project, "test")] == ["Service", "ConfigMap"]  # db, settings
    assert (
        '---\n# Source: the program\n# Pulumi resource: kubernetes:core/v1:ConfigMap "settings"\n'
        "apiVersion: v1\ndata:\n  mode: fast\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n"
    ) in text
    # The plans alone would have missed the ConfigMap.
    assert [o.manifest["kind"] for o in objects(project, "test", "plans")] == ["Service"]


def test_the_plans_path_imports_neither_pulumi_nor_the_provider() -> None:
    assert _imported_while_rendering(PROJECT, "dev") == "[]\n"


# --- comments ---------------------------------------------------------------------------------


def test_rendered_objects_say_where_they_come_from_and_what_only_pulumi_applies() -> None:
    text = render(PROJECT, "dev")
    assert text.startswith(
        "# Rendered by `python -m components render`; do not edit.\n"
        "---\n"
        "# Source: the program\n"
        '# Pulumi resource: kubernetes:core/v1:Namespace "my-ns-nodeport"\n'
        "# Pulumi only: retainOnDelete (pulumi destroy leaves it in the cluster)\n"
        "apiVersion: v1\n"
        "kind: Namespace\n"
    )
    assert (
        "---\n"
        "# Source: loadbalancer-study (k8s-services:index:LoadBalancerService)\n"
        '# Pulumi resource: kubernetes:core/v1:Service "loadbalancer-study"\n'
        "# Pulumi only: skipAwait (pulumi.com/skipAwait: Pulumi does not wait for it to be ready)\n"
        "apiVersion: v1\n"
        "kind: Service\n"
    ) in text


def test_names_from_any_program_cannot_break_out_of_their_comment(tmp_path: Path) -> None:
    program = (
        "import pulumi_kubernetes as k8s\n"
        "k8s.core.v1.ConfigMap('a\\nkind: Secret\\u2028x', metadata={'name': 'settings'}, data={'k': 'v'})\n"
    )
    project = _project(tmp_path, {}, program)
    text = render(project, "test")
    assert '# Pulumi resource: kubernetes:core/v1:ConfigMap "a\\nkind: Secret\\u2028x"\n' in text
    [document] = [d for d in yaml.safe_load_all(text) if d is not None]
    assert document["kind"] == "ConfigMap"


# --- the emitter ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(plain_documents(nan=True))
def test_render_s_yaml_is_pyyaml_s_byte_for_byte(document: dict[str, Any]) -> None:
    """render builds YAML nodes itself (k8s_services.render._node); the text
    is the very text ``yaml.dump`` writes with the same dumper."""
    assert _dump(document) == yaml.dump(document, Dumper=DUMPER, sort_keys=True, default_flow_style=False)


# --- corners where the two paths once differed (found in review) ------------------------------

_WEB = {
    "type": "ClusterIP",
    "containers": [{"name": "web", "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 8080}]}],
    "ports": [{"name": "http", "port": 80}],
}


def test_integers_past_2_to_the_53_arrive_as_the_engine_sends_them(tmp_path: Path) -> None:
    """The engine sends every number as a double: 2**53 + 1 arrives as 2**53."""
    web = {**_WEB, "pod_spec": {"active_deadline_seconds": 2**53 + 1}}
    project = _project(tmp_path, {"k8s-services:services": {"web": web}})
    text = _same_both_ways(project, "test")
    assert f"activeDeadlineSeconds: {2**53}\n" in text


def test_config_in_the_environment_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK falls back to PULUMI_CONFIG for keys the run leaves unset;
    render reads the stack file only, both ways."""
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"k8s-services:protect": "true"}))
    monkeypatch.setenv("PULUMI_CONFIG_K8S_SERVICES_PROTECT", "true")
    project = _project(tmp_path, {"k8s-services:services": {"db": {"type": "ExternalName", "external_name": "a.b"}}})
    assert "protect" not in _same_both_ways(project, "test")
    assert json.loads(os.environ["PULUMI_CONFIG"]) == {"k8s-services:protect": "true"}


def test_a_whole_float_in_the_stack_file_is_an_integer_as_the_cli_passes_it(tmp_path: Path) -> None:
    """The CLI reads YAML numbers as float64 and writes them as Go's JSON
    does (pulumi/pulumi sdk/go/common/resource/config: 2.0 becomes 2)."""
    project = _project(
        tmp_path, {"k8s-services:services": {"web": {**_WEB, "workload": "Deployment", "replicas": 2.0}}}
    )
    assert "  replicas: 2\n" in _same_both_ways(project, "test")


def test_custom_timeouts_do_not_bring_pulumi_into_the_plans_path(tmp_path: Path) -> None:
    config = {
        "k8s-services:defaults": {"custom_timeouts": {"create": "2m"}},
        "k8s-services:services": {"web": _WEB},
    }
    project = _project(tmp_path, config)
    assert "# Pulumi only: customTimeouts (create 2m)\n" in _same_both_ways(project, "test")
    assert _imported_while_rendering(project, "test") == "[]\n"


def test_a_pulumi_yaml_whose_config_is_no_mapping_is_a_config_error(tmp_path: Path) -> None:
    project = _project(tmp_path, {})
    (project / "Pulumi.yaml").write_text("name: k8s-services\nruntime: python\nstackConfigDir: stacks\nconfig: [1]\n")
    with pytest.raises(RenderError) as caught:
        render(project, "test")
    assert str(caught.value) == f"{project / 'Pulumi.yaml'}: 'config' must be a mapping of config keys, not list."


def test_a_400_digit_integer_in_the_stack_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    project = _project(tmp_path, {})
    (project / "stacks" / "Pulumi.test.yaml").write_text(
        "config:\n  k8s-services:services:\n    web:\n      type: ClusterIP\n      replicas: " + "9" * 400 + "\n"
    )
    with pytest.raises(RenderError) as caught:
        render(project, "test")
    assert str(caught.value).startswith(f"{project / 'stacks' / 'Pulumi.test.yaml'}:5:")


# --- programs that fail, print or are out of reach -----------------------------------------------


@pytest.mark.parametrize(
    ("program", "reason"),
    [
        ("raise ValueError('no\\nway')\n", "ValueError: no\\nway"),
        ("import sys\nsys.exit(3)\n", "SystemExit: 3"),
        ("import no_such_module\n", "ModuleNotFoundError: No module named 'no_such_module'"),
    ],
)
@pytest.mark.parametrize("command", ["render", "describe"])
def test_a_program_that_raises_or_exits_is_an_error_not_a_traceback(
    tmp_path: Path, program: str, reason: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, {}, program)
    assert main([command, "test", "--project-dir", str(project)]) == 2
    assert capsys.readouterr() == ("", f"error: {project / '__main__.py'}: the program failed: {reason}\n")


def test_what_a_program_prints_goes_to_stderr_not_into_the_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = "print('kind: Secret')\n" + (PROJECT / "__main__.py").read_text()
    project = _project(
        tmp_path, {"k8s-services:services": {"db": {"type": "ExternalName", "external_name": "a.b"}}}, program
    )
    assert main(["render", "test", "--project-dir", str(project)]) == 0
    out, err = capsys.readouterr()
    assert err == "kind: Secret\n"
    assert [d["kind"] for d in yaml.safe_load_all(out) if d is not None] == ["Service"]


def test_a_stack_name_too_long_for_a_file_name_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path, {})
    long = "x" * 300
    assert main(["render", long, "--project-dir", str(project)]) == 2
    assert capsys.readouterr().err == (
        f"error: {project / 'stacks' / f'Pulumi.{long}.yaml'}: cannot read it: File name too long.\n"
    )


def test_a_secure_value_with_other_keys_is_refused_without_its_ciphertext(tmp_path: Path) -> None:
    env = [{"name": "TOKEN", "value": {"secure": "v1:CIPHERTEXT", "extra": 1}}]
    web = {**_WEB, "containers": [{**_WEB["containers"][0], "env": env}]}
    project = _project(tmp_path, {"k8s-services:services": {"web": web}})
    with pytest.raises(RenderError) as caught:
        render(project, "test")
    assert str(caught.value) == (
        "k8s-services:services.web.containers[0].env[0].value: a mapping with 'secure' holds one encrypted value and"
        " nothing else; it also has 'extra'. Set the secret again with `pulumi config set --secret --path`."
    )
    assert "CIPHERTEXT" not in str(caught.value)
