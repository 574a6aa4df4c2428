"""What a document is, as a MIME type, told from its bytes by extraction's own sniffing.

Intake accepts exactly what ``extract.sniff.sniff_kind`` can read, so nothing is accepted at the
door that extraction would refuse later; this module only names the kind as a MIME type.
"""

from __future__ import annotations

from extract.sniff import Kind, sniff_kind
from models.errors import InputError, UnsupportedFormatError

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
EMAIL = "message/rfc822"
HTML = "text/html"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
BMP = "image/bmp"
GIF = "image/gif"
WEBP = "image/webp"

SUPPORTED_CONTENT_TYPES = frozenset({PDF, XLSX, CSV, EMAIL, HTML, PNG, JPEG, TIFF, BMP, GIF, WEBP})
_OF_KIND = {Kind.pdf: PDF, Kind.xlsx: XLSX, Kind.csv: CSV, Kind.email: EMAIL, Kind.html: HTML}
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"II*\x00", TIFF), (b"MM\x00*", TIFF),
                (b"GIF87a", GIF), (b"GIF89a", GIF), (b"BM", BMP), (b"RIFF", WEBP))


def sniff_content_type(data: bytes) -> str:
    """The MIME type of a document arrecon reads; ``UnsupportedFormatError`` saying why otherwise."""
    try:
        kind = sniff_kind(data)
    except UnsupportedFormatError:
        raise
    except InputError as exc:
        # Empty or a corrupt container: at the door either way it is not a document arrecon reads.
        raise UnsupportedFormatError(str(exc)) from exc
    if kind != Kind.image:
        return _OF_KIND[kind]
    return next((mime for magic, mime in _IMAGE_MAGIC if data.startswith(magic)), "application/octet-stream")
