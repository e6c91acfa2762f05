"""`python -m components import` (k8s_services._import): manifests in, a stack
config out that renders back to the same objects.

Each application is imported into a temporary copy of the project, rendered
with `k8s_services.render.render` and compared here, field by field, with the
manifests as PyYAML reads them: independently of the import's own check.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8s_rules import format_path
from k8s_services.cli import main
from k8s_services.render import render
from tests.conftest import FIXTURES, assert_valid

PROJECT = Path(__file__).resolve().parents[2]
APPS = FIXTURES / "apps"
SEED = sorted(str(path) for path in (FIXTURES / "seed").glob("*.yaml"))
MIXED = str(FIXTURES / "import" / "mixed.yaml")
_MISSING = object()


def _cli(*argv: str) -> tuple[int, str, str]:
    """Run ``python -m components import ...`` in-process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    # The CLI ends with a full collection; keep the test session out of it.
    gc.freeze()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["import", *argv])
    finally:
        gc.unfreeze()
    return code, out.getvalue(), err.getvalue()


def _project(directory: Path) -> Path:
    """A copy of this project with no stack files."""
    shutil.copy(PROJECT / "Pulumi.yaml", directory)
    shutil.copy(PROJECT / "__main__.py", directory)
    (directory / "stacks").mkdir()
    return directory


def _leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Leaf fields: scalars, and empty mappings and lists."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _at(obj: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(obj, list) or part >= len(obj):
                return _MISSING
        elif not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def _key(manifest: dict[str, Any]) -> tuple[str, str, str]:
    metadata = manifest.get("metadata") or {}
    namespace = "" if manifest["kind"] == "Namespace" else metadata.get("namespace", "default")
    return (manifest["kind"], namespace, metadata.get("name"))


