"""process_document, the claim, retries, the sweep and the embedded worker, on a real SQLite file.

The pipeline here is a small scripted one so that faults (transient errors, hangs, bad input) can be
injected exactly; the real extraction runs in tests/service/test_workers_live.py.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import func, select, update

from ingest.intake import NewDocument
from models.errors import UnreadableDocumentError
from models.ledger import Ledger as LedgerModel
from models.ledger import LedgerEntry
from models.statement import Customer, Form, NormalizedStatement, Source, StatementLine
from service.db import (
    Client,
    Document,
    DocumentState,
    Ledger,
    ReconciliationVersion,
    StatementVersion,
    migrate,
    utcnow,
)
from service.settings import Settings
from service.store import StoreError
from service.tasks import (
    Outcome,
    TaskContext,
    claim_document,
    finish_document,
    process_document,
    settings_to_context,
)
from service.worker import run_embedded_worker, sweep_stuck_documents


class Matched(BaseModel):
    """What the scripted reconcile returns: the totals it saw."""

    statement_total: Decimal
    ledger_total: Decimal


class ScriptedPipeline:
    """Reads ``account;confidence;amount`` documents; ``fail`` decides, per call, what to raise."""

    def __init__(
        self, fail: Callable[[int], BaseException | None] = lambda call: None, delay: float = 0
    ) -> None:
        self.fail = fail
        self.delay = delay
        self.calls = 0
        self.lock = threading.Lock()
        self.company_names: list[tuple[str, ...]] = []

    def statement_from_bytes(
        self, data: bytes, filename: str, company_names: tuple[str, ...] = ()
    ) -> NormalizedStatement:
        with self.lock:
            self.calls += 1
            call = self.calls
            self.company_names.append(company_names)
        error = self.fail(call)
        if error is not None:
            raise error
        if self.delay:
            time.sleep(self.delay)
        account, confidence, amount = data.decode().strip().split(";")
        return NormalizedStatement(
            source=Source(filename=filename, form=Form.csv, sha256="0" * 64),
            customer=Customer(account=account or None),
            lines=[
                StatementLine(
                    date=dt.date(2026, 9, 1),
                    reference="INV-1",
                    description="Invoice",
                    amount=Decimal(amount),
                    confidence=float(confidence),
                )
            ],
        )

    def reconcile(self, statement: NormalizedStatement, ledger: LedgerModel) -> BaseModel:
        return Matched(
            statement_total=sum((line.amount for line in statement.lines), Decimal(0)),
            ledger_total=sum((entry.amount for entry in ledger.entries), Decimal(0)),
        )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a migrated SQLite file in tmp_path, with fast backoff and a 2 s stuck limit."""
    url = f"sqlite:///{tmp_path / 'arrecon.db'}"
    migrate(url)
    return Settings(
        database_url=url,
        store_dir=tmp_path / "store",
        queue_url="",
        task_retries=2,
        task_backoff_s=0.01,
        stuck_after_s=2,
        document_time_limit_s=1,
    )


@pytest.fixture
def client_id(settings: Settings) -> str:
    """A client row to hang documents on."""
    context = settings_to_context(settings)
    with context.sessions() as session:
        client = Client(name="Acme Receivables")
        session.add(client)
        session.commit()
        return client.id


def make_context(settings: Settings, pipeline: ScriptedPipeline | None = None) -> TaskContext:
    return settings_to_context(settings, pipeline or ScriptedPipeline())


def add_document(context: TaskContext, client_id: str, body: str) -> str:
    sha256 = context.store.put(body.encode())
    with context.sessions() as session:
        document_id, created = session.record_document(
            NewDocument(client_id, "upload", None, "statement.csv", sha256, len(body), "text/csv")
        )
    assert created
    return document_id


def document(context: TaskContext, document_id: str) -> Document:
    with context.sessions() as session:
        row = session.get(Document, document_id)
        assert row is not None
        return row


def versions(
    context: TaskContext, model: type[StatementVersion] | type[ReconciliationVersion], document_id: str
) -> list[int]:
    with context.sessions() as session:
        return list(session.scalars(select(model.version).where(model.document_id == document_id)))


def test_known_customer_without_ledger_is_extracted(settings: Settings, client_id: str) -> None:
    context = make_context(settings)
    document_id = add_document(context, client_id, "C-100;0.99;125.50")

    assert process_document(document_id, context) is DocumentState.extracted

    row = document(context, document_id)
    assert (row.state, row.state_reason, row.attempts, row.customer_account) == (
        "extracted",
        "no ledger for customer account C-100",
        1,
        "C-100",
    )
    assert versions(context, StatementVersion, document_id) == [1]
    with context.sessions() as session:
        stored = session.scalars(select(StatementVersion.json)).one()
    assert NormalizedStatement.model_validate_json(stored).lines[0].amount == Decimal("125.50")


