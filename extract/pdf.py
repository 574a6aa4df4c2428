"""Digital PDF bytes -> ``Layout``: words from the text layer, ruling segments and fills from paths.

PDFium (pypdfium2) reads the page: its text page gives the characters (with the spaces and line
breaks PDFium infers), and words are the runs of non-space characters, boxed by the loose box
(font ascent/descent) of their first and last character. That takes two box look-ups per word
instead of one Python object per character, which keeps a page at a few milliseconds.
Path objects give ruling lines (stroked lines, rectangle edges, thin filled rectangles) and
fills (filled rectangles thicker than a rule, e.g. zebra shading). Coordinates are PDF points
from the top-left corner of the page's crop box; page rotation is not applied.
"""

from __future__ import annotations

import ctypes
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from extract.layout import Fill, Layout, Page, Segment, Word
from models.errors import EncryptedDocumentError, ResourceLimitError, UnreadableDocumentError

# A filled rectangle at most this thick (points) is a rule, not a shaded area.
RULE_MAX_THICKNESS = 2.0
# A fill lighter than this on every channel (0-255) is paper-coloured: invisible, not shading.
WHITE_LEVEL = 250
# A page with fewer real words than this has no usable text layer (it needs OCR).
MIN_TEXT_WORDS = 3

_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# A word is a run of characters that are neither whitespace nor PDFium's placeholders.
_WORD_RE = re.compile(r"[^\s\x00\ufffe\uffff]+")


@dataclass(frozen=True, slots=True)
class _Frame:
    """How PDF user space maps to the layout's top-left coordinates on one page."""

    left: float
    top: float

    def x(self, x: float) -> float:
        return x - self.left

    def y(self, y: float) -> float:
        return self.top - y


