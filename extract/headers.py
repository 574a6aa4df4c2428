"""Table header rows -> column roles (Date / Ref / Description / Debit / Credit / Amount / Balance...).

Header cells are matched by their normalized wording (lower case, punctuation and currency
decorations dropped), so ``Doc. No.``, ``Document No`` and ``Invoice No`` all map to a reference
role and ``Amount (EUR)`` to ``amount``.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from extract.layout import Cell

__all__ = [
    "ColumnRole",
    "TableHeader",
    "cell_to_role",
    "cells_to_header",
    "cells_to_roles",
    "header_to_roles",
    "is_header_row",
    "split_header_cell",
]


class ColumnRole(StrEnum):
    """What a statement table column holds."""

    date = "date"
    due_date = "due_date"
    our_ref = "our_ref"  # the printer's own reference ("Our Ref")
    your_ref = "your_ref"  # the addressee's reference ("Your Ref")
    document_no = "document_no"
    invoice_no = "invoice_no"
    po = "po"
    reference = "reference"
    type = "type"
    description = "description"
    debit = "debit"
    credit = "credit"
    amount = "amount"
    balance = "balance"
    currency = "currency"
    sign = "sign"  # a Dr/Cr indicator beside an unsigned Amount column
    ignored = "ignored"


REFERENCE_ROLES = frozenset(
    {
        ColumnRole.our_ref,
        ColumnRole.your_ref,
        ColumnRole.document_no,
        ColumnRole.invoice_no,
        ColumnRole.po,
        ColumnRole.reference,
    }
)
MONEY_ROLES = frozenset({ColumnRole.debit, ColumnRole.credit, ColumnRole.amount, ColumnRole.balance})

# Exact normalized wordings first; then keyword rules in order (first hit wins).
_EXACT: dict[str, ColumnRole] = {}
for _role, _words in {
    ColumnRole.date: "date|doc date|document date|posting date|post date|value date|trans date|"
    "transaction date|invoice date|inv date|entry date|booking date|txn date|datum|belegdatum|"
    "buchungsdatum|date posted|posted|doc dt|dt",
    ColumnRole.due_date: "due date|due|due on|net due date|maturity|payment due|faellig|fälligkeit",
    ColumnRole.our_ref: "our ref|our reference|our ref no|our doc no|our document no",
    ColumnRole.your_ref: "your ref|your reference|your ref no|your doc no|customer ref|cust ref|"
    "supplier ref|vendor ref|ext doc no|external document no|external ref|ext ref|their ref",
    ColumnRole.document_no: "document no|doc no|document number|doc number|document|doc|doc nbr|num|doc num|"
    "document nr|doc nr|belegnr|beleg|entry no|voucher|voucher no|trans no|transaction no|number|no|nr",
    ColumnRole.invoice_no: "invoice no|invoice number|inv no|invoice|inv|invoice nbr|inv nbr|"
    "invoice ref|inv ref|invoice nr|rechnung|rechnungsnr|bill no|supplier invoice no|vendor invoice no",
    ColumnRole.po: "po|po no|po number|purchase order|order no|order|order ref|po ref",
    ColumnRole.reference: "ref|reference|ref no|reference no|reference number|ref nr|referenz|"
    "transaction ref",
    ColumnRole.type: "type|doc type|document type|trans type|transaction type|tx type|txn type|dt|art|"
    "belegart|entry type",
    ColumnRole.description: "description|desc|text|details|detail|particulars|narrative|narration|"
    "memo|item|remarks|comment|comments|transaction|buchungstext|info|transaction details|line description",
    ColumnRole.debit: "debit|debits|dr|charges|charge|debit amount|invoices|invoice amount|soll|"
    "amount debit|debit amt|increase",
    ColumnRole.credit: "credit|credits|cr|payments|payment|payments credits|payments/credits|"
    "credit amount|receipts|haben|amount credit|credit amt|decrease",
    ColumnRole.amount: "amount|amt|value|total|net amount|gross amount|amount due|open amount|"
    "amount in lc|amount in dc|betrag|amount remaining|outstanding|signed amount|sum",
    ColumnRole.balance: "balance|running balance|bal|cumulative|cumulative balance|saldo|"
    "balance due|account balance|running total",
    ColumnRole.currency: "currency|curr|cur|ccy|crcy|währung",
    ColumnRole.sign: "dr/cr|cr/dr|d/c|c/d|drcr|sign|s/h|debit/credit|credit/debit",
}.items():
    for _w in _words.split("|"):
        _EXACT[_w] = _role

_DECORATION = re.compile(
    r"\((?:[a-z]{3}|[$€£¥])\)|\b(?:eur|usd|gbp|chf)\b|[$€£¥]|\bin\s+[a-z]{3}\b|[^a-z0-9/ äöüé]", re.I
)


def _normalize(text: str) -> str:
    s = text.lower().replace("nº", "no").replace("n°", "no").replace("#", " no ")
    s = _DECORATION.sub(" ", s)
    s = s.replace(".", " ")
    return " ".join(s.split())


@functools.lru_cache(maxsize=8192)
def cell_to_role(text: str) -> ColumnRole | None:
    """The role a header cell's wording names, or None when it names none."""
    s = _normalize(text)
    if not s:
        return None
    if s in _EXACT:
        return _EXACT[s]
    if "balance" in s or "saldo" in s:
        return ColumnRole.balance
    if "due" in s and "date" in s:
        return ColumnRole.due_date
    if "date" in s:
        return ColumnRole.date
    if s.startswith("our "):
        return ColumnRole.our_ref
    if s.startswith(("your ", "customer ", "vendor ", "supplier ")) and ("ref" in s or "no" in s.split()):
        return ColumnRole.your_ref
    if "debit" in s:
        return ColumnRole.debit
    if "credit" in s and "note" not in s:
        return ColumnRole.credit
    if "amount" in s or "amt" in s.split():
        return ColumnRole.amount
    if "invoice" in s:
        return ColumnRole.invoice_no
    if "ref" in s:
        return ColumnRole.reference
    if "desc" in s or "detail" in s or "particular" in s or "narrat" in s:
        return ColumnRole.description
    return _fuzzy_role(s)


