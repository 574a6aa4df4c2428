"""A page's words, rules and fills -> every table on it (``page_to_tables``).

Ruled tables come from grids of crossing rules (``extract.table_grid``); the words outside them
make borderless tables: blocks of consecutive lines with several chunks, cut into columns at the
white corridors between chunks and between aligned numbers (``extract.columns``). Horizontal
rules and fills (zebra shading) that cut a borderless table into 3 or more bands make each band
one row. Running text (prose in page columns, a text column beside a table) is not a table.

The contract the statement layer builds on:
- Rows are VISUAL rows: a description wrapped onto a second line with the other columns empty is
  a row of its own (its other cells ""); the statement layer merges such continuation rows. In a
  ruled grid cell or a zebra band, all lines are one row (cell lines joined with a space); a grid
  row or band holding more than 3 lines is a section, and its lines become rows.
- Every row has the same number of cells; an empty cell is "" with the box of its row and
  column; a spanning cell's text sits at its top-left position, the covered positions are "".
- A column only some rows fill (Debit beside Credit) is kept, also when one page fills none of
  it; a multi-line header is several rows (borderless) or one (ruled/banded).
- A title above a table and a header block (customer, dates) are not rows (they may come out as
  a small table of their own, e.g. label | value); a total line right under the last row and
  aligned with the columns IS a row, as are "carried forward" lines; text after a gap is not.
- Tables come top to bottom; tolerances scale with the page's median word height, so the same
  code serves PDF points and OCR pixels (ragged baselines, conf < 1: a cell's conf is its
  lowest word's).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from extract.columns import chunk_to_column, chunk_to_pieces, lines_to_separators, number_separators
from extract.layout import BBox, Cell, Fill, Page, Table, Word
from extract.rows import Chunk, Line, median, words_to_line, words_to_lines, x0_of
from extract.table_grid import Grid, Rule, rules_to_grids, segments_to_rules


@dataclass(frozen=True, slots=True)
class TableOptions:
    """Tolerances of table reconstruction, in multiples of the page's median word height."""

    snap: float = 0.3  # rules this close are one line
    block_gap: float = 2.0  # a vertical gap this tall between lines ends a block of lines
    min_rows: int = 2  # a borderless table has at least this many multi-chunk lines
    band_max_lines: int = 3  # a shaded/ruled band holding more lines than this is not one row
    prose_words: int = 4  # a chunk of at least this many words can be running text
    prose_lines: int = 5  # this many aligned running-text chunks make a page column of text
    max_rules: int = 5000  # above this, ruling segments are drawings, not tables: ignore them


DEFAULT_OPTIONS = TableOptions()


def page_to_tables(page: Page, options: TableOptions = DEFAULT_OPTIONS) -> list[Table]:
    """Every table on ``page``, top to bottom (ruled grids and borderless blocks); [] when none."""
    if not page.words:
        return []
    unit = median([w.bottom - w.top for w in page.words], default=10.0) or 10.0
    snap = options.snap * unit
    segments = page.segments if len(page.segments) <= options.max_rules else ()
    rules = segments_to_rules(segments, snap)
    tables: list[Table] = []
    remaining: list[Word] = list(page.words)
    for grid in rules_to_grids(rules, snap):
        # Words whose centre is in the grid's box grown by a snap; centres compared doubled.
        x0, top, x1, bottom = grid.bbox
        left, right, upper, lower = 2 * (x0 - snap), 2 * (x1 + snap), 2 * (top - snap), 2 * (bottom + snap)
        inside = [w for w in remaining if left <= w.x0 + w.x1 <= right and upper <= w.top + w.bottom <= lower]
        table = _grid_to_table(page.number, grid, inside, options)
        if table is None:
            continue
        tables.append(table)
        taken = {id(w) for w in inside}
        remaining = [w for w in remaining if id(w) not in taken]
    horizontal_rules = [r for r in rules if r.horizontal]
    lines = _without_prose_column(words_to_lines(remaining), unit, options)
    for block in _lines_to_blocks(lines, unit, options):
        table = _block_to_table(page.number, block, horizontal_rules, page.fills, unit, options)
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return tables


