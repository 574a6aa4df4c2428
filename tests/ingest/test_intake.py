"""Intake on a real SQLite database and a real local store: store, dedupe, record, enqueue."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from ingest.intake import EmptyDocumentError, filename_to_safe_name, intake
from ingest.sniff import CSV, EMAIL, GIF, HTML, PDF, PNG, XLSX, sniff_content_type
from models.errors import UnsupportedFormatError
from service.db import ArreconSession, Client, Document, make_engine, migrate, session_factory
from service.store import LocalDocumentStore

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[ArreconSession]:
    """Sessions on a freshly migrated SQLite file."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    migrate(url)
    return session_factory(make_engine(url))


@pytest.fixture
def client_id(sessions: sessionmaker[ArreconSession]) -> str:
    """The id of one client, committed."""
    with sessions() as session:
        client = Client(name="Acme Receivables")
        session.add(client)
        session.commit()
        return client.id


def test_intake_stores_records_and_enqueues_once(
    sessions: sessionmaker[ArreconSession], client_id: str, tmp_path: Path
) -> None:
    store = LocalDocumentStore(tmp_path / "store")
    queued: list[str] = []
    with sessions() as session:
        first = intake(session, store, queued.append, client_id=client_id, channel="upload",
                       sender="ap@customer.example", filename="../../etc/passwd", data=PDF_BYTES)
        again = intake(session, store, queued.append, client_id=client_id, channel="email",
                       sender=None, filename="other.pdf", data=PDF_BYTES)
    sha = hashlib.sha256(PDF_BYTES).hexdigest()
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.document_id == first.document_id
    assert queued == [first.document_id]
    assert store.get(sha) == PDF_BYTES
    assert store.path(sha) == tmp_path / "store" / sha[:2] / sha[2:4] / sha
    with sessions() as session:
        document = session.get_one(Document, first.document_id)
        assert (document.filename, document.sha256, document.size, document.content_type, document.state) == (
            "passwd", sha, len(PDF_BYTES), PDF, "received")
        assert document.channel == "upload" and document.sender == "ap@customer.example"
        assert session.scalar(select(func.count()).select_from(Document)) == 1


def test_same_bytes_of_another_client_are_another_document(
    sessions: sessionmaker[ArreconSession], client_id: str, tmp_path: Path
) -> None:
    store = LocalDocumentStore(tmp_path / "store")
    with sessions() as session:
        other = Client(name="Other Co")
        session.add(other)
        session.commit()
        a = intake(session, store, lambda _id: None, client_id=client_id, channel="upload", sender=None,
                   filename="s.pdf", data=PDF_BYTES)
        b = intake(session, store, lambda _id: None, client_id=other.id, channel="upload", sender=None,
                   filename="s.pdf", data=PDF_BYTES)
    assert a.document_id != b.document_id and not b.duplicate


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"", EmptyDocumentError), (b"\x7fELF\x02\x01\x01\x00" + bytes(200), UnsupportedFormatError),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), UnsupportedFormatError),
     (b"Dear AR team,\nplease find our statement attached.\nRegards", UnsupportedFormatError)],
)
def test_bad_input_stores_nothing(
    sessions: sessionmaker[ArreconSession], client_id: str, tmp_path: Path, data: bytes, error: type
) -> None:
    store = LocalDocumentStore(tmp_path / "store")
    with sessions() as session, pytest.raises(error):
        intake(session, store, lambda _id: None, client_id=client_id, channel="upload", sender=None,
               filename="x.pdf", data=data)
    assert not (tmp_path / "store").exists()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0


@pytest.mark.parametrize(
    ("name", "safe"),
    [("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("", "upload"), ("..", "upload"),
     ("/", "upload"), (".hidden.pdf", "hidden.pdf"), ("a\x00b\nc.pdf", "abc.pdf"),
     ("Kontoauszug Müller – 09.2026.pdf", "Kontoauszug Müller – 09.2026.pdf")],
)
def test_filename_to_safe_name(name: str, safe: str) -> None:
    assert filename_to_safe_name(name) == safe


def test_long_unicode_filename_is_cut_to_255_bytes_keeping_extension() -> None:
    safe = filename_to_safe_name("é" * 400 + ".pdf")
    assert safe == "é" * 125 + ".pdf"
    assert len(safe.encode("utf-8")) == 254


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PDF_BYTES, PDF), (b"\x89PNG\r\n\x1a\n" + bytes(20), PNG),
     (b"Date,Reference,Amount\n2026-09-01,INV-1,100.00\n2026-09-02,INV-2,50.00\n", CSV),
     (b"Datum;Beleg;Betrag\n01.09.2026;4711;1.234,56\n02.09.2026;4712;-10,00\n", CSV),
     (b"From: ap@customer.example\nTo: ar@us.example\nSubject: statement\n\nHello", EMAIL),
     (b"<!DOCTYPE html><html><body><table></table></body></html>", HTML),
     (b"GIF89a\x08\x00\x08\x00" + bytes(20), GIF)],
)
def test_sniff_content_type(data: bytes, kind: str) -> None:
    assert sniff_content_type(data) == kind


@pytest.mark.parametrize(
    "data",
    [b"Please find our statement below.\nThanks", b"PK\x03\x04" + bytes(30), bytes(range(256)), b""],
    ids=["prose", "corrupt-zip", "binary", "empty"],
)
def test_sniff_refuses_what_extraction_cannot_read(data: bytes) -> None:
    with pytest.raises(UnsupportedFormatError):
        sniff_content_type(data)


def test_sniff_xlsx_from_a_real_workbook(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Date", "Reference", "Amount"])  # type: ignore[union-attr]
    workbook.save(tmp_path / "s.xlsx")
    assert sniff_content_type((tmp_path / "s.xlsx").read_bytes()) == XLSX


def test_overlong_sender_and_channel_are_cut_to_their_columns(
    sessions: sessionmaker[ArreconSession], client_id: str, tmp_path: Path
) -> None:
    store = LocalDocumentStore(tmp_path / "store")
    with sessions() as session:
        result = intake(session, store, lambda _id: None, client_id=client_id, channel="c" * 100,
                        sender="x" * 1000 + "@example.com", filename="s.pdf", data=PDF_BYTES)
        document = session.get_one(Document, result.document_id)
        assert (len(document.channel), len(document.sender or "")) == (40, 320)
