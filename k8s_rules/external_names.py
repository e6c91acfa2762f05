"""Where an ExternalName Service may point: a DNS name, never an IP address or
loopback, and a name inside the cluster only where allowed."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from typing import Any

from ._objects import kind_of
from ._problem import NO_VALUE, UNKNOWN, Problem, get

PATH = ("spec", "externalName")

# apimachinery IsDNS1123Subdomain: dns1123LabelFmt joined by dots, 253 at most.
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1123_MAX = 253

# One part of an inet_aton address, as glibc reads it with strtoul(..., 0):
# 0x/0X then hex digits, 0 then octal digits, or decimal. "0x" with no digit,
# "08" and "09" stop strtoul early and so fail the whole address.
_HEX_PART = re.compile(r"0x[0-9a-f]+")
_OCTAL_PART = re.compile(r"0[0-7]+")
_DECIMAL_PART = re.compile(r"0|[1-9][0-9]*")
# WHATWG URL "ends in a number": the last label is decimal digits, or 0x and hex digits.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")

# The largest value of the last part, by number of parts (a; a.b; a.b.c; a.b.c.d).
_LAST_PART_MAX = (0xFFFFFFFF, 0xFFFFFF, 0xFFFF, 0xFF)

# Loopback names: RFC 6761 section 6.3 reserves "localhost" and every name under
# it; the rest are what /etc/hosts maps to 127.0.0.1 or ::1 on Debian
# (ip6-localhost, ip6-loopback) and Fedora/RHEL (localhost.localdomain,
# localhost6, localhost6.localdomain6).
_LOOPBACK_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6", "localhost6.localdomain6"}
)

_USE_ENDPOINTS = "an ExternalName must be a DNS name: use a Service with EndpointSlices for an IP"
_IN_CLUSTER_RISK = (
    "an ExternalName that points inside the cluster makes whoever follows it (an ingress controller, a proxy)"
    " forward to that Service on this Service's behalf, past the NetworkPolicies and permissions that keep"
    " namespaces apart (CVE-2021-25740)"
)


def check_external_name(
    obj: Any, *, cluster_domain: str = "cluster.local", in_cluster: bool | Collection[str] = True
) -> list[Problem]:
    """For a Service of type ExternalName: where spec.externalName may point. [] for other objects.

    Refused, one problem at most, the first that applies (the dangers
    before the syntax, so a spelling the API server would refuse anyway is
    still named for what it reaches):

    - ``external-name/ip-address``: an IPv6 address in any form (bracketed,
      with a zone, IPv4-mapped) or an IPv4 address in any spelling glibc's
      ``inet_aton`` accepts, or a name ending in a numeric label;
    - ``external-name/loopback``: ``localhost``, ``*.localhost``,
      ``localhost.localdomain``, ``ip6-localhost``, ``ip6-loopback``,
      ``localhost6``, ``localhost6.localdomain6``;
    - ``external-name/in-cluster``: a name ending in ``.svc``,
      ``.svc.<cluster_domain>`` or ``.<cluster_domain>`` (or the cluster
      domain itself), unless ``in_cluster`` is True or a collection that
      holds the name (both compared in lower case without trailing dots);
    - ``external-name/invalid``: missing, not a string, or not what the API
      server accepts.

    The first three are recognized in any case and with any number of
    trailing dots.

    What the API server accepts is followed exactly: ``ValidateService`` in
    kubernetes/kubernetes ``pkg/apis/core/validation/validation.go`` trims
    one trailing dot ("the value (a CNAME) may have a trailing dot to denote
    it as fully qualified"), refuses what is left if empty, and otherwise
    requires ``IsDNS1123Subdomain``: at most 253 characters, dot-separated
    parts of lower-case letters, digits and '-', each starting and ending
    with a letter or digit, and no limit on the length of one part.

    Where this is stricter than Kubernetes, and why: the API server refuses
    IPv6 literals (':', '[') and upper-case spellings only because they are
    not DNS-1123 subdomains, but it accepts every IPv4 spelling written in
    lower-case letters and digits: the dotted quad ``127.0.0.1``, the short
    forms ``127.1`` and ``127.0.1``, one 32-bit number ``2130706433``, hex
    ``0x7f.1`` and ``0x7f000001``, octal ``0177.0.0.1`` and
    ``017700000001``; and it accepts ``localhost`` and its relatives, and
    every in-cluster name. The Kubernetes documentation calls an IPv4-like
    value "a DNS name comprised of digits" that DNS servers do not resolve;
    but what follows an ExternalName is often no DNS server: ingress
    controllers and proxies read ``spec.externalName`` and pass it to
    ``getaddrinfo``, whose ``inet_aton`` (glibc, inet_aton(3)) reads all
    those spellings as IPv4 addresses and whose ``/etc/hosts`` answers the
    loopback names. An ExternalName is then a confused deputy that forwards
    to addresses and in-cluster Services its author may not reach
    (CVE-2021-25740, kubernetes/kubernetes#103675), or to the proxy's own
    admin port on loopback (Contour CVE-2021-32783). A name that ends in a
    numeric label without being an address ``inet_aton`` accepts
    (``10.0.0.256``) is refused with the IP addresses: no DNS name ends in a
    number (top-level domains are never all-numeric, RFC 3696 section 2),
    and URL parsers read such a host as a malformed IPv4 address (WHATWG
    URL, "ends in a number").

    Out of reach of a static check: names whose DNS data point at loopback
    or an IP (``127.0.0.1.nip.io``), and relative names a proxy may complete
    through its Pod's DNS search path (``kubernetes.default``).
    """
    if kind_of(obj) != "Service" or get(obj, "spec", "type") != "ExternalName":
        return []
    if isinstance(in_cluster, str):
        raise TypeError("in_cluster must be a bool or a collection of names, not a single string")
    value = get(obj, *PATH)
    if value is UNKNOWN:
        return []
    if value is None or value == "" or value == ".":
        shown = NO_VALUE if value is None else value
        return [
            Problem(
                "external-name/invalid",
                PATH,
                'must be set: an ExternalName Service is the DNS name it points at (e.g. "db.example.com")',
                shown,
            )
        ]
    if not isinstance(value, str):
        return [Problem("external-name/invalid", PATH, "must be a string: the DNS name the Service points at", value)]

    # Resolvers ignore case and treat "name." and "name" alike, so the
    # dangerous spellings are recognized in any case, with any trailing dots.
    host = value.lower().rstrip(".")
    reason = _ip_reason(host)
    if reason:
        return [Problem("external-name/ip-address", PATH, reason, value)]
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return [Problem("external-name/loopback", PATH, _LOOPBACK_REASON, value)]

    reason = _in_cluster_reason(host, cluster_domain, in_cluster)
    if reason:
        return [Problem("external-name/in-cluster", PATH, reason, value)]
    reason = _dns_reason(value)
    if reason:
        return [Problem("external-name/invalid", PATH, reason, value)]
    return []


_LOOPBACK_REASON = (
    "names the loopback host: whoever follows this Service (an ingress controller, a proxy) resolves it through"
    " its own /etc/hosts to itself, 127.0.0.1 or ::1, and so connects to its own local ports, admin ports"
    " included (CVE-2021-32783); point it at a real DNS name"
)


def _normalize(name: str) -> str:
    return name.lower().rstrip(".")


def _in_cluster_reason(host: str, cluster_domain: str, in_cluster: bool | Collection[str]) -> str | None:
    """Why ``host`` (lower case, no trailing dot) may not name an in-cluster target, or None."""
    if in_cluster is True:
        return None
    domain = _normalize(cluster_domain)
    inside = (
        host == "svc" or host.endswith(".svc") or (bool(domain) and (host == domain or host.endswith("." + domain)))
    )
    if not inside:
        return None
    if in_cluster is False:
        return f"is an in-cluster name: {_IN_CLUSTER_RISK}; call that Service by its own name instead"
    allowed = {_normalize(name) for name in in_cluster}
    if host in allowed:
        return None
    listed = ", ".join(f'"{name}"' for name in sorted(allowed)) or "none"
    return (
        f"is an in-cluster name that is not among the allowed in-cluster targets ({listed}): {_IN_CLUSTER_RISK};"
        " call that Service by its own name, or add this name to the allowed targets"
    )


def _dns_reason(value: str) -> str | None:
    """Why the API server refuses ``value``, or None: validation.go trims one
    trailing dot, then requires IsDNS1123Subdomain."""
    cname = value[:-1] if value.endswith(".") else value
    if len(cname) > _DNS1123_MAX:
        return f"is not a valid DNS name: it must be at most {_DNS1123_MAX} characters (one trailing dot aside), not {len(cname)}"
    if _DNS1123_SUBDOMAIN.fullmatch(cname):
        return None
    reason = (
        "is not a valid DNS name: the API server requires lower-case letters, digits, '-' and '.', each"
        " dot-separated part starting and ending with a letter or digit (one trailing dot is allowed)"
    )
    lowered = cname.lower()
    if lowered != cname and _DNS1123_SUBDOMAIN.fullmatch(lowered):
        reason += f'. Did you mean "{lowered}{value[len(cname) :]}"?'
    return reason


def _ip_reason(host: str) -> str | None:
    """Why ``host`` (lower case, no trailing dot) is an IP address, or None."""
    if not host:
        return None
    if ":" in host or host.startswith("["):
        return _ipv6_reason(host)
    labels = host.split(".")
    number = _inet_aton(labels)
    if number is not None:
        canonical = str(ipaddress.IPv4Address(number))
        form = _ipv4_form(labels)
        if not form:
            return f"is an IP address; {_USE_ENDPOINTS}"
        return f"is an IP address in {form} resolvers accept ({canonical}); {_USE_ENDPOINTS}"
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        return (
            "ends in a number like an IP address, but is not an address resolvers accept, and no DNS name ends in a"
            f" number (top-level domains are never all-numeric, RFC 3696 section 2); {_USE_ENDPOINTS}"
        )
    return None


def _ipv6_reason(host: str) -> str | None:
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        address = ipaddress.IPv6Address(bare)
    except ValueError:
        return None  # not an address: the DNS-1123 check refuses it
    shown = str(address)
    same = shown == bare
    return f"is an IPv6 address{'' if same else f' ({shown})'}; {_USE_ENDPOINTS}"


def _inet_aton(labels: list[str]) -> int | None:
    """The address glibc inet_aton reads from the dot-separated ``labels``
    (lower case), or None: one to four parts, each decimal, 0x hex or 0
    octal; every part but the last one byte, the last filling the rest."""
    if not 1 <= len(labels) <= 4:
        return None
    values: list[int] = []
    for label in labels:
        if _HEX_PART.fullmatch(label):
            values.append(int(label[2:], 16))
        elif _OCTAL_PART.fullmatch(label):
            values.append(int(label[1:], 8))
        elif _DECIMAL_PART.fullmatch(label):
            values.append(int(label))
        else:
            return None
    *leading, last = values
    if any(part > 0xFF for part in leading) or last > _LAST_PART_MAX[len(leading)]:
        return None
    number = last
    for shift, part in zip((24, 16, 8), leading, strict=False):
        number |= part << shift
    return number


def _ipv4_form(labels: list[str]) -> str:
    """How an inet_aton spelling differs from the dotted quad; "" for a plain one."""
    if any(_HEX_PART.fullmatch(label) for label in labels):
        return "a hexadecimal form"
    if any(_OCTAL_PART.fullmatch(label) for label in labels):
        return "an octal form"
    if len(labels) == 1:
        return "a single-number form"
    if len(labels) < 4:
        return "a short form"
    return ""
