"""Is it what we asked for: file sizes, sha256 (LFS) and git blob ids, and the model's kind.

Checked as the bytes arrive (hashers) and before the weights are fetched (listing and
config.json), so a wrong repo or a corrupted file costs as little download as possible.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.engine.download_removal import _remove_tree
from studio.engine.hub_errors import NotAModel

if TYPE_CHECKING:
    from studio.engine.download_plan import DownloadPlan, PlannedFile


def _new_hasher(f: PlannedFile) -> Any:
    """sha256 for LFS files, git's blob sha1 for the others; None: the size alone."""
    if f.sha256:
        return hashlib.sha256()
    if f.blob_id:
        h = hashlib.sha1()
        h.update(b"blob %d\0" % f.size)
        return h
    return None


def _verify(f: PlannedFile, part: Path, hasher: Any) -> str | None:
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


def _check_listing_is_model(pl: DownloadPlan, kind: str = "tts") -> None:
    if kind == "asr":
        from studio.engine.asr_folders import REQUIRED_FILES
    else:
        from studio.engine.models import REQUIRED_FILES

    present = {f.path for f in pl.files}
    missing = [f for f in REQUIRED_FILES if f not in present]
    if kind == "asr" and "model.safetensors" not in present:
        missing.append("model.safetensors")
    if missing:
        raise NotAModel(pl.repo_id, f"it has no {', '.join(missing)}", kind)


def _check_config(pl: DownloadPlan, kind: str) -> None:
    """Refuse a repo whose config.json is not a model of ``kind`` (its staging goes too)."""
    try:
        cfg = json.loads((pl.staging / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cfg = None
    wanted = "whisper" if kind == "asr" else "qwen3_tts"
    if not isinstance(cfg, dict) or cfg.get("model_type") != wanted:
        _remove_tree(pl.staging, pl.target.parent)
        raise NotAModel(pl.repo_id, f"its config.json is not a {wanted} model", kind)
