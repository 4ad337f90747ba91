"""Saving a take to an audio file the user picks, in a format this machine can write.

The format is the file type chosen in the dialog: the name gets that type's extension
(typed without one, or with another audio type's), so the file is what its name says.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from studio.audio.files import export_formats, save_audio
from studio.errors import StudioError
from studio.ui.widgets.notice import NoticeBar

#: the file types offered, in this order, as the dialog names them
FILE_TYPES = {"wav": "WAV audio", "flac": "FLAC audio (lossless, smaller)",
              "ogg": "Ogg Vorbis audio", "mp3": "MP3 audio"}
AUDIO_SUFFIXES = {".wav", ".wave", ".flac", ".ogg", ".oga", ".mp3"}


def file_filters() -> dict[str, str]:
    """Dialog filter -> extension, for the formats this installation can write."""
    writable = {f.lower() for f in export_formats()}
    return {f"{name} (*.{ext})": ext for ext, name in FILE_TYPES.items() if ext in writable}


def with_extension(path: Path, ext: str) -> Path:
    """``path`` named for ``ext``: another audio extension is replaced, a name without
    one gets it (``my.take`` becomes ``my.take.flac``)."""
    if path.suffix.lower() == f".{ext}":
        return path
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return path.with_suffix(f".{ext}")
    return path.with_name(f"{path.name}.{ext}")


def export_audio(parent: QWidget, notice: NoticeBar, audio: object, sample_rate: int,
                 text: str, title: str = "Export take") -> Path | None:
    """Ask where and as what, then write the audio there; the notice bar says how it went."""
    filters = file_filters()
    if not filters:
        notice.show_message("This installation cannot write any audio format.", "error")
        return None
    stem = "".join(c for c in text[:40] if c.isalnum() or c in " -_").strip() or "take"
    first = next(iter(filters))
    path, chosen = QFileDialog.getSaveFileName(parent, title,
                                               str(Path.home() / f"{stem}.{filters[first]}"),
                                               ";;".join(filters), first)
    if not path:
        return None
    ext = filters.get(chosen) or Path(path).suffix.lower().lstrip(".") or filters[first]
    target = with_extension(Path(path), ext)
    if target != Path(path) and target.exists() and QMessageBox.question(
            parent, title, f"{target.name} already exists. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel) != QMessageBox.StandardButton.Yes:
        return None
    try:
        save_audio(target, audio, sample_rate, format=ext)  # type: ignore[arg-type]
    except StudioError as exc:
        notice.show_message(str(exc), "error")
        return None
    notice.show_message(f"Saved {target.name}.", "info")
    return target