def _words_to_cell(words: Sequence[Word], box: BBox) -> Cell:
    """A cell of ``words`` in reading order (line by line, left to right); ``box`` when empty."""
    if not words:
        return Cell(text="", bbox=box, conf=1.0)
    first = words[0]
    if len(words) == 1:
        return Cell(first.text, (first.x0, first.top, first.x1, first.bottom), first.conf)
    x0, top, x1, bottom, conf = first.x0, first.top, first.x1, first.bottom, first.conf
    lowest_top, highest_bottom = top, bottom
    for w in words:
        if w.x0 < x0:
            x0 = w.x0
        if w.x1 > x1:
            x1 = w.x1
        if w.top < top:
            top = w.top
        elif w.top > lowest_top:
            lowest_top = w.top
        if w.bottom > bottom:
            bottom = w.bottom
        elif w.bottom < highest_bottom:
            highest_bottom = w.bottom
        if w.conf < conf:
            conf = w.conf
    if lowest_top < highest_bottom:  # one line: every word overlaps every other vertically
        text = " ".join([w.text for w in sorted(words, key=x0_of)])
    else:
        text = " ".join(" ".join(w.text for w in line.words) for line in words_to_lines(words))
    return Cell(text=text, bbox=(x0, top, x1, bottom), conf=conf)


def _grid_to_table(number: int, grid: Grid, words: Sequence[Word], options: TableOptions) -> Table | None:
    """The table of a ruled grid, or None when fewer than 2 rows or 2 columns hold text.

    A grid row holding more than ``band_max_lines`` lines is a section ruled only around (a
    report's body between two rules): its lines become rows. A horizontal span whose text falls
    apart into chunks in different grid columns is a missing rule, not a span: each chunk keeps
    its column.
    """
    xs, ys = grid.xs, grid.ys
    n_rows = len(ys) - 1
    bands: list[list[Word]] = [[] for _ in range(n_rows)]
    last_row = n_rows - 1
    for word in words:  # _slot inlined: a ruled page has hundreds of words
        k = bisect.bisect_right(ys, (word.top + word.bottom) / 2) - 1
        bands[0 if k < 0 else last_row if k > last_row else k].append(word)
    owner = grid.owner
    n_cols = len(xs) - 1
    raw_rows: list[tuple[int, dict[int, list[Word]]]] = []
    for i, band in enumerate(bands):
        if not band:
            continue
        # Most grid rows hold one line: skip the clustering then.
        one_line = max(w.top for w in band) < min(w.bottom for w in band)
        lines = [words_to_line(band)] if one_line else words_to_lines(band)
        groups = [[line] for line in lines] if len(lines) > options.band_max_lines else [lines]
        # A row whose every grid cell is its column's own (no horizontal span) needs no span check.
        spanned = any(owner[(i, j)][1] != j for j in range(n_cols))
        for group in groups:
            raw_rows.append((i, _lines_to_grid_cells(group, grid, i, spanned)))
    cols_used = sorted({j for _i, cells in raw_rows for j in cells})
    if len(raw_rows) < 2 or len(cols_used) < 2:
        return None
    rows: list[tuple[Cell, ...]] = []
    for i, cells in raw_rows:
        top, bottom = ys[i], ys[i + 1]
        row = [_words_to_cell(cells.get(j, ()), (xs[j], top, xs[j + 1], bottom)) for j in cols_used]
        rows.append(tuple(row))
    return Table(page=number, bbox=grid.bbox, rows=tuple(rows))


