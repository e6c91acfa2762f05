"""k8s_rules.external_names: where an ExternalName Service may point, against
the sources that define what resolves where."""

from __future__ import annotations

import itertools
import platform
import socket
from typing import Any

import pytest

from k8s_rules import UNKNOWN
from k8s_rules.external_names import _inet_aton, check_external_name

# Sources the table cites.
K8S_TEST = "kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate"
K8S_VALIDATION = (
    "kubernetes pkg/apis/core/validation/validation.go ValidateService (TrimSuffix one '.', IsDNS1123Subdomain)"
)
K8S_DOCS = "kubernetes.io Service docs: ExternalName accepts an IPv4 string as 'a DNS name comprised of digits'"
CVE_25740 = "CVE-2021-25740, kubernetes/kubernetes#103675"
CVE_32783 = "Contour CVE-2021-32783 (GHSA-5ph6-qq5x-7jwc): ExternalName to localhost reaches Envoy's admin port"
INET_ATON = "glibc inet_aton(3): a.b.c.d, a.b.c, a.b, a; each part decimal, 0x hex or 0 octal"
RFC_6761 = "RFC 6761 section 6.3: localhost and every name under it are loopback"
ETC_HOSTS = "/etc/hosts of Debian (ip6-localhost, ip6-loopback) and Fedora/RHEL (localhost.localdomain, localhost6)"
RFC_3696 = "RFC 3696 section 2: top-level domains are never all-numeric; WHATWG URL 'ends in a number'"
LIMIT = "documented limit: only DNS data tells"


def service(external_name: Any, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"type": "ExternalName", "externalName": external_name, **spec},
    }


def rules(external_name: Any, **options: Any) -> list[str]:
    return [problem.rule for problem in check_external_name(service(external_name), **options)]


