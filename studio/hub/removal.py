"""Deleting models and discarding partial downloads, never anything outside the models folder.

A folder leaves discovery in one rename before it is deleted, so a half-deleted model is
never offered for loading.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from pathlib import Path

from studio import paths
from studio.errors import InvalidInput, NotFound, StudioError
from studio.fsutil import fsync_dir
from studio.hub import catalog
from studio.hub.discovery import read_info
from studio.hub.layout import (
    DELETING_DIR,
    MANIFEST,
    STAGING_DIR,
    folder_name,
    models_root,
    resolve_repo_id,
)
from studio.hub.locks import DownloadLock


def discard_partial(model: str | catalog.CatalogEntry,
                    models_dir: Path | str | None = None) -> bool:
    """Delete an interrupted download's partial data. False if there was none."""
    repo_id = resolve_repo_id(model)
    models = models_root(models_dir)
    name = folder_name(repo_id)
    staging_root = models / STAGING_DIR
    if not (staging_root / name).exists():
        return False
    with DownloadLock(staging_root / f"{name}.lock", repo_id) as lock:
        remove_tree_inside(staging_root / name, models)
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
    models = models_root(models_dir)
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
    if (read_info(p, "tts") is None and read_info(p, "asr") is None
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
        remove_tree_inside(tomb, models)
    # leftovers of earlier interrupted deletes
    for old in list(tomb_root.iterdir()) if tomb_root.is_dir() else []:
        remove_tree_inside(old, models)
    with contextlib.suppress(OSError):
        tomb_root.rmdir()
    return kept


def remove_tree_inside(path: Path, models: Path) -> None:
    """rmtree, but only below ``models`` (belt and braces against a bad path)."""
    real = path.resolve()
    if models.resolve() not in real.parents:
        raise InvalidInput(f"Refusing to delete {path}: it is not inside {models}.")
    shutil.rmtree(real, ignore_errors=True)
