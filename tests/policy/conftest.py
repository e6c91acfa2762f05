"""Run the pack's policies the way the engine does: props in wire form
(camelCase, floats), wrapped in `unknown_checking_proxy`, config defaults
applied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    unknown_checking_proxy,
)

from policy.rules import BY_NAME, POLICIES, config_with_defaults

POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"
ENVIRONMENTS = ("dev", "staging", "prod")

# In fixtures, these strings stand for values unknown at preview.
UNKNOWN_MARKERS = {
    "<unknown string>": UNKNOWN_STRING_VALUE,
    "<unknown number>": UNKNOWN_NUMBER_VALUE,
    "<unknown boolean>": UNKNOWN_BOOLEAN_VALUE,
    "<unknown array>": UNKNOWN_ARRAY_VALUE,
    "<unknown object>": UNKNOWN_OBJECT_VALUE,
}


def wire(value: Any) -> Any:
    """Props as the engine sends them: every number a float, unknowns as sentinels."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, str):
        return UNKNOWN_MARKERS.get(value, value)
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [wire(item) for item in value]
    return value


def environment(env: str | None) -> dict[str, Any]:
    if env is None:
        return {}
    loaded: dict[str, Any] = json.loads((POLICY_DIR / "config" / f"{env}.json").read_text())
    return loaded


def level(name: str, env: str | None) -> EnforcementLevel:
    """A policy's enforcement level under an environment's config."""
    value = environment(env).get(name)
    if isinstance(value, str):
        return EnforcementLevel(value)
    if isinstance(value, dict) and "enforcementLevel" in value:
        return EnforcementLevel(value["enforcementLevel"])
    policy_level = BY_NAME[name].enforcement_level
    assert policy_level is not None
    return policy_level


def _config(name: str, env: str | None, override: dict[str, Any] | None) -> dict[str, Any]:
    value = environment(env).get(name)
    config = config_with_defaults(BY_NAME[name], value if isinstance(value, dict) else None)
    config.update(override or {})
    return config


def _urn(resource_type: str, logical_name: str) -> str:
    return f"urn:pulumi:test::k8s-services::{resource_type}::{logical_name}"


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def check(
    name: str,
    resource_type: str,
    props: dict[str, Any],
    *,
    env: str | None = None,
    config: dict[str, Any] | None = None,
    logical_name: str = "test",
) -> list[str]:
    """The violations resource policy ``name`` reports for one resource."""
    policy = BY_NAME[name]
    assert isinstance(policy, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        resource_type,
        unknown_checking_proxy(wire(props)),
        _urn(resource_type, logical_name),
        logical_name,
        _options(),
        None,
        config=_config(name, env, config),
    )
    found: list[str] = []
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


def check_stack(
    name: str,
    resources: list[tuple[str, str, dict[str, Any]]],
    *,
    env: str | None = None,
    config: dict[str, Any] | None = None,
) -> list[str]:
    """The violations stack policy ``name`` reports for (type, name, props) resources."""
    policy = BY_NAME[name]
    stack_resources = [
        PolicyResource(
            resource_type,
            unknown_checking_proxy(wire(props)),
            _urn(resource_type, logical_name),
            logical_name,
            _options(),
            None,
            None,
            [],
            {},
        )
        for resource_type, logical_name, props in resources
    ]
    found: list[str] = []
    policy.validate(
        StackValidationArgs(stack_resources, config=_config(name, env, config)),
        lambda message, urn=None: found.append(message),
    )
    return found


def run_all(resources: list[tuple[str, str, dict[str, Any]]], env: str) -> dict[str, list[str]]:
    """Every policy of the pack over ``resources``: policy name to its violations."""
    results: dict[str, list[str]] = {}
    for policy in POLICIES:
        if isinstance(policy, ResourceValidationPolicy):
            found = [m for t, n, p in resources for m in check(policy.name, t, p, env=env, logical_name=n)]
        else:
            found = check_stack(policy.name, resources, env=env)
        if found:
            results[policy.name] = found
    return results
