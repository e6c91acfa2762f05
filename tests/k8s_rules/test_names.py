"""The name, label, IP and CIDR validators against the cases of the upstream
tests they follow (kubernetes/apimachinery pkg/util/validation/validation_test.go
and ip_test.go, at eed236ceee2c19c2753a3d93ac0631dc20750454)."""

from __future__ import annotations

import pytest

from k8s_rules.names import (
    cidr_problem,
    dns1035_label_problem,
    dns1123_label_problem,
    dns1123_subdomain_problem,
    iana_svc_name_problem,
    ip_family,
    ip_problem,
    label_value_problem,
    non_special_ip_problem,
    parse_ip,
    port_number_problem,
    qualified_name_problem,
    trim_space,
)

# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsDNS1123Label goodValues
DNS1123_LABEL_GOOD = [
    "a", "ab", "abc", "a1", "a-1", "a--1--2--b",
    "0", "01", "012", "1a", "1-a", "1--a--b--2",
    "a" * 63,
]  # fmt: skip
# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsDNS1123Label badValues
DNS1123_LABEL_BAD = [
    "", "A", "ABC", "aBc", "A1", "A-1", "1-A",
    "-", "a-", "-a", "1-", "-1",
    "_", "a_", "_a", "a_b", "1_", "_1", "1_2",
    ".", "a.", ".a", "a.b", "1.", ".1", "1.2",
    " ", "a ", " a", "a b", "1 ", " 1", "1 2",
    "a" * 64,
]  # fmt: skip


@pytest.mark.parametrize("value", DNS1123_LABEL_GOOD)
def test_dns1123_label_accepts(value: str) -> None:
    assert dns1123_label_problem(value) is None


@pytest.mark.parametrize("value", DNS1123_LABEL_BAD)
def test_dns1123_label_refuses(value: str) -> None:
    assert dns1123_label_problem(value)


def test_dns1123_label_messages() -> None:
    # A valid subdomain that is not a label is wrong only by its dots
    # (IsDNS1123Label's "must not contain dots").
    assert dns1123_label_problem("a.b") == "must not contain dots"
    too_long = dns1123_label_problem("a" * 64)
    assert too_long == "must be no more than 63 characters"
    both = dns1123_label_problem("A" * 64)
    assert both is not None and both.startswith("must be no more than 63 characters; must consist of lowercase")
    # Go's regexp anchors on the whole text: a trailing newline is not a label end.
    assert dns1123_label_problem("abc\n")


# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsDNS1123Subdomain goodValues
DNS1123_SUBDOMAIN_GOOD = [
    "a", "ab", "abc", "a1", "a-1", "a--1--2--b",
    "0", "01", "012", "1a", "1-a", "1--a--b--2",
    "a.a", "ab.a", "abc.a", "a1.a", "a-1.a", "a--1--2--b.a",
    "a.1", "ab.1", "abc.1", "a1.1", "a-1.1", "a--1--2--b.1",
    "0.a", "01.a", "012.a", "1a.a", "1-a.a", "1--a--b--2",
    "0.1", "01.1", "012.1", "1a.1", "1-a.1", "1--a--b--2.1",
    "a.b.c.d.e", "aa.bb.cc.dd.ee", "1.2.3.4.5", "11.22.33.44.55",
    "a" * 253,
]  # fmt: skip
# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsDNS1123Subdomain badValues
DNS1123_SUBDOMAIN_BAD = [
    "", "A", "ABC", "aBc", "A1", "A-1", "1-A",
    "-", "a-", "-a", "1-", "-1",
    "_", "a_", "_a", "a_b", "1_", "_1", "1_2",
    ".", "a.", ".a", "a..b", "1.", ".1", "1..2",
    " ", "a ", " a", "a b", "1 ", " 1", "1 2",
    "A.a", "aB.a", "ab.A", "A1.a", "a1.A",
    "A.1", "aB.1", "A1.1", "1A.1",
    "0.A", "01.A", "012.A", "1A.a", "1a.A",
    "A.B.C.D.E", "AA.BB.CC.DD.EE", "a.B.c.d.e", "aa.bB.cc.dd.ee",
    "a@b", "a,b", "a_b", "a;b",
    "a:b", "a%b", "a?b", "a$b",
    "a" * 254,
]  # fmt: skip


@pytest.mark.parametrize("value", DNS1123_SUBDOMAIN_GOOD)
def test_dns1123_subdomain_accepts(value: str) -> None:
    assert dns1123_subdomain_problem(value) is None


@pytest.mark.parametrize("value", DNS1123_SUBDOMAIN_BAD)
def test_dns1123_subdomain_refuses(value: str) -> None:
    assert dns1123_subdomain_problem(value)


# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsDNS1035Label goodValues
DNS1035_LABEL_GOOD = ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "a" * 63]
# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsDNS1035Label badValues
DNS1035_LABEL_BAD = [
    "0", "01", "012", "1a", "1-a", "1--a--b--2",
    "", "A", "ABC", "aBc", "A1", "A-1", "1-A",
    "-", "a-", "-a", "1-", "-1",
    "_", "a_", "_a", "a_b", "1_", "_1", "1_2",
    ".", "a.", ".a", "a.b", "1.", ".1", "1.2",
    " ", "a ", " a", "a b", "1 ", " 1", "1 2",
    "a" * 64,
]  # fmt: skip


@pytest.mark.parametrize("value", DNS1035_LABEL_GOOD)
def test_dns1035_label_accepts(value: str) -> None:
    assert dns1035_label_problem(value) is None


@pytest.mark.parametrize("value", DNS1035_LABEL_BAD)
def test_dns1035_label_refuses(value: str) -> None:
    assert dns1035_label_problem(value)


# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsValidPortName
PORT_NAME_GOOD = ["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c", "1-a-2-b-3"]
PORT_NAME_BAD = [
    "longerthan15characters",
    "",
    "a" * 16,
    "12345",
    "1-2-3-4",
    "-begin",
    "end-",
    "two--hyphens",
    "whois++",
]


@pytest.mark.parametrize("value", PORT_NAME_GOOD)
def test_iana_svc_name_accepts(value: str) -> None:
    assert iana_svc_name_problem(value) is None


@pytest.mark.parametrize("value", PORT_NAME_BAD)
def test_iana_svc_name_refuses(value: str) -> None:
    assert iana_svc_name_problem(value)


def test_iana_svc_name_messages() -> None:
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidatePorts
    # "name > 15 characters" / "name contains invalid characters" / "name is a number"
    assert iana_svc_name_problem("a" * 16) == "must be no more than 15 characters"
    assert iana_svc_name_problem("a.b.c") == "must contain only lowercase letters, digits and '-'"
    assert iana_svc_name_problem("80") == "must contain at least one letter (a-z)"
    assert iana_svc_name_problem("two--hyphens") == "must not contain two consecutive hyphens"
    assert iana_svc_name_problem("end-") == "must not begin or end with a hyphen"


# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsValidPortNum
@pytest.mark.parametrize("value", [1, 2, 1000, 16384, 32768, 65535, 80.0])
def test_port_number_accepts(value: object) -> None:
    assert port_number_problem(value) is None


@pytest.mark.parametrize("value", [0, -1, 65536, 100000])
def test_port_number_refuses(value: object) -> None:
    assert port_number_problem(value) == "must be between 1 and 65535"


@pytest.mark.parametrize("value", [80.5, True, "80", None])
def test_port_number_refuses_non_integers(value: object) -> None:
    assert port_number_problem(value) == "must be an integer between 1 and 65535"


# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsQualifiedName successCases
QUALIFIED_GOOD = [
    "simple",
    "now-with-dashes",
    "1-starts-with-num",
    "1234",
    "simple/simple",
    "now-with-dashes/simple",
    "now-with-dashes/now-with-dashes",
    "now.with.dots/simple",
    "now-with.dashes-and.dots/simple",
    "1-num.2-num/3-num",
    "1234/5678",
    "1.2.3.4/5678",
    "Uppercase_Is_OK_123",
    "example.com/Uppercase_Is_OK_123",
    "requests.storage-foo",
    "a" * 63,
    "a" * 253 + "/" + "b" * 63,
]
# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsQualifiedName errorCases
QUALIFIED_BAD = [
    "nospecialchars%^=@",
    "cantendwithadash-",
    "-cantstartwithadash-",
    "only/one/slash",
    "Example.com/abc",
    "example_com/abc",
    "example.com/",
    "/simple",
    "a" * 64,
    "a" * 254 + "/abc",
]


@pytest.mark.parametrize("value", QUALIFIED_GOOD)
def test_qualified_name_accepts(value: str) -> None:
    assert qualified_name_problem(value) is None


@pytest.mark.parametrize("value", QUALIFIED_BAD)
def test_qualified_name_refuses(value: str) -> None:
    assert qualified_name_problem(value)


def test_qualified_name_messages() -> None:
    assert qualified_name_problem("example.com/") == "name part must be non-empty"
    assert qualified_name_problem("/simple") == "prefix part (before '/') must be non-empty"
    reason = qualified_name_problem("Bad/LoadBalancerClass")
    assert reason is not None and reason.startswith("prefix part (before '/') must consist of lowercase letters")
    assert qualified_name_problem("a" * 64) == "name part must be no more than 63 characters"


