"""What the voice list's menu and the File menu do to saved voices: rename, duplicate,
export, delete (with Undo from the trash) and import. Every failure is a message in the
notice bar; nothing is lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from studio.errors import StudioError
from studio.library.anyvoice import VoiceRef
from studio.ui.context import AppContext
from studio.ui.widgets.notice import NoticeBar

T = TypeVar("T")


class VoiceActions(QObject):
    changed = Signal(object)  # the library changed: the key to select ("saved:<id>") or None

    def __init__(self, ctx: AppContext, notice: NoticeBar, window: QWidget) -> None:
        super().__init__(window)
        self.ctx, self.notice, self.window = ctx, notice, window

    def _run(self, what: str, fn: Callable[..., T], *args: object) -> T | None:
        try:
            return fn(*args)
        except StudioError as exc:
            self.notice.show_message(f"{what}: {exc}", "error", everywhere=True)
            return None

    def rename(self, ref: VoiceRef) -> None:
        name, ok = QInputDialog.getText(self.window, "Rename voice", "New name:", text=ref.name)
        if ok and name.strip() and name.strip() != ref.name:
            entry = self._run("Could not rename", self.ctx.library.rename, ref.id, name)
            if entry is not None:
                self.changed.emit(f"saved:{entry.id}")

    def duplicate(self, ref: VoiceRef) -> None:
        entry = self._run("Could not duplicate", self.ctx.library.duplicate, ref.id)
        if entry is not None:
            self.changed.emit(f"saved:{entry.id}")

    def export(self, ref: VoiceRef) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export voice",
                                              str(Path.home() / f"{ref.id}.zip"),
                                              "Voice files (*.zip)")
        if path:
            done = self._run("Could not export", self.ctx.library.export_voice, ref.id, path)
            if done is not None:
                self.notice.show_message(f"Exported {ref.name} to {done}.", "info",
                                         everywhere=True)

    def delete(self, ref: VoiceRef) -> None:
        item = self._run("Could not delete", self.ctx.library.delete, ref.id)
        if item is not None:
            self.changed.emit(None)
            self.notice.show_message(f"Deleted {ref.name}.", "info",
                                     action=("Undo", lambda: self.restore(item.trash_id)),
                                     everywhere=True)

    def restore(self, trash_id: str) -> None:
        entry = self._run("Could not restore", self.ctx.library.restore, trash_id)
        if entry is not None:
            self.changed.emit(f"saved:{entry.id}")
            self.notice.show_message(f"Restored {entry.name}.", "info", everywhere=True)

    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Import voice", str(Path.home()),
                                                "Voice files (*.zip)")
        if paths:
            self.import_voices([Path(p) for p in paths])

    def import_voices(self, paths: list[Path]) -> None:
        last = None
        for path in paths:
            entry = self._run(f"Could not import {Path(path).name}",
                              self.ctx.library.import_voice, path)
            if entry is not None:
                last = entry
        if last is not None:
            self.changed.emit(f"saved:{last.id}")
            self.notice.show_message(f"Imported {last.name}.", "info", everywhere=True)
