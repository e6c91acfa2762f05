"""check_service against the upstream cases it follows.

Sources, read at kubernetes/kubernetes 000f26050b9be6fb3d79fae95e06b47fc96128cd
(pkg/apis/core/validation) and the newer pkg/registry/core/service/storage/alloc.go
of the 1.27+ allocator (MultiCIDRServiceAllocator era). Upstream unit tests call
ValidateServiceCreate on an internal object that was never defaulted; here the
object is what a client sends, so a field v1 defaulting fills in (type,
protocol, sessionAffinity, externalTrafficPolicy, internalTrafficPolicy,
allocateLoadBalancerNodePorts, targetPort) is not a problem when absent. Those
cases are kept below, marked "accepted after defaulting".
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from k8s_rules import UNKNOWN, Problem
from k8s_rules.services import check_service

Tweak = Callable[[dict[str, Any]], None]


def valid_service() -> dict[str, Any]:
    """makeValidService (validation_test.go), as a v1 manifest."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "valid", "namespace": "valid", "labels": {}, "annotations": {}},
        "spec": {
            "selector": {"key": "val"},
            "sessionAffinity": "None",
            "type": "ClusterIP",
            "ports": [{"name": "p", "protocol": "TCP", "port": 8675, "targetPort": 8675}],
            "internalTrafficPolicy": "Cluster",
        },
    }


def spec(**fields: Any) -> Tweak:
    def tweak(svc: dict[str, Any]) -> None:
        for key, value in fields.items():
            if value is None:
                svc["spec"].pop(key, None)
            else:
                svc["spec"][key] = value

    return tweak


def meta(**fields: Any) -> Tweak:
    def tweak(svc: dict[str, Any]) -> None:
        svc["metadata"].update(fields)

    return tweak


def annotate(key: str, value: Any) -> Tweak:
    def tweak(svc: dict[str, Any]) -> None:
        svc["metadata"]["annotations"][key] = value

    return tweak


def port0(**fields: Any) -> Tweak:
    def tweak(svc: dict[str, Any]) -> None:
        for key, value in fields.items():
            if value is None:
                svc["spec"]["ports"][0].pop(key, None)
            else:
                svc["spec"]["ports"][0][key] = value

    return tweak


def add_port(**fields: Any) -> Tweak:
    def tweak(svc: dict[str, Any]) -> None:
        svc["spec"]["ports"].append(dict(fields))

    return tweak


def selector(value: Any) -> Tweak:
    def tweak(svc: dict[str, Any]) -> None:
        if value is None:
            svc["spec"].pop("selector", None)
        else:
            svc["spec"]["selector"] = value

    return tweak


LB = spec(type="LoadBalancer", externalTrafficPolicy="Cluster", allocateLoadBalancerNodePorts=True)
NODE_PORT = spec(type="NodePort", externalTrafficPolicy="Cluster")
SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"


def problems(tweaks: list[Tweak], node_port_range: tuple[int, int] = (30000, 32767)) -> list[Problem]:
    svc = valid_service()
    for tweak in tweaks:
        tweak(svc)
    return check_service(svc, node_port_range=node_port_range)


def found(tweaks: list[Tweak], node_port_range: tuple[int, int] = (30000, 32767)) -> list[tuple[str, str]]:
    return sorted((p.rule, p.where) for p in problems(tweaks, node_port_range))


# Upstream's validation tests use node ports such as 1 and 12345; the
# allocator's range is a separate concern, so those cases run with every port
# in range.
ANY_PORT = (1, 65535)

