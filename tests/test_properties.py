"""Bad input, tried at scale (hypothesis).

- Valid arguments drawn across every argument build objects that validate
  against the official schemas and pass every mandatory rule of the policy pack.
- A valid input with exactly one field broken raises ValueError or TypeError
  naming that field's path, and registers nothing.
- Stack files that are not mappings, or have the wrong top-level types, make
  render and describe exit 2 with a message and no traceback.

The example counts are set below (and printed by `pytest -s`); CI runs the
"ci" profile: the same examples every run, so a red CI is reproducible.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import components
from components._checks import build_unchecked, check
from components.testing import KubernetesMocks, run
from k8s_services.cli import main
from tests.conftest import assert_valid
from tests.policy.conftest import check as policy_check
from tests.policy.conftest import check_stack, level, run_all

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

VALID_EXAMPLES = 60
BROKEN_EXAMPLES = 150
CONFIG_EXAMPLES = 60

PROJECT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """Run with the test process's heap out of the collector's sight: the CLI
    ends with a full `gc.collect()`, which would otherwise walk every object
    of the test session once per example (0.3-0.5 s each)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# --- valid arguments ----------------------------------------------------------

dns_label = st.from_regex(r"[a-z]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
label_value = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?", fullmatch=True)
label_key = st.one_of(dns_label, dns_label.map(lambda name: f"example.com/{name}"))
iana_name = st.from_regex(r"[a-z]([a-z0-9]{0,6}-?[a-z0-9]{0,5})?", fullmatch=True).filter(
    lambda name: len(name) <= 15 and not name.endswith("-")
)
cidr = st.sampled_from(["203.0.113.0/24", "198.51.100.0/24", "10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"])
image = st.sampled_from(
    ["nginxinc/nginx-unprivileged:1.27.2", "ghcr.io/acme/web:2.1.0", "registry.example.com:5000/api:v3"]
)


@st.composite
def bundle_args(draw: st.DrawFn, component: str) -> dict[str, Any]:
    """Valid arguments for a Pod-plus-Service component, touching every argument."""
    selector = draw(st.dictionaries(label_key, label_value, min_size=1, max_size=3))
    port_names = draw(st.lists(iana_name, min_size=1, max_size=3, unique=True))
    numbers = draw(st.lists(st.integers(1024, 65535), min_size=len(port_names), max_size=len(port_names), unique=True))
    # The probes below are tcpSocket probes of the first port: it is TCP.
    protocols = ["TCP"] + [draw(st.sampled_from(["TCP", "UDP"])) for _ in port_names[1:]]
    container_ports = [
        {"name": name, "container_port": number, "protocol": protocol}
        for name, number, protocol in zip(port_names, numbers, protocols, strict=True)
    ]
    probe = {"tcp_socket": {"port": numbers[0]}, "period_seconds": draw(st.integers(1, 30))}
    containers = [
        {
            "name": "app",
            "image": draw(image),
            "ports": container_ports,
            "readiness_probe": probe,
            "liveness_probe": probe,
            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "250m", "memory": "128Mi"}},
            "security_context": draw(
                st.sampled_from([{}, {"run_as_user": 10001}, {"capabilities": {"add": ["NET_BIND_SERVICE"]}}])
            ),
        }
    ]
    ports = []
    node_ports = iter(draw(st.lists(st.integers(30000, 32767), min_size=3, max_size=3, unique=True)))
    for i, (name, number, protocol) in enumerate(zip(port_names, numbers, protocols, strict=True)):
        port: dict[str, Any] = {
            "name": f"p{i}-{name}"[:15].rstrip("-"),
            "port": draw(st.integers(1, 65535)),
            "protocol": protocol,
        }
        port["target_port"] = draw(st.sampled_from([name, number]))
        if component != "ClusterIPService" and draw(st.booleans()):
            port["node_port"] = next(node_ports)
        ports.append(port)
    unique_ports = {(p["port"], p["protocol"]) for p in ports}
    if len(unique_ports) < len(ports):
        for i, port in enumerate(ports):
            port["port"] = 1000 + i
    args: dict[str, Any] = {
        "namespace": draw(dns_label),
        "service_name": draw(dns_label),
        "workload_name": draw(dns_label),
        "selector": selector,
        "pod_labels": {"app.kubernetes.io/name": "app", **draw(st.dictionaries(label_key, label_value, max_size=2))},
        "service_labels": draw(st.dictionaries(label_key, label_value, max_size=2)),
        "service_annotations": draw(st.dictionaries(label_key, st.text(max_size=20), max_size=2)),
        "pod_annotations": draw(st.dictionaries(label_key, st.text(max_size=20), max_size=2)),
        "containers": containers,
        "ports": ports,
        "workload": "Deployment",
        "replicas": draw(st.integers(0, 5)),
        "pod_security": "restricted",
        "internal_traffic_policy": draw(st.sampled_from(["Cluster", "Local"])),
        "skip_await": draw(st.booleans()),
        "custom_timeouts": draw(st.sampled_from([{}, {"create": "5m"}, {"create": "1h30m", "delete": "30s"}])),
        "allow_from": draw(
            st.lists(
                st.one_of(
                    st.fixed_dictionaries({"pod_selector": st.dictionaries(label_key, label_value, max_size=2)}),
                    st.fixed_dictionaries({"namespace_selector": st.dictionaries(label_key, label_value, max_size=2)}),
                    st.fixed_dictionaries({"ip_block": cidr}),
                ),
                max_size=2,
            )
        ),
    }
    for key in list(args["pod_labels"]):
        if key in selector:
            del args["pod_labels"][key]
    if draw(st.booleans()):
        args["session_affinity"] = "ClientIP"
        args["session_affinity_timeout_seconds"] = draw(st.integers(1, 86400))
    family = draw(st.sampled_from([None, ["IPv4"], ["IPv4", "IPv6"]]))
    if family is not None:
        args["ip_families"] = family
        args["ip_family_policy"] = (
            "SingleStack" if len(family) == 1 else draw(st.sampled_from(["PreferDualStack", "RequireDualStack"]))
        )
    if component == "ClusterIPService":
        args["publish_not_ready_addresses"] = draw(st.booleans())
    else:
        args["external_traffic_policy"] = draw(st.sampled_from(["Cluster", "Local"]))
    if component == "LoadBalancerService":
        args["load_balancer_source_ranges"] = draw(st.lists(cidr, min_size=1, max_size=3, unique=True))
        args["load_balancer_class"] = draw(st.sampled_from(["example.com/internal-vip", "acme.io/lb"]))
        args["allocate_load_balancer_node_ports"] = True
        if args["external_traffic_policy"] == "Local" and draw(st.booleans()):
            used = {p.get("node_port") for p in ports}
            args["health_check_node_port"] = next(n for n in range(30000, 32768) if n not in used)
    return args


