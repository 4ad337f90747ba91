"""Where a download lives on disk and which repo a name means.

Shared by planning, the transfer and deletion, so the folder names, the manifest format and
"is it installed" are decided in one place and need no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio import paths
from studio.errors import InvalidInput
from studio.hub import catalog
from studio.hub.client import check_repo_id
from studio.hub.discovery import read_info

STAGING_DIR = ".downloading"
DELETING_DIR = ".deleting"
MANIFEST = ".studio-download.json"
PART_SUFFIX = ".incomplete"
DEFAULT_IGNORE = (".gitattributes",)


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


def installed_path(model: str | catalog.CatalogEntry,
                   models_dir: Path | str | None = None) -> Path | None:
    """``<models>/<name>`` if it holds a usable model (downloaded or copied there)."""
    repo_id = resolve_repo_id(model)
    target = models_root(models_dir) / folder_name(repo_id)
    info = read_info(target, model_kind_of(repo_id))
    return target if info is not None and info.usable else None


def model_kind_of(repo_id: str) -> str:
    """``"asr"`` for the transcription catalog's repos, else ``"tts"``."""
    return "asr" if catalog.find_asr(repo_id) is not None else "tts"


def files_to_fetch(repo_id: str) -> tuple[str, ...]:
    """The only files of ``repo_id`` to download, as its catalog entry lists them; () = all."""
    entry = catalog.find_any(repo_id)
    return entry.files if entry is not None else ()


def models_root(models_dir: Path | str | None, ensure: bool = False) -> Path:
    """``models_dir`` if given, else the app's models folder."""
    root = Path(models_dir).expanduser() if models_dir is not None else paths.models_dir()
    if ensure:
        root.mkdir(parents=True, exist_ok=True)
    return root


def folder_name(repo_id: str) -> str:
    """The folder a repo downloads into: its name without the owner."""
    return repo_id.rstrip("/").split("/")[-1]


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's download manifest, or None if it has none (or a damaged one)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest_total(folder: Path) -> int:
    """Bytes of every file the folder's manifest lists."""
    manifest = read_manifest(folder) or {}
    return sum(int(e.get("size", 0)) for e in manifest.get("files") or [])


def bytes_on_disk(folder: Path, rel: str, size: int) -> tuple[int, bool]:
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


def is_complete_download(target: Path, repo_id: str) -> bool:
    """True when ``target`` is our complete download of ``repo_id`` (sizes checked, no
    network)."""
    manifest = read_manifest(target)
    if not manifest or manifest.get("repo_id") != repo_id or not manifest.get("complete"):
        return False
    try:
        return all((target / e["path"]).stat().st_size == int(e["size"])
                   for e in manifest.get("files") or [])
    except (OSError, KeyError, TypeError, ValueError):
        return False
