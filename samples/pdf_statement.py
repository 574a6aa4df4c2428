"""Draws a statement of account as a digital PDF in one of four table styles (reportlab canvas).

Styles: ``grid`` (every cell ruled), ``underline`` (borderless, a rule under the header only),
``zebra`` (alternate rows shaded, no rules), ``erp`` (monospaced classic ERP print with boxed
header and Debit / Credit / Balance columns). Long tables break over pages with the header
repeated, optional page subtotals and "Carried forward" / "Brought forward" rows (not lines).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

PAGE_SIZES = {"A4": A4, "LETTER": LETTER}
MARGIN = 40.0
FONTS = {"sans": ("Helvetica", "Helvetica-Bold"), "serif": ("Times-Roman", "Times-Bold"),
         "mono": ("Courier", "Courier-Bold")}


@dataclass(frozen=True)
class Column:
    """One table column: header text, width in points, alignment and the row key it prints."""

    header: str
    width: float
    key: str
    align: str = "left"


@dataclass(frozen=True)
class Row:
    """One printed table row: cell texts by column key; ``kind`` is ``line`` for statement lines,
    else ``subtotal``, ``carried`` or ``brought`` (printed but not statement lines)."""

    cells: dict[str, str]
    kind: str = "line"


@dataclass(frozen=True)
class PdfLayout:
    """Everything about how one statement looks on paper."""

    style: str
    columns: tuple[Column, ...]
    title: str
    issuer: tuple[str, ...]                # letterhead lines, top left
    addressee: tuple[str, ...]             # address block under the letterhead
    header: tuple[tuple[str, str], ...]    # label/value pairs of the header block
    header_at: str = "right"               # "right" column, "left" under the address, or "strip" in a row
    footer: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    page: str = "A4"
    font: str = "sans"
    size: float = 8.5
    lines_per_page: int = 40
    first_page_lines: int = 28
    page_subtotal: tuple[str, ...] = ()    # column keys summed in the "Page subtotal" row
    carry_key: str = ""                    # column key of the carried / brought forward balance
    carry_words: tuple[str, str] = ("Carried forward", "Brought forward")
    subtotal_word: str = "Page subtotal"
    label_key: str = "desc"                # column where subtotal / carry labels print
    wrap_key: str = "desc"
    creator: str = "arrecon samples"


@dataclass
class _Page:
    rows: list[Row] = field(default_factory=list)
    line_rows: list[int] = field(default_factory=list)   # index into the input rows, per row


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a word never breaks)."""
    if stringWidth(text, font, size) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if current and stringWidth(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    lines.append(current)
    return lines


class _Drawer:
    """Draws the pages of one layout on a canvas (the only mutable thing here, kept inside)."""

    def __init__(self, layout: PdfLayout, canvas: Canvas, pages: int) -> None:
        self.layout = layout
        self.canvas = canvas
        self.pages = pages
        self.width, self.height = PAGE_SIZES[layout.page]
        self.font, self.bold = FONTS[layout.font]
        self.size = layout.size
        self.lead = layout.size * 1.55
        total = sum(c.width for c in layout.columns)
        self.scale = (self.width - 2 * MARGIN) / total

    def x_of(self, key: str) -> tuple[float, float]:
        x = MARGIN
        for col in self.layout.columns:
            w = col.width * self.scale
            if col.key == key:
                return x, w
            x += w
        raise KeyError(key)

    def row_lines(self, row: Row) -> int:
        if row.kind != "line":
            return 1
        _, w = self.x_of(self.layout.wrap_key)
        return len(wrap_text(row.cells.get(self.layout.wrap_key, ""), self.font, self.size, w - 6))

    def text(self, x: float, y: float, value: str, bold: bool = False, size: float | None = None) -> None:
        self.canvas.setFont(self.bold if bold else self.font, size or self.size)
        self.canvas.drawString(x, y, value)

    def letterhead(self) -> float:
        """The first page's title, issuer, addressee and header block; returns the y below them."""
        lay, c = self.layout, self.canvas
        top = self.height - MARGIN
        for i, line in enumerate(lay.issuer):
            self.text(MARGIN, top - i * 12, line, bold=i == 0, size=11 if i == 0 else 8.5)
        title_y = top - max(len(lay.issuer), 1) * 12 - 14
        c.setFont(self.bold, 15)
        c.drawRightString(self.width - MARGIN, top, lay.title)
        y = title_y
        for i, line in enumerate(lay.addressee):
            self.text(MARGIN, y - i * 11, line, bold=i == 0)
        address_bottom = y - len(lay.addressee) * 11
        if lay.header_at == "right":
            hx = self.width - MARGIN - 210
            for i, (label, value) in enumerate(lay.header):
                self.text(hx, y - i * 12, label, bold=True)
                c.setFont(self.font, self.size)
                c.drawRightString(self.width - MARGIN, y - i * 12, value)
            y = min(address_bottom, y - len(lay.header) * 12) - 16
        elif lay.header_at == "left":
            y = address_bottom - 10
            for i, (label, value) in enumerate(lay.header):
                self.text(MARGIN, y - i * 12, f"{label} {value}")
            y -= len(lay.header) * 12 + 10
        else:  # strip: one boxed row of label over value cells
            y = address_bottom - 12
            cell = (self.width - 2 * MARGIN) / max(len(lay.header), 1)
            c.setLineWidth(0.6)
            c.rect(MARGIN, y - 26, self.width - 2 * MARGIN, 32, stroke=1, fill=0)
            for i, (label, value) in enumerate(lay.header):
                self.text(MARGIN + i * cell + 4, y - 6, label, bold=True, size=7.5)
                self.text(MARGIN + i * cell + 4, y - 19, value)
                if i:
                    c.line(MARGIN + i * cell, y - 26, MARGIN + i * cell, y + 6)
            y -= 44
        for i, note in enumerate(lay.notes):
            self.text(MARGIN, y - i * 11, note, size=8)
        return y - len(lay.notes) * 11 - 6

    def continuation(self, page_no: int) -> float:
        """Later pages: a one-line running head; returns the y where the table starts."""
        top = self.height - MARGIN
        self.text(MARGIN, top, f"{self.layout.title} - {self.layout.addressee[0]}", bold=True)
        self.canvas.setFont(self.font, self.size)
        self.canvas.drawRightString(self.width - MARGIN, top, f"Page {page_no} of {self.pages}")
        return top - 24

    def table_header(self, y: float) -> float:
        lay, c = self.layout, self.canvas
        h = self.lead + 4
        x_end = self.width - MARGIN
        if lay.style == "zebra":
            c.setFillGray(0.78)
            c.rect(MARGIN, y - h + 3, x_end - MARGIN, h, stroke=0, fill=1)
            c.setFillGray(0)
        if lay.style in ("grid", "erp"):
            c.setLineWidth(0.8)
            c.rect(MARGIN, y - h + 3, x_end - MARGIN, h, stroke=1, fill=0)
        for col in lay.columns:
            x, w = self.x_of(col.key)
            c.setFont(self.bold, self.size)
            if col.align == "right":
                c.drawRightString(x + w - 3, y - h + 8, col.header)
            else:
                c.drawString(x + 3, y - h + 8, col.header)
            if lay.style == "grid" and x > MARGIN:
                c.line(x, y - h + 3, x, y + 3)
        if lay.style == "underline":
            c.setLineWidth(1.0)
            c.line(MARGIN, y - h + 3, x_end, y - h + 3)
        return y - h

    def row(self, y: float, row: Row, shade: bool) -> float:
        lay, c = self.layout, self.canvas
        n = self.row_lines(row)
        h = n * self.lead
        x_end = self.width - MARGIN
        if lay.style == "zebra" and shade:
            c.setFillGray(0.92)
            c.rect(MARGIN, y - h + 3, x_end - MARGIN, h, stroke=0, fill=1)
            c.setFillGray(0)
        bold = row.kind != "line"
        for col in lay.columns:
            x, w = self.x_of(col.key)
            value = row.cells.get(col.key, "")
            parts = (wrap_text(value, self.font, self.size, w - 6)
                     if col.key == lay.wrap_key and row.kind == "line" else [value])
            for i, part in enumerate(parts):
                base = y - (i + 1) * self.lead + 7
                c.setFont(self.bold if bold else self.font, self.size)
                if col.align == "right":
                    c.drawRightString(x + w - 3, base, part)
                else:
                    c.drawString(x + 3, base, part)
        if lay.style == "grid":
            c.setLineWidth(0.5)
            c.rect(MARGIN, y - h + 3, x_end - MARGIN, h, stroke=1, fill=0)
            for col in lay.columns[1:]:
                x, _ = self.x_of(col.key)
                c.line(x, y - h + 3, x, y + 3)
        elif row.kind in ("subtotal", "carried") and lay.style in ("underline", "erp"):
            c.setLineWidth(0.5)
            c.line(MARGIN, y + 3, x_end, y + 3)
        return y - h

    def footer(self, y: float) -> None:
        lay = self.layout
        y -= 14
        for i, (label, value) in enumerate(lay.footer):
            self.text(self.width - MARGIN - 260, y - i * 13, label, bold=True)
            self.canvas.setFont(self.bold, self.size)
            self.canvas.drawRightString(self.width - MARGIN, y - i * 13, value)

    def page_number(self, page_no: int) -> None:
        self.canvas.setFont(self.font, 7)
        self.canvas.drawCentredString(self.width / 2, MARGIN / 2, f"Page {page_no} of {self.pages}")


def rows_to_pages(rows: Sequence[Row], heights: Sequence[int], layout: PdfLayout) -> list[_Page]:
    """Split ``rows`` into pages that fit, adding subtotal / carried / brought forward rows."""
    pages: list[_Page] = [_Page()]
    reserve = (1 if layout.page_subtotal else 0) + (1 if layout.carry_key else 0)
    used = 0
    capacity = layout.first_page_lines
    for i, (row, height) in enumerate(zip(rows, heights, strict=True)):
        # Reserve room for the subtotal and carried-forward rows that close a full page.
        if used + height > capacity - reserve and pages[-1].rows:
            pages.append(_Page())
            capacity, used = layout.lines_per_page, 0
            if layout.carry_key:
                used += 1
        pages[-1].rows.append(row)
        pages[-1].line_rows.append(i)
        used += height
    return pages


def statement_to_pdf(layout: PdfLayout, rows: Sequence[Row], balance_after: Sequence[str],
                     subtotal_text: Callable[[list[int]], dict[str, str]]) -> tuple[bytes, list[int]]:
    """The PDF bytes of ``rows`` drawn in ``layout``, and the 1-based page of every input row.

    ``balance_after[i]`` is the printed running balance after row i (for carried / brought forward
    rows); ``subtotal_text(indexes)`` returns the subtotal cells for the rows of one page.
    """
    probe = _Drawer(layout, Canvas(io.BytesIO()), 1)
    heights = [probe.row_lines(r) for r in rows]
    pages = rows_to_pages(rows, heights, layout)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE_SIZES[layout.page], invariant=1, pageCompression=1)
    canvas.setCreator(layout.creator)
    canvas.setProducer("arrecon samples")
    canvas.setTitle(layout.title)
    drawer = _Drawer(layout, canvas, len(pages))
    page_of: list[int] = [0] * len(rows)
    for p, page in enumerate(pages, start=1):
        y = drawer.letterhead() if p == 1 else drawer.continuation(p)
        y = drawer.table_header(y)
        shade = False
        if p > 1 and layout.carry_key:
            prev = pages[p - 2].line_rows[-1]
            y = drawer.row(y, Row({layout.label_key: layout.carry_words[1],
                                   layout.carry_key: balance_after[prev]}, "brought"), shade)
            shade = not shade
        for row, index in zip(page.rows, page.line_rows, strict=True):
            y = drawer.row(y, row, shade)
            shade = not shade
            page_of[index] = p
        if p < len(pages):
            if layout.page_subtotal:
                cells = dict(subtotal_text(page.line_rows))
                cells[layout.label_key] = layout.subtotal_word
                y = drawer.row(y, Row(cells, "subtotal"), shade)
                shade = not shade
            if layout.carry_key:
                y = drawer.row(y, Row({layout.label_key: layout.carry_words[0],
                                       layout.carry_key: balance_after[page.line_rows[-1]]}, "carried"),
                               shade)
        else:
            drawer.footer(y)
        drawer.page_number(p)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue(), page_of
