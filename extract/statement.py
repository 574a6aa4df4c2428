"""The extraction pipeline: bytes of one document -> ``NormalizedStatement``.

sniff the content -> reader (PDF: ``extract.pdf`` layout + ``extract.tables`` reconstruction;
XLSX / CSV: ``extract.spreadsheet``) -> visual table rows -> ``extract.lines.rows_to_lines``
(header mapping, continuation rows, brought/carried forward, signs, running balance) -> header
block (``extract.header``) -> totals check -> tagging step -> statement. OCR'd pages enter through
``tables_to_statement``, the same path digital PDF pages take.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from extract.amounts import DecimalConvention, currency_in_text
from extract.dates import DateOrder
from extract.header import HeaderBlock, text_lines_to_header
from extract.layout import Page, Table, Word
from extract.lines import LinesResult, SourceRow, payables_cue_in_text, rows_to_lines
from extract.sniff import Kind, extension_kind, sniff_kind
from models.errors import NoStatementFoundError, UnreadableDocumentError, UnsupportedFormatError
from models.statement import Customer, Form, NormalizedStatement, Source

__all__ = [
    "ExtractOptions",
    "pages_to_text_lines",
    "rows_to_statement",
    "statement_from_bytes",
    "statement_to_tagged_statement",
    "tables_to_statement",
]


@dataclass(frozen=True)
class ExtractOptions:
    """How to extract one document; the defaults infer everything from the document itself.

    ``max_pages`` bounds a PDF (more pages -> ResourceLimitError); ``date_order`` and
    ``decimal_convention`` override the per-document inference; ``locale`` (e.g. ``en_US``) breaks
    a day/month tie; ``tag`` runs the description tagger.
    """

    max_pages: int = 1000
    date_order: DateOrder | None = None
    decimal_convention: DecimalConvention | None = None
    locale: str | None = None
    tag: bool = True


# A word gap wider than this many line heights splits a text line into label / value segments.
SEGMENT_GAP_LINES = 1.5


def _inside(word: Word, boxes: Sequence[tuple[float, float, float, float]]) -> bool:
    cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return any(x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1 for x0, top, x1, bottom in boxes)


def words_to_text_lines(words: Iterable[Word]) -> list[str]:
    """Words grouped into visual lines (top to bottom), each split at wide gaps into segments."""
    ordered = sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0))
    rows: list[list[Word]] = []
    for word in ordered:
        if rows:
            last = rows[-1][-1]
            centre = (word.top + word.bottom) / 2
            if abs(centre - (last.top + last.bottom) / 2) <= max(2.0, (last.bottom - last.top) * 0.45):
                rows[-1].append(word)
                continue
        rows.append([word])
    lines: list[str] = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        height = max(w.bottom - w.top for w in row)
        segment: list[str] = [row[0].text]
        for prev, word in itertools.pairwise(row):
            if word.x0 - prev.x1 > max(12.0, SEGMENT_GAP_LINES * height):
                lines.append(" ".join(segment))
                segment = []
            segment.append(word.text)
        lines.append(" ".join(segment))
    return lines


def pages_to_text_lines(pages: Sequence[Page], tables: Sequence[Table]) -> list[str]:
    """The text of ``pages`` outside ``tables``, as line segments in reading order."""
    lines: list[str] = []
    for page in pages:
        boxes = [t.bbox for t in tables if t.page == page.number]
        lines.extend(words_to_text_lines(w for w in page.words if not _inside(w, boxes)))
    return lines


def _rows_to_text_lines(rows: Iterable[SourceRow]) -> list[str]:
    return [cell.text for row in rows for cell in row.cells if cell.text]


def _reconcile_sign(printed: Decimal | None, expected: Decimal | None, payables: bool) -> Decimal | None:
    """A header balance on the receivable side: the sign that agrees with the lines, else as printed."""
    if printed is None or expected is None:
        return printed
    if printed == expected or -printed != expected:
        return printed
    return -printed


def rows_to_statement(
    rows: Sequence[SourceRow],
    text_lines: Sequence[str],
    source: Source,
    options: ExtractOptions | None = None,
) -> NormalizedStatement:
    """A statement from a document's visual table rows and the text lines around them."""
    opts = options or ExtractOptions()
    context = "\n".join(text_lines)
    result: LinesResult = rows_to_lines(
        rows,
        context_text=context,
        convention=opts.decimal_convention,
        date_order=opts.date_order,
        locale=opts.locale,
    )
    if not result.lines:
        raise NoStatementFoundError(
            f"{source.filename}: no table of statement lines found "
            "(no header row with a date/reference/description and an amount column)"
        )
    outside_lines = [*text_lines, *_rows_to_text_lines(result.rows_outside)]
    header: HeaderBlock = text_lines_to_header(outside_lines, result.date_order, result.convention)
    warnings = list(result.warnings)
    if not result.payables_side and payables_cue_in_text(context):
        warnings.append("the wording suggests a payables-side print but the line signs do not; signs kept")

    total = sum((line.amount for line in result.lines), Decimal("0.00"))
    opening = header.opening_balance if header.opening_balance is not None else result.opening_balance
    computed_opening = None
    first = result.lines[0]
    if first.balance is not None:
        computed_opening = first.balance - first.amount
    opening = _reconcile_sign(opening, computed_opening, result.payables_side)
    closing = header.closing_balance if header.closing_balance is not None else result.closing_balance
    expected_closing = None if opening is None else opening + total
    if closing is None:
        last_balance = next((ln.balance for ln in reversed(result.lines) if ln.balance is not None), None)
        closing = last_balance
    closing = _reconcile_sign(closing, expected_closing, result.payables_side)
    if opening is not None and closing is not None and opening + total != closing:
        warnings.append(
            f"totals do not add up: opening {opening} + lines {total} = {opening + total}, "
            f"but the statement says closing balance {closing}"
        )
    currency = header.currency or result.currency or currency_in_text(context)
    statement = NormalizedStatement(
        source=source,
        customer=Customer(name=header.customer_name, account=header.account),
        statement_date=header.statement_date,
        currency=currency,
        opening_balance=opening,
        closing_balance=closing,
        lines=list(result.lines),
        warnings=warnings,
    )
    return statement_to_tagged_statement(statement, opts)


