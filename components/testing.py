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
import hashlib
import inspect
import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components import _runtime

__all__ = ["KubernetesMocks", "RecordedResource", "normalize", "run"]


# How the SDK marks a secret value on the wire (pulumi.runtime.rpc): a
# mapping with this key and signature, the value under "value".
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SECRET_PLACEHOLDER = "[secret]"


def normalize(value: Any) -> Any:
    """Inputs as Kubernetes sees them: integral floats back to ints (the
    engine sends every number as a float), containers copied, and a secret
    value as ``"[secret]"``. The SDK marks secrecy on a resource's top-level
    property (a Pod's whole ``spec`` when one env value in it is secret), so
    that is what is hidden, as ``pulumi preview`` hides it: the plaintext is
    never recorded."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return SECRET_PLACEHOLDER
        return {key: normalize(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(item) for item in value]
    return value


@dataclass(frozen=True)
class RecordedResource:
    """One registered resource: its Pulumi type token, logical name, inputs
    (normalized, camelCase as on the wire) and whether it is a custom resource."""

    type: str
    name: str
    inputs: dict[str, Any]
    custom: bool

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


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


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
        self._service_net = ipaddress.ip_network(service_cidr)
        self._lb_net = ipaddress.ip_network(load_balancer_cidr)
        low, high = node_port_range.split("-")
        self._node_port_range = (int(low), int(high))
        self._cluster_ips: set[str] = set()
        self._node_ports: set[int] = set()
        self._lb_ips: set[str] = set()
        self.refused: list[str] = []
        """What the cluster refused (see `ClusterRefused`), in order."""

    # -- what a cluster assigns -------------------------------------------

    def _pick(self, seed: str, size: int, taken: Callable[[int], bool]) -> int:
        start = _digest(seed) % size
        for step in range(size):
            candidate = (start + step) % size
            if not taken(candidate):
                return candidate
        raise RuntimeError(f"KubernetesMocks: no free address left for {seed}")

    def _address(self, seed: str, network: Any, used: set[str]) -> str:
        # Skip the network's first ten addresses, as clusters reserve them.
        size = network.num_addresses - 11

        def taken(i: int) -> bool:
            return str(network[10 + i]) in used

        address = str(network[10 + self._pick(seed, size, taken)])
        used.add(address)
        return address

    def _node_port(self, seed: str, service: str, field: str) -> int | None:
        low, high = self._node_port_range
        if len(self._node_ports) >= high - low + 1 and all(p in self._node_ports for p in range(low, high + 1)):
            # The API server's words (pkg/registry/core/service/portallocator:
            # ErrFull, wrapped as an internal error on the field). The SDK
            # wraps what a mock raises; `refused` keeps the message as it is.
            message = (
                f'Service "{service}" is invalid: {field}: Internal error: failed to allocate a nodePort: range is'
                f" full: every node port of {low}-{high} is taken"
            )
            # Raising here would leave the SDK's futures for the Service
            # failed and unread; `run` raises once the program has settled.
            self.refused.append(message)
            return None
        index = self._pick(seed, high - low + 1, lambda i: low + i in self._node_ports)
        self._node_ports.add(low + index)
        return low + index

    def _service_state(self, key: str, inputs: dict[str, Any]) -> dict[str, Any]:
        name = key.partition("/")[2]
        state = copy.deepcopy(inputs)
        spec = state.setdefault("spec", {})
        service_type = spec.get("type", "ClusterIP")
        if service_type == "ExternalName":
            return state
        for port in spec.get("ports", []):
            if "nodePort" in port:
                self._node_ports.add(port["nodePort"])
        if spec.get("clusterIP") is None:
            spec["clusterIP"] = self._address(key, self._service_net, self._cluster_ips)
        if spec["clusterIP"] != "None":
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
        wants_node_ports = service_type == "NodePort" or (
            service_type == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts", True)
        )
        if wants_node_ports:
            for index, port in enumerate(spec.get("ports", [])):
                if "nodePort" not in port:
                    assigned = self._node_port(
                        f"{key}:{port.get('name', port.get('port'))}", name, f"spec.ports[{index}].nodePort"
                    )
                    if assigned is not None:
                        port["nodePort"] = assigned
        if service_type == "LoadBalancer":
            if spec.get("externalTrafficPolicy") == "Local" and "healthCheckNodePort" not in spec:
                health = self._node_port(f"{key}:health", name, "spec.healthCheckNodePort")
                if health is not None:
                    spec["healthCheckNodePort"] = health
            ip = self._address(key, self._lb_net, self._lb_ips)
            state["status"] = {"loadBalancer": {"ingress": [{"ip": ip}]}}
        return state

    # -- pulumi.runtime.Mocks ---------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = normalize(args.inputs)
        self.resources.append(RecordedResource(args.typ, args.name, inputs, bool(args.custom)))
        if not args.custom:
            return None, inputs
        metadata = inputs.get("metadata") or {}
        namespace = metadata.get("namespace", "default")
        object_name = metadata.get("name", args.name)
        key = f"{namespace}/{object_name}"
        state = inputs
        if args.typ == "kubernetes:core/v1:Service":
            state = self._service_state(key, inputs)
        return key, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None

    # -- reading what was recorded ----------------------------------------

    def manifests(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The Kubernetes objects registered so far, optionally only those of
        one ``kind``, sorted by namespace, name and kind: the SDK registers
        resources in the order its tasks run, not the program's."""
        found = [r.manifest for r in self.resources if r.is_kubernetes and kind in (None, r.inputs.get("kind"))]
        return sorted(found, key=_object_key)


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


def _object_key(manifest: dict[str, Any]) -> tuple[str, str, str, str]:
    metadata = manifest.get("metadata") or {}
    return (
        str(metadata.get("namespace", "")),
        str(metadata.get("name", "")),
        str(manifest.get("kind", "")),
        str(manifest.get("apiVersion", "")),
    )


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

    mocks.stack_outputs.clear()
    # Tuned as the program tunes itself (components/_runtime.py), and only
    # for this run; the mock monitor's answers come inline.
    with _runtime.tuned(), _runtime.inline_rpcs():
        settle()
    if mocks.refused:
        raise ClusterRefused(mocks.refused[0])
    return mocks
