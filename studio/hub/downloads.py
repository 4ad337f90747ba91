"""Running one download: lock, list, plan, check, fetch, verify, then move into place.

Each step lives in its own module; this one puts them in order and turns any way out
(done, cancelled, failed) into a last progress report.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from pathlib import Path

from studio.hub import catalog
from studio.hub.client import HubClient
from studio.hub.errors import DownloadCancelled, FolderConflict
from studio.hub.layout import (
    DEFAULT_IGNORE,
    STAGING_DIR,
    files_to_fetch,
    folder_name,
    is_complete_download,
    manifest_total,
    model_kind_of,
    models_root,
    resolve_repo_id,
)
from studio.hub.locks import DownloadLock
from studio.hub.plan import make_plan
from studio.hub.progress import (
    CANCELLED,
    CHECKING,
    DONE,
    FAILED,
    FINISHING,
    ProgressCallback,
    ProgressReporter,
)
from studio.hub.staging import check_space, move_into_place, prepare_staging
from studio.hub.transfer import TransferJob
from studio.hub.verify import check_listing_is_model


def download(model: str | catalog.CatalogEntry, models_dir: Path | str | None = None,
             progress: ProgressCallback | None = None, cancel: threading.Event | None = None, *,
             revision: str = "main", endpoint: str | None = None,
             token: str | bool | None = None, retries: int = 3,
             progress_interval: float = 0.1, check_model: bool = True,
             ignore: Iterable[str] = DEFAULT_IGNORE, model_kind: str | None = None) -> Path:
    """Download ``model`` into ``<models>/<name>/`` and return that folder.

    Resumes what an earlier call left; returns at once (no network) when the model is
    already complete. An installed model is returned as it is (no update check): delete it
    with :func:`delete_model` to fetch a newer revision. ``retries`` is how many times in a
    row a dropped connection, stall or server error is retried (with a Range request) before giving up. ``check_model`` refuses
    repos that are not models of ``model_kind`` (checked on the listing and on
    ``config.json``, before the weights are fetched): ``"tts"`` (Qwen3-TTS) or ``"asr"``
    (Whisper); by default ``"asr"`` for the transcription catalog's repos, else ``"tts"``.
    """
    repo_id = resolve_repo_id(model)
    kind = model_kind or model_kind_of(repo_id)
    models = models_root(models_dir, ensure=True)
    name = folder_name(repo_id)
    target = models / name
    report = ProgressReporter(repo_id, progress, progress_interval)
    if is_complete_download(target, repo_id):
        report.finish(DONE, manifest_total(target))
        return target
    watch_cancel = cancel is not None
    cancel = cancel or threading.Event()
    staging_root = models / STAGING_DIR
    staging_root.mkdir(parents=True, exist_ok=True)
    try:
        with DownloadLock(staging_root / f"{name}.lock", repo_id, staging_root / name) as lock, \
                HubClient(endpoint, token) as client:
            if is_complete_download(target, repo_id):  # finished by someone else meanwhile
                report.finish(DONE, manifest_total(target))
                return target
            if cancel.is_set():
                raise DownloadCancelled(repo_id)
            report.emit(CHECKING, force=True)
            listing = client.listing(repo_id, revision)
            pl = make_plan(listing, revision, models, client.endpoint, tuple(ignore),
                           files_to_fetch(repo_id))
            report.start(pl)
            if pl.installed:
                report.finish(DONE)
                return target
            if pl.conflict:
                raise FolderConflict(str(target), repo_id)
            if check_model:
                check_listing_is_model(pl, kind)
            check_space(pl, staging_root)
            prepare_staging(pl)
            job = TransferJob(client, pl, report, cancel, retries, watch_cancel)
            job.run(kind if check_model else None)
            report.emit(FINISHING, force=True)
            move_into_place(pl)
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