def _fuzzy_role(normalized: str) -> ColumnRole | None:
    """The role of a misspelt header word (OCR: "Descrlption", "Ba1ance"), by edit similarity."""
    if len(normalized) < 5:
        return None
    from rapidfuzz import fuzz, process

    match = process.extractOne(normalized, list(_EXACT), scorer=fuzz.ratio, score_cutoff=FUZZY_HEADER_SCORE)
    return _EXACT[match[0]] if match else None


_DIGIT = re.compile(r"\d")
# A header word this similar (0-100) to a known wording names its role (OCR misspellings).
FUZZY_HEADER_SCORE = 85.0
# A header cell of more words is a title or a note, not merged column headers.
MAX_HEADER_WORDS = 5
AMOUNT_ROLES = frozenset({ColumnRole.debit, ColumnRole.credit, ColumnRole.amount})


@functools.lru_cache(maxsize=8192)
def split_header_cell(text: str) -> tuple[tuple[ColumnRole | None, float, float], ...]:
    """The roles a header cell names, each with its share of the cell's width (0..1, by characters).

    One cell usually names one role; two columns merged into one cell by table reconstruction
    ("Debit Credit", "Type Document No") name one role per part. A cell is split only when its
    whole wording names nothing (or two money columns) and every part names a distinct role.
    """
    whole = cell_to_role(text)
    words = list(re.finditer(r"\S+", text))
    if 2 <= len(words) <= MAX_HEADER_WORDS:
        for cuts in _cut_choices(len(words)):
            bounds = [0, *cuts, len(words)]
            parts = [(words[a].start(), words[b - 1].end()) for a, b in itertools.pairwise(bounds)]
            roles = [cell_to_role(text[a:b]) for a, b in parts]
            if any(r is None for r in roles) or len(set(roles)) < len(roles):
                continue
            if whole is None or all(r in MONEY_ROLES for r in roles):
                shares = [(a / len(text), b / len(text)) for a, b in parts]
                return tuple((r, a, b) for r, (a, b) in zip(roles, shares, strict=True))
    return ((whole, 0.0, 1.0),)


