"""Writes our AR ledger for one customer as an ERP would export it (SAP, Business Central, NetSuite...).

Every export holds an opening-balance line plus all postings of the period (payments included),
so that the sum of its amounts is the account balance at the export date. Signs are as AR
exports print them: invoices positive, payments and credit notes negative (or Debit / Credit).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter

from samples.documents import CREATED, Party
from samples.notation import amount_to_text, date_to_text
from samples.truth import Posting

Cell = str | Decimal | dt.date | None


@dataclass(frozen=True)
class Entry:
    """One ledger row before formatting: the opening line or a posting."""

    date: dt.date
    ref: str
    kind: str
    description: str
    amount: Decimal
    external_ref: str


@dataclass(frozen=True)
class LedgerFormat:
    """One ERP's export: headers, how a row fills them, and the CSV notations."""

    headers: tuple[str, ...]
    cells: Callable[[Entry, Party], list[Cell]]
    dates: str = "dmy_dot"
    amounts: str = "us:minus"
    grouping: bool = True
    delimiter: str = ","
    title: Callable[[Party], list[list[str]]] | None = None
    total_label: str = ""


def _signed(e: Entry) -> Decimal:
    return e.amount


def _debit(e: Entry) -> Decimal | None:
    return e.amount if e.amount > 0 else None


def _credit(e: Entry) -> Decimal | None:
    return -e.amount if e.amount < 0 else None


SAP_TYPES = {"opening": "AB", "invoice": "RV", "credit_note": "DG", "debit_note": "DR", "payment": "DZ"}
BC_TYPES = {"opening": "", "invoice": "Invoice", "credit_note": "Credit Memo",
            "debit_note": "Finance Charge Memo", "payment": "Payment"}
NETSUITE_TYPES = {"opening": "Journal", "invoice": "Invoice", "credit_note": "Credit Memo",
                  "debit_note": "Invoice", "payment": "Payment"}
QUICKBOOKS_TYPES = {"opening": "Journal Entry", "invoice": "Invoice", "credit_note": "Credit Memo",
                    "debit_note": "Statement Charge", "payment": "Payment"}
XERO_TYPES = {"opening": "Manual Journal", "invoice": "Receivable Invoice",
              "credit_note": "Receivable Credit Note", "debit_note": "Receivable Invoice",
              "payment": "Receivable Payment"}
GENERIC_TYPES = {"opening": "OB", "invoice": "INV", "credit_note": "CRN", "debit_note": "DRN",
                 "payment": "RCT"}


def _quickbooks_title(party: Party) -> list[list[str]]:
    return [["Northwind Components Ltd"], ["Customer Balance Detail"], ["All Dates"], [party.name]]


SAP_HEADERS = ("Posting Date", "Document Number", "Document Type", "Reference", "Text", "Amount in LC",
               "Currency")


def _sap_cells(e: Entry, p: Party) -> list[Cell]:
    return [e.date, e.ref, SAP_TYPES[e.kind], e.external_ref, e.description, _signed(e), p.currency]


FORMATS: dict[str, LedgerFormat] = {
    # SAP FBL5N customer line items, exported from the list (English user settings).
    "sap_fbl5n": LedgerFormat(
        SAP_HEADERS, _sap_cells, dates="dmy_dot", amounts="us:minus"),
    # The same from a German SAP GUI: `;` separators, 1.234,56- amounts.
    "sap_fbl5n_de": LedgerFormat(
        SAP_HEADERS, _sap_cells, dates="dmy_dot", amounts="eu:trailing", delimiter=";"),
    # Dynamics 365 Business Central, Customer Ledger Entries.
    "business_central": LedgerFormat(
        ("Posting Date", "Document Type", "Document No.", "External Document No.", "Customer No.",
         "Description", "Currency Code", "Amount"),
        lambda e, p: [e.date, BC_TYPES[e.kind], e.ref, e.external_ref, p.account, e.description,
                      p.currency, _signed(e)],
        dates="dmy_slash", amounts="us:minus", grouping=False),
    # NetSuite saved search of customer transactions.
    "netsuite": LedgerFormat(
        ("Date", "Type", "Document Number", "Name", "Memo", "PO/Check Number", "Amount", "Currency"),
        lambda e, p: [e.date, NETSUITE_TYPES[e.kind], e.ref, p.name, e.description, e.external_ref,
                      _signed(e), p.currency],
        dates="mdy_slash", amounts="us:minus", grouping=False),
    # QuickBooks Online "Customer Balance Detail" report, exported.
    "quickbooks": LedgerFormat(
        ("Date", "Transaction Type", "Num", "Memo/Description", "Amount", "Balance"),
        lambda e, p: [e.date, QUICKBOOKS_TYPES[e.kind], e.ref, e.description, _signed(e), None],
        dates="mdy_slash", amounts="us:minus", title=_quickbooks_title,
        total_label="Total for {name}"),
    # Xero receivables export.
    "xero": LedgerFormat(
        ("Date", "Source", "Invoice Number", "Reference", "Description", "Gross", "Currency"),
        lambda e, p: [e.date, XERO_TYPES[e.kind], e.ref, e.external_ref, e.description, _signed(e),
                      p.currency],
        dates="d_mon_y", amounts="us:minus", grouping=False),
    # A home-grown ERP: Debit / Credit / Balance columns.
    "generic": LedgerFormat(
        ("Date", "Doc No", "Type", "Description", "Debit", "Credit", "Balance"),
        lambda e, p: [e.date, e.ref, GENERIC_TYPES[e.kind], e.description, _debit(e), _credit(e), None],
        dates="dmy_slash", amounts="us:minus"),
}


