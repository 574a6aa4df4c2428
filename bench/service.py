"""Throughput and upload latency of the service, printed (never asserted).

    python bench/service.py pipeline [--rounds 4]      documents/minute, 1 and 2 workers
    python bench/service.py upload [--clients 20]      POST /documents latency while workers are busy
    python bench/service.py queues                     the embedded-queue candidates (ADR 0001)
    python bench/service.py all

``pipeline`` pushes the sample statements (samples/*.pdf|xlsx|csv, once per client round so that
dedupe does not skip them) through intake -> queue -> worker -> extraction -> reconciliation, for
the scale-out stack (PostgreSQL + Redis + ``arrecon worker`` processes) and the embedded one
(SQLite + the embedded worker). ``upload`` serves the real API with uvicorn and has 20 concurrent
clients upload small statements while a backlog keeps the workers busy. PostgreSQL comes from
``ARRECON_TEST_DATABASE_URL`` or scripts/services.sh; Redis is a throwaway redis-server.
Figures are wall-clock on this machine: on a shared machine they are pessimistic.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from ingest.intake import intake  # noqa: E402
from service.auth import create_token  # noqa: E402
from service.commands.serve import store_sample_ledger  # noqa: E402
from service.db import FINAL_STATES, Client, Document, make_engine, migrate, session_factory  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.store import LocalDocumentStore  # noqa: E402
from service.tasks import enqueue_for  # noqa: E402

FINAL = {state.value for state in FINAL_STATES}
SAMPLE_SUFFIXES = (".pdf", ".xlsx", ".csv")
WAIT_S = 900
API_PROCESSES = 1
# The processes of the measurement under way: a wait gives up at once when one of them died.
WATCHED: list[subprocess.Popen[bytes]] = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@contextlib.contextmanager
def postgres_server_url() -> Iterator[str]:
    """The test PostgreSQL server: ARRECON_TEST_DATABASE_URL, or what scripts/services.sh starts."""
    url = os.environ.get("ARRECON_TEST_DATABASE_URL")
    if url:
        yield url
        return
    out = subprocess.run(["bash", str(REPO / "scripts/services.sh")], check=True, capture_output=True,
                         text=True).stdout
    exports = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines()
                   if line.startswith("export "))
    cleanup = next(line for line in out.splitlines() if line.startswith("trap "))
    try:
        yield exports["ARRECON_TEST_DATABASE_URL"].strip("'")
    finally:
        subprocess.run(["bash", "-c", cleanup.removeprefix("trap '").removesuffix("' EXIT")], check=False)


@contextlib.contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new migrated database on that server, dropped afterwards."""
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"arrecon_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(database)
        yield database
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """A throwaway redis-server without persistence on a free port."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(directory)],
                               stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


def settings_env(settings: Settings) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ARRECON_")}
    env.update(ARRECON_DATABASE_URL=settings.database_url, ARRECON_QUEUE_URL=settings.queue_url,
               ARRECON_STORE_DIR=str(settings.store_dir), ARRECON_LOG_LEVEL="WARNING",
               ARRECON_LOG_JSON="false")
    return env


@contextlib.contextmanager
def processes(
    commands: list[list[str]], settings: Settings, logs: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Run ``commands`` with the settings' environment, each in its own process group; kill them after."""
    started = []
    try:
        for number, command in enumerate(commands, start=1):
            log = (logs / f"process-{number}.log").open("wb")
            started.append(subprocess.Popen(command, env=settings_env(settings), cwd=logs, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True))
        WATCHED[:] = started
        yield started
    finally:
        WATCHED.clear()
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def worker_commands(count: int) -> list[list[str]]:
    return [[sys.executable, "-m", "service.cli", "worker", "--concurrency=1", f"--hostname=bench{n}@%h"]
            for n in range(count)]


def states(settings: Settings) -> dict[str, int]:
    sessions = session_factory(make_engine(settings.database_url))
    with sessions() as session:
        rows = session.execute(select(Document.state, func.count()).group_by(Document.state)).all()
    return {state: count for state, count in rows}


def wait_until(
    settings: Settings, done: Callable[[dict[str, int]], bool], timeout: float = WAIT_S
) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = states(settings)
        if done(now):
            return now
        dead = [process.args for process in WATCHED if process.poll() is not None]
        if dead:
            raise RuntimeError(f"a process exited early (see its log): {dead[0]}")
        time.sleep(0.05)
    raise TimeoutError(f"timed out: {states(settings)}")