def _cut_choices(n: int) -> list[tuple[int, ...]]:
    """Ways to cut ``n`` words into 2 or 3 groups, fewer groups first."""
    twos = [(i,) for i in range(1, n)]
    threes = [(i, j) for i in range(1, n) for j in range(i + 1, n)]
    return [*twos, *threes]


def is_header_row(cells: Sequence[str]) -> bool:
    """True when ``cells`` read as a statement table's header row (an amount column and another role)."""
    filled = [c for c in cells if c.strip()]
    if len(filled) < 2:
        return False
    with_digits = 0
    for text in filled:  # data rows carry dates and amounts; header rows hardly any digits
        if _DIGIT.search(text):
            with_digits += 1
            if with_digits == 2:
                return False
    named: list[ColumnRole] = []
    unnamed = 0
    for text in filled:
        roles = [r for r, _, _ in split_header_cell(text)]
        named.extend(r for r in roles if r is not None)
        unnamed += all(r is None for r in roles)
    if len(named) < 2 or unnamed * 3 > len(filled):
        return False
    return any(r in AMOUNT_ROLES for r in named) and any(r not in MONEY_ROLES for r in named)


def header_to_roles(cells: Sequence[str]) -> list[ColumnRole]:
    """One role per header cell; unnamed cells get ``ignored``, a repeated money role keeps the first."""
    roles: list[ColumnRole] = []
    for text in cells:
        role = cell_to_role(text) or ColumnRole.ignored
        if role in MONEY_ROLES and role in roles:
            role = ColumnRole.ignored
        roles.append(role)
    return roles


@dataclass(frozen=True)
class TableHeader:
    """A table's column roles: one per cell (``by_index``), or x spans to map cells by position."""

    roles: tuple[ColumnRole, ...]
    spans: tuple[tuple[float, float], ...] | None
    by_index: bool


def cells_to_header(cells: Sequence[Cell]) -> TableHeader:
    """The header of a header row; merged header cells ("Debit Credit") become one column per role."""
    roles: list[ColumnRole] = []
    spans: list[tuple[float, float]] = []
    split = False
    for cell in cells:
        parts = split_header_cell(cell.text) if cell.text.strip() else ((None, 0.0, 1.0),)
        split = split or len(parts) > 1
        for role, a, b in parts:
            chosen = role or ColumnRole.ignored
            if chosen in MONEY_ROLES and chosen in roles:
                chosen = ColumnRole.ignored  # a second Balance column: keep the first
            roles.append(chosen)
            if cell.bbox is not None:
                x0, _, x1, _ = cell.bbox
                spans.append((x0 + a * (x1 - x0), x0 + b * (x1 - x0)))
    has_boxes = len(spans) == len(roles)
    return TableHeader(tuple(roles), tuple(spans) if has_boxes else None, by_index=not split)


def _nearest_column(cell: Cell, spans: Sequence[tuple[float, float]]) -> int:
    """The header column a cell sits under: most x overlap, else the nearest aligned edge."""
    assert cell.bbox is not None
    x0, _, x1, _ = cell.bbox

    def score(i: int) -> tuple[float, float]:
        h0, h1 = spans[i]
        overlap = max(0.0, min(x1, h1) - max(x0, h0))
        distance = min(abs(x0 - h0), abs(x1 - h1), abs((x0 + x1) / 2 - (h0 + h1) / 2))
        return (overlap, -distance)

    return max(range(len(spans)), key=score)


def cells_to_roles(cells: Sequence[Cell], header: TableHeader) -> list[tuple[ColumnRole, Cell]] | None:
    """A row's cells with their column roles (by index when the table agrees, else by position).

    None when the row cannot be placed under the header (another width and no boxes).
    """
    if header.by_index and len(cells) == len(header.roles):
        return list(zip(header.roles, cells, strict=True))
    if all(c.bbox is None for c in cells):
        # spreadsheet rows: columns are aligned by index; a short (ragged) row is padded
        return list(zip(header.roles, cells, strict=False))
    if header.spans is None or any(c.bbox is None for c in cells if c.text.strip()):
        return None
    spans = header.spans
    return [(header.roles[_nearest_column(c, spans)], c) for c in cells if c.text.strip()]
