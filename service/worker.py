"""Workers: the embedded one (polls the documents table) and the Celery one, both with the sweep.

The sweep is what makes "nothing is lost" true whatever died: a document left in ``extracting``
by a worker that stopped renewing its claim, or left in ``received`` because its message was lost
(broker restarted, publish failed), is put back and enqueued again. Running it in every worker is
safe: each row is moved by a conditional UPDATE, so two sweeps never both move one document.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import select, update

from service.db import Document, DocumentState, utcnow
from service.settings import Settings
from service.tasks import (
    Pipeline,
    TaskContext,
    enqueue_for,
    process_document,
    settings_to_context,
    tagging_module,
)

log = logging.getLogger(__name__)

EMBEDDED_POLL_S = 0.2
SWEEP_BATCH = 500


def sweep_interval_s(settings: Settings) -> float:
    """How often a worker sweeps: often enough that a stuck document waits at most ~1.5x stuck_after_s."""
    return max(1.0, settings.stuck_after_s / 2)


def sweep_stuck_documents(
    context: TaskContext, enqueue: Callable[[str], None], now: dt.datetime | None = None
) -> list[str]:
    """Put back documents whose worker died or whose message was lost, enqueue them; returns their ids.

    ``extracting`` rows not renewed for ``stuck_after_s`` go back to ``received`` (the dead worker's
    claim is void: its attempt number no longer matches); ``received`` rows that old are sent again.
    """
    cutoff = (now or utcnow()) - dt.timedelta(seconds=context.settings.stuck_after_s)
    swept: list[str] = []
    with context.sessions() as session:
        candidates = session.execute(
            select(Document.id, Document.state)
            .where(
                Document.state.in_([DocumentState.received.value, DocumentState.extracting.value]),
                Document.updated_at < cutoff,
            )
            .order_by(Document.updated_at)
            .limit(SWEEP_BATCH)
        ).all()
        for document_id, state in candidates:
            lost = state == DocumentState.extracting.value
            reason = "its worker stopped; processing again" if lost else None
            # Touching updated_at also spaces out re-sends of a row that is only waiting in a long queue.
            result = session.execute(
                update(Document)
                .where(Document.id == document_id, Document.state == state, Document.updated_at < cutoff)
                .values(state=DocumentState.received.value, state_reason=reason, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                swept.append(document_id)
        session.commit()
    for document_id in swept:
        enqueue(document_id)
    if swept:
        log.info("sweep: %d document(s) enqueued again", len(swept))
    return swept


def preload_pipeline() -> None:
    """Import extraction and reconciliation and load the tagging model now, not on the first document.

    Before Celery's fork, so that its children share them; the model alone takes seconds to load.
    """
    import extract
    import reconcile

    del extract, reconcile
    tagging = tagging_module()
    if tagging is not None:
        tagging.load_tagger()
    # What is loaded now lives as long as the process: out of the cyclic collector's sight, a full
    # collection no longer rescans it (~40 ms with the tagger's ~120k objects, now ~0) and forked
    # children do not write to (copy) its pages.
    gc.freeze()


def next_received(context: TaskContext) -> str | None:
    """The oldest document waiting in ``received``, or None."""
    with context.sessions() as session:
        return session.scalar(
            select(Document.id)
            .where(Document.state == DocumentState.received.value)
            .order_by(Document.received_at)
            .limit(1)
        )


def run_embedded_worker(
    settings: Settings, stop: threading.Event | None = None, pipeline: Pipeline | None = None
) -> None:
    """Process ``received`` documents one at a time until ``stop`` is set, sweeping now and then."""
    context = settings_to_context(settings, pipeline)
    stop = stop or threading.Event()
    if pipeline is None:
        preload_pipeline()
    enqueue = enqueue_for(settings)
    interval = sweep_interval_s(settings)
    next_sweep = 0.0
    log.info("embedded worker started on %s", settings.database_url)
    while not stop.is_set():
        try:
            if time.monotonic() >= next_sweep:
                sweep_stuck_documents(context, enqueue)
                next_sweep = time.monotonic() + interval
            document_id = next_received(context)
            if document_id is None:
                stop.wait(EMBEDDED_POLL_S)
                continue
            process_document(document_id, context)
        except Exception as exc:  # the database is restarting, say: wait and carry on
            log.warning("embedded worker: %s; retrying in 1 s", exc)
            stop.wait(1.0)


def start_sweeper(settings: Settings, stop: threading.Event) -> threading.Thread:
    """A daemon thread that sweeps every ``sweep_interval_s`` until ``stop`` is set (Celery workers)."""
    context = settings_to_context(settings)
    enqueue = enqueue_for(settings)

    def sweep_forever() -> None:
        while not stop.wait(sweep_interval_s(settings)):
            try:
                sweep_stuck_documents(context, enqueue)
            except Exception as exc:
                log.warning("sweep failed: %s", exc)

    thread = threading.Thread(target=sweep_forever, name="sweeper", daemon=True)
    thread.start()
    return thread


def run_celery_worker(settings: Settings, concurrency: int = 1, hostname: str | None = None) -> None:
    """Run a Celery worker on ``settings.queue_url`` (blocks); it sweeps in a thread of its main process."""
    from celery import signals

    from service.queue import QUEUE_NAME, make_celery
    from service.tasks import process_context

    app = make_celery(settings)
    stop = threading.Event()
    preload_pipeline()

    @signals.worker_process_init.connect(weak=False)
    def fresh_connections(**_: object) -> None:
        # A forked child must not share the parent's database connections.
        process_context.cache_clear()

    @signals.worker_ready.connect(weak=False)
    def start_sweeping(**_: object) -> None:
        start_sweeper(settings, stop)

    argv = [
        "worker",
        f"--queues={QUEUE_NAME}",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
        f"--loglevel={settings.log_level.upper()}",
    ]
    if hostname:
        argv.append(f"--hostname={hostname}")
    try:
        app.worker_main(argv)
    finally:
        stop.set()
