"""The name, label, IP and CIDR formats the Kubernetes API server enforces, each as a
validator returning a reason phrase or None, as k8s.io/apimachinery pkg/util/validation
and k8s.io/utils ParseIPSloppy/ParseCIDRSloppy define them. Every rule family imports
them from here so that no format is written down twice.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Final

__all__ = [
    "cidr_problem",
    "dns1035_label_problem",
    "dns1123_label_problem",
    "dns1123_subdomain_problem",
    "iana_svc_name_problem",
    "ip_family",
    "ip_problem",
    "label_value_problem",
    "non_special_ip_problem",
    "parse_ip",
    "port_number_problem",
    "qualified_name_problem",
    "trim_space",
]

# Go's regexp anchors with ^...$ on the whole text; fullmatch() is the same
# (Python's "$" alone would also accept a trailing newline).
_DNS1123_LABEL: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL: Final = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_LABEL_KEY_NAME: Final = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_PORT_NAME_CHARSET: Final = re.compile(r"[-a-z0-9]+")
_PORT_NAME_LETTER: Final = re.compile(r"[a-z]")

DNS1123_LABEL_MAX: Final = 63
DNS1123_SUBDOMAIN_MAX: Final = 253
DNS1035_LABEL_MAX: Final = 63
LABEL_KEY_NAME_MAX: Final = 63
LABEL_VALUE_MAX: Final = 63
PORT_NAME_MAX: Final = 15

_LABEL_1123: Final = (
    "must consist of lowercase letters, digits and '-', and start and end with a letter or digit "
    "(an RFC 1123 label such as 'my-name' or '123-abc')"
)
_SUBDOMAIN_1123: Final = (
    "must consist of lowercase letters, digits, '-' and '.', and start and end with a letter or digit "
    "(an RFC 1123 subdomain such as 'example.com')"
)
_LABEL_1035: Final = (
    "must consist of lowercase letters, digits and '-', start with a letter and end with a letter or digit "
    "(an RFC 1035 label such as 'my-name' or 'abc-123')"
)
_KEY_NAME: Final = (
    "must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit "
    "(e.g. 'MyName', 'my.name' or '123-abc')"
)
_LABEL_VALUE: Final = (
    "must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit "
    "(e.g. 'MyValue', 'my_value' or '12345')"
)
_NOT_A_STRING: Final = "must be a string"


def _too_long(value: str, limit: int) -> bool:
    # Go measures strings in bytes; only non-ASCII text differs from len().
    return len(value) > limit if value.isascii() else len(value.encode()) > limit


def _join(problems: list[str]) -> str | None:
    return "; ".join(problems) if problems else None


_CACHE_LIMIT: Final = 4096


def _remember(cache: dict[str, str | None], value: object, compute: Callable[[str], str | None]) -> str | None:
    """The memo behind each validator: names repeat across objects, and a dict
    lookup is several times cheaper than the regular expressions."""
    if not isinstance(value, str):
        return _NOT_A_STRING
    result = compute(value)
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[value] = result
    return result


def _dns1123_label(value: str) -> str | None:
    problems = []
    if _too_long(value, DNS1123_LABEL_MAX):
        problems.append(f"must be no more than {DNS1123_LABEL_MAX} characters")
    if not _DNS1123_LABEL.fullmatch(value):
        # A valid subdomain that is not a label can only be wrong by its dots.
        problems.append("must not contain dots" if _DNS1123_SUBDOMAIN.fullmatch(value) else _LABEL_1123)
    return _join(problems)


_DNS1123_LABEL_CACHE: Final[dict[str, str | None]] = {}


def dns1123_label_problem(value: str) -> str | None:
    """IsDNS1123Label: what is wrong with ``value`` as an RFC 1123 label."""
    try:
        return _DNS1123_LABEL_CACHE[value]
    except (KeyError, TypeError):
        return _remember(_DNS1123_LABEL_CACHE, value, _dns1123_label)


def _dns1123_subdomain(value: str) -> str | None:
    problems = []
    if _too_long(value, DNS1123_SUBDOMAIN_MAX):
        problems.append(f"must be no more than {DNS1123_SUBDOMAIN_MAX} characters")
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        problems.append(_SUBDOMAIN_1123)
    return _join(problems)


_DNS1123_SUBDOMAIN_CACHE: Final[dict[str, str | None]] = {}


def dns1123_subdomain_problem(value: str) -> str | None:
    """IsDNS1123Subdomain: what is wrong with ``value`` as an RFC 1123 subdomain."""
    try:
        return _DNS1123_SUBDOMAIN_CACHE[value]
    except (KeyError, TypeError):
        return _remember(_DNS1123_SUBDOMAIN_CACHE, value, _dns1123_subdomain)


def _dns1035_label(value: str) -> str | None:
    problems = []
    if _too_long(value, DNS1035_LABEL_MAX):
        problems.append(f"must be no more than {DNS1035_LABEL_MAX} characters")
    if not _DNS1035_LABEL.fullmatch(value):
        problems.append(_LABEL_1035)
    return _join(problems)


_DNS1035_LABEL_CACHE: Final[dict[str, str | None]] = {}


def dns1035_label_problem(value: str) -> str | None:
    """IsDNS1035Label: what is wrong with ``value`` as an RFC 1035 label (the
    format of Service names)."""
    try:
        return _DNS1035_LABEL_CACHE[value]
    except (KeyError, TypeError):
        return _remember(_DNS1035_LABEL_CACHE, value, _dns1035_label)


def _qualified_name(value: str) -> str | None:
    parts = value.split("/")
    if len(parts) > 2:
        return (
            "must be a name of letters, digits, '-', '_' or '.' that starts and ends with a letter or digit, "
            "optionally after a DNS subdomain prefix and one '/' (e.g. 'MyName' or 'example.com/MyName')"
        )
    problems = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            problems.append("prefix part (before '/') must be non-empty")
        else:
            reason = _dns1123_subdomain(prefix)
            if reason:
                problems.append(f"prefix part (before '/') {reason}")
    if not name:
        problems.append("name part must be non-empty")
    else:
        if _too_long(name, LABEL_KEY_NAME_MAX):
            problems.append(f"name part must be no more than {LABEL_KEY_NAME_MAX} characters")
        if not _LABEL_KEY_NAME.fullmatch(name):
            problems.append(f"name part {_KEY_NAME}")
    return _join(problems)


_QUALIFIED_NAME_CACHE: Final[dict[str, str | None]] = {}


def qualified_name_problem(value: str) -> str | None:
    """IsQualifiedName (a label key): an optional DNS-subdomain prefix and '/',
    then a name of at most 63 characters. No prefix is required."""
    try:
        return _QUALIFIED_NAME_CACHE[value]
    except (KeyError, TypeError):
        return _remember(_QUALIFIED_NAME_CACHE, value, _qualified_name)


def _label_value(value: str) -> str | None:
    problems = []
    if _too_long(value, LABEL_VALUE_MAX):
        problems.append(f"must be no more than {LABEL_VALUE_MAX} characters")
    if value and not _LABEL_KEY_NAME.fullmatch(value):
        problems.append(_LABEL_VALUE)
    return _join(problems)


_LABEL_VALUE_CACHE: Final[dict[str, str | None]] = {}


def label_value_problem(value: str) -> str | None:
    """IsValidLabelValue: empty, or at most 63 letters, digits, '-', '_', '.'
    starting and ending with a letter or digit."""
    try:
        return _LABEL_VALUE_CACHE[value]
    except (KeyError, TypeError):
        return _remember(_LABEL_VALUE_CACHE, value, _label_value)


def _iana_svc_name(value: str) -> str | None:
    problems = []
    if _too_long(value, PORT_NAME_MAX):
        problems.append(f"must be no more than {PORT_NAME_MAX} characters")
    if not _PORT_NAME_CHARSET.fullmatch(value):
        problems.append("must contain only lowercase letters, digits and '-'")
    if not _PORT_NAME_LETTER.search(value):
        problems.append("must contain at least one letter (a-z)")
    if "--" in value:
        problems.append("must not contain two consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        problems.append("must not begin or end with a hyphen")
    return _join(problems)


_IANA_SVC_NAME_CACHE: Final[dict[str, str | None]] = {}


def iana_svc_name_problem(value: str) -> str | None:
    """IsValidPortName: an IANA service name (RFC 6335) as Kubernetes reads it:
    1-15 lowercase letters, digits and '-', at least one letter, no '--', no
    leading or trailing '-'."""
    try:
        return _IANA_SVC_NAME_CACHE[value]
    except (KeyError, TypeError):
        return _remember(_IANA_SVC_NAME_CACHE, value, _iana_svc_name)


def port_number_problem(value: object) -> str | None:
    """IsValidPortNum: what is wrong with ``value`` as a port number from 1 to
    65535. An integral float counts as an integer (the Pulumi engine sends
    numbers as floats); a bool or a fraction does not."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return "must be an integer between 1 and 65535"
    if not 1 <= value <= 65535:
        return "must be between 1 and 65535"
    return None