def _inputs(files: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for file in files:
        for document in yaml.safe_load_all(Path(file).read_text()):
            if document is not None:
                found += document["items"] if document["kind"] == "List" else [document]
    return found


@dataclass
class RoundTrip:
    code: int
    stdout: str
    report: str
    document: dict[str, Any]
    objects: int
    imported: int
    fields: int
    reproduced: int
    not_reproduced: dict[tuple[str, str, str], list[str]]
    """Per imported object, the input fields the render does not give back."""
    added: Counter[tuple[str, str, str]]
    """(kind, path, value) of every field the render adds, a bundle's name as "<bundle>"."""


def _round_trip(files: list[str], directory: Path) -> RoundTrip:
    project = _project(directory)
    code, stdout, report = _cli(*files, "--stack", "imported", "--project-dir", str(project))
    document = yaml.safe_load((project / "stacks" / "Pulumi.imported.yaml").read_text())
    rendered = [m for m in yaml.safe_load_all(render(project, "imported")) if m]
    for manifest in rendered:
        assert_valid(manifest)
    bundles = set(document["config"]["k8s-services:services"])
    by_key = {_key(m): m for m in rendered}
    inputs = _inputs(files)
    fields = reproduced = imported = 0
    not_reproduced: dict[tuple[str, str, str], list[str]] = {}
    added: Counter[tuple[str, str, str]] = Counter()
    matched = set()
    for obj in inputs:
        leaves = list(_leaves(obj))
        fields += len(leaves)
        counterpart = by_key.get(_key(obj))
        if counterpart is None or _key(obj) in matched:  # (a second copy is not imported)
            continue
        imported += 1
        matched.add(_key(obj))
        missing = [
            format_path(path)
            for path, value in leaves
            if _at(counterpart, path) != value or type(_at(counterpart, path)) is not type(value)
        ]
        reproduced += len(leaves) - len(missing)
        if missing:
            not_reproduced[_key(obj)] = missing
        for path, value in _leaves(counterpart):
            if _at(obj, path) is _MISSING:
                shown = "<bundle>" if value in bundles else value
                added[(counterpart["kind"], format_path(path), json.dumps(shown))] += 1
    for key, manifest in by_key.items():
        if key not in matched:
            added[(manifest["kind"], "(the whole object)", key[2])] += 1
    return RoundTrip(code, stdout, report, document, len(inputs), imported, fields, reproduced, not_reproduced, added)


# The fields the render may add to an imported object: each a default the
# library documents (README, components/_args.py), with where it is said.
DOCUMENTED_DEFAULTS = {
    ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): "service_labels: Default",
    ("Service", "metadata.namespace", '"default"'): "namespace: Default",
    ("Service", "spec.type", '"ClusterIP"'): "the bundle's type, Kubernetes' default",
    ("Service", "spec.ports[0].protocol", '"TCP"'): "ServicePortArgs.protocol: Default",
    ("Service", "spec.ports[0].targetPort", "80"): "Kubernetes' default: the port (README, import)",
    ("Service", "spec.ports[0].targetPort", "5432"): "Kubernetes' default: the port",
    ("Service", "spec.ports[0].targetPort", "9080"): "Kubernetes' default: the port",
    ("Service", "spec.ports[0].targetPort", "9100"): "Kubernetes' default: the port",
    ("Service", 'metadata.annotations["k8s-services.io/external-pods"]', '"true"'): "external_pods",
    ("Service", 'metadata.annotations["k8s-services.io/shares-pods-with"]', '"<bundle>"'): "target",
    ("Service", "(the whole object)", "db-headless"): "governing_service_name",
    ("ServiceAccount", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): "ServiceAccountArgs.labels",
    ("ServiceAccount", "metadata.namespace", '"default"'): "namespace: Default",
    ("ServiceAccount", "automountServiceAccountToken", "false"): "ServiceAccountArgs: Default False",
    ("PodDisruptionBudget", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): "disruption_budget",
    ("Namespace", 'metadata.labels["pod-security.kubernetes.io/enforce"]', '"baseline"'): "namespaces",
    ("Namespace", 'metadata.labels["pod-security.kubernetes.io/warn"]', '"restricted"'): "namespaces",
    ("Namespace", 'metadata.labels["pod-security.kubernetes.io/audit"]', '"restricted"'): "namespaces",
}
for _kind, _pod in (
    ("Pod", "spec"),
    ("Deployment", "spec.template.spec"),
    ("StatefulSet", "spec.template.spec"),
    ("DaemonSet", "spec.template.spec"),
):
    DOCUMENTED_DEFAULTS.update(
        {
            (_kind, f"{_pod}.automountServiceAccountToken", "false"): "README: no service-account token",
            (_kind, f"{_pod}.securityContext.seccompProfile.type", '"RuntimeDefault"'): "pod_security defaults",
            (_kind, f"{_pod}.containers[0].securityContext.allowPrivilegeEscalation", "false"): "pod_security",
            (_kind, f"{_pod}.containers[0].securityContext.runAsNonRoot", "true"): "pod_security restricted",
            (
                _kind,
                f"{_pod}.containers[0].securityContext.seccompProfile.type",
                '"RuntimeDefault"',
            ): "pod_security restricted",
            (_kind, f"{_pod}.containers[0].ports[0].protocol", '"TCP"'): "container ports: Kubernetes' TCP",
        }
    )
    if _kind != "Pod":
        DOCUMENTED_DEFAULTS.update(
            {
                (_kind, "metadata.namespace", '"default"'): "namespace: Default",
                (_kind, "metadata.labels.app", '"<bundle>"'): "workload_labels: Default: its Pod labels",
                (_kind, "metadata.labels.color", '"blue"'): "workload_labels: Default: its Pod labels",
                (_kind, "metadata.labels.color", '"green"'): "workload_labels: Default: its Pod labels",
                (_kind, 'metadata.annotations["k8s-services.io/version-of"]', '"<bundle>"'): "versions",
            }
        )
DOCUMENTED_DEFAULTS[("Deployment", "spec.replicas", "1")] = "replicas: Default: 1"


@dataclass
class Expected:
    files: list[str]
    objects: int
    imported: int
    fields: int
    reproduced: int
    not_imported: list[str]
    """``<kind> <namespace>/<name>: <reason>`` lines of the report."""
    added: dict[tuple[str, str, str], int]
    cluster_output: frozenset[tuple[str, str, str]] = frozenset()
    """Imported objects the cluster returned: the fields it set are left out."""


def _app(name: str) -> list[str]:
    return sorted(str(path) for path in (APPS / name).glob("*.yaml"))


