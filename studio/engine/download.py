"""Download published Qwen3-TTS models from the Hugging Face hub into the models folder.

Qt-free and torch-free; every call blocks, so the GUI runs it in a worker thread and the CLI
in its main thread. Nothing is downloaded unless :func:`download` is called.

Layout (``<models>`` is ``studio.paths.models_dir()`` unless ``models_dir=`` is given)::

    <models>/.downloading/<name>/           staging: finished files + ``<file>.incomplete``
    <models>/.downloading/<name>.lock       held (flock/msvcrt) while a download runs
    <models>/<name>/                        the model, renamed into place when complete

``<name>`` is the repo's name (``Qwen/Qwen3-TTS-12Hz-0.6B-Base`` -> ``Qwen3-TTS-12Hz-0.6B-Base``).
Discovery only looks at direct children of ``<models>`` with a ``config.json``, so a
half-downloaded model is never listed. A finished model folder carries a small
``.studio-download.json`` (repo, commit, file sizes and hashes); it lets :func:`download`
return at once, without the network, when the model is already there.

Public API::

    plan(model, models_dir=None, *, revision="main", endpoint=None, token=None) -> DownloadPlan
    download(model, models_dir=None, progress=None, cancel=None, *, revision="main",
             endpoint=None, token=None, retries=3, progress_interval=0.1) -> Path
    partial_state(model, models_dir=None) -> PartialDownload | None
    installed_path(model, models_dir=None) -> Path | None
    discard_partial(model, models_dir=None) -> bool
    delete_model(path, models_dir=None, *, to_trash=False) -> Path | None
    resolve_repo_id(model) -> str

``model`` is a hub id (``Qwen/Qwen3-TTS-12Hz-0.6B-Base``), a catalog folder name
(``Qwen3-TTS-12Hz-0.6B-Base``, case-insensitive) or a ``catalog.CatalogEntry``. Transcription
models (``catalog.ASR_CATALOG``, e.g. ``whisper-small``) download the same way; only the files
their entry lists are fetched, and ``check_model`` checks them for a Whisper model instead.

Progress: ``progress(DownloadProgress)`` is called in the downloading thread, at most about
once per ``progress_interval`` seconds (state changes to ``finishing``/``done``/``cancelled``/
``failed`` always come through). ``done_bytes`` counts what is on disk, resumed bytes
included; it only goes back if a partial file turns out unusable and is fetched again.

Cancel: set the ``cancel`` ``threading.Event`` from any thread. The transfer stops within
about 0.1 s, even inside a file or on a stalled connection (the socket is shut down), and
:class:`DownloadCancelled` is raised. Partial files are kept; the next :func:`download`
resumes each file with an HTTP Range request.

Integrity: every file's size is checked, LFS files (the weights) against the hub's sha256,
other files against their git blob id. A file that fails is deleted (a resumed one is fetched
once more from scratch) and :class:`ChecksumMismatch` is raised.

Errors (all ``StudioError``; ``str(e)`` says what to do): :class:`HubUnreachable` (no
network, DNS, refused; "Could not reach huggingface.co..."), :class:`ConnectionLost`,
:class:`RepoNotFound`, :class:`RevisionNotFound`, :class:`AccessDenied` (401/403, gated),
:class:`HubError` (5xx after retries), :class:`DiskFull` (checked before starting with a margin,
and on ENOSPC while writing), :class:`ChecksumMismatch`, :class:`NotAModel`,
:class:`FolderConflict`, :class:`DownloadInProgress`, :class:`DownloadCancelled` (also an
``engine.errors.Cancelled``). All derive from :class:`DownloadError`.

Environment: ``HF_ENDPOINT`` is read at call time (``endpoint=`` wins); the token comes from
``token=``, ``HF_TOKEN`` or the token file under ``HF_HOME``, which :func:`download` points at
``<root>/cache/huggingface`` unless the user set ``HF_HOME``/``HF_HUB_CACHE``.
``HF_HUB_OFFLINE`` is deliberately ignored: it guards implicit network use by libraries (the
engine sets it while loading), while a download is an explicit request.

The work is split by job; this module runs a download and re-exports every name callers
use: ``download_layout`` (folders, manifest, which repo a name means), ``download_plan``
(listing vs disk, partial state), ``download_staging`` (space check, move into place),
``download_transfer`` (ranged GETs, resume, retries, cancel), ``download_verify`` (sizes,
hashes, model kind), ``download_progress``, ``download_locks`` and ``download_removal``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from pathlib import Path

from studio.engine import catalog

# Every name the single-file module defined, or imported from studio, is re-exported:
# callers and tests use ``dl.<name>``, private ones included. ``download`` hands this
# module's ``_write`` to the transfer, so patching ``dl._write`` still reaches every write.
from studio.engine.download_layout import (  # noqa: F401
    DEFAULT_IGNORE,
    DELETING_DIR,
    MANIFEST,
    PART_SUFFIX,
    STAGING_DIR,
    _folder_name,
    _installed_offline,
    _manifest_entry,
    _manifest_total,
    _models_root,
    _on_disk,
    _only_files,
    _read_info,
    _read_manifest,
    installed_path,
    model_kind_of,
    resolve_repo_id,
)
from studio.engine.download_locks import _DownloadLock
from studio.engine.download_plan import (  # noqa: F401
    DownloadPlan,
    PartialDownload,
    PlannedFile,
    _make_plan,
    partial_state,
    plan,
)
from studio.engine.download_progress import (  # noqa: F401
    _SPEED_WINDOW_S,
    CANCELLED,
    CHECKING,
    DONE,
    DOWNLOADING,
    FAILED,
    FINISHING,
    VERIFYING,
    DownloadProgress,
    ProgressCallback,
    _Reporter,
)
from studio.engine.download_removal import _remove_tree, delete_model, discard_partial  # noqa: F401
from studio.engine.download_staging import (  # noqa: F401
    SPACE_MARGIN_BYTES,
    _check_space,
    _finish,
    _prepare_staging,
    _write_manifest,
)
from studio.engine.download_transfer import (  # noqa: F401
    CHUNK,
    _CancelNow,
    _CancelWatch,
    _content_range,
    _is_disk_full,
    _Job,
    _write,
)
from studio.engine.download_verify import _check_listing_is_model
from studio.engine.hub import (  # noqa: F401
    AccessDenied,
    ChecksumMismatch,
    ConnectionLost,
    DiskFull,
    DownloadCancelled,
    DownloadError,
    DownloadInProgress,
    FolderConflict,
    HubClient,
    HubError,
    HubUnreachable,
    NotAModel,
    RepoFile,
    RepoListing,
    RepoNotFound,
    RevisionNotFound,
    _Transient,
    abort_response,
    check_repo_id,
    human_bytes,
    resolve_endpoint,
)


def download(model: str | catalog.CatalogEntry, models_dir: Path | str | None = None,
             progress: ProgressCallback | None = None, cancel: threading.Event | None = None, *,
             revision: str = "main", endpoint: str | None = None,
             token: str | bool | None = None, retries: int = 3,
             progress_interval: float = 0.1, check_model: bool = True,
             ignore: Iterable[str] = DEFAULT_IGNORE, model_kind: str | None = None) -> Path:
    """Download ``model`` into ``<models>/<name>/`` and return that folder.

    Resumes what an earlier call left; returns at once (no network) when the model is
    already complete. An installed model is returned as it is (no update check): delete it
    with :func:`delete_model` to fetch a newer revision. ``retries`` is how many times in a row a dropped connection, stall or
    server error is retried (with a Range request) before giving up. ``check_model`` refuses
    repos that are not models of ``model_kind`` (checked on the listing and on
    ``config.json``, before the weights are fetched): ``"tts"`` (Qwen3-TTS) or ``"asr"``
    (Whisper); by default ``"asr"`` for the transcription catalog's repos, else ``"tts"``.
    """
    repo_id = resolve_repo_id(model)
    kind = model_kind or model_kind_of(repo_id)
    models = _models_root(models_dir, ensure=True)
    name = _folder_name(repo_id)
    target = models / name
    report = _Reporter(repo_id, progress, progress_interval)
    if _installed_offline(target, repo_id):
        report.finish(DONE, _manifest_total(target))
        return target
    watch_cancel = cancel is not None
    cancel = cancel or threading.Event()
    staging_root = models / STAGING_DIR
    staging_root.mkdir(parents=True, exist_ok=True)
    try:
        with _DownloadLock(staging_root / f"{name}.lock", repo_id, staging_root / name) as lock, \
                HubClient(endpoint, token) as client:
            if _installed_offline(target, repo_id):  # finished by someone else meanwhile
                report.finish(DONE, _manifest_total(target))
                return target
            if cancel.is_set():
                raise DownloadCancelled(repo_id)
            report.emit(CHECKING, force=True)
            listing = client.listing(repo_id, revision)
            pl = _make_plan(listing, revision, models, client.endpoint, tuple(ignore),
                            _only_files(repo_id))
            report.start(pl)
            if pl.installed:
                report.finish(DONE)
                return target
            if pl.conflict:
                raise FolderConflict(str(target), repo_id)
            if check_model:
                _check_listing_is_model(pl, kind)
            _check_space(pl, staging_root)
            _prepare_staging(pl)
            job = _Job(client, pl, report, cancel, retries, watch_cancel, write=_write)
            job.run(kind if check_model else None)
            report.emit(FINISHING, force=True)
            _finish(pl)
            lock.remove_file = True
            report.finish(DONE)
            return target
    except DownloadCancelled:
        with contextlib.suppress(Exception):  # never hide the error behind a callback's own
            report.finish(CANCELLED)
        raise
    except BaseException:
        with contextlib.suppress(Exception):
            report.finish(FAILED)
        raise


__all__ = [
    "CANCELLED", "CHECKING", "DONE", "DOWNLOADING", "FAILED", "FINISHING", "VERIFYING",
    "AccessDenied", "ChecksumMismatch", "ConnectionLost", "DiskFull", "DownloadCancelled",
    "DownloadError", "DownloadInProgress", "DownloadPlan", "DownloadProgress", "FolderConflict",
    "HubError", "HubUnreachable", "NotAModel", "PartialDownload", "PlannedFile",
    "ProgressCallback", "RepoNotFound", "RevisionNotFound", "delete_model", "discard_partial",
    "download", "installed_path", "partial_state", "plan", "resolve_endpoint", "resolve_repo_id",
]