def finished(counts: dict[str, int]) -> int:
    return sum(count for state, count in counts.items() if state in FINAL)


def sample_ledgers() -> list[Path]:
    return sorted((REPO / "samples" / "ledgers").glob("*.*"))


def sample_documents() -> list[Path]:
    found = sorted(path for path in (REPO / "samples").iterdir() if path.suffix in SAMPLE_SUFFIXES)
    if not found:
        sys.exit("bench/service.py: no sample statements in samples/")
    return found


def submit(settings: Settings, files: list[tuple[str, bytes]], client_name: str) -> float:
    """Intake ``files`` for a new client (as the upload API does); returns when the last one was in."""
    sessions = session_factory(make_engine(settings.database_url))
    store = LocalDocumentStore(settings.store_dir)
    enqueue = enqueue_for(settings)
    with sessions() as session:
        client = Client(name=client_name)
        session.add(client)
        session.commit()
        # Each client gets the sample ledgers, so that statements go all the way to reconciled.
        for ledger in sample_ledgers():
            store_sample_ledger(session, store, REPO / "samples", client.id, ledger.name, ledger.read_bytes())
        for filename, data in files:
            intake(session, store, enqueue, client_id=client.id, channel="bench", sender=None,
                   filename=filename, data=data)
    return time.monotonic()


def measure_pipeline(
    settings: Settings, workers: int, rounds: int, workdir: Path
) -> tuple[float, dict[str, int]]:
    """Documents per minute from the first intake to the last final state, after a warm-up."""
    samples = [(path.name, path.read_bytes()) for path in sample_documents()]
    with processes(worker_commands(workers), settings, workdir):
        # Warm-up: each worker imports the extraction stack on its first document.
        submit(settings, samples[: 2 * workers], "warm-up")
        wait_until(settings, lambda counts: counts.get("received", 0) + counts.get("extracting", 0) == 0)
        before = finished(states(settings))
        started = time.monotonic()
        for number in range(rounds):
            submit(settings, samples, f"round {number}")
        total = rounds * len(samples)
        counts = wait_until(settings, lambda counts: finished(counts) - before >= total)
        elapsed = time.monotonic() - started
    return total / elapsed * 60, counts


def run_pipeline(args: argparse.Namespace) -> None:
    print(f"# pipeline: {len(sample_documents())} sample statements x {args.rounds} rounds, after a warm-up")
    print(f"{'stack':<40} {'workers':>7} {'docs/min':>9}  final states")
    with tempfile.TemporaryDirectory(prefix="arrecon-bench-") as scratch:
        root = Path(scratch)
        with postgres_server_url() as server:
            for workers in (1, 2):
                workdir = root / f"scale-out-{workers}"
                workdir.mkdir()
                with fresh_postgres(server) as database, redis_server(workdir) as redis_url:
                    settings = Settings(
                        database_url=database, queue_url=redis_url, store_dir=workdir / "store"
                    )
                    rate, counts = measure_pipeline(settings, workers, args.rounds, workdir)
                print(f"{'PostgreSQL + Redis + arrecon worker':<40} {workers:>7} {rate:>9.1f}  {counts}")
        for workers in (1, 2):
            workdir = root / f"embedded-{workers}"
            workdir.mkdir()
            database = f"sqlite:///{workdir / 'arrecon.db'}"
            migrate(database)
            settings = Settings(database_url=database, queue_url="", store_dir=workdir / "store")
            rate, counts = measure_pipeline(settings, workers, args.rounds, workdir)
            print(f"{'SQLite + embedded worker':<40} {workers:>7} {rate:>9.1f}  {counts}")


def small_statement(client: int, number: int) -> bytes:
    rows = ["Statement of account", f"Account: B-{client:02d}", "Date,Reference,Description,Amount,Balance"]
    rows += [f"2026-09-{line + 1:02d},INV-{client}-{number}-{line},Invoice,100.00,{(line + 1) * 100}.00"
             for line in range(20)]
    return "\n".join(rows).encode()


# --- the load generator ----------------------------------------------------------------------------
# It runs in its own process on asyncio with hand-built HTTP/1.1 requests over keep-alive connections:
# ~0.1 ms of CPU per request. 20 httpx clients on threads in the bench process cost ~10 ms of CPU per
# request (more than the server's own work) and their GIL queueing showed up as server latency.


