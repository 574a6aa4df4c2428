"""Scanned pages -> ``Layout``: page images cleaned up and OCR'd into ``Word``s with pixel boxes.

Pages are OCR'd in parallel worker processes (one page image in memory per worker), each page's
result is cached under a key of its pixels' hash + every setting that changes the output, and a
per-document time limit stops OCR with a warning (the document goes to review) instead of hanging.
Coordinates are pixels of the upright, deskewed page at the resolution it was rendered/loaded at.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extract.layout import Layout, Page, Segment, Word
from extract.ocr import OcrEngine, OcrSettings, engine_by_name
from extract.raster import (
    PDF_POINTS_PER_INCH,
    PageImage,
    RasterLimits,
    image_page_count,
    image_to_page_images,
    pdf_page_count,
    pdf_to_page_images,
)
from extract.repair import words_to_repaired
from models.errors import ResourceLimitError

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

# Bumped whenever preprocessing changes what OCR sees, so stale cache entries are never reused.
PIPELINE_VERSION = "scan-10"
# Median-filter pages before OCR (off: on 200 dpi serif text it eats thin strokes; debris is
# cleaned from the words instead, see extract.repair.words_to_clean).
DENOISE = False
# Mean word confidence under which a page is reported as doubtful (handwriting, a poor scan).
DOUBTFUL_PAGE_CONF = 0.6


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How scanned pages are read: render resolution, workers, cache, time limit and bounds."""

    dpi: float = 300.0
    processes: int = 2
    cache_dir: Path | None = None
    time_limit_s: float = 300.0
    engine: str = "tesseract"
    lang: str = "eng"
    limits: RasterLimits = field(default_factory=RasterLimits)


@dataclass(frozen=True, slots=True)
class ScannedPage:
    """One OCR'd page, what was done to it and what a reviewer should know."""

    page: Page
    rotation: int = 0
    skew: float = 0.0
    scale: float = 1.0
    warnings: tuple[str, ...] = ()
    cached: bool = False
    dpi: float = 300.0


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The OCR'd pages of one document (in page order) and the document's warnings."""

    pages: tuple[ScannedPage, ...]
    warnings: tuple[str, ...] = ()
    timed_out: bool = False
    unit: str = "px"

    @property
    def layout(self) -> Layout:
        """The pages for table reconstruction: number-shaped tokens repaired, in ``unit``.

        ``unit`` is ``pt`` (PDF points, so a mixed PDF has one unit) for PDF pages, ``px`` for images.
        """
        return Layout(pages=tuple(scanned_to_page(p, self.unit) for p in self.pages))


def scanned_to_page(scanned: ScannedPage, unit: str = "px") -> Page:
    """The OCR'd page with repaired words (``extract.repair``), scaled to PDF points when ``unit`` is pt."""
    page = scanned.page
    factor = PDF_POINTS_PER_INCH / scanned.dpi if unit == "pt" else 1.0
    words = tuple(
        Word(w.text, w.x0 * factor, w.top * factor, w.x1 * factor, w.bottom * factor, w.conf)
        for w in words_to_repaired(page.words)
    )
    segments = tuple(
        Segment(s.x0 * factor, s.top * factor, s.x1 * factor, s.bottom * factor) for s in page.segments
    )
    return Page(page.number, page.width * factor, page.height * factor, words, segments, page.fills)


# Text layer checks: a word is plausible when it reads like language, a number, a date or a code.
_PLAUSIBLE = re.compile(
    r"^[(\[\"'$€£]*(?:[A-Z]?[a-z]+|[A-Z]+|\d[\d.,/'-]*\d|\d|[A-Z]+[-/#]?\d[\d-]*|\d+[A-Za-z]{1,3})"
    r"[)\]\"'.,:;%!?-]*$"
)


def page_text_is_garbage(page: Page, min_plausible: float = 0.6) -> bool:
    """Whether a page's text layer is junk (an earlier bad OCR): too few words read like anything."""
    words = [w.text for w in page.words if any(ch.isalnum() for ch in w.text)]
    if len(words) < 10:
        return False
    plausible = sum(1 for w in words if _PLAUSIBLE.match(w))
    return plausible < min_plausible * len(words)


def page_needs_ocr(page: Page) -> bool:
    """Whether a PDF page must be OCR'd: no usable text layer, or a garbage one."""
    from extract.pdf import page_has_text

    return not page_has_text(page) or page_text_is_garbage(page)


# --- one page ---------------------------------------------------------------------------------


