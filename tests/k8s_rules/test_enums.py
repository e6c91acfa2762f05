"""k8s_rules._enums: the enum overlay generated from k8s.io/api's ``+enum`` types,
its fit with the kubernetes-validate schemas, and the generator's Go reading."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import fastjsonschema
import kubernetes_validate
import pytest

from k8s_rules._enums import apply_enums, enum_overlay, enum_source

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
CORE = "io.k8s.api.core.v1."


def raw_definitions(version: str = "1.37") -> dict[str, Any]:
    with (SCHEMAS / f"v{version}.0-local-strict" / "_definitions.json").open(encoding="utf-8") as file:
        definitions: dict[str, Any] = json.load(file)["$defs"]
    return definitions


@pytest.fixture(scope="module")
def definitions() -> dict[str, Any]:
    return raw_definitions()


SPOT_CHECKS = {
    (CORE + "Container", "imagePullPolicy"): ["Always", "IfNotPresent", "Never"],
    (CORE + "Container", "terminationMessagePolicy"): ["FallbackToLogsOnError", "File"],
    (CORE + "EphemeralContainer", "imagePullPolicy"): ["Always", "IfNotPresent", "Never"],
    (CORE + "PodSpec", "restartPolicy"): ["Always", "Never", "OnFailure"],
    (CORE + "PodSpec", "dnsPolicy"): ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
    (CORE + "ContainerPort", "protocol"): ["SCTP", "TCP", "UDP"],
    (CORE + "ServicePort", "protocol"): ["SCTP", "TCP", "UDP"],
    (CORE + "ServiceSpec", "type"): ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
    (CORE + "ServiceSpec", "sessionAffinity"): ["ClientIP", "None"],
    (CORE + "ServiceSpec", "externalTrafficPolicy"): ["Cluster", "Local"],
    (CORE + "ServiceSpec", "internalTrafficPolicy"): ["Cluster", "Local"],
    (CORE + "ServiceSpec", "ipFamilyPolicy"): ["PreferDualStack", "RequireDualStack", "SingleStack"],
    # Items; "" is upstream's IPFamilyUnknown constant, in the OpenAPI v3 spec too.
    (CORE + "ServiceSpec", "ipFamilies"): ["", "IPv4", "IPv6"],
    (CORE + "SeccompProfile", "type"): ["Localhost", "RuntimeDefault", "Unconfined"],
    ("io.k8s.api.apps.v1.DeploymentStrategy", "type"): ["Recreate", "RollingUpdate"],
    ("io.k8s.api.networking.v1.NetworkPolicySpec", "policyTypes"): ["Egress", "Ingress"],
    # An enum of core/v1 used from networking/v1.
    ("io.k8s.api.networking.v1.NetworkPolicyPort", "protocol"): ["SCTP", "TCP", "UDP"],
    ("io.k8s.api.batch.v1.CronJobSpec", "concurrencyPolicy"): ["Allow", "Forbid", "Replace"],
}


@pytest.mark.parametrize(("definition", "prop"), sorted(SPOT_CHECKS))
def test_spot_checks(definition: str, prop: str) -> None:
    assert enum_overlay()[definition][prop] == SPOT_CHECKS[definition, prop]


def test_free_strings_are_not_enums() -> None:
    overlay = enum_overlay()
    assert CORE + "Capabilities" not in overlay  # capability names are free strings
    assert "appProtocol" not in overlay[CORE + "ServicePort"]  # may be domain-prefixed
    assert not any("autoscaling" in name for name in overlay)  # autoscaling/v2 has no +enum type


def test_every_entry_is_in_the_schemas(definitions: dict[str, Any]) -> None:
    overlay = enum_overlay()
    assert len(overlay) > 40
    for name, properties in overlay.items():
        assert name in definitions, name
        for prop, values in properties.items():
            schema = definitions[name]["properties"].get(prop)
            assert schema is not None, f"{name}.{prop}"
            node = schema["items"] if "array" in schema["type"] else schema
            assert "string" in node["type"], f"{name}.{prop}"
            assert values, f"{name}.{prop}"
            assert all(isinstance(value, str) for value in values)
            assert values == sorted(set(values), key=json.dumps), f"{name}.{prop}: sorted as kube-openapi sorts"


def test_source_is_recorded() -> None:
    assert re.fullmatch(r"kubernetes/api@[0-9a-f]{40}", enum_source())
    with (ROOT / "k8s_rules" / "enums.json").open(encoding="utf-8") as file:
        assert json.load(file)["source"] == enum_source()


def container_errors(definitions: dict[str, Any]) -> Callable[[dict[str, Any]], list[tuple[list[str], str]]]:
    """Validates a Container as fastjsonschema does for k8s_rules.schema: (path, rule) of the first error."""
    validate = fastjsonschema.compile({"$ref": f"#/$defs/{CORE}Container", "$defs": definitions})

    def errors(container: dict[str, Any]) -> list[tuple[list[str], str]]:
        try:
            validate(container)
        except fastjsonschema.JsonSchemaValueException as error:
            return [(error.path, error.rule)]
        return []

    return errors


def test_apply_enums_refuses_unknown_values(definitions: dict[str, Any]) -> None:
    sometimes = {"name": "a", "image": "x", "imagePullPolicy": "Sometimes"}
    assert container_errors(definitions)(sometimes) == []  # what the overlay is for

    merged = dict(definitions)
    apply_enums(merged)
    errors = container_errors(merged)
    assert errors(sometimes) == [(["data", "imagePullPolicy"], "enum")]
    assert errors({"name": "a", "image": "x", "imagePullPolicy": "IfNotPresent"}) == []
    assert errors({"name": "a", "image": "x", "imagePullPolicy": None}) == []  # the type allows null
    tcp = {"name": "a", "image": "x", "ports": [{"containerPort": 80, "protocol": "tcp"}]}
    assert errors(tcp) == [(["data", "ports", "0", "protocol"], "enum")]
    tcp["ports"][0]["protocol"] = "TCP"
    assert errors(tcp) == []


def test_apply_enums_shapes(definitions: dict[str, Any]) -> None:
    merged = dict(definitions)
    apply_enums(merged)
    spec = merged[CORE + "ServiceSpec"]["properties"]
    assert spec["type"]["enum"] == ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort", None]
    assert "enum" not in spec["ipFamilies"]
    assert spec["ipFamilies"]["items"]["enum"] == ["", "IPv4", "IPv6", None]
    # A required property's type has no null: neither has its enum.
    seccomp = merged[CORE + "SeccompProfile"]["properties"]["type"]
    assert seccomp["type"] == "string"
    assert seccomp["enum"] == ["Localhost", "RuntimeDefault", "Unconfined"]
    # Other properties are left alone.
    assert merged[CORE + "Container"]["properties"]["image"] == definitions[CORE + "Container"]["properties"]["image"]


def test_apply_enums_leaves_the_given_definitions_alone(definitions: dict[str, Any]) -> None:
    before = json.dumps(definitions, sort_keys=True)
    merged = dict(definitions)
    apply_enums(merged)
    assert json.dumps(definitions, sort_keys=True) == before
    assert merged[CORE + "Container"] is not definitions[CORE + "Container"]
    # The overlay's own lists are not handed out either.
    merged[CORE + "PodSpec"]["properties"]["restartPolicy"]["enum"].append("Sometimes")
    assert enum_overlay()[CORE + "PodSpec"]["restartPolicy"] == ["Always", "Never", "OnFailure"]


def test_apply_enums_skips_what_a_version_lacks() -> None:
    empty: dict[str, Any] = {}
    apply_enums(empty)
    assert empty == {}
    odd: dict[str, Any] = {CORE + "Container": {"properties": {"imagePullPolicy": {"$ref": "#/$defs/x"}}}}
    apply_enums(odd)
    assert odd[CORE + "Container"]["properties"]["imagePullPolicy"] == {"$ref": "#/$defs/x"}
    oldest = raw_definitions("1.29")
    apply_enums(oldest)  # supplementalGroupsPolicy, AppArmorProfile... came later
    assert oldest[CORE + "Container"]["properties"]["imagePullPolicy"]["enum"][-1] is None
    assert "supplementalGroupsPolicy" not in oldest[CORE + "PodSecurityContext"]["properties"]


# --- the generator, on a small Go tree ------------------------------------------


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_enums", ROOT / "scripts" / "generate_enums.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_enums", module)
    spec.loader.exec_module(module)
    return module


GO_CORE = """\
package v1

