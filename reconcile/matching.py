"""The matching passes: each takes the open items of both books and returns the pairs it can prove.

A pass is a pure function of the two books' columns (reconcile.frames.Book) and the open masks; it
returns ledger and statement positions of equal length. Passes are joins of integer arrays (sorts,
not loops over all pairs); the fuzzy and many-to-one passes are bounded by the options.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reconcile.frames import NO_DAY, Book, KeyCodes, key_lengths
from reconcile.options import ReconcileOptions
from reconcile.references import is_single_digit_substitution, keys_to_ocr_keys
from reconcile.subset_sum import find_subset

MIN_KEY_LENGTH = 3  # "1" or "12" as a key would pair unrelated documents
MIN_FUZZY_KEY_LENGTH = 5
FUZZY_BLOCK_ROWS = 2_000
_EMPTY = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Pairs:
    """One-to-one matches found by a pass: ledger positions, statement positions, confidences."""

    ledger: np.ndarray
    statement: np.ndarray
    confidence: np.ndarray

    @staticmethod
    def none() -> Pairs:
        return Pairs(_EMPTY, _EMPTY, np.empty(0, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.ledger)


@dataclass(frozen=True, slots=True)
class Group:
    """A many-to-one or one-to-many match: several positions on one side, one or more on the other."""

    ledger: tuple[int, ...]
    statement: tuple[int, ...]


def _runs(groups: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows ordered by group (dense codes), then date, then row; each row's rank in its group
    in that order and the size of its group (both in that order)."""
    low = int(days.min())
    # One stable sort of one int64 key: codes are below the row count and dates span at most
    # NO_DAY..date.max, so the key stays far inside int64.
    order = np.argsort(groups * (int(days.max()) - low + 1) + (days - low), kind="stable")
    ordered = groups[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(ordered)])
    rank = np.arange(len(ordered), dtype=np.int64) - np.repeat(starts, sizes)
    return order, rank, np.repeat(sizes, sizes)