@st.composite
def external_name_args(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "external_name": draw(st.lists(dns_label, min_size=2, max_size=4).map(".".join)),
        "namespace": draw(dns_label),
        "service_name": draw(dns_label),
        "service_labels": draw(st.dictionaries(label_key, label_value, max_size=2)),
        "ports": [{"name": "pg", "port": draw(st.integers(1, 65535))}],
    }


@st.composite
def any_component(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    component = draw(
        st.sampled_from(["ClusterIPService", "NodePortService", "LoadBalancerService", "ExternalNameService"])
    )
    args = draw(external_name_args()) if component == "ExternalNameService" else draw(bundle_args(component))
    return component, args


def _build(component: str, args: dict[str, Any], mocks: KubernetesMocks | None = None) -> KubernetesMocks:
    return run(lambda: getattr(components, component)("bundle", args), mocks)


@settings(max_examples=VALID_EXAMPLES)
@given(any_component())
def test_valid_arguments_build_valid_objects_that_pass_every_mandatory_rule(drawn: tuple[str, dict[str, Any]]) -> None:
    component, args = drawn
    mocks = _build(component, args)
    manifests = mocks.manifests()
    assert manifests
    for manifest in manifests:
        assert_valid(manifest)
    findings = run_all([(r.type, r.name, r.inputs) for r in mocks.resources if r.custom], "staging")
    assert {name: found for name, found in findings.items() if level(name, "staging").value == "mandatory"} == {}


# --- one field broken ---------------------------------------------------------

WRONG_TYPES = [3.5, ["x"], {"x": 1}, object(), None, True]


@st.composite
def broken(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    """A valid input with one field broken, and the path the error must name."""
    component, args = draw(any_component())
    args = copy.deepcopy(args)
    bundle = component != "ExternalNameService"
    kinds = ["wrong type", "unknown key", "other type's key", "port range", "name", "label"]
    if bundle:
        kinds += ["container port", "target port", "replicas", "session timeout", "node port"]
    if component == "LoadBalancerService":
        kinds.append("cidr")
    if not bundle:
        kinds.append("dns name")
    kind = draw(st.sampled_from(kinds))
    if kind == "wrong type":
        key = draw(st.sampled_from(sorted(k for k in args if k != "allow_from" or args[k])))
        wrong = [value for value in WRONG_TYPES if type(value) is not type(args[key])]
        args[key] = draw(st.sampled_from(wrong))
        return component, args, key
    if kind == "unknown key":
        key = draw(st.sampled_from(["selecter", "bogus", "targetPort", "externalIPs", "replica"]))
        args[key] = 1
        return component, args, key
    if kind == "other type's key":
        key = {
            "ClusterIPService": "node_port_range",
            "NodePortService": "headless",
            "LoadBalancerService": "external_name",
            "ExternalNameService": "containers",
        }[component]
        args[key] = args.get(key, "x")
        return component, args, key
    if kind == "port range":
        i = draw(st.integers(0, len(args["ports"]) - 1))
        args["ports"][i]["port"] = draw(st.sampled_from([0, -1, 65536, 100000]))
        return component, args, f"ports[{i}].port"
    if kind == "name":
        key = draw(st.sampled_from(["service_name", "namespace"] + (["workload_name"] if bundle else [])))
        args[key] = draw(st.sampled_from(["Bad_Name", "-x", "a" * 300, "", "x y"]))
        return component, args, key
    if kind == "label":
        key = "selector" if bundle else "service_labels"
        labels = dict(args.get(key) or {"a": "b"})
        bad_key, bad_value = draw(st.sampled_from([("-bad", "x"), ("ok", "not ok"), ("a/b/c", "x"), ("ok", "x" * 64)]))
        labels[bad_key] = bad_value
        args[key] = labels
        if key == "selector":
            args["pod_labels"] = {k: v for k, v in args["pod_labels"].items() if k != bad_key}
        return component, args, f'{key}["{bad_key}"]'
    if kind == "container port":
        args["containers"][0]["ports"][0]["name"] = draw(st.sampled_from(["Http", "x" * 16, "a--b", "123"]))
        return component, args, "containers[0].ports[0].name"
    if kind == "target port":
        i = draw(st.integers(0, len(args["ports"]) - 1))
        args["ports"][i]["target_port"] = draw(st.sampled_from(["nosuchport", 1]))
        return component, args, f"ports[{i}].target_port"
    if kind == "replicas":
        args["replicas"] = -1
        return component, args, "replicas"
    if kind == "session timeout":
        args["session_affinity"] = "ClientIP"
        args["session_affinity_timeout_seconds"] = draw(st.sampled_from([0, 86401]))
        return component, args, "session_affinity_timeout_seconds"
    if kind == "node port":
        if component == "ClusterIPService":
            args["ports"][0]["node_port"] = 30080
        else:
            args["ports"][0]["node_port"] = draw(st.sampled_from([80, 29999, 32768]))
        return component, args, "ports[0].node_port"
    if kind == "cidr":
        args["load_balancer_source_ranges"] = [
            draw(st.sampled_from(["10.0.0.1", "10.0.0.1/33", "999.0.0.0/8", "office"]))
        ]
        return component, args, "load_balancer_source_ranges[0]"
    args["external_name"] = draw(st.sampled_from(["localhost", "127.0.0.1", "::1", "Bad_Host", "a..b"]))
    return component, args, "external_name"


@settings(max_examples=BROKEN_EXAMPLES)
@given(broken())
def test_one_broken_field_is_named_and_nothing_is_registered(case: tuple[str, dict[str, Any], str]) -> None:
    component, args, path = case
    mocks = KubernetesMocks()
    with pytest.raises((ValueError, TypeError)) as exc:
        _build(component, args, mocks)
    assert type(exc.value) in (ValueError, TypeError)
    # The field itself, or a part of it: ['x'] for a list of containers is
    # reported at 'containers[0]'.
    assert re.search(f"'{re.escape(path)}['.\\[]", str(exc.value)), str(exc.value)
    assert str(exc.value).startswith(f"Unable to create {component} 'bundle'")
    assert mocks.resources == []


# --- stack files of the wrong shape -------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)
wrong_services = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=10), st.lists(json_values, max_size=3)
)


