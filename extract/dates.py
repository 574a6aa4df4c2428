"""Dates as printed on statements -> ``datetime.date``.

Numeric dates (``03/09/2026``, ``03.09.2026``, ``3-9-26``) are read day-first or month-first by
the document's ``DateOrder``, inferred from its unambiguous dates (a part > 12) and a locale hint;
year-first (``2026-09-03``) and dates with month names (``03-Sep-2026``, ``Sep 3, 2026``,
``3 September 26``) need no order.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "DateOrder",
    "excel_serial_to_date",
    "find_date",
    "infer_date_order",
    "order_for_locale",
    "parse_date",
]


class DateOrder(StrEnum):
    """Order of day and month in numeric dates: ``dmy`` (03/09 = 3 Sep) or ``mdy`` (03/09 = 9 Mar)."""

    dmy = "dmy"
    mdy = "mdy"


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january janv januar enero gennaio",
        "feb february febr fév fev février februar febrero",
        "mar march mär märz mars marzo",
        "apr april avr avril abril",
        "may mai mayo maggio",
        "jun june juin juni junio",
        "jul july juil juillet juli julio",
        "aug august aoû août agosto",
        "sep sept september septembre septiembre",
        "oct october okt oktober octobre octubre",
        "nov november novembre noviembre",
        "dec december dez dezember déc décembre diciembre",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH_RE = r"(?P<mon>[A-Za-zéèûä]{3,9})\.?"
_NUMERIC = re.compile(r"(?<!\d)(?P<a>\d{1,4})(?P<s>[/.\-])(?P<b>\d{1,2})(?P=s)(?P<c>\d{2,4})(?!\d)")
_DAY_MON_YEAR = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.]*{_MONTH_RE}[\s\-/.,]*(?P<y>\d{{2,4}})(?!\d)"
)
_MON_DAY_YEAR = re.compile(
    rf"{_MONTH_RE}[\s\-/.]*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[\s\-/.]+(?P<y>\d{{4}})(?!\d)"
)


def _year(text: str) -> int | None:
    year = int(text)
    if len(text) == 2:
        return 2000 + year if year < 70 else 1900 + year
    if len(text) == 4 and 1900 <= year <= 2199:
        return year
    return None


def _make(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _numeric(m: re.Match[str], order: DateOrder) -> dt.date | None:
    a, b, c = m.group("a"), m.group("b"), m.group("c")
    if len(a) == 4:
        return _make(_year(a), int(b), int(c))
    if len(a) > 2:
        return None
    first, second = int(a), int(b)
    if order is DateOrder.dmy:
        return _make(_year(c), second, first)
    return _make(_year(c), first, second)


def _named(m: re.Match[str]) -> dt.date | None:
    month = _MONTHS.get(m.group("mon").lower())
    if month is None:
        return None
    return _make(_year(m.group("y")), month, int(m.group("d")))


@functools.lru_cache(maxsize=4096)
def parse_date(text: str, order: DateOrder = DateOrder.dmy) -> dt.date | None:
    """The date ``text`` consists of (surrounding whitespace aside), or None if it is not a date."""
    s = text.strip()
    for pattern in (_NUMERIC, _DAY_MON_YEAR, _MON_DAY_YEAR):
        m = pattern.fullmatch(s)
        if m:
            return _numeric(m, order) if pattern is _NUMERIC else _named(m)
    return None


def find_date(text: str, order: DateOrder = DateOrder.dmy, *, last: bool = False) -> dt.date | None:
    """The first (or ``last``) date printed anywhere inside ``text``, or None."""
    found: list[tuple[int, dt.date]] = []
    for pattern in (_NUMERIC, _DAY_MON_YEAR, _MON_DAY_YEAR):
        for m in pattern.finditer(text):
            value = _numeric(m, order) if pattern is _NUMERIC else _named(m)
            if value is not None:
                found.append((m.start(), value))
    if not found:
        return None
    return max(found)[1] if last else min(found)[1]


def order_for_locale(locale: str | None) -> DateOrder | None:
    """The numeric date order customary in ``locale`` (``en_US`` -> mdy, ``de_DE`` -> dmy), or None."""
    if not locale:
        return None
    norm = locale.replace("-", "_").lower()
    if norm in {"us", "en_us", "en_ph", "es_us", "en_fm", "en_pr"}:
        return DateOrder.mdy
    return DateOrder.dmy


def infer_date_order(texts: Iterable[str], locale: str | None = None) -> DateOrder:
    """The numeric date order the unambiguous dates among ``texts`` agree on, else the locale's, else dmy."""
    dmy = mdy = 0
    for text in texts:
        for m in _NUMERIC.finditer(text):
            a, b = m.group("a"), m.group("b")
            if len(a) > 2:
                continue
            first, second = int(a), int(b)
            if first > 12 >= second >= 1:
                dmy += 1
            elif second > 12 >= first >= 1:
                mdy += 1
    if dmy != mdy:
        return DateOrder.dmy if dmy > mdy else DateOrder.mdy
    return order_for_locale(locale) or DateOrder.dmy


_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29


def excel_serial_to_date(text: str) -> dt.date | None:
    """A spreadsheet date stored as a bare serial number (``46297`` -> 2026-10-02), or None."""
    s = text.strip()
    if s.endswith(".0"):
        s = s[:-2]
    if not s.isdigit() or not 20000 <= int(s) <= 80000:  # 1954..2119: a plausible statement date
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(s))
