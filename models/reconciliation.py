"""The reconciliation of one customer statement against the AR ledger: items, reasons, totals.

Every ledger entry and every statement line ends up in exactly one item. ``difference`` is always
ledger minus statement (receivable side), so the items' differences plus ``unexplained`` sum to
``ledger_balance - statement_balance`` exactly.
"""

from __future__ import annotations

import datetime as dt
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
