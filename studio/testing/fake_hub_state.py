"""What a fake hub serves and how it misbehaves: repos, fault settings and counters.

The request handler reads this state at each request, so a test can change faults between
calls; counters wait on a condition, so tests block on "N bytes served" instead of sleeping.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.testing.fake_hub_repos import HostedFile, HostedRepo, load_files

RepoContent = Mapping[str, bytes] | Path | str


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    range: str | None


class FakeHubState:
    """Repos (``{repo_id: {path: bytes} | folder}``), faults and counters of a fake hub."""

    def __init__(self, repos: Mapping[str, RepoContent] | None = None, *,
                 throttle_bps: float | None = None, fail_after: int | None = None,
                 fail_times: int = 1, stall_after: int | None = None,
                 status: Mapping[str, int] | None = None, private: Any = (), gated: Any = (),
                 corrupt: Any = (), blobs_metadata: bool = True, honor_range: bool = True,
                 chunk_size: int = 4096) -> None:
        self.throttle_bps = throttle_bps
        self.fail_after = fail_after
        self.fail_times = fail_times
        self.stall_after = stall_after
        self.status: dict[str, int] = dict(status or {})
        self.private: set[str] = set(private)
        self.gated: set[str] = set(gated)
        self.corrupt: set[str] = set(corrupt)
        self.blobs_metadata = blobs_metadata
        self.honor_range = honor_range
        self.chunk_size = chunk_size
        self.repos: dict[str, HostedRepo] = {}
        self.released = threading.Event()  # stalled responses may go on
        self.stopping = threading.Event()  # the hub is shutting down: cut every response
        self._cond = threading.Condition()
        self._bytes: dict[str, int] = {}
        self._requests: list[Request] = []
        for repo_id, files in (repos or {}).items():
            self.add_repo(repo_id, files)

    # -- content

    def add_repo(self, repo_id: str, files: RepoContent) -> None:
        loaded = {name: HostedFile.of(name, data) for name, data in load_files(files).items()}
        digest = hashlib.sha1(repo_id.encode())
        for name in sorted(loaded):
            digest.update(name.encode() + b"\0" + loaded[name].sha256.encode())
        with self._cond:
            self.repos[repo_id] = HostedRepo(repo_id, loaded, digest.hexdigest())

    def commit(self, repo_id: str) -> str:
        return self.repos[repo_id].commit

    @staticmethod
    def key(repo_id: str, filename: str) -> str:
        return f"{repo_id}/{filename}"

    # -- faults and counters

    def release(self) -> None:
        """Let stalled responses (``stall_after``) go on; later ones are not stalled."""
        self.released.set()

    @property
    def bytes_served(self) -> dict[str, int]:
        """File body bytes sent so far, by ``"repo/file"`` key."""
        with self._cond:
            return dict(self._bytes)

    def total_bytes_served(self, repo_id: str | None = None) -> int:
        with self._cond:
            return sum(n for k, n in self._bytes.items()
                       if repo_id is None or k.startswith(repo_id + "/"))

    @property
    def requests(self) -> list[Request]:
        with self._cond:
            return list(self._requests)

    def reset_counters(self) -> None:
        with self._cond:
            self._bytes.clear()
            self._requests.clear()

    def wait_for_bytes(self, key: str | None, n: int, timeout: float = 10.0) -> bool:
        """Block until at least ``n`` bytes of ``key`` (or of all files, if None) were sent."""
        def enough() -> bool:
            got = sum(self._bytes.values()) if key is None else self._bytes.get(key, 0)
            return got >= n

        with self._cond:
            return self._cond.wait_for(enough, timeout)

    # -- what the request handler reports

    def note_request(self, request: Request) -> None:
        with self._cond:
            self._requests.append(request)

    def note_bytes(self, key: str, n: int) -> None:
        """Count ``n`` body bytes of ``key`` as sent (negative: a write that failed)."""
        with self._cond:
            self._bytes[key] = self._bytes.get(key, 0) + n
            self._cond.notify_all()

    def take_failure(self, body_len: int) -> int | None:
        """Where to drop a body of ``body_len`` bytes (``fail_after``), using up one of
        ``fail_times``; None: send it whole."""
        with self._cond:
            if self.fail_after is None or self.fail_times <= 0 or body_len <= self.fail_after:
                return None
            self.fail_times -= 1
            return self.fail_after
