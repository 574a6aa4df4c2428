"""Page OCR with the real tesseract on small rendered pages: orientation, skew, cache, processes,
time limit, blank and scribbled pages. Pages are cut to a few table rows to keep OCR quick."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas

from extract import preprocess as pp
from extract.layout import Word
from extract.ocr import OcrSettings, TesseractEngine, data_to_words, tessdata_dir, tsv_to_data
from extract.raster import PageImage, RasterLimits, pdf_to_page_images
from extract.scan import ScanOptions, image_to_scan, page_image_to_scanned
from models.errors import ExtractionError, ResourceLimitError

pytestmark = pytest.mark.ocr

ROWS = [
    ("01/09/2026", "INV-0012345", "Goods delivered", "1,234.56"),
    ("05/09/2026", "INV-0012346", "Freight charge", "80.00"),
    ("12/09/2026", "CN-0000417", "Credit note returns", "-45.50"),
]


@pytest.fixture(scope="module")
def table_image() -> Image.Image:
    """A 300 dpi grayscale picture of a three-row statement table (header included)."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(420, 110))
    canvas.setFont("Helvetica-Bold", 9)
    for x, text in zip((10, 80, 170, 330), ("Date", "Reference", "Description", "Amount"), strict=True):
        canvas.drawString(x, 90, text)
    canvas.setFont("Helvetica", 9)
    for i, row in enumerate(ROWS):
        for x, text in zip((10, 80, 170, 330), row, strict=True):
            canvas.drawString(x, 70 - 18 * i, text)
    canvas.save()
    page = next(pdf_to_page_images(buf.getvalue(), [1], 300.0, RasterLimits()))
    return page.image


def _texts(image: Image.Image) -> list[str]:
    scanned = page_image_to_scanned(PageImage(1, image, 300.0), TesseractEngine(), OcrSettings())
    return [w.text for w in sorted(scanned.page.words, key=lambda w: (round(w.top / 20), w.x0))]


def test_words_come_with_pixel_boxes_and_confidences(table_image: Image.Image) -> None:
    scanned = page_image_to_scanned(PageImage(1, table_image, 300.0), TesseractEngine(), OcrSettings())
    texts = {w.text for w in scanned.page.words}
    assert {"INV-0012345", "1,234.56", "-45.50", "05/09/2026"} <= texts
    assert all(0.0 <= w.conf <= 1.0 and w.x0 < w.x1 <= table_image.width for w in scanned.page.words)


def test_a_sideways_page_is_turned_upright(table_image: Image.Image) -> None:
    sideways = table_image.rotate(90, expand=True, fillcolor=255)
    scanned = page_image_to_scanned(PageImage(1, sideways, 300.0), TesseractEngine(), OcrSettings())
    assert scanned.rotation in (90, 270)
    assert "INV-0012346" in {w.text for w in scanned.page.words}


def test_skew_is_measured_and_removed(table_image: Image.Image) -> None:
    canvas = Image.new("L", (table_image.width + 200, table_image.height + 200), 255)
    canvas.paste(table_image, (100, 100))
    skewed = np.asarray(canvas.rotate(1.5, resample=Image.Resampling.BICUBIC, fillcolor=255))
    angle = pp.ink_to_skew(pp.gray_to_ink(skewed))
    assert angle == pytest.approx(-1.5, abs=0.15)


def test_a_blank_page_is_a_warning_not_an_error() -> None:
    scanned = page_image_to_scanned(
        PageImage(1, Image.new("L", (800, 1000), 250), 300.0), TesseractEngine(), OcrSettings()
    )
    assert scanned.page.words == ()
    assert scanned.warnings == ("page 1: blank, no text found",)


def test_faint_print_beside_a_dark_scan_edge_is_read_not_taken_for_blank(table_image: Image.Image) -> None:
    # Faded print (grey on light paper) on a large sheet whose scan has a dark edge: the edge
    # pulls Otsu's page-wide threshold below the print, which then looks like a blank page.
    faint = np.asarray(table_image, dtype=np.float64)
    faint = (235 - (255 - faint) * 0.25).astype(np.uint8)
    sheet = np.full((1800, 2200), 235, np.uint8)
    sheet[:, :15] = 40  # under 1% of the page: alone, it would pass for a blank page
    sheet[700 : 700 + faint.shape[0], 200 : 200 + faint.shape[1]] = faint
    scanned = page_image_to_scanned(
        PageImage(1, Image.fromarray(sheet), 300.0), TesseractEngine(), OcrSettings()
    )
    assert "blank" not in " ".join(scanned.warnings)
    assert "INV-0012345" in [w.text for w in scanned.page.words]


