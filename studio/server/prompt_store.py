"""Clone prompts that clients sent, kept by the SHA-256 of their bytes, so a saved voice
travels to the server once: the next take names it by its hash (``voice: "sha256:<hex>"``).

A prompt is stored only when its bytes hash to the name it is stored under and it parses
as a Voice Studio prompt (safetensors, never pickle), so no client can plant another
voice under a hash. The folder is a cache: the least recently used files go past
``limit``, and a client whose voice is gone uploads it again.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path

from studio.engine.prompts import VoicePrompt, from_bytes
from studio.fsutil import atomic_write_bytes
from studio.server.errors import ApiError

HASH_PREFIX = "sha256:"
DIGEST = re.compile(r"[0-9a-f]{64}")
SUFFIX = ".safetensors"


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_digest(digest: str, param: str = "sha256") -> str:
    value = (digest or "").strip().lower()
    if not DIGEST.fullmatch(value):
        raise ApiError(400, f"{digest!r} is not a SHA-256 digest (64 hexadecimal characters).",
                       "invalid_hash", param=param)
    return value


def not_cached(digest: str) -> ApiError:
    return ApiError(404, f"This server has no voice with hash {digest[:12]}…; upload it with "
                    f"PUT /v1/voices/by-hash/{digest}, then ask again.", "voice_not_cached",
                    param="voice")


class PromptStore:
    """The prompt files by hash, with the last few parsed ones in memory. Thread-safe: the
    handlers call it from the thread pool."""

    def __init__(self, folder: Path, limit: int = 512, parsed: int = 32) -> None:
        self.folder = folder
        self.limit = limit
        self._parsed: OrderedDict[str, VoicePrompt] = OrderedDict()
        self._parsed_max = parsed
        self._lock = threading.Lock()

    def path(self, digest: str) -> Path:
        return self.folder / f"{digest}{SUFFIX}"

    def size(self, digest: str) -> int | None:
        """The stored prompt's size in bytes, or None if it is not here."""
        try:
            return self.path(digest).stat().st_size
        except OSError:
            return None

    def put(self, digest: str, data: bytes) -> bool:
        """Keep ``data`` under ``digest``; True if it was new. 400 when the bytes do not hash
        to ``digest``, 422 (IncompatiblePrompt) when they are not a prompt."""
        if digest_of(data) != digest:
            raise ApiError(400, f"The body's SHA-256 is {digest_of(data)}, not {digest}: the "
                           "upload was damaged or named with the wrong hash.", "hash_mismatch",
                           param="sha256")
        prompt = from_bytes(data, source="uploaded voice prompt")
        path = self.path(digest)
        if path.exists():
            self._touch(path)
            return False
        atomic_write_bytes(path, data)
        with self._lock:
            self._remember(digest, prompt)
        self._trim()
        return True

    def store(self, prompt: VoicePrompt) -> tuple[str, bytes]:
        """Keep a prompt this server made; its hash and bytes."""
        from studio.engine.prompts import to_bytes

        data = to_bytes(prompt)
        digest = digest_of(data)
        self.put(digest, data)
        return digest, data

    def get(self, digest: str) -> VoicePrompt | None:
        with self._lock:
            prompt = self._parsed.get(digest)
            if prompt is not None:
                self._parsed.move_to_end(digest)
        path = self.path(digest)
        if prompt is not None:
            self._touch(path)
            return prompt
        try:
            data = path.read_bytes()
        except OSError:
            return None
        prompt = from_bytes(data, source="cached voice prompt")
        self._touch(path)
        with self._lock:
            self._remember(digest, prompt)
        return prompt

    def _remember(self, digest: str, prompt: VoicePrompt) -> None:
        self._parsed[digest] = prompt
        self._parsed.move_to_end(digest)
        while len(self._parsed) > self._parsed_max:
            self._parsed.popitem(last=False)

    @staticmethod
    def _touch(path: Path) -> None:
        """Mark as used (the trim keeps the most recently used)."""
        try:
            now = time.time()
            os.utime(path, (now, now))
        except OSError:
            pass

    def _trim(self) -> None:
        try:
            files = sorted(self.folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
        except OSError:
            return
        for path in files[:max(0, len(files) - self.limit)]:
            try:
                path.unlink()
            except OSError:
                continue
            with self._lock:
                self._parsed.pop(path.name[:-len(SUFFIX)], None)
