"""Intake, the one door every channel uses: store the original, dedupe, record, enqueue.

The original is written to the store (fsynced) before the Document row commits, so a row never
points at missing bytes. The same bytes from the same client are the same document: a second
intake reports it as a duplicate, it is not an error and is not enqueued again.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ingest.sniff import sniff_content_type
from models.errors import InputError

MAX_FILENAME_BYTES = 255
# The widths of the documents table's columns: longer values are cut, not refused.
MAX_SENDER_CHARS = 320
MAX_CHANNEL_CHARS = 40


class EmptyDocumentError(InputError):
    """The document has no bytes at all."""

    code = "empty_document"


class OriginalStore(Protocol):
    """Where originals go, content-addressed: ``put`` returns the sha256 once the bytes are durable."""

    def put(self, data: bytes) -> str: ...


@dataclass(frozen=True)
class NewDocument:
    """What intake records about a document it has not seen before."""

    client_id: str
    channel: str
    sender: str | None
    filename: str
    sha256: str
    size: int
    content_type: str


class DocumentRecords(Protocol):
    """The database side of intake (``service.db.ArreconSession`` is one)."""

    def record_document(self, new: NewDocument) -> tuple[str, bool]:
        """Commit the document, or find the one with the same client and hash: ``(id, created)``."""
        ...


@dataclass(frozen=True)
class IntakeResult:
    """The document a channel handed in: new (and enqueued) or a duplicate of an earlier one."""

    document_id: str
    sha256: str
    filename: str
    content_type: str
    size: int
    duplicate: bool


def filename_to_safe_name(filename: str | None) -> str:
    """A display name that is never a path: last component only, no control characters, <= 255 bytes.

    ``../../etc/passwd`` becomes ``passwd``; names are only ever shown, the store uses the hash.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    if not name:
        return "upload"
    if len(name.encode("utf-8")) <= MAX_FILENAME_BYTES:
        return name
    stem, ext = os.path.splitext(name)
    ext = ext if len(ext.encode("utf-8")) <= 16 else ""
    budget = MAX_FILENAME_BYTES - len(ext.encode("utf-8"))
    stem = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return stem + ext


def intake(
    session: DocumentRecords,
    store: OriginalStore,
    enqueue: Callable[[str], None],
    *,
    client_id: str,
    channel: str,
    sender: str | None,
    filename: str | None,
    data: bytes,
    content_type: str | None = None,
) -> IntakeResult:
    """Store, record and enqueue one document of ``client_id``; a repeat is a duplicate result.

    ``content_type`` is sniffed from the bytes when not given. Raises ``EmptyDocumentError`` or
    ``UnsupportedFormatError`` (both ``InputError``) before anything is stored.
    """
    if not data:
        raise EmptyDocumentError("the document is empty (0 bytes)")
    if content_type is None:
        content_type = sniff_content_type(data)
    safe_name = filename_to_safe_name(filename)
    sha256 = store.put(data)
    document_id, created = session.record_document(
        NewDocument(
            client_id=client_id,
            channel=channel[:MAX_CHANNEL_CHARS],
            sender=sender[:MAX_SENDER_CHARS] if sender else None,
            filename=safe_name,
            sha256=sha256,
            size=len(data),
            content_type=content_type,
        )
    )
    if created:
        # After the commit: a failed enqueue leaves a `received` row that the sweep picks up again.
        enqueue(document_id)
    return IntakeResult(
        document_id=document_id,
        sha256=sha256,
        filename=safe_name,
        content_type=content_type,
        size=len(data),
        duplicate=not created,
    )