def test_a_scribbled_page_is_reported_as_doubtful() -> None:
    rng = np.random.default_rng(4)
    image = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(image)
    for row in range(8):  # handwriting-like words: short looping strokes along lines
        y = 80 + row * 100
        x = 60.0
        while x < 1050:
            length = int(rng.integers(6, 16))
            points = [(x + k * 7, y + 16 * np.sin(k * 1.3 + rng.uniform(0, 2))) for k in range(length)]
            draw.line(points, fill=20, width=3)
            x += length * 7 + rng.uniform(25, 50)
    scanned = page_image_to_scanned(PageImage(1, image, 300.0), TesseractEngine(), OcrSettings())
    assert scanned.warnings
    assert "unsure" in scanned.warnings[0] or "no words" in scanned.warnings[0]


def _tiff(pages: list[Image.Image]) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], dpi=(300, 300))
    return buf.getvalue()


def test_cache_answers_a_second_read_and_is_keyed_by_settings(
    table_image: Image.Image, tmp_path: Path
) -> None:
    data = _tiff([table_image])
    first = image_to_scan(data, ScanOptions(processes=1, cache_dir=tmp_path))
    second = image_to_scan(data, ScanOptions(processes=1, cache_dir=tmp_path))
    assert [p.cached for p in first.pages] == [False]
    assert [p.cached for p in second.pages] == [True]
    assert second.layout == first.layout
    other_language = image_to_scan(data, ScanOptions(processes=1, cache_dir=tmp_path, lang="eng+osd"))
    assert [p.cached for p in other_language.pages] == [False]


def test_two_processes_read_what_one_reads(table_image: Image.Image) -> None:
    data = _tiff(
        [
            table_image,
            table_image.transpose(Image.Transpose.FLIP_TOP_BOTTOM).transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        ]
    )
    one = image_to_scan(data, ScanOptions(processes=1))
    two = image_to_scan(data, ScanOptions(processes=2))
    assert two.layout == one.layout
    assert [p.page.number for p in two.pages] == [1, 2]
    assert two.pages[1].rotation == 180


def test_the_time_limit_marks_the_document_for_review(table_image: Image.Image) -> None:
    data = _tiff([table_image] * 3)
    # Far below what three pages take (each tesseract call alone starts in ~0.05 s).
    result = image_to_scan(data, ScanOptions(processes=2, time_limit_s=0.05))
    assert result.timed_out
    assert "the document needs review" in result.warnings[-1]


def test_the_engine_reads_in_process_within_its_time_limit(table_image: Image.Image) -> None:
    engine = TesseractEngine()
    words = engine.image_to_words(table_image, OcrSettings())
    assert {"INV-0012345", "1,234.56"} <= {w.text for w in words}
    with pytest.raises(ResourceLimitError, match="longer than"):
        engine.image_to_words(table_image, OcrSettings(timeout_s=0.0001))
    with pytest.raises(ExtractionError, match="cannot load language 'xx'"):
        engine.image_to_words(table_image, OcrSettings(lang="xx"))
    assert engine.version().startswith("tesseract-5.")


def test_tesseract_tsv_becomes_columns() -> None:
    tsv = (
        "1\t1\t0\t0\t0\t0\t0\t0\t400\t100\t-1\t\n"
        "4\t1\t1\t1\t1\t0\t10\t20\t200\t30\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t22\t80\t26\t96.5\tINV 1\n"
    )
    data = tsv_to_data(tsv)
    assert data["level"] == ["1", "4", "5"] and data["text"] == ["", "", "INV 1"]
    assert data_to_words(data) == [Word("INV 1", 10, 20, 90, 50, 0.965)]


def test_tessdata_prefix_points_at_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    tessdata_dir.cache_clear()
    monkeypatch.setenv("TESSDATA_PREFIX", "/opt/models")
    try:
        assert tessdata_dir() == "/opt/models/"
    finally:
        tessdata_dir.cache_clear()
