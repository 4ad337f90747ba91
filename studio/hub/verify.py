"""Is it what we asked for: file sizes, sha256 (LFS) and git blob ids, and the model's kind.

Checked as the bytes arrive (hashers) and before the weights are fetched (listing and
config.json), so a wrong repo or a corrupted file costs as little download as possible.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from studio import safe_json
from studio.hub import asr_folders, tts_folders
from studio.hub.errors import NotAModel
from studio.hub.plan import DownloadPlan, PlannedFile
from studio.hub.removal import remove_tree_inside


def new_hasher(f: PlannedFile) -> Any:
    """sha256 for LFS files, git's blob sha1 for the others; None: the size alone."""
    if f.sha256:
        return hashlib.sha256()
    if f.blob_id:
        h = hashlib.sha1()
        h.update(b"blob %d\0" % f.size)
        return h
    return None


def verify_file(f: PlannedFile, part: Path, hasher: Any) -> str | None:
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


def check_listing_is_model(pl: DownloadPlan, kind: str = "tts") -> None:
    """NotAModel unless the repo lists the files a model of ``kind`` needs (before any
    download)."""
    required = asr_folders.REQUIRED_FILES if kind == "asr" else tts_folders.REQUIRED_FILES
    present = {f.path for f in pl.files}
    missing = [f for f in required if f not in present]
    if kind == "asr" and "model.safetensors" not in present:
        missing.append("model.safetensors")
    if missing:
        raise NotAModel(pl.repo_id, f"it has no {', '.join(missing)}", kind)


def check_config_is_model(pl: DownloadPlan, kind: str) -> None:
    """Refuse a repo whose config.json is not a model of ``kind`` (its staging goes too)."""
    try:
        cfg = safe_json.loads((pl.staging / "config.json").read_bytes(), finite=False)
    except (OSError, ValueError):
        cfg = None
    wanted = "whisper" if kind == "asr" else "qwen3_tts"
    if not isinstance(cfg, dict) or cfg.get("model_type") != wanted:
        remove_tree_inside(pl.staging, pl.target.parent)
        raise NotAModel(pl.repo_id, f"its config.json is not a {wanted} model", kind)
