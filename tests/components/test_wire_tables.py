"""components/wire_tables.json: pulumi_kubernetes' snake_case <-> camelCase
name tables, generated so that checking and rendering a stack need not
import the provider. They must say what the installed provider says."""

from __future__ import annotations

import importlib.metadata

from components import _args, _wire_tables


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def test_the_tables_say_what_the_installed_provider_says() -> None:
    generated_from, tables = _wire_tables.load()
    installed, current = _wire_tables.generate()
    fix = "regenerate them: python -m components._wire_tables"
    assert _version(installed) <= _version(generated_from), (
        f"components/wire_tables.json is from pulumi_kubernetes {generated_from}, older than the installed {installed}:"
        f" {fix}"
    )
    if installed == generated_from:
        assert tables == current, fix
        return
    # An older provider (the lowest the bounds allow): every field it has is
    # in the tables, spelled and typed alike; the newer fields are extra.
    # (The components then pass such a field on camelCased, and the API
    # server decides.)
    for name, fields in current.items():
        assert name in tables, f"{name}: {fix}"
        for snake, field in fields.items():
            assert tables[name].get(snake) == field, f"{name}.{snake}: {fix}"


def test_the_container_and_pod_spec_keys_are_the_provider_s_typed_dicts() -> None:
    import pulumi_kubernetes as k8s

    for keys, typed_dict in (
        (_args.CONTAINER_KEYS, k8s.core.v1.ContainerArgsDict),
        (_args.CONTAINER_PORT_KEYS, k8s.core.v1.ContainerPortArgsDict),
        (_args.POD_SPEC_KEYS, k8s.core.v1.PodSpecArgsDict),
    ):
        assert set(typed_dict.__annotations__) <= keys
        generated_from, _ = _wire_tables.load()
        if importlib.metadata.version("pulumi_kubernetes") == generated_from:
            assert keys == set(typed_dict.__annotations__)


def test_the_tables_hold_every_root_and_what_it_nests() -> None:
    _, tables = _wire_tables.load()
    assert set(_wire_tables.ROOTS) <= set(tables)
    assert tables["core.v1.ContainerArgs"]["ports"] == ("ports", "core.v1.ContainerPortArgs", True)
    assert tables["core.v1.ContainerArgs"]["image_pull_policy"] == ("imagePullPolicy", None, False)
    assert tables["core.v1.PodSpecArgs"]["node_selector"] == ("nodeSelector", None, False)
    nested = {field[1] for fields in tables.values() for field in fields.values() if field[1] is not None}
    assert nested <= set(tables)
