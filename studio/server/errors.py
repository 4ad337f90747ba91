"""Errors as OpenAI-shaped JSON: ``{"error": {"message", "type", "param", "code"}}``.

Every StudioError already carries a message written for a person; the server only chooses
the HTTP status for it. ``code`` names the exact problem (``voice_not_found``,
``empty_text``...), ``type`` the broad class OpenAI clients switch on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from studio.audio import errors as audio_errors
from studio.engine import errors as engine_errors
from studio.errors import (
    Cancelled,
    DeviceUnavailable,
    DiskFull,
    InvalidInput,
    NotFound,
    StudioError,
)
from studio.fsutil import disk_full, is_disk_full
from studio.library import errors as library_errors

log = logging.getLogger(__name__)

# most specific first: the first class the error is an instance of decides the status
_STATUS: list[tuple[type[StudioError], int]] = [
    (audio_errors.AudioTooLong, 413),
    (audio_errors.UnsupportedFormat, 415),
    (audio_errors.UnreadableAudio, 415),
    (audio_errors.AudioTooShort, 422),
    (audio_errors.InvalidSamples, 422),
    (engine_errors.BadReference, 422),
    (engine_errors.IncompatiblePrompt, 422),
    (library_errors.AmbiguousVoice, 409),
    (library_errors.VoiceDamaged, 409),
    (library_errors.StorageError, 507),
    (DiskFull, 507),
    (engine_errors.ModelCorrupt, 500),
    (Cancelled, 503),
    (DeviceUnavailable, 503),
    (NotFound, 404),
    (InvalidInput, 400),
]
_BASES = {StudioError, InvalidInput, NotFound, DeviceUnavailable}


class ApiError(Exception):
    """An HTTP error the server decides itself (auth, limits, queue, timeouts)."""

    def __init__(self, status: int, message: str, code: str, *, param: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.headers = dict(headers or {})


def status_for(exc: StudioError) -> int:
    return next((status for cls, status in _STATUS if isinstance(exc, cls)), 500)


def code_for(exc: StudioError) -> str:
    """``voice_not_found`` for VoiceNotFound; the base ``code`` for the generic classes."""
    if type(exc) in _BASES:
        return exc.code
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def error_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    return "server_error" if status >= 500 else "invalid_request_error"


def error_body(status: int, message: str, code: str, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": error_type(status), "param": param,
                      "code": code}}


def error_response(status: int, message: str, code: str, param: str | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, param), status_code=status,
                        headers=dict(headers or {}))


def from_exception(exc: BaseException) -> JSONResponse:
    if isinstance(exc, OSError) and is_disk_full(exc) and not isinstance(exc, DiskFull):
        exc = disk_full(exc.filename2 or exc.filename)  # a write that was not expected to fail
    if isinstance(exc, ApiError):
        return error_response(exc.status, exc.message, exc.code, exc.param, exc.headers)
    if isinstance(exc, StudioError):
        return error_response(status_for(exc), str(exc), code_for(exc))
    log.error("internal error", exc_info=exc)
    return error_response(500, f"Internal error ({type(exc).__name__}); the server log has "
                          "the details.", "internal_error")


def install(app: FastAPI) -> None:
    """Route every error the app can raise through the JSON shape above."""

    async def on_error(_request: Request, exc: Exception) -> JSONResponse:
        return from_exception(exc)

    async def on_http(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        messages = {404: "There is no such endpoint. GET /docs lists them.",
                    405: "This endpoint does not take that method."}
        message = messages.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, message, f"http_{exc.status_code}",
                              headers=exc.headers)

    async def on_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return from_exception(validation_error(exc.errors()))

    async def on_gone(_request: Request, _exc: Exception) -> JSONResponse:
        # the client hung up while sending its body: nobody will read this answer
        return error_response(499, "The client closed the connection.", "client_closed")

    app.add_exception_handler(ClientDisconnect, on_gone)
    app.add_exception_handler(ApiError, on_error)
    app.add_exception_handler(StudioError, on_error)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_error)


def validation_error(errors: list | tuple) -> ApiError:
    """One readable sentence from pydantic's error list (the first problem, by field)."""
    if not errors:
        return ApiError(400, "The request is not valid.", "invalid_request")
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    param = ".".join(loc) or None
    msg = str(first.get("msg", "is not valid"))
    if first.get("type") == "extra_forbidden":
        msg = "is not a field this endpoint takes (check the spelling)"
    elif first.get("type") == "missing":
        msg = "is required"
    more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
    text = f"'{param}': {msg}" if param else msg
    return ApiError(400, f"{text.rstrip('.')}{more}.", "invalid_value", param=param)
