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
from pathlib import Path
from typing import TYPE_CHECKING

from extract.amounts import DecimalConvention, currency_in_text
from extract.dates import DateOrder
from extract.header import HeaderBlock, TextLine, TextSegment, text_lines_to_header
from extract.headers import is_header_row
from extract.layout import Cell, Page, Table, Word
from extract.lines import LinesResult, SourceRow, rows_to_lines
from extract.signs import payables_cue_in_text
from extract.sniff import Kind, extension_kind, sniff_kind
from extract.tagging import tag_statement
from models.errors import NoStatementFoundError, UnreadableDocumentError, UnsupportedFormatError
from models.statement import Customer, Form, NormalizedStatement, Source

if TYPE_CHECKING:
    from extract.scan import ScanOptions, ScanResult

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
    a day/month tie; ``tag`` runs the description tagger; ``company_names`` are the names of the
    company whose AR this is (the supplier): never taken for the customer. ``ocr_*``: scanned
    pages and images are OCR'd at ``ocr_dpi`` on ``ocr_processes`` processes, cached in
    ``ocr_cache_dir`` (None: no cache), and OCR stops with a review warning after
    ``ocr_time_limit_s`` seconds per document.
    """

    max_pages: int = 1000
    date_order: DateOrder | None = None
    decimal_convention: DecimalConvention | None = None
    locale: str | None = None
    tag: bool = True
    company_names: tuple[str, ...] = ()
    ocr_dpi: float = 300.0
    ocr_processes: int = 2
    ocr_cache_dir: Path | None = None
    ocr_time_limit_s: float = 300.0


# A word gap wider than this many line heights splits a text line into label / value segments.
SEGMENT_GAP_LINES = 1.5


def _outside(words: Sequence[Word], boxes: Sequence[tuple[float, float, float, float]]) -> list[Word]:
    """The ``words`` whose centre lies in none of ``boxes`` (grown by 1 on every side), in order."""
    kept = list(words)
    for x0, top, x1, bottom in boxes:  # one pass a box: no call per word
        left, right, upper, lower = 2 * (x0 - 1), 2 * (x1 + 1), 2 * (top - 1), 2 * (bottom + 1)
        kept = [w for w in kept if not (left <= w.x0 + w.x1 <= right and upper <= w.top + w.bottom <= lower)]
    return kept


def words_to_text_lines(words: Iterable[Word], page: int = 0) -> list[TextLine]:
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
    lines: list[TextLine] = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        height = max(w.bottom - w.top for w in row)
        segments: list[TextSegment] = []
        run: list[Word] = [row[0]]
        for prev, word in itertools.pairwise(row):
            if word.x0 - prev.x1 > max(12.0, SEGMENT_GAP_LINES * height):
                segments.append(_segment(run, page))
                run = []
            run.append(word)
        segments.append(_segment(run, page))
        lines.append(tuple(segments))
    return lines


def _segment(words: Sequence[Word], page: int) -> TextSegment:
    return TextSegment(
        text=" ".join(w.text for w in words),
        x0=min(w.x0 for w in words),
        x1=max(w.x1 for w in words),
        top=min(w.top for w in words),
        bottom=max(w.bottom for w in words),
        page=page,
    )


def pages_to_text_lines(pages: Sequence[Page], tables: Sequence[Table]) -> list[TextLine]:
    """The text of ``pages`` outside ``tables``, as lines of segments in reading order."""
    lines: list[TextLine] = []
    for page in pages:
        boxes = [t.bbox for t in tables if t.page == page.number]
        lines.extend(words_to_text_lines(_outside(page.words, boxes), page.number))
    return lines


def rows_to_text_lines(rows: Iterable[SourceRow]) -> list[TextLine]:
    """Table rows as text lines: one segment per non-empty cell (spreadsheet cells by column index)."""
    lines: list[TextLine] = []
    for n, row in enumerate(rows):
        segments = []
        for k, cell in enumerate(row.cells):
            if not cell.text:
                continue
            if cell.bbox is None:
                segments.append(TextSegment(cell.text, float(k), float(k + 1), float(n), float(n), 0))
            else:
                x0, top, x1, bottom = cell.bbox
                segments.append(TextSegment(cell.text, x0, x1, top, bottom, row.page or 0))
        if segments:
            lines.append(tuple(segments))
    return lines


def _reading_order(lines: Sequence[TextLine]) -> list[TextLine]:
    """Lines sorted by page then top (spreadsheet lines, page 0, keep their order)."""
    return sorted(lines, key=lambda ln: (ln[0].page, ln[0].top) if ln[0].page else (0, 0.0))


def _reconcile_sign(printed: Decimal | None, expected: Decimal | None, payables: bool) -> Decimal | None:
    """A header balance on the receivable side: the sign that agrees with the lines, else as printed.

    With nothing to agree with, a negative balance on a payables-side print is the customer's sign.
    """
    if printed is None:
        return None
    if expected is None:
        return -printed if payables and printed < 0 else printed
    if printed == expected or -printed != expected:
        return printed
    return -printed


def rows_to_statement(
    rows: Sequence[SourceRow],
    text_lines: Sequence[TextLine],
    source: Source,
    options: ExtractOptions | None = None,
) -> NormalizedStatement:
    """A statement from a document's visual table rows and the text lines around them."""
    opts = options or ExtractOptions()
    context = "\n".join(" ".join(seg.text for seg in line) for line in text_lines)
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
    outside_lines = _reading_order([*text_lines, *rows_to_text_lines(result.rows_outside)])
    header: HeaderBlock = text_lines_to_header(
        outside_lines, result.date_order, result.convention, opts.company_names
    )
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
    """The tagging step: tags and entities on every line (``extract.tagging``) unless ``options.tag``."""
    return tag_statement(statement) if options.tag else statement


