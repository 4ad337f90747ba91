"""Talking to the Hugging Face hub over HTTP: file listings, sizes and ranged file streams.

Nothing here touches disk; the download modules build on it.

Why a private ``requests.Session`` rather than huggingface_hub's ``get_session()``: the
shared session is built once per process and, when ``HF_HUB_OFFLINE=1`` was set at that
moment (the engine sets it while loading models, tests set it globally), every request fails
with an offline error. A download is something the user asked for explicitly, so it goes to
the network regardless of ``HF_HUB_OFFLINE``. huggingface_hub still provides the pieces that
must match the hub: URLs (``hf_hub_url``), headers and the token (``build_hf_headers``:
``HF_TOKEN``, the token file under ``HF_HOME``, ``HF_HUB_DISABLE_IMPLICIT_TOKEN``) and repo id
validation. Proxies from the environment (``HTTPS_PROXY``...) are honoured by requests.
requests and huggingface_hub are imported on first use, so listing the catalog or the
models on disk costs no HTTP stack.

The endpoint is, in order: the ``endpoint=`` argument, ``$HF_ENDPOINT`` read at call time
(huggingface_hub itself only reads it at import), then ``https://huggingface.co``.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from studio import __version__, paths
from studio.errors import InvalidInput
from studio.hub.errors import (
    AccessDenied,
    DownloadError,
    HubError,
    HubUnreachable,
    RepoNotFound,
    RevisionNotFound,
    TransientError,
)

if TYPE_CHECKING:
    import requests

DEFAULT_ENDPOINT = "https://huggingface.co"
CONNECT_TIMEOUT_S = 15.0
READ_TIMEOUT_S = 60.0  # a stalled transfer is retried (with a Range) after this long


# --- helpers ------------------------------------------------------------------------------


def resolve_endpoint(endpoint: str | None = None) -> str:
    return (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def configure_hf_environment() -> None:
    """Keep Hugging Face's cache, token and xet folders under the app's per-user root.

    Sets ``HF_HOME`` to ``<cache>/huggingface`` unless the user set ``HF_HOME`` or
    ``HF_HUB_CACHE``. huggingface_hub reads these at import, so this only takes full effect
    if it runs before the first import; downloads themselves never use the HF cache.
    """
    if "HF_HOME" not in os.environ and "HF_HUB_CACHE" not in os.environ:
        os.environ["HF_HOME"] = str(paths.cache_dir() / "huggingface")


def check_repo_id(repo_id: str) -> str:
    configure_hf_environment()  # before huggingface_hub is first imported
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise InvalidInput(f"'{repo_id}' is not a valid model id. Use the form owner/name, "
                           "e.g. Qwen/Qwen3-TTS-12Hz-0.6B-Base.") from exc
    return repo_id


def safe_relpath(name: str) -> str:
    """A repo file path that cannot escape the download folder, or DownloadError."""
    norm = posixpath.normpath(name.replace("\\", "/"))
    parts = norm.split("/")
    if (not name or norm.startswith("/") or ":" in parts[0] or ".." in parts
            or norm in (".", "") or any(p.startswith(".studio") for p in parts)
            or norm.endswith(".incomplete")):
        raise DownloadError(f"The hub listed a file with an unsafe name ({name!r}); "
                            "refusing to download it.")
    return norm


# --- listing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepoFile:
    path: str  # posix, relative to the repo root
    size: int
    sha256: str | None = None  # LFS files: the content's sha256
    blob_id: str | None = None  # git blob id (verifies non-LFS files)

    @property
    def is_lfs(self) -> bool:
        return self.sha256 is not None


@dataclass(frozen=True)
class RepoListing:
    repo_id: str
    commit: str  # the commit every file is fetched from, so a download is consistent
    files: tuple[RepoFile, ...]
    gated: bool = False
    private: bool = False


class HubClient:
    """One download's connection to the hub (a private requests session)."""

    def __init__(self, endpoint: str | None = None, token: str | bool | None = None) -> None:
        configure_hf_environment()  # before huggingface_hub is first imported
        import requests
        from huggingface_hub.utils import build_hf_headers

        self.endpoint = resolve_endpoint(endpoint)
        self.host = urlsplit(self.endpoint).netloc or self.endpoint
        self.session = requests.Session()
        self.session.headers.update(build_hf_headers(
            token=token, library_name="voice-studio", library_version=__version__))

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests

    def _request(self, method: str, url: str, **kw: Any) -> requests.Response:
        import requests

        kw.setdefault("timeout", (CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        try:
            return self.session.request(method, url, **kw)
        except requests.exceptions.SSLError as exc:
            raise HubUnreachable(self.host, f"TLS: {exc}") from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.ConnectTimeout) as exc:
            raise HubUnreachable(self.host, str(exc)) from exc
        except requests.exceptions.Timeout as exc:
            raise TransientError(f"timed out: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            raise HubUnreachable(self.host, str(exc)) from exc

    def raise_for_status(self, r: requests.Response, repo_id: str, revision: str = "main",
                         filename: str | None = None) -> None:
        """Map an error answer to a typed error (``TransientError`` for retryable ones)."""
        if r.status_code < 400:
            return
        code = r.headers.get("X-Error-Code", "")
        message = r.headers.get("X-Error-Message", "")
        status = r.status_code
        if code == "GatedRepo":
            raise AccessDenied(repo_id, status, gated=True, host=self.host)
        if code == "RevisionNotFound":
            raise RevisionNotFound(repo_id, revision)
        if code == "EntryNotFound" or (filename and status == 404 and code != "RepoNotFound"):
            raise DownloadError(
                f"The file {filename} is no longer in '{repo_id}' (the model changed on the hub "
                "while downloading). Start the download again.")
        if message == "Invalid credentials in Authorization header":
            raise AccessDenied(repo_id, status, host=self.host, bad_token=True)
        if code == "RepoNotFound" or status == 404:
            raise RepoNotFound(repo_id, self.host, status)
        if status in (401, 403):
            raise AccessDenied(repo_id, status, host=self.host)
        if status == 429 or status >= 500:
            raise TransientError(f"HTTP {status}", HubError(self.host, status, message))
        raise HubError(self.host, status, message)

    def _metadata(self, method: str, url: str, repo_id: str, revision: str,
                  filename: str | None = None, **kw: Any) -> requests.Response:
        """A checked metadata request: nothing here is retried, so a stall is unreachable
        and a retryable status is final (the response is closed on any error)."""
        try:
            r = self._request(method, url, **kw)
        except TransientError as exc:
            raise HubUnreachable(self.host, str(exc)) from exc
        try:
            self.raise_for_status(r, repo_id, revision, filename)
        except TransientError as exc:
            r.close()
            raise exc.server_error or HubError(self.host, r.status_code) from None
        except BaseException:
            r.close()
            raise
        return r

    # -- API

    def file_url(self, repo_id: str, revision: str, filename: str) -> str:
        from huggingface_hub import hf_hub_url

        return hf_hub_url(repo_id, filename, revision=revision, endpoint=self.endpoint)

    def listing(self, repo_id: str, revision: str = "main") -> RepoListing:
        """Files, sizes and hashes of ``repo_id`` at ``revision`` (one API call)."""
        url = f"{self.endpoint}/api/models/{repo_id}"
        if revision != "main":
            url += f"/revision/{quote(revision, safe='')}"
        with contextlib.closing(self._metadata("GET", url, repo_id, revision,
                                               params={"blobs": "true"})) as r:
            try:
                data = r.json()
            except ValueError as exc:
                raise HubError(self.host, r.status_code, "not a JSON answer") from exc
        commit = str(data.get("sha") or revision)
        files = []
        for sib in data.get("siblings") or []:
            name = safe_relpath(str(sib["rfilename"]))
            lfs = sib.get("lfs") or {}
            size = sib.get("size", lfs.get("size"))
            if size is None:
                size = self.file_size(repo_id, commit, name)
            files.append(RepoFile(name, int(size), lfs.get("sha256"), sib.get("blobId")))
        return RepoListing(repo_id, commit, tuple(files), bool(data.get("gated")),
                           bool(data.get("private")))

    def file_size(self, repo_id: str, revision: str, filename: str) -> int:
        """Size from a HEAD on the resolve URL (``X-Linked-Size`` for LFS redirects)."""
        with contextlib.closing(self._metadata(
                "HEAD", self.file_url(repo_id, revision, filename), repo_id, revision, filename,
                allow_redirects=False, headers={"Accept-Encoding": "identity"})) as r:
            size = r.headers.get("X-Linked-Size") or r.headers.get("Content-Length")
        if size is None:
            raise HubError(self.host, r.status_code, f"no size for {filename}")
        return int(size)

    def open(self, repo_id: str, revision: str, filename: str, offset: int) -> requests.Response:
        """A streaming GET of ``filename`` from byte ``offset`` (redirects followed).

        The answer is 200 (whole file; the server ignored the Range) or 206 from ``offset``;
        416 is returned as is for the caller to handle. Raises typed errors or ``TransientError``.
        """
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        r = self._request("GET", self.file_url(repo_id, revision, filename), stream=True,
                          headers=headers)
        if r.status_code == 416:
            return r
        try:
            self.raise_for_status(r, repo_id, revision, filename)
        except BaseException:
            r.close()
            raise
        return r


def abort_response(r: requests.Response) -> None:
    """Unblock a thread reading ``r`` (from another thread): shut its socket down."""
    with contextlib.suppress(Exception):
        conn = getattr(r.raw, "connection", None) or getattr(r.raw, "_connection", None)
        sock = getattr(conn, "sock", None)
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