def test_extraction_knows_the_client_s_own_name(settings: Settings, client_id: str) -> None:
    # A statement the client printed and the customer sent back names the client at the top.
    pipeline = ScriptedPipeline()
    document_id = add_document(make_context(settings, pipeline), client_id, "C-100;0.99;125.50")

    process_document(document_id, make_context(settings, pipeline))

    assert pipeline.company_names == [("Acme Receivables",)]


def test_latest_ledger_of_the_customer_is_reconciled(settings: Settings, client_id: str) -> None:
    context = make_context(settings)
    with context.sessions() as session:
        for version, amount in ((1, "1.00"), (2, "125.50")):
            ledger = LedgerModel(
                account="C-100", entries=[LedgerEntry(date=None, reference="INV-1", amount=Decimal(amount))]
            )
            session.add(
                Ledger(
                    client_id=client_id,
                    customer_account="C-100",
                    version=version,
                    sha256="1" * 64,
                    json=ledger.model_dump_json(),
                )
            )
        session.commit()
        latest_id = session.scalar(select(Ledger.id).where(Ledger.version == 2))
    document_id = add_document(context, client_id, "C-100;0.99;125.50")

    assert process_document(document_id, context) is DocumentState.reconciled

    with context.sessions() as session:
        reconciliation = session.scalars(select(ReconciliationVersion)).one()
    assert (reconciliation.document_id, reconciliation.version, reconciliation.statement_version) == (
        document_id,
        1,
        1,
    )
    assert reconciliation.ledger_id == latest_id
    assert Matched.model_validate_json(reconciliation.json) == Matched(
        statement_total=Decimal("125.50"), ledger_total=Decimal("125.50")
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("C-100;0.42;10.00", "1 line(s) read with confidence below 0.8: 1"),
        (";0.99;10.00", "the customer account is unknown"),
    ],
)
def test_doubtful_statement_goes_to_review(
    settings: Settings, client_id: str, body: str, reason: str
) -> None:
    context = make_context(settings)
    document_id = add_document(context, client_id, body)

    assert process_document(document_id, context) is DocumentState.needs_review

    assert document(context, document_id).state_reason == reason
    assert versions(context, StatementVersion, document_id) == [1]


def test_bad_input_fails_at_once_with_its_reason(settings: Settings, client_id: str) -> None:
    pipeline = ScriptedPipeline(fail=lambda call: UnreadableDocumentError("the PDF is truncated"))
    context = make_context(settings, pipeline)
    document_id = add_document(context, client_id, "C-100;0.99;1")

    assert process_document(document_id, context) is DocumentState.failed

    row = document(context, document_id)
    assert (row.state_reason, row.errors, pipeline.calls) == (
        "the PDF is truncated",
        [{"code": "unreadable_document", "message": "the PDF is truncated"}],
        1,
    )
    assert versions(context, StatementVersion, document_id) == []


def test_transient_errors_are_retried_then_succeed(settings: Settings, client_id: str) -> None:
    pipeline = ScriptedPipeline(fail=lambda call: StoreError("disk busy") if call <= 2 else None)
    context = make_context(settings, pipeline)
    document_id = add_document(context, client_id, "C-100;0.99;1")

    assert process_document(document_id, context) is DocumentState.extracted
    assert (pipeline.calls, document(context, document_id).attempts) == (3, 1)


def test_transient_errors_give_up_after_the_retries(settings: Settings, client_id: str) -> None:
    pipeline = ScriptedPipeline(fail=lambda call: StoreError("disk full"))
    context = make_context(settings, pipeline)
    document_id = add_document(context, client_id, "C-100;0.99;1")

    assert process_document(document_id, context) is DocumentState.failed
    assert document(context, document_id).state_reason == "gave up after 3 tries: disk full"
    assert pipeline.calls == 3


def test_a_document_runs_over_its_time_limit(settings: Settings, client_id: str) -> None:
    context = make_context(settings, ScriptedPipeline(delay=5))
    document_id = add_document(context, client_id, "C-100;0.99;1")

    started = time.monotonic()
    assert process_document(document_id, context) is DocumentState.failed
    assert time.monotonic() - started < 3
    assert document(context, document_id).state_reason == "processing took longer than the time limit of 1 s"


def test_a_second_message_for_a_finished_document_does_nothing(settings: Settings, client_id: str) -> None:
    pipeline = ScriptedPipeline()
    context = make_context(settings, pipeline)
    document_id = add_document(context, client_id, "C-100;0.99;1")

    assert process_document(document_id, context) is DocumentState.extracted
    assert process_document(document_id, context) is None
    assert (pipeline.calls, versions(context, StatementVersion, document_id)) == (1, [1])


