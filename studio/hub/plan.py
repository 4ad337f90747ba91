"""What a download involves: the hub's listing compared with what is already on disk.

Plans and partial states are plain data, so the UI and the CLI can show sizes and resume
points before (or without) starting a download.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.hub import catalog
from studio.hub.client import HubClient, RepoFile, RepoListing
from studio.hub.layout import (
    DEFAULT_IGNORE,
    PART_SUFFIX,
    STAGING_DIR,
    bytes_on_disk,
    files_to_fetch,
    folder_name,
    models_root,
    read_manifest,
    resolve_repo_id,
)
from studio.hub.locks import DownloadLock
from studio.humanize import human_bytes


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


def plan(model: str | catalog.CatalogEntry, models_dir: Path | str | None = None, *,
         revision: str = "main", endpoint: str | None = None, token: str | bool | None = None,
         ignore: Iterable[str] = DEFAULT_IGNORE) -> DownloadPlan:
    """List the repo on the hub (one request) and compare it with what is on disk."""
    repo_id = resolve_repo_id(model)
    models = models_root(models_dir)
    with HubClient(endpoint, token) as client:
        listing = client.listing(repo_id, revision)
    return make_plan(listing, revision, models, client.endpoint, tuple(ignore),
                     files_to_fetch(repo_id))


def partial_state(model: str | catalog.CatalogEntry,
                  models_dir: Path | str | None = None) -> PartialDownload | None:
    """An interrupted or running download of ``model``, from disk alone; None if none."""
    repo_id = resolve_repo_id(model)
    models = models_root(models_dir)
    name = folder_name(repo_id)
    staging = models / STAGING_DIR / name
    manifest = read_manifest(staging)
    if manifest is None or manifest.get("repo_id") != repo_id:
        return None
    done = files_done = total = 0
    files = manifest.get("files") or []
    for entry in files:
        size = int(entry["size"])
        total += size
        have, complete = bytes_on_disk(staging, entry["path"], size)
        done += size if complete else have
        files_done += complete
    active = DownloadLock.is_held(models / STAGING_DIR / f"{name}.lock")
    updated = 0.0
    with contextlib.suppress(OSError):
        updated = max(p.stat().st_mtime for p in [staging, *staging.rglob("*")])
    return PartialDownload(repo_id, staging, done, total, files_done, len(files), active,
                           updated)


def make_plan(listing: RepoListing, revision: str, models: Path, endpoint: str,
              ignore: tuple[str, ...], only: tuple[str, ...] = ()) -> DownloadPlan:
    """The plan for ``listing`` given what ``models`` holds: the files to fetch (``only``
    those if given, none of ``ignore``), each with what is already staged."""
    name = folder_name(listing.repo_id)
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
    known = {e["path"]: e for e in (read_manifest(staging) or {}).get("files") or []
             if isinstance(e, dict) and "path" in e}
    files = []
    for f in wanted:
        if installed:
            files.append(PlannedFile(f.path, f.size, f.sha256, f.blob_id, f.size, True))
            continue
        have, complete = 0, False
        if known.get(f.path) == manifest_entry(f):
            have, complete = bytes_on_disk(staging, f.path, f.size)
        files.append(PlannedFile(f.path, f.size, f.sha256, f.blob_id, have, complete))
    return DownloadPlan(listing.repo_id, revision, listing.commit, name, target, staging,
                        endpoint, tuple(files), listing.gated, installed, conflict)


def manifest_entry(f: RepoFile | PlannedFile) -> dict[str, Any]:
    """How the manifest records one file: a staged file counts only if its entry matches."""
    return {"path": f.path, "size": f.size, "sha256": f.sha256, "blob_id": f.blob_id}
