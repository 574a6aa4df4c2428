"""Bounded subset-sum: which of a few candidate amounts add up exactly to a target amount.

The search is a depth-first walk over at most ``max_nodes`` nodes with suffix-sum pruning, so a
payment settling several invoices is found quickly and a hopeless case gives up instead of
exploding (2^n subsets).
"""

from __future__ import annotations

from collections.abc import Sequence


def find_subset(target: int, values: Sequence[int], max_nodes: int = 20_000) -> tuple[int, ...] | None:
    """Indexes (ascending) of at least two ``values`` that sum exactly to ``target``, or None.

    All values and the target are integer cents of one sign; gives up after ``max_nodes`` steps.
    """
    if target == 0 or len(values) < 2:
        return None
    sign = 1 if target > 0 else -1
    goal = target * sign
    indexed = sorted(
        ((v * sign, i) for i, v in enumerate(values) if 0 < v * sign <= goal), key=lambda p: -p[0]
    )
    amounts = [a for a, _ in indexed]
    suffix = [0] * (len(amounts) + 1)
    for k in range(len(amounts) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + amounts[k]
    if suffix[0] < goal:
        return None
    chosen: list[int] = []
    nodes = 0

    def walk(start: int, remaining: int) -> bool:
        nonlocal nodes
        for k in range(start, len(amounts)):
            nodes += 1
            if nodes > max_nodes or suffix[k] < remaining:
                return False
            amount = amounts[k]
            if amount > remaining:
                continue
            chosen.append(k)
            if amount == remaining:
                if len(chosen) >= 2:
                    return True
            elif walk(k + 1, remaining - amount):
                return True
            chosen.pop()
        return False

    if walk(0, goal):
        return tuple(sorted(indexed[k][1] for k in chosen))
    return None
