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

    reader = _PathReader(frame)
    count = pdfium_c.FPDFPage_CountObjects(pdf_page)
    objects = [pdfium_c.FPDFPage_GetObject(pdf_page, i) for i in range(max(count, 0))]
    reader.objects_to_rules(objects, _IDENTITY, depth=0)
    return reader.segments, reader.fills


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


class _PathReader:
    """Reads path objects into rules with ctypes out-parameters allocated once per page.

    A statement grid draws hundreds of paths a page; fresh ctypes objects per call would cost
    more than PDFium's own work.
    """

    def __init__(self, frame: _Frame) -> None:
        import pypdfium2.raw as pdfium_c

        self.c = pdfium_c
        self.frame = frame
        self.segments: list[Segment] = []
        self.fills: list[Fill] = []
        self.matrix = pdfium_c.FS_MATRIX()
        self.ints = (ctypes.c_int(), ctypes.c_int())
        self.int_refs = tuple(ctypes.byref(v) for v in self.ints)
        self.rgba = (ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint())
        self.rgba_refs = tuple(ctypes.byref(v) for v in self.rgba)
        self.xy = (ctypes.c_float(), ctypes.c_float())
        self.xy_refs = tuple(ctypes.byref(v) for v in self.xy)
        self.bounds = (ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float())
        self.bounds_refs = tuple(ctypes.byref(v) for v in self.bounds)

    def objects_to_rules(self, objects: list[object], outer: _Matrix, depth: int) -> None:
        c = self.c
        for obj in objects:
            kind = c.FPDFPageObj_GetType(obj)
            if kind == c.FPDF_PAGEOBJ_PATH:
                self.path_to_rules(obj, outer)
            elif kind == c.FPDF_PAGEOBJ_FORM and depth < 8:
                n_inner = c.FPDFFormObj_CountObjects(obj)
                inner = [c.FPDFFormObj_GetObject(obj, i) for i in range(max(n_inner, 0))]
                self.objects_to_rules(inner, _compose(self.matrix_of(obj), outer), depth + 1)

    def matrix_of(self, obj: object) -> _Matrix:
        m = self.matrix
        if not self.c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
            return _IDENTITY
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def visible(self, obj: object, stroke: bool) -> bool:
        """Whether the path's stroke (or fill) colour shows on white paper."""
        getter = self.c.FPDFPageObj_GetStrokeColor if stroke else self.c.FPDFPageObj_GetFillColor
        if not getter(obj, *self.rgba_refs):
            return True
        r, g, b, a = (v.value for v in self.rgba)
        return a != 0 and not (r >= WHITE_LEVEL and g >= WHITE_LEVEL and b >= WHITE_LEVEL)

    def path_to_rules(self, obj: object, outer: _Matrix) -> None:
        """Axis-aligned pieces of one path: stroked lines, rectangle edges, thin bars, shaded areas."""
        c = self.c
        if not c.FPDFPath_GetDrawMode(obj, *self.int_refs):
            return
        fillmode, stroke_flag = self.ints[0].value, self.ints[1].value
        filled = fillmode != c.FPDF_FILLMODE_NONE and self.visible(obj, stroke=False)
        stroked = bool(stroke_flag) and self.visible(obj, stroke=True)
        if not (filled or stroked):
            return
        left, top = self.frame.left, self.frame.top
        n_segments = c.FPDFPath_CountSegments(obj)
        if n_segments == 2 and not filled:
            # A single stroked line (most of a ruled grid): its bounds, which include the matrix,
            # are the line widened by the stroke; the thin side's middle is the line.
            self.line_from_bounds(obj, outer)
            return
        a, b, cc, d, e, f = _compose(self.matrix_of(obj), outer)

        # Subpaths as lists of points in layout space.
        subpaths: list[list[tuple[float, float]]] = []
        current: list[tuple[float, float]] = []
        has_curve = False
        x, y = self.xy
        x_ref, y_ref = self.xy_refs
        get_segment, get_point = c.FPDFPath_GetPathSegment, c.FPDFPathSegment_GetPoint
        get_type, get_close = c.FPDFPathSegment_GetType, c.FPDFPathSegment_GetClose
        moveto, lineto = c.FPDF_SEGMENT_MOVETO, c.FPDF_SEGMENT_LINETO
        pieces: list[tuple[object, int, tuple[float, float]]] = []
        for i in range(n_segments):
            seg = get_segment(obj, i)
            if get_point(seg, x_ref, y_ref):
                px, py = x.value, y.value
                point = (px * a + py * cc + e - left, top - (px * b + py * d + f))
                pieces.append((seg, get_type(seg), point))
        for k, (seg, seg_type, point) in enumerate(pieces):
            if seg_type == moveto:
                if len(current) > 1:
                    subpaths.append(current)
                current = [point]
            else:
                has_curve = has_curve or seg_type != lineto
                current.append(point)
            # A subpath closes (if at all) on its last segment: ask PDFium only there.
            ends_subpath = k == len(pieces) - 1 or pieces[k + 1][1] == moveto
            if ends_subpath and current and get_close(seg):
                current.append(current[0])
        if len(current) > 1:
            subpaths.append(current)
        if has_curve:
            # Rounded boxes and glyph-like drawings: only their bounding box can be a fill.
            if filled and subpaths:
                xs = [p[0] for sp in subpaths for p in sp]
                ys = [p[1] for sp in subpaths for p in sp]
                _box_to_rules(min(xs), min(ys), max(xs), max(ys), True, False, self.segments, self.fills)
            return
        for points in subpaths:
            self.polyline_to_rules(points, filled, stroked)

    def line_from_bounds(self, obj: object, outer: _Matrix) -> None:
        f_left, f_bottom, f_right, f_top = self.bounds
        if not self.c.FPDFPageObj_GetBounds(obj, *self.bounds_refs):
            return
        x0, y0, x1, y1 = f_left.value, f_bottom.value, f_right.value, f_top.value
        if outer != _IDENTITY:
            a, b, c, d, e, f = outer
            xs = [x * a + y * c + e for x in (x0, x1) for y in (y0, y1)]
            ys = [x * b + y * d + f for x in (x0, x1) for y in (y0, y1)]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        x0, x1 = x0 - self.frame.left, x1 - self.frame.left
        y0, y1 = self.frame.top - y1, self.frame.top - y0
        # PDFium widens the bounds by the same amount on every side: half the thin side.
        if y1 - y0 <= 2 * RULE_MAX_THICKNESS < x1 - x0:
            mid, pad = (y0 + y1) / 2, (y1 - y0) / 2
            self.segments.append(Segment(x0 + pad, mid, x1 - pad, mid))
        elif x1 - x0 <= 2 * RULE_MAX_THICKNESS < y1 - y0:
            mid, pad = (x0 + x1) / 2, (x1 - x0) / 2
            self.segments.append(Segment(mid, y0 + pad, mid, y1 - pad))

    def polyline_to_rules(self, points: list[tuple[float, float]], filled: bool, stroked: bool) -> None:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if _is_rectangle(points):
            _box_to_rules(x0, y0, x1, y1, filled, stroked, self.segments, self.fills)
        elif stroked:
            for (ax, ay), (bx, by) in itertools.pairwise(points):
                if abs(ay - by) < 0.5 and abs(ax - bx) > 0.5:
                    self.segments.append(Segment(min(ax, bx), ay, max(ax, bx), ay))
                elif abs(ax - bx) < 0.5 and abs(ay - by) > 0.5:
                    self.segments.append(Segment(ax, min(ay, by), ax, max(ay, by)))
        elif filled:
            _box_to_rules(x0, y0, x1, y1, True, False, self.segments, self.fills)


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
