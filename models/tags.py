"""The tag vocabulary of line descriptions: document types, cues and entity labels.

Codes are language-independent; docs/tagging.md documents each one and the labeling rules.
A description carries at most one document type and any number of cues.
"""

from __future__ import annotations

from enum import StrEnum


class DocumentType(StrEnum):
    """What kind of document the line itself is (not one it merely refers to)."""

    invoice = "invoice"
    payment = "payment"
    credit_note = "credit_note"
    debit_note = "debit_note"
    adjustment = "adjustment"
    opening_balance = "opening_balance"


class Cue(StrEnum):
    """Evidence in a description for why the two books may differ."""

    freight = "freight"
    promotion = "promotion"
    discount = "discount"
    rebate = "rebate"
    return_ = "return"
    interest_penalty = "interest_penalty"
    dispute = "dispute"
    short_payment = "short_payment"
    damaged = "damaged"
    service = "service"
    price_rate = "price_rate"
    tax = "tax"
    write_off = "write_off"
    duplicate = "duplicate"
    no_po = "no_po"
    in_transit = "in_transit"


class EntityLabel(StrEnum):
    """Labels of the spans found inside a description (``models.Entity.label``)."""

    invoice_ref = "INVOICE_REF"
    credit_note_ref = "CREDIT_NOTE_REF"
    debit_note_ref = "DEBIT_NOTE_REF"
    rma = "RMA"
    po = "PO"
    payment_ref = "PAYMENT_REF"
    percent = "PERCENT"
    amount = "AMOUNT"
    date = "DATE"


DOCUMENT_TYPES: frozenset[str] = frozenset(DocumentType)
CUES: frozenset[str] = frozenset(Cue)
# The order of the textcat's labels and of every report: document types first, then cues.
ALL_TAGS: tuple[str, ...] = (*DocumentType, *Cue)
