"""The options of a reconciliation run: small and frozen, given by the caller (never read from env)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReconcileOptions:
    """Windows and bounds of the matching passes and the reason rules.

    Day windows compare posting dates of the two books; the subset-sum bounds keep the
    many-to-one search linear in the number of open items whatever the data.
    """

    amount_date_window_days: int = 10
    reference_date_window_days: int = 120
    group_date_window_days: int = 31
    subset_max_candidates: int = 14
    subset_max_nodes: int = 20_000
    subset_max_targets: int = 5_000
    fuzzy_max_pairs: int = 20_000_000
    timing_days: int = 7
