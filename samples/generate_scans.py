"""Writes the scanned samples from the digital sample PDFs: ``python samples/generate_scans.py``.

Each scan is a digital sample rendered with pypdfium2 and degraded the way paper gets degraded
(speckle, blur, skew, JPEG artifacts, a 90 degree turn, 200 dpi, a phone photo's perspective and
uneven light, a fax-like 1-bit TIFF), saved as an image-only PDF, PNG/JPEG, a multi-page TIFF, a
mixed PDF (text pages and scanned pages) or a scan under a garbage text layer. Its
``.expected.json`` is the digital sample's truth with the new file name, form and hash: the same
lines. Seeded: the same code writes the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

ROOT = Path(__file__).resolve().parent
DEFAULT_DIGITAL = ROOT
DEFAULT_OUT = ROOT / "scanned"
MAX_BYTES = 600_000

Gray = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Degrade:
    """How paper and scanner spoil a page: degrees of skew (ccw +), speckle, blur, light."""

    skew: float = 0.0
    speckle: float = 0.0  # fraction of pixels flipped to ink or paper
    blur: float = 0.0  # gaussian sigma in pixels
    grain: float = 0.0  # gaussian noise sigma in grey levels
    turn: int = 0  # clockwise quarter turns of the whole page (a sheet fed sideways)
    perspective: float = 0.0  # corner displacement as a fraction of the page (phone photo)
    shading: float = 0.0  # darkening towards one corner (phone photo light fall-off)


@dataclass(frozen=True)
class ScanSpec:
    """One scanned sample: its source, output name and kind, resolution and degradation."""

    source: str  # stem of the digital sample
    name: str  # output file name
    kind: str  # pdf | png | jpeg | tiff | mixed | garbage
    dpi: int
    degrade: Degrade
    quality: int = 60
    text_pages: tuple[int, ...] = ()  # mixed: pages kept as digital text
    seed: int = 0


SCANS: tuple[ScanSpec, ...] = (
    ScanSpec(
        "acme-2026-09",
        "acme-2026-09-scan-200dpi.pdf",
        "pdf",
        200,
        Degrade(skew=0.8, speckle=0.0005, blur=0.5),
        quality=45,
        seed=1,
    ),
    ScanSpec(
        "borealis-2026-09",
        "borealis-2026-09-skewed.pdf",
        "pdf",
        300,
        Degrade(skew=-1.9, speckle=0.0004, blur=0.8, grain=2),
        quality=35,
        seed=2,
    ),
    ScanSpec(
        "borealis-2026-09", "borealis-2026-09-scan.png", "png", 300, Degrade(skew=0.3, speckle=0.0005), seed=3
    ),
    ScanSpec(
        "cedar-2026-09",
        "cedar-2026-09-sideways.jpg",
        "jpeg",
        300,
        Degrade(turn=1, skew=0.4, speckle=0.0004, blur=0.8),
        quality=35,
        seed=4,
    ),
    ScanSpec(
        "elbe-2026-09",
        "elbe-2026-09-200dpi.pdf",
        "pdf",
        200,
        Degrade(skew=1.2, speckle=0.0005, blur=0.5),
        quality=45,
        seed=5,
    ),
    ScanSpec(
        "fjord-2026-09",
        "fjord-2026-09-phone.jpg",
        "jpeg",
        300,
        Degrade(skew=1.5, perspective=0.02, shading=0.3, blur=1.0, grain=2),
        quality=35,
        seed=6,
    ),
    ScanSpec(
        "kestrel-2026-09",
        "kestrel-2026-09-fax.tiff",
        "tiff",
        200,
        Degrade(skew=-0.7, speckle=0.0005, blur=0.4),
        seed=7,
    ),
    ScanSpec(
        "dunmore-2026-09",
        "dunmore-2026-09-mixed.pdf",
        "mixed",
        300,
        Degrade(skew=-0.5, speckle=0.0004, blur=0.8),
        quality=35,
        text_pages=(1, 3),
        seed=8,
    ),
    ScanSpec(
        "lumen-2026-09",
        "lumen-2026-09-bad-ocr-layer.pdf",
        "garbage",
        300,
        Degrade(skew=0.6, speckle=0.0004, blur=0.8),
        quality=35,
        seed=9,
    ),
)


# --- degradation ------------------------------------------------------------------------------


def render(pdf: pdfium.PdfDocument, index: int, dpi: int) -> Gray:
    """Page ``index`` (0-based) rendered grayscale at ``dpi``."""
    page = pdf[index]
    try:
        return np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"), dtype=np.uint8)
    finally:
        page.close()


def degrade(gray: Gray, d: Degrade, rng: np.random.Generator) -> Gray:
    """The page as a scanner or a phone would deliver it."""
    img = gray.astype(np.float32)
    h, w = img.shape
    if d.skew:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), d.skew, 1.0)
        # a photo shows the table top around the sheet; a scanner bed shows white
        surround = 90 if d.perspective else 255
        img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=surround)
    if d.perspective:
        p = d.perspective
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        jitter = rng.uniform(0.3, 1.0, size=(4, 2)) * p * np.float32([w, h])
        dst = np.float32(
            [
                [jitter[0, 0], jitter[0, 1]],
                [w - jitter[1, 0], jitter[1, 1] * 0.4],
                [w - jitter[2, 0] * 0.5, h - jitter[2, 1]],
                [jitter[3, 0] * 0.3, h - jitter[3, 1] * 0.6],
            ]
        )
        img = cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=90)
    if d.shading:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        fall = 1.0 - d.shading * ((xx / w) * 0.6 + (yy / h) * 0.4)
        img = img * fall + 25 * (1 - fall)  # paper darkens towards one corner, ink stays dark
    if d.blur:
        img = cv2.GaussianBlur(img, (0, 0), d.blur)
    if d.grain:
        img = img + rng.normal(0, d.grain, img.shape).astype(np.float32)
    if d.speckle:
        flips = rng.random(img.shape) < d.speckle
        dark = flips & (rng.random(img.shape) < 0.7)
        img[dark] = 40  # dust and toner specks
        img[flips & ~dark] = 230  # drop-outs inside strokes
    out = np.clip(img, 0, 255).astype(np.uint8)
    if d.turn:
        out = np.ascontiguousarray(np.rot90(out, -d.turn))
    return out


def jpeg_bytes(gray: Gray, quality: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True, progressive=True)
    return buf.getvalue()


# --- containers -------------------------------------------------------------------------------


def images_to_pdf(
    jpegs: list[bytes],
    sizes_pt: list[tuple[float, float]],
    garbage: list[list[tuple[str, float, float, float]]] | None = None,
) -> bytes:
    """An image-only PDF (one grayscale JPEG per page), optionally under an invisible text layer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=1)
    for i, (jpeg, (w, h)) in enumerate(zip(jpegs, sizes_pt, strict=True)):
        c.setPageSize((w, h))
        c.drawImage(ImageReader(io.BytesIO(jpeg)), 0, 0, width=w, height=h)
        if garbage:
            text = c.beginText()
            text.setTextRenderMode(3)  # invisible, as OCR layers are
            for word, x, y, size in garbage[i]:
                text.setFont("Helvetica", size)
                text.setTextOrigin(x, y)
                text.textOut(word)
            c.drawText(text)
        c.showPage()
    c.save()
    return buf.getvalue()


