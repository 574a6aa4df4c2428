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
import functools
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

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
    api = _pdfium()
    textpage = pdf_page.get_textpage()  # type: ignore[attr-defined]
    try:
        words = _textpage_to_words(api, _address(textpage.raw), left, top)
    finally:
        textpage.close()
    segments, fills = _page_to_rules(api, _address(pdf_page.raw), left, top)  # type: ignore[attr-defined]
    return Page(
        number=number,
        width=right - left,
        height=top - bottom,
        words=tuple(words),
        segments=tuple(segments),
        fills=tuple(fills),
    )


def _address(pointer: object) -> int:
    """The address a pypdfium2 handle points to, as the plain int ``_Pdfium`` functions take."""
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0  # type: ignore[arg-type]


class _Pdfium:
    """The PDFium functions called per word and per path object, with C prototypes bound once.

    Handles and out-parameters travel as plain ints (``c_void_p`` arguments and results): through
    pypdfium2's typed prototypes each call builds a pointer object per result and checks one per
    argument, 0.5-0.9 us a call against 0.15-0.35 us here, and a ruled page makes thousands of
    calls. The functions are PDFium's own (the addresses pypdfium2 loaded); only the prototypes
    differ.
    """

    def __init__(self) -> None:
        import pypdfium2.raw as pdfium_c

        def bind(name: str, restype: type | None, *argtypes: type) -> Callable[..., Any]:
            return ctypes.CFUNCTYPE(restype, *argtypes)(_address(getattr(pdfium_c, name)))

        ptr, num, unum = ctypes.c_void_p, ctypes.c_int, ctypes.c_ulong
        self.page_count_objects = bind("FPDFPage_CountObjects", num, ptr)
        self.page_get_object = bind("FPDFPage_GetObject", ptr, ptr, num)
        self.form_count_objects = bind("FPDFFormObj_CountObjects", num, ptr)
        self.form_get_object = bind("FPDFFormObj_GetObject", ptr, ptr, unum)
        self.obj_get_type = bind("FPDFPageObj_GetType", num, ptr)
        self.obj_get_matrix = bind("FPDFPageObj_GetMatrix", num, ptr, ptr)
        self.obj_get_bounds = bind("FPDFPageObj_GetBounds", num, ptr, ptr, ptr, ptr, ptr)
        self.obj_get_fill_color = bind("FPDFPageObj_GetFillColor", num, ptr, ptr, ptr, ptr, ptr)
        self.obj_get_stroke_color = bind("FPDFPageObj_GetStrokeColor", num, ptr, ptr, ptr, ptr, ptr)
        self.path_get_draw_mode = bind("FPDFPath_GetDrawMode", num, ptr, ptr, ptr)
        self.path_count_segments = bind("FPDFPath_CountSegments", num, ptr)
        self.path_get_segment = bind("FPDFPath_GetPathSegment", ptr, ptr, num)
        self.segment_get_point = bind("FPDFPathSegment_GetPoint", num, ptr, ptr, ptr)
        self.segment_get_type = bind("FPDFPathSegment_GetType", num, ptr)
        self.segment_get_close = bind("FPDFPathSegment_GetClose", num, ptr)
        self.text_count_chars = bind("FPDFText_CountChars", num, ptr)
        self.text_get_text = bind("FPDFText_GetText", num, ptr, num, num, ptr)
        self.text_get_loose_char_box = bind("FPDFText_GetLooseCharBox", num, ptr, num, ptr)
        self.PATH: int = pdfium_c.FPDF_PAGEOBJ_PATH
        self.FORM: int = pdfium_c.FPDF_PAGEOBJ_FORM
        self.FILLMODE_NONE: int = pdfium_c.FPDF_FILLMODE_NONE
        self.MOVETO: int = pdfium_c.FPDF_SEGMENT_MOVETO
        self.LINETO: int = pdfium_c.FPDF_SEGMENT_LINETO


@functools.cache
def _pdfium() -> _Pdfium:
    return _Pdfium()


