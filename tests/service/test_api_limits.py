"""Bad input and faults at the upload API: each gets the right 4xx, and nothing is stored or leaked.

The body-size limits run against a real uvicorn server over a raw socket, so that "refused
without reading it" is what actually happens on the wire, not what a test client simulates.
"""

from __future__ import annotations

import io
import re
import select
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
import uvicorn
from api_env import make_api_env, new_tenant
from sqlalchemy import update

from service.db import ApiToken, utcnow

if TYPE_CHECKING:
    from api_env import ApiEnv, Tenant

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SMALL_LIMITS = {"max_upload_bytes": 64 * 1024, "max_request_bytes": 256 * 1024, "max_files_per_request": 5}
TWO_GB = 2 * 1024**3


def pdf(label: str) -> bytes:
    """A PDF-shaped document no other test shares."""
    return PDF + f"% {label}\n".encode()


def docx_bytes() -> bytes:
    """A ZIP container shaped like a Word document: a kind arrecon does not read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def assert_problem(response: object, status: int, code: str | None = None) -> None:
    """The response is problem+json with ``status`` (and ``code``)."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code


def test_empty_file_is_400_and_nothing_is_stored(api: ApiEnv, tenant: Tenant) -> None:
    before = (api.document_count(), api.stored_files())
    response = api.client.post(
        "/api/v1/documents", headers=tenant.headers, files=[("file", ("empty.pdf", b"", "application/pdf"))]
    )
    assert_problem(response, 400, "empty_document")
    assert (api.document_count(), api.stored_files()) == before