def test_concurrent_messages_process_a_document_once(settings: Settings, client_id: str) -> None:
    pipeline = ScriptedPipeline(delay=0.2)
    context = make_context(settings, pipeline)
    document_id = add_document(context, client_id, "C-100;0.99;1")
    results: list[DocumentState | None] = []

    def deliver() -> None:
        results.append(process_document(document_id, context))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (results.count(DocumentState.extracted), results.count(None)) == (1, 3)
    assert (pipeline.calls, versions(context, StatementVersion, document_id)) == (1, [1])


def _age(context: TaskContext, document_id: str, seconds: float) -> None:
    with context.sessions() as session:
        session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(updated_at=utcnow() - dt.timedelta(seconds=seconds))
        )
        session.commit()


def test_sweep_puts_back_what_a_dead_worker_held_and_resends_lost_messages(
    settings: Settings, client_id: str
) -> None:
    context = make_context(settings)
    dead = add_document(context, client_id, "C-1;0.99;1")
    alive = add_document(context, client_id, "C-2;0.99;1")
    lost = add_document(context, client_id, "C-3;0.99;1")
    waiting = add_document(context, client_id, "C-4;0.99;1")
    assert claim_document(context, dead) is not None
    assert claim_document(context, alive) is not None
    _age(context, dead, 10)
    _age(context, lost, 10)
    sent: list[str] = []

    assert sorted(sweep_stuck_documents(context, sent.append)) == sorted([dead, lost])

    assert sorted(sent) == sorted([dead, lost])
    states = {key: document(context, key) for key in (dead, alive, lost, waiting)}
    assert {key: row.state for key, row in states.items()} == {
        dead: "received",
        alive: "extracting",
        lost: "received",
        waiting: "received",
    }
    assert states[dead].state_reason == "its worker stopped; processing again"
    # Swept rows were touched: a second sweep right after sends nothing again.
    assert sweep_stuck_documents(context, sent.append) == []


def test_a_worker_whose_claim_was_swept_cannot_store_its_result(settings: Settings, client_id: str) -> None:
    context = make_context(settings)
    document_id = add_document(context, client_id, "C-100;0.99;1")
    stale = claim_document(context, document_id)
    assert stale is not None
    _age(context, document_id, 10)
    sweep_stuck_documents(context, lambda _: None)

    assert process_document(document_id, context) is DocumentState.extracted
    assert finish_document(context, stale, Outcome(DocumentState.failed, "late")) is False

    row = document(context, document_id)
    assert (row.state, row.attempts) == ("extracted", 2)
    assert versions(context, StatementVersion, document_id) == [1]


def test_a_document_whose_workers_keep_dying_fails(settings: Settings, client_id: str) -> None:
    context = make_context(settings)
    document_id = add_document(context, client_id, "C-100;0.99;1")
    with context.sessions() as session:
        session.execute(update(Document).where(Document.id == document_id).values(attempts=3))
        session.commit()

    assert process_document(document_id, context) is DocumentState.failed
    assert document(context, document_id).state_reason == "gave up: the worker processing it was lost 3 times"


def test_embedded_worker_processes_what_arrives(settings: Settings, client_id: str) -> None:
    context = make_context(settings)
    stop = threading.Event()
    worker = threading.Thread(target=run_embedded_worker, args=(settings, stop, ScriptedPipeline()))
    worker.start()
    try:
        ids = [add_document(context, client_id, f"C-{n};0.99;{n}") for n in range(5)]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(document(context, i).state == "received" for i in ids):
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join()
    assert [document(context, i).state for i in ids] == ["extracted"] * 5


def test_demo_seeding_is_idempotent_and_keys_ledgers_by_statement_account(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.commands.serve import DEMO_CLIENT, DEMO_EMAIL, SAMPLE_SUFFIXES, seed_demo

    samples = Path(__file__).resolve().parents[2] / "samples"
    seed_demo(settings, samples)
    seed_demo(settings, samples)

    context = make_context(settings)
    with context.sessions() as session:
        clients = list(session.scalars(select(Client.name)))
        documents = session.scalar(select(func.count()).select_from(Document))
        accounts = dict(session.execute(select(Ledger.filename, Ledger.customer_account)).all())
        ledger_versions = set(session.scalars(select(Ledger.version)))
    statements = [
        path for path in samples.rglob("*")
        if path.suffix.lower() in SAMPLE_SUFFIXES and ".expected" not in path.name
        and path.parent.name != "ledgers"
    ]
    assert clients == [DEMO_CLIENT]
    assert documents == len(statements)
    assert accounts["acme.csv"] == "C10045"
    assert ledger_versions == {1}
    assert f"demo analyst login: {DEMO_EMAIL}" in capsys.readouterr().out
