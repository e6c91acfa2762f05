"""k8s_rules.containers: container names, as validateContainers checks them.

Cases from kubernetes/kubernetes pkg/apis/core/validation/validation_test.go
TestValidateContainers ("zero-length name", "name > 63 characters", "name
not a DNS label", "name not unique") and TestValidateInitContainers ("name
collision with regular container", "duplicate names").
"""

from __future__ import annotations

from typing import Any

import pytest

from k8s_rules import UNKNOWN, Problem
from k8s_rules.containers import check_containers


def pod(containers: list[Any], init: list[Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": containers}
    if init is not None:
        spec["initContainers"] = init
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


def c(name: Any) -> dict[str, Any]:
    return {"name": name, "image": "image"}


@pytest.mark.parametrize(
    "containers",
    [
        [c("abc")],  # TestValidateContainers successCase
        [c("123")],  # DNS-1123 labels may start with a digit
        [c("a" * 63)],
        [c("life-123"), c("life-1234")],
    ],
)
def test_names_upstream_accepts(containers: list[Any]) -> None:
    assert check_containers(pod(containers)) == []


LABEL = (
    "is not a DNS-1123 label: it must consist of lowercase letters, digits and '-', and start and end with a letter"
    " or digit (an RFC 1123 label such as 'my-name' or '123-abc')"
)


@pytest.mark.parametrize(
    ("containers", "expected"),
    [
        (
            [c("")],
            [
                Problem(
                    "containers/name",
                    ("spec", "containers", 0, "name"),
                    "is not a DNS-1123 label: it must not be empty",
                    "",
                )
            ],
        ),
        (
            [c("a" * 64)],
            [
                Problem(
                    "containers/name",
                    ("spec", "containers", 0, "name"),
                    "is not a DNS-1123 label: it must be no more than 63 characters",
                    "a" * 64,
                )
            ],
        ),
        ([c("Abc")], [Problem("containers/name", ("spec", "containers", 0, "name"), LABEL, "Abc")]),
        ([c("a_b")], [Problem("containers/name", ("spec", "containers", 0, "name"), LABEL, "a_b")]),
        (
            [c("abc"), c("abc")],
            [
                Problem(
                    "containers/name",
                    ("spec", "containers", 1, "name"),
                    "is already the name of spec.containers[0]; container names must be unique in a Pod, init"
                    " containers included",
                    "abc",
                )
            ],
        ),
    ],
)
def test_names_upstream_refuses(containers: list[Any], expected: list[Problem]) -> None:
    assert check_containers(pod(containers)) == expected


def test_an_init_container_may_not_share_a_name_with_a_container() -> None:
    # TestValidateInitContainers "name collision with regular container".
    [problem] = check_containers(pod([c("app")], init=[c("app")]))
    assert problem.path == ("spec", "containers", 0, "name")
    assert str(problem) == (
        "'spec.containers[0].name' (\"app\") is already the name of spec.initContainers[0]; container names must"
        " be unique in a Pod, init containers included."
    )


def test_templates_are_checked_and_unknown_names_skipped() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "spec": {"template": {"spec": {"containers": [c(UNKNOWN), c("x"), c("x")]}}},
    }
    assert [p.path for p in check_containers(deployment)] == [("spec", "template", "spec", "containers", 2, "name")]
    assert check_containers({"apiVersion": "v1", "kind": "Service"}) == []
