"""Bad input gets a clear typed error (or a warning), never a hang, a traceback or a silent empty result.

A PDF without any statement table raises ``NoStatementFoundError`` (an ExtractionError: the
bytes were fine, there is just nothing to extract), not an empty statement.
"""

from __future__ import annotations

import io

import pytest
from reportlab.pdfgen.canvas import Canvas

from extract import ExtractOptions, statement_from_bytes
from extract.sniff import Kind, sniff_kind
from models.errors import (
    EncryptedDocumentError,
    NoStatementFoundError,
    ResourceLimitError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)


def _pdf(pages: int = 1, text: str = "Hello", encrypt: str | None = None) -> bytes:
    """A small text PDF made with reportlab."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, encrypt=encrypt)
    for n in range(pages):
        canvas.drawString(72, 720, f"{text} {n + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _statement_pdf() -> bytes:
    """A one-page borderless statement: header row and two lines."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 780, "Customer: Acme Trading Ltd")
    canvas.drawString(72, 766, "Statement Date: 30/09/2026")
    y = 700
    for row in (
        ("Date", "Reference", "Description", "Amount"),
        ("03/09/2026", "INV-0012345", "Goods delivered", "1,234.56"),
        ("17/09/2026", "PMT-7788", "Payment received", "(234.56)"),
    ):
        for x, text in zip((72, 150, 250, 450), row, strict=True):
            canvas.drawString(x, y, text)
        y -= 16
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _zero_page_pdf() -> bytes:
    """A well-formed PDF (with its xref table) whose page tree is empty."""
    objects = [b"<</Type /Catalog /Pages 2 0 R>>", b"<</Type /Pages /Kids [] /Count 0>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size 3 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_encrypted_pdf() -> None:
    with pytest.raises(EncryptedDocumentError):
        statement_from_bytes(_pdf(encrypt="secret"), "locked.pdf")


def test_truncated_pdf() -> None:
    data = _statement_pdf()
    with pytest.raises(UnreadableDocumentError):
        statement_from_bytes(data[: len(data) // 3], "truncated.pdf")


def test_corrupt_pdf() -> None:
    with pytest.raises(UnreadableDocumentError):
        statement_from_bytes(b"%PDF-1.7\n" + b"\x13garbage" * 200, "corrupt.pdf")


def test_zero_page_pdf() -> None:
    # PDFium refuses an empty page tree as a format error; either way: unreadable, clearly said.
    with pytest.raises(UnreadableDocumentError, match=r"no pages|cannot be read"):
        statement_from_bytes(_zero_page_pdf(), "empty.pdf")


def test_zero_byte_file() -> None:
    with pytest.raises(UnreadableDocumentError, match="empty"):
        statement_from_bytes(b"", "nothing.pdf")


def test_pdf_without_a_table() -> None:
    with pytest.raises(NoStatementFoundError, match="no table of statement lines"):
        statement_from_bytes(_pdf(text="Dear customer, please find our letter."), "letter.pdf")


def test_500_page_pdf_is_refused_over_the_page_limit() -> None:
    data = _pdf(pages=500, text="page")
    with pytest.raises(ResourceLimitError, match="500 pages"):
        statement_from_bytes(data, "long.pdf", ExtractOptions(max_pages=100))


def test_content_not_what_the_extension_says() -> None:
    # Content decides: an image named .pdf is sniffed as an image, a ZIP named .xlsx is refused.
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert sniff_kind(png) is Kind.image
    with pytest.raises(UnsupportedFormatError, match="not an XLSX"):
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        statement_from_bytes(buffer.getvalue(), "statement.xlsx")
    with pytest.raises(UnsupportedFormatError, match="binary"):
        statement_from_bytes(bytes(range(256)) * 4, "statement.csv")


def test_readable_content_under_the_wrong_extension_is_read_by_content_with_a_warning() -> None:
    statement = statement_from_bytes(_statement_pdf(), "statement.csv")
    assert statement.source.form == "digital_pdf"
    assert [str(ln.amount) for ln in statement.lines] == ["1234.56", "-234.56"]
    assert statement.warnings == ["the file name says csv but the content is pdf: read as pdf"]


def test_empty_csv_and_prose() -> None:
    with pytest.raises(UnreadableDocumentError, match="empty"):
        statement_from_bytes(b"", "empty.csv")
    with pytest.raises(UnsupportedFormatError, match="plain text"):
        statement_from_bytes(b"Just a note without any table at all.\n", "note.csv")
    with pytest.raises(NoStatementFoundError):
        statement_from_bytes(b"a,b\nc,d\n", "tiny.csv")


def test_legacy_xls_and_protected_office_files_are_refused_clearly() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(UnsupportedFormatError, match="legacy OLE document"):
        statement_from_bytes(ole, "statement.xls")
