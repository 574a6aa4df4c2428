"""Ledger and statement -> column frames the matching passes join on (pandas, one row per item).

Money becomes integer cents (exact, vectorizable: no float near an amount) and dates become
day ordinals, so the passes are joins and comparisons of plain integer columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from models.ledger import LedgerEntry
from models.statement import StatementLine
from reconcile.ledger_fields import document_type_to_kind
from reconcile.references import references_to_keys

NO_DAY = -(10**9)  # a missing date: never inside any window
DOCUMENT_KINDS = ("opening_balance", "credit_note", "debit_note", "payment", "invoice", "adjustment")


def amount_to_cents(amount: Decimal) -> int:
    """A Decimal amount -> integer cents (amounts are quantized to cents on both sides)."""
    return int(amount.scaleb(2).to_integral_value())


def cents_to_amount(cents: int) -> Decimal:
    """Integer cents -> Decimal with two places."""
    return Decimal(int(cents)).scaleb(-2)


def _day(date: dt.date | None) -> int:
    return date.toordinal() if date is not None else NO_DAY


def tags_to_kind(tags: Sequence[str], document_type: str | None, cents: int) -> str:
    """The document kind of an item: its document-type tag, else its ERP document type, else its sign."""
    for kind in DOCUMENT_KINDS:
        if kind in tags:
            return kind
    erp_kind = document_type_to_kind(document_type)
    if erp_kind is not None:
        return erp_kind
    return "invoice" if cents >= 0 else "payment"


def _frame(
    references: list[str | None],
    amounts: list[Decimal],
    dates: list[dt.date | None],
    kinds: list[str],
) -> pd.DataFrame:
    cents = np.fromiter((amount_to_cents(a) for a in amounts), dtype=np.int64, count=len(amounts))
    return pd.DataFrame(
        {
            "ref": pd.Series(references, dtype=object).fillna(""),
            "key": references_to_keys(references),
            "cents": cents,
            "day": np.fromiter((_day(d) for d in dates), dtype=np.int64, count=len(dates)),
            "sign": np.sign(cents).astype(np.int8),
            "kind": pd.Categorical(kinds, categories=DOCUMENT_KINDS),
        }
    )


def ledger_to_frame(entries: Sequence[LedgerEntry]) -> pd.DataFrame:
    """Ledger entries -> frame with ref, key, cents, day, sign, kind (row i = entries[i])."""
    amounts = [e.amount for e in entries]
    kinds = [tags_to_kind(e.tags, e.document_type, 1 if e.amount >= 0 else -1) for e in entries]
    return _frame([e.reference for e in entries], amounts, [e.date for e in entries], kinds)


def statement_to_frame(lines: Sequence[StatementLine]) -> pd.DataFrame:
    """Statement lines -> frame with ref, key, cents, day, sign, kind (row i = lines[i])."""
    amounts = [line.amount for line in lines]
    kinds = [tags_to_kind(line.tags, None, 1 if line.amount >= 0 else -1) for line in lines]
    return _frame([line.reference for line in lines], amounts, [line.date for line in lines], kinds)


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
