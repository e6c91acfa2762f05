"""k8s_services.check and `k8s-services check`: the config checks, the rules
and the policy pack offline, in text, JSON and GitHub Actions annotations."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from k8s_services.check import (
    CheckError,
    Finding,
    Pack,
    Report,
    Resource,
    annotation,
    escape_data,
    escape_property,
    format_text,
    load_pack,
    policy_settings,
    run_policies,
    wire,
)
from k8s_services.check import main as check_main
from k8s_services.cli import main
from k8s_services.render import run_stack
from tests.policy.conftest import run_all
from tests.policy.test_stacks import DEV_ADVISORY

PROJECT = Path(__file__).resolve().parents[2]
POLICY = PROJECT / "policy"

NODE_PORT_STACK = """\
config:
  k8s-services:services:
    web:
      type: NodePort
      namespace: shop
      workload: Deployment
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
          ports:
            - name: http
              container_port: 8080
      ports:
        - name: http
          port: 80
"""

# Only ClusterIP and LoadBalancer, and the level forms: an object with
# properties, a level, "disabled".
NO_NODE_PORTS = {
    "service-type-allowed": {"allowedTypes": ["ClusterIP", "LoadBalancer"]},
    "resources-set": "disabled",
    "probes-configured": "advisory",
    "image-digest-pinned": {"enforcementLevel": "disabled"},
}

TYPE_NOT_ALLOWED = (
    "Service 'shop/web' 'spec.type' (\"NodePort\") is a type this environment does not allow (allowed: ClusterIP,"
    " LoadBalancer): every exposure type is a way into the cluster, and this one is kept closed here. Use one of the"
    " allowed types, e.g. ClusterIP behind an Ingress."
)
NO_READINESS = (
    "Deployment 'shop/web' 'spec.template.spec.containers[0].readinessProbe' is missing in container \"web\": the"
    " Service sends traffic to the container before it can answer. Add a readinessProbe."
)
NO_LIVENESS = (
    "Deployment 'shop/web' 'spec.template.spec.containers[0].livenessProbe' is missing in container \"web\": a hung"
    " process is never restarted. Add a livenessProbe."
)


def _project(directory: Path, stack_text: str, policy: dict[str, Any] | None = None) -> Path:
    """A project running this repository's program; ``policy``, if given, as ``policy.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: k8s-services\nruntime: python\nstackConfigDir: stacks\n")
    (directory / "stacks").mkdir()
    (directory / "stacks" / "Pulumi.test.yaml").write_text(stack_text)
    (directory / "__main__.py").write_text((PROJECT / "__main__.py").read_text())
    if policy is not None:
        (directory / "policy.json").write_text(json.dumps(policy))
    return directory


def _check(*args: str) -> int:
    return main(["check", *args])


def _lines(text: str) -> list[str]:
    return text.splitlines()


# --- this repository's stacks -------------------------------------------------------------


def test_dev_passes_with_exactly_its_accepted_advisory_findings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    assert _check("dev") == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    *findings, last = _lines(captured.out)
    assert last == (
        "stack dev: 0 mandatory violations, 30 advisory findings (policy pack k8s-services, config"
        " policy/config/dev.json)."
    )
    assert (
        "[advisory] loadbalancer-source-ranges (kubernetes:core/v1:Service loadbalancer-study): Service"
        " 'my-ns-nodeport/loadbalancer-study' 'spec.loadBalancerSourceRanges' is not set on a LoadBalancer Service:"
        " its external address accepts traffic from the whole internet. Set loadBalancerSourceRanges to the CIDRs"
        " that should reach it."
    ) in findings
    counts: dict[str, int] = {}
    for line in findings:
        assert line.startswith("[advisory] ")
        policy = line.split(" ")[1]
        counts[policy] = counts.get(policy, 0) + 1
    assert counts == DEV_ADVISORY


