"""Ledger loading: every common AR export, decimal and date formats, signs, and the format errors."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from models.errors import LedgerFormatError
from reconcile.ledger import load_ledger, parse_ledger_columns
from reconcile.ledger_fields import decimal_comma_of, parse_amount, parse_date

SAP_FBL5N = (
    "Customer;Posting Date;Document Number;Document Type;Reference;Text;Amount in LC;Currency\n"
    "100234;03.09.2026;0090012345;DR;PO-4411;Invoice 90012345;1.234,56;EUR\n"
    "100234;14.09.2026;1400000077;DZ;CHQ 5512;Payment received;-1.000,00;EUR\n"
    "100234;20.09.2026;0090012346;DR;;Frt chg;45,00;EUR\n"
)
BUSINESS_CENTRAL = (
    "Posting Date,Document Type,Document No.,External Document No.,Customer No.,Description,Amount,"
    "Remaining Amount\n"
    '09/03/2026,Invoice,SI-104233,PO 778,C0042,Order 778,"2,500.00","2,500.00"\n'
    '09/15/2026,Payment,PMT-2211,,C0042,Payment,"-2,500.00",0.00\n'
    "09/30/2026,Finance Charge Memo,FC-0007,,C0042,Late payment interest,12.40,12.40\n"
)
NETSUITE = (
    "Type,Date,Document Number,Name,Memo,Amount\n"
    "Invoice,2026-09-02,INV-0000451,Acme Ltd,Widgets,980.00\n"
    "Credit Memo,2026-09-12,CM-0000012,Acme Ltd,RMA-5567 returned goods,-120.00\n"
)
QUICKBOOKS = (
    "Transaction List by Customer\n"
    "Acme Ltd\n"
    "\n"
    "Date,Transaction Type,Num,Memo/Description,Amount\n"
    '09/03/2026,Invoice,1042,Consulting,"$1,200.00"\n'
    '09/21/2026,Payment,,Check 881,"($1,200.00)"\n'
    "Total for Acme Ltd,,,,$0.00\n"
)
XERO = (
    "Date,Source,Reference,Invoice Number,Description,Debit,Credit,Running Balance\n"
    "3 Sep 2026,Receivable Invoice,PO-1,INV-0042,Delivery,300.00,,300.00\n"
    "18 Sep 2026,Receivable Payment,,PAY-0042,Payment,,300.00,0.00\n"
)
GENERIC_DEBIT_CREDIT = (
    "date\treference\tdescription\tdebit\tcredit\n"
    "2026-09-01\tINV-1\tGoods\t100.00\t\n"
    "2026-09-09\tPMT-1\tReceipt\t\t40.50\n"
)


def _xlsx(rows: list[list[object]]) -> bytes:
    """An XLSX workbook with the given rows on its first sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_sap_fbl5n_with_german_decimals() -> None:
    ledger = load_ledger(SAP_FBL5N.encode(), "fbl5n.csv")
    assert [(e.date, e.reference, e.amount, e.document_type) for e in ledger.entries] == [
        (dt.date(2026, 9, 3), "0090012345", Decimal("1234.56"), "DR"),
        (dt.date(2026, 9, 14), "1400000077", Decimal("-1000.00"), "DZ"),
        (dt.date(2026, 9, 20), "0090012346", Decimal("45.00"), "DR"),
    ]
    assert ledger.entries[0].other_references == ["PO-4411"]
    assert ledger.entries[0].description == "Invoice 90012345"
    assert ledger.currency == "EUR"
    assert ledger.account == "100234"
    assert [e.row for e in ledger.entries] == [2, 3, 4]


def test_business_central_month_first_dates_and_external_document_no() -> None:
    ledger = load_ledger(BUSINESS_CENTRAL.encode(), "bc.csv")
    assert [(e.date, e.reference, e.amount) for e in ledger.entries] == [
        (dt.date(2026, 9, 3), "SI-104233", Decimal("2500.00")),
        (dt.date(2026, 9, 15), "PMT-2211", Decimal("-2500.00")),
        (dt.date(2026, 9, 30), "FC-0007", Decimal("12.40")),
    ]
    assert ledger.entries[0].other_references == ["PO 778"]
    assert ledger.entries[2].document_type == "Finance Charge Memo"


def test_netsuite() -> None:
    ledger = load_ledger(NETSUITE.encode(), "netsuite.csv")
    assert [(e.reference, e.amount, e.description) for e in ledger.entries] == [
        ("INV-0000451", Decimal("980.00"), "Widgets"),
        ("CM-0000012", Decimal("-120.00"), "RMA-5567 returned goods"),
    ]


def test_quickbooks_title_rows_symbols_parentheses_and_total_row() -> None:
    ledger = load_ledger(QUICKBOOKS.encode(), "qb.csv")
    assert [(e.date, e.reference, e.amount) for e in ledger.entries] == [
        (dt.date(2026, 9, 3), "1042", Decimal("1200.00")),
        (dt.date(2026, 9, 21), None, Decimal("-1200.00")),
    ]
    assert any("skipped" in w for w in ledger.warnings)


