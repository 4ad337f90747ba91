"""The Projects workspace: a list of projects, the open project's chapters and blocks, its
cast, rendering with progress, listening, and undoable edits.

Every change goes through studio.projects (the core); this page turns clicks into core calls
and the core's answers into widgets. The open project is a LiveProject shared with a render
of it: edits and finished takes change the same copy in memory, and its writer thread saves
it, so neither an edit nor a finished block waits for project.json to be written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.errors import InvalidInput, StudioError
from studio.library.anyvoice import all_voices
from studio.projects import cast, lexicon, resume
from studio.projects.create import new_project
from studio.projects.imports import read_file
from studio.projects.live import LiveProject
from studio.projects.schema import Chapter, Project
from studio.projects.store import ProjectStore
from studio.ui.context import AppContext
from studio.ui.pages.base import Page
from studio.ui.projects.block_actions import BlockActions
from studio.ui.projects.block_delegate import BlockDelegate
from studio.ui.projects.block_filter import BlockFilter
from studio.ui.projects.block_model import ID_ROLE, BlockModel
from studio.ui.projects.block_takes import BlockTakes
from studio.ui.projects.cast_panel import CastPanel
from studio.ui.projects.cast_sample import CastSample
from studio.ui.projects.edits import AddBlock, JoinBlocks, SplitBlock
from studio.ui.projects.lexicon_panel import LexiconPanel
from studio.ui.projects.listening import Listening
from studio.ui.projects.project_files import ProjectFiles
from studio.ui.projects.project_list import ProjectList
from studio.ui.projects.recent_projects import RecentProjects
from studio.ui.projects.render_panel import RenderPanel
from studio.ui.projects.resume_offer import ResumeOffer
from studio.ui.widgets.notice import NoticeBar


class ProjectsPage(Page):
    save_failed = Signal(str)  # from the open project's writer thread

    def __init__(self, ctx: AppContext, notice: NoticeBar, store: ProjectStore | None = None
                 ) -> None:
        super().__init__(ctx, notice)
        self.store = store or ProjectStore(ctx.library.root)
        self.project: Project | None = None
        self.live: LiveProject | None = None  # the open project; self.project is its copy
        self.save_failed.connect(self._save_failed)
        self.chapter = 0
        self.undo = QUndoStack(self)
        self.setAcceptDrops(True)

        self.projects = ProjectList()
        self.chapters = QTreeWidget()
        self.chapters.setAccessibleName("Chapters")
        self.chapters.setHeaderLabels(["Chapters"])
        self.chapters.currentItemChanged.connect(self._chapter_chosen)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.projects)
        left.addWidget(self.chapters)

        self.model = BlockModel(ctx.library)
        self.view = QListView()
        self.view.setAccessibleName("Blocks")
        self.view.setModel(self.model)
        self.view.setItemDelegate(BlockDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.render = RenderPanel(self)
        self.listening = Listening(self)
        self.title = QLabel("Open or create a project.")
        self.offer = ResumeOffer(self)
        self.filter = BlockFilter(self.view, self.model)
        self.recent = RecentProjects(self.store.root)
        self.recent.open_requested.connect(self.open_project)
        centre = QWidget()
        col = QVBoxLayout(centre)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.offer)
        col.addWidget(self.title)
        col.addWidget(self.render)
        col.addWidget(self.listening)
        col.addWidget(self.filter)
        self.takes = BlockTakes(self)
        self.blocks_area = self.takes.under(self.view)
        col.addWidget(self.blocks_area, 1)
        col.addWidget(self.recent, 1)

        self.cast = CastPanel()
        self.cast.voice_chosen.connect(self.recast)
        self.side = QTabWidget()
        self.side.setAccessibleName("Project panels")
        self.side.addTab(self.cast, "Cast")
        self.lexicon = LexiconPanel(self)
        self.side.addTab(self.lexicon, "Lexicon")
        self.cast_sample = CastSample(self)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(centre)
        split.addWidget(self.side)
        for column, stretch in enumerate((1, 4, 1)):  # a larger window widens all three
            split.setStretchFactor(column, stretch)
        left.setMinimumWidth(150)  # on a small screen the blocks get the room
        self.side.setMinimumWidth(190)
        split.setSizes([150, 700, 190])
        QVBoxLayout(self).addWidget(split)

        self.files = ProjectFiles(self)
        self.projects.open_requested.connect(self.open_project)
        self._add_actions()
        self.block_actions = BlockActions(self)
        self.refresh_projects()
        self.show_project()
        QTimer.singleShot(0, self.offer.offer_at_start)  # once the window's message bar is up

    def _add_actions(self) -> None:
        undo = self.undo.createUndoAction(self, "Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo.createRedoAction(self, "Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        nxt = QAction("Next flagged", self)
        nxt.setShortcut(QKeySequence("F3"))
        nxt.triggered.connect(lambda: self.next_flagged(1))
        prev = QAction("Previous flagged", self)
        prev.setShortcut(QKeySequence("Shift+F3"))
        prev.triggered.connect(lambda: self.next_flagged(-1))
        self.undo_action, self.redo_action = undo, redo
        for action in (undo, redo, nxt, prev):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

    # -- projects ------------------------------------------------------------------------

    def attempt(self, what: Callable[[], object]) -> object | None:
        try:
            return what()
        except StudioError as exc:
            self.notice.show_message(str(exc), "error")
            return None

    def refresh_projects(self, keep: str | None = None) -> None:
        listing = self.attempt(self.store.list)
        if listing is not None:
            self.recent.show_listing(listing)  # type: ignore[arg-type]
            self.projects.set_projects(listing, keep or (self.project.id if self.project
                                                         else None))

    def free_name(self, base: str) -> str:
        names = {p.name.casefold() for p in self.store.list().projects}
        name, n = base, 2
        while name.casefold() in names:
            name, n = f"{base} {n}", n + 1
        return name

    def create(self, name: str, source: Path | None = None) -> Project | None:
        def make() -> Project:
            project = new_project(self.store, name, source, library=self.ctx.library)
            if source is None:
                project.chapters = [Chapter("Chapter 1")]
                self.store.save(project)
            return project

        project = self.attempt(make)
        if isinstance(project, Project):
            self.refresh_projects(project.id)
            self.open_project(project.id)
            return project
        return None

    def import_file(self, path: Path) -> Project | None:
        """A new project from ``path``, named after the file (renaming is one click)."""
        if self.attempt(lambda: read_file(path)) is None:
            return None
        return self.create(self.free_name(path.stem.replace("_", " ").strip() or "Imported"),
                           path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.import_file(Path(url.toLocalFile()))
        event.acceptProposedAction()

    def open_project(self, project_id: str) -> None:
        if self.render.live is not None and self.render.live.id == project_id:
            live: object = self.render.live  # being rendered: the same copy, not a second
        else:
            live = self.attempt(lambda: LiveProject.load(self.store, project_id))
        if not isinstance(live, LiveProject):
            return
        self.close_project()
        live.on_error = lambda exc: self.save_failed.emit(str(exc))
        self.undo.clear()
        self.live, self.project, self.chapter = live, live.project, 0
        self.recent.opened(project_id)
        self.show_project()
        if not self.render.running() and not self.store.render_running(project_id):
            note = resume.pending(self.store, live.project)
            if note is not None:
                self.offer.offer(note)

    def close_project(self) -> None:
        """Save the open project now (a render of it goes on with the same copy)."""
        live, self.live, self.project = self.live, None, None
        if live is not None:
            self.attempt(live.flush)

    def _save_failed(self, message: str) -> None:
        self.notice.show_message(f"{message} Your changes are kept in the window; they are "
                                 "saved with the next change once this is fixed.", "error")

    # -- the open project ----------------------------------------------------------------

    def entries(self) -> list:
        assert self.project is not None
        return lexicon.merged(self.project.lexicon, self.attempt(lexicon.load_shared) or [])

    def show_project(self) -> None:
        """Chapters, blocks and cast of ``self.project`` as it is now."""
        project = self.project
        self.chapters.blockSignals(True)
        self.chapters.clear()
        if project is not None:
            for k, chapter in enumerate(project.chapters):
                item = QTreeWidgetItem([chapter.title or f"Chapter {k + 1}"])
                item.setData(0, Qt.ItemDataRole.UserRole, k)
                self.chapters.addTopLevelItem(item)
            self.chapter = min(self.chapter, max(0, len(project.chapters) - 1))
            if project.chapters:
                self.chapters.setCurrentItem(self.chapters.topLevelItem(self.chapter))
        self.chapters.blockSignals(False)
        self.title.setText(project.name if project else "Open or create a project.")
        for widget in (self.blocks_area, self.view, self.filter, self.listening):
            widget.setVisible(project is not None)
        self.recent.setVisible(project is None)
        self.model.show(project, self.chapter, self.entries() if project else [])
        voices = self.attempt(lambda: all_voices(self.ctx.library, self.ctx.presets)) or []
        self.cast.show_cast(project, voices)  # type: ignore[arg-type]
        self.lexicon.show_entries(project)
        self.render.update_buttons()

    def reload(self, block_ids: set[str] | None = None) -> None:
        """Show the open project as it is in memory now: the rows of ``block_ids`` when only
        their content changed, else the whole project."""
        if self.project is None or self.live is None:
            return
        if block_ids is None:
            self.attempt(self.live.sync_from_disk)
        chapters = self.project.chapters
        same = len(chapters) > self.chapter and [b.id for b in self.model.blocks] == [
            b.id for b in chapters[self.chapter].blocks]
        if same and block_ids is not None:
            self.model.refresh(block_ids)
        else:
            row = self.view.currentIndex().row()
            self.show_project()
            if row >= 0:
                self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1)))

    def change(self, edit: Callable[[Project], object]) -> None:
        """Apply ``edit`` to the open project in memory and show it; its writer thread saves
        it (the undo stack's hook)."""
        live = self.live
        if live is None:
            return

        def apply() -> None:
            live.sync_from_disk()
            try:
                live.edit(edit)
            except KeyError:
                raise InvalidInput("That block is no longer in the project (it was changed "
                                   "meanwhile); nothing was changed.") from None

        self.attempt(apply)
        self.reload()

    def _chapter_chosen(self, item: QTreeWidgetItem | None) -> None:
        if item is None or self.project is None:
            return
        self.chapter = int(item.data(0, Qt.ItemDataRole.UserRole))
        self.model.show(self.project, self.chapter, self.entries())

    def recast(self, name: str, voice: str) -> None:
        self.change(lambda p: cast.recast(p, name, voice, self.ctx.library))

    # -- block edits ---------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [self.model.blocks[r].id for r in rows]

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def split_current(self, at: int | None = None) -> None:
        block_id = self.current_id()
        if block_id is None or self.project is None:
            return
        text = self.project.block(block_id).text
        at = len(text) // 2 if at is None else at
        while 0 < at < len(text) and not text[at].isspace():
            at += 1
        if not text[:at].strip() or not text[at:].strip():
            self.notice.show_message("This block is too short to split.", "warning")
            return
        self.undo.push(SplitBlock(self.change, block_id, at, text))

    def join_current(self) -> None:
        block_id = self.current_id()
        if block_id is None or self.project is None:
            return
        if self.view.currentIndex().row() + 1 >= self.model.rowCount():
            self.notice.show_message("Select the first of two blocks to join them.", "warning")
            return
        self.undo.push(JoinBlocks(self.change, block_id, self.project.block(block_id).text))

    def add_block(self) -> None:
        if self.project is None or not self.project.chapters:
            return
        row = self.view.currentIndex().row()
        after = self.model.blocks[row].id if row >= 0 else None
        self.undo.push(AddBlock(self.change, self.chapter, after))
        self.select_row(row + 1)
        self.view.edit(self.view.currentIndex())

    def export_dialog(self) -> None:
        if self.project is None:
            return
        from studio.ui.projects.export_dialog import ExportDialog

        ExportDialog(self.store, self.store.load(self.project.id), self.entries(),
                     self.ctx.library, self.ctx.inference.jobs, self).exec()

    def next_flagged(self, step: int) -> None:
        """F3 / Shift+F3: the next flagged block, or the next the filter is about."""
        row = self.filter.next_row(self.view.currentIndex().row(), step)
        if row is None:
            self.notice.show_message(self.filter.nothing_message(), "info")
        else:
            self.select_row(row)

    def select_row(self, row: int) -> None:
        index: QModelIndex = self.model.index(row)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    # -- the window ----------------------------------------------------------------------

    def has_unsaved_work(self) -> bool:
        return self.render.running()

    def unsaved_description(self) -> str:
        return "a render running (what is finished is kept)"

    def shutdown(self) -> None:
        self.render.interrupt()
        self.close_project()
        if self.lexicon.take is not None:
            self.lexicon.take.cancel()
        self.listening.stop()
        self.takes.shutdown()
        self.cast_sample.stop()
