"""The API's background publisher: every document id reaches the broker, in order, without blocking."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from service.queue import QUEUE_NAME, BackgroundPublisher


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of this test only, without persistence, on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not _listening(port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.live
def test_background_publisher_sends_every_id_in_order(redis_url: str) -> None:
    publisher = BackgroundPublisher(redis_url)
    ids = [f"document-{number}" for number in range(5)]
    for document_id in ids:
        publisher(document_id)
    assert publisher.drain(10.0)
    client = redis.Redis.from_url(redis_url)
    messages = [json.loads(raw) for raw in reversed(client.lrange(QUEUE_NAME, 0, -1))]  # LPUSH: newest first
    sent = [json.loads(base64.b64decode(message["body"]))[0][0] for message in messages]
    assert sent == ids
