"""The domain vocabulary of arrecon: pydantic models and enums, no I/O, imports nothing of ours."""

from models.errors import (
    ArreconError,
    EncryptedDocumentError,
    ExtractionError,
    InputError,
    LedgerFormatError,
    NoStatementFoundError,
    ResourceLimitError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)
from models.ledger import Ledger, LedgerEntry
from models.reconciliation import ItemStatus, ReasonCode, Reconciliation, ReconciliationItem
from models.statement import Customer, Entity, Form, NormalizedStatement, Source, StatementLine

__all__ = [
    "ArreconError",
    "Customer",
    "EncryptedDocumentError",
    "Entity",
    "ExtractionError",
    "Form",
    "InputError",
    "ItemStatus",
    "Ledger",
    "LedgerEntry",
    "LedgerFormatError",
    "NoStatementFoundError",
    "NormalizedStatement",
    "ReasonCode",
    "Reconciliation",
    "ReconciliationItem",
    "ResourceLimitError",
    "Source",
    "StatementLine",
    "UnreadableDocumentError",
    "UnsupportedFormatError",
]
