"""The API test environment: an app on a database, tenants with credentials (used by conftest.py)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from service.api import create_app
from service.auth import SESSION_COOKIE, create_client, create_token, create_user, find_client
from service.db import ArreconSession, Document, Role, make_engine, session_factory
from service.settings import Settings

PASSWORD = "correct horse battery"
TEST_DATABASE_ENV = "ARRECON_TEST_DATABASE_URL"


@dataclass
class ApiEnv:
    """One running app: its client, settings, sessions on its database and the ids it enqueued."""

    backend: str
    settings: Settings
    client: TestClient
    sessions: sessionmaker[ArreconSession]
    enqueued: list[str] = field(default_factory=list)

    def document_count(self) -> int:
        """Documents of every client in the database."""
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Document)) or 0)

    def stored_files(self) -> int:
        """Originals in the store (temp files included, so a half-written one counts too)."""
        root = self.settings.store_dir
        return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


@dataclass(frozen=True)
class Tenant:
    """A client with an analyst user and an API token."""

    client_id: str
    name: str
    token: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        """Bearer authentication with the tenant's token."""
        return {"Authorization": f"Bearer {self.token}"}


def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test server; dropped afterwards."""
    import psycopg

    base = os.environ.get(TEST_DATABASE_ENV)
    if not base:
        pytest.fail(
            f"{TEST_DATABASE_ENV} is not set: run the suite through scripts/test.sh "
            '(or eval "$(bash scripts/services.sh)" first)'
        )
    url = make_url(base)
    name = f"arrecon_api_{secrets.token_hex(5)}"
    server = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def make_api_env(backend: str, database_url: str, store_dir: Path, **limits: int) -> ApiEnv:
    """An app on ``database_url`` with a recording enqueue and the given settings overrides."""
    settings = Settings(database_url=database_url, store_dir=store_dir, secret_key="test-secret", **limits)
    enqueued: list[str] = []
    app = create_app(settings, enqueue=enqueued.append, queue_depth=lambda _session: len(enqueued))
    return ApiEnv(
        backend=backend,
        settings=settings,
        client=TestClient(app),
        sessions=session_factory(make_engine(database_url)),
        enqueued=enqueued,
    )


def new_tenant(env: ApiEnv) -> Tenant:
    """A client of its own (unique name) with one token; its user is made by ``login_headers``."""
    name = f"client-{secrets.token_hex(6)}"
    with env.sessions() as session:
        client = create_client(session, name)
        _row, token = create_token(session, client, "tests")
        return Tenant(client_id=client.id, name=name, token=token, email=f"{name}@example.com")


def login_headers(env: ApiEnv, tenant: Tenant, role: Role = Role.analyst) -> dict[str, str]:
    """A Cookie header with the session of the tenant's user (created here), after a password login."""
    with env.sessions() as session:
        # argon2 is slow on purpose: users are only made for the tests that log in.
        create_user(session, find_client(session, tenant.client_id), tenant.email, PASSWORD, role)
    response = env.client.post("/api/v1/session", json={"email": tenant.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    env.client.cookies.clear()  # the client is shared: tests pass credentials per request
    return {"Cookie": f"{SESSION_COOKIE}={response.cookies[SESSION_COOKIE]}"}
