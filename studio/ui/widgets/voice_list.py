"""The voice library sidebar: saved voices, built-in voices and preset speakers, with search,
a context menu (rename, duplicate, export, delete) and drag-and-drop import of voice files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.library.anyvoice import DESIGN_PRESET, SAVED, SPEAKER, VoiceRef

GROUPS = ((SAVED, "My voices"), (DESIGN_PRESET, "Built-in voices"), (SPEAKER, "Preset speakers"))
ROLE_REF = Qt.ItemDataRole.UserRole


class VoiceList(QWidget):
    voice_selected = Signal(object)  # VoiceRef
    rename_requested = Signal(object)
    duplicate_requested = Signal(object)
    export_requested = Signal(object)
    delete_requested = Signal(object)
    import_requested = Signal(list)  # paths of dropped voice files

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.search = QLineEdit(placeholderText="Search voices")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(8)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.hint = QLabel("Drop a voice file (.zip) here to import it.")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.hint)
        self._groups: dict[str, QTreeWidgetItem] = {}
        for source, title in GROUPS:
            group = QTreeWidgetItem([title])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            group.setExpanded(True)
            self._groups[source] = group

    def set_voices(self, refs: list[VoiceRef], keep: str | None = None) -> None:
        """Replace the list; re-select ``keep`` (a VoiceRef key) if it is still there."""
        current = keep or (self.current().key if self.current() else None)
        self.tree.blockSignals(True)
        for group in self._groups.values():
            group.takeChildren()
        for ref in refs:
            item = QTreeWidgetItem([ref.name])
            item.setData(0, ROLE_REF, ref)
            tip = ref.description or ref.name
            item.setToolTip(0, f"{tip}\nLanguage: {ref.language}")
            self._groups[ref.source].addChild(item)
        saved = self._groups[SAVED]
        if saved.childCount() == 0:
            empty = QTreeWidgetItem(["None yet: clone or design one"])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            saved.addChild(empty)
        self.tree.blockSignals(False)
        self._filter(self.search.text())
        if current:
            self.select_key(current)

    def refs(self) -> list[VoiceRef]:
        out = []
        for group in self._groups.values():
            for i in range(group.childCount()):
                ref = group.child(i).data(0, ROLE_REF)
                if ref is not None:
                    out.append(ref)
        return out

    def current(self) -> VoiceRef | None:
        item = self.tree.currentItem()
        return item.data(0, ROLE_REF) if item is not None else None

    def select_key(self, key: str) -> bool:
        for group in self._groups.values():
            for i in range(group.childCount()):
                item = group.child(i)
                ref = item.data(0, ROLE_REF)
                if ref is not None and ref.key == key:
                    self.tree.setCurrentItem(item)
                    return True
        return False

    def _current_changed(self, item: QTreeWidgetItem | None, _prev: object) -> None:
        ref = item.data(0, ROLE_REF) if item is not None else None
        if ref is not None:
            self.voice_selected.emit(ref)

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for group in self._groups.values():
            for i in range(group.childCount()):
                item = group.child(i)
                ref = item.data(0, ROLE_REF)
                hay = f"{ref.name} {ref.description} {ref.language}".casefold() if ref else ""
                item.setHidden(bool(needle) and (ref is None or needle not in hay))

    def _menu(self, pos) -> None:  # noqa: ANN001
        item = self.tree.itemAt(pos)
        ref = item.data(0, ROLE_REF) if item is not None else None
        if ref is None:
            return
        menu = QMenu(self)
        if ref.source == SAVED:
            for text, signal in (("Rename…", self.rename_requested),
                                 ("Duplicate", self.duplicate_requested),
                                 ("Export…", self.export_requested),
                                 ("Delete", self.delete_requested)):
                action = QAction(text, menu)
                action.triggered.connect(lambda _=False, s=signal: s.emit(ref))
                menu.addAction(action)
        else:
            action = QAction("Built-in voices cannot be changed", menu)
            action.setEnabled(False)
            menu.addAction(action)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    # --- drag and drop import -------------------------------------------------------------

    @staticmethod
    def _zip_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [Path(u.toLocalFile()) for u in urls
                if u.isLocalFile() and u.toLocalFile().lower().endswith(".zip")]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._zip_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = self._zip_paths(event)
        if paths:
            event.acceptProposedAction()
            self.import_requested.emit(paths)
