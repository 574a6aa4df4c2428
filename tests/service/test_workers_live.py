"""Scale-out under faults: real Redis, real PostgreSQL, real ``arrecon worker`` processes.

A worker SIGKILLed mid-run, Redis restarted (its queue lost), PostgreSQL restarted: every document
still ends in one final state with exactly one statement version. Documents enter through intake,
the door the upload API uses, and are real CSV statements the real extractor reads.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from ingest.intake import intake
from service.db import FINAL_STATES, Client, Document, StatementVersion, make_engine, migrate, session_factory
from service.settings import Settings
from service.store import LocalDocumentStore
from service.tasks import enqueue_for

pytestmark = pytest.mark.live

REPO = Path(__file__).resolve().parents[2]
FINAL = {state.value for state in FINAL_STATES}
STUCK_AFTER_S = 2
LINES_PER_DOCUMENT = 400  # a few hundred ms of work a document: both workers are mostly mid-task
WAIT_S = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture(scope="module")
def service_urls() -> Iterator[dict[str, str]]:
    """ARRECON_TEST_DATABASE_URL / ARRECON_TEST_REDIS_URL, starting them with scripts/services.sh if unset."""
    urls = {key: os.environ.get(key, "") for key in ("ARRECON_TEST_DATABASE_URL", "ARRECON_TEST_REDIS_URL")}
    cleanup = None
    if not all(urls.values()):
        out = subprocess.run(
            ["bash", str(REPO / "scripts/services.sh")], check=True, capture_output=True, text=True
        ).stdout
        for line in out.splitlines():
            if line.startswith("export "):
                key, _, value = line.removeprefix("export ").partition("=")
                urls[key] = value.strip("'")
            elif line.startswith("trap "):
                cleanup = line.removeprefix("trap '").removesuffix("' EXIT")
    yield urls
    if cleanup:
        subprocess.run(["bash", "-c", cleanup], check=False)


@contextlib.contextmanager
def _fresh_database(server_url: str) -> Iterator[str]:
    """A new database on the server of ``server_url``, dropped afterwards."""
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"arrecon_live_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(service_urls: dict[str, str]) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database on the test server."""
    with _fresh_database(service_urls["ARRECON_TEST_DATABASE_URL"]) as url:
        migrate(url)
        yield url


@dataclass
class RedisServer:
    """A throwaway redis-server without persistence: a restart loses its queue, as a crash would."""

    directory: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test only, on a free port."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL cluster (initdb as the postgres user when root) that a test may restart."""

    directory: Path
    port: int = field(default_factory=_free_port)

    def _run(self, *command: str) -> None:
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        program = str(binaries[-1] / command[0]) if binaries else command[0]
        argv = [program, *command[1:]]
        if os.geteuid() == 0:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{arg}'" for arg in argv)]
        subprocess.run(argv, check=True, capture_output=True)

    def init(self) -> None:
        self.directory.mkdir(mode=0o755)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", str(self.directory / "data"), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-l", str(self.directory / "log"), "-w",
                  "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def postgres_server(tmp_path: Path) -> Iterator[PostgresServer]:
    """A PostgreSQL cluster of this test only (tmp dir, free port), stopped afterwards."""
    server = PostgresServer(Path(f"/tmp/arrecon-pg-{secrets.token_hex(4)}"))
    server.init()
    server.start()
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):
        server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)


