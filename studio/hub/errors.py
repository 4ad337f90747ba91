"""Typed download errors: ``str(e)`` tells the user what to do next.

Apart from the HTTP client so that the download modules, the CLI and the UI can raise and
catch them without importing requests or huggingface_hub.
"""

from __future__ import annotations

from studio.errors import Cancelled, NotFound, StudioError
from studio.humanize import human_bytes


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


class TransientError(Exception):
    """A retryable failure inside a transfer (dropped connection, 5xx, stall); never shown
    to the user: the transfer retries it, then raises a DownloadError."""

    def __init__(self, detail: str, server_error: HubError | None = None) -> None:
        super().__init__(detail)
        self.server_error = server_error
        self.progressed = 0  # bytes the failed attempt received: progress resets the retries
