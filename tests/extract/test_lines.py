"""Rows -> statement lines: headers, continuation rows, forward/subtotal rows, signs, running balance."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from extract.headers import ColumnRole, cell_to_role, header_to_roles, is_header_row
from extract.layout import Cell
from extract.lines import SourceRow, rows_to_lines
from extract.markers import RowKind, Wording, classify_marker


def rows(*texts: tuple[str, ...], page: int | None = None) -> list[SourceRow]:
    """Spreadsheet-like rows (no boxes) from tuples of cell texts."""
    return [SourceRow(cells=tuple(Cell(t) for t in row), page=page) for row in texts]


def D(text: str) -> Decimal:
    return Decimal(text)


def test_header_wordings_map_to_roles() -> None:
    assert cell_to_role("Doc. Date") is ColumnRole.date
    assert cell_to_role("Posting Date") is ColumnRole.date
    assert cell_to_role("Value Date") is ColumnRole.date
    assert cell_to_role("Due Date") is ColumnRole.due_date
    assert cell_to_role("Doc. No.") is ColumnRole.document_no
    assert cell_to_role("Invoice No") is ColumnRole.invoice_no
    assert cell_to_role("Our Ref") is ColumnRole.our_ref
    assert cell_to_role("Your Ref.") is ColumnRole.your_ref
    assert cell_to_role("Particulars") is ColumnRole.description
    assert cell_to_role("Narrative") is ColumnRole.description
    assert cell_to_role("Charges") is ColumnRole.debit
    assert cell_to_role("Payments") is ColumnRole.credit
    assert cell_to_role("Amount (EUR)") is ColumnRole.amount
    assert cell_to_role("Balance £") is ColumnRole.balance
    assert cell_to_role("Running Balance") is ColumnRole.balance
    assert cell_to_role("Customer Name") is None
    assert header_to_roles(["Date", "Ref", "Text", "Debit", "Credit", "Balance"]) == [
        ColumnRole.date,
        ColumnRole.reference,
        ColumnRole.description,
        ColumnRole.debit,
        ColumnRole.credit,
        ColumnRole.balance,
    ]
    assert is_header_row(["Date", "Document No", "Details", "Amount"])
    assert not is_header_row(["Statement Date", "30/09/2026"])
    assert not is_header_row(["03/09/2026", "INV-1", "Invoice", "100.00"])


def test_markers() -> None:
    assert classify_marker("Balance brought forward") is RowKind.opening
    assert classify_marker("Balance b/f") is RowKind.opening
    assert classify_marker("Carried forward") is RowKind.carried
    assert classify_marker("Page subtotal") is RowKind.subtotal
    assert classify_marker("Total") is RowKind.subtotal
    assert classify_marker("Closing balance") is RowKind.closing
    assert classify_marker("Invoice 123 goods") is None


def test_signed_amount_table_with_title_rows_continuations_and_totals() -> None:
    result = rows_to_lines(
        rows(
            ("Statement of account",),
            ("Date", "Reference", "Description", "Amount", "Balance"),
            ("01/09/2026", "", "Balance brought forward", "", "1,000.00"),
            ("03/09/2026", "INV-0012345", "Bearings 6204", "1,234.56", "2,234.56"),
            ("", "", "delivered to plant 2", "", ""),
            ("15/09/2026", "PMT-4411", "Payment - thank you", "(1,000.00)", "1,234.56"),
            ("", "", "Page subtotal", "234.56", ""),
            ("", "", "Carried forward", "", "1,234.56"),
            ("Date", "Reference", "Description", "Amount", "Balance"),
            ("", "", "Brought forward", "", "1,234.56"),
            ("20/09/2026", "CN-0000077", "Credit note - damaged", "34.56 CR", "1,200.00"),
            ("", "", "Closing balance", "", "1,200.00"),
        )
    )
    assert [(ln.date, ln.reference, ln.description, ln.amount, ln.balance) for ln in result.lines] == [
        (
            dt.date(2026, 9, 3),
            "INV-0012345",
            "Bearings 6204 delivered to plant 2",
            D("1234.56"),
            D("2234.56"),
        ),
        (dt.date(2026, 9, 15), "PMT-4411", "Payment - thank you", D("-1000.00"), D("1234.56")),
        (dt.date(2026, 9, 20), "CN-0000077", "Credit note - damaged", D("-34.56"), D("1200.00")),
    ]
    assert result.opening_balance == D("1000.00")
    assert result.closing_balance == D("1200.00")
    assert not result.payables_side
    assert result.warnings == ()
    assert all(ln.confidence == 1.0 for ln in result.lines)


def test_debit_credit_columns_receivable_side() -> None:
    result = rows_to_lines(
        rows(
            ("Posting Date", "Doc. No.", "Type", "Text", "Debit", "Credit", "Balance"),
            ("02.09.2026", "90001234", "INV", "Invoice", "1.500,00", "", "1.500,00"),
            ("14.09.2026", "1400022", "PMT", "Zahlung / payment", "", "500,00", "1.000,00"),
        )
    )
    assert [(ln.reference, ln.amount, ln.balance) for ln in result.lines] == [
        ("90001234", D("1500.00"), D("1500.00")),
        ("1400022", D("-500.00"), D("1000.00")),
    ]
    assert result.date_order.value == "dmy"


def test_payables_side_debit_credit_is_flipped_with_a_warning() -> None:
    # The customer's AP ledger: our invoices are credits, their payments debits, balance negative.
    result = rows_to_lines(
        rows(
            ("Date", "Your Ref", "Our Ref", "Details", "Debit", "Credit", "Balance"),
            ("09/03/2026", "INV-100", "VI-553311", "Invoice INV-100", "", "2,000.00", "-2,000.00"),
            ("09/17/2026", "", "PAY-8812", "Payment PAY-8812", "1,500.00", "", "-500.00"),
            ("09/20/2026", "CN-7", "VI-553390", "Credit note CN-7", "100.00", "", "-400.00"),
        ),
        context_text="Balance due to Northwind Components Ltd",
    )
    assert result.payables_side
    assert [(ln.date, ln.reference, ln.other_references, ln.amount, ln.balance) for ln in result.lines] == [
        (dt.date(2026, 9, 3), "INV-100", ["VI-553311"], D("2000.00"), D("2000.00")),
        (dt.date(2026, 9, 17), "PAY-8812", [], D("-1500.00"), D("500.00")),
        (dt.date(2026, 9, 20), "CN-7", ["VI-553390"], D("-100.00"), D("400.00")),
    ]
    assert any("payables side" in w for w in result.warnings)


def test_payables_side_signed_amounts_flipped_by_line_signs() -> None:
    result = rows_to_lines(
        rows(
            ("Doc Date", "Invoice No", "Description", "Amount"),
            ("2026-09-03", "12345", "Invoice 12345", "-980.00"),
            ("2026-09-10", "12351", "Invoice 12351", "-20.00"),
            ("2026-09-12", "PMT-1", "Payment", "500.00"),
        )
    )
    assert result.payables_side
    assert [ln.amount for ln in result.lines] == [D("980.00"), D("20.00"), D("-500.00")]
    assert [ln.balance for ln in result.lines] == [None, None, None]


def test_running_balance_mismatch_lowers_confidence_and_names_the_line() -> None:
    result = rows_to_lines(
        rows(
            ("Date", "Ref", "Description", "Amount", "Balance"),
            ("01/09/2026", "INV-1", "Invoice", "100.00", "100.00"),
            ("02/09/2026", "INV-2", "Invoice", "50.00", "160.00"),
            ("03/09/2026", "INV-3", "Invoice", "40.00", "200.00"),
        )
    )
    assert [ln.confidence for ln in result.lines] == [1.0, 0.6, 1.0]
    assert result.warnings == (
        "line 2 (INV-2, page None): running balance 160.00 != previous 100.00 + amount 50.00",
    )


def test_several_references_pick_the_supplier_document_number() -> None:
    result = rows_to_lines(
        rows(
            ("Date", "PO", "Invoice No", "Document No", "Description", "Amount"),
            ("13/09/2026", "PO-55121", "INV-0012345", "VCH-9", "Goods", "10.00"),
        )
    )
    line = result.lines[0]
    assert line.reference == "INV-0012345"
    assert line.other_references == ["PO-55121", "VCH-9"]


def test_rows_without_boxes_of_another_width_align_by_index_and_rows_before_header_stay_outside() -> None:
    result = rows_to_lines(
        rows(
            ("Customer:", "ACME Ltd"),
            ("Date", "Ref", "Description", "Amount"),
            ("01/09/2026", "INV-1", "Invoice", "100.00"),
            ("Total", "", "", "100.00", ""),
        )
    )
    assert [ln.amount for ln in result.lines] == [D("100.00")]
    # rows before the header and totals rows go to the header block
    assert [[c.text for c in r.cells] for r in result.rows_outside] == [
        ["Customer:", "ACME Ltd"],
        ["Total", "", "", "100.00", ""],
    ]


def test_rows_with_boxes_map_by_position_when_widths_differ() -> None:
    header = SourceRow(
        cells=(
            Cell("Date", (10, 0, 50, 10)),
            Cell("Ref", (60, 0, 100, 10)),
            Cell("Description", (110, 0, 300, 10)),
            Cell("Amount", (310, 0, 360, 10)),
        ),
        page=1,
    )
    line = SourceRow(
        cells=(
            Cell("01/09/2026", (10, 20, 50, 30)),
            Cell("INV-1", (60, 20, 90, 30)),
            Cell("9.99", (320, 20, 360, 30)),
        ),
        page=2,
    )
    result = rows_to_lines([header, line])
    assert [(ln.reference, ln.amount, ln.page, ln.bbox) for ln in result.lines] == [
        ("INV-1", D("9.99"), 2, (10, 20, 360, 30))
    ]


def test_low_cell_confidence_flows_into_the_line() -> None:
    row = SourceRow(cells=(Cell("01/09/2026"), Cell("INV-1", conf=0.7), Cell("9.99", conf=0.9)), page=1)
    result = rows_to_lines([*rows(("Date", "Ref", "Amount")), row])
    line = result.lines[0]
    assert line.confidence == 0.7
    assert line.field_confidence == {"date": 1.0, "reference": 0.7, "amount": 0.9}


def test_dr_cr_indicator_column_signs_an_unsigned_amount() -> None:
    result = rows_to_lines(
        rows(
            ("Date", "Document", "Text", "Amount", "Dr/Cr"),
            ("01.09.2026", "INV-1", "Rechnung", "100,00", "Dr"),
            ("05.09.2026", "PMT-1", "Zahlung", "40,00", "Cr"),
        )
    )
    assert [ln.amount for ln in result.lines] == [D("100.00"), D("-40.00")]


def test_misspelt_ocr_headers_still_map() -> None:
    assert cell_to_role("Descrlption") is ColumnRole.description
    assert cell_to_role("Ba1ance") is ColumnRole.balance
    assert cell_to_role("Totally unrelated") is None


def _boxed(texts: tuple[str, ...], top: float, page: int = 1) -> SourceRow:
    """A PDF-like row: cells 100 pt wide side by side at ``top``, 10 pt tall."""
    return SourceRow(
        cells=tuple(Cell(t, (100.0 * i, top, 100.0 * i + 90, top + 10)) for i, t in enumerate(texts)),
        page=page,
    )


def test_an_ageing_summary_and_a_distant_note_under_the_table_are_not_lines() -> None:
    result = rows_to_lines(
        [
            _boxed(("Date", "Ref", "Description", "Amount"), 100),
            _boxed(("01/09/2026", "INV-1", "Bearings", "100.00"), 114),
            _boxed(("", "", "delivered to plant 2", ""), 126),
            _boxed(("", "", "Thank you for your business", ""), 300),
            _boxed(("Current", "1-30 days", "31-60 days", "Over 60"), 330),
            _boxed(("100.00", "0.00", "0.00", "0.00"), 344),
        ]
    )
    assert [(ln.description, ln.amount) for ln in result.lines] == [
        ("Bearings delivered to plant 2", D("100.00"))
    ]
    assert [r.cells[0].text for r in result.rows_outside] == ["", "Current", "100.00"]


def test_side_of_the_books_decisions() -> None:
    from extract.signs import balance_sign, payables_side

    assert payables_side(-3, "", []) == (True, "invoices printed as credits or payments as debits")
    assert payables_side(2, "Balance due to Northwind", []) == (False, "")
    assert payables_side(0, "Balance due to Northwind Components Ltd", []) == (
        True,
        "its wording ('balance due to' the supplier)",
    )
    negative = [D("-100.00"), D("-250.00")]
    assert payables_side(0, "VENDOR STATEMENT", negative)[0]
    assert not payables_side(0, "VENDOR STATEMENT", [D("100.00"), D("250.00")])[0]
    assert not payables_side(0, "Statement of account", negative)[0]
    assert balance_sign([D("-100.00"), D("-250.00")], [D("100.00"), D("150.00")]) == D(-1)
    assert balance_sign([D("100.00"), D("250.00")], [D("100.00"), D("150.00")]) == D(1)


_WORDINGS = ("carried forward", "Balance C/F", "b/f", "TOTAL:", "Saldovortrag", "Schlußsaldo", "ſub-total")


@given(st.text(alphabet=st.sampled_from("abcdeforwtlBCDFOTW /:-\u212aſİßé12"), max_size=20)
       | st.sampled_from(_WORDINGS))
def test_wording_finds_what_ignorecase_finds(text: str) -> None:
    """Lower-cased ASCII search (and re.I on other text) answers exactly as re.IGNORECASE does."""
    pattern = r"(\bcarried\s+forward|\bb/f\b|^\s*totals?\b|\btotal\s*(:|$)|saldo|sub-?total|\bk)"
    assert Wording(pattern).search(text) == bool(re.compile(pattern, re.I).search(text))
