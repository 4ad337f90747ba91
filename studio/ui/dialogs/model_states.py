"""What a Model manager row says about its model: downloading, paused, on disk, loaded,
broken or absent, read from the disk (JSON only), the running downloads and the models the
pool has loaded. Reading only; the dialog acts on the buttons."""

from __future__ import annotations

from pathlib import Path

from studio import hub, paths
from studio.engine.models import LoadedModel
from studio.hub import DownloadProgress, ModelInfo, read_asr_info, read_model_info
from studio.hub.catalog import CatalogEntry
from studio.humanize import human_bytes
from studio.ui.dialogs.model_panels import folder_bytes
from studio.ui.downloads import DownloadManager
from studio.ui.widgets import model_row as mr
from studio.ui.widgets.model_row import ModelRow, progress_text

Loaded = dict[Path, LoadedModel]  # resolved folder -> the model loaded from it


def show_catalog_entry(row: ModelRow, entry: CatalogEntry, downloads: DownloadManager,
                       loaded: Loaded) -> Path | None:
    """Show ``entry``'s state; returns its folder when it is on disk and usable."""
    repo = entry.repo_id
    if downloads.is_running(repo):
        show_progress(row, downloads.last_progress(repo))
        return None
    target = paths.models_dir() / entry.folder_name
    info = read_asr_info(target) if entry.kind == "asr" else read_model_info(target)
    if info is not None and info.usable:
        model = loaded.get(target.resolve())
        size = human_bytes(folder_bytes(target))
        if model is not None:
            row.set_state(mr.LOADED, f"Loaded on {model.device.label} · {size} on disk",
                          ("unload", "delete"), tone="good")
        else:
            row.set_state(mr.ON_DISK, f"On disk · {size}", ("delete",), tone="good")
        return target
    error = downloads.errors.get(repo)
    partial = hub.partial_state(entry)
    if info is not None:
        row.set_state(mr.BROKEN, f"Incomplete folder: {info.problem}", ("delete",),
                      tone="error")
    elif partial is not None and partial.active:
        row.set_state(mr.ELSEWHERE, f"Downloading in another window "
                      f"({100 * partial.fraction:.0f}%)", (), partial.fraction, tone="busy")
    elif partial is not None:
        text = (f"Paused at {100 * partial.fraction:.0f}% ({human_bytes(partial.done_bytes)}"
                f" of {human_bytes(partial.total_bytes)})")
        row.set_state(mr.PAUSED, f"{text}. {error}" if error else text,
                      ("resume", "discard"), partial.fraction,
                      tone="error" if error else "hint")
    else:
        row.set_state(mr.ABSENT, error or "Not downloaded", ("download",),
                      tone="error" if error else "hint")
    return None


def show_progress(row: ModelRow, progress: DownloadProgress | None) -> None:
    if row.state != mr.DOWNLOADING:
        row.set_state(mr.DOWNLOADING, "Starting…", ("pause",), busy=True, tone="busy")
    if progress is None:
        return
    row.set_status(progress_text(progress), "busy")
    busy = progress.state in (hub.CHECKING, hub.FINISHING) or not progress.total_bytes
    row.set_fraction(None if busy else progress.fraction, busy)


def show_found(row: ModelRow, model: ModelInfo, loaded: Loaded, removable: bool) -> None:
    """A model found in a folder of the user's (or the models folder, outside the catalog);
    ``removable``: it comes from a folder the user added."""
    buttons: list[str] = []
    held = loaded.get(model.path.resolve())
    if held is not None:
        buttons.append("unload")
    if model.path.parent.resolve() == paths.models_dir().resolve():
        buttons.append("delete")
    if removable:
        buttons.append("remove")
    if not model.usable:
        row.set_state(mr.BROKEN, f"Incomplete: {model.problem}", tuple(buttons), tone="error")
    elif held is not None:
        row.set_state(mr.LOADED, f"Loaded on {held.device.label}", tuple(buttons), tone="good")
    else:
        row.set_state(mr.ON_DISK, "On disk", tuple(buttons), tone="good")
