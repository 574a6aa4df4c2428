"""Fixtures of the service tests: the API app on SQLite and on PostgreSQL, tenants with credentials.

PostgreSQL comes from ``ARRECON_TEST_DATABASE_URL`` (scripts/test.sh starts a server when the
machine has none); the suite creates its own fresh database there and drops it at the end.
Tests stay independent by working inside tenants of their own (every query is client-scoped).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_env import ApiEnv, Tenant, fresh_postgres_database, login_headers, make_api_env, new_tenant


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.live)])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiEnv]:
    """The API app on a fresh SQLite file, then on a fresh PostgreSQL database."""
    root = tmp_path_factory.mktemp(f"api-{request.param}")
    if request.param == "sqlite":
        yield make_api_env("sqlite", f"sqlite:///{root / 'arrecon.db'}", root / "store")
        return
    databases = fresh_postgres_database()
    url = next(databases)
    env = make_api_env("postgresql", url, root / "store")
    try:
        yield env
    finally:
        env.client.close()
        env.sessions.kw["bind"].dispose()
        next(databases, None)


@pytest.fixture
def tenant(api: ApiEnv) -> Tenant:
    """A fresh client with a user and a token."""
    return new_tenant(api)


@pytest.fixture
def other_tenant(api: ApiEnv) -> Tenant:
    """A second fresh client, to check that nothing crosses between clients."""
    return new_tenant(api)


@pytest.fixture
def tenant_cookie(api: ApiEnv, tenant: Tenant) -> dict[str, str]:
    """Headers carrying the session cookie of ``tenant``'s user."""
    return login_headers(api, tenant)
