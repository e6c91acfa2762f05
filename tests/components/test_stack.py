"""k8s_services.stack: a whole stack config checked at once, then built."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
import yaml

from components.testing import run
from k8s_services import stack
from tests.conftest import FIXTURES, assert_valid

BROKEN = yaml.safe_load((FIXTURES / "broken-configs.yaml").read_text())


@pytest.mark.parametrize("case", BROKEN, ids=[case["name"] for case in BROKEN])
def test_broken_config_reports_every_problem_with_its_path(case: dict[str, Any]) -> None:
    config = case["config"]
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse(
            config.get("services"),
            config.get("defaults"),
            config.get("namespaces"),
            extra_keys=tuple(config.get("extra_keys", ())),
        )
    assert exc.value.messages == case["messages"]


def test_a_config_with_several_problems_reports_all_of_them() -> None:
    [case] = [c for c in BROKEN if c["name"] == "several problems at once"]
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse(case["config"]["services"])
    assert len(exc.value.messages) == 5
    assert str(exc.value) == "The stack config has 5 problems:\n" + "\n".join(f"  {m}" for m in case["messages"])


def test_defaults_fill_only_what_a_bundle_leaves_out_and_its_type_accepts() -> None:
    parsed = stack.parse(
        {
            "web": {
                "type": "ClusterIP",
                "containers": [
                    {"name": "web", "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 8080}]}
                ],
                "ports": [{"name": "http", "port": 80}],
            },
            "db": {"type": "ExternalName", "external_name": "db.example.com", "namespace": "data"},
        },
        {"namespace": "shop", "pod_security": "baseline", "workload": "Deployment", "skip_await": True},
    )
    web, db = parsed.bundles
    assert web.args["namespace"] == "shop"
    assert (web.args["pod_security"], web.args["workload"], web.args["skip_await"]) == ("baseline", "Deployment", True)
    assert db.args == {"external_name": "db.example.com", "namespace": "data"}


def test_a_bundle_peer_becomes_that_bundles_selector() -> None:
    container = [{"name": "app", "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 8080}]}]
    parsed = stack.parse(
        {
            "products": {
                "type": "ClusterIP",
                "containers": container,
                "ports": [{"name": "http", "port": 80}],
                "allow_from": [{"bundle": "orders"}],
            },
            "orders": {
                "type": "ClusterIP",
                "namespace": "sales",
                "selector": {"app": "orders"},
                "containers": container,
                "ports": [{"name": "http", "port": 80}],
            },
        }
    )
    products = parsed.bundles[0]
    assert products.args["allow_from"] == [
        {"pod_selector": {"app": "orders"}, "namespace_selector": {"kubernetes.io/metadata.name": "sales"}}
    ]
    assert products.peers == ["bundle orders"]


def test_build_creates_namespaces_with_their_pod_security_labels() -> None:
    parsed = stack.parse(
        {"db": {"type": "ExternalName", "external_name": "db.example.com", "namespace": "data"}},
        namespaces={"data": {"pod_security": "restricted", "labels": {"team": "data"}}},
    )
    mocks = run(lambda: stack.build(parsed))
    for manifest in mocks.manifests():
        assert_valid(manifest)
    assert mocks.manifests("Namespace") == [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": "data",
                "labels": {
                    "team": "data",
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            },
        }
    ]


def test_invalid_json_in_a_config_value_is_a_config_error() -> None:
    def program() -> None:
        stack.load()

    with pytest.raises(stack.ConfigError) as exc:
        run(program, config={"k8s-services:services": "{not json"})
    assert exc.value.messages == [
        "services: is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1));"
        " set it with `pulumi config set --path` or in the stack file."
    ]


WEB = {
    "type": "NodePort",
    "containers": [{"name": "web", "image": "nginx:1.27.0", "ports": [{"name": "http", "container_port": 8080}]}],
    "ports": [{"name": "http", "port": 80}],
}


def _urns(services: dict[str, Any]) -> tuple[Any, dict[str, str], dict[str, list[str]]]:
    """Build a stack; return its manifests, each resource's URN by type, and
    each resource's alias URNs as the SDK computes them."""
    from pulumi.runtime.resource import all_aliases

    found: dict[str, Any] = {}

    def program() -> Any:
        parsed = stack.parse(services)
        [bundle] = stack.build(parsed).values()
        resources = {"component": bundle, "service": bundle.service, "pod": bundle.workload}
        aliases = {
            "component": all_aliases(bundle._aliases, bundle._name, bundle._type, None),
            "service": all_aliases(None, bundle.service._name, bundle.service._type, bundle),
            "pod": all_aliases(None, bundle.workload._name, bundle.workload._type, bundle),
        }
        return pulumi.Output.all(
            {key: r.urn for key, r in resources.items()},
            {key: pulumi.Output.all(*urns) for key, urns in aliases.items()},
        ).apply(lambda values: found.update(urns=values[0], aliases=values[1]))

    mocks = run(program)
    return mocks.manifests(), found["urns"], found["aliases"]


