"""The domain vocabulary of arrecon: pydantic models and enums, no I/O, imports nothing of ours."""

from models.errors import (
    ArreconError,
    EncryptedDocumentError,
    ExtractionError,
    InputError,
    NoStatementFoundError,
    ResourceLimitError,
    UnreadableDocumentError,
    UnsupportedFormatError,
)
from models.ledger import Ledger, LedgerEntry
from models.statement import Customer, Entity, Form, NormalizedStatement, Source, StatementLine

__all__ = [
    "ArreconError",
    "Customer",
    "EncryptedDocumentError",
    "Entity",
    "ExtractionError",
    "Form",
    "InputError",
    "Ledger",
    "LedgerEntry",
    "NoStatementFoundError",
    "NormalizedStatement",
    "ResourceLimitError",
    "Source",
    "StatementLine",
    "UnreadableDocumentError",
    "UnsupportedFormatError",
]
