"""The one layout model every reader produces and table reconstruction consumes.

Digital PDFs (pdfplumber / pypdfium2) and OCR (tesseract) both turn a page into a ``Page`` of
``Word``s with boxes and confidences, plus the ruling lines and filled rectangles found on it.
Coordinates are in the page's own unit (PDF points, or pixels for images) from the top-left
corner: ``x0 < x1`` left to right, ``top < bottom`` top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

BBox = tuple[float, float, float, float]


# Word, Segment and Fill are named tuples: a page has hundreds of each, and a named tuple is built
# in a quarter of the time of a frozen dataclass. Same fields, properties and constructor calls,
# immutable, equal and hashed by value (a named tuple also equals a plain tuple of its values).
class Word(NamedTuple):
    """A word on a page; ``conf`` is 1.0 for a text layer and tesseract's confidence / 100 for OCR."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float = 1.0

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)


class Segment(NamedTuple):
    """A ruling line (or the edge of a thin filled rectangle): horizontal when ``top == bottom``."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def is_horizontal(self) -> bool:
        return (self.bottom - self.top) <= (self.x1 - self.x0)


class Fill(NamedTuple):
    """A filled rectangle, such as zebra shading behind a table row."""

    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a document as words, ruling lines and fills; ``number`` is 1-based."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    segments: tuple[Segment, ...] = ()
    fills: tuple[Fill, ...] = ()


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a reconstructed table; ``conf`` is the lowest confidence of its words."""

    text: str
    bbox: BBox | None = None
    conf: float = 1.0


@dataclass(frozen=True, slots=True)
class Table:
    """A reconstructed table on one page: rows of cells, all rows the same length."""

    page: int
    bbox: BBox
    rows: tuple[tuple[Cell, ...], ...]

    def texts(self) -> list[list[str]]:
        """The table as rows of cell texts (the shape ``arrecon tables`` prints)."""
        return [[cell.text for cell in row] for row in self.rows]


@dataclass(frozen=True, slots=True)
class Layout:
    """A whole document's pages."""

    pages: tuple[Page, ...] = field(default_factory=tuple)
