"""Tenant isolation: a user or token of client A gets 404 for every object of client B, on every route.

Routes are enumerated from the app itself, so a route added later is either checked here
automatically (it has an object id in its path) or fails the test until it is classified.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest
from api_env import login_headers
from sqlalchemy import select

from service.db import Ledger, ReconciliationVersion, StatementVersion

if TYPE_CHECKING:
    from api_env import ApiEnv, Tenant

API = "/api/v1"
DOCUMENT = b"%PDF-1.4\n% the statement of client B\n%%EOF\n"
LEDGER_CSV = b"Date,Document No,Type,Description,Amount\n2026-09-01,INV-0099,INV,Goods,10.00\n"
B_FILENAME = "secret-of-client-b.pdf"
# Routes without an object id in the path: how each one is checked (or why it holds no client data).
UNSCOPED_ROUTES = {
    ("GET", f"{API}/documents"): "list",
    ("POST", f"{API}/documents"): "upload",
    ("GET", f"{API}/ledgers"): "list",
    ("POST", f"{API}/ledgers"): "ledger-upload",
    ("GET", f"{API}/me"): "me",
    ("POST", f"{API}/session"): "login: credentials, no object",
    ("DELETE", f"{API}/session"): "logout: no object",
    ("GET", "/healthz"): "public, no client data",
    ("GET", "/readyz"): "public, no client data",
    ("GET", "/metrics"): "counts of every client together, no ids or names",
}


def _routes(api: ApiEnv) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, from its OpenAPI schema (FastAPI's public route listing)."""
    paths = api.client.get("/openapi.json").json()["paths"]
    return sorted((method.upper(), path) for path, operations in paths.items() for method in operations)


@pytest.fixture
def objects_of_b(api: ApiEnv, other_tenant: Tenant) -> dict[str, str]:
    """A document (with statement and reconciliation versions) and a ledger of client B, by path parameter."""
    upload = api.client.post(
        f"{API}/documents", headers=other_tenant.headers, files={"file": (B_FILENAME, DOCUMENT)}
    )
    [document] = upload.json()["documents"]
    ledger = api.client.post(
        f"{API}/ledgers",
        headers=other_tenant.headers,
        data={"customer_account": "B-ACCOUNT"},
        files={"file": ("ledger.csv", LEDGER_CSV, "text/csv")},
    ).json()
    with api.sessions() as session:
        session.add(StatementVersion(document_id=document["id"], version=1, created_by="worker", json="{}"))
        session.add(
            ReconciliationVersion(
                document_id=document["id"],
                statement_version=1,
                ledger_id=ledger["id"],
                version=1,
                json=json.dumps({"of": "client B"}),
            )
        )
        session.commit()
    return {"document_id": document["id"], "ledger_id": ledger["id"]}


@pytest.mark.parametrize("credential", ["token", "session"])
def test_client_a_gets_404_for_every_object_of_client_b_on_every_route(
    api: ApiEnv, tenant: Tenant, other_tenant: Tenant, objects_of_b: dict[str, str], credential: str
) -> None:
    as_a = tenant.headers if credential == "token" else login_headers(api, tenant)
    unclassified = []
    checked = 0
    for method, path in _routes(api):
        params = re.findall(r"{(\w+)}", path)
        if not params:
            if (method, path) not in UNSCOPED_ROUTES:
                unclassified.append(f"{method} {path}")
            continue
        assert set(params) <= set(objects_of_b), f"{method} {path}: no object of client B for {params}"
        url = path.format(**objects_of_b)
        as_owner = api.client.request(method, url, headers=other_tenant.headers)
        assert as_owner.status_code < 400, f"{method} {url} fails for its owner: {as_owner.text}"
        response = api.client.request(method, url, headers=as_a)
        assert response.status_code == 404, f"{method} {url} as client A: {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"
        for secret in (*objects_of_b.values(), B_FILENAME, other_tenant.name):
            assert secret not in response.text
        checked += 1
    assert unclassified == [], "classify these routes in UNSCOPED_ROUTES or give them an object id"
    assert checked >= 6  # document, its original, statement and reconciliation; ledger, its original


def test_lists_uploads_and_ledgers_of_client_a_never_see_client_b(
    api: ApiEnv, tenant: Tenant, other_tenant: Tenant, objects_of_b: dict[str, str]
) -> None:
    documents = api.client.get(f"{API}/documents", headers=tenant.headers).json()
    assert (documents["items"], documents["total"]) == ([], 0)
    ledgers = api.client.get(
        f"{API}/ledgers", headers=tenant.headers, params={"customer_account": "B-ACCOUNT"}
    )
    assert (ledgers.json()["items"], ledgers.json()["total"]) == ([], 0)
    # The same bytes from client A are client A's own new document, not B's (no cross-client dedupe).
    [mine] = api.client.post(
        f"{API}/documents", headers=tenant.headers, files={"file": ("mine.pdf", DOCUMENT)}
    ).json()["documents"]
    assert mine["duplicate"] is False and mine["id"] != objects_of_b["document_id"]
    # A ledger of the same account number starts at version 1 for client A.
    ledger = api.client.post(
        f"{API}/ledgers",
        headers=tenant.headers,
        data={"customer_account": "B-ACCOUNT"},
        files={"file": ("ledger.csv", LEDGER_CSV, "text/csv")},
    ).json()
    assert ledger["version"] == 1
    me = api.client.get(f"{API}/me", headers=tenant.headers).json()
    assert me["client"] == {"id": tenant.client_id, "name": tenant.name}
    with api.sessions() as session:
        pair = [tenant.client_id, other_tenant.client_id]
        rows = session.execute(
            select(Ledger.client_id, Ledger.version).where(
                Ledger.customer_account == "B-ACCOUNT", Ledger.client_id.in_(pair)
            )
        ).all()
    assert sorted(rows) == sorted([(tenant.client_id, 1), (other_tenant.client_id, 1)])
