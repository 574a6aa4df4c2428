"""``/api/v1/ledgers``: a client's AR ledger exports, one versioned ledger per customer account."""

# No `from __future__ import annotations`: FastAPI evaluates route annotations (local aliases too).

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.sniff import CSV, XLSX
from models.errors import InputError
from service.api_documents import attachment_disposition
from service.api_state import API, AppState, json_of, not_found, principal_dependency
from service.auth import Principal
from service.db import Ledger
from service.uploads import Upload, request_to_upload_form

log = logging.getLogger("arrecon.api")

LEDGER_TYPES = frozenset({CSV, XLSX})



class MissingAccountError(InputError):
    """A ledger upload names no customer account and the export holds none."""

    code = "missing_customer_account"


def ledger_to_json(ledger: Ledger, *, with_entries: bool = False) -> dict[str, Any]:
    """The public view of a ledger version."""
    view: dict[str, Any] = {"id": ledger.id, "customer_account": ledger.customer_account,
                            "version": ledger.version, "filename": ledger.filename, "sha256": ledger.sha256,
                            "created_at": ledger.created_at.isoformat(), "created_by": ledger.created_by,
                            "url": f"{API}/ledgers/{ledger.id}"}
    parsed = json_of(ledger.json)
    view["entries"] = len(parsed.get("entries", []))
    view["warnings"] = parsed.get("warnings", [])
    if with_entries:
        view["ledger"] = parsed
    return view


def _ledger_of(session: Session, principal: Principal, ledger_id: str) -> Ledger:
    ledger = session.scalar(
        select(Ledger).where(Ledger.id == ledger_id, Ledger.client_id == principal.client_id)
    )
    if ledger is None:
        raise not_found("ledger")
    return ledger


def _store_ledger(state: AppState, principal: Principal, upload: Upload, account_field: str | None) -> Ledger:
    """Parse the export, store the original, commit it as the next version of its customer account."""
    from reconcile.ledger import load_ledger

    data = upload.read()
    parsed = load_ledger(data, upload.filename)
    account = account_field or (parsed.account or "").strip()[:100]
    if not account:
        raise MissingAccountError("name the customer_account: the export does not hold one")
    if account_field and parsed.account != account:
        parsed = parsed.model_copy(update={"account": account})
    sha256 = state.store.put(data)
    with state.sessions() as session:
        for _attempt in range(3):
            latest = session.scalar(select(func.max(Ledger.version)).where(
                Ledger.client_id == principal.client_id, Ledger.customer_account == account)) or 0
            row = Ledger(client_id=principal.client_id, customer_account=account, version=latest + 1,
                         filename=upload.filename, sha256=sha256, json=parsed.model_dump_json(),
                         created_by=principal.actor)
            session.add(row)
            try:
                session.commit()
                return row
            except IntegrityError:  # another upload took that version number first
                session.rollback()
    raise StarletteHTTPException(409, "the ledger changed concurrently; try again")


def ledgers_router(state: AppState) -> APIRouter:
    router = APIRouter(tags=["ledgers"])
    current_principal = principal_dependency(state)
    Current = Annotated[Principal, Depends(current_principal)]
    body = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"},
                       "customer_account": {"type": "string"}},
    }}}}}

    @router.post("/ledgers", status_code=201, openapi_extra=body)
    async def upload_ledger(request: Request, principal: Current) -> dict[str, Any]:
        """Upload the AR ledger export (CSV / XLSX) of one customer account: a new version of it."""
        async with request_to_upload_form(request, state.limits, accept_types=LEDGER_TYPES) as form:
            if len(form.files) != 1:
                raise StarletteHTTPException(400, "send exactly one ledger file")
            account_field = form.fields.get("customer_account", "").strip()[:100] or None
            row = await run_in_threadpool(_store_ledger, state, principal, form.files[0], account_field)
        log.info("ledger stored", extra={"ledger_id": row.id, "client_id": principal.client_id,
                                         "customer_account": row.customer_account, "version": row.version})
        return ledger_to_json(row)

    @router.get("/ledgers")
    def list_ledgers(
        principal: Current, customer_account: str | None = None,
        limit: Annotated[int, Query(ge=1, le=state.settings.page_size_max)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        """The client's ledger versions, newest first, optionally of one customer account."""
        where = [Ledger.client_id == principal.client_id]
        if customer_account is not None:
            where.append(Ledger.customer_account == customer_account)
        with state.sessions() as session:
            total = session.scalar(select(func.count()).select_from(Ledger).where(*where)) or 0
            rows = session.scalars(select(Ledger).where(*where).order_by(
                Ledger.created_at.desc(), Ledger.id).limit(limit).offset(offset)).all()
            return {"items": [ledger_to_json(r) for r in rows], "total": total, "limit": limit,
                    "offset": offset}

    @router.get("/ledgers/{ledger_id}")
    def get_ledger(ledger_id: str, principal: Current) -> dict[str, Any]:
        """One ledger version with its parsed entries."""
        with state.sessions() as session:
            return ledger_to_json(_ledger_of(session, principal, ledger_id), with_entries=True)

    @router.get("/ledgers/{ledger_id}/original", response_class=Response)
    def get_ledger_original(ledger_id: str, principal: Current) -> Response:
        """The ledger export as uploaded."""
        with state.sessions() as session:
            ledger = _ledger_of(session, principal, ledger_id)
        return Response(state.store.get(ledger.sha256), media_type="application/octet-stream", headers={
            "Content-Disposition": attachment_disposition(ledger.filename),
            "X-Content-Type-Options": "nosniff"})

    return router
