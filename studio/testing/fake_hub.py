"""A fake Hugging Face hub on 127.0.0.1 for download tests (no real network, no sleeps in tests).

It answers the calls that ``studio.hub`` and huggingface_hub's own client make:

* ``GET /api/models/{repo}`` and ``/api/models/{repo}/revision/{rev}`` (``?blobs=true`` adds
  sizes, blob ids and LFS sha256 to ``siblings``), as ``HfApi().model_info`` expects;
* ``GET /api/models/{repo}/tree/{rev}[/{path}]`` (``?recursive=true``), as ``list_repo_tree``;
* ``HEAD`` / ``GET /{repo}/resolve/{rev}/{file}`` with ``ETag``, ``X-Repo-Commit``,
  ``Content-Length``, ``Accept-Ranges`` and, for LFS files, ``X-Linked-Size`` /
  ``X-Linked-Etag`` and a 302 to ``/_lfs/{sha256}`` (like the hub's CDN redirect);
* ``Range: bytes=N-`` / ``N-M`` (206 + ``Content-Range``; 416 past the end).

Faults, all plain attributes that a test may change between calls:

* ``throttle_bps``: serve file bodies at about this many bytes per second;
* ``fail_after`` / ``fail_times``: drop the connection after ``fail_after`` bytes of a file
  body, for the next ``fail_times`` responses that are longer than that;
* ``stall_after``: stop sending after this many bytes of a file body until :meth:`release`;
* ``status``: ``{repo_id: http_status}`` answered for everything about that repo;
* ``private`` (401 + ``X-Error-Code: RepoNotFound``, as the hub answers anonymous callers),
  ``gated`` (metadata readable, files 403 + ``X-Error-Code: GatedRepo``);
* ``corrupt``: file keys (``"repo/file"``) served with one byte flipped (sha mismatch);
* ``blobs_metadata``: ``False`` to leave sizes out of the model info (client must HEAD);
* ``honor_range``: ``False`` to answer Range requests with the whole file (200), like some
  proxies.

Counters: :attr:`bytes_served` (``{"repo/file": bytes}`` of file bodies sent),
:attr:`requests` (method, path, Range header) and :meth:`wait_for_bytes` to block a test until
a file is partly served (an event, not a sleep).

Use it as a context manager (``with FakeHub(repos) as hub:``), via :meth:`FakeHub.start`, or
as the ``fake_hub`` pytest fixture (``from studio.testing.fake_hub import fake_hub_fixture``), which
serves :func:`tiny_repo` as :data:`TINY_REPO_ID`.

The pieces: ``fake_hub_repos`` (content, e.g. :func:`tiny_repo`), ``fake_hub_state`` (repos,
faults, counters), ``fake_hub_handler`` (HTTP) and this module (the server's life cycle).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from http.server import ThreadingHTTPServer
from typing import Any

from studio.testing.fake_hub_handler import make_handler
from studio.testing.fake_hub_repos import TINY_REPO_ID, tiny_repo
from studio.testing.fake_hub_state import FakeHubState, RepoContent


class FakeHub(FakeHubState):
    """A threaded fake hub. ``repos`` maps repo ids to ``{path: bytes}`` or a folder."""

    def __init__(self, repos: Mapping[str, RepoContent] | None = None, **options: Any) -> None:
        super().__init__(repos, **options)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def start(cls, repos: Mapping[str, RepoContent] | None = None, **options: Any) -> FakeHub:
        """Create and start a hub (``repos`` default: the tiny model as TINY_REPO_ID)."""
        hub = cls(repos if repos is not None else {TINY_REPO_ID: tiny_repo()}, **options)
        return hub.serve()

    def serve(self) -> FakeHub:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; stalled and throttled responses are cut off."""
        self.stopping.set()
        self.released.set()
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


# --- pytest -------------------------------------------------------------------------------

try:
    import pytest
except ImportError:  # pragma: no cover - only the tests need the fixture
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture(name="fake_hub")
    def fake_hub_fixture() -> Iterator[FakeHub]:
        """The ``fake_hub`` fixture: a running FakeHub serving :func:`tiny_repo` as
        :data:`TINY_REPO_ID`. Use it with ``from studio.testing.fake_hub import
        fake_hub_fixture  # noqa: F401`` in a test module or conftest."""
        hub = FakeHub.start()
        try:
            yield hub
        finally:
            hub.stop()
