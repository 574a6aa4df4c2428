"""The reconciliation of one customer statement against the AR ledger: items, reasons, totals.

Every ledger entry and every statement line ends up in exactly one item. ``difference`` is always
ledger minus statement (receivable side), so the items' differences plus ``unexplained`` sum to
``ledger_balance - statement_balance`` exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.statement import Confidence, DecimalStr


class ItemStatus(StrEnum):
    """How the two books compare on one item."""

    matched = "matched"
    difference = "difference"
    ledger_only = "ledger_only"
    statement_only = "statement_only"


class ReasonCode(StrEnum):
    """Why the two books differ on an item (DOMAIN.md's table)."""

    rate_difference = "rate_difference"
    promotion_not_applied = "promotion_not_applied"
    interest_penalty = "interest_penalty"
    freight = "freight"
    dispute = "dispute"
    returned_material = "returned_material"
    unapproved_service = "unapproved_service"
    billing_error = "billing_error"
    timing_difference = "timing_difference"
    unidentified = "unidentified"


class ReconciliationItem(BaseModel):
    """One ledger entry group compared with one statement line group, with the rule and evidence.

    ``ledger_entries`` / ``statement_lines`` are 0-based indexes into ``Ledger.entries`` and
    ``NormalizedStatement.lines``; ``reason`` and ``resolution`` are null for matched items.
    """

    model_config = ConfigDict(frozen=True)

    status: ItemStatus
    ledger_refs: list[str] = Field(default_factory=list)
    statement_refs: list[str] = Field(default_factory=list)
    ledger_amount: DecimalStr | None = None
    statement_amount: DecimalStr | None = None
    difference: DecimalStr = Decimal("0.00")
    reason: ReasonCode | None = None
    resolution: str | None = None
    evidence: list[str] = Field(default_factory=list)
    rule: str
    confidence: Confidence = 1.0
    ledger_entries: list[int] = Field(default_factory=list)
    statement_lines: list[int] = Field(default_factory=list)

    @classmethod
    def matched_one_to_one(
        cls,
        ledger_refs: Sequence[str],
        statement_refs: Sequence[str],
        amounts: Sequence[Decimal],
        rules: Sequence[str],
        evidence: Sequence[str],
        confidences: Sequence[float],
        ledger_entries: Sequence[int],
        statement_lines: Sequence[int],
    ) -> list[ReconciliationItem]:
        """Matched items of one ledger entry and one statement line each, the same amount on both
        sides, from columns ("" = no reference), without validation: a large account has a million
        of them, and every value comes from validated entries and lines. All fields count as set,
        as with ``model_construct``."""
        items: list[ReconciliationItem] = []
        append, copy, new, set_slot = items.append, _MATCHED_VALUES.copy, object.__new__, object.__setattr__
        fields_set = _ITEM_FIELDS
        for l_ref, s_ref, amount, rule, words, confidence, lp, sp in zip(
            ledger_refs, statement_refs, amounts, rules, evidence, confidences, ledger_entries,
            statement_lines, strict=True,
        ):  # fmt: skip
            values = copy()
            values["ledger_refs"] = [l_ref] if l_ref else []
            values["statement_refs"] = [s_ref] if s_ref else []
            values["ledger_amount"] = values["statement_amount"] = amount
            values["evidence"] = [words]
            values["rule"] = rule
            values["confidence"] = confidence
            values["ledger_entries"] = [lp]
            values["statement_lines"] = [sp]
            item = new(cls)
            set_slot(item, "__dict__", values)
            set_slot(item, "__pydantic_fields_set__", fields_set)
            set_slot(item, "__pydantic_extra__", None)
            set_slot(item, "__pydantic_private__", None)
            append(item)
        return items


class _FieldValues:
    """An item's field values as attributes of a plain object: CPython gives such an object a
    key-sharing dict, and copies of that dict share its key table (a third smaller than a dict
    literal, a million of them in a large account)."""

    def __init__(self) -> None:
        for name in ReconciliationItem.model_fields:
            setattr(self, name, None)
        self.status = ItemStatus.matched
        self.difference = Decimal("0.00")


_MATCHED_VALUES: dict[str, object] = _FieldValues().__dict__
_ITEM_FIELDS = set(ReconciliationItem.model_fields)


class Reconciliation(BaseModel):
    """The result of reconciling one statement against one ledger.

    ``unexplained`` is the part of ``difference`` that no item accounts for (e.g. a statement whose
    closing balance does not equal its opening balance plus its lines); it is shown, never hidden.
    """

    model_config = ConfigDict(frozen=True)

    customer: str | None = None
    account: str | None = None
    statement_date: dt.date | None = None
    currency: str | None = None
    ledger_balance: DecimalStr
    statement_balance: DecimalStr
    difference: DecimalStr
    unexplained: DecimalStr = Decimal("0.00")
    items: list[ReconciliationItem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
