"""Scripts dropped anywhere on the main window become projects.

A drop goes to the widget under the pointer, so the window watches every widget in it that
takes drops (a text box, the Clone page, the voice list) and claims the drags that carry
scripts (.txt, .md, .epub, .srt, .vtt) before they do: a new project is made from each and
the Projects page is shown. Anything else keeps going where it went; a file nothing in the
window takes gets a message saying what can be dropped where.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QWidget

from studio.projects.imports import FORMATS

DROP_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


def local_files(mime: QMimeData) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()] \
        if mime.hasUrls() else []


def scripts_in(mime: QMimeData) -> list[Path]:
    """The dropped files when every one of them is a script (else none)."""
    files = local_files(mime)
    return files if files and all(f.suffix.lower() in FORMATS for f in files) else []


def unsupported_message(files: list[Path]) -> str:
    names = ", ".join(f.name for f in files[:3]) + (" and more" if len(files) > 3 else "")
    return (f"{names}: Voice Studio cannot open this. Drop a script or book (.txt, .md, "
            ".epub, .srt, .vtt) anywhere on the window to make a project of it, an audio "
            "clip on the Clone page, or a voice file (.zip) on the voice list.")


class ScriptDrop(QObject):
    """Watches ``window`` and its drop targets; ``on_scripts`` gets the dropped scripts,
    ``on_other`` the files no widget took."""

    def __init__(self, window: QWidget, on_scripts: Callable[[list[Path]], object],
                 on_other: Callable[[list[Path]], object]) -> None:
        super().__init__(window)
        self.window, self.on_scripts, self.on_other = window, on_scripts, on_other
        window.setAcceptDrops(True)
        self.watched = [window] + [w for w in window.findChildren(QWidget)
                                   if w.acceptDrops()]
        for widget in self.watched:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() not in DROP_EVENTS or not isinstance(event, QDropEvent):
            return False
        scripts = scripts_in(event.mimeData())
        if scripts:
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                self.on_scripts(scripts)
            return True
        if watched is self.window and local_files(event.mimeData()):
            event.acceptProposedAction()  # no widget under the pointer took these files
            if event.type() == QEvent.Type.Drop:
                self.on_other(local_files(event.mimeData()))
            return True
        return False


