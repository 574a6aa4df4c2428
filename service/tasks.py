"""Processing one document: extract, decide review or reconcile, store the versions and the state.

``process_document`` is the one task: the embedded worker and Celery both call it. However many
messages name a document, one worker processes it: it is claimed with a conditional UPDATE
(``received -> extracting``, ``attempts + 1``) and ``attempts`` is the fencing token that every later
write checks, so a worker that lost its claim (declared dead by the sweep) can never write a result.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import sessionmaker

from models.errors import ArreconError, ResourceLimitError
from models.ledger import Ledger as LedgerModel
from models.statement import NormalizedStatement
from service.db import (
    ArreconSession,
    Client,
    Document,
    DocumentState,
    Ledger,
    ReconciliationVersion,
    StatementVersion,
    make_engine,
    session_factory,
    utcnow,
)
from service.settings import Settings, get_settings
from service.store import DocumentStore, LocalDocumentStore

log = logging.getLogger(__name__)

WORKER_NAME = "worker"


class Pipeline(Protocol):
    """The libraries a task runs: extraction and reconciliation."""

    def statement_from_bytes(
        self, data: bytes, filename: str, company_names: tuple[str, ...] = ()
    ) -> NormalizedStatement:
        """The normalized statement of one original; ``company_names`` are our client's own names."""
        ...

    def reconcile(self, statement: NormalizedStatement, ledger: LedgerModel) -> BaseModel:
        """The reconciliation of ``statement`` against ``ledger``."""
        ...


class LibraryPipeline:
    """``extract`` and ``reconcile`` as they are installed, imported on first use (spaCy is heavy)."""

    def statement_from_bytes(
        self, data: bytes, filename: str, company_names: tuple[str, ...] = ()
    ) -> NormalizedStatement:
        """``extract.statement_from_bytes`` with default options and the client's own names."""
        import extract

        return extract.statement_from_bytes(
            data, filename, extract.ExtractOptions(company_names=company_names)
        )

    def reconcile(self, statement: NormalizedStatement, ledger: LedgerModel) -> BaseModel:
        """``reconcile.reconcile`` on the ledger tagged by ``extract.tagging`` (when installed)."""
        import reconcile

        tagging = tagging_module()
        if tagging is not None:
            ledger = tagging.tag_ledger(ledger)
        result: BaseModel = reconcile.reconcile(statement, ledger)
        return result


@dataclass(frozen=True)
class TaskContext:
    """What a task needs from the outside: settings, sessions, the document store and the libraries."""

    settings: Settings
    sessions: sessionmaker[ArreconSession]
    store: DocumentStore
    pipeline: Pipeline = field(default_factory=LibraryPipeline)


def settings_to_context(settings: Settings, pipeline: Pipeline | None = None) -> TaskContext:
    """A fresh context (its own engine) for ``settings``."""
    return TaskContext(
        settings=settings,
        sessions=session_factory(make_engine(settings.database_url)),
        store=LocalDocumentStore(settings.store_dir),
        pipeline=pipeline or LibraryPipeline(),
    )


@lru_cache(maxsize=1)
def process_context() -> TaskContext:
    """The context of this process, built once from the environment (workers, Celery children)."""
    return settings_to_context(get_settings())


@dataclass(frozen=True)
class ClaimedDocument:
    """What the worker knows about the document it claimed; ``token`` is its attempt number."""

    id: str
    client_id: str
    filename: str
    sha256: str
    customer_account: str | None
    token: int


@dataclass(frozen=True)
class Outcome:
    """The final state of one processing run and everything stored with it."""

    state: DocumentState
    reason: str | None = None
    statement: NormalizedStatement | None = None
    customer_account: str | None = None
    reconciliation_json: str | None = None
    ledger_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Failure:
    """An exception judged: can a retry help, and what a person reads."""

    retryable: bool
    reason: str
    code: str


