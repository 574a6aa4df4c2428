"""Page images for OCR: PDF pages rendered with pypdfium2, image files loaded with Pillow.

Every entry point checks the bounds first (pages, pixels) from headers alone, so a decompression
bomb or a 300-page TIFF is refused before its pixels are decoded. Images come out grayscale (``L``).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.errors import EncryptedDocumentError, ResourceLimitError, UnreadableDocumentError

if TYPE_CHECKING:
    from PIL import Image

PDF_POINTS_PER_INCH = 72.0


@dataclass(frozen=True, slots=True)
class RasterLimits:
    """Bounds on what is decoded: pixels of one page and pages of one document."""

    max_pixels: int = 60_000_000  # an A4 page at 600 dpi is 35 Mpx; 10,000 x 10,000 is refused
    max_pages: int = 100


@dataclass(frozen=True, slots=True)
class PageImage:
    """One grayscale page image and the resolution it stands for (dots per inch)."""

    number: int
    image: Image.Image
    dpi: float


def sniff_image_kind(data: bytes) -> str | None:
    """``png``, ``jpeg``, ``tiff``, ``bmp`` or ``pdf`` from the leading bytes, else None."""
    if data.startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if data.startswith(b"BM"):
        return "bmp"
    return None


def image_page_count(data: bytes, limits: RasterLimits) -> int:
    """How many pages (frames) an image file holds, checked against the limits without decoding."""
    with _open_image(data) as img:
        count = int(getattr(img, "n_frames", 1))
        if count > limits.max_pages:
            raise ResourceLimitError(
                f"the image holds {count} pages; at most {limits.max_pages} are read per document"
            )
        return count


def image_to_page_images(
    data: bytes, limits: RasterLimits, first: int = 1, last: int | None = None
) -> Iterator[PageImage]:
    """Pages ``first..last`` (1-based, inclusive) of a PNG/JPEG/TIFF/BMP as grayscale page images."""
    from PIL import Image as PILImage

    count = image_page_count(data, limits)
    last = count if last is None else min(last, count)
    with _open_image(data) as img:
        for number in range(first, last + 1):
            img.seek(number - 1)
            width, height = img.size
            if width * height > limits.max_pixels:
                raise ResourceLimitError(
                    f"page {number} is {width} x {height} px; at most {limits.max_pixels:,} pixels are read"
                )
            dpi = _image_dpi(img)
            try:
                frame = img.convert("L")
            except (OSError, ValueError, PILImage.DecompressionBombError) as exc:
                raise UnreadableDocumentError(f"page {number} of the image cannot be decoded: {exc}") from exc
            yield PageImage(number, frame, dpi)


def pdf_page_count(data: bytes, limits: RasterLimits) -> int:
    """How many pages a PDF holds; encrypted and corrupt PDFs raise typed input errors."""
    pdf = _open_pdf(data)
    try:
        count = len(pdf)
    finally:
        pdf.close()
    if count > limits.max_pages:
        raise ResourceLimitError(
            f"the PDF holds {count} pages; at most {limits.max_pages} are read per document"
        )
    return count


def pdf_to_page_images(
    data: bytes, numbers: list[int], dpi: float, limits: RasterLimits
) -> Iterator[PageImage]:
    """The given 1-based pages of a PDF rendered grayscale at ``dpi`` (lowered to fit the pixel bound)."""
    pdf = _open_pdf(data)
    try:
        for number in numbers:
            page = pdf[number - 1]
            try:
                width_pt, height_pt = page.get_size()
                page_dpi = _dpi_within_limit(width_pt, height_pt, dpi, limits.max_pixels)
                bitmap = page.render(scale=page_dpi / PDF_POINTS_PER_INCH, grayscale=True)
                image = bitmap.to_pil().convert("L")
            finally:
                page.close()
            yield PageImage(number, image, page_dpi)
    finally:
        pdf.close()


def _dpi_within_limit(width_pt: float, height_pt: float, dpi: float, max_pixels: int) -> float:
    """``dpi``, or less when a page that large would exceed ``max_pixels`` (a poster-sized page)."""
    pixels = (width_pt * dpi / PDF_POINTS_PER_INCH) * (height_pt * dpi / PDF_POINTS_PER_INCH)
    if pixels <= max_pixels:
        return dpi
    return dpi * (max_pixels / pixels) ** 0.5 * 0.999


def _open_pdf(data: bytes):  # type: ignore[no-untyped-def]  # pypdfium2 ships no stubs for PdfDocument
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedDocumentError("the PDF is password-protected") from exc
        raise UnreadableDocumentError(f"the PDF cannot be opened: {exc}") from exc


def _open_image(data: bytes) -> Image.Image:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        # Opening reads the header only; pixel bounds are checked before anything is decoded, so
        # Pillow's own bomb warning (raised on open) says nothing the caller will not be told.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            img = PILImage.open(io.BytesIO(data))
    except PILImage.DecompressionBombError as exc:
        raise ResourceLimitError(f"the image is a decompression bomb: {exc}") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise UnreadableDocumentError(f"the image cannot be read: {exc}") from exc
    return img


def _image_dpi(img: Image.Image) -> float:
    """The resolution the image declares, 300 when it declares none or nonsense."""
    dpi = img.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return value if 50.0 <= value <= 1200.0 else 300.0
