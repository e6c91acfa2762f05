"""`python -m k8s_services ...`: the same as the `k8s-services` command."""

import sys

from .cli import main

sys.exit(main(prog="python -m k8s_services"))