def tables_to_statement(
    tables: Sequence[Table],
    pages: Sequence[Page],
    source: Source,
    options: ExtractOptions | None = None,
) -> NormalizedStatement:
    """A statement from reconstructed tables and their pages (digital or OCR'd: one layout model)."""
    ordered = sorted(tables, key=lambda t: (t.page, t.bbox[1], t.bbox[0]))
    text_lines = pages_to_text_lines(pages, ordered)
    return rows_to_statement(tables_to_rows(ordered, text_lines), text_lines, source, options)


def tables_to_rows(tables: Sequence[Table], text_lines: Sequence[TextLine]) -> list[SourceRow]:
    """The rows of ``tables`` in order; a table whose header row was left outside it gets it back.

    Table reconstruction may leave a boxed header bar out of the table; the text line right
    above a table without a header row is taken as its header when it reads as one.
    """
    rows: list[SourceRow] = []
    for table in tables:
        table_rows = [SourceRow(cells=row, page=table.page) for row in table.rows]
        if not any(is_header_row([c.text for c in row.cells]) for row in table_rows[:2]):
            header = _header_line_above(table, text_lines)
            if header is not None:
                rows.append(header)
        rows.extend(table_rows)
    return rows


def _header_line_above(table: Table, text_lines: Sequence[TextLine]) -> SourceRow | None:
    above = [
        line
        for line in text_lines
        if line
        and line[0].page == table.page
        and line[-1].bottom <= table.bbox[1] + 1
        and table.bbox[1] - line[-1].bottom <= 2.5 * max(line[0].bottom - line[0].top, 1.0)
    ]
    if not above:
        return None
    line = max(above, key=lambda ln: ln[0].top)
    if not is_header_row([seg.text for seg in line]):
        return None
    return SourceRow(
        cells=tuple(Cell(seg.text, (seg.x0, seg.top, seg.x1, seg.bottom)) for seg in line), page=table.page
    )


def _page_to_rows(page: Page) -> tuple[list[SourceRow], list[TextLine]]:
    """One page's table rows and the text lines outside its tables."""
    from extract.tables import page_to_tables

    tables = page_to_tables(page)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    text_lines = pages_to_text_lines([page], tables)
    return tables_to_rows(tables, text_lines), text_lines


