"""AR ledger exports (CSV or XLSX from SAP, Business Central, NetSuite, QuickBooks, Xero...) -> Ledger.

Headers are mapped automatically (reconcile.ledger_fields.HEADER_SYNONYMS) or by an explicit
``columns`` mapping {field: header}; amounts end up on the receivable side (+ invoice, - payment).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal

from models.errors import LedgerFormatError
from models.ledger import Ledger, LedgerEntry
from reconcile.ledger_fields import (
    CENT,
    HEADER_SYNONYMS,
    dayfirst_of,
    decimal_comma_of,
    document_type_to_kind,
    headers_to_columns,
    normalize_header,
    parse_amount,
    parse_date,
)

HEADER_SEARCH_ROWS = 30
ZERO = Decimal("0.00")


def parse_ledger_columns(text: str) -> dict[str, str]:
    """``"date=Posting Date,reference=Document Number"`` -> {field: header}; fields are checked."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        field, sep, header = part.partition("=")
        field = field.strip()
        if not sep or not header.strip():
            raise LedgerFormatError(f"--ledger-columns: expected field=Header, got {part.strip()!r}")
        if field not in HEADER_SYNONYMS:
            raise LedgerFormatError(
                f"--ledger-columns: unknown field {field!r}; known: {', '.join(HEADER_SYNONYMS)}"
            )
        mapping[field] = header.strip()
    return mapping


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # A numeric XLSX cell: repr gives the shortest exact decimal text of the stored double.
        return repr(value)
    return str(value).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise LedgerFormatError("ledger CSV is neither UTF-8 nor Windows-1252 text")
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl  # heavy-ish; only needed for XLSX ledgers

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for corrupt files
        raise LedgerFormatError(f"ledger XLSX cannot be read: {exc}") from exc
    try:
        best: list[list[str]] = []
        for sheet in workbook.worksheets:
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            if _find_header(rows, None) is not None:
                return rows
            best = best or rows
        return best
    finally:
        workbook.close()