# --- IPs and CIDRs -------------------------------------------------------------

_BIG: Final = 0xFFFFFF  # Go's dtoi/xtoi overflow bound


def _dtoi(text: str, start: int) -> tuple[int, int] | None:
    """Go's dtoi: decimal digits from ``start``; (value, end) or None."""
    end, n, size = start, 0, len(text)
    while end < size and "0" <= text[end] <= "9":
        n = n * 10 + ord(text[end]) - 48
        if n >= _BIG:
            return None
        end += 1
    return None if end == start else (n, end)


def _xtoi(text: str, start: int) -> tuple[int, int] | None:
    """Go's xtoi: hexadecimal digits from ``start``; (value, end) or None."""
    end, n, size = start, 0, len(text)
    while end < size:
        char = text[end]
        if "0" <= char <= "9":
            digit = ord(char) - 48
        elif "a" <= char <= "f":
            digit = ord(char) - 87
        elif "A" <= char <= "F":
            digit = ord(char) - 55
        else:
            break
        n = n * 16 + digit
        if n >= _BIG:
            return None
        end += 1
    return None if end == start else (n, end)


def _parse_ipv4(text: str) -> bytes | None:
    # The fork of Go 1.16's parser in k8s.io/utils: leading zeros are allowed
    # (and read as decimal) for compatibility with stored objects.
    octets = bytearray(4)
    pos = 0
    for index in range(4):
        if pos >= len(text):
            return None
        if index > 0:
            if text[pos] != ".":
                return None
            pos += 1
        parsed = _dtoi(text, pos)
        if parsed is None or parsed[0] > 0xFF:
            return None
        octets[index], pos = parsed
    if pos != len(text):
        return None
    return bytes(10) + b"\xff\xff" + bytes(octets)


