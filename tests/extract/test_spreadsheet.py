"""XLSX and CSV statements through the shared rows -> lines path."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from extract import statement_from_bytes
from extract.spreadsheet import csv_to_rows, sniff_delimiter, value_to_text
from models.errors import NoStatementFoundError, UnreadableDocumentError


def _xlsx(rows: list[list[object]]) -> bytes:
    """An XLSX workbook with one sheet holding ``rows`` (None = empty cell)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_value_to_text_never_goes_through_binary_float_noise() -> None:
    assert value_to_text(1234.56) == "1234.56"
    assert value_to_text(0.1 + 0.2) == "0.30000000000000004"  # what the file stores, verbatim
    assert value_to_text(-1500) == "-1500"
    assert value_to_text(dt.datetime(2026, 9, 3)) == "2026-09-03"
    assert value_to_text(None) == ""
    assert value_to_text("  INV-1 \n") == "INV-1"


def test_xlsx_numeric_and_date_cells_with_title_rows_and_totals() -> None:
    data = _xlsx(
        [
            ["STATEMENT OF ACCOUNT"],
            ["Customer", "Bolt & Nut GmbH"],
            ["Account No", "C-20417"],
            ["Statement Date", dt.datetime(2026, 9, 30)],
            ["Currency", "EUR"],
            [],
            ["Date", "Document No", "Description", "Debit", "Credit", "Balance"],
            [dt.datetime(2026, 9, 2), "INV-0012001", "Bearings", 1234.56, None, 1234.56],
            [dt.datetime(2026, 9, 18), "PMT-7781", "Payment", None, 234.56, 1000],
            [],
            ["Closing balance", None, None, None, None, 1000],
        ]
    )
    statement = statement_from_bytes(data, "bolt.xlsx")
    assert statement.source.form == "xlsx"
    assert statement.customer.name == "Bolt & Nut GmbH"
    assert statement.customer.account == "C-20417"
    assert statement.statement_date == dt.date(2026, 9, 30)
    assert statement.currency == "EUR"
    assert statement.opening_balance == Decimal("0.00")
    assert statement.closing_balance == Decimal("1000.00")
    assert [(ln.date, ln.reference, ln.amount, ln.balance, ln.page) for ln in statement.lines] == [
        (dt.date(2026, 9, 2), "INV-0012001", Decimal("1234.56"), Decimal("1234.56"), None),
        (dt.date(2026, 9, 18), "PMT-7781", Decimal("-234.56"), Decimal("1000.00"), None),
    ]
    assert statement.warnings == []


def test_xlsx_text_cells_with_us_dates() -> None:
    data = _xlsx(
        [
            ["Date", "Invoice No", "Details", "Amount"],
            ["09/03/2026", "INV-1", "Goods", "$1,000.00"],
            ["09/21/2026", "PMT-2", "Payment", "($400.00)"],
        ]
    )
    statement = statement_from_bytes(data, "t.xlsx")
    assert [(ln.date, ln.amount) for ln in statement.lines] == [
        (dt.date(2026, 9, 3), Decimal("1000.00")),
        (dt.date(2026, 9, 21), Decimal("-400.00")),
    ]
    assert statement.currency == "USD"


def test_formula_only_workbook_is_a_clear_error() -> None:
    data = _xlsx([["Date", "Ref", "Amount"], ["=TODAY()", "=A1", "=1+1"], ["=TODAY()", "=A1", "=SUM(C2)"]])
    with pytest.raises(UnreadableDocumentError, match="formula cells have no cached values"):
        statement_from_bytes(data, "formulas.xlsx")


def test_empty_workbook_is_a_clear_error() -> None:
    with pytest.raises(UnreadableDocumentError, match="the workbook is empty"):
        statement_from_bytes(_xlsx([]), "empty.xlsx")


def test_workbook_without_a_statement_table() -> None:
    with pytest.raises(NoStatementFoundError):
        statement_from_bytes(_xlsx([["hello", "world"], ["just", "text"]]), "notes.xlsx")


def test_csv_semicolon_european_cp1252_with_title_and_totals() -> None:
    text = (
        "Kontoauszug / Statement;;;;\r\n"
        "Customer: Müller Maschinenbau AG;;;;\r\n"
        "Account No: 4711-22;;;;\r\n"
        "Statement date: 30.09.2026;;;;\r\n"
        ";;;;\r\n"
        "Datum;Beleg;Text;Betrag;Saldo\r\n"
        "01.09.2026;;Saldovortrag;;10.000,00\r\n"
        "04.09.2026;INV-0088;Rechnung Lager;1.234,56 €;11.234,56\r\n"
        "22.09.2026;PMT-1;Zahlung;-10.000,00 €;1.234,56\r\n"
        "Total;;;;1.234,56\r\n"
    )
    statement = statement_from_bytes(text.encode("cp1252"), "mueller.csv")
    assert statement.source.form == "csv"
    assert statement.customer.name == "Müller Maschinenbau AG"
    assert statement.customer.account == "4711-22"
    assert statement.statement_date == dt.date(2026, 9, 30)
    assert statement.currency == "EUR"
    assert statement.opening_balance == Decimal("10000.00")
    assert statement.closing_balance == Decimal("1234.56")
    assert [(ln.date, ln.reference, ln.description, ln.amount) for ln in statement.lines] == [
        (dt.date(2026, 9, 4), "INV-0088", "Rechnung Lager", Decimal("1234.56")),
        (dt.date(2026, 9, 22), "PMT-1", "Zahlung", Decimal("-10000.00")),
    ]


def test_csv_delimiters_and_bom() -> None:
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert sniff_delimiter('Title\n"Date","Ref","Amount"\n"1,2","x","3"\n') == ","
    assert sniff_delimiter("Title\nDate;Ref;Amount\n01.09.2026;x;1,50\n") == ";"
    data = '\ufeffDate,Ref,Amount\n2026-09-01,INV-1,"1,000.00"\n'.encode()
    assert [[c.text for c in r.cells] for r in csv_to_rows(data)] == [
        ["Date", "Ref", "Amount"],
        ["2026-09-01", "INV-1", "1,000.00"],
    ]