# (externalName, rule it breaks or None, source). Checked with in_cluster=False
# so every in-cluster spelling shows; accepted values pass that too.
TABLE: list[tuple[str, str | None, str]] = [
    # What the API server accepts, and so this library too.
    ("foo.bar.example.com", None, K8S_TEST + ' "valid ExternalName"'),
    ("foo.bar.example.com.", None, K8S_TEST + ' "valid ExternalName (trailing dot)"'),
    ("db", None, K8S_VALIDATION),
    ("1e100.net", None, K8S_VALIDATION),
    ("123.example.com", None, K8S_VALIDATION + ": only the last label may not be a number"),
    ("xn--bcher-kva.example", None, K8S_VALIDATION),
    ("a" * 64 + ".example.com", None, K8S_VALIDATION + ": no per-part length limit"),
    ("a" * 253, None, K8S_VALIDATION + ": 253 characters"),
    ("a" * 253 + ".", None, K8S_VALIDATION + ": the trimmed dot does not count"),
    ("127.0.0.1.nip.io", None, LIMIT),
    ("localhost.example.com", None, RFC_6761 + ": only names under localhost"),
    ("svc.example.com", None, "not under .svc"),
    # What the API server refuses.
    ("-123", "external-name/invalid", K8S_TEST + ' "invalid ExternalName (not a DNS name)"'),
    ("", "external-name/invalid", K8S_VALIDATION + ": Required"),
    (".", "external-name/invalid", K8S_VALIDATION + ": Required after trimming"),
    ("foo.bar.example.com..", "external-name/invalid", K8S_VALIDATION + ": one dot is trimmed, not two"),
    (".example.com", "external-name/invalid", K8S_VALIDATION),
    ("foo..example.com", "external-name/invalid", K8S_VALIDATION),
    ("foo-.example.com", "external-name/invalid", K8S_VALIDATION),
    ("foo_bar.example.com", "external-name/invalid", K8S_VALIDATION),
    ("DB.example.com", "external-name/invalid", K8S_VALIDATION),
    ("db.example.com:5432", "external-name/invalid", K8S_VALIDATION),
    ("https://db.example.com", "external-name/invalid", K8S_VALIDATION),
    ("a" * 254, "external-name/invalid", K8S_VALIDATION + ": 253 characters"),
    # IP addresses: the API server accepts every IPv4 spelling below; resolvers read them as addresses.
    ("10.0.0.5", "external-name/ip-address", K8S_DOCS),
    ("127.0.0.1", "external-name/ip-address", K8S_DOCS + "; " + CVE_25740),
    ("169.254.169.254", "external-name/ip-address", CVE_25740),
    ("0.0.0.0", "external-name/ip-address", INET_ATON),
    ("127.0.0.1.", "external-name/ip-address", INET_ATON + "; any trailing dots"),
    ("127.0.0.1..", "external-name/ip-address", INET_ATON + "; any trailing dots"),
    ("127.1", "external-name/ip-address", INET_ATON + ": a.b, b 24 bits"),
    ("127.0.1", "external-name/ip-address", INET_ATON + ": a.b.c, c 16 bits"),
    ("2130706433", "external-name/ip-address", INET_ATON + ": a, 32 bits"),
    ("0", "external-name/ip-address", INET_ATON + ": a, 32 bits"),
    ("0x7f.1", "external-name/ip-address", INET_ATON + ": hex"),
    ("0x7f000001", "external-name/ip-address", INET_ATON + ": hex"),
    ("0X7F000001", "external-name/ip-address", INET_ATON + ": hex, any case"),
    ("0x7f.0.0.1", "external-name/ip-address", INET_ATON + ": hex"),
    ("0177.0.0.1", "external-name/ip-address", INET_ATON + ": octal"),
    ("017700000001", "external-name/ip-address", INET_ATON + ": octal"),
    ("127.000.000.001", "external-name/ip-address", INET_ATON + ": octal"),
    ("10.0.0.256", "external-name/ip-address", RFC_3696),
    ("1.2.3.4.5", "external-name/ip-address", RFC_3696),
    ("08.0.0.1", "external-name/ip-address", RFC_3696 + "; 08 is no octal number for inet_aton"),
    ("db.example.123", "external-name/ip-address", RFC_3696),
    ("::1", "external-name/ip-address", K8S_VALIDATION + " refuses ':' too"),
    ("[::1]", "external-name/ip-address", K8S_VALIDATION + " refuses '[' too"),
    ("0:0:0:0:0:0:0:1", "external-name/ip-address", "IPv6, any form"),
    ("::ffff:127.0.0.1", "external-name/ip-address", "IPv6, IPv4-mapped"),
    ("2001:DB8::1", "external-name/ip-address", "IPv6, any case"),
    ("[2001:db8::1].", "external-name/ip-address", "IPv6, bracketed, trailing dot"),
    ("fe80::1%eth0", "external-name/ip-address", "IPv6 with a zone"),
    # Loopback names: the API server accepts the lower-case ones.
    ("localhost", "external-name/loopback", RFC_6761 + "; " + CVE_32783),
    ("localhost.", "external-name/loopback", RFC_6761),
    ("LocalHost", "external-name/loopback", RFC_6761 + "; any case"),
    ("api.localhost", "external-name/loopback", RFC_6761),
    ("API.LOCALHOST..", "external-name/loopback", RFC_6761),
    ("localhost.localdomain", "external-name/loopback", ETC_HOSTS),
    ("ip6-localhost", "external-name/loopback", ETC_HOSTS),
    ("ip6-loopback", "external-name/loopback", ETC_HOSTS),
    ("localhost6", "external-name/loopback", ETC_HOSTS),
    ("localhost6.localdomain6", "external-name/loopback", ETC_HOSTS),
    # In-cluster names, refused here because in_cluster=False.
    ("db.prod.svc.cluster.local", "external-name/in-cluster", CVE_25740),
    ("db.prod.svc.cluster.local.", "external-name/in-cluster", CVE_25740),
    ("DB.Prod.SVC.Cluster.Local", "external-name/in-cluster", CVE_25740 + "; any case"),
    ("db.prod.svc", "external-name/in-cluster", CVE_25740),
    ("kubernetes.default.svc", "external-name/in-cluster", CVE_25740),
    ("10-0-0-5.prod.pod.cluster.local", "external-name/in-cluster", CVE_25740),
    ("cluster.local", "external-name/in-cluster", CVE_25740),
]


@pytest.mark.parametrize(("external_name", "rule", "source"), TABLE, ids=[row[0][:40] for row in TABLE])
def test_table(external_name: str, rule: str | None, source: str) -> None:
    assert rules(external_name, in_cluster=False) == ([] if rule is None else [rule]), source


