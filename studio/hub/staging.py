"""The staging folder: checked for space, cleaned, recorded, then moved into place whole.

A model appears in ``<models>`` in one rename, so discovery never sees half a download.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

from studio.fsutil import atomic_write_json, fsync_dir, fsync_tree
from studio.hub.errors import DiskFull, DownloadError, FolderConflict
from studio.hub.layout import MANIFEST, PART_SUFFIX, bytes_on_disk
from studio.hub.plan import DownloadPlan, manifest_entry

SPACE_MARGIN_BYTES = 64 * 1024 * 1024  # plus 1% of the download


def check_space(pl: DownloadPlan, folder: Path) -> None:
    """DiskFull unless ``folder`` has room for what is left to fetch, plus a margin."""
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


def prepare_staging(pl: DownloadPlan) -> None:
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
    write_manifest(pl, complete=False)


def write_manifest(pl: DownloadPlan, complete: bool, folder: Path | None = None) -> None:
    """Record what the staging folder (or ``folder``) holds, so a later call can resume it."""
    atomic_write_json((folder or pl.staging) / MANIFEST, {
        "repo_id": pl.repo_id, "revision": pl.revision, "commit": pl.commit,
        "endpoint": pl.endpoint, "complete": complete, "written_at": time.time(),
        "files": [manifest_entry(f) for f in pl.files],
    })


def move_into_place(pl: DownloadPlan) -> None:
    """Check every file is staged, mark the manifest complete and rename the staging folder
    to the model folder."""
    for f in pl.files:
        size, complete = bytes_on_disk(pl.staging, f.path, f.size)
        if not complete:
            raise DownloadError(f"The download of '{pl.repo_id}' is incomplete ({f.path} is "
                                "missing). Start it again to resume.")
    write_manifest(pl, complete=True)
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
