"""Noticing model folders that change on disk while the Model manager is open: a model
copied or unpacked into the models folder (or a folder the user added) appears without
a restart.

The folders and each model folder in them are watched (a copy writes its files inside
the new model folder, which the parent's watch does not see); bursts of changes are
folded into one ``changed`` a moment after the last.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

SETTLE_MS = 400


class FolderWatch(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._poke)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.changed)

    def watch(self, folders: Iterable[Path]) -> None:
        """Watch exactly ``folders`` and the folders directly inside them."""
        wanted: set[str] = set()
        for folder in folders:
            if not folder.is_dir():
                continue
            wanted.add(str(folder))
            try:
                wanted.update(str(p) for p in folder.iterdir() if p.is_dir())
            except OSError:
                continue
        watched = set(self._watcher.directories())
        if watched - wanted:
            self._watcher.removePaths(sorted(watched - wanted))
        if wanted - watched:
            self._watcher.addPaths(sorted(wanted - watched))

    def stop(self) -> None:
        self._settle.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())

    def _poke(self, _path: str) -> None:
        self._settle.start()
