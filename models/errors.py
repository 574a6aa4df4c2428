"""The error family of arrecon: one base, one branch per stage.

Each error carries a machine-readable ``code`` and whether a retry can help (``retryable``).
Errors are raised ``from`` the library error that caused them and turned into a message only at
the edge (CLI exit code, HTTP problem+json, document state ``failed``).
"""

from __future__ import annotations


class ArreconError(Exception):
    """Base of every error arrecon raises on purpose."""

    code: str = "error"
    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(ArreconError):
    """The input itself is at fault: retrying the same bytes cannot help."""

    code = "bad_input"


class UnsupportedFormatError(InputError):
    """The content is not a kind of document arrecon reads (sniffed from content, not extension)."""

    code = "unsupported_format"


class UnreadableDocumentError(InputError):
    """The document claims a supported format but is corrupt, truncated or empty."""

    code = "unreadable_document"


class EncryptedDocumentError(InputError):
    """The document is password-protected."""

    code = "encrypted_document"


class ResourceLimitError(InputError):
    """The document exceeds a configured bound (pages, pixels, size, time)."""

    code = "resource_limit"


class LedgerFormatError(InputError):
    """The AR ledger export lacks a needed column, has ambiguous ones, or holds unreadable values."""

    code = "ledger_format"


class CorpusError(InputError):
    """A tagger corpus is missing, malformed, or an example was offered without a reviewer's confirmation."""

    code = "bad_corpus"


class ExtractionError(ArreconError):
    """Extraction failed for a reason inside arrecon or a library it uses."""

    code = "extraction_failed"


class NoStatementFoundError(ExtractionError):
    """The document was read but holds no table of statement lines."""

    code = "no_statement_found"