def _rank_join(
    l_groups: np.ndarray, l_days: np.ndarray, r_groups: np.ndarray, r_days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Join rows of equal group pairing the k-th row of a group on the left (in date order, then
    row order) with the k-th on the right, so repeated keys or amounts pair one-to-one, never as a
    product.

    Returns the left and right row indexes of the pairs (in group order) and whether each pair's
    group has a single row on both sides.
    """
    if not len(l_groups) or not len(r_groups):
        return _EMPTY, _EMPTY, np.empty(0, dtype=bool)
    _, dense = np.unique(np.concatenate([l_groups, r_groups]), return_inverse=True)
    gl, gr = dense[: len(l_groups)], dense[len(l_groups) :]
    order_l, rank_l, size_l = _runs(gl, l_days)
    order_r, rank_r, size_r = _runs(gr, r_days)
    # (group, rank) as one key, ascending in each side's run order: a merge by binary search.
    width = int(max(rank_l.max(), rank_r.max())) + 1
    key_l, key_r = gl[order_l] * width + rank_l, gr[order_r] * width + rank_r
    at = np.minimum(np.searchsorted(key_r, key_l), len(key_r) - 1)
    hit = key_r[at] == key_l
    at = at[hit]
    return order_l[hit], order_r[at], (size_l[hit] == 1) & (size_r[at] == 1)


def _key_sign(codes: np.ndarray, signs: np.ndarray) -> np.ndarray:
    return codes * 3 + signs + 1


def _within(days_l: np.ndarray, days_s: np.ndarray, window: int) -> np.ndarray:
    missing = (days_l == NO_DAY) | (days_s == NO_DAY)
    return missing | (np.abs(days_l - days_s) <= window)


def _key_join(
    ledger: Book,
    statement: Book,
    l_pos: np.ndarray,
    l_groups: np.ndarray,
    s_pos: np.ndarray,
    s_groups: np.ndarray,
    options: ReconcileOptions,
    in_ledger_date_order: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Rank join of ledger and statement rows on a reference group (key and sign) within the
    reference date window. A key shared by several items on one side (three receipts of one
    payment, a duplicate invoice) pairs by date order only where the amounts agree; the rest is
    left to the reference-group and many-to-one passes. Returns positions, in group order or in
    the order of the ledger rows by date, then row."""
    li, si, single = _rank_join(l_groups, ledger.day[l_pos], s_groups, statement.day[s_pos])
    if in_ledger_date_order:
        in_order = np.lexsort((li, ledger.day[l_pos[li]]))
        li, si, single = li[in_order], si[in_order], single[in_order]
    pl, ps = l_pos[li], s_pos[si]
    keep = single | (ledger.cents[pl] == statement.cents[ps])
    keep &= _within(ledger.day[pl], statement.day[ps], options.reference_date_window_days)
    return pl[keep], ps[keep]


def match_by_reference(
    ledger: Book, statement: Book, l_open: np.ndarray, s_open: np.ndarray, options: ReconcileOptions
) -> Pairs:
    """Same normalized reference and sign: ``INV-0012345`` = ``12345`` = ``Inv 12345``.

    Confidence 1.0 when the printed references are equal, 0.95 when only their keys are.
    """
    lp = np.flatnonzero(l_open & (ledger.klen >= MIN_KEY_LENGTH))
    sp = np.flatnonzero(s_open & (statement.klen >= MIN_KEY_LENGTH))
    pl, ps = _key_join(
        ledger, statement, lp, _key_sign(ledger.codes[lp], ledger.sign[lp]),
        sp, _key_sign(statement.codes[sp], statement.sign[sp]), options,
    )  # fmt: skip
    # C string methods mapped over the columns: no Python step per pair of a million.
    printed_l = map(str.strip, map(str.upper, ledger.refs[pl].tolist()))
    printed_s = map(str.strip, map(str.upper, statement.refs[ps].tolist()))
    same = np.fromiter(map(str.__eq__, printed_l, printed_s), dtype=bool, count=len(pl))
    return Pairs(pl, ps, np.where(same, 1.0, 0.95))


def _keep_first(values: np.ndarray) -> np.ndarray:
    """Mask of the first occurrence of each value."""
    keep = np.zeros(len(values), dtype=bool)
    keep[np.unique(values, return_index=True)[1]] = True
    return keep


def _own_keys(book: Book, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the open items and their reference groups (key and sign)."""
    positions = np.flatnonzero(mask)
    return positions, _key_sign(book.codes[positions], book.sign[positions])


def _other_keys(book: Book, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the open items' other references (one per reference) and their groups."""
    rows = np.flatnonzero(mask[book.other_pos])
    positions = book.other_pos[rows]
    return positions, _key_sign(book.other_codes[rows], book.sign[positions])


def match_by_other_reference(
    ledger: Book, statement: Book, l_open: np.ndarray, s_open: np.ndarray, options: ReconcileOptions
) -> Pairs:
    """Their "Your Ref" column holds our document number, or our export holds theirs
    (SAP "Reference", Business Central "External Document No.")."""
    # Pairs in the ledger's date order, theirs before ours: an item pairing more than once keeps
    # its first pair (below).
    found: list[tuple[np.ndarray, np.ndarray]] = []
    if len(statement.other_pos):
        theirs = (*_own_keys(ledger, l_open), *_other_keys(statement, s_open))
        found.append(_key_join(ledger, statement, *theirs, options, in_ledger_date_order=True))
    if len(ledger.other_pos):
        ours = (*_other_keys(ledger, l_open), *_own_keys(statement, s_open))
        found.append(_key_join(ledger, statement, *ours, options, in_ledger_date_order=True))
    if not found:
        return Pairs.none()
    pl, ps = np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])
    # An item with several other references may pair more than once: keep its first pair only.
    keep = _keep_first(pl)
    pl, ps = pl[keep], ps[keep]
    keep = _keep_first(ps)
    pl, ps = pl[keep], ps[keep]
    return Pairs(pl, ps, np.full(len(pl), 0.95))


