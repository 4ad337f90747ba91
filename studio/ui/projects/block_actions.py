"""Block edits beyond text, split and join: move (Alt+Up / Alt+Down, or drag), a pause
after a block, the speaker (from a menu, or by typing ``Name:`` before the text), and
accepting a flagged take as it is. Each is one step on the page's undo stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QDropEvent, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QInputDialog, QMenu, QPushButton

from studio.projects.import_text import speaker_prefix
from studio.projects.schema import DEFAULT_PAUSE_S, MAX_NAME
from studio.ui.projects.block_commands import (
    AcceptTake,
    MoveBlocks,
    MoveToChapter,
    SetPause,
    SetSpeaker,
)
from studio.ui.projects.block_model import BLOCK_IDS_MIME, FLAGGED
from studio.ui.projects.edits import EditText

if TYPE_CHECKING:
    from studio.ui.pages.projects import ProjectsPage

NEW_SPEAKER = "New speaker…"
PAUSE_AFTER_S = 1.0  # what "Insert pause" offers after a block with the usual pause


class BlockActions(QObject):
    def __init__(self, page: ProjectsPage) -> None:
        super().__init__(page)
        self.page = page
        view = page.view
        view.setDragEnabled(True)
        view.setAcceptDrops(True)
        view.setDropIndicatorShown(True)
        view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        view.setDefaultDropAction(Qt.DropAction.MoveAction)
        page.model.on_move = self.move_to
        page.model.on_edit = self.edit_text
        page.chapters.viewport().setAcceptDrops(True)  # blocks dropped on another chapter
        page.chapters.viewport().installEventFilter(self)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)

        self.up = self._action("Move up", "Alt+Up", lambda: self.move_by(-1))
        self.down = self._action("Move down", "Alt+Down", lambda: self.move_by(1))
        self.pause = self._action("Insert pause after…", "Ctrl+Shift+P", self.insert_pause)
        self.accept = self._action("Accept as it is", "Ctrl+Shift+A", self.accept_flagged)
        self.buttons: dict[str, QPushButton] = {}
        for key, action, tip in (
                ("pause", self.pause, "A longer silence after the selected block (it is "
                                      "not rendered again)"),
                ("accept", self.accept, "Keep the flagged take of the selected blocks as it "
                                        "is: the flag is cleared, the take stays")):
            button = QPushButton(action.text())
            button.setAccessibleName(action.text().rstrip("…"))
            button.setToolTip(f"{tip} ({action.shortcut().toString()})")
            button.clicked.connect(action.trigger)
            page.filter.row.addWidget(button)
            self.buttons[key] = button
            action.enabledChanged.connect(button.setEnabled)
        view.selectionModel().selectionChanged.connect(lambda *_: self._update_accept())
        page.model.dataChanged.connect(lambda *_: self._update_accept())
        page.model.modelReset.connect(self._update_accept)
        self._update_accept()

    def _action(self, text: str, keys: str, slot: object) -> QAction:
        action = QAction(text, self.page)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.page.addAction(action)
        return action

    # -- moving ----------------------------------------------------------------------------

    def _reselect(self, block_ids: list[str]) -> None:
        page = self.page
        rows = [page.model.row_of(i) for i in block_ids]
        rows = [r for r in rows if r >= 0]
        if not rows:
            return
        selection = page.view.selectionModel()
        flag = selection.SelectionFlag
        selection.setCurrentIndex(page.model.index(rows[0]), flag.ClearAndSelect)
        for r in rows[1:]:
            selection.select(page.model.index(r), flag.Select)
        page.view.scrollTo(page.model.index(rows[0]))

    def move_to(self, block_ids: list[str], row: int) -> None:
        """Move the blocks (of the shown chapter) to stand before ``row``."""
        page = self.page
        order = [b.id for b in page.model.blocks]
        if not block_ids or not set(block_ids) <= set(order):
            return
        ids = [i for i in order if i in set(block_ids)]
        rest = [i for i in order if i not in set(ids)]
        at = row - sum(1 for i in order[:row] if i in set(ids))
        if rest[:at] + ids + rest[at:] == order:
            return
        page.undo.push(MoveBlocks(page.change, ids, row))
        self._reselect(ids)

    def move_by(self, step: int) -> None:
        page = self.page
        rows = sorted({i.row() for i in page.view.selectionModel().selectedIndexes()})
        if not rows and page.view.currentIndex().isValid():
            rows = [page.view.currentIndex().row()]
        if not rows:
            return
        if (step < 0 and rows[0] == 0) or (step > 0 and rows[-1] == page.model.rowCount() - 1):
            page.notice.show_message("The block is already at the chapter's "
                                     f"{'start' if step < 0 else 'end'}.", "info")
            return
        self.move_to([page.model.blocks[r].id for r in rows],
                     rows[0] - 1 if step < 0 else rows[-1] + 2)

    def move_to_chapter(self, chapter: int, block_ids: list[str] | None = None) -> None:
        """Move the blocks (the selected ones) to the end of another chapter."""
        page = self.page
        ids = block_ids if block_ids is not None else page.selected_ids()
        if page.project is None or not ids or chapter == page.chapter \
                or not 0 <= chapter < len(page.project.chapters):
            return
        page.undo.push(MoveToChapter(page.change, ids, chapter))

    def _chapter_at(self, event: QDropEvent) -> int | None:
        item = self.page.chapters.itemAt(event.position().toPoint())
        if item is None or not event.mimeData().hasFormat(BLOCK_IDS_MIME):
            return None
        chapter = int(item.data(0, Qt.ItemDataRole.UserRole))
        return None if chapter == self.page.chapter else chapter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Blocks dragged onto a chapter in the chapter list move to its end."""
        kinds = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
        if event.type() not in kinds or not isinstance(event, QDropEvent):
            return False
        chapter = self._chapter_at(event)
        if chapter is None:
            if event.mimeData().hasFormat(BLOCK_IDS_MIME):
                event.ignore()
                return True
            return False
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            ids = bytes(event.mimeData().data(BLOCK_IDS_MIME).data()).decode().split()
            self.move_to_chapter(chapter, ids)
        return True

    # -- pause -----------------------------------------------------------------------------

    def insert_pause(self) -> None:
        page = self.page
        block_id = page.current_id()
        if block_id is None or page.project is None:
            page.notice.show_message("Select the block the pause comes after.", "info")
            return
        old = page.project.block(block_id).pause_s
        offer = PAUSE_AFTER_S if abs(old - DEFAULT_PAUSE_S) < 1e-6 else old
        seconds, ok = QInputDialog.getDouble(page, "Pause after the block",
                                             "Seconds of silence after this block:",
                                             offer, 0.0, 60.0, 1)
        if ok and abs(seconds - old) > 1e-6:
            page.undo.push(SetPause(page.change, block_id, old, seconds))
        page.view.setFocus()

    # -- speaker ---------------------------------------------------------------------------

    def speaker_names(self) -> list[str]:
        """The cast, then the other names that speak in the script."""
        project = self.page.project
        if project is None:
            return []
        names = [m.name for m in project.cast]
        for _c, block in project.blocks():
            if project.member(block.speaker) is None and block.speaker not in names:
                names.append(block.speaker)
        return names

    def set_speaker(self, name: str, block_ids: list[str] | None = None) -> None:
        page = self.page
        if page.project is None:
            return
        ids = block_ids if block_ids is not None else page.selected_ids()
        name = " ".join(name.split())
        old = {i: page.project.block(i).speaker for i in ids}
        if not name or all(s == name for s in old.values()):
            return
        if len(name) > MAX_NAME:
            page.notice.show_message(f"A speaker's name has at most {MAX_NAME} characters.",
                                     "warning")
            return
        page.undo.push(SetSpeaker(page.change, old, name))
        self._reselect(ids)

    def new_speaker(self) -> None:
        name, ok = QInputDialog.getText(self.page, "New speaker", "Who says the selected "
                                        "blocks?")
        if ok:
            self.set_speaker(name)

    def speaker_menu(self, parent: QMenu) -> QMenu:
        menu = parent.addMenu("Speaker")
        current = {self.page.project.block(i).speaker for i in self.page.selected_ids()} \
            if self.page.project else set()
        for name in self.speaker_names():
            swatch = QPixmap(12, 12)
            swatch.fill(self.page.model.colour(name))  # as the speaker's pill in the rows
            action = menu.addAction(QIcon(swatch), name)
            action.setCheckable(True)
            action.setChecked(current == {name})
            action.triggered.connect(lambda _=False, n=name: self.set_speaker(n))
        menu.addSeparator()
        menu.addAction(NEW_SPEAKER).triggered.connect(self.new_speaker)
        return menu

    def context_menu(self) -> QMenu:
        """The block list's menu for the selected blocks."""
        menu = QMenu(self.page.view)
        menu.setAccessibleName("Block actions")
        self.speaker_menu(menu)
        menu.addSeparator()
        for action in (self.up, self.down):
            menu.addAction(action)
        chapters = menu.addMenu("Move to chapter")
        project = self.page.project
        for k, chapter in enumerate(project.chapters if project else []):
            action = chapters.addAction(chapter.title or f"Chapter {k + 1}")
            action.setEnabled(k != self.page.chapter)
            action.triggered.connect(lambda _=False, c=k: self.move_to_chapter(c))
        for action in (self.pause, self.accept):
            menu.addAction(action)
        self._update_accept()
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        view = self.page.view
        if not self.page.selected_ids():
            return
        if not view.indexAt(pos).isValid():  # the menu key: at the current block
            pos = view.visualRect(view.currentIndex()).center()
        self.context_menu().exec(view.viewport().mapToGlobal(pos))

    def edit_text(self, block_id: str, text: str) -> None:
        """Text typed in place; ``Name: words`` makes Name the speaker of the words."""
        page = self.page
        if page.project is None:
            return
        if not text.strip():
            page.notice.show_message("A block needs some text; to remove one, join it with "
                                     "the block before.", "warning")
            return
        block = page.project.block(block_id)
        prefix = speaker_prefix(text)
        if prefix is None or speaker_prefix(block.text) == prefix:
            page.undo.push(EditText(page.change, block_id, block.text, text))
            return
        name, words = prefix
        member = page.project.member(name)
        name = member.name if member is not None else name  # the cast's spelling
        if words == block.text and name == block.speaker:
            return
        page.undo.beginMacro(f"Speaker {name}")
        if words != block.text:
            page.undo.push(EditText(page.change, block_id, block.text, words))
        if name != block.speaker:
            page.undo.push(SetSpeaker(page.change, {block_id: block.speaker}, name))
        page.undo.endMacro()

    # -- accepting -------------------------------------------------------------------------

    def _flagged_selected(self) -> list[str]:
        model = self.page.model
        rows = {i.row() for i in self.page.view.selectionModel().selectedIndexes()}
        return [model.blocks[r].id for r in sorted(rows) if model.states[r] == FLAGGED]

    def _update_accept(self) -> None:
        self.accept.setEnabled(bool(self._flagged_selected()))

    def accept_flagged(self) -> None:
        ids = self._flagged_selected()
        if not ids:
            self.page.notice.show_message("Select a flagged block to accept its take as it "
                                          "is.", "info")
            return
        self.page.undo.push(AcceptTake(self.page.change, ids))
        self.page.view.setFocus()  # the button may turn off: keep the keys on the blocks