def _pdf_to_statement(data: bytes, source: Source, options: ExtractOptions) -> NormalizedStatement:
    from extract.pdf import pdf_to_pages
    from extract.scan import page_needs_ocr, pdf_pages_to_scan

    # pdf_to_pages raises the typed errors: encrypted, corrupt, zero pages, more than max_pages.
    per_page: dict[int, tuple[list[SourceRow], list[TextLine]]] = {}
    scanned: list[int] = []
    # Page by page, keeping only rows and outside text, so memory stays bounded on long statements.
    for page in pdf_to_pages(data, max_pages=options.max_pages):
        if page_needs_ocr(page):
            scanned.append(page.number)  # no (or a garbage) text layer: OCR'd below, in parallel
        else:
            per_page[page.number] = _page_to_rows(page)
    if scanned:
        scan = pdf_pages_to_scan(data, scanned, _scan_options(options))
        scanned_source = source.model_copy(update={"form": Form.scanned_pdf})
        return _scan_to_statement(scan, per_page, scanned_source, options)
    rows = [row for number in sorted(per_page) for row in per_page[number][0]]
    text_lines = [line for number in sorted(per_page) for line in per_page[number][1]]
    return rows_to_statement(rows, text_lines, source, options)


def _scan_options(options: ExtractOptions) -> ScanOptions:
    from extract.raster import RasterLimits
    from extract.scan import ScanOptions

    return ScanOptions(
        dpi=options.ocr_dpi,
        processes=options.ocr_processes,
        cache_dir=options.ocr_cache_dir,
        time_limit_s=options.ocr_time_limit_s,
        limits=RasterLimits(max_pages=options.max_pages),
    )


def _scan_to_statement(
    scan: ScanResult,
    per_page: dict[int, tuple[list[SourceRow], list[TextLine]]],
    source: Source,
    options: ExtractOptions,
) -> NormalizedStatement:
    """A statement from OCR'd pages (and the text pages of a mixed PDF), repaired and validated."""
    from extract.repair import rows_to_header_conf, statement_to_repaired

    for page in scan.layout.pages:
        per_page[page.number] = _page_to_rows(page)
    rows = [row for number in sorted(per_page) for row in per_page[number][0]]
    text_lines = [line for number in sorted(per_page) for line in per_page[number][1]]
    try:
        statement = rows_to_statement(rows, text_lines, source, options)
    except NoStatementFoundError:
        if not scan.timed_out:
            raise
        statement = NormalizedStatement(source=source)  # OCR ran out of time: review, not failure
    statement = statement_to_repaired(statement, header_conf=rows_to_header_conf(rows))
    return statement.model_copy(update={"warnings": [*scan.warnings, *statement.warnings]})


def _image_to_statement(data: bytes, source: Source, options: ExtractOptions) -> NormalizedStatement:
    from dataclasses import replace

    from extract.raster import RasterLimits
    from extract.scan import image_to_scan

    # Multi-page TIFFs keep the raster bound of 100 pages: an image is never a long ERP print.
    scan = image_to_scan(data, replace(_scan_options(options), limits=RasterLimits()))
    return _scan_to_statement(scan, {}, source, options)


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
    if form is None:
        raise UnsupportedFormatError(f"{filename}: {kind.value} documents are not extracted yet")
    source = Source(filename=filename, form=form, sha256=hashlib.sha256(data).hexdigest())
    if kind is Kind.pdf:
        statement = _pdf_to_statement(data, source, opts)
    elif kind is Kind.image:
        statement = _image_to_statement(data, source, opts)
    else:
        statement = _spreadsheet_to_statement(data, kind, source, opts)
    claimed = extension_kind(filename)
    if claimed is not None and claimed is not kind:
        note = f"the file name says {claimed.value} but the content is {kind.value}: read as {kind.value}"
        statement = statement.model_copy(update={"warnings": [*statement.warnings, note]})
    return statement
