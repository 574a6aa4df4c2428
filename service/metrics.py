"""Prometheus metrics: documents by state, task and pipeline durations, queue depth, request latency.

Figures that live in the database (states, durations of finished documents) are read at scrape
time, so they are right whichever worker process or machine did the work. ``REQUEST_SECONDS`` is
an in-process histogram of the process that serves ``/metrics``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db import FINAL_STATES, Document, DocumentState

log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "arrecon_http_request_seconds", "Seconds the API took to answer", ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RECENT_FINISHED = 1000
QUANTILES = (0.5, 0.9, 0.99)


class DatabaseCollector(Collector):
    """Reads the documents table at scrape time; every client together, no client names."""

    def __init__(self, sessions: Callable[[], Session], queue_depth: Callable[[Session], int] | None) -> None:
        self._sessions = sessions
        self._queue_depth = queue_depth

    def collect(self) -> Iterator[Metric]:
        with self._sessions() as session:
            rows = session.execute(select(Document.state, func.count()).group_by(Document.state)).all()
            counts = {state: count for state, count in rows}
            by_state = GaugeMetricFamily("arrecon_documents", "Documents by state", labels=["state"])
            for state in DocumentState:
                by_state.add_metric([state.value], counts.get(state.value, 0))
            yield by_state

            finished = session.execute(
                select(Document.received_at, Document.started_at, Document.updated_at)
                .where(Document.state.in_([s.value for s in FINAL_STATES]))
                .order_by(Document.updated_at.desc())
                .limit(RECENT_FINISHED)
            ).all()
            yield _quantiles(
                "arrecon_task_seconds",
                f"Last claim to final state (the worker's time), over the last {RECENT_FINISHED} finished",
                [(done - started).total_seconds() for _received, started, done in finished if started],
            )
            yield _quantiles(
                "arrecon_document_pipeline_seconds",
                f"Received to final state (queue wait included), over the last {RECENT_FINISHED} finished",
                [(done - received).total_seconds() for received, _started, done in finished],
            )

            if self._queue_depth is not None:
                try:
                    depth = float(self._queue_depth(session))
                except Exception as exc:  # a broker that is down must not break the scrape
                    log.warning("queue depth unavailable: %s", exc)
                    depth = float("nan")
                yield GaugeMetricFamily("arrecon_queue_depth", "Documents waiting for a worker", value=depth)


def _quantiles(name: str, documentation: str, seconds: list[float]) -> GaugeMetricFamily:
    """Quantiles of ``seconds`` as a gauge with a ``quantile`` label (NaN while there are none)."""
    values = sorted(max(0.0, s) for s in seconds)
    family = GaugeMetricFamily(name, documentation, labels=["quantile"])
    for q in QUANTILES:
        value = values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")
        family.add_metric([str(q)], value)
    return family


def metrics_registry(
    sessions: Callable[[], Session], queue_depth: Callable[[Session], int] | None
) -> CollectorRegistry:
    """A registry of this app's database figures (one per app, so several apps can live in one process)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(sessions, queue_depth))
    return registry


def metrics_to_text(registry: CollectorRegistry) -> bytes:
    """The Prometheus text exposition of ``registry`` and of this process (histograms, runtime)."""
    return generate_latest(registry) + generate_latest(REGISTRY)
