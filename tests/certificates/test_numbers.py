"""Certificate numbers: canonical form, tolerant reading, every slip caught."""

from __future__ import annotations

import pytest

from certificates.numbers import (
    ALPHABET,
    MalformedNumber,
    MistypedNumber,
    ParsedNumber,
    format_number,
    parse_number,
)

SAMPLE = format_number("RQ", 2026, 123)


def test_format_is_readable_and_round_trips():
    assert SAMPLE.startswith("RQ-2026-000123-")
    assert len(SAMPLE) == len("RQ-2026-000123-") + 2
    assert parse_number(SAMPLE) == ParsedNumber("RQ", 2026, 123, SAMPLE[-2:])
    assert parse_number(SAMPLE).text == SAMPLE


@pytest.mark.parametrize(
    "typed",
    [
        lambda n: n.lower(),
        lambda n: " ".join(n),
        lambda n: n.replace("-", ""),
        lambda n: n.replace("-", "－"),  # full-width hyphen
        lambda n: n.replace("-", "—"),
        lambda n: "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in n),  # full-width
        lambda n: f"  {n}\n",
    ],
)
def test_typing_variants_are_read(typed):
    assert parse_number(typed(SAMPLE)).text == SAMPLE


@pytest.mark.parametrize(
    ("prefix", "year", "sequence"),
    [("ZN", 2026, 1), ("RQ", 2030, 999_999), ("ABCD", 1999, 1_234_567)],
)
def test_other_numbers_round_trip(prefix, year, sequence):
    text = format_number(prefix, year, sequence)
    assert parse_number(text) == ParsedNumber(prefix, year, sequence, text[-2:])


def _variants(number: str):
    for i, char in enumerate(number):
        for other in ALPHABET + "-":
            if other != char:
                yield number[:i] + other + number[i + 1 :]
    for i in range(len(number) - 1):
        if number[i] != number[i + 1]:
            yield number[:i] + number[i + 1] + number[i] + number[i + 2 :]


@pytest.mark.parametrize(
    "number", [SAMPLE, format_number("ZN", 2027, 908_172), format_number("AB", 2026, 1)]
)
def test_every_single_substitution_and_adjacent_swap_is_caught(number):
    variants = list(_variants(number))
    assert len(variants) > 500
    for variant in variants:
        with pytest.raises((MistypedNumber, MalformedNumber)):
            parse_number(variant)


def test_a_slip_in_the_digits_is_reported_as_mistyped_not_malformed():
    slipped = SAMPLE.replace("000123", "000132")
    with pytest.raises(MistypedNumber, match="校验码不符"):
        parse_number(slipped)


@pytest.mark.parametrize(
    "text",
    ["", "hello", "RQ-26-000123-AB", "RQ-2026-123-AB", "R-2026-000123-AB", "RQ-2026-000123-ABC"],
)
def test_malformed(text):
    with pytest.raises(MalformedNumber, match="不是证书编号"):
        parse_number(text)


@pytest.mark.parametrize(
    ("prefix", "year", "sequence"), [("rq", 2026, 1), ("RQ", 26, 1), ("RQ", 2026, 0)]
)
def test_format_refuses_bad_parts(prefix, year, sequence):
    with pytest.raises(ValueError):
        format_number(prefix, year, sequence)