def page_image_to_scanned(page_image: PageImage, engine: OcrEngine, settings: OcrSettings) -> ScannedPage:
    """OCR one page image: orientation, scale, deskew, ruling removal, crop to text, then the engine."""
    import numpy as np
    from PIL import Image

    from extract import preprocess as pp

    number = page_image.number
    gray = np.asarray(page_image.image.convert("L"), dtype=np.uint8)
    quad = pp.gray_to_page_quad(gray)
    if quad is not None:  # a photo of the sheet: undo the perspective before anything else
        gray = pp.warp_to_sheet(gray, quad)
    height, width = gray.shape
    # One look at half resolution serves the blank test, line direction, skew and letter size.
    # A page that looks blank to Otsu's threshold gets a second look by local contrast: faint
    # print beside a dark scan edge, which the page-wide threshold falls below.
    for local in (False, True):
        ink = pp.half_ink(gray, local)
        blobs = pp.ink_to_blobs(ink)
        if not _looks_blank(ink, blobs, width, height):
            break
    else:
        return ScannedPage(
            Page(number, width, height, ()), warnings=(f"page {number}: blank, no text found",)
        )

    sideways = pp.ink_to_line_direction(ink, blobs) == "vertical"
    scale = pp.cap_to_ocr_scale(pp.blobs_to_cap_height(pp.blobs_scaled(blobs, 2, transpose=sideways)))

    def osd() -> int | None:  # on the image at the size OCR reads it: ~half the pixels, half the time
        return engine.image_to_rotation(Image.fromarray(pp.scaled(gray, scale)))

    def read(turn: int) -> ScannedPage:
        upright = pp.rotate_quadrant(ink, turn)
        letters = pp.blobs_scaled(blobs if turn == 0 else pp.ink_to_blobs(upright), 2)
        return _oriented_to_scanned(
            number, pp.rotate_quadrant(gray, turn), upright, letters, turn, scale, engine, settings
        )

    scanned = read((osd() or 90) if sideways else 0)
    if not sideways and _looks_upside_down(scanned):
        turn = osd()
        if turn:
            retry = read(turn)
            if _mean_conf(retry.page.words) > _mean_conf(scanned.page.words):
                scanned = retry
    return _with_doubt_warning(scanned)


def _looks_blank(ink: Any, blobs: Any, width: int, height: int) -> bool:
    """Almost no ink, or a little that forms no text (specks, a scan edge)."""
    from extract import preprocess as pp

    fraction = pp.ink_fraction(ink)
    return fraction < 0.001 or (
        fraction < 0.01 and pp.blobs_to_text_box(pp.blobs_scaled(blobs, 2), width, height) is None
    )


def _oriented_to_scanned(
    number: int,
    gray: Any,
    half_ink: Any,
    blobs: Any,
    rotation: int,
    scale: float,
    engine: OcrEngine,
    settings: OcrSettings,
) -> ScannedPage:
    """OCR an upright page: scale to the OCR letter size, deskew, remove rulings, crop to the text.

    ``half_ink`` is the page's ink at half resolution, ``blobs`` its components in page pixels:
    they give the skew, the letter size and the text box, so the one full-size image made is
    the scaled, deskewed page OCR reads (for a 300 dpi page about half the pixels). Words and
    rulings come back in the page's own pixels.
    """
    from PIL import Image

    from extract import preprocess as pp

    height, width = gray.shape
    skew = pp.ink_to_skew(half_ink)
    small = pp.deskew(gray, skew, scale)
    small_height, small_width = small.shape
    page_cap = pp.blobs_to_cap_height(blobs)
    # The cap height first: vertical rules are told from glyphs by being several caps tall.
    cap = None if page_cap is None else page_cap * scale
    box = pp.blobs_to_text_box(blobs, width, height)
    x0, top, x1, bottom = (
        (0, 0, small_width, small_height)
        if box is None
        else pp.box_through(box, pp.deskew_matrix(width, height, skew, scale), small_width, small_height)
    )
    ink = pp.gray_to_ink(small)
    rulings = pp.ink_to_rulings(ink, min_vertical_px=None if cap is None else int(2 * cap))
    clean = pp.remove_rulings(small, rulings)
    if DENOISE:
        clean = pp.clean_for_ocr(clean)
    crop = clean[top:bottom, x0:x1]
    if cap is not None:
        crop = pp.gray_to_despeckled(crop, cap)
    words = engine.image_to_words(Image.fromarray(crop), settings)
    placed = tuple(
        Word(
            w.text,
            (w.x0 + x0) / scale,
            (w.top + top) / scale,
            (w.x1 + x0) / scale,
            (w.bottom + top) / scale,
            w.conf,
        )
        for w in words
    )
    segments = tuple(
        Segment(a / scale, b / scale, c / scale, d / scale)
        for a, b, c, d in rulings.horizontal + rulings.vertical
    )
    page = Page(number, float(width), float(height), placed, segments)
    return ScannedPage(page, rotation=rotation, skew=skew, scale=round(scale, 3))


