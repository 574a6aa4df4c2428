"""Ledger and statement -> column frames the matching passes join on (pandas, one row per item).

Money becomes integer cents (exact, vectorizable: no float near an amount) and dates become
day ordinals, so the passes are joins and comparisons of plain integer columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from operator import attrgetter

import numpy as np
import pandas as pd

from models.ledger import LedgerEntry
from models.statement import StatementLine
from reconcile.references import references_to_keys

NO_DAY = -(10**9)  # a missing date: never inside any window


def amount_to_cents(amount: Decimal) -> int:
    """A Decimal amount -> integer cents (amounts are quantized to cents on both sides)."""
    return int(amount * 100)


def cents_to_amount(cents: int) -> Decimal:
    """Integer cents -> Decimal with two places."""
    return Decimal(int(cents)).scaleb(-2)


def _day(date: dt.date | None) -> int:
    return date.toordinal() if date is not None else NO_DAY


_HUNDRED = Decimal(100)
_REFERENCE = attrgetter("reference")
_AMOUNT = attrgetter("amount")
_DATE = attrgetter("date")


def _cents(amounts: list[Decimal]) -> np.ndarray:
    # Bound C methods mapped over the list: no Python frame per amount (a million of them).
    return np.fromiter(map(int, map(_HUNDRED.__mul__, amounts)), dtype=np.int64, count=len(amounts))


def _days(dates: list[dt.date | None]) -> np.ndarray:
    try:  # the unbound C method raises TypeError on a None
        return np.fromiter(map(dt.date.toordinal, dates), dtype=np.int64, count=len(dates))  # type: ignore[arg-type]
    except TypeError:  # a missing date somewhere
        return np.fromiter(map(_day, dates), dtype=np.int64, count=len(dates))


def key_lengths(keys: list[str]) -> np.ndarray:
    """The length of each key (an int array)."""
    return np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))


def _frame(items: Sequence[LedgerEntry] | Sequence[StatementLine]) -> pd.DataFrame:
    references: list[str | None] = list(map(_REFERENCE, items))
    cents = _cents(list(map(_AMOUNT, items)))
    keys = references_to_keys(references)
    return pd.DataFrame(
        {
            "ref": pd.Series(references, dtype=object).fillna(""),
            "key": keys,
            "klen": key_lengths(keys.tolist()),
            "cents": cents,
            "day": _days(list(map(_DATE, items))),
            "sign": np.sign(cents).astype(np.int8),
        }
    )


def ledger_to_frame(entries: Sequence[LedgerEntry]) -> pd.DataFrame:
    """Ledger entries -> frame with ref, key, klen (key length), cents, day, sign (row i = entries[i])."""
    return _frame(entries)


def statement_to_frame(lines: Sequence[StatementLine]) -> pd.DataFrame:
    """Statement lines -> frame with ref, key, klen (key length), cents, day, sign (row i = lines[i])."""
    return _frame(lines)


def other_references_to_frame(items: Sequence[LedgerEntry | StatementLine]) -> pd.DataFrame:
    """The other references of items, one row per (position, key), for cross-reference joins."""
    positions: list[int] = []
    references: list[str] = []
    for position, item in enumerate(items):
        for reference in item.other_references:
            positions.append(position)
            references.append(reference)
    keys = references_to_keys(references)
    frame = pd.DataFrame({"pos": np.asarray(positions, dtype=np.int64), "key": keys})
    return frame[frame["key"] != ""].drop_duplicates()
