"""The normalized statement: what every reader (PDF, OCR, email, spreadsheet) produces.

Amounts are ``Decimal`` on the receivable side (+ increases what the customer owes) and are
serialized as strings in JSON; dates are ``datetime.date`` serialized as ISO 8601.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

DecimalStr = Annotated[Decimal, PlainSerializer(lambda d: str(d), return_type=str, when_used="json")]
BBox = tuple[float, float, float, float]
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class Form(StrEnum):
    """The form a document arrived in."""

    digital_pdf = "digital_pdf"
    scanned_pdf = "scanned_pdf"
    image = "image"
    email_attachment = "email_attachment"
    email_body = "email_body"
    xlsx = "xlsx"
    csv = "csv"


class Source(BaseModel):
    """Where a statement came from: the original file and its content hash."""

    model_config = ConfigDict(frozen=True)

    filename: str
    form: Form
    sha256: str


class Customer(BaseModel):
    """The customer whose statement this is, as printed on it."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    account: str | None = None


class Entity(BaseModel):
    """A span the tagger found inside a description, e.g. ``{"label": "INVOICE_REF", "text": "12345"}``."""

    model_config = ConfigDict(frozen=True)

    label: str
    text: str


class StatementLine(BaseModel):
    """One item of the customer's statement, signed on the receivable side.

    ``page`` is 1-based; ``bbox`` is ``[x0, top, x1, bottom]`` in PDF points from the page's top-left
    corner (pixels for images). ``field_confidence`` holds per-field confidences where the reader
    knows them (OCR); ``confidence`` is the line's overall confidence.
    """

    model_config = ConfigDict(frozen=True)

    date: dt.date | None
    reference: str | None
    description: str
    amount: DecimalStr
    balance: DecimalStr | None = None
    other_references: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    confidence: Confidence = 1.0
    field_confidence: dict[str, Confidence] = Field(default_factory=dict)
    page: int | None = None
    bbox: BBox | None = None


class NormalizedStatement(BaseModel):
    """A customer statement in one normalized form, whatever it arrived as."""

    model_config = ConfigDict(frozen=True)

    source: Source
    customer: Customer = Field(default_factory=Customer)
    statement_date: dt.date | None = None
    currency: str | None = None
    opening_balance: DecimalStr | None = None
    closing_balance: DecimalStr | None = None
    lines: list[StatementLine] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
