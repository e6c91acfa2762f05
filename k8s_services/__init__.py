"""The k8s-services program and its command line: the stack config this
project's Pulumi program reads (`k8s_services.stack`), and the offline
commands (`k8s-services render|describe|import ...`, see `k8s_services.cli`).

The library, the components a user's own program imports, is the
`components` package; nothing here is needed to use it.
"""