def exception_to_failure(exc: BaseException) -> Failure:
    """Judge ``exc``: arrecon's errors say whether a retry helps; a lost database or disk may come back."""
    if isinstance(exc, ArreconError):
        return Failure(exc.retryable, str(exc), exc.code)
    if isinstance(exc, OperationalError | DisconnectionError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return Failure(True, f"the database was unavailable ({type(exc).__name__})", "database")
    if isinstance(exc, OSError):
        return Failure(True, f"input/output error: {exc}", "io")
    if type(exc).__name__ in ("SoftTimeLimitExceeded", "TimeLimitExceeded"):
        return Failure(False, "processing took longer than the time limit", ResourceLimitError.code)
    if isinstance(exc, MemoryError):
        return Failure(False, "processing ran out of memory", ResourceLimitError.code)
    return Failure(False, f"internal error ({type(exc).__name__}): {exc}", "internal")


def statement_to_review_reasons(
    statement: NormalizedStatement, customer_account: str | None, below_confidence: float
) -> list[str]:
    """Why a person must look at ``statement`` before it is reconciled; empty when nobody must."""
    reasons = []
    if not statement.lines:
        reasons.append("no statement lines were found")
    doubtful = [index + 1 for index, line in enumerate(statement.lines) if line.confidence < below_confidence]
    if doubtful:
        shown = ", ".join(str(number) for number in doubtful[:10]) + (", ..." if len(doubtful) > 10 else "")
        reasons.append(f"{len(doubtful)} line(s) read with confidence below {below_confidence:g}: {shown}")
    balance_warnings = [warning for warning in statement.warnings if "balance" in warning.lower()]
    if balance_warnings:
        reasons.append("balance check failed: " + "; ".join(balance_warnings[:3]))
    if not customer_account:
        reasons.append("the customer account is unknown")
    return reasons


def claim_document(context: TaskContext, document_id: str) -> ClaimedDocument | None:
    """Move ``document_id`` from received to extracting for this worker; None when it is not received."""
    with context.sessions() as session:
        result = session.execute(
            update(Document)
            .where(Document.id == document_id, Document.state == DocumentState.received.value)
            .values(
                state=DocumentState.extracting.value,
                state_reason=None,
                attempts=Document.attempts + 1,
                updated_at=utcnow(),
                started_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return None
        row = session.execute(
            select(
                Document.client_id,
                Document.filename,
                Document.sha256,
                Document.customer_account,
                Document.attempts,
            ).where(Document.id == document_id)
        ).one()
        session.commit()
    return ClaimedDocument(
        document_id, row.client_id, row.filename, row.sha256, row.customer_account, row.attempts
    )


def _owned(document: ClaimedDocument) -> Any:
    """The WHERE clause that says this worker still holds ``document``."""
    return (
        (Document.id == document.id)
        & (Document.state == DocumentState.extracting.value)
        & (Document.attempts == document.token)
    )


def renew_claim(context: TaskContext, document: ClaimedDocument) -> bool:
    """Tell the sweep this worker is alive and still on ``document``; False when the claim was lost."""
    with context.sessions() as session:
        result = session.execute(
            update(Document)
            .where(_owned(document))
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


@contextlib.contextmanager
def claim_heartbeat(context: TaskContext, document: ClaimedDocument) -> Iterator[None]:
    """Renew the claim on ``document`` in the background while the body runs."""
    stop = threading.Event()
    interval = max(0.5, context.settings.stuck_after_s / 4)

    def beat() -> None:
        while not stop.wait(interval):
            try:
                renew_claim(context, document)
            except Exception as exc:  # the database may be restarting: keep beating
                log.warning("could not renew claim on %s: %s", document.id, exc)

    thread = threading.Thread(target=beat, name=f"heartbeat-{document.id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``ResourceLimitError`` in the body after ``seconds`` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ResourceLimitError(f"processing took longer than the time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    outer_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:  # an outer alarm (e.g. a test timeout) keeps running where it was
            signal.setitimer(signal.ITIMER_REAL, max(0.001, outer_delay - (time.monotonic() - started)))


def tagging_module() -> Any | None:
    """``extract.tagging`` when the tagger is installed, else None."""
    if importlib.util.find_spec("extract.tagging") is None:
        return None
    return importlib.import_module("extract.tagging")


def document_to_outcome(context: TaskContext, document: ClaimedDocument) -> Outcome:
    """Extract ``document`` and reconcile it with the latest ledger of its customer when it may be."""
    data = context.store.get(document.sha256)
    # A statement we printed and the customer sent back names our client at the top, not the customer.
    with context.sessions() as session:
        client_name = session.scalar(select(Client.name).where(Client.id == document.client_id))
    with time_limit(context.settings.document_time_limit_s):
        statement = context.pipeline.statement_from_bytes(
            data, document.filename, (client_name,) if client_name else ()
        )
    account = document.customer_account or statement.customer.account
    reasons = statement_to_review_reasons(statement, account, context.settings.review_below_confidence)
    if reasons:
        return Outcome(DocumentState.needs_review, "; ".join(reasons), statement, account)
    with context.sessions() as session:
        ledger_row = session.execute(
            select(Ledger.id, Ledger.json)
            .where(Ledger.client_id == document.client_id, Ledger.customer_account == account)
            .order_by(Ledger.version.desc())
            .limit(1)
        ).one_or_none()
    if ledger_row is None:
        reason = f"no ledger for customer account {account}"
        return Outcome(DocumentState.extracted, reason, statement, account)
    ledger = LedgerModel.model_validate_json(ledger_row.json)
    with time_limit(context.settings.document_time_limit_s):
        reconciliation = context.pipeline.reconcile(statement, ledger)
    return Outcome(
        DocumentState.reconciled,
        None,
        statement,
        account,
        reconciliation_json=reconciliation.model_dump_json(),
        ledger_id=ledger_row.id,
    )


def _next_version(
    session: ArreconSession, model: type[StatementVersion] | type[ReconciliationVersion], document_id: str
) -> int:
    latest = session.scalar(select(func.max(model.version)).where(model.document_id == document_id))
    return int(latest or 0) + 1


def finish_document(context: TaskContext, document: ClaimedDocument, outcome: Outcome) -> bool:
    """Store ``outcome`` in one transaction if this worker still holds the claim; False when it does not."""
    with context.sessions() as session:
        values: dict[str, Any] = {
            "state": outcome.state.value,
            "state_reason": outcome.reason,
            "errors": outcome.errors,
            "updated_at": utcnow(),
        }
        if outcome.statement is not None:
            values["warnings"] = list(outcome.statement.warnings)
        if outcome.customer_account is not None:
            values["customer_account"] = outcome.customer_account[:100]
        result = session.execute(
            update(Document).where(_owned(document)).values(**values).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return False
        if outcome.statement is not None:
            statement_version = _next_version(session, StatementVersion, document.id)
            session.add(
                StatementVersion(
                    document_id=document.id,
                    version=statement_version,
                    json=outcome.statement.model_dump_json(),
                    created_by=WORKER_NAME,
                )
            )
            if outcome.reconciliation_json is not None:
                session.add(
                    ReconciliationVersion(
                        document_id=document.id,
                        statement_version=statement_version,
                        ledger_id=outcome.ledger_id,
                        version=_next_version(session, ReconciliationVersion, document.id),
                        json=outcome.reconciliation_json,
                    )
                )
        session.commit()
    return True


def _retrying(context: TaskContext, what: str, action: Callable[[], Any]) -> Any:
    """Run ``action``, retrying transient failures with exponential backoff; re-raise the last one."""
    retries = context.settings.task_retries
    for attempt in range(retries + 1):
        try:
            return action()
        except Exception as exc:
            failure = exception_to_failure(exc)
            if not failure.retryable or attempt == retries:
                raise
            delay = context.settings.task_backoff_s * 2**attempt
            log.warning(
                "%s failed (%s), retry %d/%d in %.1f s", what, failure.reason, attempt + 1, retries, delay
            )
            time.sleep(delay)
    raise AssertionError("unreachable")


def exception_to_outcome(settings: Settings, document_id: str, exc: Exception) -> Outcome:
    """The ``failed`` outcome for an error that retrying did not (or cannot) cure."""
    failure = exception_to_failure(exc)
    # A traceback only helps for our own bugs; a bad document is explained by its reason.
    log.warning("document %s failed: %s", document_id, failure.reason, exc_info=failure.code == "internal")
    reason = failure.reason
    if failure.retryable:
        reason = f"gave up after {settings.task_retries + 1} tries: {reason}"
    return Outcome(DocumentState.failed, reason, errors=[{"code": failure.code, "message": reason}])


def process_document(document_id: str, context: TaskContext | None = None) -> DocumentState | None:
    """Take ``document_id`` from received to a final state and return it; None when it was not ours to take.

    Transient failures (database, disk, retryable arrecon errors) are retried ``task_retries`` times
    with exponential backoff; then, or at once for bad input, the document is ``failed`` with a reason.
    """
    context = context or process_context()
    document = _retrying(context, f"claiming {document_id}", lambda: claim_document(context, document_id))
    if document is None:
        return None
    max_claims = context.settings.task_retries + 1
    with claim_heartbeat(context, document):
        if document.token > max_claims:
            # Every earlier worker on it died or was killed (crash, out of memory, hard time limit).
            outcome = Outcome(
                DocumentState.failed,
                f"gave up: the worker processing it was lost {document.token - 1} times",
                errors=[{"code": "worker_lost", "message": "the worker processing it was lost repeatedly"}],
            )
        else:
            try:
                outcome = _retrying(
                    context, f"processing {document_id}", lambda: document_to_outcome(context, document)
                )
            except Exception as exc:
                outcome = exception_to_outcome(context.settings, document_id, exc)
        stored = _retrying(
            context, f"storing {document_id}", lambda: finish_document(context, document, outcome)
        )
    if not stored:
        log.warning("document %s: claim %d was taken over; result dropped", document_id, document.token)
        return None
    log.info("document %s -> %s", document_id, outcome.state.value, extra={"document_id": document_id})
    return outcome.state


def enqueue_for(settings: Settings, *, background: bool = False) -> Callable[[str], None]:
    """The ``enqueue(document_id)`` that intake gets: a Celery message, or nothing for the embedded worker.

    The embedded worker polls the documents table (``received`` rows are its queue). A message that
    cannot be sent is logged, not raised: the row is committed and the sweep enqueues it again.
    ``background``: messages are sent by a thread and ``enqueue`` returns at once (the API).
    """
    if not settings.queue_url:
        return _enqueue_embedded
    from service.queue import BackgroundPublisher, send_process

    if background:
        return BackgroundPublisher(settings.queue_url)

    def enqueue(document_id: str) -> None:
        send_process(settings.queue_url, document_id)

    return enqueue


def _enqueue_embedded(document_id: str) -> None:
    """Nothing to send: the embedded worker finds ``received`` rows by itself."""


def enqueue(document_id: str) -> None:
    """Enqueue ``document_id`` with the settings of this process."""
    enqueue_for(get_settings())(document_id)