def _open_document(data: bytes) -> object:
    """The PDFium document for ``data``, or the typed error saying why it cannot be read."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if not data:
        raise UnreadableDocumentError("the PDF is empty (zero bytes)")
    if b"%PDF" not in data[:1024]:
        raise UnreadableDocumentError("not a PDF: no %PDF header")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedDocumentError("the PDF is password-protected") from exc
        raise UnreadableDocumentError(f"the PDF cannot be read: {exc}") from exc
    if len(document) == 0:
        document.close()
        raise UnreadableDocumentError("the PDF has no pages")
    return document


def pdf_page_count(data: bytes) -> int:
    """The number of pages of the PDF in ``data`` (typed errors as for ``pdf_to_layout``)."""
    document = _open_document(data)
    try:
        return len(document)  # type: ignore[arg-type]
    finally:
        document.close()  # type: ignore[attr-defined]


def page_has_text(page: Page) -> bool:
    """Whether ``page`` has a usable text layer (enough words with letters or digits), else it needs OCR."""
    real = 0
    for word in page.words:
        if any(ch.isalnum() for ch in word.text):
            real += 1
            if real >= MIN_TEXT_WORDS:
                return True
    return False


def pdf_to_layout(data: bytes, pages: Sequence[int] | None = None, *, max_pages: int = 1000) -> Layout:
    """The layout of the PDF in ``data`` (``pages`` 1-based, default all), one page open at a time.

    Raises EncryptedDocumentError, UnreadableDocumentError (corrupt, empty, not a PDF, no pages, a
    page number out of range) and ResourceLimitError (more than ``max_pages`` pages to read).
    """
    return Layout(pages=tuple(pdf_to_pages(data, pages, max_pages=max_pages)))


def pdf_to_pages(data: bytes, pages: Sequence[int] | None = None, *, max_pages: int = 1000) -> Iterator[Page]:
    """Like ``pdf_to_layout`` but yields the pages one by one (for callers that stream)."""
    import pypdfium2 as pdfium

    document = _open_document(data)
    try:
        count = len(document)  # type: ignore[arg-type]
        numbers = list(range(1, count + 1)) if pages is None else list(pages)
        for number in numbers:
            if not 1 <= number <= count:
                raise UnreadableDocumentError(f"page {number} is out of range (the PDF has {count} pages)")
        if len(numbers) > max_pages:
            raise ResourceLimitError(f"{len(numbers)} pages to read, more than the limit of {max_pages}")
        for number in numbers:
            try:
                pdf_page = document[number - 1]  # type: ignore[index]
            except pdfium.PdfiumError as exc:
                raise UnreadableDocumentError(f"page {number} cannot be read: {exc}") from exc
            try:
                yield _page_to_layout_page(pdf_page, number)
            finally:
                pdf_page.close()
    finally:
        document.close()  # type: ignore[attr-defined]


def _page_to_layout_page(pdf_page: object, number: int) -> Page:
    """One PDFium page as a layout ``Page``."""
    left, bottom, right, top = pdf_page.get_bbox()  # type: ignore[attr-defined]
    frame = _Frame(left=left, top=top)
    textpage = pdf_page.get_textpage()  # type: ignore[attr-defined]
    try:
        words = _textpage_to_words(textpage.raw, frame)
    finally:
        textpage.close()
    segments, fills = _page_to_rules(pdf_page.raw, frame)  # type: ignore[attr-defined]
    return Page(
        number=number,
        width=right - left,
        height=top - bottom,
        words=tuple(words),
        segments=tuple(segments),
        fills=tuple(fills),
    )


def _textpage_to_words(textpage: object, frame: _Frame) -> list[Word]:
    """Words as runs of non-space characters; PDFium already inserted spaces for visual gaps."""
    import pypdfium2.raw as pdfium_c

    n_chars = pdfium_c.FPDFText_CountChars(textpage)
    if n_chars <= 0:
        return []
    buffer = ctypes.create_string_buffer((n_chars + 1) * 2)
    written = pdfium_c.FPDFText_GetText(
        textpage, 0, n_chars, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    )
    raw = buffer.raw[: max(written - 1, 0) * 2]
    text = raw.decode("utf-16-le", errors="replace")
    if len(text) != len(raw) // 2:
        # Characters outside the BMP take two indices in PDFium: keep one string slot per index.
        text = "".join(raw[i : i + 2].decode("utf-16-le", errors="replace") for i in range(0, len(raw), 2))
    text = text[:n_chars]

    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    frame_left, frame_top = frame.left, frame.top

    words: list[Word] = []
    for match in _WORD_RE.finditer(text):
        start, end = match.start(), match.end() - 1
        if not get_box(textpage, start, rect_ref):
            continue
        x0, x1, y_top, y_bottom = rect.left, rect.right, rect.top, rect.bottom
        if end != start and get_box(textpage, end, rect_ref):
            x1 = rect.right
            y_top = max(y_top, rect.top)
            y_bottom = min(y_bottom, rect.bottom)
        words.append(
            Word(
                text=match.group(),
                x0=min(x0, x1) - frame_left,
                top=frame_top - y_top,
                x1=max(x0, x1) - frame_left,
                bottom=frame_top - y_bottom,
            )
        )
    return words


def _page_to_rules(pdf_page: object, frame: _Frame) -> tuple[list[Segment], list[Fill]]:
    """Ruling segments and fills drawn by the page's path objects (also inside form XObjects)."""
    import pypdfium2.raw as pdfium_c

    segments: list[Segment] = []
    fills: list[Fill] = []
    count = pdfium_c.FPDFPage_CountObjects(pdf_page)
    objects = [pdfium_c.FPDFPage_GetObject(pdf_page, i) for i in range(max(count, 0))]
    _objects_to_rules(objects, _IDENTITY, frame, segments, fills, depth=0)
    return segments, fills


def _matrix_of(obj: object) -> _Matrix:
    import pypdfium2.raw as pdfium_c

    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _objects_to_rules(
    objects: list[object],
    outer: _Matrix,
    frame: _Frame,
    segments: list[Segment],
    fills: list[Fill],
    depth: int,
) -> None:
    import pypdfium2.raw as pdfium_c

    for obj in objects:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
            n_inner = pdfium_c.FPDFFormObj_CountObjects(obj)
            inner = [pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(max(n_inner, 0))]
            _objects_to_rules(inner, _compose(_matrix_of(obj), outer), frame, segments, fills, depth + 1)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            _path_to_rules(obj, outer, frame, segments, fills)


def _visible(obj: object, stroke: bool) -> bool:
    """Whether the path's stroke (or fill) colour shows on white paper."""
    import pypdfium2.raw as pdfium_c

    r, g, b, a = (ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint())
    getter = pdfium_c.FPDFPageObj_GetStrokeColor if stroke else pdfium_c.FPDFPageObj_GetFillColor
    if not getter(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):
        return True
    if a.value == 0:
        return False
    return not (r.value >= WHITE_LEVEL and g.value >= WHITE_LEVEL and b.value >= WHITE_LEVEL)


