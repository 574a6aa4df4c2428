"""What the API's routers share: the app state, the principal of a request, the 404 of scoping."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.auth import SESSION_COOKIE, Principal, principal_from_session_cookie, principal_from_token
from service.db import ArreconSession
from service.settings import Settings
from service.store import DocumentStore
from service.uploads import UploadLimits

API = "/api/v1"


@dataclass(frozen=True)
class AppState:
    """What the routes of one app share: settings, sessions, the store, the queue, the cookie key."""

    settings: Settings
    sessions: sessionmaker[ArreconSession]
    store: DocumentStore
    enqueue: Callable[[str], None]
    secret: bytes
    limits: UploadLimits


def not_found(what: str) -> StarletteHTTPException:
    """The one answer for "does not exist" and "belongs to another client"."""
    return StarletteHTTPException(404, f"no such {what}")


def principal_dependency(state: AppState) -> Callable[[Request], Principal]:
    """The FastAPI dependency that finds who asks (Bearer token, else session cookie) or answers 401."""

    def current_principal(request: Request) -> Principal:
        authorization = request.headers.get("authorization", "")
        cookie = request.cookies.get(SESSION_COOKIE)
        principal: Principal | None = None
        with state.sessions() as session:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                principal = principal_from_token(session, token.strip())
            elif cookie:
                _refuse_cross_site(request)
                principal = principal_from_session_cookie(session, cookie, state.secret)
        if principal is None:
            raise StarletteHTTPException(401, "a valid API token or session is needed",
                                         headers={"WWW-Authenticate": "Bearer"})
        request.state.principal = principal
        return principal

    return current_principal


def _refuse_cross_site(request: Request) -> None:
    """A cookie-authenticated change must come from this site (SameSite=Lax aside): 403 otherwise."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise StarletteHTTPException(403, "a session may only change data from this site")


def json_of(stored: str) -> Any:
    """A JSON column's text as Python values."""
    return json.loads(stored)