BOUTIQUE = str(APPS / "online-boutique" / "kubernetes-manifests.yaml")
EXPECTED = {
    "seed": Expected(
        SEED,
        objects=4,
        imported=4,
        fields=56,
        reproduced=56,
        not_imported=[],
        added={
            ("Pod", "spec.automountServiceAccountToken", "false"): 2,
            ("Pod", "spec.containers[0].securityContext.allowPrivilegeEscalation", "false"): 2,
            ("Pod", "spec.securityContext.seccompProfile.type", '"RuntimeDefault"'): 2,
            ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 2,
        },
    ),
    "bookinfo": Expected(
        _app("bookinfo"),
        objects=14,
        imported=14,
        fields=175,
        reproduced=175,
        not_imported=[],
        added={
            ("Deployment", 'metadata.annotations["k8s-services.io/version-of"]', '"<bundle>"'): 6,
            ("Deployment", "metadata.namespace", '"default"'): 6,
            ("Deployment", "spec.template.spec.automountServiceAccountToken", "false"): 6,
            ("Deployment", "spec.template.spec.containers[0].ports[0].protocol", '"TCP"'): 6,
            ("Deployment", "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "false"): 6,
            ("Deployment", "spec.template.spec.securityContext.seccompProfile.type", '"RuntimeDefault"'): 6,
            ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 4,
            ("Service", "metadata.namespace", '"default"'): 4,
            ("Service", "spec.ports[0].protocol", '"TCP"'): 4,
            ("Service", "spec.ports[0].targetPort", "9080"): 4,
            ("Service", "spec.type", '"ClusterIP"'): 4,
            ("ServiceAccount", "automountServiceAccountToken", "false"): 4,
            ("ServiceAccount", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 4,
            ("ServiceAccount", "metadata.namespace", '"default"'): 4,
        },
    ),
    "online-boutique": Expected(
        _app("online-boutique"),
        objects=35,
        imported=33,
        fields=545,
        reproduced=500,
        not_imported=[
            "Deployment default/loadgenerator: no Service of the input selects its Pods: the library builds a"
            " workload only as the Pods of a Service's bundle",
            "ServiceAccount default/loadgenerator: Deployment default/loadgenerator runs as it and is not imported;"
            " the library creates a ServiceAccount for one bundle's Pods",
        ],
        added={
            ("Deployment", "metadata.namespace", '"default"'): 11,
            ("Deployment", "spec.replicas", "1"): 11,
            ("Deployment", "spec.template.spec.automountServiceAccountToken", "false"): 11,
            ("Deployment", "spec.template.spec.containers[0].ports[0].protocol", '"TCP"'): 11,
            ("Deployment", "spec.template.spec.securityContext.seccompProfile.type", '"RuntimeDefault"'): 11,
            ("Service", 'metadata.annotations["k8s-services.io/shares-pods-with"]', '"<bundle>"'): 1,
            ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 12,
            ("Service", "metadata.namespace", '"default"'): 12,
            ("Service", "spec.ports[0].protocol", '"TCP"'): 12,
            ("ServiceAccount", "automountServiceAccountToken", "false"): 10,
            ("ServiceAccount", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 10,
            ("ServiceAccount", "metadata.namespace", '"default"'): 10,
        },
    ),
    "statefulset-web": Expected(
        _app("statefulset-web"),
        objects=2,
        imported=2,
        fields=24,
        reproduced=24,
        not_imported=[],
        added={
            ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 1,
            ("Service", "metadata.namespace", '"default"'): 1,
            ("Service", "spec.ports[0].protocol", '"TCP"'): 1,
            ("Service", "spec.ports[0].targetPort", "80"): 1,
            ("Service", "spec.type", '"ClusterIP"'): 1,
            ("StatefulSet", "metadata.labels.app", '"<bundle>"'): 1,
            ("StatefulSet", "metadata.namespace", '"default"'): 1,
            ("StatefulSet", "spec.template.spec.automountServiceAccountToken", "false"): 1,
            ("StatefulSet", "spec.template.spec.containers[0].ports[0].protocol", '"TCP"'): 1,
            ("StatefulSet", "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "false"): 1,
            ("StatefulSet", "spec.template.spec.securityContext.seccompProfile.type", '"RuntimeDefault"'): 1,
        },
    ),
    # kubectl get -o yaml output: what the cluster set is left out, so fewer
    # fields come back than the input has (see the report test below).
    "kubectl-get": Expected(
        _app("kubectl-get"),
        objects=4,
        imported=1,
        fields=288,
        reproduced=12,
        not_imported=[
            "Pod argocd/my-pod: no Service of the input selects its Pods: the library builds a workload only as the"
            " Pods of a Service's bundle",
            "Deployment default/nginx-deployment: no Service of the input selects its Pods: the library builds a"
            " workload only as the Pods of a Service's bundle",
            "Service default/multiple-protocol-port-svc: cannot be expressed: spec.selector: is missing: a Service"
            " without a selector has hand-maintained endpoints; every Service the library builds selects Pods (or"
            " is an ExternalName)",
        ],
        added={
            ("Service", 'metadata.annotations["k8s-services.io/external-pods"]', '"true"'): 1,
            ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 1,
        },
        cluster_output=frozenset({("Service", "httpbin", "httpbin-svc")}),
    ),
    # tests/fixtures/import/mixed.yaml: a case of each mapping and of each
    # reason not to import.
    "mixed": Expected(
        [MIXED],
        objects=22,
        imported=13,
        fields=197,
        reproduced=124,
        not_imported=[
            "Service shop/legacy: selects the Pods of Deployment shop/api, as Service shop/api does, but with another"
            ' selector ({"tier": "backend"}, not {"app": "api"}); a second Service of a bundle\'s Pods (a \'target\''
            " bundle) selects with the bundle's selector",
            "Service shop/cache: cannot be expressed with the Pods it selects: Deployment shop/cache-primary and"
            " Deployment shop/cache-replica are not versions of one application: no Pod label tells them apart with"
            " one value each while each selects its Pods with the Service's selector plus that label",
            "Deployment shop/cache-primary: is not imported with Service shop/cache, which selects its Pods (see there)",
            "Deployment shop/cache-replica: is not imported with Service shop/cache, which selects its Pods (see there)",
            "Service shop/debug: selects the Pods of Pod shop/debug, which is not imported (see there)",
            'Pod shop/debug: cannot be expressed: its Pods fail Pod Security Standards "baseline", the least every'
            " bundle passes: spec.containers[0].securityContext.privileged: is not allowed under Pod Security"
            ' Standards "baseline" or "restricted": a privileged container has every capability and the node\'s'
            " devices. Remove it or set it to false, and add only the capabilities the container needs",
            "ConfigMap shop/settings: k8s-services has no argument for a ConfigMap: it builds Services with their"
            " workloads, ServiceAccounts and PodDisruptionBudgets, and Namespaces; keep managing it as it is",
            "Service shop/edge: cannot be expressed: spec.externalIPs: k8s-services refuses externalIPs"
            " (CVE-2020-8554)",
            "Pod shop/edge: is selected only by Service shop/edge, which is not imported (see there)",
        ],
        added={
            ("DaemonSet", "metadata.labels.app", '"<bundle>"'): 1,
            ("DaemonSet", "spec.template.spec.automountServiceAccountToken", "false"): 1,
            ("DaemonSet", "spec.template.spec.containers[0].ports[0].protocol", '"TCP"'): 1,
            ("DaemonSet", "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "false"): 1,
            ("DaemonSet", "spec.template.spec.securityContext.seccompProfile.type", '"RuntimeDefault"'): 1,
            ("Deployment", 'metadata.annotations["k8s-services.io/version-of"]', '"<bundle>"'): 2,
            ("Deployment", "metadata.labels.app", '"<bundle>"'): 2,
            ("Deployment", "metadata.labels.color", '"blue"'): 1,
            ("Deployment", "metadata.labels.color", '"green"'): 1,
            ("Deployment", "spec.template.spec.automountServiceAccountToken", "false"): 3,
            ("Deployment", "spec.template.spec.containers[0].ports[0].protocol", '"TCP"'): 3,
            ("Deployment", "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "false"): 2,
            ("Deployment", "spec.template.spec.containers[0].securityContext.runAsNonRoot", "true"): 1,
            (
                "Deployment",
                "spec.template.spec.containers[0].securityContext.seccompProfile.type",
                '"RuntimeDefault"',
            ): 1,
            ("Deployment", "spec.template.spec.securityContext.seccompProfile.type", '"RuntimeDefault"'): 2,
            ("Namespace", 'metadata.labels["pod-security.kubernetes.io/audit"]', '"restricted"'): 1,
            ("Namespace", 'metadata.labels["pod-security.kubernetes.io/enforce"]', '"baseline"'): 1,
            ("Namespace", 'metadata.labels["pod-security.kubernetes.io/warn"]', '"restricted"'): 1,
            ("PodDisruptionBudget", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 1,
            ("Service", "(the whole object)", "db-headless"): 1,
            ("Service", 'metadata.annotations["k8s-services.io/shares-pods-with"]', '"<bundle>"'): 1,
            ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 6,
            ("Service", "spec.ports[0].protocol", '"TCP"'): 5,
            ("Service", "spec.ports[0].targetPort", "5432"): 1,
            ("Service", "spec.ports[0].targetPort", "9100"): 1,
            ("Service", "spec.type", '"ClusterIP"'): 4,
            ("StatefulSet", "spec.template.spec.automountServiceAccountToken", "false"): 1,
            ("StatefulSet", "spec.template.spec.containers[0].ports[0].protocol", '"TCP"'): 1,
            ("StatefulSet", "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "false"): 1,
            ("StatefulSet", "spec.template.spec.securityContext.seccompProfile.type", '"RuntimeDefault"'): 1,
        },
    ),
    "get-all": Expected(
        [str(FIXTURES / "import" / "get-all.yaml")],
        objects=8,
        imported=4,
        fields=116,
        reproduced=34,
        not_imported=[
            'ReplicaSet web/shop-7d9f8c6b5: is managed by Deployment "shop" (metadata.ownerReferences), which'
            " recreates it; import that instead",
            'Pod web/shop-7d9f8c6b5-x2x9z: is managed by ReplicaSet "shop-7d9f8c6b5" (metadata.ownerReferences),'
            " which recreates it; import that instead",
            'PodDisruptionBudget web/shop-budget: cannot be expressed: metadata.name: "shop-budget": the library'
            ' names a bundle\'s PodDisruptionBudget after its workload ("shop")',
            "Service web/shop: appears twice in the input (first at {fixtures}/import/get-all.yaml:3 items[3]);"
            " keep one",
        ],
        added={
            ("Deployment", "spec.template.spec.automountServiceAccountToken", "false"): 1,
            ("Deployment", "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation", "false"): 1,
            ("Deployment", "spec.template.spec.securityContext.seccompProfile.type", '"RuntimeDefault"'): 1,
            ("Namespace", 'metadata.labels["pod-security.kubernetes.io/audit"]', '"restricted"'): 1,
            ("Namespace", 'metadata.labels["pod-security.kubernetes.io/warn"]', '"restricted"'): 1,
            ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 1,
            ("ServiceAccount", "automountServiceAccountToken", "false"): 1,
            ("ServiceAccount", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 1,
        },
        cluster_output=frozenset(
            {
                ("Deployment", "web", "shop"),
                ("Service", "web", "shop"),
                ("ServiceAccount", "web", "shop"),
                ("Namespace", "", "web"),
            }
        ),
    ),
    "locked": Expected(
        [str(FIXTURES / "import" / "locked.yaml")],
        objects=4,
        imported=2,
        fields=25,
        reproduced=11,
        not_imported=[
            'Service locked/web: k8s-services refuses its bundle web: services.web.pod_security: "baseline" is'
            ' weaker than namespace "locked" enforces ("restricted"); its Pods would be refused. Use "restricted"'
            " or another namespace.",
            'Pod locked/web: k8s-services refuses its bundle web: services.web.pod_security: "baseline" is weaker'
            ' than namespace "locked" enforces ("restricted"); its Pods would be refused. Use "restricted" or'
            " another namespace.",
        ],
        added={
            ("Namespace", 'metadata.labels["pod-security.kubernetes.io/audit"]', '"restricted"'): 1,
            ("Namespace", 'metadata.labels["pod-security.kubernetes.io/warn"]', '"restricted"'): 1,
            ("Service", 'metadata.annotations["k8s-services.io/external-pods"]', '"true"'): 1,
            ("Service", 'metadata.labels["app.kubernetes.io/name"]', '"<bundle>"'): 1,
            ("Service", "spec.ports[0].protocol", '"TCP"'): 1,
            ("Service", "spec.type", '"ClusterIP"'): 1,
        },
    ),
}


@pytest.fixture(scope="module")
def round_trips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RoundTrip]:
    return {name: _round_trip(expected.files, tmp_path_factory.mktemp(name)) for name, expected in EXPECTED.items()}


def _not_imported(report: str) -> list[str]:
    """The report's not-imported lines, without their file and line."""
    lines = report.split("\n")
    if not any(line.startswith("not imported") for line in lines):
        return []
    start = next(i for i, line in enumerate(lines) if line.startswith("not imported")) + 1
    found = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        found.append(line.strip().split(": ", 1)[1])
    return found


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_every_field_of_every_imported_object_is_rendered_back(app: str, round_trips: dict[str, RoundTrip]) -> None:
    result, expected = round_trips[app], EXPECTED[app]
    # Of what the cluster returned, what it set is left out (see the report
    # tests below); every other field comes back.
    assert set(result.not_reproduced) == expected.cluster_output
    assert (result.imported, result.objects) == (expected.imported, expected.objects)
    assert (result.reproduced, result.fields) == (expected.reproduced, expected.fields)


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_the_report_lists_what_was_not_imported_and_why(app: str, round_trips: dict[str, RoundTrip]) -> None:
    result, expected = round_trips[app], EXPECTED[app]
    assert result.code == (1 if expected.not_imported else 0)
    assert _not_imported(result.report) == [line.replace("{fixtures}", str(FIXTURES)) for line in expected.not_imported]
    assert result.report.startswith(
        f"import: {expected.imported} of {expected.objects} objects imported, into "
        f"{len(result.document['config']['k8s-services:services'])} bundle"
    )


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_the_render_adds_only_documented_defaults(app: str, round_trips: dict[str, RoundTrip]) -> None:
    result = round_trips[app]
    assert dict(result.added) == EXPECTED[app].added
    assert set(result.added) <= set(DOCUMENTED_DEFAULTS)


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_the_report_counts_what_the_round_trip_counts(app: str, round_trips: dict[str, RoundTrip]) -> None:
    result, expected = round_trips[app], EXPECTED[app]
    line = result.report.split("\n")[1]
    assert line.startswith(f"fields: {expected.reproduced} of {expected.fields} reproduced; ")
    assert f"added by the render, the library's defaults ({sum(expected.added.values())}):" in result.report


def test_kubectl_get_output_leaves_out_what_the_cluster_set(round_trips: dict[str, RoundTrip]) -> None:
    report = round_trips["kubectl-get"].report
    assert report.split("\n")[1] == (
        "fields: 12 of 288 reproduced; 225 left out as set by the cluster or a tool; 51 in objects not imported"
    )
    section = report[report.index("left out as set by the cluster or a tool (") :]
    assert section.split("\n")[:12] == [
        "left out as set by the cluster or a tool (11):",
        "  Service httpbin/httpbin-svc: status (set by the cluster)",
        "  Service httpbin/httpbin-svc: metadata.managedFields (set by the cluster)",
        "  Service httpbin/httpbin-svc: metadata.uid (set by the cluster)",
        "  Service httpbin/httpbin-svc: metadata.resourceVersion (set by the cluster)",
        "  Service httpbin/httpbin-svc: metadata.creationTimestamp (set by the cluster)",
        "  Service httpbin/httpbin-svc: spec.clusterIP (assigned by the cluster)",
        "  Service httpbin/httpbin-svc: spec.clusterIPs (assigned by the cluster)",
        "  Service httpbin/httpbin-svc: spec.sessionAffinity (the API server's default)",
        "  Service httpbin/httpbin-svc: spec.internalTrafficPolicy (the API server's default)",
        "  Service httpbin/httpbin-svc: spec.ipFamilyPolicy (the API server's default)",
        "  Service httpbin/httpbin-svc: spec.ipFamilies (the cluster's primary IP family)",
    ]
    services = round_trips["kubectl-get"].document["config"]["k8s-services:services"]
    assert services == {
        "httpbin-svc": {
            "type": "ClusterIP",
            "external_pods": True,
            "namespace": "httpbin",
            "service_name": "httpbin-svc",
            "service_labels": {"app.kubernetes.io/instance": "httpbin", "delete-me": "delete-value"},
            "selector": {"app": "httpbin"},
            "ports": [{"name": "http-port", "port": 7777, "protocol": "TCP", "target_port": 80}],
        }
    }


def test_cluster_output_imports_what_the_user_set(round_trips: dict[str, RoundTrip]) -> None:
    """No status, bookkeeping, tool annotation, assigned cluster IP or API
    server default of tests/fixtures/import/get-all.yaml reaches the stack."""
    assert round_trips["get-all"].document["config"] == {
        "k8s-services:namespaces": {"web": {"pod_security": "baseline"}},
        "k8s-services:services": {
            "shop": {
                "type": "ClusterIP",
                "namespace": "web",
                "service_name": "shop",
                "selector": {"app": "shop"},
                "ports": [{"name": "http", "port": 80, "protocol": "TCP", "target_port": "http"}],
                "workload": "Deployment",
                "workload_name": "shop",
                "pod_security": "baseline",
                "replicas": 2,
                "service_account": {"name": "shop"},
                "containers": [
                    {
                        "image": "ghcr.io/acme/shop:1.0.0",
                        "name": "shop",
                        "ports": [{"container_port": 8080, "name": "http", "protocol": "TCP"}],
                        "readiness_probe": {"http_get": {"path": "/healthz", "port": "http"}},
                    }
                ],
            }
        },
    }


# --- the command ------------------------------------------------------------------

SEED_DOCUMENT = """\
# Written by `python -m components import` from existing manifests: review it,
# then `python -m components render <stack>` shows what it creates.
config:
  k8s-services:services:
    loadbalancer-study:
      type: LoadBalancer
      namespace: my-ns-nodeport
      service_name: loadbalancer-study
      selector:
        city: beijing
        project: loadbalancer-study
      ports:
      - name: port2
        port: 82
        protocol: TCP
        target_port: 80
      workload: Pod
      workload_name: nginx-pod-loadbalancer
      pod_security: baseline
      containers:
      - image: nginx:1.9.1
        image_pull_policy: IfNotPresent
        name: nginx
        resources: {}
        termination_message_path: /dev/termination-log
        termination_message_policy: File
        ports:
        - container_port: 80
          name: nginx-port
          protocol: TCP
    nodeport-study:
      type: NodePort
      namespace: my-ns-nodeport
      service_name: nodeport-study
      service_labels:
        app: test
      selector:
        app: test-app
        city: shanghai
        project: k8s-study
      ports:
      - name: port1
        port: 81
        protocol: TCP
        target_port: 80
      internal_traffic_policy: Cluster
      external_traffic_policy: Cluster
      ip_families:
      - IPv4
      ip_family_policy: SingleStack
      workload: Pod
      workload_name: nginx-pod
      pod_security: baseline
      containers:
      - image: nginx:1.9.1
        image_pull_policy: IfNotPresent
        name: nginx
        ports:
        - container_port: 80
          name: nginx-port
          protocol: TCP
"""
SEED_REPORT = """\
import: 4 of 4 objects imported, into 2 bundles
fields: 56 of 56 reproduced; 0 left out as set by the cluster or a tool; 0 in objects not imported
added by the render, the library's defaults (8):
  Service my-ns-nodeport/loadbalancer-study: metadata.labels["app.kubernetes.io/name"] = "loadbalancer-study"
  Pod my-ns-nodeport/nginx-pod-loadbalancer: spec.containers[0].securityContext.allowPrivilegeEscalation = false
  Pod my-ns-nodeport/nginx-pod-loadbalancer: spec.securityContext.seccompProfile.type = "RuntimeDefault"
  Pod my-ns-nodeport/nginx-pod-loadbalancer: spec.automountServiceAccountToken = false
  Service my-ns-nodeport/nodeport-study: metadata.labels["app.kubernetes.io/name"] = "nodeport-study"
  Pod my-ns-nodeport/nginx-pod: spec.containers[0].securityContext.allowPrivilegeEscalation = false
  Pod my-ns-nodeport/nginx-pod: spec.securityContext.seccompProfile.type = "RuntimeDefault"
  Pod my-ns-nodeport/nginx-pod: spec.automountServiceAccountToken = false
"""


def test_the_seed_imports_to_this_stack_config_on_stdout() -> None:
    assert _cli(*SEED) == (0, SEED_DOCUMENT, SEED_REPORT)


def test_stack_writes_the_stack_file_and_says_where(round_trips: dict[str, RoundTrip], tmp_path: Path) -> None:
    seed = round_trips["seed"]
    assert (seed.code, seed.stdout) == (0, "")
    assert seed.report.startswith(SEED_REPORT)
    assert seed.report.endswith("/stacks/Pulumi.imported.yaml\n")
    assert seed.report[len(SEED_REPORT) :].startswith("wrote ")
    assert seed.document == yaml.safe_load(SEED_DOCUMENT)


def test_stack_refuses_to_overwrite_a_stack_file(tmp_path: Path) -> None:
    project = _project(tmp_path)
    existing = project / "stacks" / "Pulumi.dev.yaml"
    existing.write_text("config: {}\n")
    code, out, err = _cli(*SEED, "--stack", "dev", "--project-dir", str(project))
    assert (code, out) == (2, "")
    assert err == f"error: {existing}: exists already; refusing to overwrite it. Choose another --stack name\n"
    assert existing.read_text() == "config: {}\n"


@pytest.mark.parametrize(
    ("stack", "message"),
    [
        ("../x", "--stack \"../x\": a stack name is letters, digits, '-', '_' and '.'"),
        ("", "--stack \"\": a stack name is letters, digits, '-', '_' and '.'"),
    ],
)
def test_stack_refuses_a_name_that_is_not_a_stack_name(tmp_path: Path, stack: str, message: str) -> None:
    project = _project(tmp_path)
    assert _cli(*SEED, "--stack", stack, "--project-dir", str(project)) == (2, "", f"error: {message}\n")
    assert list((project / "stacks").iterdir()) == []


def test_stack_needs_a_project(tmp_path: Path) -> None:
    code, out, err = _cli(*SEED, "--stack", "dev", "--project-dir", str(tmp_path))
    assert (code, out) == (2, "")
    assert (
        err
        == f"error: {tmp_path / 'Pulumi.yaml'}: no Pulumi.yaml here; pass --project-dir with the project's directory.\n"
    )


def test_some_objects_not_imported_exit_1_and_the_rest_is_written(round_trips: dict[str, RoundTrip]) -> None:
    boutique = round_trips["online-boutique"]
    assert boutique.code == 1
    assert len(boutique.document["config"]["k8s-services:services"]) == 12
    assert "loadgenerator" not in boutique.document["config"]["k8s-services:services"]


def test_nothing_importable_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path)
    manifest = tmp_path / "config.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n")
    code, out, err = _cli(str(manifest), "--stack", "dev", "--project-dir", str(project))
    assert (code, out) == (1, "")
    assert err == (
        "import: 0 of 1 objects imported, into 0 bundles\n"
        "fields: 0 of 4 reproduced; 0 left out as set by the cluster or a tool; 4 in objects not imported\n"
        "not imported (1):\n"
        f"  {manifest}:1: ConfigMap settings: k8s-services has no argument for a ConfigMap: it builds"
        " Services with their workloads, ServiceAccounts and PodDisruptionBudgets, and Namespaces; keep managing it"
        " as it is\n"
        "nothing imported: no stack config to write\n"
    )
    assert list((project / "stacks").iterdir()) == []


def test_stdin_is_read_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "".join(Path(path).read_text() + "\n---\n" for path in SEED)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out, err = _cli("-")
    assert (code, out) == (0, SEED_DOCUMENT)
    assert err == SEED_REPORT


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


BAD_INPUT: list[tuple[str, bytes | None, str]] = [
    ("missing.yaml", None, "{path}: cannot be read (No such file or directory); check the path"),
    ("", None, "{path}: is a directory; pass the manifest files in it (e.g. {path}/*.yaml)"),
    ("binary.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00", "{path}: is binary, not YAML text (NUL byte at byte offset 7)"),
    (
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
        "{path}:3:21: byte 0xe9 at byte offset 51 is not valid UTF-8; save the file as UTF-8",
    ),
    (
        "invalid.yaml",
        b"apiVersion: v1\nkind: [Service\n",
        "{path}:3:1: is not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2,"
        " column 7); fix the YAML syntax there",
    ),
    (
        "scalar.yaml",
        b"--- just a string\n",
        "{path}:1: the document is a string, not a Kubernetes object (a mapping with apiVersion, kind and metadata)",
    ),
    (
        "list.yaml",
        b"- apiVersion: v1\n  kind: Service\n",
        "{path}:1: the document is a list, not a Kubernetes object (a mapping with apiVersion, kind and metadata)",
    ),
    (
        "nokind.yaml",
        b"apiVersion: v1\nmetadata:\n  name: web\n",
        "{path}:1: the document has no 'kind': it is not a Kubernetes object",
    ),
    (
        "second.yaml",
        b"apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nkind: Service\nmetadata: {name: b}\n",
        "{path}:4: the document has no 'apiVersion': it is not a Kubernetes object",
    ),
    (
        "items.yaml",
        b"apiVersion: v1\nkind: List\nitems:\n- 42\n",
        "{path}:1: items[0] is a number, not a Kubernetes object (a mapping with apiVersion, kind and metadata)",
    ),
    ("empty.yaml", b"# nothing here\n---\n", "{path}: no Kubernetes object in the input"),
    (
        "huge.yaml",
        b"a: " + b"x" * (4 << 20) + b"\n",
        "{path}: is larger than 4194304 bytes, the limit for one input file; split the input and import it in parts",
    ),
    (
        "bomb.yaml",
        b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n".encode() for p, c in zip("abcde", "bcdef", strict=True)
        ),
        "{path}:4:36: alias *c would bring the nodes produced through aliases to 10108, past the limit of 10000"
        " (an alias bomb?); write the values out instead of nesting aliases",
    ),
    (
        "duplicate.yaml",
        b"apiVersion: v1\nkind: Service\nkind: Pod\n",
        '{path}:3:1: duplicate key "kind" (first at line 2); a top-level key may appear once',
    ),
    (
        "boolean.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {ready: y}\n",
        "{path}:5:19: unquoted value y is read differently by kubectl (Go yaml.v2) and by YAML 1.1 readers;"
        ' quote it: "y"',
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUT, ids=[case[0] or "directory" for case in BAD_INPUT])
def test_unusable_input_exits_2_with_one_line(tmp_path: Path, name: str, data: bytes | None, message: str) -> None:
    path = _write(tmp_path, name, data) if data is not None else str(tmp_path / name) if name else str(tmp_path)
    code, out, err = _cli(path)
    assert (code, out) == (2, "")
    assert err == f"error: {message.format(path=path)}\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert _cli(str(fifo)) == (2, "", f"error: {fifo}: is not a regular file; pass a manifest file, or - for stdin\n")


def test_from_wire_is_the_inverse_of_to_wire() -> None:
    """components._wire: the camelCase object to_wire builds comes back as
    the snake_case arguments it was built from; an unknown key is named."""

    from components import _validation, _wire

    container = {
        "name": "web",
        "image": "ghcr.io/acme/web:1",
        "ports": [{"name": "http", "container_port": 8080}],
        "readiness_probe": {"exec_": {"command": ["true"]}, "period_seconds": 5},
        "resources": {"limits": {"memory": "128Mi"}},
    }
    problems = _validation.Problems()
    wired = _wire.to_wire(problems, "c", container, "core.v1.ContainerArgs", "a Container")
    assert problems.items == []
    assert _wire.from_wire(wired, "core.v1.ContainerArgs") == container
    with pytest.raises(_wire.NotAField) as exc:
        _wire.from_wire({"name": "web", "imageTag": "1"}, "core.v1.ContainerArgs", ("spec", "containers", 0))
    assert (exc.value.path, exc.value.owner) == (("spec", "containers", 0, "imageTag"), "Container")