def _parse_ipv6(text: str) -> bytes | None:
    ip = bytearray(16)
    ellipsis = -1
    pos, size = 0, len(text)
    if size >= 2 and text[0] == ":" and text[1] == ":":
        ellipsis = 0
        pos = 2
        if pos == size:
            return bytes(ip)
    i = 0
    while i < 16:
        parsed = _xtoi(text, pos)
        if parsed is None or parsed[0] > 0xFFFF:
            return None
        n, end = parsed
        if end < size and text[end] == ".":
            # A trailing dotted IPv4 part.
            if (ellipsis < 0 and i != 12) or i + 4 > 16:
                return None
            ip4 = _parse_ipv4(text[pos:])
            if ip4 is None:
                return None
            ip[i : i + 4] = ip4[12:]
            pos = size
            i += 4
            break
        ip[i], ip[i + 1] = n >> 8, n & 0xFF
        i += 2
        pos = end
        if pos == size:
            break
        if text[pos] != ":" or pos + 1 == size:
            return None
        pos += 1
        if text[pos] == ":":
            if ellipsis >= 0:
                return None
            ellipsis = i
            pos += 1
            if pos == size:
                break
    if pos != size:
        return None
    if i < 16:
        if ellipsis < 0:
            return None
        gap = 16 - i
        ip[ellipsis + gap : 16] = ip[ellipsis:i]
        ip[ellipsis : ellipsis + gap] = bytes(gap)
    elif ellipsis >= 0:
        # The ellipsis must stand for at least one zero group.
        return None
    return bytes(ip)


def parse_ip(value: str) -> bytes | None:
    """ParseIPSloppy: the 16-byte form of ``value``, or None. IPv4 addresses
    (also written as IPv4-mapped IPv6) come back as ::ffff:a.b.c.d."""
    for char in value:
        if char == ".":
            return _parse_ipv4(value)
        if char == ":":
            return _parse_ipv6(value)
    return None