def test_dev_findings_are_what_the_policy_test_harness_finds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ways to drive the pack agree: check's (the pack loaded as the CLI
    loads it, its config reconciled as the CLI does) and tests/policy's."""
    monkeypatch.chdir(PROJECT)
    assert _check("dev", "--format", "json") == 0
    found: dict[str, list[str]] = {}
    for finding in json.loads(capsys.readouterr().out)["findings"]:
        found.setdefault(finding["policy"], []).append(finding["message"])
    mocks = run_stack(PROJECT, "dev")
    expected = run_all([(r.type, r.name, r.inputs) for r in mocks.resources if r.custom], "dev")
    assert found == expected


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_pass_advising_only_digests(
    stack: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    assert _check(stack) == 0
    lines = _lines(capsys.readouterr().out)
    workloads = [("my-ns-nodeport", "nodeport-study", "nginx"), ("my-ns-nodeport", "loadbalancer-study", "nginx")]
    workloads += [("shop", "products", "products"), ("shop", "orders", "orders")]
    assert lines == [
        f"[advisory] image-digest-pinned (kubernetes:apps/v1:Deployment {name}): Deployment '{namespace}/{name}'"
        f" 'spec.template.spec.containers[0].image' (\"nginxinc/nginx-unprivileged:1.27.2\") of container"
        f' "{container}" has no digest: a tag can be moved to other content. Pin the digest'
        ' ("image:tag@sha256:...") to run exactly what was reviewed.'
        for namespace, name, container in workloads
    ] + [
        f"stack {stack}: 0 mandatory violations, 4 advisory findings (policy pack k8s-services, config"
        f" policy/config/{stack}.json)."
    ]


def test_every_level_set_mandatory_with_all_fails_dev(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    config = tmp_path / "strict.json"
    config.write_text('{"all": "mandatory", "bare-pod": "advisory"}')
    assert _check("dev", "--policy-config", str(config)) == 1
    *findings, last = _lines(capsys.readouterr().out)
    assert (
        last == f"stack dev: 26 mandatory violations, 4 advisory findings (policy pack k8s-services, config {config})."
    )
    assert [line.split(" ")[:2] for line in findings[-4:]] == [["[advisory]", "bare-pod"]] * 4


# --- a mandatory violation ------------------------------------------------------------------


def test_a_mandatory_violation_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", NODE_PORT_STACK, NO_NODE_PORTS)
    monkeypatch.chdir(project)
    assert _check("test", "--policy-pack", str(POLICY), "--policy-config", "policy.json") == 1
    assert capsys.readouterr().out == (
        f"[mandatory] service-type-allowed (kubernetes:core/v1:Service web): {TYPE_NOT_ALLOWED}\n"
        f"[advisory] probes-configured (kubernetes:apps/v1:Deployment web): {NO_READINESS}\n"
        f"[advisory] probes-configured (kubernetes:apps/v1:Deployment web): {NO_LIVENESS}\n"
        "stack test: 1 mandatory violation, 2 advisory findings (policy pack k8s-services, config policy.json).\n"
    )


def test_github_annotations_are_errors_for_mandatory_and_warnings_for_advisory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A directory name with ":" and "," shows the escaping of a property.
    _project(tmp_path / "a:b,c", NODE_PORT_STACK, NO_NODE_PORTS)
    monkeypatch.chdir(tmp_path)
    assert (
        _check(
            "test",
            "--project-dir",
            "a:b,c",
            "--policy-pack",
            str(POLICY),
            "--policy-config",
            "a:b,c/policy.json",
            "--format",
            "github",
        )
        == 1
    )
    file = "file=a%3Ab%2Cc/stacks/Pulumi.test.yaml"
    assert capsys.readouterr().out == (
        f"::error {file},title=mandatory policy service-type-allowed::service-type-allowed"
        f" (kubernetes:core/v1:Service web): {TYPE_NOT_ALLOWED}\n"
        f"::warning {file},title=advisory policy probes-configured::probes-configured"
        f" (kubernetes:apps/v1:Deployment web): {NO_READINESS}\n"
        f"::warning {file},title=advisory policy probes-configured::probes-configured"
        f" (kubernetes:apps/v1:Deployment web): {NO_LIVENESS}\n"
        "stack test: 1 mandatory violation, 2 advisory findings (policy pack k8s-services, config a:b,c/policy.json).\n"
    )


def test_json_has_the_documented_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", NODE_PORT_STACK, NO_NODE_PORTS)
    monkeypatch.chdir(project)
    assert _check("test", "--policy-pack", str(POLICY), "--policy-config", "policy.json", "--format", "json") == 1
    assert json.loads(capsys.readouterr().out) == {
        "schemaVersion": 1,
        "stack": "test",
        "stackFile": "stacks/Pulumi.test.yaml",
        "policyPack": "k8s-services",
        "policyConfig": "policy.json",
        "findings": [
            {
                "policy": "service-type-allowed",
                "level": "mandatory",
                "resource": {"type": "kubernetes:core/v1:Service", "name": "web"},
                "message": TYPE_NOT_ALLOWED,
            },
            {
                "policy": "probes-configured",
                "level": "advisory",
                "resource": {"type": "kubernetes:apps/v1:Deployment", "name": "web"},
                "message": NO_READINESS,
            },
            {
                "policy": "probes-configured",
                "level": "advisory",
                "resource": {"type": "kubernetes:apps/v1:Deployment", "name": "web"},
                "message": NO_LIVENESS,
            },
        ],
        "counts": {"mandatory": 1, "advisory": 2},
        "errors": [],
        "exitStatus": 1,
    }


# --- config errors: exit 2, the message, no traceback ----------------------------------------

BAD_DNS_NAME = (
    "The stack config has 1 problem:\n"
    '  services.db.external_name: "100%.example.com" is not a valid DNS name: the API server requires lower-case'
    " letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit (one trailing"
    " dot is allowed)."
)
BAD_STACK = 'config:\n  k8s-services:services:\n    db: {type: ExternalName, external_name: "100%.example.com"}\n'


def test_a_stack_config_error_exits_2_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", BAD_STACK, {})
    monkeypatch.chdir(project)
    assert _check("test", "--policy-pack", str(POLICY), "--policy-config", "policy.json") == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {BAD_DNS_NAME}\n"
    assert captured.out == "stack test: not checked: 1 error.\n"


def test_a_config_error_is_an_annotation_on_the_stack_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # %, a line break, ":" and "," in one annotation.
    _project(tmp_path / "a:b,c", BAD_STACK, {})
    monkeypatch.chdir(tmp_path)
    args = ["test", "--project-dir", "a:b,c", "--policy-pack", str(POLICY), "--policy-config", "a:b,c/policy.json"]
    assert _check(*args, "--format", "github") == 2
    assert capsys.readouterr().out == (
        "::error file=a%3Ab%2Cc/stacks/Pulumi.test.yaml,title=stack test not checked::The stack config has 1"
        ' problem:%0A  services.db.external_name: "100%25.example.com" is not a valid DNS name: the API server'
        " requires lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter"
        " or digit (one trailing dot is allowed).\n"
        "stack test: not checked: 1 error.\n"
    )
    assert _check(*args, "--format", "json") == 2
    assert json.loads(capsys.readouterr().out) == {
        "schemaVersion": 1,
        "stack": "test",
        "stackFile": "a:b,c/stacks/Pulumi.test.yaml",
        "policyPack": "k8s-services",
        "policyConfig": "a:b,c/policy.json",
        "findings": [],
        "counts": {"mandatory": 0, "advisory": 0},
        "errors": [{"file": "a:b,c/stacks/Pulumi.test.yaml", "message": BAD_DNS_NAME}],
        "exitStatus": 2,
    }


def test_an_unknown_stack_is_reported_before_its_policy_config(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    assert _check("qa") == 2
    captured = capsys.readouterr()
    assert (
        captured.err
        == f"error: {PROJECT}/stacks/Pulumi.qa.yaml: no such stack file; stacks here: dev, prod, staging.\n"
    )
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{",
            "policy.json: is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1).",
        ),
        ("[]", "policy.json: must be a JSON object of policy names, not an array."),
        (
            '{"bare-pod": "strict"}',
            'policy.json: "bare-pod": "strict" is not an enforcement level (advisory, mandatory, remediate, disabled).',
        ),
        ('{"bare-pod": 1}', 'policy.json: "bare-pod" must be an enforcement level or an object, not a number.'),
        (
            '{"bare-pod": {"enforcementLevel": true}}',
            'policy.json: "bare-pod".enforcementLevel must be a string, not a boolean.',
        ),
        (
            '{"bare-pods": "disabled"}',
            'policy.json: no policy of the pack k8s-services is named "bare-pods" (did you mean "bare-pod"?).',
        ),
        (
            '{"service-type-allowed": {"allowedTypes": ["Ingress"]}}',
            "policy.json: the policy config does not match the pack's config schemas:\n"
            "  service-type-allowed: config.allowedTypes[0] must be one of ['ClusterIP', 'NodePort', 'LoadBalancer',"
            " 'ExternalName']",
        ),
        (
            '{"service-api-rules": {"nodePortRange": 30000}}',
            "policy.json: the policy config does not match the pack's config schemas:\n"
            "  service-api-rules: config.nodePortRange must be string",
        ),
        # Bounded: nesting Python's json cannot read (RecursionError), a number
        # int() refuses (ValueError) or the Pulumi CLI's float64 cannot hold,
        # and the constants Python's json reads and JSON does not have.
        (
            "[" * 100_000 + "]" * 100_000,
            "policy.json: nests arrays or objects too deeply to read; a policy config is small JSON.",
        ),
        (
            '{"a": ' * 5000 + "1" + "}" * 5000,
            "policy.json: nests arrays or objects too deeply to read; a policy config is small JSON.",
        ),
        ('{"all": ' + "1" * 5000 + "}", "policy.json: is not valid JSON: a number of 5000 digits is out of range."),
        ('{"all": NaN}', "policy.json: is not valid JSON: NaN is not a JSON value."),
        ('{"all": -Infinity}', "policy.json: is not valid JSON: -Infinity is not a JSON value."),
    ],
)
def test_a_bad_policy_config_exits_2_before_the_program_runs(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", "config: {}\n")
    (project / "__main__.py").write_text("raise SystemExit('the program must not run')\n")
    (project / "policy.json").write_text(text)
    monkeypatch.chdir(project)
    assert _check("test", "--policy-pack", str(POLICY), "--policy-config", "policy.json") == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {message}\n"
    assert captured.out == "stack test: not checked: 1 error.\n"


def test_the_default_policy_config_must_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", "config: {}\n")
    (project / "policy").symlink_to(POLICY)
    monkeypatch.chdir(project)
    assert _check("test") == 2
    assert capsys.readouterr().err == (
        "error: policy/config/test.json: no such policy config; create it (`{}` runs every policy at its own level)"
        " or pass --policy-config.\n"
    )


EXTERNAL_NAME_STACK = (
    "config:\n  k8s-services:services:\n    db: {type: ExternalName, namespace: shop, external_name: db.example.com}\n"
)


def test_an_empty_policy_config_runs_every_policy_at_its_own_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", EXTERNAL_NAME_STACK)
    (project / "policy.json").write_text("\n")
    monkeypatch.chdir(project)
    assert _check("test", "--policy-pack", str(POLICY), "--policy-config", "policy.json") == 0
    assert capsys.readouterr().out == (
        "stack test: 0 mandatory violations, 0 advisory findings (policy pack k8s-services, config policy.json).\n"
    )


def test_a_missing_or_broken_pack_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", "config: {}\n", {})
    monkeypatch.chdir(project)
    assert _check("test", "--policy-config", "policy.json") == 2
    assert capsys.readouterr().err == "error: policy: no policy pack here (no __main__.py); pass --policy-pack.\n"
    (project / "pack").mkdir()
    (project / "pack" / "__main__.py").write_text("import no_such_module\n")
    assert _check("test", "--policy-pack", "pack", "--policy-config", "policy.json") == 2
    assert capsys.readouterr().err == (
        "error: pack/__main__.py: the policy pack failed to load: ModuleNotFoundError: No module named"
        " 'no_such_module'\n"
    )


def test_a_program_that_raises_or_exits_cannot_be_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not exit status 1 (a mandatory violation) with a traceback: 2, and what the program raised."""
    project = _project(tmp_path / "project", "config: {}\n", {})
    monkeypatch.chdir(project)
    args = ("test", "--policy-pack", str(POLICY), "--policy-config", "policy.json")
    (project / "__main__.py").write_text("raise ValueError('no\\n::error::way')\n")
    assert _check(*args, "--format", "github") == 2
    assert capsys.readouterr().out == (
        "::error file=__main__.py,title=stack test not checked::__main__.py: the program failed: ValueError:"
        " no%0A::error::way\n"
        "stack test: not checked: 1 error.\n"
    )
    (project / "__main__.py").write_text("import sys\nsys.exit(3)\n")
    assert _check(*args) == 2
    assert capsys.readouterr().err == "error: __main__.py: the program failed: SystemExit: 3\n"


def test_what_the_program_and_the_pack_print_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", EXTERNAL_NAME_STACK, {})
    (project / "__main__.py").write_text(f"print('from the program')\n{(PROJECT / '__main__.py').read_text()}")
    _pack(project / "pack", "print('from the pack')\n" + ONE_POLICY)
    monkeypatch.chdir(project)
    assert _check("test", "--policy-pack", "pack", "--policy-config", "policy.json", "--format", "json") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["exitStatus"] == 0
    assert captured.err == "from the pack\nfrom the program\n"


def test_a_name_cannot_break_the_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line of its own would be a workflow command in `github` output."""
    project = _project(tmp_path / "project", "config: {}\n", {})
    monkeypatch.chdir(project)
    stack = "x\n::warning::injected"
    assert _check(stack, "--policy-pack", str(POLICY), "--policy-config", "policy.json", "--format", "github") == 2
    assert capsys.readouterr().out == (
        "::error file=stacks/Pulumi.x%0A%3A%3Awarning%3A%3Ainjected.yaml,title=stack x%0A%3A%3Awarning%3A%3Ainjected"
        f" not checked::{project}/stacks/Pulumi.x%0A::warning::injected.yaml: no such stack file; stacks here:"
        " test.\n"
        "stack x\\n::warning::injected: not checked: 1 error.\n"
    )
    report = Report("test", findings=[Finding("a\nb", "advisory", "t", "web\r\n::error::x", "c\nd")])
    assert format_text(report).splitlines() == [
        "[advisory] a\\nb (t web\\r\\n::error::x): c\\nd",
        "stack test: 0 mandatory violations, 1 advisory finding (policy pack None, config None).",
    ]


def test_a_stack_name_that_is_not_utf8_is_printed_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A byte that is not UTF-8 (a lone surrogate, as Python decodes it) as its escape: UTF-8 output, valid JSON."""
    project = _project(tmp_path / "project", "config: {}\n", {})
    monkeypatch.chdir(project)
    stack = os.fsdecode(b"x\xff")
    for output_format in ("json", "text"):
        stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        status = check_main(
            stack,
            Path("."),
            policy_pack=POLICY,
            policy_config=Path("policy.json"),
            output_format=output_format,
            stdout=stdout,
            stderr=io.StringIO(),
        )
        assert status == 2
        stdout.seek(0)
        text = stdout.read()
        if output_format == "json":
            assert json.loads(text)["stack"] == stack
        else:
            assert text == "stack x\\udcff: not checked: 1 error.\n"


def test_a_path_too_long_to_look_at_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", "config: {}\n", {})
    monkeypatch.chdir(project)
    long = "x" * 300
    assert _check(long, "--policy-pack", str(POLICY), "--policy-config", "policy.json") == 2
    assert (
        capsys.readouterr().err == f"error: {project}/stacks/Pulumi.{long}.yaml: cannot read it: File name too long.\n"
    )
    assert _check("test", "--policy-pack", long, "--policy-config", "policy.json") == 2
    assert capsys.readouterr().err == f"error: {long}: cannot look for a policy pack there: File name too long.\n"
    assert _check("test", "--project-dir", long) == 2
    assert capsys.readouterr().err == f"error: {project}/{long}/Pulumi.yaml: cannot read it: File name too long.\n"


# --- loading the pack ----------------------------------------------------------------------

ONE_POLICY = (
    "from pulumi_policy import PolicyPack, ResourceValidationPolicy\n"
    "PolicyPack(name='pack', policies=[ResourceValidationPolicy(name='p', description='d', validate=lambda a, r: None)])\n"
)


def _pack(directory: Path, main: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "__main__.py").write_text(main)
    return directory


@pytest.mark.parametrize(
    ("main", "message"),
    [
        (
            "from pulumi_policy import PolicyPack, ResourceValidationPolicy\n"
            "PolicyPack(name='p\\n::warning::x', policies=[ResourceValidationPolicy(name='p', description='d',"
            " validate=print)])\n",
            "TypeError: Invalid policy pack name 'p\\n::warning::x'. Policy pack names may only contain alphanumerics,"
            " hyphens, underscores, or periods.",
        ),
        (
            "from pulumi_policy import PolicyPack\nPolicyPack(name='p', policies=[object()])\n",
            "TypeError: Expected each policy in policies to be a Policy",
        ),
        (
            "from pulumi_policy import PolicyPack\nPolicyPack(name='p', policies=[])\n",
            "TypeError: Missing policies argument",
        ),
    ],
)
def test_a_pack_policy_pack_would_refuse_is_refused(tmp_path: Path, main: str, message: str) -> None:
    """As pulumi-policy's PolicyPack refuses it, before its name is printed or its policies run."""
    pack = _pack(tmp_path / "pack", main)
    with pytest.raises(CheckError) as error:
        load_pack(pack)
    assert str(error.value) == f"{pack}/__main__.py: the policy pack failed to load: {message}"


def test_policy_pack_imported_from_its_own_module_is_recorded_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real one would start its server, print its port and never return."""
    monkeypatch.setattr(pulumi_policy.policy.grpc, "server", lambda *args, **kwargs: pytest.fail("the server started"))
    main = ONE_POLICY.replace("from pulumi_policy import", "from pulumi_policy.policy import")
    assert load_pack(_pack(tmp_path / "pack", main)).name == "pack"
    assert pulumi_policy.policy.PolicyPack.__name__ == "PolicyPack"


def test_a_config_schema_that_is_not_json_schema_is_the_pack_s_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project", "config: {}\n", {})
    _pack(
        project / "pack",
        "from pulumi_policy import PolicyConfigSchema, PolicyPack, ResourceValidationPolicy\n"
        "schema = PolicyConfigSchema(properties={'x': {'type': 'no-such-type'}})\n"
        "PolicyPack(name='pack', policies=[ResourceValidationPolicy(name='p', description='d', validate=print,"
        " config_schema=schema)])\n",
    )
    monkeypatch.chdir(project)
    assert _check("test", "--policy-pack", "pack", "--policy-config", "policy.json", "--format", "json") == 2
    assert json.loads(capsys.readouterr().out)["errors"] == [
        {
            "file": "pack",
            "message": "policy 'p' of the pack pack has a config schema that is not valid JSON schema: Unknown type.",
        }
    ]


def test_loading_the_pack_leaves_the_process_as_it_was(tmp_path: Path) -> None:
    cwd, path = os.getcwd(), list(sys.path)
    before = {name for name in sys.modules if name.partition(".")[0] == "rules"}
    pack = load_pack(POLICY)
    assert pack.name == "k8s-services"
    assert len(pack.policies) == 24
    assert pulumi_policy.PolicyPack.__module__ == "pulumi_policy.policy"
    assert (os.getcwd(), sys.path) == (cwd, path)
    assert {name for name in sys.modules if name.partition(".")[0] == "rules"} == before


def test_a_pack_s_own_modules_are_its_own(tmp_path: Path) -> None:
    """Two packs with a ``rules.py`` each: each gets its own."""
    for name in ("one", "two"):
        pack = tmp_path / name
        pack.mkdir()
        (pack / "rules.py").write_text(f"NAME = {name!r}\n")
        (pack / "__main__.py").write_text(
            "from pulumi_policy import PolicyPack, ResourceValidationPolicy\nfrom rules import NAME\n"
            "PolicyPack(name=NAME, policies=[ResourceValidationPolicy(name='p', description='d', validate=print)])\n"
        )
    assert [load_pack(tmp_path / name).name for name in ("one", "two", "one")] == ["one", "two", "one"]


# --- how the engine runs policies ------------------------------------------------------------


def _policy(name: str, level: EnforcementLevel | None, read: str) -> ResourceValidationPolicy:
    def validate(args: Any, report: Any) -> None:
        report(f"{args.name}: {args.props[read]!r} {dict(args.get_config())}")

    return ResourceValidationPolicy(name=name, description=f"{name}.", validate=validate, enforcement_level=level)


def _pod(props: dict[str, Any]) -> Resource:
    return Resource("kubernetes:core/v1:Pod", "web", "urn:pulumi:test::p::kubernetes:core/v1:Pod::web", wire(props))


def test_levels_and_config_are_reconciled_as_the_pulumi_cli_does() -> None:
    """Defaults, the pack's level, its initial config, then the file; "all" first."""
    pack = Pack(
        "pack",
        [
            _policy("own-level", EnforcementLevel.MANDATORY, "kind"),
            _policy("pack-level", None, "kind"),
            _policy("initial", None, "kind"),
            _policy("remediating", EnforcementLevel.REMEDIATE, "kind"),
            _policy("off", EnforcementLevel.DISABLED, "kind"),
        ],
        "advisory",
        {"initial": {"enforcementLevel": EnforcementLevel.MANDATORY, "answer": 41}},
    )
    settings = policy_settings(pack, {"initial": (None, {"answer": 42})})
    found = run_policies(pack, settings, [_pod({"kind": "Pod"})])
    assert [(f.policy, f.level, f.message) for f in found] == [
        ("own-level", "mandatory", "web: 'Pod' {}"),
        ("initial", "mandatory", "web: 'Pod' {'answer': 42}"),
        ("remediating", "mandatory", "web: 'Pod' {}"),
        ("pack-level", "advisory", "web: 'Pod' {}"),
    ]
    settings = policy_settings(pack, {"all": ("advisory", {}), "off": ("mandatory", {})})
    assert {name: s.level for name, s in settings.items()} == {
        "own-level": "advisory",
        "pack-level": "advisory",
        "initial": "advisory",
        "remediating": "advisory",
        "off": "mandatory",
    }


def test_numbers_reach_policies_as_floats_and_secrets_as_unknown_values() -> None:
    pack = Pack("pack", [_policy("port", None, "port"), _policy("spec", None, "spec")], "mandatory", {})
    found = run_policies(pack, policy_settings(pack, {}), [_pod({"port": 80, "spec": "[secret]"})])
    assert [(f.policy, f.level, f.message) for f in found] == [
        ("port", "mandatory", "web: 80.0 {}"),
        (
            "spec",
            "advisory",
            "can't run policy 'spec' from policy pack 'pack' during preview: string value at .spec can't be known"
            " during preview",
        ),
    ]


def test_a_violation_that_is_not_a_string_fails_the_policy_as_in_pulumi_policy() -> None:
    def validate(args: Any, report: Any) -> None:
        report(42)

    pack = Pack("pack", [ResourceValidationPolicy(name="p", description="d", validate=validate)], "advisory", {})
    with pytest.raises(CheckError) as error:
        run_policies(pack, policy_settings(pack, {}), [_pod({})])
    assert (
        str(error.value)
        == "policy 'p' failed on kubernetes:core/v1:Pod web: TypeError: Expected message to be a string"
    )


def test_a_stack_policy_s_finding_names_the_resource_it_reports_or_none() -> None:
    def validate(args: Any, report: Any) -> None:
        report("about the pod", args.resources[0].urn)
        report("about the stack")

    policy = StackValidationPolicy(name="stack-wide", description="d", validate=validate)
    pack = Pack("pack", [policy], "advisory", {})
    found = run_policies(pack, policy_settings(pack, {}), [_pod({})])
    assert [(f.resource_type, f.resource_name, f.message) for f in found] == [
        ("kubernetes:core/v1:Pod", "web", "about the pod"),
        (None, None, "about the stack"),
    ]


# --- workflow command escaping --------------------------------------------------------------


def test_workflow_command_escaping_follows_the_actions_toolkit() -> None:
    text = "100% done\r\nkey: a, b"
    assert escape_data(text) == "100%25 done%0D%0Akey: a, b"
    assert escape_property(text) == "100%25 done%0D%0Akey%3A a%2C b"
    assert annotation("warning", text, file="a:b,c.yaml", title="t: 1, 2") == (
        "::warning file=a%3Ab%2Cc.yaml,title=t%3A 1%2C 2::100%25 done%0D%0Akey: a, b\n"
    )
    assert "\n" not in annotation("error", "a\nb\rc", file=None, title="\n::add-mask::x")[:-1]


def test_without_pulumi_policy_check_says_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    monkeypatch.setitem(sys.modules, "pulumi_policy", None)  # as in a virtualenv from requirements.txt alone
    assert _check("dev") == 2
    assert capsys.readouterr().err == (
        "error: check runs the policy pack and needs pulumi-policy in this virtualenv: pip install -r"
        " requirements-dev.txt (or pip install pulumi-policy).\n"
    )
