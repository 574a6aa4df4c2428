"""``/api/v1/documents``: upload statements, list them, fetch state, original, statement, reconciliation."""

# No `from __future__ import annotations`: FastAPI evaluates route annotations (local aliases too).

import logging
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.intake import IntakeResult, intake
from ingest.sniff import SUPPORTED_CONTENT_TYPES
from service.api_state import API, AppState, json_of, not_found, principal_dependency
from service.auth import Principal
from service.db import Document, DocumentState, ReconciliationVersion, StatementVersion
from service.uploads import Upload, request_to_upload_form

log = logging.getLogger("arrecon.api")



def document_to_json(document: Document) -> dict[str, Any]:
    """The public view of a document row."""
    base = f"{API}/documents/{document.id}"
    return {
        "id": document.id,
        "filename": document.filename,
        "channel": document.channel,
        "sender": document.sender,
        "sha256": document.sha256,
        "size": document.size,
        "content_type": document.content_type,
        "received_at": document.received_at.isoformat(),
        "updated_at": document.updated_at.isoformat(),
        "state": document.state,
        "state_reason": document.state_reason,
        "attempts": document.attempts,
        "customer_account": document.customer_account,
        "warnings": document.warnings,
        "errors": document.errors,
        "links": {"self": base, "original": f"{base}/original", "statement": f"{base}/statement",
                  "reconciliation": f"{base}/reconciliation"},
    }


def _intake_result_to_json(result: IntakeResult) -> dict[str, Any]:
    return {"id": result.document_id, "filename": result.filename, "sha256": result.sha256,
            "size": result.size, "content_type": result.content_type, "duplicate": result.duplicate,
            "url": f"{API}/documents/{result.document_id}"}


def _intake_all(state: AppState, principal: Principal, uploads: list[Upload]) -> list[IntakeResult]:
    """Store, record and enqueue each checked upload, one in memory at a time."""
    results = []
    with state.sessions() as session:
        for upload in uploads:
            result = intake(session, state.store, state.enqueue, client_id=principal.client_id,
                            channel="upload", sender=principal.actor, filename=upload.filename,
                            data=upload.read(), content_type=upload.content_type)
            log.info("document %s", "duplicate" if result.duplicate else "received", extra={
                "document_id": result.document_id, "client_id": principal.client_id,
                "channel": "upload", "size": result.size, "content_type": result.content_type})
            results.append(result)
    return results


def _document_of(session: Session, principal: Principal, document_id: str) -> Document:
    document = session.scalar(
        select(Document).where(Document.id == document_id, Document.client_id == principal.client_id)
    )
    if document is None:
        raise not_found("document")
    return document


def _version_of(session: Session, model: Any, document: Document, version: int | None, what: str) -> Any:
    """The row of ``model`` (a versioned table) for ``document``: the latest, or ``version``; else 404."""
    query = select(model).where(model.document_id == document.id)
    if version is not None:
        query = query.where(model.version == version)
    row = session.scalars(query.order_by(model.version.desc()).limit(1)).first()
    if row is None:
        raise not_found(f"{what} yet (the document is {document.state})" if version is None
                        else f"{what} version {version}")
    return row


def attachment_disposition(filename: str) -> str:
    """A Content-Disposition that survives any name: ASCII fallback plus RFC 5987 UTF-8."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


_MULTIPART_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
        }}},
    }
}


def documents_router(state: AppState) -> APIRouter:
    router = APIRouter(tags=["documents"])
    current_principal = principal_dependency(state)
    Current = Annotated[Principal, Depends(current_principal)]

    @router.post("/documents", status_code=202, openapi_extra=_MULTIPART_BODY)
    async def upload_documents(request: Request, principal: Current) -> dict[str, Any]:
        """Upload one or many statements (multipart, any field name): 202 with their ids.

        A file already uploaded by this client is reported with ``duplicate: true`` and its id.
        """
        async with request_to_upload_form(
            request, state.limits, accept_types=SUPPORTED_CONTENT_TYPES
        ) as form:
            if not form.files:
                raise StarletteHTTPException(400, "no file in the request")
            results = await run_in_threadpool(_intake_all, state, principal, form.files)
        return {"documents": [_intake_result_to_json(r) for r in results]}

    @router.get("/documents")
    def list_documents(
        principal: Current,
        state_filter: Annotated[DocumentState | None, Query(alias="state")] = None,
        limit: Annotated[int, Query(ge=1, le=state.settings.page_size_max)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        """The client's documents, newest first, optionally of one state."""
        where = [Document.client_id == principal.client_id]
        if state_filter is not None:
            where.append(Document.state == state_filter.value)
        with state.sessions() as session:
            total = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
            rows = session.scalars(
                select(Document).where(*where)
                .order_by(Document.received_at.desc(), Document.id).limit(limit).offset(offset)
            ).all()
        return {"items": [document_to_json(d) for d in rows], "total": total, "limit": limit,
                "offset": offset}

    @router.get("/documents/{document_id}")
    def get_document(document_id: str, principal: Current) -> dict[str, Any]:
        """One document: its state, warnings and errors."""
        with state.sessions() as session:
            return document_to_json(_document_of(session, principal, document_id))

    @router.get("/documents/{document_id}/original", response_class=Response)
    def get_original(document_id: str, principal: Current) -> Response:
        """The original bytes, as uploaded."""
        with state.sessions() as session:
            document = _document_of(session, principal, document_id)
        return Response(state.store.get(document.sha256), media_type=document.content_type, headers={
            "Content-Disposition": attachment_disposition(document.filename),
            "X-Content-Type-Options": "nosniff"})

    @router.get("/documents/{document_id}/statement")
    def get_statement(
        document_id: str, principal: Current, version: Annotated[int | None, Query(ge=1)] = None
    ) -> dict[str, Any]:
        """The normalized statement: the latest version, or the one asked for."""
        with state.sessions() as session:
            document = _document_of(session, principal, document_id)
            row = _version_of(session, StatementVersion, document, version, "statement")
            return {"document_id": document.id, "version": row.version,
                    "created_at": row.created_at.isoformat(), "created_by": row.created_by,
                    "statement": json_of(row.json)}

    @router.get("/documents/{document_id}/reconciliation")
    def get_reconciliation(
        document_id: str, principal: Current, version: Annotated[int | None, Query(ge=1)] = None
    ) -> dict[str, Any]:
        """The reconciliation against the AR ledger: the latest version, or the one asked for."""
        with state.sessions() as session:
            document = _document_of(session, principal, document_id)
            row = _version_of(session, ReconciliationVersion, document, version, "reconciliation")
            return {"document_id": document.id, "version": row.version,
                    "statement_version": row.statement_version, "ledger_id": row.ledger_id,
                    "created_at": row.created_at.isoformat(), "reconciliation": json_of(row.json)}

    return router
