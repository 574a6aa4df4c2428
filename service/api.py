"""The HTTP API: ``create_app(settings)`` builds the FastAPI app (routes under ``/api/v1``).

Every route of client data needs a principal (``Authorization: Bearer <token>`` or the session
cookie) and looks rows up by id AND the principal's client: another client's object is a 404,
exactly like one that does not exist. Errors are ``application/problem+json`` (RFC 9457).
"""

# No `from __future__ import annotations`: FastAPI evaluates route annotations (local aliases too).

import logging
import secrets
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.errors import ArreconError, InputError, ResourceLimitError, UnsupportedFormatError
from service.api_documents import documents_router
from service.api_ledgers import ledgers_router
from service.api_state import API, AppState, principal_dependency
from service.auth import SESSION_COOKIE, Principal, authenticate_user, principal_of_user, session_cookie_for
from service.db import Client, User, make_engine, migrate, session_factory
from service.metrics import REQUEST_SECONDS, metrics_registry, metrics_to_text
from service.settings import Settings
from service.store import DocumentStore, LocalDocumentStore
from service.uploads import UploadLimits

log = logging.getLogger("arrecon.api")

PROBLEM = "application/problem+json"
_STATUS_OF_CODE = {"ledger_format": 422, "missing_customer_account": 422}


def create_app(
    settings: Settings,
    *,
    enqueue: Callable[[str], None] | None = None,
    store: DocumentStore | None = None,
    queue_depth: Callable[[Session], int] | None = None,
) -> FastAPI:
    """The API app on ``settings``: migrates the database, then wires store, queue and routes.

    ``enqueue`` and ``queue_depth`` default to the task queue chosen by ``settings.queue_url``.
    """
    migrate(settings.database_url)
    if enqueue is None:
        from service.tasks import enqueue_for

        enqueue = enqueue_for(settings, background=True)
    if queue_depth is None:
        from service.queue import queue_depth as depth_of

        def queue_depth(session: Session) -> int:
            return depth_of(settings, session)

    secret = settings.secret_key.get_secret_value().encode() or secrets.token_bytes(32)
    state = AppState(
        settings=settings,
        sessions=session_factory(make_engine(settings.database_url)),
        store=store or LocalDocumentStore(settings.store_dir),
        enqueue=enqueue,
        secret=secret,
        limits=UploadLimits(
            max_request_bytes=settings.max_request_bytes,
            max_upload_bytes=settings.max_upload_bytes,
            max_files=settings.max_files_per_request,
        ),
    )
    app = FastAPI(
        title="arrecon",
        version="0.1.0",
        summary="Customer statements in, reconciliations out: upload, track, fetch results.",
        docs_url="/docs",
    )
    app.state.arrecon = state
    registry = metrics_registry(state.sessions, queue_depth)

    _add_error_handlers(app)
    app.add_middleware(RequestLogMiddleware)
    app.include_router(_health_router(state, registry))
    app.include_router(_session_router(state), prefix=API)
    app.include_router(documents_router(state), prefix=API)
    app.include_router(ledgers_router(state), prefix=API)
    return app


# -- errors -------------------------------------------------------------------------------------


