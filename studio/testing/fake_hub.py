"""A fake Hugging Face hub on 127.0.0.1 for download tests (no real network, no sleeps in tests).

It answers the calls that ``studio.engine.download`` and huggingface_hub's own client make:

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

The pieces: ``fake_hub_repos`` (content), ``fake_hub_server`` (:class:`FakeHub`) and
``fake_hub_handler`` (HTTP); every name is re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterator

from studio.testing.fake_hub_handler import Request, _Handler, _make_handler  # noqa: F401
from studio.testing.fake_hub_repos import (  # noqa: F401
    LFS_MIN_SIZE,
    LFS_SUFFIXES,
    TINY_REPO_ID,
    _fake_safetensors,
    _File,
    _lfs_pointer,
    _load_files,
    _Repo,
    git_blob_id,
    tiny_repo,
)
from studio.testing.fake_hub_server import FakeHub

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
