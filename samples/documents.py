"""Prints one customer's statement (PDF, XLSX or CSV) and builds its truth as a NormalizedStatement.

The truth comes from the ``Account`` (never from reading the file back): amounts and balances on
the receivable side, whatever sign convention and notation the document prints them in.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter

from models import Customer, Form, NormalizedStatement, Source, StatementLine
from samples.notation import amount_to_text, date_to_text, unsigned_to_text
from samples.pdf_statement import Column, PdfLayout, Row, statement_to_pdf
from samples.truth import Line

SUPPLIER = ("Northwind Components Ltd", "Unit 4, Riverside Park", "Leeds LS10 1AB", "United Kingdom")
TYPE_CODES = {"opening_balance": "BAL", "invoice": "INV", "credit_note": "CN", "debit_note": "DN",
              "payment": "PMT", "adjustment": "ADJ"}
# Fixed so that regenerated spreadsheets are byte-identical.
CREATED = dt.datetime(2026, 10, 1, 8, 0, 0)


@dataclass(frozen=True)
class Party:
    """The customer as printed: name, our account number for them, address lines."""

    name: str
    account: str
    address: tuple[str, ...]
    currency: str
    statement_date: dt.date
    opening: Decimal


@dataclass(frozen=True)
class PrintSpec:
    """How one customer's statement is printed.

    ``columns`` are (header, key, width, align); keys: date, type, ref, our_ref, their_ref, desc,
    amount, debit, credit, balance. ``header`` / ``footer`` are (label, field) with field one of
    name, account, date, currency, opening, closing, or ``=literal``.
    """

    form: str
    columns: tuple[tuple[str, str, float, str], ...]
    dates: str = "dmy_slash"
    amounts: str = "us:minus"
    balances: str = ""
    symbol: str = ""
    payables: bool = False
    opening_row: str = ""
    type_names: dict[str, str] = field(default_factory=lambda: dict(TYPE_CODES))
    title: str = "STATEMENT OF ACCOUNT"
    header: tuple[tuple[str, str], ...] = ()
    footer: tuple[tuple[str, str], ...] = ()
    issued_by_customer: bool = True
    notes: tuple[str, ...] = ()
    # PDF only
    style: str = "grid"
    header_at: str = "right"
    page: str = "A4"
    font: str = "sans"
    size: float = 8.5
    lines_per_page: int = 44
    first_page_lines: int = 30
    page_subtotal: tuple[str, ...] = ()
    carry_key: str = ""
    # spreadsheets only
    numeric: bool = False
    delimiter: str = ","
    encoding: str = "utf-8"


@dataclass(frozen=True)
class PrintedLine:
    """A statement line with its running balance, ready to print (opening row included)."""

    line: Line
    balance: Decimal


def lines_to_printed(lines: Sequence[Line], party: Party, spec: PrintSpec) -> list[PrintedLine]:
    """Lines with running balances; the opening balance becomes the first line when printed as a row."""
    printed = []
    balance = party.opening
    if spec.opening_row:
        start = min((line.date for line in lines), default=party.statement_date).replace(day=1)
        opening = Line(start, None, (), spec.opening_row, party.opening, ("opening_balance",))
        printed.append(PrintedLine(opening, balance))
    for line in lines:
        balance += line.amount
        printed.append(PrintedLine(line, balance))
    return printed


def _shown(value: Decimal, spec: PrintSpec) -> Decimal:
    """The value in the document's own sign: a payables ledger books our invoices as credits."""
    return -value if spec.payables else value


def balance_text(value: Decimal, spec: PrintSpec) -> str:
    """A balance as the document prints it."""
    return amount_to_text(_shown(value, spec), spec.balances or spec.amounts, spec.symbol)


def type_name(tags: Sequence[str], spec: PrintSpec) -> str:
    """The document-type column text for a line's tags."""
    for tag, name in spec.type_names.items():
        if tag in tags:
            return name
    return ""


