"""What a document is, told from its bytes (magic numbers and text shape), never from its name."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EMAIL = "message/rfc822"
HTML = "text/html"
CSV = "text/csv"
TEXT = "text/plain"

SUPPORTED_CONTENT_TYPES = frozenset({PDF, PNG, JPEG, TIFF, XLSX, EMAIL, HTML, CSV, TEXT})

_HEAD_BYTES = 8192
# RFC 5322 header names that open real messages (a .eml file, or one saved from a mail client).
_EMAIL_HEADER = re.compile(
    r"(?im)^(from|to|subject|date|received|return-path|delivered-to|message-id|mime-version"
    r"|content-type|x-[a-z0-9-]+):[ \t]"
)
_HTML_START = re.compile(r"(?is)^\s*(<!doctype\s+html|<html|<head|<body|<table|<meta|<div|<!--)")
_CSV_DELIMITERS = (",", ";", "\t", "|")
# Formats arrecon does not read whose headers happen to be printable ASCII: not to be taken for text.
_OTHER_MAGIC = (b"GIF87a", b"GIF89a", b"\x7fELF", b"7z\xbc\xaf", b"\x1f\x8b", b"\xd0\xcf\x11\xe0", b"Rar!",
                b"OggS", b"{\\rtf")


def sniff_content_type(data: bytes) -> str | None:
    """The MIME type of a document arrecon reads, from its content; ``None`` when it reads none of them."""
    head = data[:_HEAD_BYTES]
    # PDF readers accept the header anywhere in the first KiB; some ERPs prepend junk.
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"PK\x03\x04"):
        return XLSX if _is_xlsx(data) else None
    if head.startswith(_OTHER_MAGIC):
        return None
    text = _head_as_text(head)
    if text is None:
        return None
    return _text_kind(text)


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)


def _head_as_text(head: bytes) -> str | None:
    """The first bytes decoded as text, or ``None`` when they look binary."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        even = head[: len(head) - len(head) % 2]
        try:
            return even.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    # Incremental decoding tolerates a multi-byte character cut at the end of the head.
    try:
        text: str = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        text = head.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if not text.strip() or controls > len(text) // 100:
        return None
    return text


def _text_kind(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if _HTML_START.match(stripped):
        return HTML
    lines = [line for line in stripped.splitlines() if line.strip()]
    if lines and _EMAIL_HEADER.match(lines[0]) and sum(bool(_EMAIL_HEADER.match(x)) for x in lines[:30]) >= 2:
        return EMAIL
    if _looks_delimited(lines[:20]):
        return CSV
    return TEXT


def _looks_delimited(lines: list[str]) -> bool:
    """At least two lines and most of them split into the same number (>1) of fields."""
    if len(lines) < 2:
        return False
    for delimiter in _CSV_DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        common = max(set(counts), key=counts.count)
        if common >= 1 and counts.count(common) >= max(2, (len(lines) * 2) // 3):
            return True
    return False
