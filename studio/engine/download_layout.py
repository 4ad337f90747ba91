"""Where a download lives on disk and which repo a name means.

Shared by planning, the transfer and deletion, so the folder names, the manifest format and
"is it installed" are decided in one place and need no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio import paths
from studio.engine import catalog
from studio.engine.hub import RepoFile, check_repo_id
from studio.errors import InvalidInput

if TYPE_CHECKING:
    from studio.engine.download_plan import PlannedFile

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
        from studio.engine.asr_folders import read_asr_info

        return read_asr_info(folder)
    from studio.engine.models import read_model_info

    return read_model_info(folder)


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