def upload_request(token: str, client: int, number: int, run: str) -> bytes:
    """One ``POST /api/v1/documents`` with a small CSV statement, as raw HTTP/1.1."""
    boundary = secrets.token_hex(12)
    data = small_statement(client, number).replace(b"INV-", f"INV-{run}-".encode())
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s-{client}-{number}.csv"'
            f"\r\nContent-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST /api/v1/documents HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def send_clients(port: int, token: str, clients: int, requests: int, pace_s: float,
                       path: str) -> tuple[list[float], list[str], float]:
    """``clients`` connections sending ``requests`` requests each, in turn: latencies (s), errors, wall s.

    ``pace_s`` > 0: each client waits 0.5-1.5 x ``pace_s`` (random) between requests, like a portal or ERP
    that sends when it has something; 0: back to back (saturation).
    """
    import asyncio
    import random

    latencies: list[float] = []
    errors: list[str] = []
    run = secrets.token_hex(3)

    async def one_client(client: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            await asyncio.sleep(random.uniform(0, pace_s))  # clients do not start in lockstep
            for number in range(requests):
                if path == "upload":
                    request = upload_request(token, client, number, run)
                else:
                    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                status = int(head.split(b" ", 2)[1])
                if status not in (200, 202):
                    errors.append(f"{status} {body[:200]!r}")
                if pace_s:
                    await asyncio.sleep(random.uniform(0.5 * pace_s, 1.5 * pace_s))
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_client(client) for client in range(clients)))
    return latencies, errors, time.perf_counter() - started


def load_client_main(argv: list[str]) -> None:
    """``_load-client PORT TOKEN CLIENTS REQUESTS PACE PATH``: prints latencies, errors, wall time (JSON)."""
    import asyncio
    import json

    port, token, clients, requests, pace, path = argv
    latencies, errors, wall = asyncio.run(send_clients(int(port), token, int(clients), int(requests),
                                                       float(pace), path))
    print(json.dumps({"latencies": latencies, "errors": errors, "wall": wall}))


@dataclass(frozen=True)
class LoadResult:
    """What one load run saw: latencies (s), refused requests and requests per second."""

    latencies: list[float]
    errors: list[str]
    rate: float


def run_load(port: int, token: str, clients: int, requests: int, pace_s: float, path: str) -> LoadResult:
    import json

    out = subprocess.run([sys.executable, __file__, "_load-client", str(port), token, str(clients),
                          str(requests), str(pace_s), path], check=True, capture_output=True, text=True)
    found = json.loads(out.stdout)
    return LoadResult(found["latencies"], found["errors"], len(found["latencies"]) / found["wall"])