def statement_to_tagged_statement(
    statement: NormalizedStatement, options: ExtractOptions
) -> NormalizedStatement:
    """The tagging step: tags and entities on every line (``extract.tagging``; identity until it lands)."""
    return statement


def tables_to_statement(
    tables: Sequence[Table],
    pages: Sequence[Page],
    source: Source,
    options: ExtractOptions | None = None,
) -> NormalizedStatement:
    """A statement from reconstructed tables and their pages (digital or OCR'd: one layout model)."""
    ordered = sorted(tables, key=lambda t: (t.page, t.bbox[1], t.bbox[0]))
    rows = [SourceRow(cells=row, page=table.page) for table in ordered for row in table.rows]
    return rows_to_statement(rows, pages_to_text_lines(pages, ordered), source, options)


def _pdf_to_statement(data: bytes, source: Source, options: ExtractOptions) -> NormalizedStatement:
    from extract.pdf import pdf_to_pages
    from extract.tables import page_to_tables

    # pdf_to_pages raises the typed errors: encrypted, corrupt, zero pages, more than max_pages.
    rows: list[SourceRow] = []
    text_lines: list[str] = []
    # Page by page, keeping only rows and outside text, so memory stays bounded on long statements.
    for page in pdf_to_pages(data, max_pages=options.max_pages):
        tables = page_to_tables(page)
        tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
        rows.extend(SourceRow(cells=row, page=page.number) for table in tables for row in table.rows)
        text_lines.extend(pages_to_text_lines([page], tables))
    return rows_to_statement(rows, text_lines, source, options)


def _spreadsheet_to_statement(
    data: bytes, kind: Kind, source: Source, options: ExtractOptions
) -> NormalizedStatement:
    from extract.spreadsheet import csv_to_rows, xlsx_formulas_without_values, xlsx_to_sheets

    if kind is Kind.csv:
        return rows_to_statement(csv_to_rows(data), [], source, options)
    sheets = xlsx_to_sheets(data)
    if not any(rows for _, rows in sheets):
        missing = xlsx_formulas_without_values(data)
        if missing:
            raise UnreadableDocumentError(
                f"{source.filename}: {missing} formula cells have no cached values "
                "(the workbook was never calculated); open and save it in a spreadsheet program"
            )
        raise UnreadableDocumentError(f"{source.filename}: the workbook is empty")
    first_error: NoStatementFoundError | None = None
    for _, rows in sheets:
        try:
            return rows_to_statement(rows, [], source, options)
        except NoStatementFoundError as exc:
            first_error = first_error or exc
    missing = xlsx_formulas_without_values(data)
    if missing:
        raise UnreadableDocumentError(
            f"{source.filename}: {missing} formula cells have no cached values "
            "(the workbook was never calculated); open and save it in a spreadsheet program"
        ) from first_error
    assert first_error is not None
    raise first_error


_FORMS = {Kind.pdf: Form.digital_pdf, Kind.xlsx: Form.xlsx, Kind.csv: Form.csv, Kind.image: Form.image}


def statement_from_bytes(
    data: bytes, filename: str, options: ExtractOptions | None = None
) -> NormalizedStatement:
    """The normalized statement in one document's bytes; raises an InputError subclass for bad input."""
    opts = options or ExtractOptions()
    kind = sniff_kind(data)
    form = _FORMS.get(kind)
    if form is None or kind is Kind.image:
        raise UnsupportedFormatError(f"{filename}: {kind.value} documents are not extracted yet")
    source = Source(filename=filename, form=form, sha256=hashlib.sha256(data).hexdigest())
    if kind is Kind.pdf:
        statement = _pdf_to_statement(data, source, opts)
    else:
        statement = _spreadsheet_to_statement(data, kind, source, opts)
    claimed = extension_kind(filename)
    if claimed is not None and claimed is not kind:
        note = f"the file name says {claimed.value} but the content is {kind.value}: read as {kind.value}"
        statement = statement.model_copy(update={"warnings": [*statement.warnings, note]})
    return statement