@st.composite
def bad_stack_file(draw: st.DrawFn) -> str:
    import yaml

    shape = draw(
        st.sampled_from(
            [
                "not a mapping",
                "config not a mapping",
                "services wrong type",
                "bundle wrong type",
                "defaults wrong type",
                "garbage",
            ]
        )
    )
    if shape == "not a mapping":
        return yaml.safe_dump(
            draw(
                st.one_of(
                    st.lists(json_values, min_size=1, max_size=3), st.text(min_size=1, max_size=10), st.integers()
                )
            )
        )
    if shape == "config not a mapping":
        return yaml.safe_dump(
            {
                "config": draw(
                    st.one_of(
                        st.lists(json_values, min_size=1, max_size=3), st.integers(), st.text(min_size=1, max_size=8)
                    )
                )
            }
        )
    if shape == "services wrong type":
        return yaml.safe_dump({"config": {"k8s-services:services": draw(wrong_services)}})
    if shape == "bundle wrong type":
        return yaml.safe_dump({"config": {"k8s-services:services": {"web": draw(wrong_services)}}})
    if shape == "defaults wrong type":
        return yaml.safe_dump(
            {
                "config": {
                    "k8s-services:defaults": draw(wrong_services.filter(lambda value: value is not None)),
                    "k8s-services:services": {"db": {"type": "ExternalName", "external_name": "db.example.com"}},
                }
            }
        )
    return draw(st.sampled_from(["{unclosed", "config: [", ":\n  - :", "\t- x", "config:\n  a: b\n    c: d\n"]))


