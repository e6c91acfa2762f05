"""A test kit for programs that use pulumi_kubernetes: mocks that behave like
a cluster, and a way to run a program under them.

`KubernetesMocks` records every resource a program registers and answers
the way the Kubernetes provider would after a real apply: a cluster IP for
each Service, a node port for each NodePort and LoadBalancer port that has
none, and a load-balancer ingress address. Assigned values are derived from
each object's namespace and name, so the same program always gets the same
answers. Nothing here talks to a cluster or to the Pulumi engine.

Example::

    from components.testing import KubernetesMocks, run

    def program() -> None:
        NodePortService("web", {...})

    mocks = run(program)
    [service] = mocks.manifests(kind="Service")
"""

from __future__ import annotations

import copy
import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components import _runtime
from components._cluster import Cluster
from components._manifests import SECRET_PLACEHOLDER as SECRET_PLACEHOLDER  # where it was before
from components._manifests import as_registered, object_key

__all__ = ["KubernetesMocks", "RecordedResource", "normalize", "run"]


def normalize(value: Any) -> Any:
    """Inputs as Kubernetes sees them (`components._manifests.as_registered`):
    integral floats back to ints (the engine sends every number as a
    float), containers copied, and a secret value as ``"[secret]"``. The SDK
    marks secrecy on a resource's top-level property (a Pod's whole ``spec``
    when one env value in it is secret), so that is what is hidden, as
    ``pulumi preview`` hides it: the plaintext is never recorded."""
    return as_registered(value)


@dataclass(frozen=True)
class RecordedResource:
    """One registered resource: its Pulumi type token, logical name, inputs
    (normalized, camelCase as on the wire) and whether it is a custom resource."""

    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool
    parent: str = ""
    """The parent resource's URN ("" when the SDK did not say)."""
    options: dict[str, Any] = field(default_factory=dict)
    """What only Pulumi applies, as the SDK asked for it: ``protect``,
    ``retainOnDelete`` (True when set) and ``customTimeouts`` (those set)."""

    @property
    def is_kubernetes(self) -> bool:
        return self.type.startswith("kubernetes:") and "kind" in self.inputs

    @property
    def manifest(self) -> dict[str, Any]:
        """The Kubernetes object the provider would apply."""
        return copy.deepcopy(self.inputs)


class ClusterRefused(ValueError):
    """What the API server would refuse when the object is created, though
    the object itself is valid: here, a Service when the node port range is
    full."""