@pytest.mark.parametrize(
    "content",
    [
        docx_bytes(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
        b"\x7fELF\x02\x01\x01" + bytes(120),
        b"PK\x03\x04" + bytes(60),
        b"Dear AR team, our statement follows by post.\nKind regards\n",
    ],
    ids=["docx", "legacy-xls", "elf", "corrupt-zip", "prose"],
)
def test_wrong_content_type_is_415_and_no_file_of_the_request_is_stored(
    api: ApiEnv, tenant: Tenant, content: bytes
) -> None:
    before = (api.document_count(), api.stored_files())
    files = [
        ("file", ("good.pdf", pdf("with-bad-neighbour"), "application/pdf")),
        ("file", ("statement.pdf", content, "application/pdf")),
    ]
    response = api.client.post("/api/v1/documents", headers=tenant.headers, files=files)
    assert_problem(response, 415, "unsupported_format")
    assert response.json()["detail"].startswith("file 2 (statement.pdf)")
    assert (api.document_count(), api.stored_files()) == before


def test_a_body_that_is_not_multipart_is_415(api: ApiEnv, tenant: Tenant) -> None:
    response = api.client.post(
        "/api/v1/documents", headers={**tenant.headers, "Content-Type": "application/pdf"}, content=PDF
    )
    assert_problem(response, 415, "not_multipart")
    no_files = api.client.post("/api/v1/documents", headers=tenant.headers, files=[("note", (None, "hi"))])
    assert_problem(no_files, 400)


def test_path_traversal_filenames_are_names_never_paths(api: ApiEnv, tenant: Tenant) -> None:
    names = [
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "/etc/shadow",
        "....//....//x.pdf",
        "..",
        "statements/2026/",
    ]
    files = [("file", (name, pdf(f"traversal-{i}"), "application/pdf")) for i, name in enumerate(names)]
    response = api.client.post("/api/v1/documents", headers=tenant.headers, files=files)
    assert response.status_code == 202, response.text
    assert [d["filename"] for d in response.json()["documents"]] == [
        "passwd",
        "win.ini",
        "shadow",
        "x.pdf",
        "upload",
        "upload",
    ]
    store = api.settings.store_dir
    hex_path = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$")
    assert all(hex_path.match(p.relative_to(store).as_posix()) for p in store.rglob("*") if p.is_file())
    assert not any(p.name in {"passwd", "shadow", "win.ini"} for p in store.parent.rglob("*"))


def test_unicode_and_very_long_filenames(api: ApiEnv, tenant: Tenant) -> None:
    unicode_name = "Выписка Müller 東京 ✓ 2026-09.pdf"
    long_name = "Kontoauszug-" + "ä" * 1000 + ".pdf"
    files = [
        ("file", (unicode_name, pdf("unicode"), "application/pdf")),
        ("file", (long_name, pdf("long"), "application/pdf")),
    ]
    response = api.client.post("/api/v1/documents", headers=tenant.headers, files=files)
    assert response.status_code == 202, response.text
    first, second = response.json()["documents"]
    assert first["filename"] == unicode_name
    assert second["filename"] == "Kontoauszug-" + "ä" * 119 + ".pdf"
    assert len(second["filename"].encode()) == 254
    original = api.client.get(f"{first['url']}/original", headers=tenant.headers)
    assert original.headers["content-disposition"] == (
        'attachment; filename="_______ M_ller __ _ 2026-09.pdf"; '
        f"filename*=UTF-8''{quote(unicode_name, safe='')}"
    )


def test_a_thousand_files_in_one_request_is_413_and_nothing_is_stored(api: ApiEnv, tenant: Tenant) -> None:
    before = (api.document_count(), api.stored_files())
    files = [("file", (f"s{i}.pdf", pdf(f"thousand-{i}"), "application/pdf")) for i in range(1000)]
    response = api.client.post("/api/v1/documents", headers=tenant.headers, files=files)
    assert_problem(response, 413, "too_many_files")
    assert (api.document_count(), api.stored_files()) == before


def test_no_token_bad_token_and_revoked_token_are_401(api: ApiEnv, tenant: Tenant) -> None:
    files = {"file": ("s.pdf", pdf("unauthorized"), "application/pdf")}
    before = (api.document_count(), api.stored_files())
    for headers in (
        {},
        {"Authorization": "Bearer arr_not-a-token"},
        {"Authorization": "Basic dXNlcjpwdw=="},
        {"Authorization": tenant.token},
    ):
        response = api.client.post("/api/v1/documents", headers=headers, files=files)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
        assert api.client.get("/api/v1/documents", headers=headers).status_code == 401
    with api.sessions() as session:
        session.execute(
            update(ApiToken).where(ApiToken.client_id == tenant.client_id).values(revoked_at=utcnow())
        )
        session.commit()
    assert_problem(api.client.get("/api/v1/documents", headers=tenant.headers), 401)
    assert (api.document_count(), api.stored_files()) == before


def test_token_of_another_client_gets_404(api: ApiEnv, tenant: Tenant, other_tenant: Tenant) -> None:
    [doc] = api.client.post(
        "/api/v1/documents", headers=tenant.headers, files={"file": ("s.pdf", pdf("other-client"))}
    ).json()["documents"]
    response = api.client.get(doc["url"], headers=other_tenant.headers)
    assert_problem(response, 404)
    assert response.json()["detail"] == "no such document"
    assert doc["id"] not in response.text


# -- body size, on a real server ----------------------------------------------------------------


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ApiEnv, int]]:
    """A real uvicorn server on SQLite with small limits (64 KiB a file, 256 KiB a request, 5 files)."""
    root = tmp_path_factory.mktemp("small")
    env = make_api_env("sqlite", f"sqlite:///{root / 'arrecon.db'}", root / "store", **SMALL_LIMITS)
    server = uvicorn.Server(
        uvicorn.Config(env.client.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield env, port
    server.should_exit = True
    thread.join(10)


def _status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _read_response(sock: socket.socket) -> bytes:
    """The whole response: head, then as many body bytes as its Content-Length says (or until EOF)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    while length and len(body) < int(length.group(1)):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


BODY_START = (
    b'--BOUNDARY\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
)


def _request_head(tenant: Tenant, extra: str) -> bytes:
    return (
        "POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {tenant.token}\r\nContent-Type: multipart/form-data; boundary=BOUNDARY\r\n"
        f"{extra}\r\n"
    ).encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def test_two_gigabytes_by_content_length_are_refused_without_reading(
    small_server: tuple[ApiEnv, int],
) -> None:
    env, port = small_server
    tenant = new_tenant(env)
    before = (env.document_count(), env.stored_files())
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_request_head(tenant, f"Content-Length: {TWO_GB}\r\n") + BODY_START)
        response = _read_response(sock)
    assert _status_of(response) == 413
    assert b"application/problem+json" in response and b"request_too_large" in response
    assert (env.document_count(), env.stored_files()) == before


def test_a_streamed_body_is_cut_off_at_the_limit(small_server: tuple[ApiEnv, int]) -> None:
    env, port = small_server
    tenant = new_tenant(env)
    before = (env.document_count(), env.stored_files())
    block = b"0" * 65536
    chunk = _chunk(block)
    sent = 0
    response = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_request_head(tenant, "Transfer-Encoding: chunked\r\n") + _chunk(BODY_START))
        # Keep streaming (up to 2 GB) until the server answers; it must answer after ~256 KiB.
        while sent < TWO_GB:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(block)
        try:
            response = _read_response(sock)
        except ConnectionResetError:
            # The server closed with our bytes still unread, and the kernel's reset can overtake its
            # answer: stopping is what this test is about, the status is checked when it arrives.
            response = b""
    assert sent < 64 * 1024 * 1024  # the server stopped reading near the limit (socket buffers aside)
    if response:
        assert _status_of(response) == 413
        assert b"request_too_large" in response
    assert (env.document_count(), env.stored_files()) == before


def test_a_file_over_the_size_limit_is_413(small_server: tuple[ApiEnv, int]) -> None:
    env, _port = small_server
    tenant = new_tenant(env)
    files = [
        ("file", ("ok.pdf", pdf("small-ok"), "application/pdf")),
        ("file", ("big.pdf", PDF + b"0" * (64 * 1024), "application/pdf")),
    ]
    response = env.client.post("/api/v1/documents", headers=tenant.headers, files=files)
    assert_problem(response, 413, "file_too_large")
    six = [("file", (f"s{i}.pdf", pdf(f"six-{i}"), "application/pdf")) for i in range(6)]
    assert_problem(
        env.client.post("/api/v1/documents", headers=tenant.headers, files=six), 413, "too_many_files"
    )
    assert (env.document_count(), env.stored_files()) == (0, 0)


def test_store_root_holds_nothing_but_originals(small_server: tuple[ApiEnv, int]) -> None:
    env, _port = small_server
    tenant = new_tenant(env)
    response = env.client.post(
        "/api/v1/documents",
        headers=tenant.headers,
        files={"file": ("ok.pdf", pdf("only-originals"), "application/pdf")},
    )
    assert response.status_code == 202
    assert list(env.settings.store_dir.rglob(".incoming-*")) == []