def _mean_conf(words: Sequence[Word]) -> float:
    """Mean confidence of the real words (2+ letters or digits): specks read as ``.`` or ``~``
    score 0 on a perfectly good page and must not make it look upside down or doubtful."""
    real = [w.conf for w in words if sum(ch.isalnum() for ch in w.text) >= 2]
    return sum(real) / len(real) if real else 0.0


def _looks_upside_down(scanned: ScannedPage) -> bool:
    """An upside-down page OCRs into few, low-confidence, mostly non-alphanumeric words."""
    words = scanned.page.words
    if len(words) < 5:
        return True
    return _mean_conf(words) < 0.5


def _with_doubt_warning(scanned: ScannedPage) -> ScannedPage:
    words = scanned.page.words
    mean = _mean_conf(words)
    if words and mean >= DOUBTFUL_PAGE_CONF:
        return scanned
    number = scanned.page.number
    note = (
        f"page {number}: OCR is unsure of this page (mean word confidence {mean:.2f}); "
        "handwriting or a poor scan, check it by eye"
        if words
        else f"page {number}: no words could be read"
    )
    return ScannedPage(
        scanned.page, scanned.rotation, scanned.skew, scanned.scale, (*scanned.warnings, note), scanned.cached
    )


# --- cache ------------------------------------------------------------------------------------


