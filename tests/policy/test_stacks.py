"""The mocks bridge: every stack's program runs under the mock kit, and what
it registers goes through every policy with that environment's config."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8s_services.render import run_stack
from tests.policy.conftest import ENVIRONMENTS, level, run_all

PROJECT = Path(__file__).resolve().parents[2]

# dev's advisory findings, each accepted for a reason given in the README.
DEV_ADVISORY = {
    # loadbalancer-study and storefront-public, on a local cluster.
    "loadbalancer-source-ranges": 2,
    "image-digest-pinned": 6,
    # runAsNonRoot and capabilities.drop of the two seed nginx Pods.
    "pod-security-restricted": 4,
    "resources-set": 4,
    # A readinessProbe and a livenessProbe for each of the four Pods.
    "probes-configured": 8,
    "recommended-labels": 2,
    "bare-pod": 4,
}


def _findings(env: str) -> dict[str, list[str]]:
    mocks = run_stack(PROJECT, env)
    return run_all([(r.type, r.name, r.inputs) for r in mocks.resources if r.custom], env)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_stack_passes_every_mandatory_policy_of_its_environment(env: str) -> None:
    mandatory = {name: found for name, found in _findings(env).items() if level(name, env).value == "mandatory"}
    assert mandatory == {}


def test_dev_advisory_findings_are_the_accepted_ones() -> None:
    assert {name: len(found) for name, found in _findings("dev").items()} == DEV_ADVISORY


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_staging_and_prod_advise_only_digest_pinning(env: str) -> None:
    assert {name: len(found) for name, found in _findings(env).items()} == {"image-digest-pinned": 4}
