"""Ruling segments -> grids of ruled tables: merged rules, connected groups, grid lines, spans.

Like pdfplumber's ``edges_to_intersections -> intersections_to_cells`` but on a grid: the distinct
x of vertical rules and y of horizontal rules of one connected group of crossing rules cut the
table into grid cells, and a missing rule between two grid cells makes them one spanning cell.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from dataclasses import dataclass

from extract.layout import Segment

# A rule covering this share of a grid cell's side separates it from its neighbour.
SIDE_COVERAGE = 0.6


@dataclass(frozen=True, slots=True)
class Rule:
    """A merged ruling line: horizontal (``at`` is y, from ``start`` to ``end`` in x) or vertical."""

    horizontal: bool
    at: float
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Grid:
    """A ruled table's grid: ``xs`` and ``ys`` cut it into cells; ``spans`` maps a cell to its top-left."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    owner: dict[tuple[int, int], tuple[int, int]]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])


def segments_to_rules(segments: Sequence[Segment], snap: float) -> list[Rule]:
    """Axis-aligned rules with collinear touching pieces merged (within ``snap``)."""
    # Pieces as (at, start, end) tuples: a ruled page has hundreds, and a Rule per piece cost
    # more than the merging itself.
    pieces: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
    horizontals, verticals = pieces[True], pieces[False]
    for s in segments:
        x0, top, x1, bottom = s.x0, s.top, s.x1, s.bottom
        if bottom - top <= x1 - x0:  # Segment.is_horizontal, inlined
            horizontals.append(((top + bottom) / 2, min(x0, x1), max(x0, x1)))
        else:
            verticals.append(((x0 + x1) / 2, min(top, bottom), max(top, bottom)))
    merged: list[Rule] = []
    for horizontal in (True, False):
        group = sorted(pieces[horizontal], key=_at_start)
        # Cluster by position first, then join overlapping runs along the line.
        clusters: list[list[tuple[float, float, float]]] = []
        for piece in group:
            if clusters and piece[0] - clusters[-1][-1][0] <= snap:
                clusters[-1].append(piece)
            else:
                clusters.append([piece])
        for cluster in clusters:
            at = sum(p[0] for p in cluster) / len(cluster)
            runs = sorted(cluster, key=_start)
            start, end = runs[0][1], runs[0][2]
            for _at, r_start, r_end in runs[1:]:
                if r_start <= end + snap:
                    end = max(end, r_end)
                else:
                    merged.append(Rule(horizontal, at, start, end))
                    start, end = r_start, r_end
            merged.append(Rule(horizontal, at, start, end))
    return [r for r in merged if r.end - r.start > snap]


_at_start = operator.itemgetter(0, 1)
_start = operator.itemgetter(1)


def rules_to_grids(rules: Sequence[Rule], snap: float) -> list[Grid]:
    """Grids of the connected groups of crossing rules that form at least 2 x 2 grid cells."""
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    h_index = [i for i, r in enumerate(rules) if r.horizontal]
    v_index = [i for i, r in enumerate(rules) if not r.horizontal]
    for hi in h_index:
        h = rules[hi]
        root = find(hi)  # stays the root: crossing rules join under it
        for vi in v_index:
            if _cross(h, rules[vi], snap):
                other = find(vi)
                if other != root:
                    parent[other] = root
    groups: dict[int, list[Rule]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(find(i), []).append(rule)
    grids: list[Grid] = []
    for group in groups.values():
        hs = [r for r in group if r.horizontal]
        vs = [r for r in group if not r.horizontal]
        if len(hs) < 2 or len(vs) < 2:
            continue
        grid = _rules_to_grid(hs, vs, snap)
        if grid is not None:
            grids.append(grid)
    return grids


def _cross(h: Rule, v: Rule, snap: float) -> bool:
    return h.start - snap <= v.at <= h.end + snap and v.start - snap <= h.at <= v.end + snap


def _positions(values: Sequence[float], snap: float) -> list[float]:
    """Distinct positions: values within ``snap`` of each other are one."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= snap:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _rules_to_grid(hs: list[Rule], vs: list[Rule], snap: float) -> Grid | None:
    # Rules running past the outermost crossing rules close the grid there: a table ruled
    # between rows but without a left or right border still has its outer column.
    xs = _positions([v.at for v in vs] + _overhangs(hs, [v.at for v in vs], snap), snap)
    ys = _positions([h.at for h in hs] + _overhangs(vs, [h.at for h in hs], snap), snap)
    if len(xs) < 2 or len(ys) < 2:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    cells = [(i, j) for i in range(n_rows) for j in range(n_cols)]
    parent: dict[tuple[int, int], tuple[int, int]] = {c: c for c in cells}

    def find(c: tuple[int, int]) -> tuple[int, int]:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            # The top-left cell owns a span.
            keep, drop = (ra, rb) if ra < rb else (rb, ra)
            parent[drop] = keep

    # The rules at each grid line, so a side's coverage looks at a few rules, not all of them.
    v_at = _rules_near(vs, xs, snap)
    h_at = _rules_near(hs, ys, snap)
    # A span's owner is its top-left cell whatever the order of the unions; a grid line one rule
    # runs the whole length of covers every side along it (most lines of a ruled table).
    for j in range(1, n_cols):
        if not _spans(v_at[j], ys[0], ys[-1]):
            for i in range(n_rows):
                if not _covered(v_at[j], ys[i], ys[i + 1]):
                    union((i, j - 1), (i, j))
    for i in range(1, n_rows):
        if not _spans(h_at[i], xs[0], xs[-1]):
            for j in range(n_cols):
                if not _covered(h_at[i], xs[j], xs[j + 1]):
                    union((i - 1, j), (i, j))
    owner = {c: find(c) for c in parent}
    return Grid(xs=tuple(xs), ys=tuple(ys), owner=owner)


def _rules_near(rules: list[Rule], positions: list[float], snap: float) -> list[list[Rule]]:
    """Per position, the ``rules`` within ``snap`` of it, in their given order (their sums are
    order-sensitive); found by bisecting the sorted positions, not by scanning every rule."""
    order = sorted(range(len(rules)), key=lambda k: rules[k].at)
    ats = [rules[k].at for k in order]
    near: list[list[Rule]] = []
    for p in positions:
        # A window wider than ``snap``; the exact test below decides.
        lo, hi = bisect.bisect_left(ats, p - snap - 1.0), bisect.bisect_right(ats, p + snap + 1.0)
        ks = sorted(k for k in order[lo:hi] if abs(rules[k].at - p) <= snap)
        near.append([rules[k] for k in ks])
    return near


def _overhangs(rules: list[Rule], crossing: list[float], snap: float) -> list[float]:
    """Where ``rules`` end beyond the outermost ``crossing`` positions (by more than a snap)."""
    out: list[float] = []
    start = min(r.start for r in rules)
    end = max(r.end for r in rules)
    if start < min(crossing) - 4 * snap:
        out.append(start)
    if end > max(crossing) + 4 * snap:
        out.append(end)
    return out


def _spans(rules: list[Rule], start: float, end: float) -> bool:
    """Whether one of ``rules`` runs over all of ``[start, end]``."""
    return any(r.start <= start and r.end >= end for r in rules)


def _covered(rules: list[Rule], start: float, end: float) -> bool:
    """Whether ``rules`` (all at one grid line) cover enough of ``[start, end]``."""
    covered = 0.0
    for r in rules:
        covered += max(0.0, min(r.end, end) - max(r.start, start))
    return covered >= SIDE_COVERAGE * (end - start)