def garble(word: str, rng: np.random.Generator) -> str:
    """A word as a bad OCR engine might have read it: most characters swapped for junk."""
    junk = "Il1|!;:.,'`~^rnmvwcoe0O8B"
    return "".join(junk[int(rng.integers(len(junk)))] if rng.random() < 0.6 else ch for ch in word)


def text_layer(
    pdf: pdfium.PdfDocument, index: int, rng: np.random.Generator
) -> list[tuple[str, float, float, float]]:
    """The page's words, garbled, at their positions (PDF points from the bottom-left)."""
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        out = []
        for k in range(textpage.count_rects()):
            x0, bottom, x1, top = textpage.get_rect(k)
            words = textpage.get_text_bounded(x0, bottom, x1, top).split()
            step = (x1 - x0) / max(1, len(words))
            for j, word in enumerate(words):
                out.append((garble(word, rng), x0 + j * step, bottom + 1, max(4.0, (top - bottom) * 0.8)))
        return out
    finally:
        page.close()


def mixed_pdf(digital: bytes, scanned: bytes, text_pages: tuple[int, ...], count: int) -> bytes:
    """A PDF whose pages in ``text_pages`` come from the digital file, the others from the scanned one."""
    out = pdfium.PdfDocument.new()
    src_text, src_scan = pdfium.PdfDocument(digital), pdfium.PdfDocument(scanned)
    for number in range(1, count + 1):
        source = src_text if number in text_pages else src_scan
        out.import_pages(source, [number - 1])
    buf = io.BytesIO()
    out.save(buf)
    # PDFium writes a random file /ID and the clock's creation date; fixed values of the same
    # length (the xref offsets stay right) keep the sample reproducible.
    fixed = hashlib.md5(digital + scanned).hexdigest().upper().encode()
    data = re.sub(
        rb"/ID\[<[0-9A-F]{32}><[0-9A-F]{32}>\]", b"/ID[<" + fixed + b"><" + fixed + b">]", buf.getvalue()
    )
    return re.sub(
        rb"/CreationDate\(D:\d{14}[+-]\d\d'\d\d'\)", b"/CreationDate(D:20261001000000+00'00')", data
    )