class KubernetesMocks(pulumi.runtime.Mocks):
    """Pulumi mocks that record resources and assign what a cluster would."""

    def __init__(
        self,
        *,
        service_cidr: str = "10.96.0.0/12",
        node_port_range: str = "30000-32767",
        load_balancer_cidr: str = "198.18.0.0/15",
    ) -> None:
        self.resources: list[RecordedResource] = []
        self.stack_outputs: dict[str, Any] = {}
        """The program's stack outputs (``pulumi.export``), resolved, after `run`."""
        self._registering = threading.local()  # the request being registered, on this thread
        self.cluster = Cluster(
            service_cidr=service_cidr, node_port_range=node_port_range, load_balancer_cidr=load_balancer_cidr
        )

    @property
    def refused(self) -> list[str]:
        """What the cluster refused (see `ClusterRefused`), in order."""
        return self.cluster.refused

    # -- pulumi.runtime.Mocks ---------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = normalize(args.inputs)
        parent, options = getattr(self._registering, "request", ("", {}))
        self.resources.append(RecordedResource(args.typ, args.name, inputs, bool(args.custom), parent, options))
        if not args.custom:
            return None, inputs
        metadata = inputs.get("metadata") or {}
        namespace = metadata.get("namespace", "default")
        object_name = metadata.get("name", args.name)
        key = f"{namespace}/{object_name}"
        state = inputs
        if args.typ == "kubernetes:core/v1:Service":
            state = self.cluster.service_state(key, inputs)
        return key, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None

    # -- reading what was recorded ----------------------------------------

    def manifests(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The Kubernetes objects registered so far, optionally only those of
        one ``kind``, sorted by namespace, name and kind: the SDK registers
        resources in the order its tasks run, not the program's."""
        found = [r.manifest for r in self.resources if r.is_kubernetes and kind in (None, r.inputs.get("kind"))]
        return sorted(found, key=object_key)


def _resolved(value: Any) -> pulumi.Output[Any]:
    """``value`` with every Output (and awaitable) in its dicts and lists
    resolved, as ``Output.from_input`` gives it, but lifting only those:
    from_input makes an Output of every nested value, which for the exports
    of a 1000-bundle stack cost over a second."""
    found: list[Any] = []

    def collect(item: Any) -> None:
        if isinstance(item, dict):
            for nested in item.values():
                collect(nested)
        elif isinstance(item, list):
            for nested in item:
                collect(nested)
        elif isinstance(item, pulumi.Output) or inspect.isawaitable(item):
            found.append(item)

    collect(value)
    if not found:
        return pulumi.Output.from_input(value)
    results = iter(())

    def assemble(item: Any) -> Any:
        if isinstance(item, dict):
            return {key: assemble(nested) for key, nested in item.items()}
        if isinstance(item, list):
            return [assemble(nested) for nested in item]
        if isinstance(item, pulumi.Output) or inspect.isawaitable(item):
            return next(results)
        return item

    def rebuild(values: list[Any]) -> Any:
        nonlocal results
        results = iter(values)
        return assemble(value)

    return pulumi.Output.all(*found).apply(rebuild)


def _record_requests(mocks: KubernetesMocks) -> None:
    """Have the mock monitor tell ``mocks`` each resource's parent and the
    options only Pulumi applies: the SDK sends them in the registration
    request, and `pulumi.runtime.Mocks.new_resource` does not see it. Left
    out (the fields stay empty) if the monitor is not the SDK's MockMonitor."""
    monitor = pulumi.runtime.settings.get_monitor()
    register = getattr(monitor, "RegisterResource", None)
    if register is None or getattr(register, "records_requests", False):
        return

    def recording(request: Any) -> Any:
        timeouts = getattr(request, "customTimeouts", None)
        options: dict[str, Any] = {
            "protect": bool(getattr(request, "protect", False)),
            "retainOnDelete": bool(getattr(request, "retainOnDelete", False)),
            "customTimeouts": {
                key: getattr(timeouts, key)
                for key in ("create", "update", "delete")
                if timeouts is not None and getattr(timeouts, key, None)
            },
        }
        mocks._registering.request = (str(getattr(request, "parent", "") or ""), options)
        try:
            return register(request)
        finally:
            mocks._registering.request = ("", {})

    recording.records_requests = True  # type: ignore[attr-defined]
    monitor.RegisterResource = recording  # type: ignore[union-attr]


def run(
    program: Callable[[], Any],
    mocks: KubernetesMocks | None = None,
    *,
    project: str = "k8s-services",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    secret_keys: Sequence[str] = (),
    preview: bool = False,
) -> KubernetesMocks:
    """Run ``program`` under ``mocks`` until every resource it registers is
    settled, and return the mocks. Exceptions the program raises propagate;
    `ClusterRefused` when the cluster would have refused an object.

    ``config`` maps full keys (``"<project>:<key>"``) to strings; object
    values must be JSON strings, as the Pulumi CLI passes them.
    ``secret_keys`` are the keys the CLI would mark secret (decrypted, in
    ``config``).

    The SDK's calls to the mock monitor run on the event loop's thread, not
    in its thread pool, and so does anything else the program hands the
    loop's default executor (``run_in_executor(None, ...)``) during the run.
    """
    mocks = mocks or KubernetesMocks()
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview)
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys))

    root = pulumi.runtime.settings.get_root_resource()
    if isinstance(root, pulumi.runtime.stack.Stack):
        # The root stack outlives set_mocks; forget an earlier run's exports.
        root.outputs.clear()

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def settle() -> Any:
        result = program()
        exported = root.outputs if isinstance(root, pulumi.runtime.stack.Stack) else {}
        return pulumi.Output.all(
            result if isinstance(result, pulumi.Output) else None, _resolved(dict(exported))
        ).apply(lambda values: mocks.stack_outputs.update(values[1]))

    _record_requests(mocks)
    mocks.stack_outputs.clear()
    # Tuned as the program tunes itself (components/_runtime.py), and only
    # for this run; the mock monitor's answers come inline.
    with _runtime.tuned(), _runtime.inline_rpcs():
        settle()
    if mocks.refused:
        raise ClusterRefused(mocks.refused[0])
    return mocks
