"""Date parsing: numeric orders decided per document, month names, round trips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.dates import (
    DateOrder,
    excel_serial_to_date,
    find_date,
    infer_date_order,
    order_for_locale,
    parse_date,
)

DMY, MDY = DateOrder.dmy, DateOrder.mdy
SEP3 = dt.date(2026, 9, 3)


@pytest.mark.parametrize(
    "text",
    [
        "03/09/2026",
        "03.09.2026",
        "3-9-2026",
        "03/09/26",
        "2026-09-03",
        "2026/09/03",
        "03-Sep-2026",
        "3 Sep 26",
        "3 Sept 2026",
        "03 September 2026",
        "Sep 3, 2026",
        "Sept. 3, 2026",
        "September 3 2026",
        "3rd Sep 2026",
        " 03-SEP-2026 ",
    ],
)
def test_day_first_and_named_forms(text: str) -> None:
    assert parse_date(text, DMY) == SEP3


def test_month_first() -> None:
    assert parse_date("09/03/2026", MDY) == SEP3
    assert parse_date("09/03/2026", DMY) == dt.date(2026, 3, 9)
    assert parse_date("2026-09-03", MDY) == SEP3  # year first is never ambiguous


@pytest.mark.parametrize("text", ["", "13/13/2026", "31/02/2026", "INV-2026", "12.50", "Sep 2026", "2026"])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


def test_infer_order_from_unambiguous_dates_then_locale() -> None:
    assert infer_date_order(["01/02/2026", "13/09/2026", "30/09/2026"]) is DMY
    assert infer_date_order(["01/02/2026", "09/13/2026"]) is MDY
    assert infer_date_order(["01/02/2026"], "en_US") is MDY
    assert infer_date_order(["01/02/2026"], "en_GB") is DMY
    assert infer_date_order(["01/02/2026"]) is DMY
    assert infer_date_order(["13/09/2026"], "en_US") is DMY  # the document outvotes the hint
    assert order_for_locale(None) is None


def test_find_date_inside_text() -> None:
    assert find_date("Statement Date: 30 September 2026 Page 1") == dt.date(2026, 9, 30)
    assert find_date("As at 09/30/2026", MDY) == dt.date(2026, 9, 30)
    assert find_date("no date here") is None


STYLES: dict[str, tuple[Callable[[dt.date], str], DateOrder]] = {
    "dmy_slash": (lambda d: d.strftime("%d/%m/%Y"), DMY),
    "mdy_slash": (lambda d: d.strftime("%m/%d/%Y"), MDY),
    "dmy_dot": (lambda d: d.strftime("%d.%m.%Y"), DMY),
    "dmy_short_year": (lambda d: d.strftime("%d/%m/%y"), DMY),
    "iso": (lambda d: d.isoformat(), DMY),
    "dd_mon_yyyy": (lambda d: d.strftime("%d-%b-%Y"), MDY),
    "mon_d_yyyy": (lambda d: f"{d.strftime('%b')} {d.day}, {d.year}", DMY),
    "d_mon_yy": (lambda d: f"{d.day} {d.strftime('%b %y')}", DMY),
    "d_month_yyyy": (lambda d: f"{d.day} {d.strftime('%B %Y')}", MDY),
}


@pytest.mark.parametrize("style", sorted(STYLES))
@given(value=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2069, 12, 31)))
def test_date_round_trip(style: str, value: dt.date) -> None:
    format_date, order = STYLES[style]
    assert parse_date(format_date(value), order) == value


def test_excel_serial_dates() -> None:
    assert excel_serial_to_date("46297") == dt.date(2026, 10, 2)
    assert excel_serial_to_date("46297.0") == dt.date(2026, 10, 2)
    assert excel_serial_to_date("12345") is None
    assert excel_serial_to_date("INV-46298") is None
