"""The k8s-services Pulumi program: one bundle per entry of the stack's
``k8s-services:services`` config, checked as a whole before anything is
registered. See README.md and stacks/."""

import gc

import pulumi

from components import stack
from components.testing import GC_THRESHOLD

# Everything imported so far (the SDK, the provider's type tables) lives as
# long as the program: keep full garbage collections from walking it again
# and again while hundreds of resources register, and collect the SDK's
# short-lived asyncio objects less often (benchmarks/README.md).
gc.freeze()
gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])

try:
    config = stack.load()
except stack.ConfigError as error:
    # RunError ends the program with this message and no traceback.
    raise pulumi.RunError(str(error)) from None

bundles = stack.build(config)
pulumi.export("services", stack.services_output(config, bundles))