_V4_PREFIX: Final = bytes(10) + b"\xff\xff"


def ip_family(value: str) -> int | None:
    """4 or 6 as Kubernetes counts families (netutils.IPFamilyOf: an
    IPv4-mapped IPv6 address is IPv4), or None when ``value`` is no IP."""
    ip = parse_ip(value) if isinstance(value, str) else None
    if ip is None:
        return None
    return 4 if ip[:12] == _V4_PREFIX else 6


def _parse_cidr(value: str) -> tuple[bytes, int, int] | None:
    """ParseCIDRSloppy: (16-byte ip, prefix length, address bits) or None."""
    slash = value.find("/")
    if slash < 0:
        return None
    address, mask = value[:slash], value[slash + 1 :]
    bits = 32
    ip = _parse_ipv4(address)
    if ip is None:
        bits = 128
        ip = _parse_ipv6(address)
    parsed = _dtoi(mask, 0)
    if ip is None or parsed is None or parsed[1] != len(mask) or parsed[0] > bits:
        return None
    return ip, parsed[0], bits


_IP_EXAMPLE: Final = "must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)"
_CIDR_EXAMPLE: Final = "must be a valid CIDR value (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def ip_problem(value: str, *, strict: bool = False) -> str | None:
    """IsValidIPForLegacyField: what the API server says of ``value`` in an IP
    field such as ``spec.clusterIPs`` or ``spec.externalIPs``. ``strict`` is
    the StrictIPCIDRValidation feature gate (alpha, off by default): it also
    refuses leading zeros and IPv4-mapped IPv6."""
    if not isinstance(value, str):
        return _NOT_A_STRING
    if parse_ip(value) is None:
        return _IP_EXAMPLE
    if strict:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            # ParseIPSloppy accepted it and a strict parser does not: only
            # leading zeros can make the difference.
            return "must not have leading 0s"
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return "must not be an IPv4-mapped IPv6 address"
    return None


def cidr_problem(value: str, *, strict: bool = False) -> str | None:
    """IsValidCIDRForLegacyField: what the API server says of ``value`` in a
    CIDR field such as ``spec.loadBalancerSourceRanges``. Without ``strict``
    (the StrictIPCIDRValidation gate, off by default) leading zeros,
    IPv4-mapped IPv6 and host bits past the prefix ("1.2.3.4/24") pass."""
    if not isinstance(value, str):
        return _NOT_A_STRING
    parsed = _parse_cidr(value)
    if parsed is None:
        return _CIDR_EXAMPLE
    if strict:
        address, _, length = value.partition("/")
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return "must not have leading 0s in IP or prefix length"
        if length != "0" and length.startswith("0"):
            return "must not have leading 0s in IP or prefix length"
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return "must not have an IPv4-mapped IPv6 address"
        if int(ip) & ((1 << (ip.max_prefixlen - parsed[1])) - 1):
            return "must not have bits set beyond the prefix length"
    return None


def non_special_ip_problem(value: str) -> str | None:
    """ValidateNonSpecialIP (external IPs, endpoints): what is wrong with a
    valid IP that is unspecified, loopback or link-local; None when fine or
    when ``value`` is not an IP at all (ip_problem says that)."""
    ip = parse_ip(value) if isinstance(value, str) else None
    if ip is None:
        return None
    problems = []
    v4 = ip[:12] == _V4_PREFIX
    if ip[12:] == b"\0\0\0\0" and v4 or ip == bytes(16):
        problems.append(f"may not be unspecified ({value})")
    if (v4 and ip[12] == 127) or (not v4 and ip == bytes(15) + b"\x01"):
        problems.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if (v4 and ip[12] == 169 and ip[13] == 254) or (not v4 and ip[0] == 0xFE and ip[1] & 0xC0 == 0x80):
        problems.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    if (v4 and ip[12] == 224 and ip[13] == 0 and ip[14] == 0) or (not v4 and ip[0] == 0xFF and ip[1] & 0x0F == 0x02):
        problems.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return _join(problems)


# Go's strings.TrimSpace trims unicode.IsSpace runes; Python's str.strip()
# would also trim \x1c-\x1f, which Go keeps (and then refuses).
_GO_SPACE: Final = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def trim_space(value: str) -> str:
    """strings.TrimSpace."""
    return value.strip(_GO_SPACE)