def line_cells(item: PrintedLine, spec: PrintSpec) -> dict[str, str]:
    """The printed text of every column for one line."""
    line = item.line
    shown = _shown(line.amount, spec)
    debit = unsigned_to_text(shown, spec.amounts, spec.symbol) if shown > 0 else ""
    credit = unsigned_to_text(shown, spec.amounts, spec.symbol) if shown < 0 else ""
    return {
        "date": date_to_text(line.date, spec.dates),
        "type": type_name(line.tags, spec),
        "ref": line.reference or "",
        "our_ref": line.our_ref or "",
        "their_ref": line.their_ref or "",
        "desc": line.description,
        "amount": amount_to_text(shown, spec.amounts, spec.symbol),
        "debit": debit,
        "credit": credit,
        "balance": balance_text(item.balance, spec),
    }


def field_text(name: str, party: Party, spec: PrintSpec, closing: Decimal) -> str:
    """The text of one header / footer field."""
    if name.startswith("="):
        return name[1:]
    values = {"name": party.name, "account": party.account, "currency": party.currency,
              "date": date_to_text(party.statement_date, spec.dates),
              "opening": balance_text(party.opening, spec), "closing": balance_text(closing, spec)}
    return values[name]


def printed_to_pdf(items: Sequence[PrintedLine], party: Party, spec: PrintSpec) -> tuple[bytes, list[int]]:
    """The statement as a digital PDF and the page of each printed line."""
    closing = items[-1].balance
    customer_block = (party.name, *party.address)
    layout = PdfLayout(
        style=spec.style,
        columns=tuple(Column(h, w, k, a) for h, k, w, a in spec.columns),
        title=spec.title,
        issuer=customer_block if spec.issued_by_customer else SUPPLIER,
        addressee=SUPPLIER if spec.issued_by_customer else customer_block,
        header=tuple((label, field_text(f, party, spec, closing)) for label, f in spec.header),
        header_at=spec.header_at,
        footer=tuple((label, field_text(f, party, spec, closing)) for label, f in spec.footer),
        notes=spec.notes, page=spec.page, font=spec.font, size=spec.size,
        lines_per_page=spec.lines_per_page, first_page_lines=spec.first_page_lines,
        page_subtotal=spec.page_subtotal, carry_key=spec.carry_key,
    )
    rows = [Row(line_cells(item, spec)) for item in items]
    balances = [balance_text(item.balance, spec) for item in items]

    def subtotal(indexes: list[int]) -> dict[str, str]:
        cells = {}
        for key in spec.page_subtotal:
            total = sum((_shown(items[i].line.amount, spec) for i in indexes), Decimal("0.00"))
            if key == "debit":
                total = sum((_shown(items[i].line.amount, spec) for i in indexes
                             if _shown(items[i].line.amount, spec) > 0), Decimal("0.00"))
                cells[key] = unsigned_to_text(total, spec.amounts, spec.symbol)
            elif key == "credit":
                total = sum((_shown(items[i].line.amount, spec) for i in indexes
                             if _shown(items[i].line.amount, spec) < 0), Decimal("0.00"))
                cells[key] = unsigned_to_text(total, spec.amounts, spec.symbol)
            else:
                cells[key] = amount_to_text(total, spec.amounts, spec.symbol)
        return cells

    return statement_to_pdf(layout, rows, balances, subtotal)


def _title_rows(party: Party, spec: PrintSpec, closing: Decimal) -> list[list[str]]:
    rows = [[spec.title]]
    rows += [[label, field_text(f, party, spec, closing)] for label, f in spec.header]
    return rows


def printed_to_csv(items: Sequence[PrintedLine], party: Party, spec: PrintSpec) -> bytes:
    """The statement as CSV: title lines, the table, a totals line."""
    closing = items[-1].balance
    out = io.StringIO()
    writer = csv.writer(out, delimiter=spec.delimiter, lineterminator="\r\n")
    for row in _title_rows(party, spec, closing):
        writer.writerow(row)
    writer.writerow([])
    writer.writerow([h for h, *_ in spec.columns])
    for item in items:
        cells = line_cells(item, spec)
        writer.writerow([cells[k] for _, k, *_ in spec.columns])
    for label, f in spec.footer:
        writer.writerow([label] + [""] * (len(spec.columns) - 2) + [field_text(f, party, spec, closing)])
    return out.getvalue().encode(spec.encoding)


