"""The database: SQLAlchemy 2 models, engines and the Alembic upgrade the app and CLI run at start.

SQLite (a file under ``./var/``) by default, PostgreSQL by URL. Every table of client data carries
``client_id``; queries on them are always scoped by it. Statements, ledgers and reconciliations
are versioned: a new version is a new row, never an update.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import uuid
import weakref
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from ingest.intake import NewDocument

# anyio's default threadpool runs 40 sync requests at once; each holds at most one connection.
SQLITE_POOL_SIZE = 40
POSTGRES_POOL_SIZE = 20


def new_id() -> str:
    """A random uuid4 as text: ids are not guessable and not sequential across clients."""
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Now, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC times only")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Role(StrEnum):
    """What a user may do within their client."""

    analyst = "analyst"
    admin = "admin"


class DocumentState(StrEnum):
    """Where a document is on its way: received -> extracting -> needs_review | extracted -> reconciled."""

    received = "received"
    extracting = "extracting"
    needs_review = "needs_review"
    extracted = "extracted"
    reconciled = "reconciled"
    failed = "failed"


FINAL_STATES = frozenset({DocumentState.needs_review, DocumentState.extracted, DocumentState.reconciled,
                          DocumentState.failed})


class Base(DeclarativeBase):
    """The declarative base of every table."""


class Client(Base):
    """A company whose accounts receivable are reconciled: the tenant every row belongs to."""

    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class User(Base):
    """A person of one client who logs in with email and password (argon2 hash)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.analyst.value)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ApiToken(Base):
    """A machine credential of one client; only the sha256 of the token is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Document(Base):
    """One original received from a channel, and where it is on its way through the pipeline."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("client_id", "sha256", name="uq_documents_client_sha256"),
        Index("ix_documents_client_state", "client_id", "state"),
        Index("ix_documents_state_updated", "state", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    channel: Mapped[str] = mapped_column(String(40))
    sender: Mapped[str | None] = mapped_column(String(320), nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default=DocumentState.received.value)
    state_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    customer_account: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # When the latest claim began: with updated_at of a final state it gives the task's duration.
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class StatementVersion(Base):
    """One version of a document's normalized statement (JSON); corrections add versions."""

    __tablename__ = "statement_versions"
    __table_args__ = (UniqueConstraint("document_id", "version", name="uq_statement_versions_doc_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))


class Ledger(Base):
    """One version of a client's AR ledger for one customer account: the original and its parse."""

    __tablename__ = "ledgers"
    __table_args__ = (
        UniqueConstraint(
            "client_id", "customer_account", "version", name="uq_ledgers_client_account_version"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    customer_account: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), default="")


class ReconciliationVersion(Base):
    """One reconciliation of a statement version against a ledger version (JSON)."""

    __tablename__ = "reconciliation_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "version", name="uq_reconciliation_versions_doc_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    statement_version: Mapped[int] = mapped_column(Integer)
    ledger_id: Mapped[str | None] = mapped_column(ForeignKey("ledgers.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ArreconSession(Session):
    """A session that also records documents for intake (``ingest.intake.DocumentRecords``)."""

    def record_document(self, new: NewDocument) -> tuple[str, bool]:
        """Commit a new ``received`` Document, or find the one with the same client and hash.

        Returns ``(document_id, created)``. A concurrent intake of the same bytes loses the race
        on the unique constraint and gets the winner's id.
        """
        # Insert first: a repeat is rare and the unique constraint tells it apart in one round trip.
        document = Document(
            client_id=new.client_id,
            channel=new.channel,
            sender=new.sender,
            filename=new.filename,
            sha256=new.sha256,
            size=new.size,
            content_type=new.content_type,
            state=DocumentState.received.value,
            warnings=[],
            errors=[],
        )
        self.add(document)
        try:
            with _write_lock(self.get_bind()):
                self.commit()
        except IntegrityError:
            self.rollback()
            existing = self._document_by_hash(new.client_id, new.sha256)
            if existing is None:
                raise
            return existing, False
        return document.id, True

    def _document_by_hash(self, client_id: str, sha256: str) -> str | None:
        return self.scalar(
            select(Document.id).where(Document.client_id == client_id, Document.sha256 == sha256)
        )


# One lock per SQLite engine: SQLite admits one writer at a time, and threads that queue on a
# Python lock wake the moment it is free, where SQLite's busy handler sleeps up to 100 ms per try.
_SQLITE_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def _write_lock(bind: Any) -> Any:
    """The lock that serializes this process's writes to ``bind`` (SQLite); a no-op lock otherwise."""
    engine = getattr(bind, "engine", bind)
    return _SQLITE_WRITE_LOCKS.get(engine) or contextlib.nullcontext()


def normalize_database_url(url: str) -> str:
    """The URL with the driver arrecon uses: psycopg 3 for PostgreSQL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite it creates the folder and turns on WAL and foreign keys."""
    url = normalize_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Kept open rather than reconnecting per request once 5 requests run at once (the default).
        return create_engine(url, pool_pre_ping=True, pool_size=POSTGRES_POOL_SIZE, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # As many pooled connections as the API's threadpool runs requests: no connect per request.
    engine = create_engine(url, connect_args={"timeout": 30}, pool_size=SQLITE_POOL_SIZE, max_overflow=10)
    _SQLITE_WRITE_LOCKS[engine] = threading.Lock()

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets the API read while a worker process writes; the API and worker share the file.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[ArreconSession]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, class_=ArreconSession, expire_on_commit=False)


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema (``alembic upgrade head``)."""
    from alembic import command
    from alembic.config import Config

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
