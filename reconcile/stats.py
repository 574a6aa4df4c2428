"""Reason statistics: per reconciliation (the reports' summary) and over many reconciliations,
per customer and per period, which is where billing, pricing, promotions or logistics go wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from models.reconciliation import ItemStatus, ReasonCode, Reconciliation

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class ReasonTotal:
    """How many items one reason explains and their differences (signed and absolute)."""

    reason: str
    count: int
    difference: Decimal
    absolute: Decimal


@dataclass(frozen=True, slots=True)
class StatsRow:
    """A reason's total within one group: a customer or a period (YYYY-MM)."""

    group: str
    reason: str
    count: int
    difference: Decimal
    absolute: Decimal


def reconciliation_to_reason_totals(reconciliation: Reconciliation) -> list[ReasonTotal]:
    """The non-matched items by reason, largest absolute difference first; unexplained rides along."""
    counts: dict[str, int] = {}
    sums: dict[str, Decimal] = {}
    absolute: dict[str, Decimal] = {}
    for item in reconciliation.items:
        if item.status is ItemStatus.matched or item.reason is None:
            continue
        key = item.reason.value
        counts[key] = counts.get(key, 0) + 1
        sums[key] = sums.get(key, ZERO) + item.difference
        absolute[key] = absolute.get(key, ZERO) + abs(item.difference)
    totals = [ReasonTotal(k, counts[k], sums[k], absolute[k]) for k in counts]
    if reconciliation.unexplained:
        u = reconciliation.unexplained
        totals.append(ReasonTotal("unexplained", 0, u, abs(u)))
    return sorted(totals, key=lambda t: (-t.absolute, t.reason))


def _period(reconciliation: Reconciliation) -> str:
    date = reconciliation.statement_date
    return f"{date.year:04d}-{date.month:02d}" if date else "unknown"


def reconciliations_to_stats(reconciliations: Iterable[Reconciliation]) -> dict[str, list[StatsRow]]:
    """Reasons per customer and per period over many reconciliations: {"customer": [...], "period": [...]}."""
    tables: dict[str, dict[tuple[str, str], list[Decimal | int]]] = {"customer": {}, "period": {}}
    for rec in reconciliations:
        groups = {"customer": rec.customer or rec.account or "unknown", "period": _period(rec)}
        for total in reconciliation_to_reason_totals(rec):
            for dimension, group in groups.items():
                cell = tables[dimension].setdefault((group, total.reason), [0, ZERO, ZERO])
                cell[0] = int(cell[0]) + total.count
                cell[1] = Decimal(cell[1]) + total.difference
                cell[2] = Decimal(cell[2]) + total.absolute
    order = {code.value: i for i, code in enumerate(ReasonCode)}
    return {
        dimension: [
            StatsRow(group, reason, int(c[0]), Decimal(c[1]), Decimal(c[2]))
            for (group, reason), c in sorted(rows.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 99)))
        ]
        for dimension, rows in tables.items()
    }