def test_a_renamed_bundle_keeps_its_objects_and_urns() -> None:
    before, old_urns, _ = _urns({"web": WEB})
    after, new_urns, aliases = _urns({"storefront": {**WEB, "previous_names": ["web"]}})
    # The Kubernetes objects are unchanged but for the Service's name label.
    for manifest in before + after:
        manifest["metadata"].get("labels", {}).pop("app.kubernetes.io/name", None) if manifest[
            "kind"
        ] == "Service" else None
    assert after == before
    for key in ("component", "service", "pod"):
        assert new_urns[key] != old_urns[key]
        assert _engine_urn(old_urns[key]) in aliases[key]


def _engine_urn(urn: str) -> str:
    # The mock monitor puts the root stack into every type chain; the engine
    # does not, and neither does the SDK's alias computation.
    return urn.replace("::pulumi:pulumi:Stack$", "::")


def test_protect_reaches_every_child() -> None:
    protected: list[Any] = []

    def program() -> None:
        parsed = stack.parse({"web": WEB}, protect=True)
        [bundle] = stack.build(parsed).values()
        protected.extend([bundle._protect, bundle.service._protect, bundle.workload._protect])

    run(program)
    assert protected == [True, True, True]


def test_any_name_a_bundle_could_have_had_is_accepted() -> None:
    # A bundle may have been named "Old_Web" if it named its objects itself.
    parsed = stack.parse({"web": {**WEB, "service_name": "web", "workload_name": "web", "previous_names": ["Old_Web"]}})
    assert parsed.bundles[0].previous_names == ["Old_Web"]
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse({"web": {**WEB, "previous_names": ["Old_Web"]}})
    assert exc.value.messages == [
        'services.web.previous_names[0]: "Old_Web" cannot have been the Service\'s name (must consist of lowercase'
        " letters, digits and '-', start with a letter and end with a letter or digit (an RFC 1035 label such as"
        " 'my-name' or 'abc-123')), so that bundle set 'service_name'; set 'service_name' to the name its Service"
        " had.",
        'services.web.previous_names[0]: "Old_Web" cannot have been the workload\'s name (must consist of lowercase'
        " letters, digits, '-' and '.', and start and end with a letter or digit (an RFC 1123 subdomain such as"
        " 'example.com')), so that bundle set 'workload_name'; set 'workload_name' to the name its workload had.",
    ]


def test_two_bundles_cannot_claim_the_same_earlier_name() -> None:
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse(
            {
                "web": {**WEB, "previous_names": ["old"]},
                "api": {**WEB, "service_name": "api", "workload_name": "api", "previous_names": ["old"]},
            }
        )
    assert exc.value.messages == [
        'services.api.previous_names[0]: "old" is already an earlier name of services.web; two bundles cannot both'
        " take over its objects."
    ]


def test_previous_names_are_checked() -> None:
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse({"web": {**WEB, "previous_names": ["web", ""]}})
    assert exc.value.messages == [
        'services.web.previous_names[0]: "web" repeats a name already listed or the bundle\'s own name; list each'
        " earlier name once.",
        'services.web.previous_names[1]: "" is not a name a bundle could have had: it must be non-empty and'
        " without '::'.",
    ]
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse({"web": WEB, "api": {**WEB, "service_name": "api", "previous_names": ["web"]}})
    assert exc.value.messages == [
        'services.api.previous_names[0]: "web" is the name of another bundle of this stack; two bundles cannot both'
        " own its objects."
    ]


def test_one_bundle_may_pin_one_node_port_for_tcp_and_udp() -> None:
    dns = {
        "type": "NodePort",
        "containers": [
            {
                "name": "dns",
                "image": "coredns/coredns:1.11.3",
                "ports": [
                    {"name": "dns-tcp", "container_port": 53, "protocol": "TCP"},
                    {"name": "dns-udp", "container_port": 53, "protocol": "UDP"},
                ],
            }
        ],
        "ports": [
            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "node_port": 30053},
            {"name": "dns-udp", "port": 53, "protocol": "UDP", "node_port": 30053},
        ],
    }
    assert [b.name for b in stack.parse({"dns": dns}).bundles] == ["dns"]
    with pytest.raises(stack.ConfigError) as exc:
        stack.parse({"dns": dns, "dns2": {**dns, "selector": {"app": "dns2"}}})
    assert exc.value.messages == [
        "services.dns2.ports[0].node_port: 30053 is already pinned by services.dns.ports[0]; node ports are"
        " cluster-wide, so pin another or leave it to Kubernetes.",
        "services.dns2.ports[1].node_port: 30053 is already pinned by services.dns.ports[0]; node ports are"
        " cluster-wide, so pin another or leave it to Kubernetes.",
    ]
