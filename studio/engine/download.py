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
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio import paths
from studio.engine import catalog
from studio.engine.hub import (
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
from studio.errors import InvalidInput, NotFound, StudioError
from studio.fsutil import atomic_write_json, fsync_dir, fsync_tree

STAGING_DIR = ".downloading"
DELETING_DIR = ".deleting"
MANIFEST = ".studio-download.json"
PART_SUFFIX = ".incomplete"
DEFAULT_IGNORE = (".gitattributes",)
CHUNK = 1 << 16
SPACE_MARGIN_BYTES = 64 * 1024 * 1024  # plus 1% of the download
_SPEED_WINDOW_S = 5.0

# states of DownloadProgress.state
CHECKING = "checking"  # listing the repo, checking what is already on disk
DOWNLOADING = "downloading"
VERIFYING = "verifying"  # hashing a partial file before resuming it
FINISHING = "finishing"  # moving the complete folder into place
DONE = "done"
CANCELLED = "cancelled"
FAILED = "failed"


# --- data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadProgress:
    """One progress report. ``eta_s`` is None until a speed is known."""

    repo_id: str
    state: str
    file: str | None  # the file being fetched (repo path), if any
    done_bytes: int
    total_bytes: int
    speed_bps: float
    eta_s: float | None
    file_done: int = 0
    file_total: int = 0
    files_done: int = 0
    files_total: int = 0

    @property
    def fraction(self) -> float:
        return self.done_bytes / self.total_bytes if self.total_bytes else 0.0

    def describe(self) -> str:
        """One line for a status bar or a terminal."""
        head = {CHECKING: "Checking", DOWNLOADING: "Downloading", VERIFYING: "Verifying",
                FINISHING: "Finishing", DONE: "Downloaded", CANCELLED: "Paused",
                FAILED: "Failed"}.get(self.state, self.state)
        if not self.total_bytes:
            return f"{head} {self.repo_id}"
        text = (f"{head} {self.repo_id}: {human_bytes(self.done_bytes)} of "
                f"{human_bytes(self.total_bytes)} ({100 * self.fraction:.0f}%)")
        if self.state == DOWNLOADING and self.speed_bps > 0:
            text += f", {human_bytes(self.speed_bps)}/s"
            if self.eta_s is not None:
                text += f", {_human_duration(self.eta_s)} left"
        return text


ProgressCallback = Callable[[DownloadProgress], None]


@dataclass(frozen=True)
class PlannedFile:
    path: str
    size: int
    sha256: str | None
    blob_id: str | None
    have: int  # bytes already on disk (complete file or partial)
    complete: bool

    @property
    def remaining(self) -> int:
        return 0 if self.complete else self.size - self.have


@dataclass(frozen=True)
class DownloadPlan:
    """What a download of ``repo_id`` involves, given what is already on disk."""

    repo_id: str
    revision: str
    commit: str
    folder_name: str
    target: Path  # <models>/<name>, the final folder
    staging: Path  # <models>/.downloading/<name>
    endpoint: str
    files: tuple[PlannedFile, ...]
    gated: bool = False
    installed: bool = False  # target already holds every file
    conflict: bool = False  # target exists but is something else / incomplete

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def have_bytes(self) -> int:
        return sum(f.size if f.complete else f.have for f in self.files)

    @property
    def remaining_bytes(self) -> int:
        return self.total_bytes - self.have_bytes

    @property
    def fraction(self) -> float:
        return self.have_bytes / self.total_bytes if self.total_bytes else 1.0


@dataclass(frozen=True)
class PartialDownload:
    """An interrupted (or running) download found on disk; no network needed."""

    repo_id: str
    folder: Path  # the staging folder
    done_bytes: int
    total_bytes: int
    files_done: int
    files_total: int
    active: bool  # a download is running right now (this or another process)
    updated_at: float  # time.time() of the last write

    @property
    def fraction(self) -> float:
        return self.done_bytes / self.total_bytes if self.total_bytes else 0.0

    def describe(self) -> str:
        what = "Downloading" if self.active else "Paused"
        return (f"{what}, {100 * self.fraction:.0f}% downloaded "
                f"({human_bytes(self.done_bytes)} of {human_bytes(self.total_bytes)})")


# --- public API ----------------------------------------------------------------------------


def resolve_repo_id(model: str | catalog.CatalogEntry) -> str:
    """A hub id from a hub id, a catalog folder name or a CatalogEntry."""
    if isinstance(model, catalog.CatalogEntry):
        return model.repo_id
    text = str(model).strip()
    entry = catalog.find_any(text)
    if entry is not None:
        return entry.repo_id
    if "/" not in text:
        names = ", ".join(e.folder_name for e in (*catalog.CATALOG, *catalog.ASR_CATALOG))
        raise InvalidInput(f"There is no model called '{text}' in the catalog. Use one of: "
                           f"{names}, or a Hugging Face id like owner/name.")
    return check_repo_id(text)


def plan(model: str | catalog.CatalogEntry, models_dir: Path | str | None = None, *,
         revision: str = "main", endpoint: str | None = None, token: str | bool | None = None,
         ignore: Iterable[str] = DEFAULT_IGNORE) -> DownloadPlan:
    """List the repo on the hub (one request) and compare it with what is on disk."""
    repo_id = resolve_repo_id(model)
    models = _models_root(models_dir)
    with HubClient(endpoint, token) as client:
        listing = client.listing(repo_id, revision)
    return _make_plan(listing, revision, models, client.endpoint, tuple(ignore),
                      _only_files(repo_id))


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
            job = _Job(client, pl, report, cancel, retries, watch_cancel)
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


def partial_state(model: str | catalog.CatalogEntry,
                  models_dir: Path | str | None = None) -> PartialDownload | None:
    """An interrupted or running download of ``model``, from disk alone; None if none."""
    repo_id = resolve_repo_id(model)
    models = _models_root(models_dir)
    name = _folder_name(repo_id)
    staging = models / STAGING_DIR / name
    manifest = _read_manifest(staging)
    if manifest is None or manifest.get("repo_id") != repo_id:
        return None
    done = files_done = total = 0
    files = manifest.get("files") or []
    for entry in files:
        size = int(entry["size"])
        total += size
        have, complete = _on_disk(staging, entry["path"], size)
        done += size if complete else have
        files_done += complete
    active = _DownloadLock.is_held(models / STAGING_DIR / f"{name}.lock")
    updated = 0.0
    with contextlib.suppress(OSError):
        updated = max(p.stat().st_mtime for p in [staging, *staging.rglob("*")])
    return PartialDownload(repo_id, staging, done, total, files_done, len(files), active,
                           updated)


def installed_path(model: str | catalog.CatalogEntry,
                   models_dir: Path | str | None = None) -> Path | None:
    """``<models>/<name>`` if it holds a usable model (downloaded or copied there)."""
    repo_id = resolve_repo_id(model)
    target = _models_root(models_dir) / _folder_name(repo_id)
    info = _read_info(target, model_kind_of(repo_id))
    return target if info is not None and info.usable else None


def model_kind_of(repo_id: str) -> str:
    """``"asr"`` for the transcription catalog's repos, else ``"tts"``."""
    return "asr" if catalog.find_asr(repo_id) is not None else "tts"


def _only_files(repo_id: str) -> tuple[str, ...]:
    entry = catalog.find_any(repo_id)
    return entry.files if entry is not None else ()


def _read_info(folder: Path, kind: str) -> Any:
    """The folder's ModelInfo (voice) or AsrModelInfo (transcription), or None."""
    if kind == "asr":
        from studio.audio.asr_models import read_asr_info

        return read_asr_info(folder)
    from studio.engine.models import read_model_info

    return read_model_info(folder)


def discard_partial(model: str | catalog.CatalogEntry,
                    models_dir: Path | str | None = None) -> bool:
    """Delete an interrupted download's partial data. False if there was none."""
    repo_id = resolve_repo_id(model)
    models = _models_root(models_dir)
    name = _folder_name(repo_id)
    staging_root = models / STAGING_DIR
    if not (staging_root / name).exists():
        return False
    with _DownloadLock(staging_root / f"{name}.lock", repo_id) as lock:
        _remove_tree(staging_root / name, models)
        lock.remove_file = True
    return True


def delete_model(path: Path | str, models_dir: Path | str | None = None, *,
                 to_trash: bool = False) -> Path | None:
    """Delete a model folder that sits directly inside the models folder.

    Refuses anything else (the models folder itself, paths outside it, hidden/internal
    folders, folders that are not models). The folder first disappears from discovery in
    one rename; then it is deleted, or with ``to_trash`` moved to ``<root>/trash/models/``
    (returned) when that is on the same disk. A symlink is removed, never its target.
    """
    models = _models_root(models_dir)
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = Path.cwd() / p
    try:
        models_real = models.resolve(strict=True)
        parent_real = p.parent.resolve(strict=True)
    except OSError as exc:
        raise NotFound(f"There is no model folder at {p}.") from exc
    if (parent_real != models_real or p.name in ("", ".", "..") or p.name.startswith(".")):
        raise InvalidInput(f"Refusing to delete {p}: only model folders directly inside the "
                           f"models folder ({models}) can be deleted from the app.")
    if p.is_symlink():
        p.unlink()
        return None
    if not p.is_dir():
        raise NotFound(f"There is no model folder at {p}.")
    if (_read_info(p, "tts") is None and _read_info(p, "asr") is None
            and not (p / MANIFEST).is_file()):
        raise InvalidInput(f"Refusing to delete {p}: it does not look like a model folder. "
                           "Remove it with your file manager if you are sure.")
    tomb_root = models / DELETING_DIR
    tomb = tomb_root / f"{p.name}-{uuid.uuid4().hex[:8]}"
    try:
        tomb_root.mkdir(exist_ok=True)
        os.replace(p, tomb)
    except OSError as exc:
        raise StudioError(f"Could not delete {p}: {exc.strerror or exc}. Unload the model and "
                          "close programs using its files, then try again.") from exc
    fsync_dir(models)
    kept = None
    if to_trash:
        dest = paths.trash_dir(ensure=True) / "models" / f"{p.name}-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tomb, dest)
            kept = dest
        except OSError:  # another disk: a copy would be slow and fill it; delete instead
            kept = None
    if kept is None:
        _remove_tree(tomb, models)
    # leftovers of earlier interrupted deletes
    for old in list(tomb_root.iterdir()) if tomb_root.is_dir() else []:
        _remove_tree(old, models)
    with contextlib.suppress(OSError):
        tomb_root.rmdir()
    return kept


# --- planning ------------------------------------------------------------------------------


def _models_root(models_dir: Path | str | None, ensure: bool = False) -> Path:
    root = Path(models_dir).expanduser() if models_dir is not None else paths.models_dir()
    if ensure:
        root.mkdir(parents=True, exist_ok=True)
    return root


def _folder_name(repo_id: str) -> str:
    return repo_id.rstrip("/").split("/")[-1]


def _manifest_entry(f: RepoFile | PlannedFile) -> dict[str, Any]:
    return {"path": f.path, "size": f.size, "sha256": f.sha256, "blob_id": f.blob_id}


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _manifest_total(folder: Path) -> int:
    manifest = _read_manifest(folder) or {}
    return sum(int(e.get("size", 0)) for e in manifest.get("files") or [])


def _on_disk(folder: Path, rel: str, size: int) -> tuple[int, bool]:
    """(bytes present, complete) for one file of a staging folder."""
    try:
        if (folder / rel).stat().st_size == size:
            return size, True
    except OSError:
        pass
    try:
        have = (folder / (rel + PART_SUFFIX)).stat().st_size
    except OSError:
        return 0, False
    return (have, False) if have <= size else (0, False)


def _installed_offline(target: Path, repo_id: str) -> bool:
    """True when ``target`` is our complete download of ``repo_id`` (sizes checked)."""
    manifest = _read_manifest(target)
    if not manifest or manifest.get("repo_id") != repo_id or not manifest.get("complete"):
        return False
    try:
        return all((target / e["path"]).stat().st_size == int(e["size"])
                   for e in manifest.get("files") or [])
    except (OSError, KeyError, TypeError, ValueError):
        return False


def _make_plan(listing: RepoListing, revision: str, models: Path, endpoint: str,
               ignore: tuple[str, ...], only: tuple[str, ...] = ()) -> DownloadPlan:
    name = _folder_name(listing.repo_id)
    target = models / name
    staging = models / STAGING_DIR / name
    wanted = [f for f in listing.files if f.path not in ignore and not f.path.endswith(PART_SUFFIX)
              and (not only or f.path in only)]
    installed = conflict = False
    if target.exists():
        try:
            installed = all((target / f.path).stat().st_size == f.size for f in wanted)
        except OSError:
            installed = False
        conflict = not installed
    known = {e["path"]: e for e in (_read_manifest(staging) or {}).get("files") or []
             if isinstance(e, dict) and "path" in e}
    files = []
    for f in wanted:
        if installed:
            files.append(PlannedFile(f.path, f.size, f.sha256, f.blob_id, f.size, True))
            continue
        have, complete = 0, False
        if known.get(f.path) == _manifest_entry(f):
            have, complete = _on_disk(staging, f.path, f.size)
        files.append(PlannedFile(f.path, f.size, f.sha256, f.blob_id, have, complete))
    return DownloadPlan(listing.repo_id, revision, listing.commit, name, target, staging,
                        endpoint, tuple(files), listing.gated, installed, conflict)


def _check_listing_is_model(pl: DownloadPlan, kind: str = "tts") -> None:
    if kind == "asr":
        from studio.audio.asr_models import REQUIRED_FILES
    else:
        from studio.engine.models import REQUIRED_FILES

    present = {f.path for f in pl.files}
    missing = [f for f in REQUIRED_FILES if f not in present]
    if kind == "asr" and "model.safetensors" not in present:
        missing.append("model.safetensors")
    if missing:
        raise NotAModel(pl.repo_id, f"it has no {', '.join(missing)}", kind)


def _check_space(pl: DownloadPlan, folder: Path) -> None:
    needed = pl.remaining_bytes
    if needed <= 0:
        return
    margin = SPACE_MARGIN_BYTES + needed // 100
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < needed + margin:
        raise DiskFull(str(folder.parent), needed + margin, free)


def _prepare_staging(pl: DownloadPlan) -> None:
    """Drop stale or unknown files from staging, then record what this download is."""
    pl.staging.mkdir(parents=True, exist_ok=True)
    keep = {MANIFEST}
    for f in pl.files:
        if f.complete:
            keep.add(f.path)
        elif f.have:
            keep.add(f.path + PART_SUFFIX)
    for p in sorted(pl.staging.rglob("*"), reverse=True):
        rel = p.relative_to(pl.staging).as_posix()
        if p.is_dir() and not p.is_symlink():
            with contextlib.suppress(OSError):
                if not any(p.iterdir()):
                    p.rmdir()
        elif rel not in keep:
            with contextlib.suppress(OSError):
                p.unlink()
    _write_manifest(pl, complete=False)


def _write_manifest(pl: DownloadPlan, complete: bool, folder: Path | None = None) -> None:
    atomic_write_json((folder or pl.staging) / MANIFEST, {
        "repo_id": pl.repo_id, "revision": pl.revision, "commit": pl.commit,
        "endpoint": pl.endpoint, "complete": complete, "written_at": time.time(),
        "files": [_manifest_entry(f) for f in pl.files],
    })


def _finish(pl: DownloadPlan) -> None:
    for f in pl.files:
        size, complete = _on_disk(pl.staging, f.path, f.size)
        if not complete:
            raise DownloadError(f"The download of '{pl.repo_id}' is incomplete ({f.path} is "
                                "missing). Start it again to resume.")
    _write_manifest(pl, complete=True)
    fsync_tree(pl.staging)
    if pl.target.exists():
        raise FolderConflict(str(pl.target), pl.repo_id)
    for attempt in range(5):  # Windows: a virus scanner may hold a file for a moment
        try:
            os.replace(pl.staging, pl.target)
            break
        except PermissionError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    fsync_dir(pl.target.parent)
    with contextlib.suppress(OSError):
        pl.staging.parent.rmdir()  # only if no other download is staged


# --- the transfer --------------------------------------------------------------------------


class _CancelNow(Exception):
    pass


def _write(fh: Any, data: bytes) -> None:
    """One write to a partial file (a seam for tests that simulate a full disk)."""
    fh.write(data)


def _is_disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


class _Job:
    def __init__(self, client: HubClient, pl: DownloadPlan, report: _Reporter,
                 cancel: threading.Event, retries: int, watch_cancel: bool = True) -> None:
        self.client = client
        self.pl = pl
        self.report = report
        self.cancel = cancel
        self.retries = max(0, retries)
        self.watch = _CancelWatch(cancel, enabled=watch_cancel)

    def run(self, check_kind: str | None) -> None:
        # config.json first (to check the repo is a model before the weights), then small
        # files before large ones
        order = sorted(self.pl.files, key=lambda f: (f.path != "config.json", f.size, f.path))
        with self.watch:
            for f in order:
                if not f.complete:
                    self._fetch(f)
                self.report.file_complete(f)
                if f.path == "config.json" and check_kind:
                    self._check_config(check_kind)

    def _check_config(self, kind: str) -> None:
        try:
            cfg = json.loads((self.pl.staging / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cfg = None
        wanted = "whisper" if kind == "asr" else "qwen3_tts"
        if not isinstance(cfg, dict) or cfg.get("model_type") != wanted:
            _remove_tree(self.pl.staging, self.pl.target.parent)
            raise NotAModel(self.pl.repo_id, f"its config.json is not a {wanted} model", kind)

    def _cancelled(self) -> DownloadCancelled:
        return DownloadCancelled(self.pl.repo_id, self.report.done, self.report.total)

    # -- one file

    def _fetch(self, f: PlannedFile) -> None:
        dest = self.pl.staging / f.path
        part = dest.with_name(dest.name + PART_SUFFIX)
        part.parent.mkdir(parents=True, exist_ok=True)
        failures = 0
        restarted = False
        while True:
            if self.cancel.is_set():
                raise self._cancelled()
            offset, hasher = self._resume_point(f, part)
            self.report.set_file(f, offset)
            try:
                if offset < f.size:
                    hasher = self._transfer(f, part, offset, hasher)
            except (_Transient, HubUnreachable) as exc:
                if self.cancel.is_set():
                    raise self._cancelled() from None
                # a retry that made progress resets the count: a flaky line still finishes
                failures = 1 if getattr(exc, "progressed", 0) else failures + 1
                if self.retries == 0 or failures > self.retries:
                    if isinstance(exc, _Transient) and exc.server_error is not None:
                        raise exc.server_error from None
                    raise ConnectionLost(self.client.host, str(exc)) from None
                delay = 0.0 if getattr(exc, "progressed", 0) else min(0.5 * 2 ** (failures - 1), 8)
                if delay and self.cancel.wait(delay):
                    raise self._cancelled() from None
                continue
            problem = self._verify(f, part, hasher)
            if problem is None:
                os.replace(part, dest)
                return
            with contextlib.suppress(OSError):
                part.unlink()
            self.report.rewind()
            if offset and not restarted:  # an old partial may have been the bad part: once more
                restarted = True
                continue
            raise ChecksumMismatch(self.pl.repo_id, f.path, problem)

    def _new_hasher(self, f: PlannedFile) -> Any:
        if f.sha256:
            return hashlib.sha256()
        if f.blob_id:
            h = hashlib.sha1()
            h.update(b"blob %d\0" % f.size)
            return h
        return None

    def _resume_point(self, f: PlannedFile, part: Path) -> tuple[int, Any]:
        """Bytes already in ``part`` (hashed into a fresh hasher); drops an oversized one."""
        hasher = self._new_hasher(f)
        try:
            offset = part.stat().st_size
        except OSError:
            return 0, hasher
        if offset > f.size:  # never counted as progress (see _on_disk)
            part.unlink()
            return 0, hasher
        if offset and hasher is not None:
            self.report.set_file(f, offset, VERIFYING)
            with open(part, "rb") as fh:
                while block := fh.read(1 << 20):
                    if self.cancel.is_set():
                        raise self._cancelled()
                    hasher.update(block)
                    self.report.tick()
        return offset, hasher

    def _transfer(self, f: PlannedFile, part: Path, offset: int, hasher: Any) -> Any:
        """Fetch ``f`` from ``offset`` into ``part``; returns the hasher over the whole file.

        Raises ``_Transient`` (with ``.progressed``) for what a retry may fix.
        """
        r = self.client.open(self.pl.repo_id, self.pl.commit, f.path, offset)
        received = 0
        try:
            if r.status_code == 416:  # the partial is no good for this file: start over
                part.unlink(missing_ok=True)
                self.report.rewind()
                raise _Transient("range not satisfiable")
            if offset and r.status_code == 206:
                start, total = _content_range(r.headers.get("Content-Range"))
                if total is not None and total != f.size:
                    part.unlink(missing_ok=True)
                    self.report.rewind()
                    raise DownloadError(f"The file {f.path} changed on the hub while "
                                        "downloading. Start the download again.")
                if start != offset:  # a confused server or proxy: start the file over
                    part.unlink(missing_ok=True)
                    self.report.rewind()
                    raise _Transient(f"server resumed at {start}, not {offset}")
            elif offset:  # 200: the server ignored the Range; take the whole file
                self.report.rewind()
                offset = 0
                hasher = self._new_hasher(f)
                self.report.set_file(f, 0)
            expected = f.size - offset
            read1 = getattr(r.raw, "read1", None)
            self.watch.attach(r)
            try:
                with open(part, "ab" if offset else "wb") as fh:
                    while received < expected:
                        if self.cancel.is_set():
                            raise _CancelNow
                        try:
                            chunk = (read1(CHUNK, decode_content=False) if read1 is not None
                                     else r.raw.read(CHUNK // 4, decode_content=False))
                        except Exception as exc:  # urllib3 / socket errors vary by version
                            if self.cancel.is_set():
                                raise _CancelNow from None
                            raise _Transient(f"connection broken: {exc}") from exc
                        if not chunk:
                            break
                        chunk = chunk[: expected - received]
                        _write(fh, chunk)
                        if hasher is not None:
                            hasher.update(chunk)
                        received += len(chunk)
                        self.report.advance(len(chunk))
            except OSError as exc:
                if _is_disk_full(exc):
                    raise DiskFull(str(self.pl.target.parent)) from exc
                raise DownloadError(f"Could not write {part}: {exc.strerror or exc}. Check "
                                    "that the models folder is writable.") from exc
            finally:
                self.watch.detach()
            if self.cancel.is_set():
                raise _CancelNow
            if received < expected:
                raise _Transient(f"connection closed after {received} of {expected} bytes")
            return hasher
        except _CancelNow:
            raise self._cancelled() from None
        except _Transient as exc:
            exc.progressed = received  # type: ignore[attr-defined]
            raise
        finally:
            r.close()

    def _verify(self, f: PlannedFile, part: Path, hasher: Any) -> str | None:
        """None if ``part`` is ``f``; else what did not match."""
        try:
            size = part.stat().st_size
        except OSError:
            return "size"
        if size != f.size:
            return "size"
        if hasher is None:
            return None
        digest = hasher.hexdigest()
        if f.sha256:
            return None if digest == f.sha256.lower() else "sha256 checksum"
        if f.blob_id:
            return None if digest == f.blob_id.lower() else "git checksum"
        return None


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """``bytes a-b/total`` -> (a, total)."""
    if not value or not value.startswith("bytes "):
        return None, None
    span, _, total = value[len("bytes "):].partition("/")
    start = span.split("-")[0]
    try:
        return int(start), (int(total) if total.strip() not in ("", "*") else None)
    except ValueError:
        return None, None


class _CancelWatch:
    """Shuts down the socket being read when ``cancel`` is set (unblocks a stalled read)."""

    def __init__(self, cancel: threading.Event, enabled: bool = True) -> None:
        self.cancel = cancel
        self._lock = threading.Lock()
        self._response: Any = None
        self._done = threading.Event()
        self._thread = (threading.Thread(target=self._run, name="download-cancel", daemon=True)
                        if enabled else None)

    def __enter__(self) -> _CancelWatch:
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(1)

    def attach(self, response: Any) -> None:
        with self._lock:
            self._response = response
            if self.cancel.is_set():
                abort_response(response)

    def detach(self) -> None:
        with self._lock:
            self._response = None

    def _run(self) -> None:
        while not self._done.is_set():
            if self.cancel.wait(0.05):
                with self._lock:
                    if self._response is not None:
                        abort_response(self._response)
                return


# --- progress ------------------------------------------------------------------------------


class _Reporter:
    """Turns byte counts into throttled DownloadProgress calls with speed and ETA."""

    def __init__(self, repo_id: str, callback: ProgressCallback | None, interval: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.repo_id = repo_id
        self.callback = callback
        self.interval = interval
        self.clock = clock
        self.state = CHECKING
        self.total = 0
        self.done = 0
        self.file: str | None = None
        self.file_done = 0
        self.file_total = 0
        self.files_done = 0
        self.files_total = 0
        self._received = 0  # bytes fetched by this call (for the speed)
        self._samples: deque[tuple[float, int]] = deque()
        self._last_emit = -1e9
        self._finished = False

    def start(self, pl: DownloadPlan) -> None:
        self.total = pl.total_bytes
        self.done = pl.have_bytes
        self.files_total = len(pl.files)
        self.files_done = 0

    def set_file(self, f: PlannedFile, offset: int, state: str = DOWNLOADING) -> None:
        self.file, self.file_done, self.file_total = f.path, offset, f.size
        self.emit(state)

    def file_complete(self, f: PlannedFile) -> None:
        self.files_done += 1
        self.file_done = self.file_total = f.size
        self.emit(DOWNLOADING)

    def advance(self, n: int) -> None:
        self.done += n
        self.file_done += n
        self._received += n
        self.emit(DOWNLOADING)

    def rewind(self) -> None:
        """The current file's bytes on disk were discarded: take them off the count."""
        self.done = max(0, self.done - self.file_done)
        self.file_done = 0

    def tick(self) -> None:
        self.emit(self.state)

    def speed(self, now: float) -> float:
        self._samples.append((now, self._received))
        while len(self._samples) > 2 and now - self._samples[0][0] > _SPEED_WINDOW_S:
            self._samples.popleft()
        t0, b0 = self._samples[0]
        return (self._received - b0) / (now - t0) if now - t0 >= 0.2 else 0.0

    def emit(self, state: str, force: bool = False) -> None:
        changed = state != self.state and state in (CHECKING, FINISHING, DONE, CANCELLED, FAILED)
        self.state = state
        if self.callback is None or self._finished:
            return
        now = self.clock()
        if not (force or changed) and now - self._last_emit < self.interval:
            return
        self._last_emit = now
        speed = self.speed(now)
        remaining = max(0, self.total - self.done)
        eta = remaining / speed if speed > 0 else (0.0 if remaining == 0 and self.total else None)
        self.callback(DownloadProgress(
            self.repo_id, state, self.file, self.done, self.total, speed, eta,
            self.file_done, self.file_total, self.files_done, self.files_total))

    def finish(self, state: str, total: int | None = None) -> None:
        if self._finished:
            return
        if total is not None:
            self.total = self.done = total
            self.files_done = self.files_total
        if state == DONE:
            self.done = self.total
            self.file = None
        self.emit(state, force=True)
        self._finished = True


def _human_duration(s: float) -> str:
    s = int(s + 0.5)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


# --- locking and removal -------------------------------------------------------------------


class _DownloadLock:
    """An exclusive, non-blocking lock on a file; freed by the OS if the process dies."""

    def __init__(self, path: Path, repo_id: str, staging: Path | None = None) -> None:
        self.path = path
        self.repo_id = repo_id
        self.staging = staging  # no staging left on exit: the lock file goes too
        self.fd: int | None = None
        self.remove_file = False

    @staticmethod
    def _try_lock(fd: int) -> bool:
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    @staticmethod
    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            if os.name == "nt":
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)

    @classmethod
    def is_held(cls, path: Path) -> bool:
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            return False
        try:
            if cls._try_lock(fd):
                cls._unlock(fd)
                return False
            return True
        finally:
            os.close(fd)

    def __enter__(self) -> _DownloadLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not self._try_lock(fd):
            os.close(fd)
            raise DownloadInProgress(self.repo_id)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is None:
            return
        if self.staging is not None and not self.staging.exists():
            self.remove_file = True
        if self.remove_file and os.name != "nt":
            with contextlib.suppress(OSError):
                self.path.unlink()
        self._unlock(self.fd)
        os.close(self.fd)
        self.fd = None
        if self.remove_file and os.name == "nt":
            with contextlib.suppress(OSError):
                self.path.unlink()
        if self.remove_file:
            with contextlib.suppress(OSError):
                self.path.parent.rmdir()


def _remove_tree(path: Path, models: Path) -> None:
    """rmtree, but only below ``models`` (belt and braces against a bad path)."""
    real = path.resolve()
    if models.resolve() not in real.parents:
        raise InvalidInput(f"Refusing to delete {path}: it is not inside {models}.")
    shutil.rmtree(real, ignore_errors=True)


__all__ = [
    "CANCELLED", "CHECKING", "DONE", "DOWNLOADING", "FAILED", "FINISHING", "VERIFYING",
    "AccessDenied", "ChecksumMismatch", "ConnectionLost", "DiskFull", "DownloadCancelled",
    "DownloadError", "DownloadInProgress", "DownloadPlan", "DownloadProgress", "FolderConflict",
    "HubError", "HubUnreachable", "NotAModel", "PartialDownload", "PlannedFile",
    "ProgressCallback", "RepoNotFound", "RevisionNotFound", "delete_model", "discard_partial",
    "download", "installed_path", "partial_state", "plan", "resolve_endpoint", "resolve_repo_id",
]
