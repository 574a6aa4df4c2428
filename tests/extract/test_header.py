"""The header block: label/value pairs in varied layouts, and the customer's name without a label."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from extract.amounts import DecimalConvention
from extract.dates import DateOrder
from extract.header import TextSegment, text_lines_to_header


def seg(text: str, x0: float, top: float, x1: float | None = None, page: int = 1) -> TextSegment:
    """A segment of ~5 pt per character at ``(x0, top)``, 8 pt tall."""
    return TextSegment(text, x0, x1 if x1 is not None else x0 + 5 * len(text), top, top + 8, page)


def test_label_value_in_one_segment_and_in_the_next_segment() -> None:
    header = text_lines_to_header(
        [
            (seg("Account number: C40913", 40, 100),),
            (seg("Statement date:", 300, 112), seg("Sep 30, 2026", 450, 112)),
            (seg("Currency: GBP", 40, 124),),
            (seg("Balance brought forward: £6,055.30", 40, 136),),
            (seg("Balance outstanding", 300, 400), seg("£22,473.90", 480, 400)),
        ]
    )
    assert header.account == "C40913"
    assert header.statement_date == dt.date(2026, 9, 30)
    assert header.currency == "GBP"
    assert header.opening_balance == Decimal("6055.30")
    assert header.closing_balance == Decimal("22473.90")


def test_a_strip_of_labels_takes_the_values_below_them() -> None:
    header = text_lines_to_header(
        [
            (
                seg("Account", 44, 150),
                seg("Date", 140, 150),
                seg("Currency", 236, 150),
                seg("Closing balance", 332, 150),
            ),
            (
                seg("FR-3318", 44, 163),
                seg("30/09/2026", 140, 163),
                seg("EUR", 236, 163),
                seg("12.282,87", 332, 163),
            ),
        ],
        DateOrder.dmy,
        DecimalConvention.comma,
    )
    assert (header.account, header.statement_date, header.currency, header.closing_balance) == (
        "FR-3318",
        dt.date(2026, 9, 30),
        "EUR",
        Decimal("12282.87"),
    )


def test_vendor_numbers_are_not_the_customer_account_and_name_the_supplier() -> None:
    header = text_lines_to_header(
        [
            (seg("Elbe Logistik GmbH", 40, 40),),
            (seg("Hafenstrasse 21", 40, 52),),
            (seg("Northwind Components Ltd", 40, 94), seg("Vendor no.:", 300, 94), seg("K-70012", 480, 94)),
            (
                seg("Unit 4, Riverside Park", 40, 106),
                seg("Your customer no.:", 300, 106),
                seg("DE-4410", 480, 106),
            ),
            (seg("Balance due to Northwind Components Ltd", 300, 420), seg("12 935,03 CR", 480, 420)),
        ],
        convention=DecimalConvention.comma,
    )
    assert header.account == "DE-4410"
    assert header.customer_name == "Elbe Logistik GmbH"
    assert header.closing_balance == Decimal("-12935.03")
    assert "Northwind Components Ltd" in header.supplier_names


def test_customer_name_is_the_first_name_block_that_is_not_our_company() -> None:
    lines = [
        (seg("Northwind Components Ltd", 40, 40), seg("STATEMENT OF ACCOUNT", 400, 40)),
        (seg("Unit 4, Riverside Park", 40, 52),),
        (seg("Leeds LS10 1AB", 40, 64),),
        (seg("Dunmore Engineering Ltd", 40, 96), seg("Account No.", 300, 96), seg("C20117", 480, 96)),
        (seg("Mill Lane Works", 40, 108),),
    ]
    assert text_lines_to_header(lines).customer_name == "Northwind Components Ltd"
    ours = text_lines_to_header(lines, company_names=("Northwind Components Ltd",))
    assert ours.customer_name == "Dunmore Engineering Ltd"
    assert ours.account == "C20117"


def test_a_labelled_customer_wins_and_prose_is_not_a_label() -> None:
    header = text_lines_to_header(
        [
            (seg("Returned by customer with their open items.", 40, 30),),
            (seg("Customer", 44, 150), seg("Account", 200, 150)),
            (seg("Kestrel Aviation Services", 44, 163), seg("US-5562", 200, 163)),
        ]
    )
    assert (header.customer_name, header.account) == ("Kestrel Aviation Services", "US-5562")


def test_statement_date_outranks_a_bare_date_label() -> None:
    header = text_lines_to_header(
        [(seg("Date: 01/10/2026", 40, 20),), (seg("Statement date: 30/09/2026", 40, 40),)]
    )
    assert header.statement_date == dt.date(2026, 9, 30)


def test_a_statement_period_ends_at_the_statement_date() -> None:
    header = text_lines_to_header([(seg("Statement period: 01/09/2026 - 30/09/2026", 40, 20),)])
    assert header.statement_date == dt.date(2026, 9, 30)