def test_xero_debit_credit_and_text_dates() -> None:
    ledger = load_ledger(XERO.encode(), "xero.csv")
    assert [(e.date, e.reference, e.amount, e.other_references) for e in ledger.entries] == [
        (dt.date(2026, 9, 3), "INV-0042", Decimal("300.00"), ["PO-1"]),
        (dt.date(2026, 9, 18), "PAY-0042", Decimal("-300.00"), []),
    ]


def test_generic_tab_separated_debit_credit() -> None:
    ledger = load_ledger(GENERIC_DEBIT_CREDIT.encode(), "generic.txt")
    assert [(e.reference, e.amount) for e in ledger.entries] == [
        ("INV-1", Decimal("100.00")),
        ("PMT-1", Decimal("-40.50")),
    ]


def test_xlsx_with_real_numbers_and_dates() -> None:
    data = _xlsx(
        [
            ["AR ledger export"],
            [],
            ["Posting Date", "Document No.", "Description", "Amount"],
            [dt.datetime(2026, 9, 3), "INV-7", "Goods", 1234.5],
            [dt.datetime(2026, 9, 4), "PMT-7", "Payment", -0.1],
        ]
    )
    ledger = load_ledger(data, "ledger.xlsx")
    assert [(e.date, e.reference, e.amount) for e in ledger.entries] == [
        (dt.date(2026, 9, 3), "INV-7", Decimal("1234.50")),
        (dt.date(2026, 9, 4), "PMT-7", Decimal("-0.10")),
    ]


def test_payables_signed_export_is_flipped_to_the_receivable_side() -> None:
    text = "Date,Document No,Type,Amount\n2026-09-01,INV-1,Invoice,-100.00\n2026-09-05,PMT-1,Payment,60.00\n"
    ledger = load_ledger(text.encode(), "flipped.csv")
    assert [e.amount for e in ledger.entries] == [Decimal("100.00"), Decimal("-60.00")]
    assert any("flipped" in w for w in ledger.warnings)


def test_explicit_columns_override_auto_mapping() -> None:
    text = "When,Doc,Value,Notes\n2026-09-01,A-1,10.00,x\n"
    with pytest.raises(LedgerFormatError, match="found: When, Doc, Value, Notes"):
        load_ledger(text.encode(), "odd.csv")
    columns = parse_ledger_columns("date=When,reference=Doc,amount=Value,description=Notes")
    ledger = load_ledger(text.encode(), "odd.csv", columns)
    assert [(e.date, e.reference, e.amount, e.description) for e in ledger.entries] == [
        (dt.date(2026, 9, 1), "A-1", Decimal("10.00"), "x")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Date,Description,Amount\n2026-09-01,x,1.00\n", "missing: reference"),
        ("Date,Reference,Amount,Amount\n2026-09-01,A,1.00,2.00\n", "ambiguous"),
        ("Date,Reference,Amount\n2026-09-01,A,lots\n", "row 2: not an amount"),
        ("Date,Reference,Amount\n2026-13-45,A,1.00\n", "row 2: not a date"),
        ("", "empty"),
    ],
)
def test_ledger_format_errors_name_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(LedgerFormatError, match=message):
        load_ledger(text.encode(), "bad.csv")


def test_not_a_workbook_and_bad_column_map() -> None:
    with pytest.raises(LedgerFormatError, match="not an XLSX"):
        load_ledger(b"plain text", "ledger.xlsx")
    with pytest.raises(LedgerFormatError, match="unknown field 'when'"):
        parse_ledger_columns("when=Date")
    with pytest.raises(LedgerFormatError, match="expected field=Header"):
        parse_ledger_columns("date")


@pytest.mark.parametrize(
    ("text", "comma", "amount"),
    [
        ("1,234.56", False, "1234.56"),
        ("(1,234.56)", False, "-1234.56"),
        ("1,234.56 CR", False, "-1234.56"),
        ("1.234,56-", True, "-1234.56"),
        ("-1 234,56", True, "-1234.56"),
        ("€ 1.234,56", True, "1234.56"),
        ("USD 12.5", False, "12.50"),
    ],
)
def test_parse_amount(text: str, comma: bool, amount: str) -> None:
    assert parse_amount(text, comma) == Decimal(amount)


def test_column_level_decisions() -> None:
    assert decimal_comma_of(["1.234,56", "12,00", "1.000"]) is True
    assert decimal_comma_of(["1,234.56", "12.00"]) is False
    assert parse_date("03/09/2026", dayfirst=True) == dt.date(2026, 9, 3)
    assert parse_date("03/09/2026", dayfirst=False) == dt.date(2026, 3, 9)
    assert parse_date("Sep 3, 2026") == dt.date(2026, 9, 3)
    assert parse_date("03-Sep-2026") == dt.date(2026, 9, 3)
