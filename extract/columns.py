"""Lines of a borderless table -> column separators, from whitespace corridors between chunks.

A separator is an x-range that (almost) no chunk of the table's multi-chunk lines covers: the
white corridor between a left-aligned description and a right-aligned amount, for instance.
A few lines may cross a corridor (an overflowing description, a spanning header) without
closing it.
"""

from __future__ import annotations

from collections.abc import Sequence

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
