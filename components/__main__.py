"""`python -m components ...` keeps working: the `k8s-services` command
(`k8s_services.cli`), which lives outside the library."""

import sys

from k8s_services.cli import main

sys.exit(main(prog="python -m components"))
