"""Saving a take to an audio file the user picks (the formats this machine can write)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from studio.audio.files import export_formats, save_audio
from studio.errors import StudioError
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.take_history import TakeRecord


def export_take(parent: QWidget, notice: NoticeBar, record: TakeRecord) -> None:
    """Ask where, then write the take there; the notice bar says how it went."""
    formats = [f for f in ("WAV", "FLAC", "OGG", "MP3") if f in export_formats()]
    filters = ";;".join(f"{f} audio (*.{f.lower()})" for f in formats)
    stem = "".join(c for c in record.text[:40] if c.isalnum() or c in " -_").strip() or "take"
    path, _chosen = QFileDialog.getSaveFileName(parent, "Export take",
                                                str(Path.home() / f"{stem}.wav"), filters)
    if not path:
        return
    try:
        save_audio(path, record.audio, record.sample_rate)
        notice.show_message(f"Saved {Path(path).name}.", "info")
    except StudioError as exc:
        notice.show_message(str(exc), "error")
