"""The fake hub's server: repos, fault settings, counters and the serving thread.

Counters wait on a condition, so tests block on "N bytes served" instead of sleeping.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from studio.testing.fake_hub_handler import Request, _make_handler
from studio.testing.fake_hub_repos import TINY_REPO_ID, _File, _load_files, _Repo, tiny_repo


class FakeHub:
    """A threaded fake hub. ``repos`` maps repo ids to ``{path: bytes}`` or a folder."""

    def __init__(self, repos: Mapping[str, Mapping[str, bytes] | Path | str] | None = None, *,
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
        self._repos: dict[str, _Repo] = {}
        self._cond = threading.Condition()
        self._bytes: dict[str, int] = {}
        self._requests: list[Request] = []
        self._released = threading.Event()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for repo_id, files in (repos or {}).items():
            self.add_repo(repo_id, files)

    # -- life cycle

    @classmethod
    def start(cls, repos: Mapping[str, Mapping[str, bytes] | Path | str] | None = None,
              **options: Any) -> FakeHub:
        """Create and start a hub (``repos`` default: the tiny model as TINY_REPO_ID)."""
        hub = cls(repos if repos is not None else {TINY_REPO_ID: tiny_repo()}, **options)
        return hub.serve()

    def serve(self) -> FakeHub:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; stalled and throttled responses are cut off."""
        self._stopping.set()
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> FakeHub:
        return self.serve()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``: pass as ``endpoint=`` or set as ``HF_ENDPOINT``."""
        if self._server is None:
            raise RuntimeError("the fake hub is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- content

    def add_repo(self, repo_id: str, files: Mapping[str, bytes] | Path | str) -> None:
        loaded = {name: _File.of(name, data) for name, data in _load_files(files).items()}
        digest = hashlib.sha1(repo_id.encode())
        for name in sorted(loaded):
            digest.update(name.encode() + b"\0" + loaded[name].sha256.encode())
        with self._cond:
            self._repos[repo_id] = _Repo(repo_id, loaded, digest.hexdigest())

    def commit(self, repo_id: str) -> str:
        return self._repos[repo_id].commit

    def file_bytes(self, repo_id: str, filename: str) -> bytes:
        return self._repos[repo_id].files[filename].data

    @staticmethod
    def key(repo_id: str, filename: str) -> str:
        return f"{repo_id}/{filename}"

    # -- faults and counters

    def release(self) -> None:
        """Let stalled responses (``stall_after``) go on; later ones are not stalled."""
        self._released.set()

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

    # -- used by the handler

    def _note_request(self, request: Request) -> None:
        with self._cond:
            self._requests.append(request)

    def _note_bytes(self, key: str, n: int) -> None:
        with self._cond:
            self._bytes[key] = self._bytes.get(key, 0) + n
            self._cond.notify_all()

    def _take_failure(self, body_len: int) -> int | None:
        with self._cond:
            if self.fail_after is None or self.fail_times <= 0 or body_len <= self.fail_after:
                return None
            self.fail_times -= 1
            return self.fail_after
