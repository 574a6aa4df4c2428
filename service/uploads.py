"""Reading an upload request within its limits: body size (before and while streaming), file count,
file size, emptiness and content type (sniffed from the bytes, never taken from the name).

Every file of a request is checked before any is stored, so a refused request stores nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from ingest.intake import EmptyDocumentError, filename_to_safe_name
from ingest.sniff import sniff_content_type
from models.errors import InputError, ResourceLimitError, UnsupportedFormatError


class RequestTooLargeError(ResourceLimitError):
    """The request body is larger than the service accepts."""

    code = "request_too_large"


class FileTooLargeError(ResourceLimitError):
    """One file of the request is larger than the service accepts."""

    code = "file_too_large"


class TooManyFilesError(ResourceLimitError):
    """The request carries more files than the service accepts at once."""

    code = "too_many_files"


class BadUploadError(InputError):
    """The request is not a readable multipart upload with at least one file."""

    code = "bad_upload"


class NotMultipartError(UnsupportedFormatError):
    """The request body is not ``multipart/form-data``."""

    code = "not_multipart"


@dataclass(frozen=True)
class UploadLimits:
    """The bounds an upload request is held to."""

    max_request_bytes: int
    max_upload_bytes: int
    max_files: int


@dataclass(frozen=True)
class Upload:
    """One checked file of a request: sniffed type, a name that is never a path, and its bytes on demand.

    The bytes stay in the parser's spooled temporary file (on disk past 1 MiB), so a request of many
    files holds one of them in memory at a time, while it is stored.
    """

    field: str
    filename: str
    content_type: str
    size: int
    file: BinaryIO

    def read(self) -> bytes:
        """All bytes of the file (callable again)."""
        self.file.seek(0)
        return self.file.read()


@dataclass(frozen=True)
class UploadForm:
    """The files of a request and its plain text fields."""

    files: list[Upload]
    fields: dict[str, str]


@contextlib.asynccontextmanager
async def request_to_upload_form(
    request: Request, limits: UploadLimits, *, accept_types: frozenset[str]
) -> AsyncIterator[UploadForm]:
    """The checked files and text fields of a multipart request (open for the ``async with`` block).

    Raises a typed ``InputError`` before the block runs when any file or the request breaks a limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            declared_bytes = int(declared)
        except ValueError as exc:
            raise BadUploadError("the Content-Length header is not a number") from exc
        if declared_bytes > limits.max_request_bytes:
            # Refused from the header alone: not one byte of the body is read.
            raise RequestTooLargeError(
                f"the request has {declared_bytes} bytes, the limit is {limits.max_request_bytes}")
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise NotMultipartError("upload the files as multipart/form-data")
    parser = MultiPartParser(
        request.headers,
        _capped(request.stream(), limits.max_request_bytes),
        max_files=limits.max_files,
        max_fields=limits.max_files + 20,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        if exc.message.startswith("Too many files"):
            raise TooManyFilesError(
                f"a request may carry at most {limits.max_files} files") from exc
        raise BadUploadError(f"the multipart body cannot be read: {exc.message}") from exc
    try:
        files: list[Upload] = []
        fields: dict[str, str] = {}
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields[name] = value
                continue
            files.append(await _checked(name, value, len(files) + 1, limits, accept_types))
        yield UploadForm(files=files, fields=fields)
    finally:
        await form.close()


async def _capped(stream: AsyncGenerator[bytes, None], limit: int) -> AsyncGenerator[bytes, None]:
    """The body chunks, cut off with ``RequestTooLargeError`` once more than ``limit`` bytes came in."""
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > limit:
            raise RequestTooLargeError(f"the request is larger than the limit of {limit} bytes")
        yield chunk


async def _checked(
    field: str, upload: UploadFile, index: int, limits: UploadLimits, accept_types: frozenset[str]
) -> Upload:
    name = filename_to_safe_name(upload.filename)
    label = f"file {index} ({name})"
    size = upload.size or 0
    if size > limits.max_upload_bytes:
        raise FileTooLargeError(f"{label} has {size} bytes, the limit is {limits.max_upload_bytes}")
    data = await upload.read(limits.max_upload_bytes + 1)
    size = len(data)
    if size > limits.max_upload_bytes:
        raise FileTooLargeError(f"{label} is larger than the limit of {limits.max_upload_bytes} bytes")
    if not data:
        raise EmptyDocumentError(f"{label} is empty (0 bytes)")
    try:
        content_type = sniff_content_type(data)
    except UnsupportedFormatError as exc:
        raise UnsupportedFormatError(f"{label}: {exc}") from exc
    if content_type not in accept_types:
        raise UnsupportedFormatError(f"{label}: {content_type} is not a type this endpoint accepts")
    return Upload(field=field, filename=name, content_type=content_type, size=size, file=upload.file)
