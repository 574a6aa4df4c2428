"""XLSX and CSV statements -> visual rows (``SourceRow``), the same rows table reconstruction gives.

XLSX is read with openpyxl directly (read-only, cached values): pandas would turn numeric cells
into float64, and money never goes through float here. Numeric cells become plain decimal text
(``1234.56``), date cells ISO text (``2026-09-03``). A sheet whose formulas have no cached values
(written by a library, never opened in a spreadsheet program) raises a clear error instead of
reading as empty. CSV: encoding UTF-8 (with or without BOM) else cp1252, delimiter sniffed among
``; , tab |``; ragged rows (title lines above the table) are kept as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

from extract.layout import Cell
from extract.lines import SourceRow
from extract.sniff import decode_text
from models.errors import UnreadableDocumentError

__all__ = ["csv_to_rows", "sniff_delimiter", "value_to_text", "xlsx_to_sheets"]

MAX_ROWS = 200_000
MAX_COLUMNS = 200


def value_to_text(value: object) -> str:
    """A spreadsheet cell value as the text a reader would see (numbers as plain decimals, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # openpyxl already parsed the cell as float; repr() is the shortest text that round-trips,
        # i.e. the digits stored in the file, so Decimal gets exactly what Excel shows.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return " ".join(str(value).split())


def _cells(values: Iterable[object]) -> tuple[Cell, ...]:
    return tuple(Cell(text=value_to_text(v)) for v in values)


def xlsx_to_sheets(data: bytes) -> list[tuple[str, list[SourceRow]]]:
    """Every worksheet of an XLSX workbook as ``(name, rows)`` with cached values for formulas."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors alike for a bad file
        raise UnreadableDocumentError(f"the XLSX workbook cannot be read: {exc}") from exc
    sheets: list[tuple[str, list[SourceRow]]] = []
    try:
        for sheet in workbook.worksheets:
            rows: list[SourceRow] = []
            for i, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)):
                if i >= MAX_ROWS:
                    break
                cells = _cells(values)
                if any(c.text for c in cells):
                    rows.append(SourceRow(cells=cells, page=None))
            sheets.append((sheet.title, rows))
    finally:
        workbook.close()
    return sheets


def xlsx_formulas_without_values(data: bytes) -> int:
    """How many formula cells have no cached value (the workbook was never calculated)."""
    import openpyxl

    formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    missing = 0
    try:
        for fsheet, vsheet in zip(formulas.worksheets, values.worksheets, strict=True):
            for frow, vrow in zip(
                fsheet.iter_rows(values_only=True, max_col=MAX_COLUMNS),
                vsheet.iter_rows(values_only=True, max_col=MAX_COLUMNS),
                strict=False,
            ):
                for f, v in zip(frow, vrow, strict=False):
                    if isinstance(f, str) and f.startswith("=") and v is None:
                        missing += 1
    finally:
        formulas.close()
        values.close()
    return missing


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: the one that splits the most lines into the same many fields."""
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    best, best_score = ",", -1
    for delimiter in (";", ",", "\t", "|"):
        counts: dict[int, int] = {}
        for fields in csv.reader(lines, delimiter=delimiter):
            if len(fields) > 1:
                counts[len(fields)] = counts.get(len(fields), 0) + 1
        # the most common field count (>1) times how many lines share it: a table's width
        score = max((n * (width > 1) for width, n in counts.items()), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_to_rows(data: bytes) -> list[SourceRow]:
    """The rows of a CSV (or other delimited text) statement, ragged rows kept."""
    text = decode_text(data)
    delimiter = sniff_delimiter(text)
    rows: list[SourceRow] = []
    try:
        for i, fields in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            if i >= MAX_ROWS:
                break
            cells = tuple(Cell(text=" ".join(f.split())) for f in fields[:MAX_COLUMNS])
            if any(c.text for c in cells):
                rows.append(SourceRow(cells=cells, page=None))
    except csv.Error as exc:
        raise UnreadableDocumentError(f"the CSV cannot be parsed: {exc}") from exc
    return rows
