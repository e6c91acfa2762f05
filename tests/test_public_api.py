"""The public surface of `components`: the names users' code depends on."""

from __future__ import annotations

import pulumi

import components


def test_all_is_sorted_and_complete() -> None:
    # Every public class the package defines or re-exports (its modules and
    # the `annotations` future flag are not API); the component classes load
    # on first use, and dir() lists them before they have.
    public = sorted(
        name
        for name in dir(components)
        if not name.startswith("_")
        and isinstance(getattr(components, name), type)
        and getattr(components, name).__module__.startswith("components")
    )
    assert components.__all__ == sorted(components.__all__)
    assert components.__all__ == public


def test_fixed_names_are_exported() -> None:
    for name in (
        "ClusterIPService",
        "NodePortService",
        "LoadBalancerService",
        "ExternalNameService",
        "ClusterIPServiceArgs",
        "NodePortServiceArgs",
        "LoadBalancerServiceArgs",
        "ExternalNameServiceArgs",
    ):
        assert name in components.__all__


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        components.NoSuchService  # noqa: B018
    except AttributeError as error:
        assert str(error) == "module 'components' has no attribute 'NoSuchService'"
    else:
        raise AssertionError("components.NoSuchService did not raise")


def test_components_are_component_resources_with_their_type_tokens() -> None:
    for cls in (
        components.ClusterIPService,
        components.NodePortService,
        components.LoadBalancerService,
        components.ExternalNameService,
    ):
        assert issubclass(cls, pulumi.ComponentResource)
        assert cls.KIND.component == cls.__name__
