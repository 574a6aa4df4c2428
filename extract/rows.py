"""Words -> visual text lines, and lines -> chunks (phrases separated by wide gaps).

Lines cluster words by vertical overlap of their boxes, not by equal baselines, so OCR words
with ragged baselines and mixed font sizes still land on one line.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from extract.layout import Word

# Two words are on one line when their vertical overlap is at least this share of the smaller height.
LINE_OVERLAP = 0.5
# A horizontal gap wider than this many line heights separates two chunks (cells) of a line.
CHUNK_GAP = 0.8


# Chunk and Line are named tuples: a page makes hundreds of them, and a named tuple is built
# several times faster than a frozen dataclass (same attributes, equality and hash).
class Chunk(NamedTuple):
    """Consecutive words of one line with no wide gap between them: a cell candidate."""

    words: tuple[Word, ...]
    x0: float
    x1: float

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


class Line(NamedTuple):
    """One visual line of text: its words left to right and their chunks."""

    words: tuple[Word, ...]
    top: float
    bottom: float
    chunks: tuple[Chunk, ...]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


def median(values: Sequence[float], default: float = 0.0) -> float:
    """The median of ``values`` (``default`` when empty)."""
    if not values:
        return default
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def words_to_lines(words: Iterable[Word], gap: float | None = None) -> list[Line]:
    """Visual lines top to bottom; ``gap`` (page units) overrides the chunk gap of each line."""
    ordered = sorted(words, key=lambda w: (w.top + w.bottom) / 2)
    groups: list[list[Word]] = []
    # Per line: the sums of its words' tops and bottoms; their means are the line's core extent,
    # so one tall word does not make the line swallow the next one.
    sums: list[list[float]] = []
    for word in ordered:
        height = word.bottom - word.top
        placed = False
        # A word can only belong to one of the last few lines: they are sorted by centre.
        for k in range(len(groups) - 1, max(len(groups) - 4, -1), -1):
            n = len(groups[k])
            top, bottom = sums[k][0] / n, sums[k][1] / n
            overlap = min(bottom, word.bottom) - max(top, word.top)
            if overlap >= LINE_OVERLAP * min(height, bottom - top):
                groups[k].append(word)
                sums[k][0] += word.top
                sums[k][1] += word.bottom
                placed = True
                break
        if not placed:
            groups.append([word])
            sums.append([word.top, word.bottom])
    lines = [words_to_line(group, gap) for group in groups]
    lines.sort(key=lambda line: line.top)
    return lines


def words_to_line(words: Sequence[Word], gap: float | None = None) -> Line:
    """Words known to form one line as a ``Line`` (chunked at ``gap``, default by word height)."""
    words = sorted(words, key=x0_of)
    top = min([w.top for w in words])
    bottom = max([w.bottom for w in words])
    limit = gap if gap is not None else CHUNK_GAP * median([w.bottom - w.top for w in words])
    return Line(tuple(words), top, bottom, tuple(words_to_chunks(words, limit)))


x0_of = operator.attrgetter("x0")  # sort key: left edge


def words_to_chunks(words: Sequence[Word], gap: float) -> list[Chunk]:
    """Split left-to-right ``words`` where the horizontal gap exceeds ``gap``."""
    chunks: list[Chunk] = []
    current: list[Word] = []
    right = 0.0
    for word in words:
        if current and word.x0 - right > gap:
            chunks.append(Chunk(tuple(current), current[0].x0, right))
            current = []
        if not current or word.x1 > right:
            right = word.x1
        current.append(word)
    if current:
        chunks.append(Chunk(tuple(current), current[0].x0, right))
    return chunks
