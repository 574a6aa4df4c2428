"""OCR building blocks: token repair, balance validation, confidences, text-layer checks, bounds."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from PIL import Image

from extract.layout import Page, Word
from extract.ocr import data_to_words, engine_by_name
from extract.preprocess import (
    blobs_scaled,
    box_through,
    cap_to_ocr_scale,
    deskew,
    deskew_matrix,
    gray_to_despeckled,
    ink_to_rulings,
)
from extract.raster import RasterLimits, image_page_count, image_to_page_images, pdf_page_count
from extract.repair import (
    DOUBT,
    reference_to_shape,
    statement_to_repaired,
    token_to_repaired,
    word_to_header_word,
    words_to_clean,
    words_to_repaired,
)
from extract.scan import page_text_is_garbage
from models.errors import EncryptedDocumentError, ResourceLimitError, UnreadableDocumentError
from models.statement import Form, NormalizedStatement, Source, StatementLine


@pytest.mark.parametrize(
    ("read", "repaired"),
    [
        ("1,2O4.5O", "1,204.50"),
        ("l00.00", "100.00"),
        ("(5S6.45)", "(556.45)"),
        ("-§8.50", "-58.50"),
        ("O1/09/2026", "01/09/2026"),
        ("INV-10O0231", "INV-1000231"),
        ("INV1OO0231", "INV1000231"),
        ("103047.", "103047"),
        ("768,00:", "768,00"),
        # left alone: prefixes, month names, words, sign suffixes
        ("SO12345", "SO12345"),
        ("03-Sep-2026", "03-Sep-2026"),
        ("Boss", "Boss"),
        ("1,234.56CR", "1,234.56CR"),
        ("Ret.", "Ret."),
    ],
)
def test_token_repair_follows_the_expected_shape(read: str, repaired: str) -> None:
    assert token_to_repaired(read) == repaired


def test_a_swapped_character_costs_confidence_a_dropped_speck_does_not() -> None:
    words = words_to_repaired([Word("1,2O4.50", 0, 0, 50, 10, 0.95), Word("103047.", 60, 0, 100, 10, 0.95)])
    assert [(w.text, w.conf) for w in words] == [("1,204.50", DOUBT - 0.01), ("103047", 0.95)]


def test_debris_is_dropped_and_a_lone_minus_glued_back() -> None:
    words = [
        Word("~", 0, 0, 4, 10, 0.0),
        Word("|", 5, 0, 6, 10, 0.9),
        Word("-", 100, 0, 104, 10, 0.6),
        Word("2,743.38", 105, 0, 140, 10, 0.9),
        Word("BACS-8628__.", 200, 0, 250, 10, 0.5),
        Word("a", 300, 0, 305, 10, 0.1),
    ]
    assert [w.text for w in words_to_clean(words)] == ["-2,743.38", "BACS-8628__."]


def test_reference_shape() -> None:
    assert reference_to_shape("INV-0012345") == "AAA-9999999"


def _line(ref: str, amount: str, balance: str, conf: float = 0.96, day: int = 1) -> StatementLine:
    return StatementLine(
        date=dt.date(2026, 9, day),
        reference=ref,
        description="",
        amount=Decimal(amount),
        balance=Decimal(balance),
        confidence=conf,
        field_confidence={"date": conf, "reference": conf, "amount": conf},
    )


def _statement(lines: list[StatementLine], opening: str = "100.00") -> NormalizedStatement:
    return NormalizedStatement(
        source=Source(filename="x.png", form=Form.image, sha256="0" * 64),
        opening_balance=Decimal(opening),
        lines=lines,
    )


def test_balance_fixes_a_lost_decimal_point_and_keeps_the_line_for_review() -> None:
    statement = _statement(
        [
            _line("INV-0000101", "50.00", "150.00", day=1),
            _line("INV-0000102", "2550", "175.50", day=2),  # 25.50 with its point lost
            _line("INV-0000103", "10.00", "185.50", day=3),
            _line("INV-0000104", "-85.50", "100.00", day=4),
        ]
    )
    repaired = statement_to_repaired(statement)
    assert [ln.amount for ln in repaired.lines] == [Decimal(x) for x in ("50.00", "25.50", "10.00", "-85.50")]
    assert [ln.confidence >= DOUBT for ln in repaired.lines] == [True, False, True, True]


def test_a_line_the_balance_cannot_explain_ends_below_doubt() -> None:
    statement = _statement(
        [
            _line("INV-0000101", "50.00", "150.00", day=1),
            _line("INV-0000102", "77.00", "175.50", day=2),  # no single OCR slip explains it
            _line("INV-0000103", "10.00", "185.50", day=3),
        ]
    )
    repaired = statement_to_repaired(statement)
    assert repaired.lines[1].confidence < DOUBT
    assert any("needs review" in w for w in repaired.warnings)


def test_reference_repaired_toward_the_documents_shape() -> None:
    lines = [_line(f"INV-000010{i}", "10.00", f"{110 + 10 * i}.00", day=i + 1) for i in range(5)]
    lines[2] = _line("INV-OOO0102", "10.00", "130.00", day=3)
    repaired = statement_to_repaired(_statement(lines))
    assert repaired.lines[2].reference == "INV-0000102"
    assert repaired.lines[2].confidence < DOUBT


def test_a_doubtful_header_puts_every_line_up_for_review() -> None:
    statement = _statement([_line("INV-0000101", "50.00", "150.00")])
    assert statement_to_repaired(statement).lines[0].confidence >= DOUBT
    assert statement_to_repaired(statement, header_conf=0.5).lines[0].confidence < DOUBT


def test_garbage_text_layer_is_told_from_a_real_one() -> None:
    real = "Statement of Account Date Reference 01/09/2026 INV-0012345 Goods delivered 1,234.56 Balance"
    junk = "l1|; :,.rn ~Il1 0O8B ;;l| I|l! .,;: vv^ Il!: 0O0o |;| Iv1;l r0n. 8BlI ;I1'"
    assert not page_text_is_garbage(_page(real.split()))
    assert page_text_is_garbage(_page(junk.split()))


def _page(texts: list[str]) -> Page:
    words = tuple(Word(t, i * 40.0, 0.0, i * 40.0 + 30, 10.0) for i, t in enumerate(texts))
    return Page(1, 600.0, 800.0, words)


def test_tesseract_data_becomes_words_with_line_height_boxes() -> None:
    data = {
        "level": [4, 5, 5],
        "block_num": [1, 1, 1],
        "par_num": [1, 1, 1],
        "line_num": [1, 1, 1],
        "left": [10, 10, 60],
        "top": [100, 104, 100],
        "width": [120, 40, 70],
        "height": [30, 20, 30],
        "conf": ["-1", "96.5", "-1"],
        "text": ["", "INV-1", " "],
    }
    assert data_to_words(data) == [Word("INV-1", 10, 100, 50, 130, 0.965)]


def test_unknown_engine_is_named() -> None:
    with pytest.raises(ValueError, match="tesseract"):
        engine_by_name("abbyy")


# --- bad input: refused from headers alone, fast and with bounded memory ------------------------


def test_a_10000_px_square_image_is_refused() -> None:
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000), 1).save(buf, "PNG")
    with pytest.raises(ResourceLimitError, match="10000 x 10000"):
        next(image_to_page_images(buf.getvalue(), RasterLimits()))


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = _png_header(200_000, 200_000)  # 40 gigapixels announced in a few dozen bytes
    with pytest.raises(ResourceLimitError):
        next(image_to_page_images(bomb, RasterLimits()))


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def test_a_300_page_tiff_is_refused_with_its_page_count() -> None:
    frames = [Image.new("1", (16, 16), 1) for _ in range(300)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(ResourceLimitError, match="300 pages"):
        image_page_count(buf.getvalue(), RasterLimits())


def test_a_password_protected_pdf_is_an_encrypted_document() -> None:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, encrypt="secret")
    canvas.drawString(100, 700, "Statement of account")
    canvas.save()
    with pytest.raises(EncryptedDocumentError):
        pdf_page_count(buf.getvalue(), RasterLimits())


def test_a_truncated_image_is_unreadable() -> None:
    buf = io.BytesIO()
    Image.new("L", (400, 400), 200).save(buf, "PNG")
    with pytest.raises(UnreadableDocumentError):
        next(image_to_page_images(buf.getvalue()[:120], RasterLimits()))


def test_a_reference_takes_its_echo_in_the_description_and_stays_for_review() -> None:
    line = _line("ZN-2352", "-50.00", "50.00", conf=0.7).model_copy(update={"description": "Zahlung ZV-2352"})
    repaired = statement_to_repaired(_statement([line]))
    assert repaired.lines[0].reference == "ZV-2352"
    assert repaired.lines[0].confidence < DOUBT


@pytest.mark.parametrize(
    ("read", "conf", "header"),
    [("pate", 0.7, "Date"), ("sBallance", 0.0, "Balance"), ("rate", 0.95, "rate"), ("hose", 0.5, "hose")],
)
def test_doubtful_header_words_are_read_as_the_header_word(read: str, conf: float, header: str) -> None:
    assert word_to_header_word(read, conf) == header


def test_a_reference_with_a_letter_too_many_takes_its_echo_of_the_documents_shape() -> None:
    lines = [_line(f"WT{4000 + i}", "10.00", f"{110 + 10 * i}.00", day=i + 1) for i in range(5)]
    lines[2] = lines[2].model_copy(update={"reference": "W1T4002", "description": "Wire WT4002"})
    lines[2] = lines[2].model_copy(
        update={"field_confidence": {"date": 0.96, "reference": 0.7, "amount": 0.96}}
    )
    repaired = statement_to_repaired(_statement(lines))
    assert repaired.lines[2].reference == "WT4002"
    assert repaired.lines[2].confidence < DOUBT


def test_a_degree_sign_at_a_words_edge_is_debris() -> None:
    assert [w.text for w in words_to_clean([Word("INV-0012333°", 0, 0, 90, 10, 0.9)])] == ["INV-0012333"]


def _ink_page() -> np.ndarray[Any, Any]:
    """A white 300 x 1000 page with a '1.5'-like digit pair and its point, a lone speck, a boxed bar."""
    page = np.full((1000, 300), 255, np.uint8)
    page[40:60, 40:46] = 0  # a digit stroke, 20 px caps
    page[56:60, 50:54] = 0  # the decimal point beside it
    page[40:60, 58:64] = 0  # the next digit
    page[120:122, 200:202] = 0  # a lone speck, far from any glyph
    page[140:186, 100:103] = 0  # a vertical bar 46 px tall: the edge of a boxed header
    return page


def test_isolated_specks_are_removed_and_decimal_points_kept() -> None:
    clean = gray_to_despeckled(_ink_page(), cap_height=20.0)
    assert clean[120:122, 200:202].min() == 255
    assert clean[56:60, 50:54].max() == 0
    assert clean[40:60, 40:46].max() == 0


def test_short_vertical_rules_are_found_when_several_caps_tall() -> None:
    ink = 255 - _ink_page()
    assert ink_to_rulings(ink).vertical == ()
    (bar,) = ink_to_rulings(ink, min_vertical_px=40).vertical
    assert bar[0] <= 100 and bar[2] >= 103 and bar[1] <= 141 and bar[3] >= 185


@pytest.mark.parametrize(
    ("cap", "scale"), [(27.0, 20 / 27), (21.0, 1.0), (19.5, 1.0), (12.0, 20 / 12), (4.0, 2.5), (None, 1.0)]
)
def test_ocr_scale_brings_capitals_to_20_px_and_leaves_near_misses(cap: float | None, scale: float) -> None:
    assert cap_to_ocr_scale(cap) == pytest.approx(scale)


def test_deskew_matrix_maps_a_mark_to_where_the_warp_puts_it() -> None:
    page = np.full((400, 300), 255, np.uint8)
    page[100:104, 200:204] = 0
    turned = deskew(page, 2.0, 0.7)
    ys, xs = np.nonzero(turned < 128)
    x0, top, x1, bottom = box_through((200, 100, 204, 104), deskew_matrix(300, 400, 2.0, 0.7), 210, 280)
    assert turned.shape == (280, 210)
    assert x0 - 1 <= xs.min() and xs.max() <= x1 + 1 and top - 1 <= ys.min() and ys.max() <= bottom + 1


def test_half_resolution_blobs_come_back_in_page_pixels_and_turn_with_the_page() -> None:
    blobs = np.array([[10, 20, 3, 7, 15]])
    assert blobs_scaled(blobs, 2).tolist() == [[20, 40, 6, 14, 60]]
    assert blobs_scaled(blobs, 2, transpose=True).tolist() == [[40, 20, 14, 6, 60]]