def match_by_ocr_reference(
    ledger: Book, statement: Book, l_open: np.ndarray, s_open: np.ndarray, options: ReconcileOptions
) -> Pairs:
    """References equal once the letters OCR confuses with digits are folded (O/0, I/l/1, S/5, B/8)."""
    lp = np.flatnonzero(l_open & (ledger.klen > 0))
    sp = np.flatnonzero(s_open & (statement.klen > 0))
    if not len(lp) or not len(sp):
        return Pairs.none()
    l_keys = keys_to_ocr_keys(ledger.keys[lp].tolist())
    s_keys = keys_to_ocr_keys(statement.keys[sp].tolist())
    l_long = key_lengths(l_keys) >= MIN_KEY_LENGTH
    s_long = key_lengths(s_keys) >= MIN_KEY_LENGTH
    ocr_codes = KeyCodes()
    l_codes, s_codes = ocr_codes.codes(l_keys)[l_long], ocr_codes.codes(s_keys)[s_long]
    lp, sp = lp[l_long], sp[s_long]
    l_groups, s_groups = _key_sign(l_codes, ledger.sign[lp]), _key_sign(s_codes, statement.sign[sp])
    pl, ps = _key_join(ledger, statement, lp, l_groups, sp, s_groups, options)
    return Pairs(pl, ps, np.full(len(pl), 0.85))


