"""What a document is, sniffed from its bytes (magic numbers and content), never from its name.

``sniff_kind`` tells PDF, XLSX, CSV / delimited text, image (PNG, JPEG, TIFF, BMP, GIF, WebP),
email (RFC 822 / MIME) and HTML apart and raises ``UnsupportedFormatError`` for anything else
(other ZIP documents, legacy OLE ``.xls`` / ``.doc``, binary data, prose without a table).
"""

from __future__ import annotations

import io
import re
import zipfile
from enum import StrEnum

from models.errors import UnreadableDocumentError, UnsupportedFormatError

__all__ = ["Kind", "decode_text", "extension_kind", "sniff_kind"]


class Kind(StrEnum):
    """The content kinds arrecon tells apart."""

    pdf = "pdf"
    xlsx = "xlsx"
    csv = "csv"
    image = "image"
    email = "email"
    html = "html"


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF87a", b"GIF89a")
_EMAIL_HEADER = re.compile(rb"^(?:[A-Za-z][A-Za-z0-9-]*):[ \t]", re.M)
_EMAIL_KEYS = (b"from:", b"subject:", b"mime-version:", b"content-type:", b"received:", b"message-id:")
_EXTENSIONS = {
    "pdf": Kind.pdf,
    "xlsx": Kind.xlsx,
    "xlsm": Kind.xlsx,
    "csv": Kind.csv,
    "tsv": Kind.csv,
    "txt": Kind.csv,
    "png": Kind.image,
    "jpg": Kind.image,
    "jpeg": Kind.image,
    "tif": Kind.image,
    "tiff": Kind.image,
    "eml": Kind.email,
    "msg": Kind.email,
    "html": Kind.html,
    "htm": Kind.html,
}


def extension_kind(filename: str) -> Kind | None:
    """The kind a file name's extension claims (only for messages and directory listings)."""
    _, dot, ext = filename.rpartition(".")
    return _EXTENSIONS.get(ext.lower()) if dot else None


def decode_text(data: bytes) -> str:
    """``data`` decoded as UTF-8 (with or without BOM), else cp1252; raises when it is binary."""
    if b"\x00" in data[:4096]:
        raise UnsupportedFormatError("binary content that is neither PDF, XLSX nor an image")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # every byte sequence decodes; cp1252 leaves only 5 bytes undefined


def _zip_kind(data: bytes) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise UnreadableDocumentError(
            f"a ZIP container that cannot be opened (corrupt or truncated): {exc}"
        ) from exc
    if any(n.startswith("xl/") for n in names):
        return Kind.xlsx
    if any(n.startswith("word/") for n in names):
        raise UnsupportedFormatError("a Word document (.docx); send the statement as PDF, XLSX or CSV")
    raise UnsupportedFormatError("a ZIP archive that is not an XLSX workbook")


def _text_kind(data: bytes) -> Kind:
    head = data[:8192]
    lowered = head.lower().lstrip()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<table" in lowered[:4096]:
        return Kind.html
    header_part = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if _EMAIL_HEADER.match(header_part) and sum(k in header_part.lower() for k in _EMAIL_KEYS) >= 2:
        return Kind.email
    text = decode_text(data[:65536])
    lines = [ln for ln in text.splitlines() if ln.strip()]
    delimited = sum(1 for ln in lines[:200] if any(ln.count(d) >= 1 for d in ",;\t|"))
    if len(lines) >= 2 and delimited >= 2:
        return Kind.csv
    raise UnsupportedFormatError("plain text without a delimited table (not CSV)")


def sniff_kind(data: bytes) -> Kind:
    """The content kind of ``data``; raises UnreadableDocumentError (empty) or UnsupportedFormatError."""
    if not data:
        raise UnreadableDocumentError("the file is empty (zero bytes)")
    if b"%PDF-" in data[:1024]:
        return Kind.pdf
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # the OLE container also wraps password-protected XLSX files
        raise UnsupportedFormatError(
            "a legacy OLE document (.xls / .doc / .msg) or a password-protected Office file; "
            "save it unprotected as XLSX or PDF"
        )
    if data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return Kind.image
    return _text_kind(data)
