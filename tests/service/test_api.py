"""The upload API end to end on SQLite and PostgreSQL: upload, dedupe, list, fetch, ledgers, sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from api_env import make_api_env, new_tenant
from PIL import Image
from sqlalchemy import select, update

from service.db import Document, DocumentState, Ledger, ReconciliationVersion, StatementVersion
from service.logs import JsonFormatter

if TYPE_CHECKING:
    from api_env import ApiEnv, Tenant

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LEDGER_CSV = (
    b"Date,Document No,Type,Description,Amount\n"
    b"2026-09-01,INV-0012345,INV,Goods,1200.00\n2026-09-10,PMT-77,PMT,Payment,-500.00\n"
)


def unique_pdf(label: str) -> bytes:
    """A PDF-shaped document whose hash no other test shares."""
    return PDF + f"% {label}\n".encode()


def png_bytes() -> bytes:
    """A real PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    """A real XLSX workbook."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Date", "Reference", "Amount"])
    sheet.append(["2026-09-01", "INV-1", 100])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_upload_returns_202_stores_original_and_enqueues(api: ApiEnv, tenant: Tenant) -> None:
    data = unique_pdf("upload")
    response = api.client.post(
        "/api/v1/documents",
        headers=tenant.headers,
        files=[("file", ("acme-2026-09.pdf", data, "application/pdf"))],
    )
    assert response.status_code == 202, response.text
    [created] = response.json()["documents"]
    assert created["duplicate"] is False
    assert (created["filename"], created["size"], created["content_type"]) == (
        "acme-2026-09.pdf",
        len(data),
        "application/pdf",
    )
    assert created["sha256"] == hashlib.sha256(data).hexdigest()
    assert api.enqueued[-1] == created["id"]

    document = api.client.get(created["url"], headers=tenant.headers).json()
    assert (document["state"], document["channel"], document["sender"]) == (
        "received",
        "upload",
        "token:tests",
    )
    assert (document["warnings"], document["errors"], document["attempts"]) == ([], [], 0)
    original = api.client.get(document["links"]["original"], headers=tenant.headers)
    assert original.status_code == 200
    assert original.content == data
    assert original.headers["content-type"] == "application/pdf"
    assert original.headers["x-content-type-options"] == "nosniff"


def test_same_bytes_again_is_a_duplicate_not_an_error(api: ApiEnv, tenant: Tenant) -> None:
    data = unique_pdf("duplicate")
    first = api.client.post("/api/v1/documents", headers=tenant.headers, files={"file": ("a.pdf", data)})
    enqueued = len(api.enqueued)
    again = api.client.post("/api/v1/documents", headers=tenant.headers, files={"file": ("b.pdf", data)})
    assert (first.status_code, again.status_code) == (202, 202)
    [a], [b] = first.json()["documents"], again.json()["documents"]
    assert (b["id"], b["duplicate"]) == (a["id"], True)
    assert len(api.enqueued) == enqueued  # not processed twice
    listed = api.client.get("/api/v1/documents", headers=tenant.headers).json()
    assert [d["id"] for d in listed["items"]] == [a["id"]]


def test_many_files_in_one_request_typed_by_content_not_name(api: ApiEnv, tenant: Tenant) -> None:
    files = [
        ("file", ("statement.xlsx", unique_pdf("many"), "application/vnd.ms-excel")),
        ("file", ("scan.pdf", png_bytes(), "application/pdf")),
        ("file", ("open-items.txt", xlsx_bytes(), "text/plain")),
        (
            "other",
            ("items.bin", b"Date;Ref;Amount\n01.09.2026;4711;1.234,56\n02.09.2026;4712;-10,00\n", "x/y"),
        ),
    ]
    response = api.client.post("/api/v1/documents", headers=tenant.headers, files=files)
    assert response.status_code == 202, response.text
    assert [d["content_type"] for d in response.json()["documents"]] == [
        "application/pdf",
        "image/png",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
    ]
    assert [d["filename"] for d in response.json()["documents"]] == [
        "statement.xlsx",
        "scan.pdf",
        "open-items.txt",
        "items.bin",
    ]


def test_list_pages_and_filters_by_state(api: ApiEnv, tenant: Tenant) -> None:
    files = [("file", (f"s{i}.pdf", unique_pdf(f"list-{i}"), "application/pdf")) for i in range(3)]
    ids = [
        d["id"]
        for d in api.client.post("/api/v1/documents", headers=tenant.headers, files=files).json()["documents"]
    ]
    with api.sessions() as session:
        session.execute(
            update(Document)
            .where(Document.id == ids[1])
            .values(state=DocumentState.failed.value, state_reason="unreadable: the PDF is truncated")
        )
        session.commit()
    failed = api.client.get("/api/v1/documents", headers=tenant.headers, params={"state": "failed"}).json()
    assert ([d["id"] for d in failed["items"]], failed["total"]) == ([ids[1]], 1)
    assert failed["items"][0]["state_reason"] == "unreadable: the PDF is truncated"
    page1 = api.client.get("/api/v1/documents", headers=tenant.headers, params={"limit": 2}).json()
    page2 = api.client.get(
        "/api/v1/documents", headers=tenant.headers, params={"limit": 2, "offset": 2}
    ).json()
    assert (page1["total"], len(page1["items"]), len(page2["items"])) == (3, 2, 1)
    assert {d["id"] for d in page1["items"] + page2["items"]} == set(ids)
    bad = api.client.get("/api/v1/documents", headers=tenant.headers, params={"state": "lost"})
    assert (bad.status_code, bad.headers["content-type"]) == (422, "application/problem+json")


def test_statement_and_reconciliation_latest_or_by_version(api: ApiEnv, tenant: Tenant) -> None:
    [doc] = api.client.post(
        "/api/v1/documents", headers=tenant.headers, files={"file": ("s.pdf", unique_pdf("versions"))}
    ).json()["documents"]
    base = f"/api/v1/documents/{doc['id']}"
    missing = api.client.get(f"{base}/statement", headers=tenant.headers)
    assert (missing.status_code, missing.json()["detail"]) == (
        404,
        "no such statement yet (the document is received)",
    )
    assert api.client.get(f"{base}/reconciliation", headers=tenant.headers).status_code == 404
    with api.sessions() as session:
        ledger = Ledger(
            client_id=tenant.client_id,
            customer_account="C-1",
            version=1,
            filename="l.csv",
            sha256="0" * 64,
            json=json.dumps({"entries": []}),
        )
        session.add(ledger)
        session.flush()
        for version, closing in ((1, "100.00"), (2, "90.00")):
            session.add(
                StatementVersion(
                    document_id=doc["id"],
                    version=version,
                    created_by="worker",
                    json=json.dumps({"closing_balance": closing}),
                )
            )
        session.add(
            ReconciliationVersion(
                document_id=doc["id"],
                statement_version=2,
                ledger_id=ledger.id,
                version=1,
                json=json.dumps({"difference": "10.00"}),
            )
        )
        session.commit()
        ledger_id = ledger.id
    latest = api.client.get(f"{base}/statement", headers=tenant.headers).json()
    assert (latest["version"], latest["statement"], latest["created_by"]) == (
        2,
        {"closing_balance": "90.00"},
        "worker",
    )
    first = api.client.get(f"{base}/statement", headers=tenant.headers, params={"version": 1}).json()
    assert first["statement"] == {"closing_balance": "100.00"}
    assert (
        api.client.get(f"{base}/statement", headers=tenant.headers, params={"version": 7}).status_code == 404
    )
    reconciliation = api.client.get(f"{base}/reconciliation", headers=tenant.headers).json()
    assert (
        reconciliation["version"],
        reconciliation["statement_version"],
        reconciliation["ledger_id"],
        reconciliation["reconciliation"],
    ) == (1, 2, ledger_id, {"difference": "10.00"})


def test_ledger_upload_is_parsed_and_versioned_per_account(api: ApiEnv, tenant: Tenant) -> None:
    def upload(data: bytes, account: str | None, name: str = "ar-ledger.csv") -> dict[str, Any]:
        form = {"customer_account": account} if account else {}
        response = api.client.post(
            "/api/v1/ledgers", headers=tenant.headers, data=form, files={"file": (name, data, "text/csv")}
        )
        return {"status": response.status_code, **response.json()}

    first = upload(LEDGER_CSV, "C-1001")
    assert (first["status"], first["customer_account"], first["version"], first["entries"]) == (
        201,
        "C-1001",
        1,
        2,
    )
    second = upload(LEDGER_CSV + b"2026-09-20,INV-0012399,INV,Freight,75.00\n", "C-1001")
    assert (second["status"], second["version"], second["entries"]) == (201, 2, 3)
    assert upload(LEDGER_CSV, "C-2002")["version"] == 1

    listed = api.client.get(
        "/api/v1/ledgers", headers=tenant.headers, params={"customer_account": "C-1001"}
    ).json()
    assert [(x["version"], x["entries"]) for x in listed["items"]] == [(2, 3), (1, 2)]
    detail = api.client.get(first["url"], headers=tenant.headers).json()
    assert [(e["reference"], e["amount"]) for e in detail["ledger"]["entries"]] == [
        ("INV-0012345", "1200.00"),
        ("PMT-77", "-500.00"),
    ]
    assert api.client.get(f"{first['url']}/original", headers=tenant.headers).content == LEDGER_CSV

    bad = upload(b"foo,bar\n1,2\n3,4\n", "C-1001")
    assert (bad["status"], bad["code"]) == (422, "ledger_format")
    no_account = upload(LEDGER_CSV, None)
    assert (no_account["status"], no_account["code"]) == (422, "missing_customer_account")
    assert upload(unique_pdf("ledger"), "C-1001", "ledger.csv")["status"] == 415
    with api.sessions() as session:
        versions = session.scalars(
            select(Ledger.version).where(
                Ledger.client_id == tenant.client_id, Ledger.customer_account == "C-1001"
            )
        ).all()
    assert sorted(versions) == [1, 2]  # the refused uploads added nothing


def test_password_login_session_cookie_and_logout(
    api: ApiEnv, tenant: Tenant, tenant_cookie: dict[str, str]
) -> None:
    me = api.client.get("/api/v1/me", headers=tenant_cookie).json()
    assert (me["client"]["id"], me["user"]["email"], me["role"]) == (
        tenant.client_id,
        tenant.email,
        "analyst",
    )
    wrong = api.client.post("/api/v1/session", json={"email": tenant.email, "password": "not it at all"})
    assert (wrong.status_code, wrong.headers["content-type"]) == (401, "application/problem+json")
    unknown = api.client.post("/api/v1/session", json={"email": "nobody@example.com", "password": "x" * 10})
    assert unknown.status_code == 401
    tampered = tenant_cookie["Cookie"][:-2] + ("AA" if not tenant_cookie["Cookie"].endswith("AA") else "BB")
    assert api.client.get("/api/v1/me", headers={"Cookie": tampered}).status_code == 401
    logout = api.client.delete("/api/v1/session", headers=tenant_cookie)
    assert logout.status_code == 204
    assert 'arrecon_session=""' in logout.headers["set-cookie"]


def test_health_ready_metrics_and_openapi(api: ApiEnv, tenant: Tenant) -> None:
    api.client.post(
        "/api/v1/documents", headers=tenant.headers, files={"file": ("m.pdf", unique_pdf("metrics"))}
    )
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}
    metrics = api.client.get("/metrics").text
    received = next(
        line for line in metrics.splitlines() if line.startswith('arrecon_documents{state="received"}')
    )
    assert float(received.split()[-1]) >= 1
    assert "arrecon_queue_depth" in metrics and "arrecon_http_request_seconds_bucket" in metrics
    assert 'method="POST",route="/api/v1/documents",status="202"' in metrics
    assert 'arrecon_document_pipeline_seconds{quantile="0.99"}' in metrics
    assert api.client.get("/docs").status_code == 200
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "multipart/form-data" in paths["/api/v1/documents"]["post"]["requestBody"]["content"]


def test_logs_are_json_lines_with_the_document_id(
    api: ApiEnv, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="arrecon.api")
    response = api.client.post(
        "/api/v1/documents", headers=tenant.headers, files={"file": ("log.pdf", unique_pdf("logs"))}
    )
    [created] = response.json()["documents"]
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    received = next(line for line in lines if line.get("document_id") == created["id"])
    assert (received["message"], received["client_id"], received["level"]) == (
        "document received",
        tenant.client_id,
        "info",
    )
    request = next(line for line in lines if line.get("route") == "/api/v1/documents")
    assert (request["method"], request["status"], request["client_id"]) == ("POST", 202, tenant.client_id)


def test_metrics_task_and_pipeline_seconds_come_from_the_database(tmp_path: Path) -> None:
    env = make_api_env("sqlite", f"sqlite:///{tmp_path / 'metrics.db'}", tmp_path / "store")
    tenant = new_tenant(env)
    received = dt.datetime(2026, 9, 30, 12, 0, tzinfo=dt.UTC)
    with env.sessions() as session:
        for i, (state, started, done) in enumerate(
            [("reconciled", 10, 12.5), ("failed", 20, 21), ("received", 0, 0)]
        ):
            session.add(
                Document(
                    client_id=tenant.client_id,
                    channel="upload",
                    filename=f"{i}.pdf",
                    sha256=f"{i}" * 64,
                    size=1,
                    content_type="application/pdf",
                    state=state,
                    received_at=received,
                    started_at=received + dt.timedelta(seconds=started) if started else None,
                    updated_at=received + dt.timedelta(seconds=done),
                )
            )
        session.commit()
    lines = env.client.get("/metrics").text.splitlines()
    assert 'arrecon_task_seconds{quantile="0.5"} 2.5' in lines
    assert 'arrecon_task_seconds{quantile="0.99"} 2.5' in lines
    assert 'arrecon_document_pipeline_seconds{quantile="0.5"} 21.0' in lines
    assert 'arrecon_documents{state="reconciled"} 1.0' in lines
    assert "arrecon_queue_depth 0.0" in lines


def test_unknown_routes_and_methods_answer_problem_json(api: ApiEnv) -> None:
    missing = api.client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")
    wrong_method = api.client.put("/api/v1/documents")
    assert (wrong_method.status_code, wrong_method.json()["title"]) == (405, "Method not allowed")


def test_readyz_is_503_when_the_store_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    env = make_api_env("sqlite", f"sqlite:///{tmp_path / 'ready.db'}", blocker / "store")
    response = env.client.get("/readyz")
    assert (response.status_code, response.json()["code"]) == (503, "store_unavailable")
    assert env.client.get("/healthz").status_code == 200


def test_files_spooled_to_disk_arrive_whole(api: ApiEnv, tenant: Tenant) -> None:
    big = [unique_pdf(f"big-{i}") + bytes([i]) * (3 * 1024 * 1024) for i in range(2)]
    files = [("file", (f"big-{i}.pdf", data, "application/pdf")) for i, data in enumerate(big)]
    response = api.client.post("/api/v1/documents", headers=tenant.headers, files=files)
    assert response.status_code == 202, response.text
    for data, created in zip(big, response.json()["documents"], strict=True):
        assert created["sha256"] == hashlib.sha256(data).hexdigest()
        assert api.client.get(f"{created['url']}/original", headers=tenant.headers).content == data
