"""The import, tried at scale (hypothesis): valid bundles across every
argument (tests/test_properties.py's strategies), rendered, imported and
rendered again, give the very same objects.

``allow_from`` is left out of the drawn bundles: its NetworkPolicy is an
object kind the import reports and does not import.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import components
from components.testing import run
from k8s_services import _import, _stackfile, stack
from tests.test_properties import any_component, bundle_args, bundle_component, dns_label, label_key, label_value

IMPORT_EXAMPLES = 30


class _Quoting(yaml.SafeDumper):
    """Manifests as kubectl writes them: every string quoted."""


_Quoting.add_representer(str, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"'))


def _key(manifest: dict[str, Any]) -> tuple[str, str, str]:
    metadata = manifest["metadata"]
    return (manifest["kind"], metadata.get("namespace", ""), metadata["name"])


def _reimported(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The manifests imported, every one, and the stack config rendered."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "objects.yaml"
        # Every string double-quoted: kubectl reads a plain N as a boolean
        # (the import refuses it), and control characters need escapes.
        path.write_text(yaml.dump_all(manifests, Dumper=_Quoting))
        result = _import.import_objects(_import.read_objects([str(path)]))
    assert [(obj.label, reason) for obj, reason in result.refused] == []
    assert result.document is not None
    config = _stackfile.load_yaml_bytes(result.document.encode(), "Pulumi.imported.yaml")["config"]
    parsed = stack.parse(config["k8s-services:services"], None, config.get("k8s-services:namespaces"))
    return run(functools.partial(stack.build, parsed)).manifests()


@settings(max_examples=IMPORT_EXAMPLES, deadline=None)
@given(any_component())
def test_rendered_bundles_import_back_to_the_same_objects(drawn: tuple[str, dict[str, Any]]) -> None:
    component, args = drawn
    args = {key: value for key, value in args.items() if key != "allow_from"}
    first = run(lambda: getattr(components, component)("bundle", args)).manifests()
    again = _reimported(first)
    assert sorted(again, key=_key) == sorted(first, key=_key)


COMPONENT_TYPES = {
    "ClusterIPService": "ClusterIP",
    "NodePortService": "NodePort",
    "LoadBalancerService": "LoadBalancer",
}


@st.composite
def application(draw: st.DrawFn) -> dict[str, Any]:
    """A stack's services: one bundle with any workload kind, and maybe
    versions, its own ServiceAccount, a disruption budget and a second
    Service (a ``target`` bundle) in front of the same Pods."""
    component = draw(bundle_component)
    args = {key: value for key, value in draw(bundle_args(component)).items() if key != "allow_from"}
    workload = draw(st.sampled_from(["Deployment", "StatefulSet", "DaemonSet"]))
    args["workload"] = workload
    if workload == "DaemonSet":
        del args["replicas"]
    if draw(st.booleans()):
        args["service_account"] = draw(
            st.one_of(
                st.just(True),
                st.fixed_dictionaries(
                    {"name": dns_label},
                    optional={
                        "labels": st.dictionaries(label_key, label_value, max_size=2),
                        "automount_service_account_token": st.booleans(),
                    },
                ),
            )
        )
    if workload != "DaemonSet" and draw(st.booleans()):
        args["disruption_budget"] = draw(
            st.one_of(
                st.fixed_dictionaries({"max_unavailable": st.integers(0, 3)}),
                st.fixed_dictionaries({"min_available": st.sampled_from(["50%", 1])}),
            )
        )
    if draw(st.booleans()):
        canary = dict(args["containers"][0], image="ghcr.io/acme/web:2.2.0-rc.1")
        args["versions"] = {"stable": {}, "canary": {"containers": [canary], "pod_labels": {"track": "canary"}}}
        if workload != "DaemonSet":
            args["versions"]["canary"]["replicas"] = 1
    services: dict[str, Any] = {"app": {"type": COMPONENT_TYPES[component], **args}}
    if draw(st.booleans()):
        services["app-outside"] = {
            "type": "NodePort",
            "target": "app",
            "service_name": "app-outside",
            "ports": [
                {key: port[key] for key in ("name", "port", "protocol", "target_port")} for port in args["ports"]
            ],
        }
    return services


@settings(max_examples=IMPORT_EXAMPLES, deadline=None)
@given(application())
def test_rendered_applications_import_back_to_the_same_objects(services: dict[str, Any]) -> None:
    first = run(functools.partial(stack.build, stack.parse(services))).manifests()
    again = _reimported(first)
    assert sorted(again, key=_key) == sorted(first, key=_key)
