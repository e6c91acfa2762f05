"""The k8s-services Pulumi program: one bundle per entry of the stack's
``k8s-services:services`` config, checked as a whole before anything is
registered. See README.md and stacks/."""

import pulumi

from components import _runtime, stack

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
