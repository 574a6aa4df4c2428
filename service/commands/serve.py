"""``arrecon serve`` (the API plus its worker processes) and ``arrecon worker`` (one worker).

With the default settings everything runs on one machine with no other server: a SQLite file,
the document store folder and the embedded worker, which polls the documents table. With
``ARRECON_QUEUE_URL=redis://...`` the same commands run Celery workers instead.
``serve --demo`` first seeds a demo client, a demo analyst login and the samples (``make run``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from models.errors import ArreconError, InputError
from service.settings import Settings, get_settings

log = logging.getLogger(__name__)

DEMO_CLIENT = "Northwind Components Ltd"  # the supplier of every sample statement
DEMO_EMAIL = "analyst@demo.example"
DEMO_PASSWORD = "demo-analyst"
DEMO_TOKEN_NAME = "demo"
SAMPLE_SUFFIXES = frozenset(
    {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".xlsx", ".csv", ".eml", ".txt", ".html", ".htm"}
)
WORKER_STOP_S = 15.0
# Workers are batch work and CPU-bound; the API beside them must answer uploads at once.
WORKER_NICENESS = 10


def register(subparsers: Any) -> None:
    """Add the serve and worker sub-commands."""
    serve = subparsers.add_parser("serve", help="run the API and its worker(s); SQLite, no other server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes to start (0: none)")
    serve.add_argument("--api-processes", type=int, default=1, help="uvicorn processes serving the API")
    serve.add_argument("--demo", action="store_true",
                       help="first seed a demo client, a demo analyst login and the samples")
    serve.add_argument("--samples", type=Path, default=Path("samples"), help="where --demo finds samples")
    serve.set_defaults(func=run_serve)

    worker = subparsers.add_parser(
        "worker", help="process documents: embedded (no queue URL) or a Celery worker on ARRECON_QUEUE_URL"
    )
    worker.add_argument("--concurrency", type=int, default=1, help="Celery worker processes (default 1)")
    worker.add_argument("--hostname", default=None, help="Celery node name (default: celery@<host>)")
    worker.add_argument("--niceness", type=int, default=WORKER_NICENESS,
                        help=f"added to the worker's niceness (default {WORKER_NICENESS}: the API beside it "
                        "keeps its latency)")
    worker.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    worker.set_defaults(func=run_worker)


def _configure_logging(settings: Settings) -> None:
    from service.logs import configure_logging

    configure_logging(settings.log_level, settings.log_json)


def run_worker(args: argparse.Namespace) -> int:
    """Run one worker until SIGTERM / SIGINT (embedded) or Celery's own shutdown."""
    from service.worker import run_celery_worker, run_embedded_worker

    settings = get_settings()
    _configure_logging(settings)
    if args.niceness:
        os.nice(args.niceness)
    if settings.queue_url:
        run_celery_worker(settings, concurrency=args.concurrency, hostname=args.hostname)
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.parent_pid:
        _stop_when_orphaned(args.parent_pid, stop)
    run_embedded_worker(settings, stop)
    return 0


