"""The Celery app for scale-out: any number of ``arrecon worker`` processes on a Redis broker.

The embedded default (empty ``queue_url``) needs no broker at all: its worker polls the documents
table (docs/decisions/0001-embedded-queue.md). With a broker, a message is only a hint to look at a
document: the claim in ``service.tasks`` makes duplicates harmless and the sweep re-sends lost ones,
so publishing never blocks an upload for long and never fails it.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db import Document, DocumentState
from service.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)

QUEUE_NAME = "arrecon"
PROCESS_TASK = "arrecon.process_document"
# A broker that is down must not hold an upload: two quick tries, then the sweep's turn.
# At exit the API waits this long for messages still to send (the sweep covers any it drops).
PUBLISHER_DRAIN_S = 2.0
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.2}


def make_celery(settings: Settings) -> Celery:
    """A Celery app on ``settings.queue_url`` with the process task registered.

    Late acks and reject-on-worker-lost: a message is acknowledged only after its document reached a
    final state, so a worker killed mid-document leaves the message to be delivered again.
    """
    from celery import Celery

    from service.tasks import exception_to_failure, process_document

    app = Celery("arrecon", broker=settings.queue_url, set_as_current=False)
    limit = settings.document_time_limit_s
    app.conf.update(
        task_default_queue=QUEUE_NAME,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # Redis redelivers an unacknowledged message after this long; the sweep is usually first.
        broker_transport_options={"visibility_timeout": max(3 * limit, settings.stuck_after_s * 2)},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )

    # The soft limit lets the task store `failed` itself; the hard one kills a child that ignores it.
    @app.task(name=PROCESS_TASK, soft_time_limit=limit + 5, time_limit=limit + 60)
    def process(document_id: str) -> str | None:
        try:
            state = process_document(document_id)
        except Exception as exc:
            # Only the database can get here (the claim or the final write kept failing): the row
            # stays as it was and the sweep hands it out again.
            log.error("document %s not processed: %s", document_id, exception_to_failure(exc).reason)
            return None
        return state.value if state is not None else None

    return app


@lru_cache(maxsize=4)
def celery_for(queue_url: str) -> Celery:
    """The app of this process for ``queue_url`` (the API sends through it)."""
    from service.settings import Settings

    return make_celery(Settings(queue_url=queue_url))


def send_process(queue_url: str, document_id: str) -> bool:
    """Publish one process message; False (logged) when the broker cannot be reached."""
    try:
        celery_for(queue_url).send_task(
            PROCESS_TASK, args=[document_id], queue=QUEUE_NAME, retry=True, retry_policy=PUBLISH_RETRY_POLICY
        )
    except Exception as exc:  # the broker is down: the row is committed, the sweep sends it later
        log.warning("could not enqueue %s (%s): the sweep will", document_id, exc)
        return False
    return True


class BackgroundPublisher:
    """``enqueue(document_id)`` that returns at once: a daemon thread sends the messages in order.

    For the API: an upload is answered once its row commits, without waiting for the broker (a few ms
    of kombu work per message). A message still unsent when the process dies is only a lost hint: the
    row is committed and the sweep sends it again.
    """

    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url
        self._pending: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def __call__(self, document_id: str) -> None:
        self._pending.put(document_id)
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._send_forever, name="publisher", daemon=True)
                    self._thread.start()
                    atexit.register(self.drain, PUBLISHER_DRAIN_S)

    def _send_forever(self) -> None:
        while True:
            send_process(self.queue_url, self._pending.get())

    def drain(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the messages handed in so far to be sent; True when none is left."""
        deadline = time.monotonic() + timeout_s
        while not self._pending.empty() and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._pending.empty()


def queue_depth(settings: Settings, session: Session) -> int:
    """Documents waiting for a worker: the broker's queue length, or ``received`` rows when embedded."""
    if settings.queue_url.startswith(("redis://", "rediss://")):
        import redis

        client: Any = redis.Redis.from_url(settings.queue_url, socket_timeout=1)
        try:
            return int(client.llen(QUEUE_NAME))
        finally:
            client.close()
    count = session.scalar(
        select(func.count()).select_from(Document).where(Document.state == DocumentState.received.value)
    )
    return int(count or 0)