@dataclass
class Stack:
    """Workers, the store and the database of one scale-out run."""

    settings: Settings
    workdir: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("ARRECON_")}
        env.update(
            ARRECON_DATABASE_URL=self.settings.database_url,
            ARRECON_QUEUE_URL=self.settings.queue_url,
            ARRECON_STORE_DIR=str(self.settings.store_dir),
            ARRECON_STUCK_AFTER_S=str(self.settings.stuck_after_s),
            ARRECON_TASK_RETRIES=str(self.settings.task_retries),
            ARRECON_TASK_BACKOFF_S=str(self.settings.task_backoff_s),
            ARRECON_LOG_JSON="false",
            ARRECON_LOG_LEVEL="WARNING",
        )
        return env

    def start_worker(self) -> subprocess.Popen[bytes]:
        """One ``arrecon worker`` in its own process group (so a kill takes its pool children too)."""
        number = len(self.workers) + 1
        log = (self.workdir / f"worker-{number}.log").open("wb")
        worker = subprocess.Popen(
            # Niceness 0: on a machine shared with other test runs, +10 would only make this test slow.
            [sys.executable, "-m", "service.cli", "worker", "--concurrency=1", f"--hostname=w{number}@%h",
             "--niceness=0"],
            cwd=self.workdir,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        """SIGKILL every worker's process group."""
        for worker in self.workers:
            self.kill(worker)

    def kill(self, worker: subprocess.Popen[bytes], signum: int = signal.SIGKILL) -> None:
        if worker.poll() is None:
            os.killpg(worker.pid, signum)
        worker.wait(timeout=30)

    def freeze_holding_claims(self, timeout: float = WAIT_S) -> None:
        """SIGSTOP every worker at a moment each one holds a claim.

        Each worker runs one task at a time, so with all of them frozen as many documents in
        ``extracting`` as there are workers mean each holds one; otherwise they go on a moment.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.signal_workers(signal.SIGSTOP)
            time.sleep(0.2)  # a commit already sent lands before the states are read
            if self.states().get("extracting", 0) >= len(self.workers):
                return
            self.signal_workers(signal.SIGCONT)
            time.sleep(0.05)
        raise AssertionError(
            f"the workers never held a claim each at once; states: {self.states()}; logs in {self.workdir}"
        )

    def signal_workers(self, signum: int) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signum)

    def submit(self, count: int, client_name: str = "Live Receivables") -> list[str]:
        """``count`` distinct CSV statements through intake, as the upload API hands them in."""
        sessions = session_factory(make_engine(self.settings.database_url))
        store = LocalDocumentStore(self.settings.store_dir)
        enqueue = enqueue_for(self.settings)
        ids = []
        with sessions() as session:
            client = Client(name=client_name)
            session.add(client)
            session.commit()
            for number in range(count):
                result = intake(
                    session, store, enqueue, client_id=client.id, channel="upload", sender=None,
                    filename=f"statement-{number}.csv", data=statement_csv(number),
                )
                ids.append(result.document_id)
        return ids

    def states(self) -> dict[str, int]:
        """Documents by state."""
        sessions = session_factory(make_engine(self.settings.database_url))
        with sessions() as session:
            rows = session.execute(select(Document.state, func.count()).group_by(Document.state)).all()
        return {state: count for state, count in rows}

    def wait_until(self, done: Callable[[dict[str, int]], bool], timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if done(self.states()):
                    return
            except Exception:  # the database may be restarting
                pass
            time.sleep(0.1)
        raise AssertionError(f"timed out; states: {self.states()}; logs in {self.workdir}")

    def assert_each_once(self, ids: list[str]) -> list[int]:
        """Every document final with exactly one statement version; returns each one's attempts."""
        sessions = session_factory(make_engine(self.settings.database_url))
        with sessions() as session:
            documents = {row.id: row for row in session.scalars(select(Document))}
            counted = session.execute(
                select(StatementVersion.document_id, func.count()).group_by(StatementVersion.document_id)
            ).all()
        versions = {document_id: count for document_id, count in counted}
        assert sorted(documents) == sorted(ids)
        assert {row.state for row in documents.values()} <= FINAL
        assert [row.id for row in documents.values() if row.state == "failed"] == []
        assert {document_id: versions.get(document_id, 0) for document_id in ids} == dict.fromkeys(ids, 1)
        return [documents[document_id].attempts for document_id in ids]


def statement_csv(number: int) -> bytes:
    """A small, distinct, valid statement of customer C-<number>."""
    rows = ["Statement of account", "Customer: Live Test Ltd", f"Account: C-{number:04d}",
            "Date,Reference,Description,Debit,Credit,Balance"]
    for line in range(LINES_PER_DOCUMENT):
        day = line % 28 + 1
        rows.append(f"2026-09-{day:02d},INV-{number}-{line},Invoice {line},10.00,,{(line + 1) * 10}.00")
    return "\n".join(rows).encode()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[list[Stack]]:
    """Holds the run's Stack; kills every worker process group it started, whatever happened."""
    holder: list[Stack] = []
    yield holder
    for run in holder:
        run.stop_workers()


def finished(states: dict[str, int]) -> int:
    """How many documents are in a final state."""
    return sum(states.get(state, 0) for state in FINAL)


def _settings(tmp_path: Path, database_url: str, queue_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        store_dir=tmp_path / "store",
        queue_url=queue_url,
        stuck_after_s=STUCK_AFTER_S,
        task_retries=5,
        task_backoff_s=0.3,
    )


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    tmp_path: Path, database_url: str, service_urls: dict[str, str], stack: list[Stack]
) -> None:
    redis_url = f"{service_urls['ARRECON_TEST_REDIS_URL'].rsplit('/', 1)[0]}/{secrets.randbelow(15) + 1}"
    run = Stack(_settings(tmp_path, database_url, redis_url), tmp_path)
    stack.append(run)
    victim = run.start_worker()
    run.start_worker()

    ids = run.submit(50)
    run.wait_until(lambda states: finished(states) >= 10)
    run.freeze_holding_claims()
    run.kill(victim)
    run.signal_workers(signal.SIGCONT)
    run.wait_until(lambda states: finished(states) == 50)

    attempts = run.assert_each_once(ids)
    # The document the victim held was taken over: claimed again, stored once. (On a loaded machine a
    # late heartbeat can also void a live worker's claim: more attempts, still one version each.)
    assert max(attempts) >= 2
    assert min(attempts) == 1


def survives_restart(run: Stack, server: RedisServer | PostgresServer, documents: int = 12) -> None:
    """Two workers, ``documents`` uploads, ``server`` stopped and started again mid-run: each stored once."""
    run.start_worker()
    run.start_worker()
    ids = run.submit(documents)
    run.wait_until(lambda states: finished(states) >= 4)
    server.stop()
    time.sleep(1)
    server.start()
    run.wait_until(lambda states: finished(states) == documents)
    run.assert_each_once(ids)


def test_redis_restart_loses_and_duplicates_nothing(
    tmp_path: Path, database_url: str, redis_server: RedisServer, stack: list[Stack]
) -> None:
    # Without persistence the queued messages are gone with it: the sweep sends them again.
    run = Stack(_settings(tmp_path, database_url, redis_server.url), tmp_path)
    stack.append(run)
    survives_restart(run, redis_server)


def test_postgres_restart_loses_and_duplicates_nothing(
    tmp_path: Path, postgres_server: PostgresServer, redis_server: RedisServer, stack: list[Stack]
) -> None:
    with _fresh_database(postgres_server.url) as url:
        migrate(url)
        run = Stack(_settings(tmp_path, url, redis_server.url), tmp_path)
        stack.append(run)
        survives_restart(run, postgres_server)
        run.stop_workers()  # before the database is dropped