def measure_uploads(settings: Settings, args: argparse.Namespace, workdir: Path, embedded: bool,
                    workers: int) -> list[tuple[str, LoadResult, dict[str, int]]]:
    """Upload latencies while ``backlog`` documents keep the workers busy: paced, flood, and /healthz."""
    sessions = session_factory(make_engine(settings.database_url))
    with sessions() as session:
        client_row = Client(name="uploads")
        session.add(client_row)
        session.commit()
        _, token = create_token(session, client_row, "bench")
    port = free_port()
    serve = [sys.executable, "-m", "service.cli", "serve", "--port", str(port),
             "--workers", str(workers if embedded else 0), f"--api-processes={API_PROCESSES}"]
    commands = [serve] + ([] if embedded else worker_commands(workers))
    samples = [(path.name, path.read_bytes()) for path in sample_documents()]
    backlog = args.backlog if workers else 0
    results = []
    with processes(commands, settings, workdir):
        wait_for_port(port)
        run_load(port, token, 2, 2, 0, "upload")  # warm-up: first-request imports and connections
        for number in range(0, backlog, len(samples)):
            submit(settings, samples, f"backlog {number}")
        if workers:
            wait_until(settings, lambda counts: counts.get("extracting", 0) >= 1)  # the workers are busy
        for label, pace, path in (("paced", args.pace, "upload"), ("flood", 0.0, "upload"),
                                  ("flood /healthz", 0.0, "/healthz")):
            result = run_load(port, token, args.clients, args.uploads, pace, path)
            results.append((label, result, states(settings)))
    return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_upload(args: argparse.Namespace) -> None:
    print(f"# upload: {args.clients} concurrent clients x {args.uploads} POST /documents (a small CSV), "
          f"workers busy with a backlog of {args.backlog} sample statements.\n"
          f"# paced: each client sends every {args.pace:g} s (+-50%); flood: back to back (latency ="
          f" clients / rate); flood /healthz: the same flood on the cheapest route (the framework's floor)")
    print(f"{'stack':<36} {'load':<15} {'n':>4} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'req/s':>6}"
          "  states")
    stacks: list[tuple[str, bool, int]] = [("PostgreSQL + Redis, 2 workers", False, 2),
                                           ("SQLite + embedded, 2 workers", True, 2),
                                           ("SQLite + embedded, no worker", True, 0)]
    with tempfile.TemporaryDirectory(prefix="arrecon-bench-") as scratch:
        root = Path(scratch)
        for name, embedded, workers in stacks:
            if args.stacks and not any(word in name.lower() for word in args.stacks.split(",")):
                continue
            workdir = root / f"{'embedded' if embedded else 'scale-out'}-{workers}"
            workdir.mkdir()
            if embedded:
                database = f"sqlite:///{workdir / 'arrecon.db'}"
                migrate(database)
                settings = Settings(database_url=database, queue_url="", store_dir=workdir / "store")
                print_loads(name, measure_uploads(settings, args, workdir, True, workers))
                continue
            with postgres_server_url() as server, fresh_postgres(server) as database, \
                    redis_server(workdir) as redis_url:
                settings = Settings(database_url=database, queue_url=redis_url, store_dir=workdir / "store")
                print_loads(name, measure_uploads(settings, args, workdir, False, workers))


def print_loads(stack: str, loads: list[tuple[str, LoadResult, dict[str, int]]]) -> None:
    for label, result, busy in loads:
        values = result.latencies
        p50, p99, top = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000, max(values) * 1000
        print(f"{stack:<36} {label:<15} {len(values):>4} {p50:>7.1f} {p99:>7.1f} {top:>7.1f} "
              f"{result.rate:>6.1f}  {busy}")
        if result.errors:
            print(f"  {len(result.errors)} request(s) not accepted, e.g. {result.errors[0]}")


# --- ADR 0001: which embedded queue ----------------------------------------------------------------
# Three candidates that need no server, each with one worker process: Celery over kombu's SQLAlchemy
# transport on a SQLite file, Celery over kombu's filesystem transport, and a plain worker polling a
# table (what the embedded worker does with the documents table). The task does nothing but record
# when it started, so the figures are the queue's own: latency idle -> start, and throughput.

POLL_S = 0.2


def celery_bench_app(broker: str, folder: Path) -> object:
    from celery import Celery

    app = Celery("bench", broker=broker, set_as_current=False)
    options: dict[str, object] = {}
    if broker.startswith("filesystem"):
        (folder / "queue").mkdir(exist_ok=True)
        options = {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
                   "control_folder": str(folder / "control"), "polling_interval": POLL_S}
    else:
        # The SQLAlchemy transport hands its options to create_engine: set its poll interval directly.
        from kombu.transport import sqlalchemy as sqla_transport

        sqla_transport.Transport.polling_interval = POLL_S
    app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, task_ignore_result=True,
                    broker_transport_options=options, worker_hijack_root_logger=False)
    results = folder / "results.txt"

    @app.task(name="bench.noop")
    def noop(sent_at: float) -> None:
        with results.open("a") as out:
            out.write(f"{sent_at},{time.time()}\n")

    return app