def printed_to_xlsx(items: Sequence[PrintedLine], party: Party, spec: PrintSpec) -> bytes:
    """The statement as XLSX: title rows, the table, totals below; real numbers and dates if ``numeric``."""
    closing = items[-1].balance
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": CREATED, "author": party.name, "title": spec.title})
    sheet = book.add_worksheet("Statement")
    bold = book.add_format({"bold": True})
    money_fmt = book.add_format({"num_format": "#,##0.00;-#,##0.00"})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy" if spec.dates == "dmy_slash" else "mm/dd/yyyy"})
    for r, row in enumerate(_title_rows(party, spec, closing)):
        sheet.write_row(r, 0, row, bold if r == 0 else None)
    if spec.numeric:
        fields = [f for _, f in spec.header]
        sheet.write_datetime(1 + fields.index("date"), 1,
                             dt.datetime.combine(party.statement_date, dt.time()), date_fmt)
        if "opening" in fields:
            sheet.write_number(1 + fields.index("opening"), 1, float(_shown(party.opening, spec)), money_fmt)
    top = len(spec.header) + 2
    sheet.write_row(top, 0, [h for h, *_ in spec.columns], bold)
    for r, item in enumerate(items, start=top + 1):
        cells = line_cells(item, spec)
        shown = _shown(item.line.amount, spec)
        for c, (_, key, *_) in enumerate(spec.columns):
            if spec.numeric and key == "date":
                sheet.write_datetime(r, c, dt.datetime.combine(item.line.date, dt.time()), date_fmt)
            elif spec.numeric and key in ("amount", "debit", "credit", "balance"):
                # XLSX stores numbers as binary doubles: this float is the file format, not our math.
                value = {"amount": shown, "balance": _shown(item.balance, spec),
                         "debit": shown if shown > 0 else None,
                         "credit": -shown if shown < 0 else None}[key]
                if value is not None:
                    sheet.write_number(r, c, float(value), money_fmt)
            else:
                sheet.write_string(r, c, cells[key])
    last = top + len(items) + 2
    for i, (label, f) in enumerate(spec.footer):
        sheet.write_string(last + i, 0, label, bold)
        if spec.numeric:
            sheet.write_number(last + i, len(spec.columns) - 1, float(_shown(closing, spec)), money_fmt)
        else:
            sheet.write_string(last + i, len(spec.columns) - 1, field_text(f, party, spec, closing), bold)
    for c, (_, _, width, _) in enumerate(spec.columns):
        sheet.set_column(c, c, width / 5)
    book.close()
    return buffer.getvalue()


def statement_files(filename: str, lines: Sequence[Line], party: Party,
                    spec: PrintSpec) -> tuple[bytes, NormalizedStatement]:
    """The document bytes and their truth, for a statement whose lines and balances are known."""
    items = lines_to_printed(lines, party, spec)
    pages: list[int | None]
    if spec.form == "pdf":
        content, pdf_pages = printed_to_pdf(items, party, spec)
        pages, form = list(pdf_pages), Form.digital_pdf
    elif spec.form == "xlsx":
        content, pages, form = printed_to_xlsx(items, party, spec), [None] * len(items), Form.xlsx
    else:
        content, pages, form = printed_to_csv(items, party, spec), [None] * len(items), Form.csv
    has_balance = any(key == "balance" for _, key, *_ in spec.columns)
    truth = NormalizedStatement(
        source=Source(filename=filename, form=form, sha256=hashlib.sha256(content).hexdigest()),
        customer=Customer(name=party.name, account=party.account),
        statement_date=party.statement_date,
        currency=party.currency,
        opening_balance=party.opening,
        closing_balance=items[-1].balance,
        # A printed opening-balance row is no statement line: it is the opening balance above.
        lines=[StatementLine(date=item.line.date, reference=item.line.reference,
                             description=item.line.description, amount=item.line.amount,
                             balance=item.balance if has_balance else None,
                             other_references=list(item.line.other_references),
                             tags=list(item.line.tags), confidence=1.0, page=page, bbox=None)
               for item, page in zip(items, pages, strict=True)
               if "opening_balance" not in item.line.tags],
    )
    return content, truth
