"""Lines of a borderless table -> column separators, from whitespace corridors between chunks.

A separator is an x-range that (almost) no chunk of the table's multi-chunk lines covers: the
white corridor between a left-aligned description and a right-aligned amount, for instance.
A few lines may cross a corridor (an overflowing description, a spanning header) without
closing it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from extract.layout import Word
from extract.rows import Chunk, Line

# Share of the table's lines allowed to cross a corridor that still separates two columns.
CROSSING_SHARE = 0.1


def lines_to_separators(lines: Sequence[Line]) -> list[float]:
    """The x positions that split ``lines`` into columns, left to right.

    Each white corridor gives its middle; a chunk lying wholly inside a corridor (a "Credit"
    header over a column no row of this page fills) splits the corridor around itself.
    """
    tabular = [line for line in lines if len(line.chunks) >= 2]
    separators: list[float] = []
    for g0, g1 in lines_to_corridors(tabular):
        inside = [c for line in tabular for c in line.chunks if g0 < c.x0 and c.x1 < g1]
        if inside:
            separators.append((g0 + min(c.x0 for c in inside)) / 2)
            separators.append((max(c.x1 for c in inside) + g1) / 2)
        else:
            separators.append((g0 + g1) / 2)
    return separators


def lines_to_corridors(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """The x-ranges between a table's left and right edges that almost no chunk of ``lines`` covers."""
    if not lines:
        return []
    allowed = int(CROSSING_SHARE * len(lines))
    # Coverage events over x: +1 where a chunk starts, -1 where it ends.
    events: list[tuple[float, int]] = []
    for line in lines:
        for chunk in line.chunks:
            events.append((chunk.x0, 1))
            events.append((chunk.x1, -1))
    events.sort(key=lambda e: (e[0], -e[1]))
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    corridors: list[tuple[float, float]] = []
    depth = 0
    gap_start: float | None = None
    for x, delta in events:
        before = depth
        depth += delta
        if before > allowed >= depth and x < right:
            gap_start = x
        elif before <= allowed < depth and gap_start is not None:
            if x > gap_start and gap_start > left:
                corridors.append((gap_start, x))
            gap_start = None
    return corridors


def chunk_to_column(chunk: Chunk, separators: Sequence[float]) -> int:
    """The column of a chunk: where it starts, so spanning text lands in its leftmost column."""
    # A chunk that only grazes a separator (an amount wider than its corridor) goes by its middle.
    span_left = 0
    for k, sep in enumerate(separators):
        if chunk.x0 >= sep:
            span_left = k + 1
    span_right = 0
    for k, sep in enumerate(separators):
        if chunk.x1 > sep:
            span_right = k + 1
    if span_left == span_right:
        return span_left
    middle = (chunk.x0 + chunk.x1) / 2
    mid_col = sum(1 for sep in separators if middle >= sep)
    # Text straddling more than a grazing amount: keep it at its start (leftmost column).
    crossed = [sep for sep in separators if chunk.x0 < sep < chunk.x1]
    width = chunk.x1 - chunk.x0
    if len(crossed) == 1 and min(crossed[0] - chunk.x0, chunk.x1 - crossed[0]) < 0.2 * width:
        return mid_col
    return span_left


# "1 234,56": a 1-3 digit group then a 3-digit group is one amount with a space thousands separator.
_LEADING_GROUP = re.compile(r"^[-(+]?[$€£]?\d{1,3}$")
_THOUSANDS_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?\)?-?(?:CR|DR)?$")


def is_number(text: str) -> bool:
    """Whether a word is a number-like token: digits and punctuation, no letters."""
    return any(ch.isdigit() for ch in text) and not any(ch.isalpha() for ch in text)


def numbers_apart(left: Word, right: Word) -> bool:
    """Whether two neighbouring words are two numbers (not one amount grouped with a space)."""
    if not (is_number(left.text) and is_number(right.text)):
        return False
    return not (_LEADING_GROUP.match(left.text) and _THOUSANDS_GROUP.match(right.text))


def number_separators(lines: Sequence[Line], separators: Sequence[float]) -> list[float]:
    """Extra separators inside columns where numbers stand in aligned sub-columns.

    Tight numeric tables ("1,144 193.5") leave less than a chunk gap between columns; a white
    corridor between the words of a column, crossed by number pairs in at least two lines and by
    words in (almost) none, splits it. Text never splits this way ("INV 10023" keeps together).
    """
    tabular = [line for line in lines if len(line.chunks) >= 2]
    if not tabular:
        return []
    left = min(line.x0 for line in tabular)
    right = max(line.x1 for line in tabular)
    xs = [left, *separators, right]
    extra: list[float] = []
    for j in range(len(xs) - 1):
        inside = [
            [w for w in line.words if xs[j] <= (w.x0 + w.x1) / 2 < xs[j + 1]] for line in tabular
        ]
        inside = [words for words in inside if words]
        if len(inside) < 2:
            continue
        allowed = int(CROSSING_SHARE * len(inside))
        events = sorted(
            [(w.x0, 1) for words in inside for w in words] + [(w.x1, -1) for words in inside for w in words],
            key=lambda e: (e[0], -e[1]),
        )
        col_left = min(words[0].x0 for words in inside)
        col_right = max(w.x1 for words in inside for w in words)
        depth, gap_start = 0, None
        for x, delta in events:
            before = depth
            depth += delta
            if before > allowed >= depth and x < col_right:
                gap_start = x
            elif before <= allowed < depth and gap_start is not None:
                if x > gap_start > col_left and _numeric_corridor(inside, gap_start, x):
                    extra.append((gap_start + x) / 2)
                gap_start = None
    return extra


def _numeric_corridor(lines_words: list[list[Word]], g0: float, g1: float) -> bool:
    numbers = texts = 0
    for words in lines_words:
        for a, b in itertools.pairwise(words):
            if a.x1 <= g0 + 0.01 and b.x0 >= g1 - 0.01:
                if numbers_apart(a, b):
                    numbers += 1
                else:
                    texts += 1
    return numbers >= 2 and 4 * texts <= numbers


def chunk_to_pieces(chunk: Chunk, separators: Sequence[float], numeric: Sequence[float] = ()) -> list[Chunk]:
    """A chunk cut where a separator runs between two of its words that are separate numbers, or
    where one of the ``numeric`` separators (of number sub-columns) runs between any two words."""
    pieces: list[list[Word]] = [[chunk.words[0]]]
    for a, b in itertools.pairwise(chunk.words):
        cut = any(a.x1 <= sep <= b.x0 for sep in separators) and numbers_apart(a, b)
        if cut or any(a.x1 <= sep <= b.x0 for sep in numeric):
            pieces.append([b])
        else:
            pieces[-1].append(b)
    if len(pieces) == 1:
        return [chunk]
    return [Chunk(words=tuple(p), x0=p[0].x0, x1=max(w.x1 for w in p)) for p in pieces]
