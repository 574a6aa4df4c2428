"""Tenants and access: clients, users (argon2 passwords), API tokens (sha256 at rest), session cookies.

Every request acts as a ``Principal`` of exactly one client; every query on client data is scoped
by ``principal.client_id``. Tokens travel as ``Authorization: Bearer <token>``; browsers get a
signed session cookie (HMAC-SHA256 over user id and expiry) after logging in with a password.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.errors import InputError
from service.db import ApiToken, Client, Role, User, utcnow

TOKEN_PREFIX = "arr_"
SESSION_COOKIE = "arrecon_session"

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this when the email is unknown makes a wrong email cost as much as a wrong password.
    return _hasher.hash(secrets.token_hex(16))


class UnknownClientError(InputError):
    """No client has that name or id."""

    code = "unknown_client"


class AlreadyExistsError(InputError):
    """A client with that name, or a user with that email, exists already."""

    code = "already_exists"


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user or a token, always of exactly one client."""

    client_id: str
    role: Role
    actor: str  # shown in audit fields: "user:<email>" or "token:<name>"
    user_id: str | None = None
    token_id: str | None = None


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_to_sha256(token: str) -> str:
    """What is stored of a token: its sha256 (a token has 256 random bits, no salt or stretching needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_client(session: Session, name_or_id: str) -> Client:
    """The client with that id or name; ``UnknownClientError`` otherwise."""
    client = session.get(Client, name_or_id)
    client = client or session.scalar(select(Client).where(Client.name == name_or_id))
    if client is None:
        raise UnknownClientError(f"no client named {name_or_id!r}")
    return client


def create_client(session: Session, name: str) -> Client:
    """Commit a new client called ``name``."""
    name = name.strip()
    if not name:
        raise InputError("a client needs a name")
    client = Client(name=name)
    session.add(client)
    _commit_new(session, f"a client named {name!r} exists already")
    return client


def create_user(
    session: Session, client: Client, email: str, password: str, role: Role, name: str = ""
) -> User:
    """Commit a new user of ``client``; the password is kept only as its argon2 hash."""
    email = email.strip().lower()
    if "@" not in email:
        raise InputError(f"not an email address: {email!r}")
    if len(password) < 8:
        raise InputError("a password needs at least 8 characters")
    user = User(client_id=client.id, email=email, name=name, role=role.value,
                password_hash=hash_password(password), active=True)
    session.add(user)
    _commit_new(session, f"a user with email {email!r} exists already")
    return user


def create_token(session: Session, client: Client, name: str = "") -> tuple[ApiToken, str]:
    """Commit a new API token of ``client``; returns the row and the token, which is never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(client_id=client.id, name=name, token_sha256=token_to_sha256(token))
    session.add(row)
    session.commit()
    return row, token


def _commit_new(session: Session, message: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise AlreadyExistsError(message) from exc


def principal_from_token(session: Session, token: str) -> Principal | None:
    """The principal of a valid, unrevoked token; ``None`` otherwise."""
    # Columns, not the ORM object: every API request runs this lookup.
    row = session.execute(
        select(ApiToken.id, ApiToken.client_id, ApiToken.name)
        .where(ApiToken.token_sha256 == token_to_sha256(token), ApiToken.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    # Machine channels upload and read; administration stays with people.
    return Principal(client_id=row.client_id, role=Role.analyst, actor=f"token:{row.name or row.id}",
                     token_id=row.id)


def principal_of_user(user: User) -> Principal:
    """The principal a logged-in user acts as."""
    return Principal(
        client_id=user.client_id, role=Role(user.role), actor=f"user:{user.email}", user_id=user.id
    )


def authenticate_user(session: Session, email: str, password: str) -> User | None:
    """The active user with that email and password; ``None`` otherwise, in about the same time."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        return None
    return user if verify_password(user.password_hash, password) else None


def session_cookie_for(user: User, secret: bytes, max_age_s: int, now: dt.datetime | None = None) -> str:
    """A signed cookie value naming ``user`` until ``now + max_age_s``."""
    expires = int((now or utcnow()).timestamp()) + max_age_s
    payload = _b64(json.dumps({"u": user.id, "e": expires}, separators=(",", ":")).encode())
    return f"{payload}.{_sign(payload, secret)}"


def principal_from_session_cookie(
    session: Session, cookie: str, secret: bytes, now: dt.datetime | None = None
) -> Principal | None:
    """The principal of a valid, unexpired session cookie whose user is still active; ``None`` otherwise."""
    payload, _, signature = cookie.partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(payload, secret)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        user_id, expires = str(data["u"]), int(data["e"])
    except (ValueError, KeyError, TypeError):
        return None
    if expires < (now or utcnow()).timestamp():
        return None
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return principal_of_user(user)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _sign(payload: str, secret: bytes) -> str:
    return _b64(hmac.new(secret, payload.encode("ascii", errors="replace"), hashlib.sha256).digest())