def _keyed(book: Book, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Open items with each of their reference keys (own and other), one row per (position, key):
    positions, key codes, keys."""
    own = np.flatnonzero(mask & (book.klen >= MIN_KEY_LENGTH))
    rows = np.flatnonzero(mask[book.other_pos])
    pos = np.concatenate([own, book.other_pos[rows]])
    codes = np.concatenate([book.codes[own], book.other_codes[rows]])
    keys = np.concatenate([book.keys[own], book.other_keys[rows]])
    if not len(pos):
        return pos, codes, keys
    keep = _keep_first(pos * (int(codes.max()) + 1) + codes)
    return pos[keep], codes[keep], keys[keep]


def match_by_reference_group(
    ledger: Book, statement: Book, l_open: np.ndarray, s_open: np.ndarray
) -> list[Group]:
    """Items sharing one reference whose amounts sum to the same total in both books: three
    receipts we posted against one payment reference, an invoice paid in parts quoting its number."""
    l_pos, l_codes, l_keys = _keyed(ledger, l_open)
    s_pos, s_codes, s_keys = _keyed(statement, s_open)
    if not len(l_pos) or not len(s_pos):
        return []
    codes, dense = np.unique(np.concatenate([l_codes, s_codes]), return_inverse=True)
    gl, gs = dense[: len(l_codes)], dense[len(l_codes) :]
    sums = np.zeros((2, len(codes)), dtype=np.int64)
    np.add.at(sums[0], gl, ledger.cents[l_pos])
    np.add.at(sums[1], gs, statement.cents[s_pos])
    size_l, size_s = np.bincount(gl, minlength=len(codes)), np.bincount(gs, minlength=len(codes))
    chosen = (size_l > 0) & (size_s > 0) & (sums[0] == sums[1]) & (size_l + size_s > 2) & (sums[0] != 0)
    in_l, in_s = chosen[gl], chosen[gs]
    members_l: dict[str, list[int]] = {}
    members_s: dict[str, list[int]] = {}
    for members, keys, pos in (
        (members_l, l_keys[in_l], l_pos[in_l]),
        (members_s, s_keys[in_s], s_pos[in_s]),
    ):
        for key, p in zip(keys.tolist(), pos.tolist(), strict=True):
            members.setdefault(key, []).append(p)
    groups: list[Group] = []
    used_l: set[int] = set()
    used_s: set[int] = set()
    for key in sorted(members_l):  # keys in text order: the first claim on an item wins
        group_l, group_s = members_l[key], members_s[key]
        if used_l.intersection(group_l) or used_s.intersection(group_s):
            continue
        used_l.update(group_l)
        used_s.update(group_s)
        groups.append(Group(tuple(sorted(group_l)), tuple(sorted(group_s))))
    return groups


def match_by_amount_and_date(
    ledger: Book, statement: Book, l_open: np.ndarray, s_open: np.ndarray, options: ReconcileOptions
) -> Pairs:
    """Same amount to the cent, dates within the window; repeated amounts pair in date order.

    Confidence falls with the distance in days and when both sides carry different references.
    """
    lp = np.flatnonzero(l_open & (ledger.day != NO_DAY))
    sp = np.flatnonzero(s_open & (statement.day != NO_DAY))
    li, si, _ = _rank_join(ledger.cents[lp], ledger.day[lp], statement.cents[sp], statement.day[sp])
    pl, ps = lp[li], sp[si]
    days = np.abs(ledger.day[pl] - statement.day[ps])
    near = days <= options.amount_date_window_days
    pl, ps, days = pl[near], ps[near], days[near]
    keys_differ = (ledger.klen[pl] > 0) & (statement.klen[ps] > 0) & (ledger.codes[pl] != statement.codes[ps])
    return Pairs(pl, ps, 0.9 - 0.02 * days - np.where(keys_differ, 0.15, 0.0))


def match_by_fuzzy_reference(
    ledger: Book, statement: Book, l_open: np.ndarray, s_open: np.ndarray, options: ReconcileOptions
) -> tuple[Pairs, str | None]:
    """References one edit apart (a transposition, a dropped or extra character, a letter typo),
    same sign, dates within the reference window; a single digit replaced by another is a
    different document in a sequence, not a typo. Returns the pairs and a warning if skipped."""
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import cdist

    lp = np.flatnonzero(l_open & (ledger.klen >= MIN_FUZZY_KEY_LENGTH))
    sp = np.flatnonzero(s_open & (statement.klen >= MIN_FUZZY_KEY_LENGTH))
    if not len(lp) or not len(sp):
        return Pairs.none(), None
    if len(lp) * len(sp) > options.fuzzy_max_pairs:
        return Pairs.none(), (
            f"fuzzy reference pass skipped: {len(lp)} x {len(sp)} open items exceed "
            f"the bound of {options.fuzzy_max_pairs} comparisons"
        )
    right_keys = statement.keys[sp].tolist()
    hits_l: list[np.ndarray] = []
    hits_s: list[np.ndarray] = []
    for start in range(0, len(lp), FUZZY_BLOCK_ROWS):
        block = ledger.keys[lp[start : start + FUZZY_BLOCK_ROWS]].tolist()
        distances = cdist(block, right_keys, scorer=OSA.distance, score_cutoff=1, dtype=np.int32, workers=1)
        rows, columns = np.nonzero(distances <= 1)
        hits_l.append(lp[rows + start])
        hits_s.append(sp[columns])
    pl, ps = np.concatenate(hits_l), np.concatenate(hits_s)
    keep = (ledger.sign[pl] == statement.sign[ps]) & (ledger.codes[pl] != statement.codes[ps])
    keep &= _within(ledger.day[pl], statement.day[ps], options.reference_date_window_days)
    pl, ps = pl[keep], ps[keep]
    typo = [
        not is_single_digit_substitution(a, b)
        for a, b in zip(ledger.keys[pl].tolist(), statement.keys[ps].tolist(), strict=True)
    ]
    pl, ps = pl[np.asarray(typo, dtype=bool)], ps[np.asarray(typo, dtype=bool)]
    # Only unambiguous pairs: an item one edit away from two others pairs with neither.
    once = (np.bincount(pl, minlength=len(ledger))[pl] == 1) & (
        np.bincount(ps, minlength=len(statement))[ps] == 1
    )
    return Pairs(pl[once], ps[once], np.full(int(once.sum()), 0.75)), None


def _groups_one_to_many(
    targets: tuple[np.ndarray, np.ndarray, np.ndarray],
    pool: tuple[np.ndarray, np.ndarray, np.ndarray],
    options: ReconcileOptions,
) -> list[tuple[int, tuple[int, ...]]]:
    """For each target (largest first), a set of >= 2 pool items of its sign within the date window
    that sum exactly to it; each pool item is used once. Bounded by the options.

    Targets and pool are (positions, cents, days) in position order."""
    found: list[tuple[int, tuple[int, ...]]] = []
    t_pos, t_cents, t_days = targets
    p_pos, p_cents, p_days = pool
    if not len(t_pos) or len(p_pos) < 2:
        return found
    dated = t_days != NO_DAY
    t_pos, t_cents, t_days = t_pos[dated], t_cents[dated], t_days[dated]
    largest = np.argsort(-np.abs(t_cents), kind="stable")[: options.subset_max_targets]
    by_day = np.argsort(p_days, kind="stable")
    p_pos, p_cents, p_days = p_pos[by_day], p_cents[by_day], p_days[by_day]
    sides = {}
    for sign in (-1, 1):
        part = np.sign(p_cents) == sign
        sides[sign] = (
            p_days[part],
            np.abs(p_cents[part]),
            p_cents[part],
            p_pos[part],
            np.zeros(int(part.sum()), dtype=bool),
        )
    window_days = options.group_date_window_days
    for pos, cents, day in zip(
        t_pos[largest].tolist(), t_cents[largest].tolist(), t_days[largest].tolist(), strict=True
    ):
        if cents == 0:
            continue
        days, magnitude, values, positions, used = sides[1 if cents > 0 else -1]
        lo = int(np.searchsorted(days, day - window_days, side="left"))
        hi = int(np.searchsorted(days, day + window_days, side="right"))
        candidates = np.flatnonzero((magnitude[lo:hi] < abs(cents)) & ~used[lo:hi]) + lo
        if len(candidates) < 2:
            continue
        distance = np.abs(days[candidates] - day)
        if 0 < options.subset_max_candidates < len(candidates):
            # Only candidates within the k-th smallest distance can be among the k nearest.
            kth = np.partition(distance, options.subset_max_candidates - 1)[options.subset_max_candidates - 1]
            near = distance <= kth
            candidates, distance = candidates[near], distance[near]
        candidates = candidates[np.argsort(distance, kind="stable")[: options.subset_max_candidates]]
        chosen = find_subset(int(cents), values[candidates].tolist(), options.subset_max_nodes)
        if chosen is None:
            continue
        picked = candidates[list(chosen)]
        used[picked] = True
        found.append((int(pos), tuple(sorted(int(p) for p in positions[picked]))))
    return found


def _columns(book: Book, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pos = np.flatnonzero(mask)
    return pos, book.cents[pos], book.day[pos]


def match_by_subset_sum(
    ledger: Book, statement: Book, l_open: np.ndarray, s_open: np.ndarray, options: ReconcileOptions
) -> list[Group]:
    """One statement line = several ledger entries (one payment settling several invoices), then
    one ledger entry = several statement lines (an invoice paid in parts)."""
    found = _groups_one_to_many(_columns(statement, s_open), _columns(ledger, l_open), options)
    groups = [Group(members, (target,)) for target, members in found]
    l_open, s_open = l_open.copy(), s_open.copy()
    for group in groups:
        l_open[list(group.ledger)] = False
        s_open[list(group.statement)] = False
    found = _groups_one_to_many(_columns(ledger, l_open), _columns(statement, s_open), options)
    return groups + [Group((target,), members) for target, members in found]
