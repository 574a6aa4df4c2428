"""Bytes of one document -> ``NormalizedStatement`` (pure: no database, no queue, no web).

``statement_from_bytes`` is the public entry point; ``tables_to_statement`` takes reconstructed
tables and pages (digital or OCR'd) through the same path.
"""

from extract.statement import ExtractOptions, statement_from_bytes, tables_to_statement

__all__ = ["ExtractOptions", "statement_from_bytes", "tables_to_statement"]