def _textpage_to_words(api: _Pdfium, textpage: int, left: float, top: float) -> list[Word]:
    """Words as runs of non-space characters; PDFium already inserted spaces for visual gaps."""
    n_chars = api.text_count_chars(textpage)
    if n_chars <= 0:
        return []
    buffer = ctypes.create_string_buffer((n_chars + 1) * 2)
    written = api.text_get_text(textpage, 0, n_chars, ctypes.addressof(buffer))
    raw = buffer.raw[: max(written - 1, 0) * 2]
    text = raw.decode("utf-16-le", errors="replace")
    if len(text) != len(raw) // 2:
        # Characters outside the BMP take two indices in PDFium: keep one string slot per index.
        text = "".join(raw[i : i + 2].decode("utf-16-le", errors="replace") for i in range(0, len(raw), 2))
    text = text[:n_chars]

    box = (ctypes.c_float * 4)()  # FS_RECTF: left, top, right, bottom
    box_address = ctypes.addressof(box)
    get_box = api.text_get_loose_char_box
    words: list[Word] = []
    for match in _WORD_RE.finditer(text):
        start, end = match.span()
        if not get_box(textpage, start, box_address):
            continue
        x0, y_top, x1, y_bottom = box[:]
        if end - start > 1 and get_box(textpage, end - 1, box_address):
            _, last_top, x1, last_bottom = box[:]
            # (Conditional expressions: the same as max/min, without two calls a word.)
            y_top = last_top if last_top > y_top else y_top
            y_bottom = last_bottom if last_bottom < y_bottom else y_bottom
        if x1 < x0:
            x0, x1 = x1, x0
        words.append(Word(match.group(), x0 - left, top - y_top, x1 - left, top - y_bottom))
    return words


def _page_to_rules(api: _Pdfium, page: int, left: float, top: float) -> tuple[list[Segment], list[Fill]]:
    """Ruling segments and fills drawn by the page's path objects (also inside form XObjects)."""
    reader = _PathReader(api, left, top)
    count = api.page_count_objects(page)
    reader.objects_to_rules([api.page_get_object(page, i) for i in range(max(count, 0))], _IDENTITY, 0)
    return reader.segments, reader.fills


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