// PullPolicy describes a policy for if/when to pull a container image
// +enum
type PullPolicy string

const (
	// PullAlways means that kubelet always attempts to pull the latest image.
	PullAlways PullPolicy = "Always"
	PullNever  PullPolicy = "Never" // trailing comment
	PullIfNotPresent = PullPolicy("IfNotPresent")
	NotAPolicy = "Sometimes"
)

// Protocol defines network protocols supported for things like container ports.
// +enum
type Protocol string

const (
	ProtocolTCP Protocol = "TCP"
	ProtocolUDP Protocol = "UDP"
)

type ProtocolAlias = Protocol

// Capability represents POSIX capabilities type
type Capability string

// +enum
type Mode string

const ModeA Mode = "A"

// +enum
type Open string

const OpenA Open = "A"

type Common struct {
	// Image pull policy.
	ImagePullPolicy PullPolicy `json:"imagePullPolicy,omitempty"`
}

type Container struct {
	Name string `json:"name"`
	Common `json:",inline"`
	Add []Capability `json:"add,omitempty"`
	Protocols []ProtocolAlias `json:"protocols,omitempty"`
	// Mode of it.
	Mode *Mode `json:"mode,omitempty"`
	// Open is open: other values are allowed.
	Open Open `json:"open,omitempty"`
	Hidden PullPolicy `json:"-"`
}
"""

GO_NETWORKING = """\
package v1

import (
	"k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type NetworkPolicyPort struct {
	Protocol *v1.Protocol `json:"protocol,omitempty" protobuf:"bytes,1,opt,name=protocol,casttype=k8s.io/api/core/v1.Protocol"`
	Meta metav1.Time `json:"meta"`
}
"""


def test_generator_reads_go(tmp_path: Path) -> None:
    gen = generator()
    (tmp_path / "core" / "v1").mkdir(parents=True)
    (tmp_path / "core" / "v1" / "types.go").write_text(GO_CORE)
    (tmp_path / "networking" / "v1").mkdir(parents=True)
    (tmp_path / "networking" / "v1" / "types.go").write_text(textwrap.dedent(GO_NETWORKING))
    packages = gen.load(gen.Source(tmp_path))
    found = {
        (entry.definition, entry.property): (entry.shape, entry.values, gen.documented(entry, gen.OPEN_ENDED))
        for entry in gen.enum_fields(packages, None)
    }
    assert found == {
        (CORE + "Container", "imagePullPolicy"): ("value", ["Always", "IfNotPresent", "Never"], None),
        (CORE + "Common", "imagePullPolicy"): ("value", ["Always", "IfNotPresent", "Never"], None),
        (CORE + "Container", "protocols"): ("items", ["TCP", "UDP"], None),
        (CORE + "Container", "mode"): ("value", ["A"], None),
        (CORE + "Container", "open"): ("value", ["A"], 'field doc: "other values are allowed"'),
        ("io.k8s.api.networking.v1.NetworkPolicyPort", "protocol"): ("value", ["TCP", "UDP"], None),
    }