# kubernetes/apimachinery pkg/util/validation/validation_test.go TestIsValidLabelValue
LABEL_VALUE_GOOD = ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "a" * 63, ""]
LABEL_VALUE_BAD = [
    "nospecialchars%^=@",
    "Tama-nui-te-rā.is.Māori.sun",
    "\\backslashes\\are\\bad",
    "-starts-with-dash",
    "ends-with-dash-",
    ".starts.with.dot",
    "ends.with.dot.",
    "a" * 64,
]


@pytest.mark.parametrize("value", LABEL_VALUE_GOOD)
def test_label_value_accepts(value: str) -> None:
    assert label_value_problem(value) is None


@pytest.mark.parametrize("value", LABEL_VALUE_BAD)
def test_label_value_refuses(value: str) -> None:
    assert label_value_problem(value)


@pytest.mark.parametrize(
    "validator",
    [
        dns1123_label_problem,
        dns1123_subdomain_problem,
        dns1035_label_problem,
        qualified_name_problem,
        label_value_problem,
        iana_svc_name_problem,
        ip_problem,
        cidr_problem,
    ],
)
def test_validators_refuse_non_strings(validator: object) -> None:
    assert callable(validator)
    assert validator(80) == "must be a string"
    assert validator(["a"]) == "must be a string"