def postings_to_entries(postings: Sequence[Posting], party: Party, start: dt.date) -> list[Entry]:
    """The opening-balance line dated ``start`` followed by the postings, in export order."""
    entries = [Entry(start, "", "opening", "Opening balance", party.opening, "")]
    entries += [Entry(p.date, p.ref, p.kind, p.description, p.amount, p.external_ref) for p in postings]
    return entries


def _with_balances(fmt: LedgerFormat, entries: Sequence[Entry], party: Party) -> list[list[Cell]]:
    """Rows of cells, the running balance filled where the format has a Balance column."""
    rows = []
    balance = Decimal("0.00")
    for entry in entries:
        balance += entry.amount
        cells = fmt.cells(entry, party)
        if "Balance" in fmt.headers:
            cells[fmt.headers.index("Balance")] = balance
        rows.append(cells)
    return rows


def _cell_text(value: Cell, fmt: LedgerFormat) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if not fmt.grouping:
            return f"{value:.2f}"
        return amount_to_text(value, fmt.amounts)
    if isinstance(value, dt.date):
        return date_to_text(value, fmt.dates)
    return value


def entries_to_csv(name: str, entries: Sequence[Entry], party: Party) -> bytes:
    """The ledger export in format ``name`` as CSV bytes."""
    fmt = FORMATS[name]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=fmt.delimiter, lineterminator="\r\n")
    if fmt.title:
        writer.writerows(fmt.title(party))
    writer.writerow(fmt.headers)
    rows = _with_balances(fmt, entries, party)
    for row in rows:
        writer.writerow([_cell_text(c, fmt) for c in row])
    if fmt.total_label:
        total = sum((e.amount for e in entries), Decimal("0.00"))
        writer.writerow([fmt.total_label.format(name=party.name), "", "", "",
                         _cell_text(total, fmt), ""])
    return out.getvalue().encode("utf-8")


def entries_to_xlsx(name: str, entries: Sequence[Entry], party: Party) -> bytes:
    """The ledger export in format ``name`` as XLSX bytes: real dates and numbers, as ERPs export."""
    fmt = FORMATS[name]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": CREATED, "author": "Northwind Components Ltd"})
    sheet = book.add_worksheet("Ledger")
    bold = book.add_format({"bold": True})
    money_fmt = book.add_format({"num_format": "#,##0.00"})
    date_fmt = book.add_format({"num_format": "mm/dd/yyyy" if fmt.dates == "mdy_slash" else "dd/mm/yyyy"})
    top = 0
    if fmt.title:
        for r, title in enumerate(fmt.title(party)):
            sheet.write_row(r, 0, title, bold if r < 2 else None)
        top = len(fmt.title(party))
    sheet.write_row(top, 0, fmt.headers, bold)
    rows = _with_balances(fmt, entries, party)
    for r, cells in enumerate(rows, start=top + 1):
        for c, value in enumerate(cells):
            if isinstance(value, Decimal):
                # XLSX stores numbers as binary doubles: this float is the file format, not our math.
                sheet.write_number(r, c, float(value), money_fmt)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif value:
                sheet.write_string(r, c, value)
    if fmt.total_label:
        r = top + len(rows) + 1
        total = sum((e.amount for e in entries), Decimal("0.00"))
        sheet.write_string(r, 0, fmt.total_label.format(name=party.name), bold)
        sheet.write_number(r, fmt.headers.index("Amount"), float(total), money_fmt)
    sheet.set_column(0, len(fmt.headers) - 1, 16)
    book.close()
    return buffer.getvalue()