def _lines_to_grid_cells(lines: Sequence[Line], grid: Grid, i: int, spanned: bool) -> dict[int, list[Word]]:
    """The words of one grid row's lines by grid column, honouring real horizontal spans only.

    ``spanned``: whether a cell of grid row ``i`` belongs to a span from another column.
    """
    cells: dict[int, list[Word]] = {}
    xs = grid.xs
    last_col = len(xs) - 2
    for line in lines:
        if not spanned:  # every chunk goes to the column under its centre (_slot inlined)
            for chunk in line.chunks:
                k = bisect.bisect_right(xs, (chunk.x0 + chunk.x1) / 2) - 1
                j = 0 if k < 0 else last_col if k > last_col else k
                if j in cells:
                    cells[j].extend(chunk.words)
                else:
                    cells[j] = list(chunk.words)
            continue
        spans: dict[int, list[tuple[int, Chunk]]] = {}
        for chunk in line.chunks:
            j = _slot(xs, (chunk.x0 + chunk.x1) / 2)
            spans.setdefault(grid.owner[(i, j)][1], []).append((j, chunk))
        for owner_col, members in spans.items():
            fake = len({j for j, _chunk in members}) > 1
            for j, chunk in members:
                cells.setdefault(j if fake else owner_col, []).extend(chunk.words)
    return cells


def _slot(cuts: Sequence[float], value: float) -> int:
    """Index of the interval of ``cuts`` holding ``value`` (clamped to the outer intervals)."""
    return min(max(bisect.bisect_right(cuts, value) - 1, 0), len(cuts) - 2)


