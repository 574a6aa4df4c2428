"""Reason classification of one unmatched or differing item, from evidence only.

Evidence is the tags and entities the tagger put on both sides (it is the one place that reads
words), ERP document types, amount patterns (transposed digits, a freight amount, a common
quantity behind two prices), dates against the statement cut-off and duplicates in the ledger.
No evidence gives ``unidentified``; every reason comes with its evidence in words and a
suggested resolution (DOMAIN.md's table).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from models.ledger import LedgerEntry
from models.reconciliation import ItemStatus, ReasonCode
from models.statement import StatementLine
from reconcile.frames import amount_to_cents, cents_to_amount
from reconcile.ledger_fields import document_type_to_cue
from reconcile.references import reference_to_key

# Cue tags -> reason, strongest first: "Ret. RMA-5567 dmgd" is a return, not a dispute.
CUE_REASONS: tuple[tuple[str, ReasonCode], ...] = (
    ("return", ReasonCode.returned_material),
    ("interest_penalty", ReasonCode.interest_penalty),
    ("promotion", ReasonCode.promotion_not_applied),
    ("rebate", ReasonCode.promotion_not_applied),
    ("discount", ReasonCode.promotion_not_applied),
    ("freight", ReasonCode.freight),
    ("price_rate", ReasonCode.rate_difference),
    ("service", ReasonCode.unapproved_service),
    ("no_po", ReasonCode.unapproved_service),
    ("dispute", ReasonCode.dispute),
    ("short_payment", ReasonCode.dispute),
    ("damaged", ReasonCode.dispute),
    ("duplicate", ReasonCode.billing_error),
    ("in_transit", ReasonCode.timing_difference),
)
INVOICE_ENTITY_LABELS = ("INVOICE", "INV_REF", "INVOICE_REF", "DOC_REF", "REF")
MIN_RATE_QUANTITY_CENTS = 100  # both amounts multiples of one whole currency unit or more


@dataclass(frozen=True, slots=True)
class Classification:
    """The reason of an item, the evidence for it in words, a suggested resolution, a confidence."""

    reason: ReasonCode
    evidence: list[str]
    resolution: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the whole reconciliation knows that one item's classification may use."""

    cutoff: dt.date | None
    timing_days: int
    ledger_duplicates: Mapping[int, Sequence[int]] = field(default_factory=dict)
    ledger_by_key: Mapping[str, Sequence[int]] = field(default_factory=dict)
    ledger_refs: Sequence[str | None] = ()
    freight_cents: frozenset[int] = frozenset()


def money(amount: Decimal) -> str:
    """``Decimal("-1240")`` -> ``"1,240.00"``: how an amount reads in a resolution."""
    return f"{abs(amount):,.2f}"


def _describe_ledger(pos: int, entry: LedgerEntry) -> str:
    where = f"ledger row {entry.row}" if entry.row is not None else f"ledger entry {pos + 1}"
    return f"{where} {entry.reference or '(no ref)'} {entry.date or ''} {entry.amount}".replace("  ", " ")


def _describe_line(pos: int, line: StatementLine) -> str:
    return f"statement line {pos + 1} {line.reference or '(no ref)'} {line.date or ''} {line.amount}".replace(
        "  ", " "
    )


def _cue_reason(tags: Sequence[str]) -> tuple[str, ReasonCode] | None:
    for cue, reason in CUE_REASONS:
        if cue in tags:
            return cue, reason
    return None


def is_transposition(a_cents: int, b_cents: int) -> bool:
    """Whether two amounts differ by two swapped digits (their difference is then divisible by 9)."""
    if a_cents == b_cents or (a_cents - b_cents) % 9:
        return False
    a, b = str(abs(a_cents)), str(abs(b_cents))
    if len(a) != len(b):
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diffs) == 2 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]


def common_factor(a_cents: int, b_cents: int) -> int | None:
    """The greatest common divisor of two different amounts in cents when it is at least one
    currency unit: the same quantity at two prices leaves such a factor."""
    g = math.gcd(abs(a_cents), abs(b_cents))
    if g < MIN_RATE_QUANTITY_CENTS or a_cents == b_cents or min(abs(a_cents), abs(b_cents)) == 0:
        return None
    return g