def page_cache_key(page_image: PageImage, engine_version: str, settings: OcrSettings) -> str:
    """sha256 of the page's pixels and of every setting that changes the OCR output."""
    digest = hashlib.sha256()
    image = page_image.image
    digest.update(f"{PIPELINE_VERSION}|{engine_version}|{settings}|{image.mode}|{image.size}|".encode())
    digest.update(f"{page_image.dpi:.3f}|".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def _cache_read(cache_dir: Path, key: str, number: int) -> ScannedPage | None:
    path = cache_dir / key[:2] / f"{key}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a missing or damaged entry is a miss: the page is OCR'd again
    try:
        page = Page(
            number,
            float(raw["width"]),
            float(raw["height"]),
            tuple(Word(str(t), *map(float, box)) for t, *box in raw["words"]),
            tuple(Segment(*map(float, s)) for s in raw["segments"]),
        )
        warnings = tuple(str(w).replace("page {n}", f"page {number}") for w in raw["warnings"])
        return ScannedPage(
            page, int(raw["rotation"]), float(raw["skew"]), float(raw["scale"]), warnings, True
        )
    except (KeyError, TypeError, ValueError):
        return None


def _cache_write(cache_dir: Path, key: str, scanned: ScannedPage) -> None:
    page = scanned.page
    raw = {
        "width": page.width,
        "height": page.height,
        "words": [[w.text, w.x0, w.top, w.x1, w.bottom, w.conf] for w in page.words],
        "segments": [[s.x0, s.top, s.x1, s.bottom] for s in page.segments],
        "warnings": [w.replace(f"page {page.number}", "page {n}") for w in scanned.warnings],
        "rotation": scanned.rotation,
        "skew": scanned.skew,
        "scale": scanned.scale,
    }
    folder = cache_dir / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    # Write-then-rename: a reader in another worker never sees half an entry.
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(raw, fh)
    os.replace(tmp, folder / f"{key}.json")


# --- a document -------------------------------------------------------------------------------

# Per worker process: the document being read, so jobs carry only page numbers (not pixels).
_WORKER: dict[str, Any] = {}


def _worker_init(data: bytes, kind: str, options: ScanOptions) -> None:
    import cv2

    # One OpenCV thread per page process: the processes already share out the cores.
    cv2.setNumThreads(1)
    engine = engine_by_name(options.engine)
    _WORKER.update(data=data, kind=kind, options=options, engine=engine, version=engine.version())


def _page_images(data: bytes, kind: str, numbers: list[int], options: ScanOptions) -> Iterator[PageImage]:
    if kind == "pdf":
        return pdf_to_page_images(data, numbers, options.dpi, options.limits)
    return (
        page
        for number in numbers
        for page in image_to_page_images(data, options.limits, first=number, last=number)
    )


def _scan_page_job(number: int, deadline: float) -> ScannedPage:
    """Worker job: render/load one page, answer from the cache or OCR it and fill the cache."""
    data, kind, options = _WORKER["data"], _WORKER["kind"], _WORKER["options"]
    engine: OcrEngine = _WORKER["engine"]
    page_image = next(_page_images(data, kind, [number], options))
    settings = OcrSettings(lang=options.lang, timeout_s=max(1.0, deadline - time.time()))
    keyed = OcrSettings(lang=options.lang)  # the timeout does not change the output
    key = page_cache_key(page_image, _WORKER["version"], keyed) if options.cache_dir else ""
    if options.cache_dir:
        hit = _cache_read(options.cache_dir, key, number)
        if hit is not None:
            return replace(hit, dpi=page_image.dpi)
    scanned = replace(page_image_to_scanned(page_image, engine, settings), dpi=page_image.dpi)
    if options.cache_dir:
        _cache_write(options.cache_dir, key, scanned)
    return scanned


def image_to_scan(data: bytes, options: ScanOptions) -> ScanResult:
    """OCR every page of a PNG/JPEG/TIFF/BMP image file."""
    count = image_page_count(data, options.limits)
    return _document_to_scan(data, "image", list(range(1, count + 1)), options)


def pdf_pages_to_scan(data: bytes, numbers: Sequence[int], options: ScanOptions) -> ScanResult:
    """OCR the given 1-based pages of a PDF (the ones without a usable text layer)."""
    count = pdf_page_count(data, options.limits)
    wanted = [n for n in numbers if 1 <= n <= count]
    return _document_to_scan(data, "pdf", wanted, options)


def _document_to_scan(data: bytes, kind: str, numbers: list[int], options: ScanOptions) -> ScanResult:
    deadline = time.time() + options.time_limit_s
    workers = max(1, min(options.processes, len(numbers)))
    done: dict[int, ScannedPage] = {}
    timed_out = False
    if workers == 1:
        _worker_init(data, kind, options)
        try:
            for number in numbers:
                if time.time() >= deadline:
                    timed_out = True
                    break
                try:
                    done[number] = _scan_page_job(number, deadline)
                except ResourceLimitError:
                    if time.time() < deadline:
                        raise
                    timed_out = True
                    break
        finally:
            _WORKER.clear()
    else:
        timed_out = _pool_scan(data, kind, numbers, options, workers, deadline, done)
    pages = tuple(done[n] for n in numbers if n in done)
    warnings = [w for p in pages for w in p.warnings]
    if timed_out:
        missing = [n for n in numbers if n not in done]
        warnings.append(
            f"OCR stopped at the time limit of {options.time_limit_s:g} s; pages not read: "
            f"{', '.join(map(str, missing))}; the document needs review"
        )
    return ScanResult(pages, tuple(warnings), timed_out, unit="pt" if kind == "pdf" else "px")


def _pool_scan(
    data: bytes,
    kind: str,
    numbers: list[int],
    options: ScanOptions,
    workers: int,
    deadline: float,
    done: dict[int, ScannedPage],
) -> bool:
    """Run page jobs on a process pool, filling ``done``; True when the time limit cut it short."""
    import multiprocessing

    # forkserver: workers are forked from a clean single-threaded server, never from a web or
    # queue worker that holds threads and locks.
    context = multiprocessing.get_context("forkserver")
    # Imports paid once in the server, not once per worker (the tesseract model loads per worker).
    context.set_forkserver_preload(
        ["extract.scan", "extract.preprocess", "extract.ocr", "numpy", "cv2", "PIL.Image", "tesserocr"]
    )
    pool = context.Pool(
        workers, initializer=_worker_init, initargs=(data, kind, options), maxtasksperchild=50
    )
    try:
        jobs: dict[int, AsyncResult[ScannedPage]] = {
            n: pool.apply_async(_scan_page_job, (n, deadline)) for n in numbers
        }
        for number, job in jobs.items():
            remaining = deadline - time.time()
            try:
                done[number] = job.get(timeout=max(0.0, remaining))
            except multiprocessing.TimeoutError:
                return True
            except ResourceLimitError:
                if time.time() < deadline:
                    raise
                return True
        return False
    finally:
        # terminate, not close: on a time-out the running tesseract calls must not keep the CPU.
        pool.terminate()
        pool.join()
