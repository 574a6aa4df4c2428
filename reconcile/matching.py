"""The matching passes: each takes the open items of both books and returns the pairs it can prove.

A pass is a pure function of the two frames (reconcile.frames) and the open masks; it returns
ledger and statement positions of equal length. Passes are joins on integer and key columns,
never loops over all pairs; the fuzzy and many-to-one passes are bounded by the options.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reconcile.frames import NO_DAY, key_lengths
from reconcile.options import ReconcileOptions
from reconcile.references import is_single_digit_substitution, keys_to_ocr_keys
from reconcile.subset_sum import find_subset

MIN_KEY_LENGTH = 3  # "1" or "12" as a key would pair unrelated documents
MIN_FUZZY_KEY_LENGTH = 5
FUZZY_BLOCK_ROWS = 2_000


@dataclass(frozen=True, slots=True)
class Pairs:
    """One-to-one matches found by a pass: ledger positions, statement positions, confidences."""

    ledger: np.ndarray
    statement: np.ndarray
    confidence: np.ndarray

    @staticmethod
    def none() -> Pairs:
        empty = np.empty(0, dtype=np.int64)
        return Pairs(empty, empty, np.empty(0, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.ledger)


@dataclass(frozen=True, slots=True)
class Group:
    """A many-to-one or one-to-many match: several positions on one side, one or more on the other."""

    ledger: tuple[int, ...]
    statement: tuple[int, ...]


def _open(frame: pd.DataFrame, mask: np.ndarray, columns: list[str]) -> pd.DataFrame:
    part = frame.loc[mask, columns]
    return part.assign(pos=part.index.to_numpy(dtype=np.int64))


def _ranks(frame: pd.DataFrame, on: list[str]) -> dict[str, np.ndarray]:
    """Each row's rank among the rows with its values of ``on`` (in row order) and their count:
    numpy on factorized codes, cheaper than two pandas group-bys for small and large frames."""
    codes = np.zeros(len(frame), dtype=np.int64)
    for column in on:
        column_codes, uniques = pd.factorize(frame[column])
        codes = codes * (len(uniques) + 1) + column_codes
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(ordered) else ordered
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(ordered)]))
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(len(frame), dtype=np.int64) - run_start
    _, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    return {"_n": rank, "_size": counts[inverse]}


def _rank_join(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """Join on ``on`` pairing the k-th item of a group on one side with the k-th on the other
    (both sorted by date first), so repeated keys or amounts pair one-to-one, never as a product."""
    left = left.sort_values("day", kind="stable")
    right = right.sort_values("day", kind="stable")
    left = left.assign(**_ranks(left, on))
    right = right.assign(**_ranks(right, on))
    joined = left.merge(right, on=[*on, "_n"], suffixes=("_l", "_s"))
    if "cents" in on or "cents" not in left.columns:
        return joined
    # A key shared by several items on one side (three receipts of one payment, a duplicate
    # invoice) pairs by date order only where the amounts agree; the rest is left to the
    # reference-group and many-to-one passes.
    unique = (joined["_size_l"] == 1) & (joined["_size_s"] == 1)
    return joined[unique | (joined["cents_l"] == joined["cents_s"])]


def _within(days_l: pd.Series, days_s: pd.Series, window: int) -> np.ndarray:
    dl, ds = days_l.to_numpy(), days_s.to_numpy()
    missing = (dl == NO_DAY) | (ds == NO_DAY)
    return missing | (np.abs(dl - ds) <= window)


def _pairs(joined: pd.DataFrame, confidence: np.ndarray | float) -> Pairs:
    conf = np.broadcast_to(np.asarray(confidence, dtype=np.float64), (len(joined),)).copy()
    return Pairs(joined["pos_l"].to_numpy(dtype=np.int64), joined["pos_s"].to_numpy(dtype=np.int64), conf)


def match_by_reference(
    ledger: pd.DataFrame,
    statement: pd.DataFrame,
    l_open: np.ndarray,
    s_open: np.ndarray,
    options: ReconcileOptions,
) -> Pairs:
    """Same normalized reference and sign: ``INV-0012345`` = ``12345`` = ``Inv 12345``.

    Confidence 1.0 when the printed references are equal, 0.95 when only their keys are.
    """
    cols = ["ref", "key", "sign", "day", "cents"]
    left = _open(ledger, l_open & (ledger["klen"] >= MIN_KEY_LENGTH).to_numpy(), cols)
    right = _open(statement, s_open & (statement["klen"] >= MIN_KEY_LENGTH).to_numpy(), cols)
    joined = _rank_join(left, right, ["key", "sign"])
    joined = joined[_within(joined["day_l"], joined["day_s"], options.reference_date_window_days)]
    # C string methods mapped over the columns: no Python step per pair of a million.
    printed_l = map(str.strip, map(str.upper, joined["ref_l"].tolist()))
    printed_s = map(str.strip, map(str.upper, joined["ref_s"].tolist()))
    same = np.fromiter(map(str.__eq__, printed_l, printed_s), dtype=bool, count=len(joined))
    return _pairs(joined, np.where(same, 1.0, 0.95))


def match_by_other_reference(
    ledger: pd.DataFrame,
    statement: pd.DataFrame,
    ledger_other: pd.DataFrame,
    statement_other: pd.DataFrame,
    l_open: np.ndarray,
    s_open: np.ndarray,
    options: ReconcileOptions,
) -> Pairs:
    """Their "Your Ref" column holds our document number, or our export holds theirs
    (SAP "Reference", Business Central "External Document No.")."""
    found: list[pd.DataFrame] = []
    cols = ["key", "sign", "day", "cents"]
    left = _open(ledger, l_open, cols)
    right = _open(statement, s_open, cols)
    if len(statement_other):
        theirs = statement_other.merge(right.drop(columns="key"), on="pos")
        found.append(_rank_join(left, theirs, ["key", "sign"]))
    if len(ledger_other):
        ours = ledger_other.merge(left.drop(columns="key"), on="pos")
        found.append(_rank_join(ours, right, ["key", "sign"]))
    if not found:
        return Pairs.none()
    joined = pd.concat(found, ignore_index=True)
    joined = joined[_within(joined["day_l"], joined["day_s"], options.reference_date_window_days)]
    # An item with several other references may pair more than once: keep its first pair only.
    joined = joined.drop_duplicates("pos_l").drop_duplicates("pos_s")
    return _pairs(joined, 0.95)


def match_by_ocr_reference(
    ledger: pd.DataFrame,
    statement: pd.DataFrame,
    l_open: np.ndarray,
    s_open: np.ndarray,
    options: ReconcileOptions,
) -> Pairs:
    """References equal once the letters OCR confuses with digits are folded (O/0, I/l/1, S/5, B/8)."""
    cols = ["key", "sign", "day", "cents"]
    left = _open(ledger, l_open & (ledger["key"] != "").to_numpy(), cols)
    right = _open(statement, s_open & (statement["key"] != "").to_numpy(), cols)
    if left.empty or right.empty:
        return Pairs.none()
    left = left.assign(key=keys_to_ocr_keys(left["key"].tolist()))
    right = right.assign(key=keys_to_ocr_keys(right["key"].tolist()))
    left = left[key_lengths(left["key"].tolist()) >= MIN_KEY_LENGTH]
    right = right[key_lengths(right["key"].tolist()) >= MIN_KEY_LENGTH]
    joined = _rank_join(left, right, ["key", "sign"])
    joined = joined[_within(joined["day_l"], joined["day_s"], options.reference_date_window_days)]
    return _pairs(joined, 0.85)


def _keyed(frame: pd.DataFrame, other: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """Open items with each of their reference keys (own and other), one row per (pos, key)."""
    own = frame.loc[mask & (frame["klen"] >= MIN_KEY_LENGTH).to_numpy(), ["key"]]
    parts = [own.assign(pos=own.index.to_numpy(dtype=np.int64))[["pos", "key"]]]
    if len(other):
        parts.append(other[mask[other["pos"].to_numpy()]][["pos", "key"]])
    keyed = pd.concat(parts, ignore_index=True).drop_duplicates()
    return keyed.merge(frame[["cents"]], left_on="pos", right_index=True)


def match_by_reference_group(
    ledger: pd.DataFrame,
    statement: pd.DataFrame,
    ledger_other: pd.DataFrame,
    statement_other: pd.DataFrame,
    l_open: np.ndarray,
    s_open: np.ndarray,
) -> list[Group]:
    """Items sharing one reference whose amounts sum to the same total in both books: three
    receipts we posted against one payment reference, an invoice paid in parts quoting its number."""
    left = _keyed(ledger, ledger_other, l_open)
    right = _keyed(statement, statement_other, s_open)
    if left.empty or right.empty:
        return []
    totals = (
        left.groupby("key")["cents"]
        .agg(["sum", "size"])
        .merge(
            right.groupby("key")["cents"].agg(["sum", "size"]),
            left_index=True,
            right_index=True,
            suffixes=("_l", "_s"),
        )
    )
    keys = totals.index[
        (totals["sum_l"] == totals["sum_s"])
        & (totals["size_l"] + totals["size_s"] > 2)
        & (totals["sum_l"] != 0)
    ]
    members_l = left[left["key"].isin(keys)].groupby("key")["pos"].apply(list)
    members_s = right[right["key"].isin(keys)].groupby("key")["pos"].apply(list)
    joined = pd.DataFrame({"members_l": members_l, "members_s": members_s}).dropna()
    groups: list[Group] = []
    used_l: set[int] = set()
    used_s: set[int] = set()
    for members_l, members_s in zip(joined["members_l"], joined["members_s"], strict=True):
        if used_l.intersection(members_l) or used_s.intersection(members_s):
            continue
        used_l.update(members_l)
        used_s.update(members_s)
        groups.append(Group(tuple(sorted(members_l)), tuple(sorted(members_s))))
    return groups


def match_by_amount_and_date(
    ledger: pd.DataFrame,
    statement: pd.DataFrame,
    l_open: np.ndarray,
    s_open: np.ndarray,
    options: ReconcileOptions,
) -> Pairs:
    """Same amount to the cent, dates within the window; repeated amounts pair in date order.

    Confidence falls with the distance in days and when both sides carry different references.
    """
    cols = ["key", "cents", "day"]
    left = _open(ledger, l_open & (ledger["day"] != NO_DAY).to_numpy(), cols)
    right = _open(statement, s_open & (statement["day"] != NO_DAY).to_numpy(), cols)
    joined = _rank_join(left, right, ["cents"])
    days = np.abs(joined["day_l"].to_numpy() - joined["day_s"].to_numpy())
    joined = joined[days <= options.amount_date_window_days]
    days = np.abs(joined["day_l"].to_numpy() - joined["day_s"].to_numpy())
    keys_differ = (joined["key_l"] != "") & (joined["key_s"] != "") & (joined["key_l"] != joined["key_s"])
    confidence = 0.9 - 0.02 * days - np.where(keys_differ.to_numpy(), 0.15, 0.0)
    return _pairs(joined, confidence)


def match_by_fuzzy_reference(
    ledger: pd.DataFrame,
    statement: pd.DataFrame,
    l_open: np.ndarray,
    s_open: np.ndarray,
    options: ReconcileOptions,
) -> tuple[Pairs, str | None]:
    """References one edit apart (a transposition, a dropped or extra character, a letter typo),
    same sign, dates within the reference window; a single digit replaced by another is a
    different document in a sequence, not a typo. Returns the pairs and a warning if skipped."""
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import cdist

    cols = ["key", "sign", "day"]
    left = _open(ledger, l_open & (ledger["klen"] >= MIN_FUZZY_KEY_LENGTH).to_numpy(), cols)
    right = _open(statement, s_open & (statement["klen"] >= MIN_FUZZY_KEY_LENGTH).to_numpy(), cols)
    if left.empty or right.empty:
        return Pairs.none(), None
    if len(left) * len(right) > options.fuzzy_max_pairs:
        return Pairs.none(), (
            f"fuzzy reference pass skipped: {len(left)} x {len(right)} open items exceed "
            f"the bound of {options.fuzzy_max_pairs} comparisons"
        )
    right_keys = right["key"].tolist()
    hits_l: list[np.ndarray] = []
    hits_s: list[np.ndarray] = []
    for start in range(0, len(left), FUZZY_BLOCK_ROWS):
        block = left["key"].iloc[start : start + FUZZY_BLOCK_ROWS].tolist()
        distances = cdist(block, right_keys, scorer=OSA.distance, score_cutoff=1, dtype=np.int32, workers=1)
        rows, columns = np.nonzero(distances <= 1)
        hits_l.append(rows + start)
        hits_s.append(columns)
    li = np.concatenate(hits_l)
    si = np.concatenate(hits_s)
    cand = pd.DataFrame(
        {
            "pos_l": left["pos"].to_numpy()[li],
            "pos_s": right["pos"].to_numpy()[si],
            "key_l": left["key"].to_numpy()[li],
            "key_s": right["key"].to_numpy()[si],
            "sign_l": left["sign"].to_numpy()[li],
            "sign_s": right["sign"].to_numpy()[si],
            "day_l": left["day"].to_numpy()[li],
            "day_s": right["day"].to_numpy()[si],
        }
    )
    cand = cand[(cand["sign_l"] == cand["sign_s"]) & (cand["key_l"] != cand["key_s"])]
    cand = cand[_within(cand["day_l"], cand["day_s"], options.reference_date_window_days)]
    typo = [not is_single_digit_substitution(a, b) for a, b in zip(cand["key_l"], cand["key_s"], strict=True)]
    cand = cand[np.asarray(typo, dtype=bool)]
    cand = cand[~cand["pos_l"].duplicated(keep=False) & ~cand["pos_s"].duplicated(keep=False)]
    return _pairs(cand, 0.75), None


def _groups_one_to_many(
    targets: pd.DataFrame, pool: pd.DataFrame, options: ReconcileOptions
) -> list[tuple[int, tuple[int, ...]]]:
    """For each target (largest first), a set of >= 2 pool items of its sign within the date window
    that sum exactly to it; each pool item is used once. Bounded by the options."""
    found: list[tuple[int, tuple[int, ...]]] = []
    if targets.empty or len(pool) < 2:
        return found
    targets = targets[targets["day"] != NO_DAY]
    targets = targets.iloc[np.argsort(-np.abs(targets["cents"].to_numpy()), kind="stable")]
    targets = targets.head(options.subset_max_targets)
    pool = pool.sort_values("day", kind="stable")
    sides = {}
    for sign in (-1, 1):
        part = pool[pool["sign"] == sign]
        sides[sign] = (
            part["day"].to_numpy(), np.abs(part["cents"].to_numpy()), part["cents"].to_numpy(),
            part["pos"].to_numpy(), np.zeros(len(part), dtype=bool),
        )  # fmt: skip
    window_days = options.group_date_window_days
    for pos, cents, day, sign in zip(
        targets["pos"].tolist(), targets["cents"].tolist(), targets["day"].tolist(),
        targets["sign"].tolist(), strict=True,
    ):  # fmt: skip
        if sign not in sides:
            continue
        days, magnitude, values, positions, used = sides[sign]
        lo = int(np.searchsorted(days, day - window_days, side="left"))
        hi = int(np.searchsorted(days, day + window_days, side="right"))
        candidates = np.flatnonzero((magnitude[lo:hi] < abs(cents)) & ~used[lo:hi]) + lo
        if len(candidates) < 2:
            continue
        nearest = np.argsort(np.abs(days[candidates] - day), kind="stable")
        candidates = candidates[nearest[: options.subset_max_candidates]]
        chosen = find_subset(int(cents), values[candidates].tolist(), options.subset_max_nodes)
        if chosen is None:
            continue
        picked = candidates[list(chosen)]
        used[picked] = True
        found.append((int(pos), tuple(sorted(int(p) for p in positions[picked]))))
    return found


def match_by_subset_sum(
    ledger: pd.DataFrame,
    statement: pd.DataFrame,
    l_open: np.ndarray,
    s_open: np.ndarray,
    options: ReconcileOptions,
) -> list[Group]:
    """One statement line = several ledger entries (one payment settling several invoices), then
    one ledger entry = several statement lines (an invoice paid in parts)."""
    cols = ["cents", "day", "sign"]
    left = _open(ledger, l_open, cols)
    right = _open(statement, s_open, cols)
    groups = [Group(members, (target,)) for target, members in _groups_one_to_many(right, left, options)]
    taken_l = {p for g in groups for p in g.ledger}
    taken_s = {p for g in groups for p in g.statement}
    left = left[~left["pos"].isin(taken_l)]
    right = right[~right["pos"].isin(taken_s)]
    groups += [Group((target,), members) for target, members in _groups_one_to_many(left, right, options)]
    return groups