@pytest.mark.parametrize(
    ("external_name", "message"),
    [
        (
            "127.1",
            "'spec.externalName' (\"127.1\") is an IP address in a short form resolvers accept (127.0.0.1); an"
            " ExternalName must be a DNS name: use a Service with EndpointSlices for an IP.",
        ),
        (
            "10.0.0.5",
            "'spec.externalName' (\"10.0.0.5\") is an IP address; an ExternalName must be a DNS name: use a Service"
            " with EndpointSlices for an IP.",
        ),
        (
            "2130706433",
            "'spec.externalName' (\"2130706433\") is an IP address in a single-number form resolvers accept"
            " (127.0.0.1); an ExternalName must be a DNS name: use a Service with EndpointSlices for an IP.",
        ),
        (
            "0x7f.1",
            "'spec.externalName' (\"0x7f.1\") is an IP address in a hexadecimal form resolvers accept (127.0.0.1);"
            " an ExternalName must be a DNS name: use a Service with EndpointSlices for an IP.",
        ),
        (
            "0177.0.0.1",
            "'spec.externalName' (\"0177.0.0.1\") is an IP address in an octal form resolvers accept (127.0.0.1);"
            " an ExternalName must be a DNS name: use a Service with EndpointSlices for an IP.",
        ),
        (
            "0:0:0:0:0:0:0:1",
            "'spec.externalName' (\"0:0:0:0:0:0:0:1\") is an IPv6 address (::1); an ExternalName must be a DNS"
            " name: use a Service with EndpointSlices for an IP.",
        ),
        (
            "10.0.0.256",
            "'spec.externalName' (\"10.0.0.256\") ends in a number like an IP address, but is not an address"
            " resolvers accept, and no DNS name ends in a number (top-level domains are never all-numeric, RFC"
            " 3696 section 2); an ExternalName must be a DNS name: use a Service with EndpointSlices for an IP.",
        ),
        (
            "localhost",
            "'spec.externalName' (\"localhost\") names the loopback host: whoever follows this Service (an ingress"
            " controller, a proxy) resolves it through its own /etc/hosts to itself, 127.0.0.1 or ::1, and so"
            " connects to its own local ports, admin ports included (CVE-2021-32783); point it at a real DNS name.",
        ),
        (
            "-123",
            "'spec.externalName' (\"-123\") is not a valid DNS name: the API server requires lower-case letters,"
            " digits, '-' and '.', each dot-separated part starting and ending with a letter or digit (one"
            " trailing dot is allowed).",
        ),
        (
            "DB.example.com.",
            "'spec.externalName' (\"DB.example.com.\") is not a valid DNS name: the API server requires lower-case"
            " letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit"
            ' (one trailing dot is allowed). Did you mean "db.example.com."?',
        ),
        (
            "a" * 254,
            f"'spec.externalName' (\"{'a' * 254}\") is not a valid DNS name: it must be at most 253 characters (one"
            " trailing dot aside), not 254.",
        ),
        (
            "",
            "'spec.externalName' (\"\") must be set: an ExternalName Service is the DNS name it points at (e.g."
            ' "db.example.com").',
        ),
        (
            "db.prod.svc.cluster.local",
            "'spec.externalName' (\"db.prod.svc.cluster.local\") is an in-cluster name: an ExternalName that"
            " points inside the cluster makes whoever follows it (an ingress controller, a proxy) forward to that"
            " Service on this Service's behalf, past the NetworkPolicies and permissions that keep namespaces"
            " apart (CVE-2021-25740); call that Service by its own name instead.",
        ),
    ],
)
def test_exact_messages(external_name: str, message: str) -> None:
    [problem] = check_external_name(service(external_name), in_cluster=False)
    assert problem.path == ("spec", "externalName")
    assert problem.value == external_name
    assert str(problem) == message


def test_missing_and_non_string_values() -> None:
    missing = {"kind": "Service", "spec": {"type": "ExternalName"}}
    [problem] = check_external_name(missing)
    assert (problem.rule, problem.shown) == ("external-name/invalid", None)
    assert str(problem) == (
        "'spec.externalName' must be set: an ExternalName Service is the DNS name it points at"
        ' (e.g. "db.example.com").'
    )
    [problem] = check_external_name(service(5432))
    assert str(problem) == "'spec.externalName' (5432) must be a string: the DNS name the Service points at."