def _path_to_rules(
    obj: object, outer: _Matrix, frame: _Frame, segments: list[Segment], fills: list[Fill]
) -> None:
    """Axis-aligned pieces of one path: stroked lines, rectangle edges, thin bars, shaded areas."""
    import pypdfium2.raw as pdfium_c

    fillmode, stroke_flag = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fillmode), ctypes.byref(stroke_flag)):
        return
    filled = fillmode.value != pdfium_c.FPDF_FILLMODE_NONE and _visible(obj, stroke=False)
    stroked = bool(stroke_flag.value) and _visible(obj, stroke=True)
    if not (filled or stroked):
        return
    a, b, c, d, e, f = _compose(_matrix_of(obj), outer)

    # Subpaths as lists of points in page space; curves end a straight run.
    subpaths: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    has_curve = False
    x, y = ctypes.c_float(), ctypes.c_float()
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
            continue
        px, py = x.value * a + y.value * c + e, x.value * b + y.value * d + f
        point = (frame.x(px), frame.y(py))
        seg_type = pdfium_c.FPDFPathSegment_GetType(seg)
        if seg_type == pdfium_c.FPDF_SEGMENT_MOVETO:
            if len(current) > 1:
                subpaths.append(current)
            current = [point]
        elif seg_type == pdfium_c.FPDF_SEGMENT_LINETO:
            current.append(point)
        else:
            has_curve = True
            current.append(point)
        if pdfium_c.FPDFPathSegment_GetClose(seg) and current:
            current.append(current[0])
    if len(current) > 1:
        subpaths.append(current)
    if has_curve:
        # Rounded boxes and glyph-like drawings: only their bounding box can be a fill.
        if filled and subpaths:
            xs = [p[0] for sp in subpaths for p in sp]
            ys = [p[1] for sp in subpaths for p in sp]
            _box_to_rules(min(xs), min(ys), max(xs), max(ys), True, False, segments, fills)
        return

    for points in subpaths:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if _is_rectangle(points):
            _box_to_rules(x0, y0, x1, y1, filled, stroked, segments, fills)
        elif stroked:
            for (ax, ay), (bx, by) in itertools.pairwise(points):
                if abs(ay - by) < 0.5 and abs(ax - bx) > 0.5:
                    segments.append(Segment(min(ax, bx), ay, max(ax, bx), ay))
                elif abs(ax - bx) < 0.5 and abs(ay - by) > 0.5:
                    segments.append(Segment(ax, min(ay, by), ax, max(ay, by)))
        elif filled:
            _box_to_rules(x0, y0, x1, y1, True, False, segments, fills)


def _is_rectangle(points: list[tuple[float, float]]) -> bool:
    """Whether a closed polyline is an axis-aligned rectangle (4 corners, maybe repeated first)."""
    corners = points[:-1] if len(points) == 5 and _near(points[0], points[-1]) else points
    if len(corners) != 4:
        return False
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
        if abs(ax - bx) > 0.5 and abs(ay - by) > 0.5:
            return False
    return True


def _near(p: tuple[float, float], q: tuple[float, float]) -> bool:
    return abs(p[0] - q[0]) < 0.5 and abs(p[1] - q[1]) < 0.5


def _box_to_rules(
    x0: float,
    top: float,
    x1: float,
    bottom: float,
    filled: bool,
    stroked: bool,
    segments: list[Segment],
    fills: list[Fill],
) -> None:
    """A rectangle as rules: a thin bar is one segment, a stroked box four edges, a thick fill a Fill."""
    width, height = x1 - x0, bottom - top
    if width <= RULE_MAX_THICKNESS and height <= RULE_MAX_THICKNESS:
        return
    if filled and height <= RULE_MAX_THICKNESS:
        mid = (top + bottom) / 2
        segments.append(Segment(x0, mid, x1, mid))
        return
    if filled and width <= RULE_MAX_THICKNESS:
        mid = (x0 + x1) / 2
        segments.append(Segment(mid, top, mid, bottom))
        return
    if filled:
        fills.append(Fill(x0, top, x1, bottom))
    if stroked:
        segments.extend(
            (
                Segment(x0, top, x1, top),
                Segment(x0, bottom, x1, bottom),
                Segment(x0, top, x0, bottom),
                Segment(x1, top, x1, bottom),
            )
        )
