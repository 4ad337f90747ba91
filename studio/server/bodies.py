"""Request bodies read with limits enforced while reading, never after.

A body that declares (Content-Length) or turns out to be larger than the limit is refused
with 413 before anything is parsed or written. Up to ``DRAIN_MAX`` of it is read and
discarded first, so the client gets the 413 instead of a reset connection.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from studio.server.errors import ApiError, validation_error

T = TypeVar("T", bound=BaseModel)
DRAIN_MAX = 64 * 1024 * 1024
FORM_SLACK = 64 * 1024  # multipart boundaries and text fields on top of the file


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    content_type: str


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


async def read_limited(request: Request, limit: int, what: str) -> bytes:
    declared = request.headers.get("content-length")
    size: int | None = None
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ApiError(400, "The Content-Length header is not a number.",
                           "invalid_header") from None
    too_big = ApiError(413, f"The {what} is larger than the {_mb(limit)} this server takes.",
                       "payload_too_large")
    if size is not None and size > limit and size > DRAIN_MAX:
        raise too_big
    over = size is not None and size > limit
    buf = bytearray()
    total = 0
    async for part in request.stream():
        total += len(part)
        if not over and total > limit:
            over = True
            buf.clear()
        if over:
            if total > DRAIN_MAX:
                break
            continue
        buf += part
    if over:
        raise too_big
    return bytes(buf)


async def read_json(request: Request, model: type[T], limit: int,
                    blob: tuple[str, int] | None = None) -> T:
    """The body as ``model``: 415 if it is not JSON, 400 if it does not fit the model.

    ``blob=(field, size)`` lets one string field (a base64 clip) add up to ``size`` bytes
    on top of ``limit``; the rest of the body still has to fit in ``limit``."""
    kind = media_type(request)
    if kind != "application/json" and not kind.endswith("+json"):
        raise ApiError(415, "Send the body as JSON, with 'Content-Type: application/json'"
                       f"{f' (not {kind})' if kind else ''}.", "unsupported_media_type")
    raw = await read_limited(request, limit + (blob[1] if blob else 0), "request body")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The body is not valid JSON ({exc}).", "invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.", "invalid_json")
    if blob is not None:
        value = data.get(blob[0])
        if len(raw) - (len(value) if isinstance(value, str) else 0) > limit:
            raise ApiError(413, f"The request body is larger than the {_mb(limit)} this "
                           "server takes.", "payload_too_large")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc.errors()) from None


async def read_form(request: Request, limit: int) -> tuple[dict[str, str], dict[str, Upload]]:
    """A multipart/form-data body: its text fields and its files (``limit`` per body)."""
    if media_type(request) != "multipart/form-data":
        raise ApiError(415, "Send the clip as multipart/form-data (a 'file' field with the "
                       "audio, and the other fields as text).", "unsupported_media_type")
    raw = await read_limited(request, limit + FORM_SLACK, "upload")

    async def once() -> AsyncIterator[bytes]:
        yield raw
        yield b""

    parser = MultiPartParser(request.headers, once(), max_files=4, max_fields=32)  # type: ignore[arg-type]
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ApiError(400, f"The form cannot be read: {exc.message}.", "invalid_form") from None
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files[key] = Upload(value.filename or "", await value.read(),
                                    value.content_type or "")
            else:
                fields[key] = value
    finally:
        await form.close()
    if any(len(f.data) > limit for f in files.values()):
        raise ApiError(413, f"The file is larger than the {_mb(limit)} this server takes.",
                       "payload_too_large")
    return fields, files


def parse_fields(model: type[T], fields: dict[str, str]) -> T:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise validation_error(exc.errors()) from None