def test_in_cluster_is_accepted_by_default_and_per_name() -> None:
    name = "db.prod.svc.cluster.local"
    assert rules(name) == []
    assert rules(name, in_cluster=True) == []
    assert rules(name, in_cluster=False) == ["external-name/in-cluster"]
    # A collection allows exactly its names, compared without case or trailing dots.
    allowed = {"DB.prod.svc.cluster.local."}
    assert rules("db.prod.svc.cluster.local.", in_cluster=allowed) == []
    assert rules("DB.PROD.SVC.CLUSTER.LOCAL", in_cluster=allowed) == ["external-name/invalid"]
    [problem] = check_external_name(service("api.prod.svc.cluster.local"), in_cluster=allowed)
    assert problem.rule == "external-name/in-cluster"
    assert problem.reason.startswith(
        'is an in-cluster name that is not among the allowed in-cluster targets ("db.prod.svc.cluster.local"):'
    )
    assert problem.reason.endswith("call that Service by its own name, or add this name to the allowed targets")
    assert rules("api.prod.svc.cluster.local", in_cluster=()) == ["external-name/in-cluster"]
    with pytest.raises(TypeError):
        check_external_name(service(name), in_cluster="db.prod.svc.cluster.local")


def test_cluster_domain() -> None:
    assert rules("db.prod.svc.corp.internal", in_cluster=False, cluster_domain="corp.internal") == [
        "external-name/in-cluster"
    ]
    assert rules("db.corp.internal", in_cluster=False, cluster_domain="corp.internal.") == ["external-name/in-cluster"]
    # Under another cluster domain, cluster.local is an ordinary name.
    assert rules("db.cluster.local", in_cluster=False, cluster_domain="corp.internal") == []


def test_dangers_come_before_the_in_cluster_allowance() -> None:
    assert rules("localhost", in_cluster=True) == ["external-name/loopback"]
    assert rules("127.0.0.1", in_cluster={"127.0.0.1"}) == ["external-name/ip-address"]


@pytest.mark.parametrize(
    "obj",
    [
        {"kind": "Service", "spec": {"type": "ClusterIP", "externalName": "127.0.0.1"}},
        {"kind": "Service", "spec": {"externalName": "127.0.0.1"}},
        {"kind": "Service", "spec": {"type": UNKNOWN, "externalName": "127.0.0.1"}},
        {"kind": "Deployment", "spec": {"type": "ExternalName", "externalName": "127.0.0.1"}},
        {"kind": "Service", "spec": {"type": "ExternalName", "externalName": UNKNOWN}},
        {"kind": "Service", "spec": UNKNOWN},
        {"kind": UNKNOWN},
        None,
        "Service",
    ],
)
def test_other_objects_and_unknown_values(obj: Any) -> None:
    assert check_external_name(obj, in_cluster=False) == []


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="socket.inet_aton is the C library's inet_aton")
def test_inet_aton_matches_glibc() -> None:
    """Every string of up to five characters over an alphabet that reaches
    every branch (decimal, octal, hex, dots, overflow) reads as glibc reads it."""
    alphabet = "0179fx."
    checked = 0
    for length in range(1, 6):
        for chars in itertools.product(alphabet, repeat=length):
            text = "".join(chars)
            try:
                expected: int | None = int.from_bytes(socket.inet_aton(text), "big")
            except OSError:
                expected = None
            assert _inet_aton(text.split(".")) == expected, text
            checked += 1
    for text in [
        "4294967295",
        "4294967296",
        "0xffffffff",
        "0x100000000",
        "255.16777215",
        "255.16777216",
        "1.2.65535",
        "1.2.65536",
        "256.1",
        "0377.0377.0377.0377",
        "0400.1",
        "0x7f.0x0.0x0.0x1",
        "1.2.3.4.5",
        "99999999999999999999",
        "09",
        "1.09",
        "0x",
        "1.0x",
    ]:
        try:
            expected = int.from_bytes(socket.inet_aton(text), "big")
        except OSError:
            expected = None
        assert _inet_aton(text.split(".")) == expected, text
    assert checked > 10_000
