"""Rows of a statement table that are not statement lines: brought/carried forward, subtotals, totals.

An ERP print repeats the running balance at page breaks ("Carried forward" / "Brought forward"),
sums each page ("Page subtotal") and ends with a total or closing balance; an opening-balance
row starts the table. None of them is an item of the account.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["RowKind", "Wording", "classify_marker"]


class Wording:
    """A case-insensitive pattern (written in lower case) that searches ASCII text lower-cased.

    ``re.IGNORECASE`` keeps the regex engine from scanning for literal prefixes: on the ASCII
    text of nearly every row, searching the lower-cased text without it gives the same answer
    several times faster. Other text goes through the ``re.I`` pattern, so Unicode case folding
    stays exactly ``re``'s.
    """

    __slots__ = ("_ascii", "_unicode")

    def __init__(self, pattern: str) -> None:
        self._ascii = re.compile(pattern)
        self._unicode = re.compile(pattern, re.I)

    def search(self, text: str) -> bool:
        """Whether the pattern occurs in ``text``, ignoring case."""
        if text.isascii():
            return self._ascii.search(text.lower()) is not None
        return self._unicode.search(text) is not None


class RowKind(StrEnum):
    """What a non-line row of a statement table is."""

    opening = "opening"  # opening balance / balance brought forward
    carried = "carried"  # carried forward at a page end
    subtotal = "subtotal"  # page or running subtotal, column totals
    closing = "closing"  # closing balance / total due


_MARKERS: tuple[tuple[RowKind, Wording], ...] = (
    (
        RowKind.carried,
        Wording(
            r"\b(carried\s+forward|carried\s+fwd|c/f|c/fwd|balance\s+c/?f|to\s+next\s+page|continued)\b"
        ),
    ),
    (
        RowKind.opening,
        Wording(
            r"(\bopening\s+balance|\bbalance\s+(brought|b/?f|fwd|forward)|\bbrought\s+(forward|fwd)|\bb/f\b|"
            r"\bb/fwd\b|\bbal\.?\s+(b/?f|fwd)\b|\bprevious\s+balance|\bbalance\s+forward|\bfrom\s+previous\s+page|"
            r"\bbeginning\s+balance|\bstarting\s+balance|\bsaldovortrag|\banfangssaldo)"
        ),
    ),
    (
        RowKind.closing,
        Wording(
            r"(\bclosing\s+balance|\b(total|balance|amount)\s+(now\s+)?(due|outstanding|owing|payable)\b|"
            r"\bending\s+balance|\bnew\s+balance|\bbalance\s+(at|as\s+at|as\s+of)\b|\bfinal\s+balance|"
            r"\bendsaldo|\bschlusssaldo)"
        ),
    ),
    (
        RowKind.subtotal,
        Wording(
            r"(\bsub-?\s?totals?\b|\bpage\s+totals?\b|^\s*totals?\b|\btotals?\s*(:|$)|\bsumme\b)"
        ),
    ),
)
_MARKER_WORDS = Wording(
    r"forward|fwd|b/f|c/f|total|balance|due|outstanding|owing|payable|continued|next\s+page|previous|summe|saldo"
)


def classify_marker(text: str) -> RowKind | None:
    """The kind of brought/carried-forward, subtotal or closing row ``text`` names, or None."""
    if not _MARKER_WORDS.search(text):  # one cheap look first: most rows are plain lines
        return None
    for kind, pattern in _MARKERS:
        if pattern.search(text):
            return kind
    return None
