"""Money amounts as printed on statements -> signed ``Decimal``.

Handles ``1,234.56``, ``(1,234.56)``, ``1,234.56 CR`` / ``DR``, ``1,234.56-``, ``-1,234.56``,
European ``1.234,56`` and ``1 234,56`` (also with NBSP / narrow NBSP / apostrophe thousands),
currency symbols and ISO codes before or after. ``CR``, parentheses and minus make the amount
negative, ``DR`` keeps it positive: the caller decides which side of the books the document is on.
An amount whose only separator is followed by exactly three digits (``1,234`` / ``1.234``) is
ambiguous; the document's decimal convention, inferred from all its amounts, resolves it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import StrEnum

__all__ = [
    "CURRENCY_CODES",
    "CURRENCY_SYMBOLS",
    "DecimalConvention",
    "currency_in_text",
    "infer_convention",
    "is_amount",
    "parse_amount",
]


class DecimalConvention(StrEnum):
    """Which character separates the decimals: ``point`` (1,234.56) or ``comma`` (1.234,56)."""

    point = "point"
    comma = "comma"


CURRENCY_SYMBOLS: dict[str, str] = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "₣": "CHF"}
_CODES_TEXT = (
    "EUR USD GBP CHF JPY CAD AUD NZD SEK NOK DKK PLN CZK HUF RON BGN INR CNY HKD SGD ZAR MXN BRL "
    "TRY AED SAR ILS KRW"
)
CURRENCY_CODES: frozenset[str] = frozenset(_CODES_TEXT.split())

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "−": "-", "–": "-"})
_CODE_RE = "|".join(sorted(CURRENCY_CODES))
_AFFIX = re.compile(
    rf"^(?:(?:US|CA|AU|NZ|HK|S)?[$€£¥₹₣]|(?:{_CODE_RE})(?![A-Z]))\s*|\s*(?:[$€£¥₹₣]|(?<![A-Z])(?:{_CODE_RE}))$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^(?:\d{1,3}(?:[ ,.'’]\d{3})+|\d+)(?:[.,]\d+)?$")
_SIGN_SUFFIX = re.compile(r"\s*(?<![A-Za-z])(CR|DR|Cr|Dr|cr|dr)\.?$")
_SIGN_PREFIX = re.compile(r"^(CR|DR|Cr|Dr)\.?\s+")
_TWO = Decimal("0.01")
_AFFIX_CHARS = frozenset("$€£¥₹₣")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]{4,}")
_NON_DIGITS = re.compile(r"\D")
_CURRENCY_NAME_CODES = {
    "euro": "EUR",
    "sterling": "GBP",
    "pound": "GBP",
    "us dollar": "USD",
    "swiss franc": "CHF",
}
_CODE_WORD = re.compile(rf"\b({_CODE_RE})\b")
_ASCII_LETTER_OR_DOLLAR = re.compile(r"[A-Za-z$]")
_CURRENCY_NAMES = re.compile(r"\b(euros?|sterling|pounds?|us\s+dollars?|swiss\s+francs?)\b", re.I)


@functools.lru_cache(maxsize=16384)
def _bare_number(text: str) -> tuple[str, bool] | None:
    """The bare number of ``text`` (digits and separators) and whether it is negative, or None."""
    stripped = _strip_sign_and_currency(text)
    if stripped is None or not _NUMBER.match(stripped[0]):
        return None
    return stripped


def _strip_sign_and_currency(text: str) -> tuple[str, bool] | None:
    """The number part of ``text`` and whether it is negative; None when the markers do not fit."""
    s = text.translate(_SPACES).strip()
    if not s or not _DIGIT.search(s) or _WORD.search(s):
        return None  # no digits, or a word longer than a currency code: text, not an amount
    negative = False
    marks: dict[str, int] = {"crdr": 0, "brackets": 0, "minus": 0}
    for _ in range(3):  # currency, sign and brackets nest in any order: peel them a few times
        before = s
        # the regexes only where an end of the text is a letter or a symbol (cheap look first)
        if s[0].isalpha() or s[-1].isalpha() or s[-1] == ".":
            m = _SIGN_SUFFIX.search(s) or _SIGN_PREFIX.search(s)
            if m:
                negative ^= m.group(1).lower() == "cr"
                marks["crdr"] += 1
                s = (s[: m.start()] + s[m.end() :]).strip()
        if s and (s[0] in _AFFIX_CHARS or s[-1] in _AFFIX_CHARS or s[0].isalpha() or s[-1].isalpha()):
            s = _AFFIX.sub("", s).strip()
        if not s:
            break
        if s.startswith("(") and s.endswith(")"):
            negative ^= True
            marks["brackets"] += 1
            s = s[1:-1].strip()
        if s.startswith(("-", "+")):
            negative ^= s[0] == "-"
            marks["minus"] += 1
            s = s[1:].strip()
        elif s.endswith(("-", "+")):
            negative ^= s[-1] == "-"
            marks["minus"] += 1
            s = s[:-1].strip()
        if s == before:
            break
    if max(marks.values()) > 1 or sum(marks.values()) > 2 or not s:
        return None
    return s, negative


def _decimal_separator(number: str, convention: DecimalConvention | None) -> str | None:
    """The decimal separator of a bare number ('' for none), or None when it stays ambiguous."""
    seps = _NON_DIGITS.findall(number)
    if not seps:
        return ""
    last = seps[-1]
    if last in " '’":
        return ""
    if len(set(seps)) > 1:
        return last
    if len(seps) > 1:
        return ""  # one separator repeated: thousands (1,234,567)
    tail = number.rsplit(last, 1)[1]
    if len(tail) != 3 or number.startswith("0"):
        return last
    if convention is None:
        return None
    decimal_char = "." if convention is DecimalConvention.point else ","
    return last if last == decimal_char else ""


@functools.lru_cache(maxsize=16384)
def parse_amount(text: str, convention: DecimalConvention | None = DecimalConvention.point) -> Decimal | None:
    """The signed amount printed in ``text`` (CR / brackets / minus negative), or None if it is not one.

    An ambiguous ``1,234`` follows ``convention``; with ``convention=None`` it is not parsed.
    """
    stripped = _bare_number(text)
    if stripped is None:
        return None
    number, negative = stripped
    sep = _decimal_separator(number, convention)
    if sep is None:
        return None
    if sep:
        whole, _, frac = number.rpartition(sep)
    else:
        whole, frac = number, ""
    digits = _NON_DIGITS.sub("", whole)
    try:
        value = Decimal(f"{digits}.{frac}" if frac else digits)
    except InvalidOperation:  # pragma: no cover - the regex admits digits only
        return None
    if value.as_tuple().exponent > -2:  # type: ignore[operator]
        value = value.quantize(_TWO)
    return -value if negative and value else value  # never -0.00


def is_amount(text: str) -> bool:
    """True when ``text`` reads as an amount under either convention."""
    return _bare_number(text) is not None


def _vote(text: str) -> DecimalConvention | None:
    stripped = _bare_number(text)
    if stripped is None:
        return None
    sep = _decimal_separator(stripped[0], None)
    if sep == ".":
        return DecimalConvention.point
    if sep == ",":
        return DecimalConvention.comma
    return None


def infer_convention(
    texts: Iterable[str], default: DecimalConvention = DecimalConvention.point
) -> DecimalConvention:
    """The decimal convention most unambiguous amounts among ``texts`` use, else ``default``."""
    points = commas = 0
    for text in texts:
        vote = _vote(text)
        if vote is DecimalConvention.point:
            points += 1
        elif vote is DecimalConvention.comma:
            commas += 1
    if points == commas:
        return default
    return DecimalConvention.point if points > commas else DecimalConvention.comma


def currency_in_text(text: str) -> str | None:
    """The ISO code of the first currency code or symbol in ``text``, or None."""
    if text.isascii() and not _ASCII_LETTER_OR_DOLLAR.search(text):
        return None  # plain digits and separators: nothing to find
    m = _CODE_WORD.search(text)
    if m:
        return m.group(1).upper()
    m = _CURRENCY_NAMES.search(text)
    if m:
        return _CURRENCY_NAME_CODES[" ".join(m.group(1).lower().split()).rstrip("s")]
    for symbol, code in CURRENCY_SYMBOLS.items():
        if symbol in text:
            return code
    return None
