"""components._validation: the checks and message helpers on their own."""

from __future__ import annotations

import pulumi
import pytest

from components import _validation as v


def _problems(check, *args) -> list[str]:
    p = v.Problems()
    check(p, "x", *args)
    return [str(problem) for problem in p.items]


def test_show_quotes_strings_and_reprs_the_rest() -> None:
    assert (v.show("a"), v.show(8080), v.show(True), v.show(None), v.show([1])) == (
        '"a"',
        "8080",
        "True",
        "None",
        "[1]",
    )


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        ("targetPort", ["target_port", "port"], " Did you mean 'target_port'?"),
        ("selecter", ["selector", "ports"], " Did you mean 'selector'?"),
        ("zzz", ["selector", "ports"], ""),
    ],
)
def test_suggest(word: str, choices: list[str], expected: str) -> None:
    assert v.suggest(word, choices) == expected


def test_suggest_quotes_values_as_values() -> None:
    assert v.suggest("clientip", ["None", "ClientIP"], value=True) == ' Did you mean "ClientIP"?'


def test_unknown_values_are_not_checked() -> None:
    assert _problems(v.check_dns1123_label, pulumi.Output.from_input("Not A Label")) == []
    assert _problems(v.check_int, pulumi.Output.from_input(0)) == []


def test_booleans_are_not_integers() -> None:
    assert _problems(v.check_int, True) == ["'x' must be an integer, not bool."]


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [
        ("10.0.0.0/8", []),
        ("2001:db8::/32", []),
        ("2001:db8::1", ['\'x\' ("2001:db8::1") has no mask. Did you mean "2001:db8::1/128"?']),
        ("10.1.2.3/8", ['\'x\' ("10.1.2.3/8") has host bits set. Did you mean "10.0.0.0/8"?']),
    ],
)
def test_check_cidr(cidr: str, expected: list[str]) -> None:
    assert _problems(v.check_cidr, cidr) == expected


@pytest.mark.parametrize(
    ("duration", "ok"),
    [("5m", True), ("1h30m", True), ("10s", True), ("1.5h", True), ("5", False), ("5 m", False), ("", False)],
)
def test_check_duration(duration: str, ok: bool) -> None:
    assert (_problems(v.check_duration, duration) == []) is ok


def test_label_keys_may_carry_a_dns_prefix() -> None:
    assert _problems(v.check_label_map, {"app.kubernetes.io/name": "web", "a" * 64: "x"}) == [
        f'\'x["{"a" * 64}"]\' ("{"a" * 64}") is not a valid label key: name part must be no more than 63 characters.'
    ]


def test_one_problem_and_several_problems_read_as_sentences() -> None:
    p = v.Problems()
    p.value("a", 1, "is wrong")
    assert str(p.error("Unable to create X 'y'")) == "Unable to create X 'y': 'a' (1) is wrong."
    p.value("b", 2, "is wrong too. Did you mean 3?")
    assert (
        str(p.error("Unable to create X 'y'"))
        == "Unable to create X 'y' (2 problems):\n  'a' (1) is wrong.\n  'b' (2) is wrong too. Did you mean 3?"
    )
    assert p.items[1].at("services.y") == "services.y.b: 2 is wrong too. Did you mean 3?"
