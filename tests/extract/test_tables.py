"""Table reconstruction on real PDFs drawn with reportlab (ruled, borderless, zebra, wide) and on
OCR-like pages (pixel coordinates, ragged baselines, confidences below 1)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from extract.layout import Page, Word
from extract.pdf import pdf_to_layout
from extract.tables import page_to_tables

HEADER = ["Date", "Reference", "Description", "Amount", "Balance"]
BODY = [
    ["02/09/2026", "INV-1001", "Goods delivered", "1,200.00", "1,200.00"],
    ["05/09/2026", "PMT-77", "Payment received", "(500.00)", "700.00"],
    ["11/09/2026", "CN-12", "Credit note returns", "-45.50", "654.50"],
    ["19/09/2026", "INV-1002", "Freight charge", "80.00", "734.50"],
]
COLUMNS = [40.0, 110.0, 190.0, 390.0, 470.0, 555.0]  # cell edges; the last two columns right-aligned
ROW_HEIGHT = 16.0


def draw_table(
    canvas: Canvas,
    rows: Sequence[Sequence[str]],
    top: float,
    style: str,
    columns: Sequence[float] = COLUMNS,
    right_aligned: int = 2,
) -> float:
    """Draw ``rows`` from ``top`` (points from the page top) in a style; returns the bottom."""
    height = A4[1]
    n_cols = len(columns) - 1
    canvas.setFont("Helvetica", 9)
    for i, row in enumerate(rows):
        y_top = top + i * ROW_HEIGHT
        if style == "zebra" and i % 2 == 1:
            canvas.setFillGray(0.88)
            width = columns[-1] - columns[0]
            canvas.rect(columns[0], height - y_top - ROW_HEIGHT, width, ROW_HEIGHT, stroke=0, fill=1)
            canvas.setFillGray(0)
        baseline = height - y_top - 11.5
        for j, text in enumerate(row):
            if j >= n_cols - right_aligned:
                canvas.drawRightString(columns[j + 1] - 4, baseline, text)
            else:
                canvas.drawString(columns[j] + 4, baseline, text)
    bottom = top + len(rows) * ROW_HEIGHT
    if style == "ruled":
        for i in range(len(rows) + 1):
            y = height - top - i * ROW_HEIGHT
            canvas.line(columns[0], y, columns[-1], y)
        for x in columns:
            canvas.line(x, height - top, x, height - bottom)
    return bottom


def statement_pdf(style: str, rows: Sequence[Sequence[str]] | None = None, header_gap: float = 40.0) -> bytes:
    """A one-page statement: letterhead, header block, the table in ``style``, a total below."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    height = A4[1]
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(40, height - 50, "ACME Supplies Ltd")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(40, height - 75, "Statement of account")
    canvas.drawString(400, height - 75, "Date: 30/09/2026")
    canvas.drawString(40, height - 87, "Customer: Widget Co")
    canvas.drawString(400, height - 87, "Account: C-1001")
    bottom = draw_table(canvas, rows or [HEADER, *BODY], 90 + header_gap, style)
    canvas.drawString(40, height - bottom - 40, "Please remit the total due within 30 days.")
    canvas.save()
    return buffer.getvalue()


def tables_of(data: bytes) -> list[list[list[str]]]:
    return [t.texts() for t in page_to_tables(pdf_to_layout(data).pages[0])]


KEY_VALUES = [["Statement of account", "Date: 30/09/2026"], ["Customer: Widget Co", "Account: C-1001"]]


@pytest.mark.parametrize("style", ["ruled", "plain", "zebra"])
def test_statement_table_in_every_style(style: str) -> None:
    assert tables_of(statement_pdf(style)) == [KEY_VALUES, [HEADER, *BODY]]


def test_ruled_table_cells_keep_boxes_and_conf() -> None:
    (_, table) = page_to_tables(pdf_to_layout(statement_pdf("ruled")).pages[0])
    assert table.bbox == pytest.approx((40.0, 130.0, 555.0, 210.0))
    cell = table.rows[1][0]
    assert cell.text == "02/09/2026"
    assert cell.conf == 1.0
    assert cell.bbox is not None and 40 < cell.bbox[0] < cell.bbox[2] < 110


