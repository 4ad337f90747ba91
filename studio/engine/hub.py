"""Talking to the Hugging Face hub: file listings, ranged file streams, and typed errors.

Qt-free and torch-free. ``studio.engine.download`` builds on it; nothing here touches disk.

Why a private ``requests.Session`` rather than huggingface_hub's ``get_session()``: the
shared session is built once per process and, when ``HF_HUB_OFFLINE=1`` was set at that
moment (the engine sets it while loading models, tests set it globally), every request fails
with an offline error. A download is something the user asked for explicitly, so it goes to
the network regardless of ``HF_HUB_OFFLINE``. huggingface_hub still provides the pieces that
must match the hub: URLs (``hf_hub_url``), headers and the token (``build_hf_headers``:
``HF_TOKEN``, the token file under ``HF_HOME``, ``HF_HUB_DISABLE_IMPLICIT_TOKEN``) and repo id
validation. Proxies from the environment (``HTTPS_PROXY``...) are honoured by requests.

The endpoint is, in order: the ``endpoint=`` argument, ``$HF_ENDPOINT`` read at call time
(huggingface_hub itself only reads it at import), then ``https://huggingface.co``.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from studio import __version__, paths
from studio.engine.errors import Cancelled
from studio.errors import NotFound, StudioError

DEFAULT_ENDPOINT = "https://huggingface.co"
CONNECT_TIMEOUT_S = 15.0
READ_TIMEOUT_S = 60.0  # a stalled transfer is retried (with a Range) after this long


# --- errors -------------------------------------------------------------------------------


class DownloadError(StudioError):
    """A model download that failed; what was already downloaded is kept for a resume."""

    code = "download_failed"


class HubUnreachable(DownloadError):
    """No network, DNS failure, connection refused or timed out, TLS failure."""

    code = "network"

    def __init__(self, host: str = "huggingface.co", detail: str | None = None) -> None:
        super().__init__(
            f"Could not reach {host}. Check your internet connection, or download the model "
            "elsewhere and use Models > Use a folder."
        )
        self.host = host
        self.detail = detail


class ConnectionLost(HubUnreachable):
    """The connection dropped mid-file more often than the retries allow."""

    def __init__(self, host: str = "huggingface.co", detail: str | None = None) -> None:
        StudioError.__init__(
            self,
            f"The connection to {host} was lost during the download. What was downloaded is "
            "kept: start the download again to resume where it stopped.",
        )
        self.host = host
        self.detail = detail


class HubError(DownloadError):
    """The hub answered with a server error (5xx), rate limit (429) or something unexpected."""

    code = "hub_error"

    def __init__(self, host: str, status: int, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"{host} answered with an error (HTTP {status}){extra}. Try again in a few minutes; "
            "what was downloaded is kept."
        )
        self.status = status


class RepoNotFound(DownloadError, NotFound):
    """Unknown repository (or a private one, which the hub hides from anonymous callers)."""

    code = "not_found"

    def __init__(self, repo_id: str, host: str = "huggingface.co", status: int = 404) -> None:
        super().__init__(
            f"There is no model called '{repo_id}' on {host} (or it is private). Check the "
            "name, e.g. Qwen/Qwen3-TTS-12Hz-0.6B-Base; for a private model, set a Hugging Face "
            "access token in the HF_TOKEN environment variable."
        )
        self.repo_id = repo_id
        self.status = status


class RevisionNotFound(DownloadError, NotFound):
    code = "not_found"

    def __init__(self, repo_id: str, revision: str) -> None:
        super().__init__(
            f"The model '{repo_id}' has no revision '{revision}'. Use 'main' (the default) or "
            "a commit, branch or tag that exists on the hub."
        )


class AccessDenied(DownloadError):
    """401/403: gated model whose conditions were not accepted, bad or missing token."""

    code = "access_denied"

    def __init__(self, repo_id: str, status: int, gated: bool = False,
                 host: str = "huggingface.co", bad_token: bool = False) -> None:
        page = f"https://{host}/{repo_id}"
        if gated:
            msg = (f"The model '{repo_id}' is gated: open {page}, log in and accept its "
                   "conditions, then set an access token of that account in the HF_TOKEN "
                   "environment variable and try again.")
        elif bad_token:
            msg = (f"{host} rejected the access token (HTTP {status}). Check or replace the "
                   "token in HF_TOKEN (or remove it for public models) and try again.")
        else:
            msg = (f"{host} refused access to '{repo_id}' (HTTP {status}). If the model is "
                   "private or gated, set an access token that can read it in the HF_TOKEN "
                   f"environment variable; see {page}.")
        super().__init__(msg)
        self.repo_id = repo_id
        self.status = status
        self.gated = gated


class DiskFull(DownloadError):
    code = "disk_full"

    def __init__(self, folder: str, needed: int | None = None, free: int | None = None) -> None:
        if needed is not None and free is not None:
            msg = (f"Not enough free disk space in {folder}: the download needs about "
                   f"{human_bytes(needed)} more, and {human_bytes(free)} is free. Free up space "
                   "or choose another models folder in Settings, then try again.")
        else:
            msg = (f"The disk holding {folder} is full. Free up space or choose another models "
                   "folder in Settings, then try again: what was downloaded is kept.")
        super().__init__(msg)
        self.needed = needed
        self.free = free


class ChecksumMismatch(DownloadError):
    code = "checksum"

    def __init__(self, repo_id: str, filename: str, what: str = "checksum") -> None:
        super().__init__(
            f"The downloaded file {filename} of '{repo_id}' did not match its {what} and was "
            "discarded. Try the download again; if it keeps failing, your connection or a "
            "proxy is altering the data."
        )
        self.filename = filename


class NotAModel(DownloadError):
    code = "invalid_input"

    def __init__(self, repo_id: str, reason: str, kind: str = "tts") -> None:
        what, example = (("a Whisper speech recognition model", "openai/whisper-small")
                         if kind == "asr" else
                         ("a Qwen3-TTS 12 Hz model", "Qwen/Qwen3-TTS-12Hz-0.6B-Base"))
        super().__init__(
            f"'{repo_id}' is not {what} ({reason}). Choose one of the models "
            f"listed in the Model manager, e.g. {example}."
        )


class FolderConflict(DownloadError):
    code = "conflict"

    def __init__(self, folder: str, repo_id: str) -> None:
        super().__init__(
            f"A folder {folder} already exists but is not a complete download of '{repo_id}'. "
            "Delete it or move it out of the models folder, then download again."
        )


class DownloadInProgress(DownloadError):
    code = "busy"

    def __init__(self, repo_id: str) -> None:
        super().__init__(
            f"'{repo_id}' is already being downloaded (in another window or by the command "
            "line). Wait for that download to finish, or cancel it first."
        )


class DownloadCancelled(Cancelled, DownloadError):
    """The caller cancelled; the partial data is kept and a later download resumes it."""

    code = "cancelled"

    def __init__(self, repo_id: str, done_bytes: int = 0, total_bytes: int = 0) -> None:
        pct = f" at {100 * done_bytes // total_bytes}%" if total_bytes else ""
        StudioError.__init__(
            self,
            f"The download of '{repo_id}' was cancelled{pct}. What was downloaded is kept: "
            "download it again to resume.",
        )
        self.repo_id = repo_id
        self.done_bytes = done_bytes
        self.total_bytes = total_bytes


class _Transient(Exception):
    """A retryable failure inside a transfer (dropped connection, 5xx, stall)."""

    def __init__(self, detail: str, server_error: HubError | None = None) -> None:
        super().__init__(detail)
        self.server_error = server_error


# --- helpers ------------------------------------------------------------------------------


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


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

    from studio.errors import InvalidInput

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
        kw.setdefault("timeout", (CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        try:
            return self.session.request(method, url, **kw)
        except requests.exceptions.SSLError as exc:
            raise HubUnreachable(self.host, f"TLS: {exc}") from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.ConnectTimeout) as exc:
            raise HubUnreachable(self.host, str(exc)) from exc
        except requests.exceptions.Timeout as exc:
            raise _Transient(f"timed out: {exc}") from exc
        except requests.exceptions.RequestException as exc:
            raise HubUnreachable(self.host, str(exc)) from exc

    def raise_for_status(self, r: requests.Response, repo_id: str, revision: str = "main",
                         filename: str | None = None) -> None:
        """Map an error answer to a typed error (``_Transient`` for retryable ones)."""
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
            raise _Transient(f"HTTP {status}", HubError(self.host, status, message))
        raise HubError(self.host, status, message)

    # -- API

    def file_url(self, repo_id: str, revision: str, filename: str) -> str:
        from huggingface_hub import hf_hub_url

        return hf_hub_url(repo_id, filename, revision=revision, endpoint=self.endpoint)

    def listing(self, repo_id: str, revision: str = "main") -> RepoListing:
        """Files, sizes and hashes of ``repo_id`` at ``revision`` (one API call)."""
        url = f"{self.endpoint}/api/models/{repo_id}"
        if revision != "main":
            url += f"/revision/{quote(revision, safe='')}"
        try:
            r = self._request("GET", url, params={"blobs": "true"})
        except _Transient as exc:
            raise HubUnreachable(self.host, str(exc)) from exc
        with contextlib.closing(r):
            try:
                self.raise_for_status(r, repo_id, revision)
            except _Transient as exc:
                raise exc.server_error or HubError(self.host, r.status_code) from None
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
        try:
            r = self._request("HEAD", self.file_url(repo_id, revision, filename),
                              allow_redirects=False, headers={"Accept-Encoding": "identity"})
        except _Transient as exc:
            raise HubUnreachable(self.host, str(exc)) from exc
        with contextlib.closing(r):
            try:
                self.raise_for_status(r, repo_id, revision, filename)
            except _Transient as exc:
                raise exc.server_error or HubError(self.host, r.status_code) from None
            size = r.headers.get("X-Linked-Size") or r.headers.get("Content-Length")
        if size is None:
            raise HubError(self.host, r.status_code, f"no size for {filename}")
        return int(size)

    def open(self, repo_id: str, revision: str, filename: str, offset: int) -> requests.Response:
        """A streaming GET of ``filename`` from byte ``offset`` (redirects followed).

        The answer is 200 (whole file; the server ignored the Range) or 206 from ``offset``;
        416 is returned as is for the caller to handle. Raises typed errors or ``_Transient``.
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