def problem(status: int, title: str, detail: str | None = None, code: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """An ``application/problem+json`` response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def error_to_status(exc: ArreconError) -> int:
    """The HTTP status an error of the arrecon family is answered with."""
    if exc.code in _STATUS_OF_CODE:
        return _STATUS_OF_CODE[exc.code]
    if isinstance(exc, UnsupportedFormatError):
        return 415
    if isinstance(exc, ResourceLimitError):
        return 413
    if isinstance(exc, InputError):
        return 400
    return 503 if exc.retryable else 500


_TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    409: "Conflict", 413: "Content too large", 415: "Unsupported media type", 422: "Unprocessable content",
    500: "Internal server error", 503: "Service unavailable",
}


def _add_error_handlers(app: FastAPI) -> None:
    async def on_arrecon_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ArreconError)
        status = error_to_status(exc)
        if status >= 500:
            log.error("request failed: %s", exc, extra={"code": exc.code, "path": request.url.path})
        # A refused body may still be streaming in: close the connection instead of draining it.
        headers = {"Connection": "close"} if status == 413 else None
        return problem(status, _TITLES.get(status, "Error"), exc.message, exc.code, headers=headers)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), str(exc.detail),
                       headers=dict(exc.headers or {}))

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return problem(422, _TITLES[422], "the request does not match the API", "validation", errors=errors)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error", extra={"path": request.url.path})
        return problem(500, _TITLES[500], "an unexpected error; it has been logged", "internal")

    app.add_exception_handler(ArreconError, on_arrecon_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)


class RequestLogMiddleware:
    """Logs every request as one JSON line (route, status, ms, client) and times it for /metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            if scope["path"].startswith(f"{API}/") and route.startswith("/") and not route.startswith(API):
                route = API + route  # FastAPI puts the route as its router declared it, without the prefix
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(seconds)
            principal = scope.get("state", {}).get("principal")
            log.info("%s %s %d", scope["method"], route, status, extra={
                "method": scope["method"], "route": route, "status": status,
                "ms": round(seconds * 1000, 1), "client_id": getattr(principal, "client_id", None)})


# -- health and metrics -------------------------------------------------------------------------


def _health_router(state: AppState, registry: Any) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process is up (no dependencies checked)."""
        return {"status": "ok"}

    @router.get("/readyz", response_model=None)
    def readyz() -> dict[str, str] | JSONResponse:
        """The database answers and the store is writable."""
        try:
            with state.sessions() as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("not ready: database: %s", exc)
            return problem(503, _TITLES[503], "the database does not answer", "database_unavailable")
        if isinstance(state.store, LocalDocumentStore):
            try:
                state.store.root.mkdir(parents=True, exist_ok=True)
                probe = state.store.root / ".ready"
                probe.write_bytes(b"")
                probe.unlink()
            except OSError as exc:
                log.warning("not ready: store: %s", exc)
                return problem(503, _TITLES[503], "the document store is not writable", "store_unavailable")
        return {"status": "ready"}

    @router.get("/metrics", response_class=Response)
    def metrics() -> Response:
        """Prometheus text exposition."""
        return Response(metrics_to_text(registry), media_type="text/plain; version=0.0.4; charset=utf-8")

    return router


# -- sessions -----------------------------------------------------------------------------------


def _session_router(state: AppState) -> APIRouter:
    router = APIRouter(tags=["session"])
    current_principal = principal_dependency(state)

    @router.post("/session")
    def login(
        response: Response,
        email: Annotated[str, Body(max_length=320)],
        password: Annotated[str, Body(max_length=1024)],
    ) -> dict[str, Any]:
        """Log in with email and password: sets the session cookie for the browser UI."""
        with state.sessions() as session:
            user = authenticate_user(session, email, password)
            if user is None:
                raise StarletteHTTPException(401, "wrong email or password")
            cookie = session_cookie_for(user, state.secret, state.settings.session_max_age_s)
            me = _me(session, principal_of_user(user))
        response.set_cookie(SESSION_COOKIE, cookie, max_age=state.settings.session_max_age_s, httponly=True,
                            samesite="lax", secure=state.settings.session_cookie_secure, path="/")
        return me

    @router.delete("/session", status_code=204)
    def logout() -> Response:
        """Log out: the session cookie is cleared."""
        response = Response(status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/me")
    def me(principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, Any]:
        """Who the request acts as."""
        with state.sessions() as session:
            return _me(session, principal)

    return router


def _me(session: Session, principal: Principal) -> dict[str, Any]:
    client = session.get_one(Client, principal.client_id)
    user = session.get(User, principal.user_id) if principal.user_id else None
    return {"client": {"id": client.id, "name": client.name}, "role": principal.role.value,
            "actor": principal.actor, "user": {"id": user.id, "email": user.email, "name": user.name}
            if user else None}