CASES: list[tuple[str, list[Tweak], list[tuple[str, str]], tuple[int, int]]] = [
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid name"
    ("invalid name", [meta(name="-123")], [("service/name", "metadata.name")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "too long name"
    ("too long name", [meta(name="a" * 64)], [("service/name", "metadata.name")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid generateName"
    ("invalid generateName", [meta(generateName="-123")], [("service/name", "metadata.generateName")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "too long generateName"
    ("too long generateName", [meta(generateName="a" * 64)], [("service/name", "metadata.generateName")], ANY_PORT),
    # A generateName may end in '-' (maskTrailingDash); upstream NameIsDNS1035Label(prefix=true).
    ("generateName with trailing dash", [meta(generateName="web-")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "nil selector"
    ("nil selector", [selector(None)], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid selector"
    (
        "invalid selector",
        [selector({"key": "val", "NoSpecialCharsLike=Equals": "bar"})],
        [("service/selector", 'spec.selector["NoSpecialCharsLike=Equals"]')],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "missing session affinity" (accepted after defaulting: None)
    ("missing session affinity", [spec(sessionAffinity=None)], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "missing type" (accepted after defaulting: ClusterIP)
    ("missing type", [spec(type=None)], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "missing ports"
    ("missing ports", [spec(ports=None)], [("service/ports", "spec.ports")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "missing ports but headless"
    ("missing ports but headless", [spec(ports=None, clusterIP="None", clusterIPs=["None"])], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "empty port[0] name"
    ("empty port[0] name", [port0(name="")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "empty port[1] name"
    (
        "empty port[1] name",
        [add_port(name="", protocol="TCP", port=12345, targetPort=12345)],
        [("service/ports", "spec.ports[1].name")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "empty multi-port port[0] name"
    (
        "empty multi-port port[0] name",
        [port0(name=""), add_port(name="p", protocol="TCP", port=12345, targetPort=12345)],
        [("service/ports", "spec.ports[0].name")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid port name"
    ("invalid port name", [port0(name="INVALID")], [("service/ports", "spec.ports[0].name")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "missing protocol" (accepted after defaulting: TCP)
    ("missing protocol", [port0(protocol="")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid protocol"
    ("invalid protocol", [port0(protocol="INVALID")], [("service/ports", "spec.ports[0].protocol")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid cluster ip"
    (
        "invalid cluster ip",
        [spec(clusterIP="invalid", clusterIPs=["invalid"])],
        [("service/cluster-ip", "spec.clusterIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "missing port"
    ("missing port", [port0(port=0)], [("service/ports", "spec.ports[0].port")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid port"
    ("invalid port", [port0(port=65536)], [("service/ports", "spec.ports[0].port")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid TargetPort int"
    ("invalid TargetPort int", [port0(targetPort=65536)], [("service/ports", "spec.ports[0].targetPort")], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid port headless"
    (
        "valid port headless",
        [port0(port=11722, targetPort=11722), spec(clusterIP="None", clusterIPs=["None"])],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid port headless 1" (tolerated for v1 compatibility)
    (
        "invalid port headless 1",
        [port0(port=11722, targetPort=11721), spec(clusterIP="None", clusterIPs=["None"])],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid port headless 2" (tolerated for v1 compatibility)
    (
        "invalid port headless 2",
        [port0(port=11722, targetPort="target"), spec(clusterIP="None", clusterIPs=["None"])],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid publicIPs localhost"
    (
        "invalid publicIPs localhost",
        [spec(externalTrafficPolicy="Cluster", externalIPs=["127.0.0.1"])],
        [("service/external-ips", "spec.externalIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid publicIPs unspecified"
    (
        "invalid publicIPs unspecified",
        [spec(externalTrafficPolicy="Cluster", externalIPs=["0.0.0.0"])],
        [("service/external-ips", "spec.externalIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid publicIPs host"
    (
        "invalid publicIPs host",
        [spec(externalTrafficPolicy="Cluster", externalIPs=["myhost.mydomain"])],
        [("service/external-ips", "spec.externalIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid publicIPs"
    ("valid publicIPs", [spec(externalTrafficPolicy="Cluster", externalIPs=["1.2.3.4"])], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "dup port name"
    (
        "dup port name",
        [port0(name="p"), add_port(name="p", port=12345, protocol="TCP", targetPort=12345)],
        [("service/ports", "spec.ports[1].name")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid load balancer protocol UDP 1"
    ("valid load balancer protocol UDP 1", [LB, port0(protocol="UDP")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "load balancer with mix protocol"
    (
        "load balancer with mix protocol",
        [LB, add_port(name="q", port=12345, protocol="UDP", targetPort=12345)],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid 3"
    ("valid 3", [port0(targetPort="http")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid cluster ip - none "
    ("valid cluster ip - none", [spec(clusterIP="None", clusterIPs=["None"])], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid type - loadbalancer with allocateLoadBalancerNodePorts=false"
    (
        "valid type - lb, allocateLoadBalancerNodePorts=false",
        [LB, spec(allocateLoadBalancerNodePorts=False)],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid type - missing AllocateLoadBalancerNodePorts for loadbalancer type"
    # (accepted after defaulting: true)
    ("missing allocateLoadBalancerNodePorts", [spec(type="LoadBalancer")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "duplicate nodeports"
    (
        "duplicate nodeports",
        [
            NODE_PORT,
            add_port(name="q", port=1, protocol="TCP", nodePort=1, targetPort=1),
            add_port(name="r", port=2, protocol="TCP", nodePort=1, targetPort=2),
        ],
        [("service/node-ports", "spec.ports[2].nodePort")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "duplicate nodeports (different protocols)": validation keys
    # node ports on {nodePort, protocol} and passes it, but on create the allocator
    # (alloc.go initNodePorts -> portallocator Allocate) refuses a node port asked for
    # by ports of different port numbers: "provided port is already allocated".
    (
        "duplicate nodeports (different protocols)",
        [
            NODE_PORT,
            add_port(name="q", port=1, protocol="TCP", nodePort=1, targetPort=1),
            add_port(name="r", port=2, protocol="UDP", nodePort=1, targetPort=2),
            add_port(name="s", port=3, protocol="SCTP", nodePort=1, targetPort=3),
        ],
        [("service/node-ports", "spec.ports[2].nodePort"), ("service/node-ports", "spec.ports[3].nodePort")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid duplicate ports (with same protocol)"
    (
        "invalid duplicate ports (with same protocol)",
        [
            add_port(name="q", port=12345, protocol="TCP", targetPort=8080),
            add_port(name="r", port=12345, protocol="TCP", targetPort=80),
        ],
        [("service/ports", "spec.ports[2]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid duplicate ports (with different protocols)"
    (
        "valid duplicate ports (with different protocols)",
        [
            add_port(name="q", port=12345, protocol="TCP", targetPort=8080),
            add_port(name="r", port=12345, protocol="UDP", targetPort=80),
            add_port(name="s", port=12345, protocol="SCTP", targetPort=8088),
        ],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid type loadbalancer with NodePort"
    (
        "valid type loadbalancer with NodePort",
        [LB, add_port(name="q", port=12345, protocol="TCP", nodePort=12345, targetPort=12345)],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid cluster service with NodePort"
    (
        "invalid cluster service with NodePort",
        [add_port(name="q", port=12345, protocol="TCP", nodePort=12345, targetPort=12345)],
        [("service/node-ports", "spec.ports[1].nodePort")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid public service with duplicate NodePort"
    (
        "invalid public service with duplicate NodePort",
        [
            NODE_PORT,
            add_port(name="p1", port=1, protocol="TCP", nodePort=1, targetPort=1),
            add_port(name="p2", port=2, protocol="TCP", nodePort=1, targetPort=2),
        ],
        [("service/node-ports", "spec.ports[2].nodePort")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid port type=LoadBalancer"
    (
        "valid port type=LoadBalancer",
        [LB, add_port(name="kubelet", port=10250, protocol="TCP", targetPort=12345)],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid LoadBalancer source range annotation"
    (
        "valid LoadBalancer source range annotation",
        [LB, annotate(SOURCE_RANGES, "1.2.3.0/24,  5.6.0.0/16")],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid empty LoadBalancer source range annotation"
    ("valid empty LoadBalancer source range annotation", [LB, annotate(SOURCE_RANGES, "")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid whitespace-only LoadBalancer source range annotation"
    ("valid whitespace-only source range annotation", [LB, annotate(SOURCE_RANGES, "  ")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid LoadBalancer source range annotation (hostname)"
    (
        "invalid LoadBalancer source range annotation (hostname)",
        [LB, annotate(SOURCE_RANGES, "foo.bar")],
        [("service/load-balancer", f'metadata.annotations["{SOURCE_RANGES}"]')],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid LoadBalancer source range annotation (invalid CIDR)"
    (
        "invalid LoadBalancer source range annotation (invalid CIDR)",
        [LB, annotate(SOURCE_RANGES, "1.2.3.4/33")],
        [("service/load-balancer", f'metadata.annotations["{SOURCE_RANGES}"]')],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid LoadBalancer source range annotation for non LoadBalancer type service"
    (
        "source range annotation on a ClusterIP Service",
        [annotate(SOURCE_RANGES, "1.2.3.0/24")],
        [("service/load-balancer", f'metadata.annotations["{SOURCE_RANGES}"]')],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid empty-but-set LoadBalancer source range annotation for non LoadBalancer type service"
    (
        "empty source range annotation on a ClusterIP Service",
        [annotate(SOURCE_RANGES, "")],
        [("service/load-balancer", f'metadata.annotations["{SOURCE_RANGES}"]')],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid LoadBalancer source range"
    (
        "valid LoadBalancer source range",
        [LB, spec(loadBalancerSourceRanges=["1.2.3.0/24", "5.6.0.0/16"])],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid LoadBalancer source range with whitespace" (strings.TrimSpace)
    (
        "valid LoadBalancer source range with whitespace",
        [LB, spec(loadBalancerSourceRanges=["1.2.3.0/24  ", " 5.6.0.0/16"])],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid empty LoadBalancer source range"
    (
        "invalid empty LoadBalancer source range",
        [LB, spec(loadBalancerSourceRanges=["   "])],
        [("service/load-balancer", "spec.loadBalancerSourceRanges[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid LoadBalancer source range (hostname)"
    (
        "invalid LoadBalancer source range (hostname)",
        [LB, spec(loadBalancerSourceRanges=["foo.bar"])],
        [("service/load-balancer", "spec.loadBalancerSourceRanges[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid LoadBalancer source range (invalid CIDR)"
    (
        "invalid LoadBalancer source range (invalid CIDR)",
        [LB, spec(loadBalancerSourceRanges=["1.2.3.4/33"])],
        [("service/load-balancer", "spec.loadBalancerSourceRanges[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid source range for non LoadBalancer type service"
    (
        "invalid source range for non LoadBalancer type service",
        [spec(loadBalancerSourceRanges=["1.2.3.0/24", "5.6.0.0/16"])],
        [("service/load-balancer", "spec.loadBalancerSourceRanges")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid source range annotation ignored with valid source range field"
    (
        "source range annotation ignored with the field set",
        [LB, annotate(SOURCE_RANGES, "foo.bar"), spec(loadBalancerSourceRanges=["1.2.3.0/24", "5.6.0.0/16"])],
        [],
        ANY_PORT,
    ),
    # kubernetes/apimachinery pkg/util/validation/ip_test.go TestIsValidCIDR "ipv4 ifaddr": host bits
    # pass IsValidCIDRForLegacyField while StrictIPCIDRValidation is off (its default).
    ("source range with host bits", [LB, spec(loadBalancerSourceRanges=["1.2.3.4/24"])], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid ExternalName"
    ("valid ExternalName", [spec(type="ExternalName", externalName="foo.bar.example.com")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid ExternalName (trailing dot)"
    (
        "valid ExternalName (trailing dot)",
        [spec(type="ExternalName", externalName="foo.bar.example.com.")],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid ExternalName clusterIP (valid IP)"
    (
        "invalid ExternalName clusterIP (valid IP)",
        [spec(type="ExternalName", clusterIP="1.2.3.4", clusterIPs=["1.2.3.4"], externalName="foo.bar.example.com")],
        [("service/external-name", "spec.clusterIPs")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid ExternalName clusterIP (None)"
    (
        "invalid ExternalName clusterIP (None)",
        [spec(type="ExternalName", clusterIP="None", clusterIPs=["None"], externalName="foo.bar.example.com")],
        [("service/external-name", "spec.clusterIPs")],
        ANY_PORT,
    ),
    # The same with only the singular field, as clients usually send it: the registry
    # copies it into clusterIPs (normalizeClusterIPs) before validation.
    (
        "ExternalName with only clusterIP",
        [spec(type="ExternalName", clusterIP="None", externalName="foo.bar.example.com")],
        [("service/external-name", "spec.clusterIP")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid ExternalName (not a DNS name)"
    (
        "invalid ExternalName (not a DNS name)",
        [spec(type="ExternalName", externalName="-123")],
        [("service/external-name", "spec.externalName")],
        ANY_PORT,
    ),
    # validation.go ValidateService: no lowercasing, the CNAME must be a lowercase subdomain.
    (
        "ExternalName with capitals",
        [spec(type="ExternalName", externalName="Foo.Example.com")],
        [("service/external-name", "spec.externalName")],
        ANY_PORT,
    ),
    ("ExternalName missing", [spec(type="ExternalName")], [("service/external-name", "spec.externalName")], ANY_PORT),
    (
        "ExternalName only a dot",
        [spec(type="ExternalName", externalName=".")],
        [("service/external-name", "spec.externalName")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "LoadBalancer type cannot have None ClusterIP"
    (
        "LoadBalancer type cannot have None ClusterIP",
        [LB, spec(clusterIP="None", clusterIPs=["None"])],
        [("service/cluster-ip", "spec.clusterIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid node port with clusterIP None"
    (
        "invalid node port with clusterIP None",
        [
            NODE_PORT,
            add_port(name="q", port=1, protocol="TCP", nodePort=1, targetPort=1),
            spec(clusterIP="None", clusterIPs=["None"]),
        ],
        [("service/cluster-ip", "spec.clusterIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid externalTraffic field"
    (
        "invalid externalTraffic field",
        [spec(type="LoadBalancer", allocateLoadBalancerNodePorts=True, externalTrafficPolicy="invalid")],
        [("service/traffic-policy", "spec.externalTrafficPolicy")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "nil internalTraffic field when feature gate is on" (accepted after defaulting)
    ("nil internalTrafficPolicy", [spec(internalTrafficPolicy=None)], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "internalTrafficPolicy field nil when type is ExternalName"
    (
        "internalTrafficPolicy nil for ExternalName",
        [spec(internalTrafficPolicy=None, type="ExternalName", externalName="foo.bar.com")],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "internalTrafficPolicy field is set when type is ExternalName"
    (
        "internalTrafficPolicy set for ExternalName",
        [spec(type="ExternalName", externalName="foo.bar.com")],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid internalTraffic field"
    (
        "invalid internalTraffic field",
        [spec(internalTrafficPolicy="invalid")],
        [("service/traffic-policy", "spec.internalTrafficPolicy")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "internalTrafficPolicy field set to Local"
    ("internalTrafficPolicy Local", [spec(internalTrafficPolicy="Local")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "negative healthCheckNodePort field" (the first one)
    (
        "negative healthCheckNodePort field",
        [
            spec(
                type="LoadBalancer",
                allocateLoadBalancerNodePorts=True,
                externalTrafficPolicy="Local",
                healthCheckNodePort=-1,
            )
        ],
        [("service/node-ports", "spec.healthCheckNodePort")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "negative healthCheckNodePort field" (the second one, valid)
    (
        "valid healthCheckNodePort",
        [
            spec(
                type="LoadBalancer",
                allocateLoadBalancerNodePorts=True,
                externalTrafficPolicy="Local",
                healthCheckNodePort=31100,
            )
        ],
        [],
        (30000, 32767),
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid timeoutSeconds field"
    (
        "invalid timeoutSeconds field",
        [spec(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": -1}})],
        [("service/session-affinity", "spec.sessionAffinityConfig.clientIP.timeoutSeconds")],
        ANY_PORT,
    ),
    # validation.go validateAffinityTimeout: 86400 itself passes ("> MaxClientIPServiceAffinitySeconds").
    (
        "timeoutSeconds of one day",
        [spec(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 86400}})],
        [],
        ANY_PORT,
    ),
    # SetDefaults_Service fills a missing ClientIP timeout with 10800.
    ("ClientIP without config", [spec(sessionAffinity="ClientIP")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "sessionAffinityConfig can't be set when session affinity is None"
    # (accepted after defaulting: SetDefaults_Service clears the config when affinity is None)
    (
        "sessionAffinityConfig with affinity None",
        [LB, spec(sessionAffinity="None", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 90}})],
        [],
        ANY_PORT,
    ),
    (
        "invalid session affinity",
        [spec(sessionAffinity="Sticky")],
        [("service/session-affinity", "spec.sessionAffinity")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, service with invalid ipFamilies"
    (
        "invalid ipFamilies",
        [spec(ipFamilies=["not-a-valid-ip-family"])],
        [("service/ip-families", "spec.ipFamilies[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, service with invalid ipFamilies (2nd)"
    (
        "invalid ipFamilies (2nd)",
        [spec(ipFamilyPolicy="RequireDualStack", ipFamilies=["IPv4", "not-a-valid-ip-family"])],
        [("service/ip-families", "spec.ipFamilies[1]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "IPFamilyPolicy(singleStack) is set for two families"
    # ("this validated in alloc code": alloc.go initIPFamilyFields refuses it)
    (
        "SingleStack with two families",
        [spec(ipFamilyPolicy="SingleStack", ipFamilies=["IPv4", "IPv6"])],
        [("service/ip-families", "spec.ipFamilyPolicy")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid, IPFamilyPolicy(preferDualStack) is set for two families"
    (
        "PreferDualStack with two families",
        [spec(ipFamilyPolicy="PreferDualStack", ipFamilies=["IPv4", "IPv6"])],
        [],
        ANY_PORT,
    ),
    # alloc.go initIPFamilyFields: an unset policy becomes SingleStack on create, which then
    # refuses two families (storage_test.go TestCreateInitIPFields "singlestack:v4"
    # "ClusterIPs:unset_Policy:unset_Families:v4v6" expectError).
    (
        "two families without a policy",
        [spec(ipFamilies=["IPv4", "IPv6"])],
        [("service/ip-families", "spec.ipFamilyPolicy")],
        ANY_PORT,
    ),
    # ... and two cluster IPs without a policy (TestCreateInitIPFields "singlestack:v4"
    # "ClusterIPs:v4v6_Policy:unset_Families:unset" expectError).
    (
        "two cluster IPs without a policy",
        [spec(clusterIP="10.0.0.1", clusterIPs=["10.0.0.1", "2000::1"])],
        [("service/ip-families", "spec.ipFamilyPolicy")],
        ANY_PORT,
    ),
    # alloc.go initIPFamilyFields: a headless Service without selector defaults to
    # RequireDualStack (TestCreateInitIPFields "HeadlessSelectorless_Policy:unset_Families:v4v6").
    (
        "headless selectorless, two families, no policy",
        [spec(clusterIP="None", clusterIPs=["None"], ipFamilies=["IPv4", "IPv6"]), selector(None)],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/registry/core/service/storage/storage_test.go TestCreateInitIPFields "Headless_Policy:SingleStack_Families:v4v6" expectError
    (
        "headless, SingleStack, two families",
        [spec(clusterIP="None", clusterIPs=["None"], ipFamilyPolicy="SingleStack", ipFamilies=["IPv4", "IPv6"])],
        [("service/ip-families", "spec.ipFamilyPolicy")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, service with 2+ ipFamilies"
    (
        "three families",
        [spec(ipFamilyPolicy="RequireDualStack", ipFamilies=["IPv4", "IPv6", "IPv4"])],
        [("service/ip-families", "spec.ipFamilies[2]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, service with same ip families"
    (
        "same ip families",
        [spec(ipFamilyPolicy="RequireDualStack", ipFamilies=["IPv6", "IPv6"])],
        [("service/ip-families", "spec.ipFamilies[1]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid, service with valid ipFamilies (v6)"
    ("valid ipFamilies v6", [spec(ipFamilies=["IPv6"])], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid, service with valid ipFamilies(v6,v4)"
    ("valid ipFamilies v6,v4", [spec(ipFamilyPolicy="RequireDualStack", ipFamilies=["IPv6", "IPv4"])], [], ANY_PORT),
    (
        "invalid ipFamilyPolicy",
        [spec(ipFamilyPolicy="DualStack")],
        [("service/ip-families", "spec.ipFamilyPolicy")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, garbage ips"
    (
        "invalid, garbage ips",
        [
            spec(
                ipFamilyPolicy="RequireDualStack",
                clusterIP="garbage-ip",
                clusterIPs=["garbage-ip", "garbage-second-ip"],
            )
        ],
        [("service/cluster-ip", "spec.clusterIPs[0]"), ("service/cluster-ip", "spec.clusterIPs[1]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, NONE + IP"
    (
        "invalid, NONE + IP",
        [spec(ipFamilyPolicy="RequireDualStack", clusterIP="None", clusterIPs=["None", "2001::1"])],
        [("service/cluster-ip", "spec.clusterIPs")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, IP + NONE"
    (
        "invalid, IP + NONE",
        [spec(ipFamilyPolicy="RequireDualStack", clusterIP="2001::1", clusterIPs=["2001::1", "None"])],
        [("service/cluster-ip", "spec.clusterIPs[1]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, EMPTY STRING + IP"
    (
        "invalid, EMPTY STRING + IP",
        [spec(ipFamilyPolicy="RequireDualStack", clusterIP="", clusterIPs=["", "2001::1"])],
        [("service/cluster-ip", "spec.clusterIPs"), ("service/cluster-ip", "spec.clusterIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, same ip family (v6)"
    (
        "invalid, same ip family (v6)",
        [
            spec(
                ipFamilyPolicy="RequireDualStack",
                clusterIP="2001::1",
                clusterIPs=["2001::1", "2001::4"],
                ipFamilies=["IPv4", "IPv6"],
            )
        ],
        [("service/cluster-ip", "spec.clusterIPs"), ("service/ip-families", "spec.clusterIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, more than two ips"
    (
        "invalid, more than two ips",
        [
            spec(
                ipFamilyPolicy="RequireDualStack",
                clusterIP="10.0.0.1",
                clusterIPs=["10.0.0.1", "2001::1", "10.0.0.10"],
                ipFamilies=["IPv4", "IPv6"],
            )
        ],
        [("service/cluster-ip", "spec.clusterIPs")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate " multi ip, dualstack not set (request for downgrade)": validation
    # passes it; alloc.go initIPFamilyFields refuses SingleStack with two IPs and two families.
    (
        "multi ip, SingleStack",
        [
            spec(
                ipFamilyPolicy="SingleStack",
                clusterIP="10.0.0.1",
                clusterIPs=["10.0.0.1", "2001::1"],
                ipFamilies=["IPv4", "IPv6"],
            )
        ],
        [("service/ip-families", "spec.ipFamilyPolicy"), ("service/ip-families", "spec.ipFamilyPolicy")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid, headless-no-selector + multi family + gate off"
    (
        "headless-no-selector + multi family",
        [
            spec(ipFamilyPolicy="RequireDualStack", clusterIP="None", clusterIPs=["None"], ipFamilies=["IPv4", "IPv6"]),
            selector(None),
        ],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid, multi ip, single ipfamilies preferDualStack"
    (
        "multi ip, single family, PreferDualStack",
        [
            spec(
                ipFamilyPolicy="PreferDualStack",
                clusterIP="10.0.0.1",
                clusterIPs=["10.0.0.1", "2001::1"],
                ipFamilies=["IPv4"],
            )
        ],
        [],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, families don't match (v4=>v6)"
    (
        "families don't match (v4=>v6)",
        [spec(clusterIP="10.0.0.1", clusterIPs=["10.0.0.1"], ipFamilies=["IPv6"])],
        [("service/ip-families", "spec.clusterIPs[0]")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid, families don't match (v6=>v4)"
    (
        "families don't match (v6=>v4)",
        [spec(clusterIP="2001::1", clusterIPs=["2001::1"], ipFamilies=["IPv4"])],
        [("service/ip-families", "spec.clusterIPs[0]")],
        ANY_PORT,
    ),
    # The same with only spec.clusterIP set: the problem is where the IP is written.
    (
        "families don't match, clusterIP only",
        [spec(clusterIP="2001::1", ipFamilies=["IPv4"])],
        [("service/ip-families", "spec.clusterIP")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid, ips, multi ipfamilies (6,4)"
    (
        "ips and families (6,4)",
        [
            spec(
                ipFamilyPolicy="RequireDualStack",
                clusterIP="2001::1",
                clusterIPs=["2001::1", "10.0.0.1"],
                ipFamilies=["IPv6", "IPv4"],
            )
        ],
        [],
        ANY_PORT,
    ),
    # IsValidIPForLegacyField without StrictIPCIDRValidation: leading zeros are tolerated
    # (ip_test.go TestIsValidIP "ipv4 with leading 0s", legacyErr "").
    ("cluster IP with leading zeros", [spec(clusterIP="10.0.0.010")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate `valid appProtocol`
    ("valid appProtocol", [port0(appProtocol="HTTP")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate `valid custom appProtocol`
    ("valid custom appProtocol", [port0(appProtocol="example.com/protocol")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate `invalid appProtocol`
    (
        "invalid appProtocol",
        [port0(appProtocol="example.com/protocol_with{invalid}[characters]")],
        [("service/app-protocol", "spec.ports[0].appProtocol")],
        ANY_PORT,
    ),
    # validateServicePort: appProtocol is IsQualifiedName, so these are refused too.
    (
        "appProtocol with two slashes",
        [port0(appProtocol="a/b/c")],
        [("service/app-protocol", "spec.ports[0].appProtocol")],
        ANY_PORT,
    ),
    (
        "appProtocol with a space",
        [port0(appProtocol="my proto")],
        [("service/app-protocol", "spec.ports[0].appProtocol")],
        ANY_PORT,
    ),
    ("empty appProtocol", [port0(appProtocol="")], [("service/app-protocol", "spec.ports[0].appProtocol")], ANY_PORT),
    ("appProtocol kubernetes.io/h2c", [port0(appProtocol="kubernetes.io/h2c")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid cluster ip != clusterIP in multi ip service"
    (
        "clusterIP != clusterIPs[0] (multi)",
        [spec(ipFamilyPolicy="RequireDualStack", clusterIP="10.0.0.10", clusterIPs=["10.0.0.1", "2001::1"])],
        [("service/cluster-ip", "spec.clusterIPs")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid cluster ip != clusterIP in single ip service"
    (
        "clusterIP != clusterIPs[0] (single)",
        [spec(clusterIP="10.0.0.10", clusterIPs=["10.0.0.1"])],
        [("service/cluster-ip", "spec.clusterIPs")],
        ANY_PORT,
    ),
    # validation.go ValidateServiceClusterIPsRelatedFields: clusterIPs without clusterIP.
    (
        "clusterIPs without clusterIP",
        [spec(clusterIPs=["10.0.0.1"])],
        [("service/cluster-ip", "spec.clusterIPs")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "Use AllocateLoadBalancerNodePorts when type is not LoadBalancer"
    (
        "allocateLoadBalancerNodePorts on ClusterIP",
        [spec(allocateLoadBalancerNodePorts=True)],
        [("service/load-balancer", "spec.allocateLoadBalancerNodePorts")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid LoadBalancerClass when type is LoadBalancer"
    ("valid LoadBalancerClass", [LB, spec(loadBalancerClass="test.com/test-load-balancer-class")], [], ANY_PORT),
    # validateLoadBalancerClassField is ValidateQualifiedName: no prefix is required
    # (unprefixed names are reserved for end users, not refused).
    ("unprefixed LoadBalancerClass", [LB, spec(loadBalancerClass="internal-vip")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid LoadBalancerClass"
    (
        "invalid LoadBalancerClass",
        [LB, spec(loadBalancerClass="Bad/LoadBalancerClass")],
        [("service/load-balancer", "spec.loadBalancerClass")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid: set LoadBalancerClass when type is not LoadBalancer"
    (
        "LoadBalancerClass on ClusterIP",
        [spec(loadBalancerClass="test.com/test-load-balancer-class")],
        [("service/load-balancer", "spec.loadBalancerClass")],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "topology annotations are mismatched"
    (
        "topology annotations are mismatched",
        [
            annotate("service.kubernetes.io/topology-aware-hints", "original"),
            annotate("service.kubernetes.io/topology-mode", "different"),
        ],
        [("service/topology-mode", 'metadata.annotations["service.kubernetes.io/topology-mode"]')],
        ANY_PORT,
    ),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "valid: trafficDistribution field set to PreferClose"
    ("trafficDistribution PreferClose", [spec(trafficDistribution="PreferClose")], [], ANY_PORT),
    # validateServiceTrafficDistribution with PreferSameTrafficDistribution (GA in 1.35)
    ("trafficDistribution PreferSameZone", [spec(trafficDistribution="PreferSameZone")], [], ANY_PORT),
    ("trafficDistribution PreferSameNode", [spec(trafficDistribution="PreferSameNode")], [], ANY_PORT),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate "invalid: trafficDistribution field set to Random"
    (
        "trafficDistribution Random",
        [spec(trafficDistribution="Random")],
        [("service/traffic-distribution", "spec.trafficDistribution")],
        ANY_PORT,
    ),
    ("invalid type", [spec(type="Internal")], [("service/type", "spec.type")], ANY_PORT),
]


@pytest.mark.parametrize(("name", "tweaks", "expected", "node_ports"), CASES, ids=[case[0] for case in CASES])
def test_validate_service_create(
    name: str, tweaks: list[Tweak], expected: list[tuple[str, str]], node_ports: tuple[int, int]
) -> None:
    assert found(tweaks, node_ports) == sorted(expected)


# kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceExternalTrafficPolicy:
# each case id below is the upstream case name.
ETP_CASES: list[tuple[str, list[Tweak], list[tuple[str, str]]]] = [
    (
        "valid loadBalancer service with externalTrafficPolicy and healthCheckNodePort set",
        [
            spec(
                type="LoadBalancer",
                allocateLoadBalancerNodePorts=True,
                externalTrafficPolicy="Local",
                healthCheckNodePort=34567,
            )
        ],
        [],
    ),
    (
        "valid nodePort service with externalTrafficPolicy set",
        [spec(type="NodePort", externalTrafficPolicy="Local")],
        [],
    ),
    ("valid clusterIP service with none of externalTrafficPolicy and healthCheckNodePort set", [], []),
    (
        "cannot set healthCheckNodePort field on loadBalancer service with externalTrafficPolicy!=Local",
        [
            spec(
                type="LoadBalancer",
                allocateLoadBalancerNodePorts=True,
                externalTrafficPolicy="Cluster",
                healthCheckNodePort=34567,
            )
        ],
        [("service/traffic-policy", "spec.healthCheckNodePort")],
    ),
    (
        "cannot set healthCheckNodePort field on nodePort service",
        [spec(type="NodePort", externalTrafficPolicy="Local", healthCheckNodePort=34567)],
        [("service/traffic-policy", "spec.healthCheckNodePort")],
    ),
    (
        "cannot set externalTrafficPolicy or healthCheckNodePort fields on clusterIP service",
        [spec(externalTrafficPolicy="Local", healthCheckNodePort=34567)],
        [
            ("service/traffic-policy", "spec.externalTrafficPolicy"),
            ("service/traffic-policy", "spec.healthCheckNodePort"),
        ],
    ),
    (
        "cannot set externalTrafficPolicy field on ExternalName service",
        [spec(type="ExternalName", externalName="example.com", externalTrafficPolicy="Local")],
        [("service/traffic-policy", "spec.externalTrafficPolicy")],
    ),
    # "externalTrafficPolicy is required on NodePort service": accepted after defaulting (Cluster)
    ("externalTrafficPolicy is required on NodePort service", [spec(type="NodePort")], []),
    # "externalTrafficPolicy is required on LoadBalancer service": accepted after defaulting
    ("externalTrafficPolicy is required on LoadBalancer service", [spec(type="LoadBalancer")], []),
    # "externalTrafficPolicy is required on ClusterIP service with externalIPs": accepted after
    # defaulting; the malformed IP in the upstream case is still refused.
    (
        "externalTrafficPolicy is required on ClusterIP service with externalIPs",
        [spec(externalIPs=["1.2.3,4"])],
        [("service/external-ips", "spec.externalIPs[0]")],
    ),
]


@pytest.mark.parametrize(("name", "tweaks", "expected"), ETP_CASES, ids=[case[0] for case in ETP_CASES])
def test_validate_service_external_traffic_policy(
    name: str, tweaks: list[Tweak], expected: list[tuple[str, str]]
) -> None:
    assert found(tweaks, ANY_PORT) == sorted(expected)


# Node ports as the allocator keys them: pkg/registry/core/service/storage/alloc.go
# initNodePorts shares one node port among ports with the same port number
# (svcPortToNodePort, findRequestedNodePort) and allocates anything else once;
# validation.go keys duplicates on {NodePort, Protocol}.
NODE_PORT_CASES: list[tuple[str, list[Tweak], list[tuple[str, str]]]] = [
    (
        "one node port for TCP and UDP of the same port number",
        [
            NODE_PORT,
            port0(name="dns-tcp", port=53, protocol="TCP", nodePort=30053, targetPort=53),
            add_port(name="dns-udp", port=53, protocol="UDP", nodePort=30053, targetPort=53),
        ],
        [],
    ),
    (
        "the UDP port inherits the TCP port's node port",
        [
            NODE_PORT,
            port0(name="dns-tcp", port=53, protocol="TCP", targetPort=53),
            add_port(name="dns-udp", port=53, protocol="UDP", nodePort=30053, targetPort=53),
        ],
        [],
    ),
    (
        "same port number, different node ports",
        [
            NODE_PORT,
            port0(name="dns-tcp", port=53, protocol="TCP", nodePort=30053),
            add_port(name="dns-udp", port=53, protocol="UDP", nodePort=30054),
        ],
        [],
    ),
    (
        "one node port, same protocol, same port number",
        [
            NODE_PORT,
            port0(name="a", port=53, protocol="TCP", nodePort=30053),
            add_port(name="b", port=53, protocol="TCP", nodePort=30053),
        ],
        [("service/ports", "spec.ports[1]"), ("service/node-ports", "spec.ports[1].nodePort")],
    ),
    (
        "node port outside the range",
        [NODE_PORT, port0(nodePort=8080)],
        [("service/node-ports", "spec.ports[0].nodePort")],
    ),
    (
        "node port taken by a later port of the same number, and again by another number",
        [
            NODE_PORT,
            port0(name="a", port=80, protocol="TCP"),
            add_port(name="b", port=81, protocol="TCP", nodePort=30080),
            add_port(name="c", port=80, protocol="UDP", nodePort=30080),
        ],
        [("service/node-ports", "spec.ports[1].nodePort")],
    ),
    (
        "LoadBalancer without node port allocation still honours requests",
        [
            LB,
            spec(allocateLoadBalancerNodePorts=False),
            port0(name="a", port=80, nodePort=30080),
            add_port(name="b", port=81, protocol="UDP", nodePort=30080),
        ],
        [("service/node-ports", "spec.ports[1].nodePort")],
    ),
    (
        "health check node port equal to a node port",
        [
            spec(type="LoadBalancer", externalTrafficPolicy="Local", healthCheckNodePort=30080),
            port0(nodePort=30080),
        ],
        [("service/node-ports", "spec.healthCheckNodePort")],
    ),
    (
        "health check node port outside the range",
        [spec(type="LoadBalancer", externalTrafficPolicy="Local", healthCheckNodePort=8080)],
        [("service/node-ports", "spec.healthCheckNodePort")],
    ),
    # Node ports on an ExternalName Service are neither validated nor allocated upstream.
    (
        "node port on ExternalName",
        [spec(type="ExternalName", externalName="example.com"), port0(nodePort=8080)],
        [],
    ),
    (
        "node port not an integer",
        [NODE_PORT, port0(nodePort=30080.5)],
        [("service/node-ports", "spec.ports[0].nodePort")],
    ),
]


@pytest.mark.parametrize(("name", "tweaks", "expected"), NODE_PORT_CASES, ids=[case[0] for case in NODE_PORT_CASES])
def test_node_ports(name: str, tweaks: list[Tweak], expected: list[tuple[str, str]]) -> None:
    assert found(tweaks) == sorted(expected)


def test_node_port_range_is_a_parameter() -> None:
    tweaks = [NODE_PORT, port0(nodePort=20080)]
    assert found(tweaks) == [("service/node-ports", "spec.ports[0].nodePort")]
    assert found(tweaks, (20000, 22767)) == []


def test_messages() -> None:
    dup = problems(
        [
            NODE_PORT,
            port0(name="a", port=80, protocol="TCP", nodePort=30080),
            add_port(name="b", port=81, protocol="TCP", nodePort=30080),
        ]
    )
    assert [str(p) for p in dup] == [
        "'spec.ports[1].nodePort' (30080) is already used by spec.ports[0] with protocol TCP; "
        "node ports must be unique per protocol."
    ]
    shared = problems(
        [
            NODE_PORT,
            port0(name="a", port=80, protocol="TCP", nodePort=30080),
            add_port(name="b", port=81, protocol="UDP", nodePort=30080),
        ]
    )
    assert [str(p) for p in shared] == [
        "'spec.ports[1].nodePort' (30080) is already allocated to spec.ports[0] (80/TCP); one node port can be "
        "shared only by ports with the same port number, such as 53/TCP and 53/UDP."
    ]
    assert [str(p) for p in problems([port0(port=70000)])] == [
        "'spec.ports[0].port' (70000) must be between 1 and 65535."
    ]
    assert [str(p) for p in problems([spec(ipFamilies=["IPv4", "IPv6"])])] == [
        "'spec.ipFamilyPolicy' is not set, so on create it defaults to SingleStack, which refuses the two families "
        "in spec.ipFamilies; set it to PreferDualStack or RequireDualStack."
    ]
    assert [str(p) for p in problems([NODE_PORT, port0(nodePort=8080)])] == [
        "'spec.ports[0].nodePort' (8080) must be within the cluster's node port range 30000-32767 "
        "(--service-node-port-range)."
    ]
    assert [str(p) for p in problems([spec(type="Internal")])] == [
        '\'spec.type\' ("Internal") must be one of "ClusterIP", "NodePort", "LoadBalancer", "ExternalName".'
    ]
    assert [str(p) for p in problems([LB, annotate(SOURCE_RANGES, "1.2.3.0/24, 1.2.3.4/33")])] == [
        f'\'metadata.annotations["{SOURCE_RANGES}"]\' ("1.2.3.4/33") must be a valid CIDR value '
        "(e.g. 10.9.8.0/24 or 2001:db8::/64), in its comma-separated list."
    ]


def test_float_numbers_from_the_engine() -> None:
    # The Pulumi engine sends numbers as floats: 80.0 is 80.
    assert (
        found([port0(port=8675.0, targetPort=8675.0), NODE_PORT, add_port(name="q", port=80.0, nodePort=30080.0)]) == []
    )
    assert found([port0(port=80.5)]) == [("service/ports", "spec.ports[0].port")]
    assert found([port0(port=True)]) == [("service/ports", "spec.ports[0].port")]
    assert found([port0(targetPort=False)]) == [("service/ports", "spec.ports[0].targetPort")]


def test_target_port_name_must_be_an_iana_service_name() -> None:
    # validation.go ValidatePortNumOrName -> IsValidPortName
    assert found([port0(targetPort="http-metrics")]) == []
    assert found([port0(targetPort="http_metrics")]) == [("service/ports", "spec.ports[0].targetPort")]
    assert found([port0(targetPort="8080")]) == [("service/ports", "spec.ports[0].targetPort")]
    assert found([port0(targetPort="a-very-long-port-name")]) == [("service/ports", "spec.ports[0].targetPort")]


def test_unknown_values_are_skipped() -> None:
    assert found([spec(type=UNKNOWN)]) == []
    assert found([spec(ports=UNKNOWN)]) == []
    assert found([port0(name=UNKNOWN, port=UNKNOWN, nodePort=UNKNOWN)]) == []
    assert (
        found([NODE_PORT, port0(nodePort=UNKNOWN), add_port(name="q", port=81, protocol="UDP", nodePort=30080)]) == []
    )
    assert found([spec(clusterIP=UNKNOWN, ipFamilies=["IPv4", "IPv6"])]) == []
    assert found([spec(ipFamilyPolicy=UNKNOWN, ipFamilies=["IPv4", "IPv6"])]) == []
    assert found([spec(externalIPs=UNKNOWN, externalTrafficPolicy="Local")]) == []
    assert found([LB, spec(loadBalancerSourceRanges=[UNKNOWN, "foo"])]) == [
        ("service/load-balancer", "spec.loadBalancerSourceRanges[1]")
    ]
    # An unknown type hides type-dependent checks but not the rest.
    assert found([spec(type=UNKNOWN), port0(protocol="ICMP")]) == [("service/ports", "spec.ports[0].protocol")]
    svc = valid_service()
    svc["spec"] = UNKNOWN
    svc["metadata"]["name"] = "Bad"
    assert [(p.rule, p.where) for p in check_service(svc)] == [("service/name", "metadata.name")]
    assert check_service(UNKNOWN) == []


def test_other_kinds() -> None:
    assert check_service({"kind": "Deployment", "spec": {"ports": []}}) == []
    assert check_service(None) == []


def test_every_problem_at_once() -> None:
    rules = found(
        [
            meta(name="Bad_Name"),
            spec(type="NodePort", ipFamilies=["IPv4", "IPv6"], trafficDistribution="Nearby"),
            port0(name="HTTP", protocol="tcp", appProtocol="a b", nodePort=1),
        ]
    )
    assert rules == sorted(
        [
            ("service/name", "metadata.name"),
            ("service/ports", "spec.ports[0].name"),
            ("service/ports", "spec.ports[0].protocol"),
            ("service/app-protocol", "spec.ports[0].appProtocol"),
            ("service/ip-families", "spec.ipFamilyPolicy"),
            ("service/node-ports", "spec.ports[0].nodePort"),
            ("service/traffic-distribution", "spec.trafficDistribution"),
        ]
    )


def test_does_not_modify_the_object() -> None:
    svc = valid_service()
    svc["spec"].update(type="NodePort", clusterIP="10.0.0.1")
    before = copy.deepcopy(svc)
    check_service(svc)
    assert svc == before
