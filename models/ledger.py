"""The company's AR ledger for one customer account, as loaded from an ERP export."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from models.statement import DecimalStr, Entity


class LedgerEntry(BaseModel):
    """One open or settled item of the AR ledger, signed on the receivable side.

    ``row`` is the 1-based row of the export it came from, so every decision can point at it.
    """

    model_config = ConfigDict(frozen=True)

    date: dt.date | None
    reference: str | None
    description: str = ""
    amount: DecimalStr
    document_type: str | None = None
    other_references: list[str] = Field(default_factory=list)
    currency: str | None = None
    tags: list[str] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    row: int | None = None


class Ledger(BaseModel):
    """The AR ledger entries of one customer account."""

    model_config = ConfigDict(frozen=True)

    account: str | None = None
    customer_name: str | None = None
    currency: str | None = None
    entries: list[LedgerEntry] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