def unit_price_evidence(sides: Sequence[tuple[LedgerEntry | StatementLine, int]]) -> str | None:
    """A unit price the tagger found in a description (an AMOUNT entity) that divides its line's
    amount into a whole quantity q >= 2, while the other book's amount is q x another price."""
    for item, other_cents in sides:
        own = amount_to_cents(item.amount)
        for entity in item.entities:
            if "AMOUNT" not in entity.label.upper():
                continue
            price = _entity_cents(entity.text)
            if not price or price == abs(own) or own % price:
                continue
            quantity = abs(own) // price
            if quantity >= 2 and other_cents % quantity == 0:
                other_price = cents_to_amount(abs(other_cents) // quantity)
                return (
                    f"{quantity} x {cents_to_amount(price)} = {money(item.amount)}; the other book has "
                    f"{quantity} x {other_price}: the same quantity at another price"
                )
    return None


def _entity_cents(text: str) -> int | None:
    try:
        return amount_to_cents(Decimal(text.replace(",", "")))
    except ArithmeticError:
        return None


def _reference_for(
    ledger: Sequence[tuple[int, LedgerEntry]], lines: Sequence[tuple[int, StatementLine]]
) -> str:
    for _, entry in ledger:
        if entry.reference:
            return entry.reference
    for _, line in lines:
        if line.reference:
            return line.reference
    for _, line in lines:
        if line.description:
            return f'"{line.description}"'
    return "the item"


def _entity_text(items: Sequence[LedgerEntry | StatementLine], label_part: str) -> str | None:
    for item in items:
        for entity in item.entities:
            if label_part in entity.label.upper():
                return entity.text
    return None


def resolution_for(reason: ReasonCode, reference: str, difference: Decimal, ledger_side: bool) -> str:
    """The suggested resolution of DOMAIN.md's table, with the reference and the amount."""
    amt = money(difference)
    texts = {
        ReasonCode.rate_difference: (
            f"issue a credit note for the price difference on {reference}, {amt}, "
            "or the customer rebooks at contract price"
            if difference > 0
            else f"issue a debit note for the price difference on {reference}, {amt}"
        ),
        ReasonCode.promotion_not_applied: (
            f"issue the promotion credit note for {reference}, {amt}, if the promotion is valid; "
            "else reject the deduction"
        ),
        ReasonCode.interest_penalty: (
            f"send the interest invoice {reference} and the payment terms, {amt}, "
            "or waive it with a credit note"
        ),
        ReasonCode.freight: (
            f"prove the freight terms (incoterms, PO) for {reference}, or credit the freight, {amt}"
        ),
        ReasonCode.dispute: (
            f"open a dispute case for {reference}, {amt}: proof of delivery, then credit or reject"
        ),
        ReasonCode.returned_material: (
            f"issue the credit note for {reference} once the goods are received, {amt}"
        ),
        ReasonCode.unapproved_service: (
            f"get the approval / PO for {reference} from the customer, or credit it, {amt}"
        ),
        ReasonCode.billing_error: (
            f"cancel or correct {reference}, {amt}"
            if ledger_side
            else f"ask the customer to correct {reference}, {amt}"
        ),
        ReasonCode.timing_difference: f"none: {reference} clears by itself, {amt}; check it next period",
        ReasonCode.unidentified: f"analyst investigates {reference}, {amt}",
    }
    return texts[reason]


def classify(
    status: ItemStatus,
    ledger: Sequence[tuple[int, LedgerEntry]],
    lines: Sequence[tuple[int, StatementLine]],
    difference: Decimal,
    evidence: Evidence,
) -> Classification:
    """The reason of one non-matched item (difference = ledger - statement), with evidence."""
    said: list[str] = [_describe_ledger(p, e) for p, e in ledger] + [_describe_line(p, s) for p, s in lines]
    reason, confidence = _reason(status, ledger, lines, difference, evidence, said)
    entries = [e for _, e in ledger]
    statement_lines = [s for _, s in lines]
    reference = _reference_for(ledger, lines)
    linked = _linked_invoice_refs(lines, evidence, entries_of=evidence.ledger_refs)
    if linked and not ledger:
        reference = f"{reference} (deducted from {', '.join(linked)})"
    if reason is ReasonCode.returned_material:
        items: list[LedgerEntry | StatementLine] = [*statement_lines, *entries]
        reference = _entity_text(items, "RMA") or reference
    return Classification(
        reason,
        said,
        resolution_for(reason, reference, difference, status is not ItemStatus.statement_only),
        confidence,
    )


def _linked_invoice_refs(
    lines: Sequence[tuple[int, StatementLine]], evidence: Evidence, entries_of: Sequence[str | None]
) -> list[str]:
    """Our references of the invoices the statement lines name in their descriptions (tagger entities)."""
    refs: list[str] = []
    for _, line in lines:
        for entity in line.entities:
            if not any(part in entity.label.upper() for part in INVOICE_ENTITY_LABELS):
                continue
            for hit in evidence.ledger_by_key.get(reference_to_key(entity.text), ())[:1]:
                refs.append(entries_of[hit] or entity.text)
    return refs


def _linked_invoices(lines: Sequence[tuple[int, StatementLine]], evidence: Evidence, said: list[str]) -> None:
    for pos, line in lines:
        for ours in _linked_invoice_refs([(pos, line)], evidence, evidence.ledger_refs):
            said.append(f"statement line {pos + 1} names our invoice {ours}")


def _reason(
    status: ItemStatus,
    ledger: Sequence[tuple[int, LedgerEntry]],
    lines: Sequence[tuple[int, StatementLine]],
    difference: Decimal,
    evidence: Evidence,
    said: list[str],
) -> tuple[ReasonCode, float]:
    tags = sorted({t for _, e in ledger for t in e.tags} | {t for _, s in lines for t in s.tags})
    cues = [c for _, e in ledger if (c := document_type_to_cue(e.document_type))]
    _linked_invoices(lines, evidence, said)
    cue = _cue_reason([*tags, *cues])
    diff_cents = amount_to_cents(difference)

    if status is ItemStatus.ledger_only:
        entry = ledger[0][1]
        if evidence.cutoff and entry.date and entry.date > evidence.cutoff:
            said.append(f"dated {entry.date}, after the statement cut-off {evidence.cutoff}")
            return ReasonCode.timing_difference, 0.9
        if cue:
            said.append(f"tagged {cue[0]}")
            return cue[1], 0.9
        twins = [t for p, _ in ledger for t in evidence.ledger_duplicates.get(p, ())]
        if twins:
            said.append(f"same reference and amount as ledger entry {twins[0] + 1}: a duplicate posting")
            return ReasonCode.billing_error, 0.9
    elif status is ItemStatus.statement_only:
        line = lines[0][1]
        if cue:
            said.append(f"tagged {cue[0]}")
            return cue[1], 0.9
        in_transit = (
            evidence.cutoff is not None
            and line.date is not None
            and line.amount < 0
            and 0 <= (evidence.cutoff - line.date).days <= evidence.timing_days
        )
        if in_transit:
            said.append(
                f"their payment dated {line.date}, within {evidence.timing_days} days before the cut-off "
                f"{evidence.cutoff}: in transit"
            )
            return ReasonCode.timing_difference, 0.85
    else:
        if cue:
            said.append(f"tagged {cue[0]}")
            return cue[1], 0.85
        ledger_cents = sum(amount_to_cents(e.amount) for _, e in ledger)
        statement_cents = ledger_cents - diff_cents
        if is_transposition(ledger_cents, statement_cents):
            said.append(
                f"difference {money(difference)} is divisible by 9 and the amounts swap two digits: "
                "a transposition"
            )
            return ReasonCode.billing_error, 0.85
        if abs(diff_cents) in evidence.freight_cents:
            said.append(f"difference {money(difference)} equals a freight charge")
            return ReasonCode.freight, 0.8
        priced = unit_price_evidence(
            [(e, statement_cents) for _, e in ledger] + [(s, ledger_cents) for _, s in lines]
        )
        if priced is not None:
            said.append(priced)
            return ReasonCode.rate_difference, 0.8
        common = common_factor(ledger_cents, statement_cents)
        if common is not None:
            said.append(
                f"both amounts are multiples of {cents_to_amount(common)}, as a quantity at two prices "
                "would be (weak evidence)"
            )
            return ReasonCode.rate_difference, 0.5
    said.append("no tag, amount pattern or date supports a reason")
    return ReasonCode.unidentified, 0.2


def classify_opening(difference: Decimal) -> Classification:
    """The opening balances of the two books differ: carried over from an earlier period."""
    return Classification(
        ReasonCode.unidentified,
        [f"opening balances differ by {money(difference)}: a difference carried over from an earlier period"],
        f"analyst reconciles the previous period: opening balance difference, {money(difference)}",
        0.5,
    )
