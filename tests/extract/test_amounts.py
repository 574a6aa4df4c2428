"""Amount parsing: every printed form of DOMAIN.md, conventions, and round trips."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.amounts import DecimalConvention, currency_in_text, infer_convention, is_amount, parse_amount

POINT = DecimalConvention.point
COMMA = DecimalConvention.comma


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", "1234.56"),
        ("(1,234.56)", "-1234.56"),
        ("1,234.56 CR", "-1234.56"),
        ("1,234.56CR", "-1234.56"),
        ("1,234.56 Cr", "-1234.56"),
        ("1,234.56 DR", "1234.56"),
        ("1,234.56-", "-1234.56"),
        ("-1,234.56", "-1234.56"),
        ("- 5.00", "-5.00"),
        ("−12.50", "-12.50"),
        ("1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("1'234.56", "1234.56"),
        ("€ 1.234,56", "1234.56"),
        ("1.234,56 €", "1234.56"),
        ("-1.234,56 EUR", "-1234.56"),
        ("EUR 1,234.56", "1234.56"),
        ("EUR1,234.56", "1234.56"),
        ("USD -12.00", "-12.00"),
        ("$1,234.56", "1234.56"),
        ("US$ 99.90", "99.90"),
        ("(£12.50)", "-12.50"),
        ("£(12.50)", "-12.50"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567,89", "1234567.89"),
        ("0.00", "0.00"),
        ("(0.00)", "0.00"),
        ("0.00 CR", "0.00"),
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("0,995", "0.995"),
    ],
)
def test_parse_amount_forms(text: str, expected: str) -> None:
    value = parse_amount(text)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "INV-123", "12/09/2026", "2026-09-03", "-", "()", "1,23,4", "--5", "1.2.3"]
)
def test_not_amounts(text: str) -> None:
    assert parse_amount(text) is None
    assert not is_amount(text)


def test_ambiguous_thousands_follow_the_convention() -> None:
    assert parse_amount("1,234", POINT) == Decimal("1234.00")
    assert parse_amount("1,234", COMMA) == Decimal("1.234")
    assert parse_amount("1.234", POINT) == Decimal("1.234")
    assert parse_amount("1.234", COMMA) == Decimal("1234.00")
    assert parse_amount("1,234", None) is None


def test_infer_convention_majority_of_unambiguous_amounts() -> None:
    assert infer_convention(["1.234,56", "12,00", "1.234", "7"]) is COMMA
    assert infer_convention(["1,234.56", "1,234", "0.50"]) is POINT
    assert infer_convention(["1,234", "1.234"]) is POINT
    assert infer_convention(["1,234"], default=COMMA) is COMMA


def test_currency_in_text() -> None:
    assert currency_in_text("Total due EUR 1.234,56") == "EUR"
    assert currency_in_text("£ 12.00") == "GBP"
    assert currency_in_text("All amounts in euros") == "EUR"
    assert currency_in_text("in pounds sterling") == "GBP"
    assert currency_in_text("amounts in local money") is None


money = st.decimals(min_value=Decimal("-9999999.99"), max_value=Decimal("9999999.99"), places=2).filter(
    lambda d: d.is_finite()
)


def _group(whole: str, sep: str) -> str:
    parts = []
    while len(whole) > 3:
        parts.insert(0, whole[-3:])
        whole = whole[:-3]
    parts.insert(0, whole)
    return sep.join(parts)


def _digits(value: Decimal, thousands: str, decimal: str) -> str:
    whole, frac = f"{abs(value):.2f}".split(".")
    return f"{_group(whole, thousands)}{decimal}{frac}"


STYLES: dict[str, tuple[Callable[[Decimal], str], DecimalConvention]] = {
    "minus": (lambda v: ("-" if v < 0 else "") + _digits(v, ",", "."), POINT),
    "brackets": (lambda v: f"({_digits(v, ',', '.')})" if v < 0 else _digits(v, ",", "."), POINT),
    "cr_dr": (lambda v: _digits(v, ",", ".") + (" CR" if v < 0 else " DR"), POINT),
    "trailing_minus": (lambda v: _digits(v, ",", ".") + ("-" if v < 0 else ""), POINT),
    "european": (lambda v: ("-" if v < 0 else "") + _digits(v, ".", ","), COMMA),
    "space_comma": (lambda v: ("-" if v < 0 else "") + _digits(v, " ", ","), COMMA),
    "nbsp_comma": (lambda v: ("-" if v < 0 else "") + _digits(v, "\u202f", ","), COMMA),
    "euro_symbol": (lambda v: ("-" if v < 0 else "") + _digits(v, ".", ",") + " €", COMMA),
    "iso_prefix": (lambda v: "USD " + ("-" if v < 0 else "") + _digits(v, ",", "."), POINT),
    "pound_brackets": (
        lambda v: f"(£{_digits(v, ',', '.')})" if v < 0 else "£" + _digits(v, ",", "."),
        POINT,
    ),
}


@pytest.mark.parametrize("style", sorted(STYLES))
@given(value=money)
def test_amount_round_trip(style: str, value: Decimal) -> None:
    format_amount, convention = STYLES[style]
    text = format_amount(value)
    assert parse_amount(text, convention) == value
    # unambiguous texts (two decimals) parse the same under either convention
    assert parse_amount(text, None) == value
