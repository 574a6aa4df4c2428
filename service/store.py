"""The document store: originals kept content-addressed by sha256, durable before any row names them."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from models.errors import ArreconError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class StoreError(ArreconError):
    """The store could not write or read an original (disk full, permissions): a retry may help."""

    code = "store_failed"
    retryable = True


class MissingOriginalError(ArreconError):
    """No original is stored under the hash asked for."""

    code = "original_missing"


class DocumentStore(Protocol):
    """Where originals live; a local folder today, object storage behind the same methods later."""

    def put(self, data: bytes) -> str:
        """Store ``data`` durably (idempotent) and return its sha256 (hex)."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``; ``MissingOriginalError`` when there are none."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether bytes are stored under ``sha256``."""
        ...


class LocalDocumentStore:
    """Originals as files ``<root>/ab/cd/<sha256>``: temp file, fsync, rename, fsync of the folder."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """The file that holds (or would hold) the bytes of ``sha256``; the hash is checked, never trusted."""
        if not _SHA256.match(sha256):
            raise MissingOriginalError(f"not a sha256: {sha256[:80]!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` durably (idempotent) and return its sha256 (hex)."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.exists() and target.stat().st_size == len(data):
            return sha256
        try:
            # Only folders whose entries change need an fsync: the leaf always, a parent when a
            # folder below it was created now (on a grown store that is the leaf alone).
            created = [f for f in (self.root, target.parent.parent, target.parent) if not f.exists()]
            changed = [target.parent] + [folder.parent for folder in created]
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp_name, target)
            except BaseException:
                Path(temp_name).unlink(missing_ok=True)
                raise
            # The rename is only durable once the folders that name the file are synced too.
            for folder in changed:
                _fsync_dir(folder)
        except OSError as exc:
            raise StoreError(f"could not store original {sha256}: {exc.strerror or exc}") from exc
        return sha256

    def get(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``; ``MissingOriginalError`` when there are none."""
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError as exc:
            raise MissingOriginalError(f"no original stored under {sha256}") from exc
        except OSError as exc:
            raise StoreError(f"could not read original {sha256}: {exc.strerror or exc}") from exc

    def exists(self, sha256: str) -> bool:
        """Whether bytes are stored under ``sha256``."""
        try:
            return self.path(sha256).is_file()
        except MissingOriginalError:
            return False


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