def test_ruled_spanning_cell_sits_top_left() -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    h = A4[1]
    xs, ys = [50, 150, 250, 350], [100, 120, 140, 160]
    for y in ys:
        canvas.line(xs[0], h - y, xs[-1], h - y)
    for x in xs:
        # The rule between columns 1 and 2 is missing in the first row: "Amounts" spans both.
        top = ys[1] if x == 250 else ys[0]
        canvas.line(x, h - top, x, h - ys[-1])
    canvas.drawString(55, h - 114, "Ref")
    canvas.drawString(155, h - 114, "Amounts")
    for i, row in enumerate([["A1", "10.00", "2.00"], ["A2", "20.00", "3.00"]]):
        for j, text in enumerate(row):
            canvas.drawString(xs[j] + 5, h - ys[i + 1] - 14, text)
    canvas.save()
    assert tables_of(buffer.getvalue()) == [
        [["Ref", "Amounts", ""], ["A1", "10.00", "2.00"], ["A2", "20.00", "3.00"]]
    ]


def test_wrapped_description_is_its_own_visual_row() -> None:
    rows = [HEADER, BODY[0], ["", "", "incl. pallets", "", ""], *BODY[1:]]
    assert tables_of(statement_pdf("plain", rows))[1] == rows


def test_zebra_band_keeps_a_wrapped_line_in_its_row() -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    h = A4[1]
    canvas.setFont("Helvetica", 9)
    for i, (ref, desc, amount) in enumerate(
        [("Ref", "Description", "Amount"), ("INV-1", "Goods", "10.00"), ("INV-2", "Goods", "20.00"),
         ("INV-3", "Goods", "30.00"), ("INV-4", "Goods", "40.00")]
    ):
        top = 100 + i * 24
        if i % 2:
            canvas.setFillGray(0.85)
            canvas.rect(40, h - top - 24, 400, 24, stroke=0, fill=1)
            canvas.setFillGray(0)
        canvas.drawString(45, h - top - 10, ref)
        canvas.drawString(150, h - top - 10, desc)
        canvas.drawRightString(430, h - top - 10, amount)
        if i == 2:
            canvas.drawString(150, h - top - 20, "and freight")
    canvas.save()
    assert tables_of(buffer.getvalue()) == [
        [["Ref", "Description", "Amount"], ["INV-1", "Goods", "10.00"],
         ["INV-2", "Goods and freight", "20.00"], ["INV-3", "Goods", "30.00"], ["INV-4", "Goods", "40.00"]]
    ]


def test_debit_credit_columns_with_empty_cells() -> None:
    columns = [40.0, 95.0, 150.0, 300.0, 370.0, 440.0, 520.0]
    rows = [
        ["Date", "Doc", "Text", "Debit", "Credit", "Balance"],
        ["01/09/26", "INV-1", "Sale", "100.00", "", "100.00"],
        ["03/09/26", "PAY-1", "Receipt", "", "60.00", "40.00"],
        ["07/09/26", "INV-2", "Sale", "25.00", "", "65.00"],
        ["09/09/26", "CN-1", "Return", "", "5.00", "60.00"],
    ]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    draw_table(canvas, rows, 100, "plain", columns, right_aligned=3)
    canvas.save()
    assert tables_of(buffer.getvalue()) == [rows]


def test_header_block_right_above_the_table_is_not_a_row() -> None:
    tables = tables_of(statement_pdf("plain", header_gap=6))
    assert [HEADER, *BODY] in tables
    assert all("Customer: Widget Co" not in row for table in tables for row in table if len(table[0]) == 5)


def test_page_without_table_gives_nothing() -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    text = canvas.beginText(40, 800)
    for k in range(12):
        text.textLine(f"Dear customer, this is line {k} of a plain letter about your account with us.")
    canvas.drawText(text)
    canvas.save()
    assert tables_of(buffer.getvalue()) == []


def test_empty_page_gives_nothing() -> None:
    assert page_to_tables(Page(number=1, width=595, height=842, words=())) == []


def ocr_page(jitter: Sequence[float]) -> Page:
    """The statement table as OCR words: pixels at 200 dpi, baselines off by ``jitter``, conf < 1."""
    scale = 200 / 72
    words: list[Word] = []
    for i, row in enumerate([HEADER, *BODY]):
        for j, text in enumerate(row):
            top = (130 + i * ROW_HEIGHT + 3) * scale + jitter[(i + j) % len(jitter)]
            x = COLUMNS[j] + 4 if j < 3 else COLUMNS[j + 1] - 4 - 5 * len(text)
            for k, part in enumerate(text.split()):
                x0 = (x + 22 * k) * scale
                x1 = x0 + 5 * len(part) * scale
                words.append(Word(part, x0, top, x1, top + 9 * scale, conf=0.9 - 0.01 * k))
    return Page(number=3, width=595 * scale, height=842 * scale, words=tuple(words))


