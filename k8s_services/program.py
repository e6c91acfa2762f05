"""The k8s-services Pulumi program: one bundle per entry of the stack's
``k8s-services:services`` config, checked as a whole before anything is
registered. The project's ``__main__.py`` calls `main`; see README.md."""

from __future__ import annotations

from . import stack

# What the project's __main__.py holds, as Python reads it (docstring and
# comments aside): render knows such a program registers exactly the
# stack's plans, and renders them without running the SDK
# (k8s_services.render).
PROGRAM = "from k8s_services.program import main\nmain()\n"


def main() -> None:
    """Read the stack's config, register every bundle, export ``services``."""
    import pulumi

    from components import _runtime

    # This process only runs the program: tune it for registering many
    # resources, for good (components/_runtime.py, benchmarks/README.md). It
    # keeps running while the engine deploys, so the older generations are
    # still collected: its memory stays flat however long the deployment takes.
    _runtime.tune(older=_runtime.PROGRAM_OLDER_THRESHOLD)
    try:
        config = stack.load()
    except stack.ConfigError as error:
        # RunError ends the program with this message and no traceback.
        raise pulumi.RunError(str(error)) from None
    bundles = stack.build(config)
    pulumi.export("services", stack.services_output(config, bundles))