def tiff_bytes(pages: list[Gray], dpi: int) -> bytes:
    """A multi-page, 1-bit CCITT G4 TIFF: a fax."""
    images = [Image.fromarray(np.where(p > 150, 255, 0).astype(np.uint8)).convert("1") for p in pages]
    buf = io.BytesIO()
    images[0].save(buf, "TIFF", compression="group4", dpi=(dpi, dpi), save_all=True, append_images=images[1:])
    return buf.getvalue()


# --- one sample -------------------------------------------------------------------------------


def scan_to_bytes(spec: ScanSpec, digital: bytes) -> tuple[bytes, str]:
    """The scanned file and its form (``scanned_pdf`` or ``image``)."""
    rng = np.random.default_rng(spec.seed)
    pdf = pdfium.PdfDocument(digital)
    count = len(pdf)
    sizes = [tuple(pdf[i].get_size()) for i in range(count)]
    pages = [degrade(render(pdf, i, spec.dpi), spec.degrade, rng) for i in range(count)]
    writers: dict[str, Callable[[], tuple[bytes, str]]] = {
        "pdf": lambda: (
            images_to_pdf([jpeg_bytes(p, spec.quality, spec.dpi) for p in pages], sizes),
            "scanned_pdf",
        ),
        "jpeg": lambda: (jpeg_bytes(pages[0], spec.quality, spec.dpi), "image"),
        "png": lambda: (_png(pages[0], spec.dpi), "image"),
        "tiff": lambda: (tiff_bytes(pages, spec.dpi), "image"),
        "mixed": lambda: (
            mixed_pdf(
                digital,
                images_to_pdf([jpeg_bytes(p, spec.quality, spec.dpi) for p in pages], sizes),
                spec.text_pages,
                count,
            ),
            "scanned_pdf",
        ),
        "garbage": lambda: (
            images_to_pdf(
                [jpeg_bytes(p, spec.quality, spec.dpi) for p in pages],
                sizes,
                [text_layer(pdf, i, rng) for i in range(count)],
            ),
            "scanned_pdf",
        ),
    }
    if spec.kind in ("jpeg", "png") and count != 1:
        raise SystemExit(f"{spec.name}: single-image kinds need a one-page source, {spec.source} has {count}")
    return writers[spec.kind]()


def _png(gray: Gray, dpi: int) -> bytes:
    # A 4-level palette keeps a 300 dpi page well under the size bound and still looks scanned.
    quant = (np.round(gray / 85.0) * 85).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(quant).save(buf, "PNG", optimize=True, dpi=(dpi, dpi), bits=2)
    return buf.getvalue()


def write_scan(spec: ScanSpec, digital_dir: Path, out: Path) -> str:
    """Write one scanned sample and its ``.expected.json``; returns a summary line."""
    digital = (digital_dir / f"{spec.source}.pdf").read_bytes()
    truth = json.loads((digital_dir / f"{spec.source}.expected.json").read_text(encoding="utf-8"))
    content, form = scan_to_bytes(spec, digital)
    if len(content) > MAX_BYTES:
        raise SystemExit(f"{spec.name}: {len(content):,} bytes, over the {MAX_BYTES:,} byte bound")
    (out / spec.name).write_bytes(content)
    truth["source"] = {"filename": spec.name, "form": form, "sha256": hashlib.sha256(content).hexdigest()}
    stem = spec.name.rsplit(".", 1)[0]
    (out / f"{stem}.expected.json").write_text(
        json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return f"{spec.name:36} {form:12} {spec.dpi} dpi {len(content) / 1024:7.1f} KB  from {spec.source}.pdf"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digital", type=Path, default=DEFAULT_DIGITAL, help="folder of the digital samples")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the scans into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for spec in SCANS:
        print(write_scan(spec, args.digital, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