class _PathReader:
    """Reads path objects into rules with ctypes out-parameters allocated once per page.

    A statement grid draws hundreds of paths a page: one PDFium call per object tells its type, four
    more read a straight line (draw mode, colour, segment count, bounds), and only the other paths
    are read point by point.
    """

    def __init__(self, api: _Pdfium, left: float, top: float) -> None:
        self.api = api
        self.left = left
        self.top = top
        self.segments: list[Segment] = []
        self.fills: list[Fill] = []
        self.ints = (ctypes.c_int * 2)()
        self.rgba = (ctypes.c_uint * 4)()
        self.floats = (ctypes.c_float * 6)()
        ints, rgba, floats = (ctypes.addressof(v) for v in (self.ints, self.rgba, self.floats))
        self.ints_at = (ints, ints + 4)
        self.rgba_at = (rgba, rgba + 4, rgba + 8, rgba + 12)
        self.floats_at = (floats, floats + 4, floats + 8, floats + 12)

    def objects_to_rules(self, objects: list[int], outer: _Matrix, depth: int) -> None:
        api = self.api
        get_type, path, form = api.obj_get_type, api.PATH, api.FORM
        for obj in objects:
            kind = get_type(obj)
            if kind == path:
                self.path_to_rules(obj, outer)
            elif kind == form and depth < 8:
                n_inner = api.form_count_objects(obj)
                inner = [api.form_get_object(obj, i) for i in range(max(n_inner, 0))]
                self.objects_to_rules(inner, _compose(self.matrix_of(obj), outer), depth + 1)

    def matrix_of(self, obj: int) -> _Matrix:
        m = self.floats
        if not self.api.obj_get_matrix(obj, self.floats_at[0]):
            return _IDENTITY
        return (m[0], m[1], m[2], m[3], m[4], m[5])

    def visible(self, get_color: Callable[..., int], obj: int) -> bool:
        """Whether the path's stroke (or fill) colour, read by ``get_color``, shows on white paper."""
        at = self.rgba_at
        if not get_color(obj, at[0], at[1], at[2], at[3]):
            return True
        r, g, b, a = self.rgba[:]
        return a != 0 and not (r >= WHITE_LEVEL and g >= WHITE_LEVEL and b >= WHITE_LEVEL)

    def path_to_rules(self, obj: int, outer: _Matrix) -> None:
        """Axis-aligned pieces of one path: stroked lines, rectangle edges, thin bars, shaded areas."""
        api = self.api
        if not api.path_get_draw_mode(obj, self.ints_at[0], self.ints_at[1]):
            return
        fillmode, stroke_flag = self.ints[:]
        filled = fillmode != api.FILLMODE_NONE and self.visible(api.obj_get_fill_color, obj)
        stroked = stroke_flag != 0 and self.visible(api.obj_get_stroke_color, obj)
        if not (filled or stroked):
            return
        n_segments = api.path_count_segments(obj)
        if n_segments == 2 and not filled:
            # A single stroked line (most of a ruled grid): its bounds, which include the matrix,
            # are the line widened by the stroke; the thin side's middle is the line.
            self.line_from_bounds(obj, outer)
            return
        a, b, cc, d, e, f = _compose(self.matrix_of(obj), outer)
        left, top = self.left, self.top

        # Subpaths as lists of points in layout space.
        subpaths: list[list[tuple[float, float]]] = []
        current: list[tuple[float, float]] = []
        has_curve = False
        xy = self.floats
        x_at, y_at = self.floats_at[0], self.floats_at[1]
        get_segment, get_point = api.path_get_segment, api.segment_get_point
        get_type, moveto, lineto = api.segment_get_type, api.MOVETO, api.LINETO
        pieces: list[tuple[int, int, tuple[float, float]]] = []
        for i in range(n_segments):
            seg = get_segment(obj, i)
            if get_point(seg, x_at, y_at):
                px, py = xy[0], xy[1]
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
            if ends_subpath and current and api.segment_get_close(seg):
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

    def line_from_bounds(self, obj: int, outer: _Matrix) -> None:
        at = self.floats_at
        if not self.api.obj_get_bounds(obj, at[0], at[1], at[2], at[3]):
            return
        x0, y0, x1, y1 = self.floats[:4]
        if outer != _IDENTITY:
            a, b, c, d, e, f = outer
            xs = [x * a + y * c + e for x in (x0, x1) for y in (y0, y1)]
            ys = [x * b + y * d + f for x in (x0, x1) for y in (y0, y1)]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        x0, x1 = x0 - self.left, x1 - self.left
        y0, y1 = self.top - y1, self.top - y0
        # PDFium widens the bounds by the same amount on every side: half the thin side.
        if y1 - y0 <= 2 * RULE_MAX_THICKNESS < x1 - x0:
            mid, pad = (y0 + y1) / 2, (y1 - y0) / 2
            self.segments.append(Segment(x0 + pad, mid, x1 - pad, mid))
        elif x1 - x0 <= 2 * RULE_MAX_THICKNESS < y1 - y0:
            mid, pad = (x0 + x1) / 2, (x1 - x0) / 2
            self.segments.append(Segment(mid, y0 + pad, mid, y1 - pad))

    def polyline_to_rules(self, points: list[tuple[float, float]], filled: bool, stroked: bool) -> None:
        if stroked and not _is_rectangle(points):
            append = self.segments.append
            for (ax, ay), (bx, by) in itertools.pairwise(points):
                if abs(ay - by) < 0.5 and abs(ax - bx) > 0.5:
                    append(Segment(bx, ay, ax, ay) if bx < ax else Segment(ax, ay, bx, ay))
                elif abs(ax - bx) < 0.5 and abs(ay - by) > 0.5:
                    append(Segment(ax, by, ax, ay) if by < ay else Segment(ax, ay, ax, by))
            return
        # A rectangle (its edges, its fill) or a filled polygon (its box).
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        _box_to_rules(min(xs), min(ys), max(xs), max(ys), filled, stroked, self.segments, self.fills)


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