def poll_worker(database: Path, results: Path) -> None:
    import sqlite3

    connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    while True:
        row = connection.execute(
            "SELECT id, sent_at FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            time.sleep(POLL_S)
            continue
        claimed = connection.execute(
            "UPDATE jobs SET state = 'running' WHERE id = ? AND state = 'queued'", (row[0],)
        )
        if claimed.rowcount != 1:
            continue
        with results.open("a") as out:
            out.write(f"{row[1]},{time.time()}\n")
        connection.execute("UPDATE jobs SET state = 'done' WHERE id = ?", (row[0],))


class QueueCandidate:
    """One embedded-queue candidate: a worker process, a way to send, a results file."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.folder = folder
        self.results = folder / "results.txt"
        self.results.touch()
        if name == "table polling":
            import sqlite3

            self.database = folder / "jobs.db"
            self.connection = sqlite3.connect(self.database, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, sent_at REAL, state TEXT)")
            self.command = [sys.executable, __file__, "_poll-worker", str(self.database), str(self.results)]
        else:
            broker = f"sqla+sqlite:///{folder / 'queue.db'}" if name.startswith("celery sqla") else "filesystem://"
            self.app = celery_bench_app(broker, folder)
            self.command = [sys.executable, __file__, "_celery-worker", broker, str(folder)]

    def send(self) -> None:
        if self.name == "table polling":
            self.connection.execute("INSERT INTO jobs (sent_at, state) VALUES (?, 'queued')", (time.time(),))
        else:
            self.app.send_task("bench.noop", args=[time.time()])  # type: ignore[attr-defined]

    def done(self) -> list[tuple[float, float]]:
        lines = self.results.read_text().splitlines()
        return [(float(a), float(b)) for a, b in (line.split(",") for line in lines if line.count(",") == 1)]


def measure_queue(name: str, folder: Path, messages: int) -> tuple[float, float, float]:
    candidate = QueueCandidate(name, folder)
    worker = subprocess.Popen(candidate.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        candidate.send()  # warm-up: the worker is up once this one is done
        deadline = time.monotonic() + 120
        while not candidate.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        latencies = []
        for _ in range(20):
            time.sleep(0.3)  # the worker is idle, as after a quiet minute
            before = len(candidate.done())
            candidate.send()
            while len(candidate.done()) == before:
                time.sleep(0.002)
            sent, started = candidate.done()[-1]
            latencies.append(started - sent)
        before = len(candidate.done())
        started = time.time()
        for _ in range(messages):
            candidate.send()
        while len(candidate.done()) < before + messages:
            time.sleep(0.01)
        last = max(finished_at for _, finished_at in candidate.done())
        return statistics.median(latencies) * 1000, max(latencies) * 1000, messages / (last - started)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def run_queues(args: argparse.Namespace) -> None:
    print(f"# embedded queue candidates: 20 single messages to an idle worker, then {args.messages} at once; "
          f"idle poll interval {POLL_S} s")
    print(f"{'candidate':<32} {'p50 ms':>8} {'max ms':>8} {'msgs/s':>8}")
    for name in ("celery sqla transport (SQLite)", "celery filesystem transport", "table polling"):
        with tempfile.TemporaryDirectory(prefix="arrecon-queue-") as scratch:
            p50, top, rate = measure_queue(name, Path(scratch), args.messages)
        print(f"{name:<32} {p50:>8.1f} {top:>8.1f} {rate:>8.1f}")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if len(sys.argv) > 1 and sys.argv[1] == "_celery-worker":
        app = celery_bench_app(sys.argv[2], Path(sys.argv[3]))
        app.worker_main(["worker", "--pool=solo", "--concurrency=1", "--loglevel=WARNING",  # type: ignore[attr-defined]
                         "--without-gossip", "--without-mingle", "--without-heartbeat"])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_load-client":
        load_client_main(sys.argv[2:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_poll-worker":
        poll_worker(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["pipeline", "upload", "queues", "all"], nargs="?", default="all")
    parser.add_argument("--rounds", type=int, default=4, help="pipeline: sample sets per measurement")
    parser.add_argument("--clients", type=int, default=20, help="upload: concurrent clients")
    parser.add_argument("--uploads", type=int, default=10, help="upload: uploads per client")
    parser.add_argument("--pace", type=float, default=1.0,
                        help="upload: seconds between a paced client's uploads")
    parser.add_argument("--stacks", default="", help="upload: only stacks whose name has one of these words "
                        "(comma-separated: postgresql,sqlite,no worker)")
    parser.add_argument("--backlog", type=int, default=48, help="upload: sample statements queued first")
    parser.add_argument("--messages", type=int, default=200, help="queues: messages per candidate")
    parser.add_argument("--api-processes", type=int, default=1, help="upload: uvicorn processes")
    args = parser.parse_args()
    global API_PROCESSES
    API_PROCESSES = args.api_processes
    if args.what in ("pipeline", "all"):
        run_pipeline(args)
    if args.what in ("upload", "all"):
        run_upload(args)
    if args.what in ("queues", "all"):
        run_queues(args)


if __name__ == "__main__":
    main()
