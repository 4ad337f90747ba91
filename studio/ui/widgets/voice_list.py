"""The voice library sidebar: saved voices, built-in voices and preset speakers, with search,
visible actions for the selected voice (rename, duplicate, export, delete; also in the
context menu and on F2 / Delete), and drag-and-drop import of voice files.

A group whose model is not on disk says so in a row under its title ("Needs VoiceDesign
1.7B"); activating that row asks for the Model manager at that model. The search box
hands the keyboard to the list: Down/Up move into it, Enter picks the first match.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.library.anyvoice import DESIGN_PRESET, SAVED, SPEAKER, VoiceRef

GROUPS = ((SAVED, "My voices"), (DESIGN_PRESET, "Built-in voices"), (SPEAKER, "Preset speakers"))
ROLE_REF = Qt.ItemDataRole.UserRole
ROLE_NEEDS = Qt.ItemDataRole.UserRole + 1  # on a group's "needs a model" row: the kind
ACTIONS = (("rename", "Rename…", "Give the selected voice a new name (F2)"),
           ("duplicate", "Duplicate", "Make a separate copy of the selected voice"),
           ("export", "Export…", "Save the selected voice to one file (.zip) to share or "
                                 "back it up"),
           ("delete", "Delete", "Move the selected voice to the trash (Delete); Undo brings "
                                "it back"))


class SearchBox(QLineEdit):
    """The search field; the arrow keys and Enter go to the list (``keyed``)."""

    keyed = Signal(int)  # Qt.Key: Down, Up or Enter

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.keyed.emit(int(event.key()))
            return
        super().keyPressEvent(event)


class VoiceTree(QTreeWidget):
    """The list itself; F2 and Delete ask for rename and delete (``keyed``)."""

    keyed = Signal(str)  # "rename" | "delete"

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        names = {Qt.Key.Key_F2: "rename", Qt.Key.Key_Delete: "delete"}
        if plain and event.key() in names:
            self.keyed.emit(names[event.key()])
            return
        super().keyPressEvent(event)


class VoiceList(QWidget):
    voice_selected = Signal(object)  # VoiceRef
    rename_requested = Signal(object)
    duplicate_requested = Signal(object)
    export_requested = Signal(object)
    delete_requested = Signal(object)
    import_requested = Signal(list)  # paths of dropped voice files
    model_requested = Signal(str)  # a group's missing model kind, to open the manager at

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.search = SearchBox(placeholderText="Search voices")
        self.search.setAccessibleName("Search voices")
        self.search.setToolTip("Type to filter; Down moves into the list, Enter picks the "
                               "first match")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.keyed.connect(self._from_search)
        self.tree = VoiceTree()
        self.tree.setAccessibleName("Voices")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(8)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.itemActivated.connect(self._activated)
        self.tree.keyed.connect(self.request)
        self.action_buttons: dict[str, QToolButton] = {}
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(2)
        for name, text, tip in ACTIONS:
            button = QToolButton(text=text)
            button.setObjectName(f"voice_{name}")
            button.setToolTip(tip)
            button.setAccessibleName(f"{text.rstrip('…')} voice")
            button.clicked.connect(lambda _=False, n=name: self.request(n))
            self.action_buttons[name] = button
            actions.addWidget(button)
        actions.addStretch(1)
        self.hint = QLabel("Drop a voice file (.zip) here to import it.")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addLayout(actions)
        layout.addWidget(self.hint)
        self._groups: dict[str, QTreeWidgetItem] = {}
        self._missing: dict[str, tuple[str, str]] = {}  # source -> (kind, "VoiceDesign 1.7B")
        for source, title in GROUPS:
            group = QTreeWidgetItem([title])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            group.setExpanded(True)
            self._groups[source] = group
        self._update_actions()

    def set_voices(self, refs: list[VoiceRef], keep: str | None = None) -> None:
        """Replace the list; re-select ``keep`` (a VoiceRef key) if it is still there."""
        current = keep or (self.current().key if self.current() else None)
        self.tree.blockSignals(True)
        for group in self._groups.values():
            group.takeChildren()
        for ref in refs:
            item = QTreeWidgetItem([ref.name])
            item.setData(0, ROLE_REF, ref)
            self._groups[ref.source].addChild(item)
        saved = self._groups[SAVED]
        if saved.childCount() == 0:
            empty = QTreeWidgetItem(["None yet: clone or design one"])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            saved.addChild(empty)
        self._mark()
        self.tree.blockSignals(False)
        self._filter(self.search.text())
        if current:
            self.select_key(current)
        self._update_actions()

    def set_missing(self, missing: dict[str, tuple[str, str]]) -> None:
        """Mark the groups whose model is not on disk: source -> (kind, "VoiceDesign 1.7B")."""
        self._missing = dict(missing)
        self.tree.blockSignals(True)
        self._mark()
        self.tree.blockSignals(False)
        self._filter(self.search.text())

    def needs(self, ref: VoiceRef) -> str:
        """'' or the model label the voice's group is missing ('VoiceDesign 1.7B')."""
        return self._missing.get(ref.source, ("", ""))[1] if ref is not None else ""

    def _mark(self) -> None:
        dim = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        normal = self.palette().color(QPalette.ColorRole.Text)
        for source, group in self._groups.items():
            first = group.child(0)
            if first is not None and first.data(0, ROLE_NEEDS):
                group.removeChild(first)
            kind, label = self._missing.get(source, ("", ""))
            for i in range(group.childCount()):
                item = group.child(i)
                ref = item.data(0, ROLE_REF)
                if ref is None:
                    continue
                tip = f"{ref.description or ref.name}\nLanguage: {ref.language}"
                item.setToolTip(0, f"{tip}\nNeeds the {label} model, which is not downloaded "
                                   "yet." if label else tip)
                item.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                             f"{ref.name}, needs {label}" if label else ref.name)
                item.setForeground(0, dim if label else normal)
            if label and any(group.child(i).data(0, ROLE_REF) is not None
                             for i in range(group.childCount())):
                row = QTreeWidgetItem([f"Needs {label} · get it…"])
                row.setData(0, ROLE_NEEDS, kind)
                row.setToolTip(0, f"These voices need the {label} model. Press Enter or "
                                  "double-click to open the Model manager at it.")
                font = row.font(0)
                font.setItalic(True)
                row.setFont(0, font)
                row.setForeground(0, self.palette().color(QPalette.ColorRole.Link))
                group.insertChild(0, row)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) \
                and hasattr(self, "_missing"):
            self.tree.blockSignals(True)
            self._mark()  # the marks' colours come from the palette
            self.tree.blockSignals(False)
        super().changeEvent(event)

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
        self._update_actions()
        if ref is not None:
            self.voice_selected.emit(ref)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, ROLE_NEEDS)
        if kind:
            self.model_requested.emit(str(kind))

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for group in self._groups.values():
            for i in range(group.childCount()):
                item = group.child(i)
                ref = item.data(0, ROLE_REF)
                if item.data(0, ROLE_NEEDS):
                    continue  # the group's note stays while any of it shows
                hay = f"{ref.name} {ref.description} {ref.language}".casefold() if ref else ""
                item.setHidden(bool(needle) and (ref is None or needle not in hay))

    def visible_refs(self) -> list[VoiceRef]:
        """The voices the search leaves, in list order."""
        return [ref for group in self._groups.values() for i in range(group.childCount())
                if not group.child(i).isHidden()
                and (ref := group.child(i).data(0, ROLE_REF)) is not None]

    # --- keyboard ---------------------------------------------------------------------------

    def _from_search(self, key: int) -> None:
        """Move from the search box into the list: to the first match (the last for Up),
        or the current voice if it matches; Enter picks it."""
        shown = self.visible_refs()
        if not shown:
            return
        current = self.current()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) or current not in shown:
            target = shown[-1] if key == Qt.Key.Key_Up else shown[0]
        else:
            target = current
        self.select_key(target.key)
        self.tree.setFocus(Qt.FocusReason.TabFocusReason)

    # --- actions ----------------------------------------------------------------------------

    def request(self, name: str) -> bool:
        """Ask for an action on the selected voice (only your own voices can change)."""
        ref = self.current()
        if ref is None or ref.source != SAVED:
            return False
        signal = {"rename": self.rename_requested, "duplicate": self.duplicate_requested,
                  "export": self.export_requested, "delete": self.delete_requested}[name]
        signal.emit(ref)
        return True

    def _update_actions(self) -> None:
        ref = self.current()
        own = ref is not None and ref.source == SAVED
        for name, text, tip in ACTIONS:
            button = self.action_buttons[name]
            button.setEnabled(own)
            button.setToolTip(tip if own or ref is None else
                              f"{text.rstrip('…')}: built-in voices cannot be changed")

    def _menu(self, pos) -> None:  # noqa: ANN001
        item = self.tree.itemAt(pos)
        ref = item.data(0, ROLE_REF) if item is not None else None
        if ref is None:
            return
        menu = QMenu(self)
        if ref.source == SAVED:
            self.tree.setCurrentItem(item)  # the actions are for the voice clicked
            for name, text, _tip in ACTIONS:
                action = QAction(text, menu)
                action.triggered.connect(lambda _=False, n=name: self.request(n))
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
