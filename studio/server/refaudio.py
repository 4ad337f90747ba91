"""A reference clip that came with a request: a multipart upload, or vLLM-Omni's
``ref_audio`` (a ``data:`` URL or bare base64).

``ref_audio`` is never fetched from anywhere: an ``http(s)://`` or ``file://`` value is
refused, since following it would let any client make the server read local files or
reach other machines. The bytes are decoded through the same import as a file dropped
into the window (WAV, FLAC, OGG, MP3), from a private temporary folder that is removed
whatever happens.
"""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from studio.audio.clip import Clip
from studio.audio.files import import_clip
from studio.server.errors import ApiError

UPLOAD_PREFIX = "voice-studio-upload-"
_DATA_URL = re.compile(r"data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*?),"
                       r"(?P<data>.*)", re.DOTALL | re.IGNORECASE)
_EXTENSIONS = {"audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav",
               "audio/flac": ".flac", "audio/x-flac": ".flac", "audio/ogg": ".ogg",
               "audio/mpeg": ".mp3", "audio/mp3": ".mp3"}


def upload_name(filename: str) -> str:
    """A safe file name for an upload that keeps its extension (libsndfile uses it)."""
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(filename or "").name).strip(" .")
    return (name or "clip")[-120:]


def ref_audio_bytes(value: str, limit: int) -> tuple[bytes, str]:
    """(the clip's bytes, a file name for it) from a data: URL or base64 text."""
    text = (value or "").strip()
    lowered = text[:16].lower()
    if lowered.startswith(("http://", "https://", "file:", "ftp://")) or (
            "://" in text[:16] and not lowered.startswith("data:")):
        raise ApiError(400, "ref_audio must carry the clip itself, as a data: URL "
                       "(data:audio/wav;base64,...) or base64 text; this server never fetches "
                       "a URL. Download the clip and send its bytes.", "ref_audio_url_refused",
                       param="ref_audio")
    name = "ref_audio"
    match = _DATA_URL.fullmatch(text)
    if match:
        if ";base64" not in (match.group("params") or "").lower():
            raise ApiError(400, "A ref_audio data: URL must be base64 (data:audio/wav;base64,"
                           "...).", "invalid_ref_audio", param="ref_audio")
        name += _EXTENSIONS.get((match.group("type") or "").lower(), "")
        text = match.group("data")
    if len(text) > (limit // 3 + 1) * 4 + 4:
        raise ApiError(413, f"ref_audio is larger than the {limit // (1024 * 1024)} MB this "
                       "server takes for a clip.", "payload_too_large", param="ref_audio")
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "ref_audio is neither a data: URL nor valid base64. Send the "
                       "clip's bytes base64-encoded.", "invalid_ref_audio",
                       param="ref_audio") from None
    if not data:
        raise ApiError(400, "ref_audio is empty: send the reference clip's bytes.",
                       "invalid_ref_audio", param="ref_audio")
    return data, name


def decode_in(folder: Path, data: bytes, filename: str) -> tuple[Clip, Path]:
    """Write the bytes under ``folder`` and import them; (the clip, the written file)."""
    path = folder / upload_name(filename)
    path.write_bytes(data)
    return import_clip(path), path


async def clip_from_bytes(data: bytes, filename: str) -> Clip:
    """The clip, decoded from a temporary folder that is gone when this returns."""

    def work() -> Clip:
        with tempfile.TemporaryDirectory(prefix=UPLOAD_PREFIX) as tmp:
            return decode_in(Path(tmp), data, filename)[0]

    return await run_in_threadpool(work)
