"""PDF bytes -> Layout on real PDFs drawn with reportlab, and every kind of bad PDF input."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from extract.layout import Fill, Page, Segment, Word
from extract.pdf import page_has_text, pdf_page_count, pdf_to_layout
from models.errors import EncryptedDocumentError, ResourceLimitError, UnreadableDocumentError

HEIGHT = A4[1]


@pytest.fixture(scope="module")
def drawn_pdf() -> bytes:
    """One A4 page with known words, a stroked line, a stroked box, a thin bar and a grey fill."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(100, HEIGHT - 100, "Invoice INV-1001")
    canvas.drawRightString(500, HEIGHT - 100, "1,234.56")
    canvas.line(50, HEIGHT - 120, 550, HEIGHT - 120)
    canvas.rect(50, HEIGHT - 300, 200, 100, stroke=1, fill=0)
    canvas.setFillGray(0.3)
    canvas.rect(300, HEIGHT - 201, 200, 1, stroke=0, fill=1)
    canvas.setFillGray(0.9)
    canvas.rect(300, HEIGHT - 260, 200, 20, stroke=0, fill=1)
    canvas.setFillGray(1.0)
    canvas.rect(0, 0, 20, 20, stroke=0, fill=1)  # white on white: invisible, not shading
    canvas.showPage()
    canvas.setFont("Helvetica", 10)
    canvas.drawString(72, HEIGHT - 72, "Second page")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pages_pdf(count: int) -> bytes:
    """A PDF of ``count`` pages with one short line each."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for k in range(count):
        canvas.drawString(72, 720, f"page {k + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_words_are_boxed_from_the_top_left(drawn_pdf: bytes) -> None:
    page = pdf_to_layout(drawn_pdf).pages[0]
    assert (page.number, page.width, page.height) == (1, pytest.approx(A4[0]), pytest.approx(HEIGHT))
    assert [w.text for w in page.words] == ["Invoice", "INV-1001", "1,234.56"]
    invoice, ref, amount = page.words
    assert invoice.x0 == pytest.approx(100, abs=0.5)
    assert amount.x1 == pytest.approx(500, abs=0.5)
    # Baseline at 100 pt from the top: the loose box reaches above it by the ascent, below by the descent.
    assert invoice.top < 100 < invoice.bottom < 104
    assert ref.top == pytest.approx(invoice.top) and ref.x0 > invoice.x1
    assert all(w.conf == 1.0 for w in page.words)


def test_rules_and_fills(drawn_pdf: bytes) -> None:
    page = pdf_to_layout(drawn_pdf).pages[0]
    assert set(page.segments) == {
        Segment(50, 120, 550, 120),
        Segment(50, 200, 250, 200),
        Segment(50, 300, 250, 300),
        Segment(50, 200, 50, 300),
        Segment(250, 200, 250, 300),
        Segment(300, 200.5, 500, 200.5),
    }
    assert page.fills == (Fill(300, 240, 500, 260),)


def test_chosen_pages_and_count(drawn_pdf: bytes) -> None:
    layout = pdf_to_layout(drawn_pdf, pages=[2])
    assert [p.number for p in layout.pages] == [2]
    assert [w.text for w in layout.pages[0].words] == ["Second", "page"]
    assert pdf_page_count(drawn_pdf) == 2


def test_page_has_text() -> None:
    assert page_has_text(Page(1, 100, 100, tuple(Word(t, 0, 0, 1, 1) for t in ("a", "b", "c"))))
    assert not page_has_text(Page(1, 100, 100, (Word("--", 0, 0, 1, 1), Word(".", 0, 0, 1, 1))))
    assert not page_has_text(Page(1, 100, 100, ()))


def test_encrypted_pdf() -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, encrypt="secret")
    canvas.drawString(100, 700, "confidential")
    canvas.save()
    with pytest.raises(EncryptedDocumentError):
        pdf_to_layout(buffer.getvalue())


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"PK\x03\x04 not a pdf at all",
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n",
    ],
    ids=["zero-bytes", "not-a-pdf", "zero-pages"],
)
def test_unreadable_inputs(data: bytes) -> None:
    with pytest.raises(UnreadableDocumentError):
        pdf_to_layout(data)
    with pytest.raises(UnreadableDocumentError):
        pdf_page_count(data)


def test_truncated_pdf(drawn_pdf: bytes) -> None:
    with pytest.raises(UnreadableDocumentError):
        pdf_to_layout(drawn_pdf[: len(drawn_pdf) // 2])


def test_page_out_of_range(drawn_pdf: bytes) -> None:
    with pytest.raises(UnreadableDocumentError, match="page 3 is out of range"):
        pdf_to_layout(drawn_pdf, pages=[3])


def test_500_pages_are_bounded() -> None:
    data = pages_pdf(500)
    assert pdf_page_count(data) == 500
    with pytest.raises(ResourceLimitError):
        pdf_to_layout(data, max_pages=200)
    (last,) = pdf_to_layout(data, pages=[500], max_pages=200).pages
    assert [w.text for w in last.words] == ["page", "500"]


def test_rules_inside_forms_curves_and_polylines() -> None:
    """Form XObjects drawn moved and scaled, a rounded fill, an open polyline, a white rule."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(72, HEIGHT - 60, "Forms and curves")
    canvas.beginForm("grid")
    canvas.line(0, 0, 100, 0)
    canvas.rect(0, 10, 50, 20, stroke=1, fill=0)
    canvas.endForm()
    canvas.saveState()
    canvas.translate(100, HEIGHT - 400)
    canvas.doForm("grid")
    canvas.restoreState()
    canvas.saveState()
    canvas.translate(300, HEIGHT - 400)
    canvas.scale(2, 2)
    canvas.doForm("grid")
    canvas.restoreState()
    canvas.setFillGray(0.8)
    canvas.roundRect(100, HEIGHT - 500, 200, 40, 6, stroke=0, fill=1)  # curves: a fill by its box
    path = canvas.beginPath()
    path.moveTo(100, HEIGHT - 600)
    path.lineTo(300, HEIGHT - 600)
    path.lineTo(300, HEIGHT - 700)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.setStrokeGray(1.0)
    canvas.line(50, HEIGHT - 750, 550, HEIGHT - 750)  # white on white: not a rule
    canvas.showPage()
    canvas.save()

    page = pdf_to_layout(buffer.getvalue()).pages[0]
    assert {tuple(round(v, 2) for v in (s.x0, s.top, s.x1, s.bottom)) for s in page.segments} == {
        (100, 400, 200, 400),  # the form's line, moved
        (100, 370, 150, 370),  # the form's box, moved
        (100, 390, 150, 390),
        (100, 370, 100, 390),
        (150, 370, 150, 390),
        (300, 400, 500, 400),  # the same form, moved and scaled twice
        (300, 340, 400, 340),
        (300, 380, 400, 380),
        (300, 340, 300, 380),
        (400, 340, 400, 380),
        (100, 600, 300, 600),  # the open polyline's two straight pieces
        (300, 600, 300, 700),
    }
    (fill,) = page.fills
    assert tuple(round(v, 2) for v in (fill.x0, fill.top, fill.x1, fill.bottom)) == (100, 460, 300, 500)
