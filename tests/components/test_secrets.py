"""Secrets stay secret: what the bundles register from a secret is a secret
Output, and the mock kit, render and error messages show "[secret]", never
the plaintext (issue: hostile and sloppy input, "Secrets")."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components import ClusterIPService
from components.testing import run
from k8s_services import stack

PLAINTEXT = "s3cr3t-t0ken"
CONTAINERS = [{"name": "web", "image": "ghcr.io/acme/web:1.0.0", "ports": [{"name": "http", "container_port": 8080}]}]


def test_an_output_secret_from_a_library_user_is_never_recorded_in_clear() -> None:
    def program() -> None:
        containers = [{**CONTAINERS[0], "env": [{"name": "TOKEN", "value": pulumi.Output.secret(PLAINTEXT)}]}]
        ClusterIPService(
            "web", {"namespace": "shop", "containers": containers, "ports": [{"name": "http", "port": 80}]}
        )

    mocks = run(program)
    [pod] = mocks.manifests("Pod")
    # The SDK marks the whole spec secret, as `pulumi preview` shows it.
    assert pod["spec"] == "[secret]"
    assert PLAINTEXT not in json.dumps(mocks.manifests())
    assert PLAINTEXT not in repr(mocks.resources)
    [service] = mocks.manifests("Service")
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "web"}


def test_a_secret_where_a_plain_value_is_needed_is_refused_without_its_value() -> None:
    with pytest.raises(TypeError) as exc:
        ClusterIPService(
            "web",
            {"namespace": "shop", "containers": CONTAINERS, "ports": pulumi.Output.secret([{"port": 80}])},  # type: ignore[typeddict-item]
        )
    assert PLAINTEXT not in str(exc.value)
    assert str(exc.value).startswith(
        "Unable to create ClusterIPService 'web': 'ports' must be a plain list, not an Output"
    )


STACK_FILE = """\
config:
  k8s-services:services:
    web:
      type: ClusterIP
      namespace: shop
      containers:
      - name: web
        image: ghcr.io/acme/web:1.0.0
        env:
        - name: TOKEN
          value:
            secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBB
        ports:
        - name: http
          container_port: 8080
      ports:
      - name: http
        port: 80
"""


@contextmanager
def project(tmp_path: Path, stack_file: str) -> Iterator[Path]:
    """A project directory as the CLI runs the program: its working directory."""
    (tmp_path / "Pulumi.yaml").write_text("name: k8s-services\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.prod.yaml").write_text(stack_file)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


def decrypted(stack_file: str) -> dict[str, str]:
    """The config the CLI passes: the secure value decrypted."""
    import yaml

    services = yaml.safe_load(stack_file)["config"]["k8s-services:services"]
    services["web"]["containers"][0]["env"][0]["value"] = PLAINTEXT
    return {"k8s-services:services": json.dumps(services)}


def program() -> Any:
    config = stack.load()
    stack.build(config)


def test_a_value_set_with_config_set_path_secret_is_registered_as_a_secret(tmp_path: Path) -> None:
    with project(tmp_path, STACK_FILE):
        mocks = run(program, stack="prod", config=decrypted(STACK_FILE), secret_keys=["k8s-services:services"])
    [pod] = mocks.manifests("Pod")
    assert pod["spec"] == "[secret]"
    assert PLAINTEXT not in json.dumps(mocks.manifests())
    # Only what holds the secret is hidden.
    assert mocks.manifests("Service")[0]["spec"]["ports"] == [
        {"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}
    ]


def test_a_secret_key_whose_secrets_cannot_be_located_is_a_config_error(tmp_path: Path) -> None:
    plain = STACK_FILE.replace("value:\n            secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBB", "value: x")
    with project(tmp_path, plain), pytest.raises(stack.ConfigError) as exc:
        run(program, stack="prod", config=decrypted(STACK_FILE), secret_keys=["k8s-services:services"])
    assert PLAINTEXT not in str(exc.value)
    assert exc.value.messages == [
        "services: holds a secret, but stacks/Pulumi.prod.yaml shows no `secure:` value under"
        " k8s-services:services, so its place cannot be kept secret. Set secrets with `pulumi config set --path"
        " --secret 'k8s-services:services.<bundle>.<path>' <value>` in the stack file (secrets from a Pulumi ESC"
        " environment are not supported inside services)."
    ]


def test_services_secret_as_a_whole_is_a_config_error(tmp_path: Path) -> None:
    whole = "config:\n  k8s-services:services:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBB\n"
    with project(tmp_path, whole), pytest.raises(stack.ConfigError) as exc:
        run(program, stack="prod", config=decrypted(STACK_FILE), secret_keys=["k8s-services:services"])
    assert PLAINTEXT not in str(exc.value)
    assert exc.value.messages == [
        "services: is secret as a whole; the bundles are built and checked from it, so only values inside it may be"
        " secret. Set them with `pulumi config set --path --secret 'k8s-services:services.<bundle>.<path>' <value>`."
    ]