def _stop_when_orphaned(parent_pid: int, stop: threading.Event) -> None:
    """Stop the embedded worker when the serve process that started it is gone (even if SIGKILLed)."""

    def watch() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent_pid:
                log.warning("serve process %d is gone; stopping", parent_pid)
                stop.set()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` ``arrecon worker`` processes with this process's environment."""
    command = [sys.executable, "-m", "service.cli", "worker", f"--parent-pid={os.getpid()}"]
    return [subprocess.Popen(command) for _ in range(count)]


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM the workers (each finishes its document), SIGKILL what is still running after a while."""
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + WORKER_STOP_S
    for worker in workers:
        try:
            worker.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run_serve(args: argparse.Namespace) -> int:
    """Migrate, optionally seed the demo, start the workers, then serve the API until interrupted."""
    import uvicorn

    from service.api import create_app
    from service.db import migrate

    settings = get_settings()
    _configure_logging(settings)
    migrate(settings.database_url)
    if args.demo:
        seed_demo(settings, args.samples)
    log_level = settings.log_level.lower()
    if args.api_processes > 1 and not settings.secret_key.get_secret_value():
        # Every API process must sign session cookies with the same key.
        os.environ["ARRECON_SECRET_KEY"] = secrets.token_urlsafe(32)
    app = create_app(settings) if args.api_processes == 1 else None
    # uvicorn re-raises the SIGTERM it handled once it has shut down; exit through `finally` then,
    # so that the workers are stopped too.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    workers = start_workers(args.workers)
    url = f"http://{args.host}:{args.port}"
    print(f"arrecon is serving on {url}/  (API docs {url}/docs, API {url}/api/v1)", flush=True)
    try:
        if app is not None:
            uvicorn.run(app, host=args.host, port=args.port, log_level=log_level)
        else:
            uvicorn.run("service.commands.serve:app_from_environment", factory=True, host=args.host,
                        port=args.port, workers=args.api_processes, log_level=log_level)
    finally:
        stop_workers(workers)
    return 0


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def app_from_environment() -> Any:
    """The API app for the settings in the environment (each uvicorn process of ``--api-processes``)."""
    from service.api import create_app

    return create_app(get_settings())


def _sample_files(samples: Path) -> list[Path]:
    """The statement and ledger files under ``samples`` (expected outputs and code are not samples)."""
    return sorted(
        path
        for path in samples.rglob("*")
        if path.is_file() and path.suffix.lower() in SAMPLE_SUFFIXES and ".expected" not in path.name
    )


def seed_demo(settings: Settings, samples: Path) -> None:
    """A demo client, analyst login and API token, its ledgers and statements from ``samples``; idempotent."""
    from ingest.intake import intake
    from service.auth import UnknownClientError, create_client, create_token, create_user, find_client
    from service.db import Role, User, make_engine, session_factory
    from service.store import LocalDocumentStore
    from service.tasks import enqueue_for

    sessions = session_factory(make_engine(settings.database_url))
    store = LocalDocumentStore(settings.store_dir)
    enqueue = enqueue_for(settings)
    with sessions() as session:
        try:
            client = find_client(session, DEMO_CLIENT)
        except UnknownClientError:
            client = create_client(session, DEMO_CLIENT)
        if session.query(User).filter(User.email == DEMO_EMAIL).first() is None:
            create_user(session, client, DEMO_EMAIL, DEMO_PASSWORD, Role.analyst, name="Demo Analyst")
        _, token = create_token(session, client, DEMO_TOKEN_NAME)
        ledgers = statements = 0
        for path in _sample_files(samples):
            data = path.read_bytes()
            try:
                if "ledger" in path.name.lower() or "ledgers" in path.parent.name.lower():
                    ledgers += store_sample_ledger(session, store, samples, client.id, path.name, data)
                else:
                    intake(session, store, enqueue, client_id=client.id, channel="demo", sender=None,
                           filename=path.name, data=data)
                    statements += 1
            except InputError as exc:
                print(f"demo: skipped {path}: {exc}", file=sys.stderr)
    print(f"demo client {DEMO_CLIENT!r}: {statements} sample statement(s) and {ledgers} ledger(s) ingested")
    print(f"demo analyst login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
    print(f"demo API token (shown once): {token}")


def _sample_account(samples: Path, customer: str) -> str:
    """The account printed on ``customer``'s sample statement (from its expected JSON), else the name."""
    for expected in sorted(samples.glob(f"{customer}-*.expected.json")):
        if ".reconciliation." in expected.name:
            continue
        account = json.loads(expected.read_text()).get("customer", {}).get("account")
        if account:
            return str(account)
    return customer


def store_sample_ledger(
    session: Any, store: Any, samples: Path, client_id: str, filename: str, data: bytes
) -> int:
    """Store one sample ledger export as the next version of its customer's ledger; 1 if stored, 0 if not."""
    from sqlalchemy import func, select

    from reconcile.ledger import load_ledger
    from service.db import Ledger

    try:
        ledger = load_ledger(data, filename)
    except ArreconError as exc:
        print(f"demo: skipped ledger {filename}: {exc}", file=sys.stderr)
        return 0
    account = ledger.account or _sample_account(samples, Path(filename).stem)
    sha256 = store.put(data)
    exists = session.scalar(
        select(Ledger.id).where(Ledger.client_id == client_id, Ledger.sha256 == sha256)
    )
    if exists is not None:
        return 0
    latest = session.scalar(
        select(func.max(Ledger.version)).where(
            Ledger.client_id == client_id, Ledger.customer_account == account
        )
    )
    session.add(Ledger(client_id=client_id, customer_account=account, version=int(latest or 0) + 1,
                       filename=filename, sha256=sha256, json=ledger.model_dump_json(), created_by="demo"))
    session.commit()
    return 1