def _lines_to_blocks(lines: Sequence[Line], unit: float, options: TableOptions) -> list[list[Line]]:
    """Runs of lines without a tall vertical gap, trimmed to start and end at a multi-chunk line."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if _is_prose(line, options):
            # Running text in several page columns is not a table row and ends the table.
            if current:
                blocks.append(current)
            current = []
            continue
        if current and line.top - current[-1].bottom > options.block_gap * unit:
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    trimmed: list[list[Line]] = []
    for block in blocks:
        multi = [k for k, line in enumerate(block) if len(line.chunks) >= 2]
        if len(multi) >= options.min_rows:
            trimmed.append(block[multi[0] : multi[-1] + 1])
    return trimmed


def _is_prose(line: Line, options: TableOptions) -> bool:
    """Whether a line is running text in page columns: several chunks, every one of many words."""
    return len(line.chunks) >= 2 and all(len(c.words) >= options.prose_words for c in line.chunks)


def _without_prose_column(lines: list[Line], unit: float, options: TableOptions) -> list[Line]:
    """Lines without the running text of a page column right of a table (its left edge aligned)."""
    starts: dict[int, list[int]] = {}
    for k, line in enumerate(lines):
        last = line.chunks[-1]
        if len(line.chunks) >= 2 and len(last.words) >= options.prose_words:
            starts.setdefault(round(last.x0 / unit), []).append(k)
    if not starts:
        return lines
    key, members = max(starts.items(), key=lambda item: len(item[1]))
    if len(members) < options.prose_lines:
        return lines
    left = key * unit
    first, last_k = members[0], members[-1]
    out: list[Line] = []
    for k, line in enumerate(lines):
        if first <= k <= last_k and abs(line.chunks[-1].x0 - left) <= 1.5 * unit:
            kept = [w for w in line.words if w.x0 < line.chunks[-1].x0]
            if kept:
                out.extend(words_to_lines(kept))
            continue
        out.append(line)
    return out


def _block_to_table(
    number: int,
    block: list[Line],
    rules: Sequence[Rule],
    fills: Sequence[Fill],
    unit: float,
    options: TableOptions,
) -> Table | None:
    """A borderless table from a block of lines, or None when it has fewer than 2 columns."""
    # A key-value header block or a title in the same block as the table must not be rows:
    # columns from the fullest lines (upper quartile of chunk counts) find them, as lines whose
    # chunks overlap the content of two columns. The table's own columns then come from all its
    # lines, so a column that only some rows fill (Debit beside Credit) is not lost.
    block = _trim_to_columns(block, _fullest_lines(block))
    if len([line for line in block if len(line.chunks) >= 2]) < options.min_rows:
        return None
    separators = lines_to_separators(block)
    numeric = number_separators(block, separators)
    separators = sorted(separators + numeric)
    if not separators:
        return None
    left = min(line.x0 for line in block)
    right = max(line.x1 for line in block)
    xs = [left, *separators, right]
    row_groups = _lines_to_row_groups(block, rules, fills, left, right, options)
    rows: list[tuple[Cell, ...]] = []
    for group in row_groups:
        cells: list[list[Word]] = [[] for _ in range(len(xs) - 1)]
        for line in group:
            for chunk in line.chunks:
                for piece in chunk_to_pieces(chunk, separators, numeric):
                    cells[chunk_to_column(piece, separators)].extend(piece.words)
        top = min(line.top for line in group)
        bottom = max(line.bottom for line in group)
        boxes = [(xs[j], top, xs[j + 1], bottom) for j in range(len(xs) - 1)]
        rows.append(tuple(_words_to_cell(words, box) for words, box in zip(cells, boxes, strict=True)))
    bbox = (left, block[0].top, right, block[-1].bottom)
    return Table(page=number, bbox=bbox, rows=tuple(rows))


def _fullest_lines(block: Sequence[Line]) -> list[Line]:
    """The lines with at least the upper-quartile number of chunks (of the multi-chunk lines)."""
    counts = sorted(len(line.chunks) for line in block if len(line.chunks) >= 2)
    if not counts:
        return []
    threshold = counts[(3 * (len(counts) - 1)) // 4]
    return [line for line in block if len(line.chunks) >= threshold]


def _trim_to_columns(block: list[Line], core: Sequence[Line]) -> list[Line]:
    """Drop leading and trailing lines that are not rows of the columns of the ``core`` lines."""
    separators = lines_to_separators(core)
    extents: dict[int, tuple[float, float]] = {}
    for line in core:
        for chunk in line.chunks:
            if any(chunk.x0 < sep < chunk.x1 for sep in separators):
                continue  # a spanning chunk tells nothing about one column's extent
            j = chunk_to_column(chunk, separators)
            x0, x1 = extents.get(j, (chunk.x0, chunk.x1))
            extents[j] = (min(x0, chunk.x0), max(x1, chunk.x1))
    spans = list(extents.values())

    def fits(line: Line) -> bool:
        if len(line.chunks) < 2:
            return False
        for chunk in line.chunks:
            touched = sum(1 for x0, x1 in spans if min(x1, chunk.x1) - max(x0, chunk.x0) > 0)
            if touched >= 2:
                return False
        return True

    start, end = 0, len(block)
    while start < end and not fits(block[start]):
        start += 1
    while end > start and not fits(block[end - 1]):
        end -= 1
    return block[start:end]


def _lines_to_row_groups(
    block: list[Line],
    rules: Sequence[Rule],
    fills: Sequence[Fill],
    left: float,
    right: float,
    options: TableOptions,
) -> list[list[Line]]:
    """Lines grouped into rows: one line per row, except inside a band cut by rules or fills."""
    top, bottom = block[0].top, block[-1].bottom
    width = right - left
    cuts: set[float] = set()
    for rule in rules:
        if top - 1 <= rule.at <= bottom + 1 and _overlap(rule.start, rule.end, left, right) >= 0.5 * width:
            cuts.add(rule.at)
    for fill in fills:
        across = _overlap(fill.x0, fill.x1, left, right) >= 0.5 * width
        if across and _overlap(fill.top, fill.bottom, top, bottom) > 0:
            cuts.add(fill.top)
            cuts.add(fill.bottom)
    if len(cuts) < 2:
        return [[line] for line in block]
    edges = sorted(cuts)
    groups: list[list[Line]] = []
    band_of: list[int] = []
    for line in block:
        band = sum(1 for e in edges if line.centre >= e)
        inner = 0 < band < len(edges)
        if groups and inner and band_of[-1] == band:
            groups[-1].append(line)
        else:
            groups.append([line])
            band_of.append(band)
    # Rules or fills that cut fewer than 3 bands (a header bar, a rule above the totals) frame
    # sections, not rows; a band with many lines is a section too: both stay one line per row.
    if sum(1 for band in band_of if 0 < band < len(edges)) < 3:
        return [[line] for line in block]
    out: list[list[Line]] = []
    for group in groups:
        if len(group) > options.band_max_lines:
            out.extend([line] for line in group)
        else:
            out.append(group)
    return out


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))