# kubernetes/apimachinery pkg/util/validation/ip_test.go TestIsValidIP: every case
# with its IsValidIPForLegacyField result without (legacyErr) and with
# (legacyStrictErr) StrictIPCIDRValidation.
IP_CASES = [
    ("ipv4", "1.2.3.4", None, None),
    ("ipv4, all zeros", "0.0.0.0", None, None),
    ("ipv4, max", "255.255.255.255", None, None),
    ("ipv6", "1234::abcd", None, None),
    ("ipv6, all zeros, collapsed", "::", None, None),
    ("ipv6, max", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", None, None),
    ("ipv6, all zeros, expanded (non-canonical)", "0:0:0:0:0:0:0:0", None, None),
    ("ipv6, leading 0s (non-canonical)", "0001:002:03:4::", None, None),
    ("ipv6, capital letters (non-canonical)", "1234::ABCD", None, None),
    ("ipv4 with leading 0s", "1.1.1.01", None, "must not have leading 0s"),
    ("ipv4-in-ipv6 value", "::ffff:1.1.1.1", None, "must not be an IPv4-mapped IPv6 address"),
    ("empty string", "", "must be a valid IP address", "must be a valid IP address"),
    ("junk", "aaaaaaa", "must be a valid IP address", "must be a valid IP address"),
    ("domain name", "myhost.mydomain", "must be a valid IP address", "must be a valid IP address"),
    ("cidr", "1.2.3.0/24", "must be a valid IP address", "must be a valid IP address"),
    ("ipv4 with out-of-range octets", "1.2.3.400", "must be a valid IP address", "must be a valid IP address"),
    ("ipv4 with negative octets", "-1.0.0.0", "must be a valid IP address", "must be a valid IP address"),
    ("ipv6 with out-of-range segment", "2001:db8::10005", "must be a valid IP address", "must be a valid IP address"),
    ("ipv4:port", "1.2.3.4:80", "must be a valid IP address", "must be a valid IP address"),
    ("ipv6 with brackets", "[2001:db8::1]", "must be a valid IP address", "must be a valid IP address"),
    ("[ipv6]:port", "[2001:db8::1]:80", "must be a valid IP address", "must be a valid IP address"),
    ("host:port", "example.com:80", "must be a valid IP address", "must be a valid IP address"),
    ("ipv6 with zone", "1234::abcd%eth0", "must be a valid IP address", "must be a valid IP address"),
    ("ipv4 with zone", "169.254.0.0%eth0", "must be a valid IP address", "must be a valid IP address"),
]


@pytest.mark.parametrize(("name", "value", "legacy", "strict"), IP_CASES, ids=[case[0] for case in IP_CASES])
def test_ip_problem(name: str, value: str, legacy: str | None, strict: str | None) -> None:
    for expected, found in ((legacy, ip_problem(value)), (strict, ip_problem(value, strict=True))):
        if expected is None:
            assert found is None
        else:
            assert found is not None and expected in found


# kubernetes/apimachinery pkg/util/validation/ip_test.go TestIsValidCIDR, likewise.
CIDR_CASES = [
    ("ipv4", "1.0.0.0/8", None, None),
    ("ipv4, all IPs", "0.0.0.0/0", None, None),
    ("ipv4, single IP", "1.1.1.1/32", None, None),
    ("ipv6", "2001:4860:4860::/48", None, None),
    ("ipv6, all IPs", "::/0", None, None),
    ("ipv6, single IP", "::1/128", None, None),
    ("ipv6, extra 0s (non-canonical)", "2a00:79e0:2:0::/64", None, None),
    ("ipv6, capital letters (non-canonical)", "2001:DB8::/64", None, None),
    ("ipv4 with leading 0s", "1.1.01.0/24", None, "must not have leading 0s in IP"),
    ("ipv4-in-ipv6 with ipv4-sized prefix", "::ffff:1.1.1.0/24", None, "must not have an IPv4-mapped IPv6 address"),
    ("ipv4-in-ipv6 with ipv6-sized prefix", "::ffff:1.1.1.0/120", None, "must not have an IPv4-mapped IPv6 address"),
    ("ipv4 ifaddr", "1.2.3.4/24", None, "must not have bits set beyond the prefix length"),
    ("ipv6 ifaddr", "2001:db8::1/64", None, "must not have bits set beyond the prefix length"),
    ("prefix length with leading 0s", "192.168.0.0/016", None, "must not have leading 0s"),
    ("empty string", "", "must be a valid CIDR value", "must be a valid CIDR value"),
    ("junk", "aaaaaaa", "must be a valid CIDR value", "must be a valid CIDR value"),
    ("IP address", "1.2.3.4", "must be a valid CIDR value", "must be a valid CIDR value"),
    ("partial URL", "192.168.0.1/healthz", "must be a valid CIDR value", "must be a valid CIDR value"),
    ("partial URL 2", "192.168.0.1/0/99", "must be a valid CIDR value", "must be a valid CIDR value"),
    ("negative prefix length", "192.168.0.0/-16", "must be a valid CIDR value", "must be a valid CIDR value"),
    ("prefix length with sign", "192.168.0.0/+16", "must be a valid CIDR value", "must be a valid CIDR value"),
    # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate
    # "invalid LoadBalancer source range (invalid CIDR)"
    ("prefix too long", "1.2.3.4/33", "must be a valid CIDR value", "must be a valid CIDR value"),
]


@pytest.mark.parametrize(("name", "value", "legacy", "strict"), CIDR_CASES, ids=[case[0] for case in CIDR_CASES])
def test_cidr_problem(name: str, value: str, legacy: str | None, strict: str | None) -> None:
    for expected, found in ((legacy, cidr_problem(value)), (strict, cidr_problem(value, strict=True))):
        if expected is None:
            assert found is None
        else:
            assert found is not None and expected in found


def test_parse_ip_follows_the_sloppy_go_parser() -> None:
    # k8s.io/utils ParseIPSloppy (Go 1.16's parser): leading zeros are decimal.
    assert parse_ip("010.002.003.004") == parse_ip("10.2.3.4")
    assert parse_ip("::ffff:1.2.3.4") == parse_ip("1.2.3.4")
    assert parse_ip("1::2:3:4:5:6:7:8") is None  # the ellipsis must stand for a zero group
    assert parse_ip("::1.2.3.4") is not None
    assert parse_ip("1.2.3.4.5") is None
    assert parse_ip("1:2:3:4:5:6:7:8") is not None
    assert parse_ip("1:2:3:4:5:6:7:8:9") is None


def test_ip_family_counts_ipv4_mapped_ipv6_as_ipv4() -> None:
    # k8s.io/utils net/ipfamily.go IPFamilyOf: To4() != nil means IPv4.
    assert ip_family("10.0.0.1") == 4
    assert ip_family("::ffff:10.0.0.1") == 4
    assert ip_family("2001::1") == 6
    assert ip_family("garbage") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # kubernetes/kubernetes pkg/apis/core/validation/validation_test.go TestValidateServiceCreate
        # "invalid publicIPs localhost" / "invalid publicIPs unspecified" / "valid publicIPs"
        ("127.0.0.1", "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
        ("0.0.0.0", "may not be unspecified (0.0.0.0)"),
        ("1.2.3.4", None),
        ("::", "may not be unspecified (::)"),
        ("::1", "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
        ("169.254.169.254", "may not be in the link-local range (169.254.0.0/16, fe80::/10)"),
        ("fe80::1", "may not be in the link-local range (169.254.0.0/16, fe80::/10)"),
        ("224.0.0.1", "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"),
        ("ff02::1", "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"),
        ("::ffff:127.0.0.1", "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
        ("not-an-ip", None),
    ],
)
def test_non_special_ip_problem(value: str, expected: str | None) -> None:
    assert non_special_ip_problem(value) == expected


def test_trim_space_is_go_strings_trim_space() -> None:
    assert trim_space(" \t1.2.3.0/24\n ") == "1.2.3.0/24"
    # Go keeps the ASCII separators \x1c-\x1f, which str.strip() would drop.
    assert trim_space("\x1c1.2.3.0/24") == "\x1c1.2.3.0/24"
