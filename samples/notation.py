"""How documents print amounts and dates: every notation the extractor must read back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

CENT = Decimal("0.01")

# An amount notation is "<digits>:<sign>". Digits: ``us`` 1,234.56, ``eu`` 1.234,56, ``eu_space``
# 1 234,56. Sign of a negative: ``minus`` -1,234.56, ``paren`` (1,234.56), ``cr`` 1,234.56 CR,
# ``trailing`` 1,234.56-, ``crdr`` 1,234.56 CR / 1,234.56 DR (positive marked too).
DIGITS = {"us": (",", "."), "eu": (".", ","), "eu_space": (" ", ",")}


def group_digits(value: Decimal, thousands: str, decimal: str) -> str:
    """``abs(value)`` with two decimals and thousands grouping, e.g. ``1.234,56``."""
    whole, frac = f"{abs(value).quantize(CENT):.2f}".split(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return thousands.join(groups) + decimal + frac


def amount_to_text(value: Decimal, notation: str, symbol: str = "") -> str:
    """``value`` printed in ``notation`` ("us:paren"...); ``symbol`` ("£", "USD ") precedes the digits."""
    digits_style, sign = notation.split(":")
    digits = symbol + group_digits(value, *DIGITS[digits_style])
    if value >= 0:
        return digits + (" DR" if sign == "crdr" and value else "")
    if sign == "paren":
        return f"({digits})"
    if sign in ("cr", "crdr"):
        return f"{digits} CR"
    if sign == "trailing":
        return f"{digits}-"
    return f"-{digits}"


def unsigned_to_text(value: Decimal, notation: str, symbol: str = "") -> str:
    """``abs(value)`` for a Debit or Credit column, in the digits of ``notation``."""
    return symbol + group_digits(value, *DIGITS[notation.split(":")[0]])


# Date notations (strftime patterns, plus "mon_d_y" for "Sep 3, 2026" without a leading zero).
DATE_NOTATIONS = {
    "dmy_slash": "%d/%m/%Y",
    "mdy_slash": "%m/%d/%Y",
    "d_mon_y": "%d-%b-%Y",
    "iso": "%Y-%m-%d",
    "mon_d_y": "",
    "dmy_dot": "%d.%m.%Y",
}


def date_to_text(day: dt.date, notation: str) -> str:
    """``day`` printed in one of ``DATE_NOTATIONS`` (English month names, independent of locale)."""
    if notation == "mon_d_y":
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    if notation == "d_mon_y":
        return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}"
    return day.strftime(DATE_NOTATIONS[notation])


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