def _find_header(rows: Sequence[Sequence[str]], explicit: Mapping[str, str] | None) -> int | None:
    """The header row: the first naming an amount (or debit and credit) and a reference or a date."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if explicit:
            names = {normalize_header(c) for c in row}
            if all(normalize_header(h) in names for h in explicit.values()):
                return index
            continue
        columns = headers_to_columns(row)
        has_amount = "amount" in columns or ("debit" in columns and "credit" in columns)
        if has_amount and ("reference" in columns or "date" in columns):
            return index
    return None


def _explicit_columns(header: Sequence[str], explicit: Mapping[str, str]) -> dict[str, int]:
    normalized = [normalize_header(h) for h in header]
    columns: dict[str, int] = {}
    for field, name in explicit.items():
        if field not in HEADER_SYNONYMS:
            raise LedgerFormatError(f"unknown ledger field {field!r}; known: {', '.join(HEADER_SYNONYMS)}")
        want = normalize_header(name)
        hits = [i for i, h in enumerate(normalized) if h == want]
        if not hits:
            raise LedgerFormatError(
                f"ledger column {name!r} for {field} not found; found: {', '.join(header)}"
            )
        if len(hits) > 1:
            raise LedgerFormatError(f"ledger column {name!r} for {field} appears {len(hits)} times")
        columns[field] = hits[0]
    return columns


def _map_columns(rows: list[list[str]], explicit: Mapping[str, str] | None) -> tuple[int, dict[str, int]]:
    header_index = _find_header(rows, explicit)
    if header_index is None:
        first = next((row for row in rows if any(c.strip() for c in row)), [])
        found = ", ".join(c for c in first if c.strip()) or "nothing"
        if explicit:
            raise LedgerFormatError(
                f"ledger header with columns {', '.join(explicit.values())} not found; first row: {found}"
            )
        raise LedgerFormatError(
            "ledger columns not recognized: missing an amount (or debit and credit) column together "
            f"with a reference or date column; found: {found}. Map them with --ledger-columns "
            "date=...,reference=...,amount=..."
        )
    header = rows[header_index]
    columns = headers_to_columns(header)
    normalized = [normalize_header(h) for h in header]
    for field, index in columns.items():
        if normalized.count(normalized[index]) > 1 and not (explicit and field in explicit):
            raise LedgerFormatError(
                f"ledger column {header[index]!r} ({field}) is ambiguous: it appears "
                f"{normalized.count(normalized[index])} times; name one with --ledger-columns {field}=..."
            )
    if explicit:
        columns = {k: v for k, v in columns.items() if v not in _explicit_columns(header, explicit).values()}
        columns.update(_explicit_columns(header, explicit))
    missing = [f for f in ("date", "reference") if f not in columns]
    if "amount" not in columns and not ("debit" in columns and "credit" in columns):
        missing.append("amount (or debit and credit)")
    if missing:
        found = ", ".join(h for h in header if h.strip())
        raise LedgerFormatError(f"ledger column(s) missing: {', '.join(missing)}; found: {found}")
    if "amount" in columns and "debit" in columns and "credit" in columns and not explicit:
        # Both a signed amount and debit/credit columns: the signed one is authoritative.
        del columns["debit"], columns["credit"]
    return header_index, columns


def _cell(row: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def rows_to_ledger(rows: list[list[str]], columns: Mapping[str, str] | None = None) -> Ledger:
    """Table rows of an export (header somewhere in the first rows) -> Ledger on the receivable side."""
    header_index, cols = _map_columns(rows, columns)
    body = [(header_index + 2 + i, row) for i, row in enumerate(rows[header_index + 1 :])]
    money_fields = [f for f in ("amount", "debit", "credit") if f in cols]
    money_text = [_cell(row, cols[f]) for _, row in body for f in money_fields]
    comma = decimal_comma_of(t for t in money_text if t)
    dayfirst = dayfirst_of(_cell(row, cols["date"]) for _, row in body)
    warnings: list[str] = []
    entries: list[LedgerEntry] = []
    kinds_negative = kinds_positive = 0
    for number, row in body:
        if not any(c.strip() for c in row):
            continue
        reference = _cell(row, cols.get("reference")) or None
        date_text = _cell(row, cols["date"])
        try:
            if "amount" in cols:
                amount = parse_amount(_cell(row, cols["amount"]), comma)
            else:
                debit = parse_amount(_cell(row, cols["debit"]), comma)
                credit = parse_amount(_cell(row, cols["credit"]), comma)
                amount = None if debit is None and credit is None else (debit or ZERO) - (credit or ZERO)
            date = parse_date(date_text, dayfirst)
        except ValueError as exc:
            if reference is None:
                # Totals and notes rows ("Total for Acme Ltd") carry no reference: not postings.
                shown = " ".join(c for c in row if c.strip())
                warnings.append(f"row {number} skipped (no reference, {exc}): {shown}")
                continue
            raise LedgerFormatError(f"ledger row {number}: {exc}") from exc
        if amount is None or (date is None and reference is None):
            # Totals, sub-totals and notes below or inside the table are not postings.
            warnings.append(f"row {number} skipped (no amount or no date and reference)")
            continue
        document_type = _cell(row, cols.get("document_type")) or None
        kind = document_type_to_kind(document_type)
        if kind == "invoice":
            kinds_positive += amount > 0
            kinds_negative += amount < 0
        other = _cell(row, cols.get("other_reference"))
        entries.append(
            LedgerEntry(
                date=date,
                reference=reference,
                description=_cell(row, cols.get("description")),
                amount=Decimal(amount).quantize(CENT),
                document_type=document_type,
                other_references=[other] if other and other != reference else [],
                currency=_cell(row, cols.get("currency")) or None,
                row=number,
            )
        )
    if kinds_negative > kinds_positive:
        # An export signed from the payables point of view: flip to the receivable side.
        warnings.append("invoices carry negative amounts: signs flipped to the receivable side")
        entries = [e.model_copy(update={"amount": -e.amount}) for e in entries]
    currencies = {e.currency for e in entries if e.currency}
    accounts = {_cell(row, cols.get("account")) for _, row in body} - {""}
    return Ledger(
        account=accounts.pop() if len(accounts) == 1 else None,
        currency=currencies.pop() if len(currencies) == 1 else None,
        entries=entries,
        warnings=warnings,
    )


def load_ledger(data: bytes, filename: str, columns: Mapping[str, str] | None = None) -> Ledger:
    """CSV or XLSX bytes of an AR ledger export -> Ledger; raises LedgerFormatError naming what is wrong."""
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise LedgerFormatError(f"{filename} is not an XLSX workbook")
    else:
        if b"\x00" in data[:1024]:
            raise LedgerFormatError(f"{filename} is neither CSV text nor an XLSX workbook")
        rows = _csv_rows(data)
    if not any(any(c.strip() for c in row) for row in rows):
        raise LedgerFormatError(f"{filename} is empty")
    return rows_to_ledger(rows, columns)