@settings(max_examples=CONFIG_EXAMPLES)
@given(bad_stack_file(), st.sampled_from(["render", "describe"]))
def test_a_stack_file_of_the_wrong_shape_exits_2_without_a_traceback(text: str, command: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        (project / "Pulumi.yaml").write_text("name: k8s-services\nruntime: python\nstackConfigDir: stacks\n")
        (project / "stacks").mkdir()
        (project / "stacks" / "Pulumi.bad.yaml").write_text(text)
        (project / "__main__.py").write_text((PROJECT / "__main__.py").read_text())
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _heap_frozen():
            code = main([command, "bad", "--project-dir", str(project)])
    assert code == 2, err.getvalue()
    assert err.getvalue().startswith("error: ")
    assert "Traceback" not in err.getvalue()
    assert out.getvalue() == ""


# --- pass-through fields, and one verdict for components and policy pack -------

# A field broken deep inside `containers` or `pod_spec`, and the argument path
# the error must name. Each is refused by an upstream rule family: the schema,
# the Pod Security Standards (kubernetes/pod-security-admission), the
# container-port rules or the wiring rules.
PASS_THROUGH_BREAKS: list[tuple[str, Any, str]] = [
    ("containers[0].env", [{"name": "DEBUG", "value": True}], "containers[0].env[0].value"),
    ("containers[0].args", "--verbose", "containers[0].args"),
    ("containers[0].image_pull_policy", "Sometimes", "containers[0].image_pull_policy"),
    ("containers[0].security_context", {"privileged": True}, "containers[0].security_context.privileged"),
    ("containers[0].security_context", {"proc_mount": "Unmasked"}, "containers[0].security_context.proc_mount"),
    (
        "containers[0].security_context",
        {"se_linux_options": {"type": "spc_t"}},
        "containers[0].security_context.se_linux_options.type",
    ),
    (
        "containers[0].security_context",
        {"capabilities": {"add": ["SYS_ADMIN"]}},
        "containers[0].security_context.capabilities.add[0]",
    ),
    (
        "pod_spec.volumes",
        [{"name": "docker", "host_path": {"path": "/var/run/docker.sock"}}],
        "pod_spec.volumes[0].host_path",
    ),
    ("pod_spec.host_pid", True, "pod_spec.host_pid"),
    (
        "pod_spec.security_context",
        {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]},
        "pod_spec.security_context.sysctls[0].name",
    ),
    (
        "pod_spec.init_containers",
        [{"name": "setup", "image": "busybox:1.36", "security_context": {"run_as_user": 0}}],
        "pod_spec.init_containers[0].security_context.run_as_user",
    ),
    ("containers[0].ports", [{"name": "http", "container_port": 70000}], "containers[0].ports[0].container_port"),
    (
        "containers[0].readiness_probe",
        {"http_get": {"path": "/", "port": "nosuchport"}},
        "containers[0].readiness_probe.http_get.port",
    ),
]


