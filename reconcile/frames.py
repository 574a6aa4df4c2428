"""Ledger and statement -> the columns the matching passes join on (numpy arrays, one row per item).

Money becomes integer cents (exact, vectorizable: no float near an amount), dates become day
ordinals and reference keys become integer codes shared by both books and their other references,
so the passes are joins and comparisons of plain integer arrays. Every column is read from the
models once, with C methods mapped over the items: no Python step per item of a million.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from operator import attrgetter, itemgetter

import numpy as np

from models.ledger import LedgerEntry
from models.statement import StatementLine
from reconcile.references import texts_to_keys

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
# A model's field values are its __dict__: read once per item, then each field by a C lookup.
_FIELDS = attrgetter("__dict__")
_REFERENCE = itemgetter("reference")
_AMOUNT = itemgetter("amount")
_DATE = itemgetter("date")
_TAGS = itemgetter("tags")
_OTHER_REFERENCES = itemgetter("other_references")


def _cents(amounts: list[Decimal]) -> np.ndarray:
    # Bound C methods mapped over the list: no Python frame per amount (a million of them).
    return np.fromiter(map(int, map(_HUNDRED.__mul__, amounts)), dtype=np.int64, count=len(amounts))


def _days(fields: list[dict[str, object]]) -> np.ndarray:
    try:  # the unbound C method raises TypeError on a None
        return np.fromiter(map(dt.date.toordinal, map(_DATE, fields)), dtype=np.int64, count=len(fields))
    except TypeError:  # a missing date somewhere
        return np.fromiter(map(_day, map(_DATE, fields)), dtype=np.int64, count=len(fields))


def key_lengths(keys: list[str]) -> np.ndarray:
    """The length of each key (an int array)."""
    return np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))


def nonempty(lists: Iterable[Sequence[object]], n: int) -> list[int]:
    """Positions of the non-empty ones of ``n`` lists (tags, other references): the empty ones
    cost no Python step."""
    return np.flatnonzero(np.fromiter(map(bool, lists), dtype=bool, count=n)).tolist()


class KeyCodes:
    """Reference keys -> integer codes, equal keys equal codes, over both books."""

    def __init__(self) -> None:
        self.code_of: dict[str, int] = {}
        self._next = count()

    def codes(self, keys: list[str]) -> np.ndarray:
        """The code of each key (new keys get new codes)."""
        return np.fromiter(map(self.code_of.setdefault, keys, self._next), dtype=np.int64, count=len(keys))


@dataclass(frozen=True, slots=True)
class Book:
    """One book's items as columns (row i = item i), and their other references as rows.

    ``codes`` are the reference keys' codes, shared with the other book; ``other_pos`` /
    ``other_keys`` / ``other_codes`` hold one row per distinct non-empty key of an item's other
    references.
    ``tagged`` maps the positions of the items with tags to their tags.
    """

    references: list[str | None]
    refs: np.ndarray  # object: the printed reference, "" when there is none
    keys: np.ndarray  # object: reconcile.references.reference_to_key of the reference
    codes: np.ndarray
    klen: np.ndarray
    cents: np.ndarray
    day: np.ndarray
    sign: np.ndarray
    amounts: list[Decimal]
    tagged: dict[int, list[str]]
    other_pos: np.ndarray
    other_keys: np.ndarray
    other_codes: np.ndarray

    def __len__(self) -> int:
        return len(self.amounts)

    def with_tag(self, tag: str) -> list[int]:
        """Positions (ascending) of the items tagged ``tag``."""
        return [p for p, tags in self.tagged.items() if tag in tags]


def _book(items: Sequence[LedgerEntry] | Sequence[StatementLine], key_codes: KeyCodes) -> Book:
    fields: list[dict[str, object]] = list(map(_FIELDS, items))
    references: list[str | None] = list(map(_REFERENCE, fields))
    amounts: list[Decimal] = list(map(_AMOUNT, fields))
    cents = _cents(amounts)
    texts = [r or "" for r in references]
    keys = texts_to_keys(texts)
    positions: list[int] = []
    others: list[str] = []
    for position in nonempty(map(_OTHER_REFERENCES, fields), len(items)):
        for reference in items[position].other_references:
            positions.append(position)
            others.append(reference)
    other_keys = texts_to_keys(others)
    rows = np.flatnonzero(key_lengths(other_keys) > 0)
    other_pos = np.asarray(positions, dtype=np.int64)[rows]
    other_codes = key_codes.codes(other_keys)[rows]
    if len(rows):  # an item naming one key twice has one row for it (the first)
        first = np.sort(
            np.unique(other_pos * (int(other_codes.max()) + 1) + other_codes, return_index=True)[1]
        )
        rows, other_pos, other_codes = rows[first], other_pos[first], other_codes[first]
    return Book(
        references=references,
        refs=np.asarray(texts, dtype=object),
        keys=np.asarray(keys, dtype=object),
        codes=key_codes.codes(keys),
        klen=key_lengths(keys),
        cents=cents,
        day=_days(fields),
        sign=np.sign(cents),
        amounts=amounts,
        tagged={p: items[p].tags for p in nonempty(map(_TAGS, fields), len(items))},
        other_pos=other_pos,
        other_keys=np.asarray(other_keys, dtype=object)[rows],
        other_codes=other_codes,
    )


def books(entries: Sequence[LedgerEntry], lines: Sequence[StatementLine]) -> tuple[Book, Book]:
    """The ledger's and the statement's columns, with key codes shared by both."""
    key_codes = KeyCodes()
    return _book(entries, key_codes), _book(lines, key_codes)