def test_ocr_words_with_ragged_baselines() -> None:
    (table,) = page_to_tables(ocr_page([0.0, 4.0, -3.0, 6.0, -5.0]))
    assert table.page == 3
    assert table.texts() == [HEADER, *BODY]
    assert table.rows[1][2].conf == pytest.approx(0.89)
    assert table.rows[1][0].conf == pytest.approx(0.9)


SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE_HEADERS = {
    "acme-2026-09": ["Date", "Ref", "Description", "Amount", "Balance"],
    "borealis-2026-09": ["Date", "Invoice No", "Description", "Amount", "Balance"],
    "cedar-2026-09": ["Posting Date", "Document No", "Text", "Amount EUR", "Balance"],
    "dunmore-2026-09": ["Date", "Type", "Document No", "Particulars", "Debit", "Credit", "Balance"],
    "elbe-2026-09": ["Doc Date", "Document No", "Your Ref", "Details", "Debit", "Credit", "Balance"],
    "fjord-2026-09": ["Date", "Voucher", "Invoice No", "Text", "Amount", "Balance"],
    "kestrel-2026-09": ["Date", "Our Ref", "Your Ref", "Description", "Amount", "Balance"],
    "lumen-2026-09": ["Date", "Invoice No", "Details", "Amount", "Balance"],
}
PRINTED_OPENING_ROWS = {"dunmore-2026-09": 1}


@pytest.mark.parametrize("stem", sorted(SAMPLE_HEADERS))
def test_sample_statements(stem: str) -> None:
    """Every page's line table has the printed header, and one dated row per expected line.

    A printed opening-balance row is a dated table row but no statement line (samples/README.md).
    """
    expected = json.loads((SAMPLES / f"{stem}.expected.json").read_text())
    dated = 0
    for page in pdf_to_layout((SAMPLES / f"{stem}.pdf").read_bytes()).pages:
        table = max(page_to_tables(page), key=lambda t: len(t.rows))
        assert table.texts()[0] == SAMPLE_HEADERS[stem]
        dated += sum(1 for row in table.texts()[1:] if row[0])
    assert dated == len(expected["lines"]) + PRINTED_OPENING_ROWS.get(stem, 0)


def words_page(rows: Sequence[Sequence[tuple[str, float]]], gap: float = 14.0) -> Page:
    """A page of 9-unit-high words placed at (text, x0) positions, one row every ``gap`` units."""
    words = [
        Word(text, x0, 100 + i * gap, x0 + 5.0 * len(text), 109 + i * gap)
        for i, row in enumerate(rows)
        for text, x0 in row
    ]
    return Page(number=1, width=600, height=800, words=tuple(words))


def test_tight_number_columns_split_but_space_grouped_amounts_do_not() -> None:
    # Number columns 3 units apart (less than a chunk gap), beside amounts grouped with a space
    # ("1 038,00", all the same width, so their inner gap lines up like a corridor).
    rows = [
        [("Region", 10), ("no.", 100), ("Rate", 125), ("Amount", 212)],
        [("North", 10), ("1,144", 97), ("193.5", 125), ("1", 200), ("038,00", 208)],
        [("South", 10), ("9,385", 97), ("181.2", 125), ("2", 200), ("790,00", 208)],
        [("East", 10), ("6,930", 97), ("177.4", 125), ("1", 200), ("648,00", 208)],
        [("West", 10), ("2,187", 97), ("162.4", 125), ("3", 200), ("922,02", 208)],
    ]
    (table,) = page_to_tables(words_page(rows))
    assert table.texts() == [
        ["Region", "no.", "Rate", "Amount"],
        ["North", "1,144", "193.5", "1 038,00"],
        ["South", "9,385", "181.2", "2 790,00"],
        ["East", "6,930", "177.4", "1 648,00"],
        ["West", "2,187", "162.4", "3 922,02"],
    ]


def test_references_with_a_space_stay_whole() -> None:
    rows = [
        [("Ref", 10), ("Amount", 120)],
        [("INV", 10), ("10023", 30), ("12.00", 125)],
        [("INV", 10), ("10024", 30), ("13.00", 125)],
        [("INV", 10), ("10025", 30), ("14.00", 125)],
    ]
    (table,) = page_to_tables(words_page(rows))
    assert table.texts() == [
        ["Ref", "Amount"], ["INV 10023", "12.00"], ["INV 10024", "13.00"], ["INV 10025", "14.00"]
    ]