def _set(args: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``containers[0].env`` or ``pod_spec.volumes`` in ``args``."""
    head, _, field = dotted.rpartition(".")
    if head == "pod_spec":
        args.setdefault("pod_spec", {})[field] = value
    else:
        args["containers"][0][field] = value


bundle_component = st.sampled_from(["ClusterIPService", "NodePortService", "LoadBalancerService"])


@st.composite
def broken_pass_through(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    component = draw(bundle_component)
    args = copy.deepcopy(draw(bundle_args(component)))
    field, value, path = draw(st.sampled_from(PASS_THROUGH_BREAKS))
    if field.endswith("security_context") and field.startswith("containers"):
        value = {**args["containers"][0].get("security_context", {}), **value}
    _set(args, field, copy.deepcopy(value))
    return component, args, path


@settings(max_examples=BROKEN_EXAMPLES)
@given(broken_pass_through())
def test_one_broken_pass_through_field_is_named(case: tuple[str, dict[str, Any], str]) -> None:
    component, args, path = case
    mocks = KubernetesMocks()
    with pytest.raises((ValueError, TypeError)) as exc:
        _build(component, args, mocks)
    assert re.search(f"'{re.escape(path)}['.\\[]", str(exc.value)), str(exc.value)
    assert mocks.resources == []


# The policies that run the same rule families as the components (the rest
# of the pack is advice the components leave to the environment).
SAME_RULES = (
    "kubernetes-schema",
    "service-api-rules",
    "object-metadata-rules",
    "container-port-rules",
    "externalname-target-safe",
    "pod-security-baseline",
    "probe-ports",
)
_TYPES = {
    "Pod": "kubernetes:core/v1:Pod",
    "Deployment": "kubernetes:apps/v1:Deployment",
    "Service": "kubernetes:core/v1:Service",
    "NetworkPolicy": "kubernetes:networking.k8s.io/v1:NetworkPolicy",
}


@st.composite
def valid_or_broken(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    if draw(st.booleans()):
        component, args, _ = draw(broken_pass_through())
        return component, args
    return draw(any_component())


@settings(max_examples=VALID_EXAMPLES)
@given(valid_or_broken())
def test_the_components_and_the_policy_pack_give_the_same_verdict(drawn: tuple[str, dict[str, Any]]) -> None:
    component, args = drawn
    kind = getattr(components, component).KIND
    built, problems, complete = build_unchecked(kind, "bundle", args)
    assume(built is not None and complete and not problems)
    assert built is not None
    refused = check(kind, "bundle", args)[0] is None
    resources = [(_TYPES[manifest["kind"]], "bundle", manifest) for _, manifest in built.objects]
    policies = (*SAME_RULES, "pod-security-restricted") if built.profile == "restricted" else SAME_RULES
    reported = {
        name: found
        for name in policies
        if (found := [m for t, n, p in resources for m in policy_check(name, t, p, env="prod")])
    }
    reported.update(
        {
            name: found
            for name in ("service-selector-matches-pod", "service-target-port-resolves")
            if (found := check_stack(name, resources, env="prod"))
        }
    )
    assert refused == bool(reported), reported


# --- values known only at deployment (preview) -----------------------------------


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


@st.composite
def with_an_unknown(draw: st.DrawFn) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
    component, args = draw(any_component())
    return component, args, draw(st.sampled_from(_paths(args)))


@settings(max_examples=VALID_EXAMPLES)
@given(with_an_unknown())
def test_an_unknown_anywhere_builds_or_is_refused_as_an_output(
    case: tuple[str, dict[str, Any], tuple[Any, ...]],
) -> None:
    """Under preview, an Output anywhere in the arguments never crashes and
    never drops a resource: the bundle builds, or the error says the argument
    must be a plain value."""
    component, args, path = case
    args = copy.deepcopy(args)
    parent = args
    for key in path[:-1]:
        parent = parent[key]
    known = parent[path[-1]]

    def program() -> None:
        # An Output the preview cannot resolve (its value comes from a resource).
        parent[path[-1]] = pulumi.Output.from_input(known).apply(lambda value: value)
        getattr(components, component)("bundle", args)

    mocks = KubernetesMocks()
    try:
        run(program, mocks, preview=True)
    except TypeError as error:
        assert "Output" in str(error), str(error)
        assert str(error).startswith(f"Unable to create {component} 'bundle'")
        assert mocks.resources == []
        return
    kinds = sorted(r.type for r in mocks.resources if r.custom)
    expected = 1 if component == "ExternalNameService" else 2
    assert len(kinds) >= expected, kinds


# --- every path of a real stack, mutated structurally ----------------------------

REAL_STACKS = {
    name: yaml.safe_load((PROJECT / "stacks" / f"Pulumi.{name}.yaml").read_text()) for name in ("dev", "prod")
}
STACK_MUTATIONS = ("wrong type", "list for map", "null", "deep nesting", "unknown key")


@st.composite
def mutated_stack(draw: st.DrawFn) -> str:
    document = copy.deepcopy(REAL_STACKS[draw(st.sampled_from(sorted(REAL_STACKS)))])
    path = draw(st.sampled_from(_paths(document["config"])))
    parent = document["config"]
    for key in path[:-1]:
        parent = parent[key]
    value = parent[path[-1]]
    mutation = draw(st.sampled_from(STACK_MUTATIONS))
    if mutation == "wrong type":
        parent[path[-1]] = draw(
            st.sampled_from([7, 2.5, True, "text", ["a"], {"a": 1}]).filter(
                lambda wrong: type(wrong) is not type(value)
            )
        )
    elif mutation == "list for map":
        parent[path[-1]] = [value]
    elif mutation == "null":
        parent[path[-1]] = None
    elif mutation == "deep nesting":
        nested: Any = value
        for _ in range(draw(st.integers(20, 60))):
            nested = {"x": nested} if draw(st.booleans()) else [nested]
        parent[path[-1]] = nested
    elif isinstance(value, dict):
        value[draw(st.sampled_from(["bogus", "typ", "selecter", "Containers"]))] = 1
    else:
        parent[path[-1]] = {"bogus": value}
    return yaml.safe_dump(document)


@settings(max_examples=CONFIG_EXAMPLES)
@given(mutated_stack())
def test_a_real_stack_mutated_at_any_path_renders_or_exits_2_without_a_traceback(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        (project / "Pulumi.yaml").write_text((PROJECT / "Pulumi.yaml").read_text())
        (project / "stacks").mkdir()
        (project / "stacks" / "Pulumi.mutated.yaml").write_text(text)
        (project / "__main__.py").write_text((PROJECT / "__main__.py").read_text())
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _heap_frozen():
            code = main(["render", "mutated", "--project-dir", str(project)])
    assert "Traceback" not in err.getvalue()
    assert code in (0, 2), err.getvalue()
    if code == 2:
        assert err.getvalue().startswith("error: ")
        assert out.getvalue() == ""
