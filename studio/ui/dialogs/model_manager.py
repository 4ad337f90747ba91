"""Model manager: download, pause, resume and delete the published models (the voice models
and the Whisper models that transcribe clips), use folders the user already has, and choose
which model serves each role.

Downloads belong to the context's DownloadManager, not to this dialog: closing the dialog
while one runs asks whether to keep it going in the background (it pauses when the app
quits and resumes from where it stopped) or to pause it now. The model pool belongs to the
inference thread: this dialog only reads it (discovery is JSON reads, ``loaded()`` a dict
copy) and asks the inference client to unload.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio import hub, paths
from studio.errors import StudioError
from studio.hub import DownloadProgress, ModelInfo, discover, read_asr_info
from studio.hub.catalog import ASR_CATALOG, CATALOG, KIND_NAMES, CatalogEntry
from studio.humanize import human_bytes
from studio.ui.context import AppContext
from studio.ui.dialogs.model_panels import (
    FirstRunPanel,
    RolePicker,
    ask_confirm,
    ask_keep_downloading,
    check_folder,
    folder_bytes,
    section_label,
)
from studio.ui.dialogs.model_states import Loaded, show_catalog_entry, show_found, show_progress
from studio.ui.downloads import DONE, FAILED
from studio.ui.widgets.model_row import ModelRow
from studio.ui.widgets.notice import NoticeBar

log = logging.getLogger(__name__)
HEIGHT = 900  # tall enough for several model rows above the role picker


def _height(widget: QWidget) -> int:
    """HEIGHT, less on a short screen, but never shorter than the old 760."""
    screen = widget.screen()
    room = screen.availableGeometry().height() - 60 if screen is not None else HEIGHT
    return max(760, min(HEIGHT, room))


class ModelManagerDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 focus: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.focus_key = focus  # a published model to show first (its repo id)
        self.manager = ctx.downloads
        self._pending_delete: list[Path] = []
        self._models: list[ModelInfo] = []
        self.setWindowTitle("Model manager")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(800, _height(self))

        self.notice = NoticeBar()
        self.first_run = FirstRunPanel()
        self.rows: dict[str, ModelRow] = {}
        for entry in (*CATALOG, *ASR_CATALOG):
            row = ModelRow(entry.repo_id, entry.folder_name, f"{KIND_NAMES[entry.kind]}. "
                           f"{entry.summary}", f"{entry.size} · about "
                           f"{human_bytes(entry.download_bytes)}")
            row.action.connect(lambda name, e=entry: self._catalog_action(e, name))
            self.rows[entry.repo_id] = row
        self.other_rows: dict[str, ModelRow] = {}
        self.other_title = section_label("Found on this computer")
        self.other_hint = QLabel("Models in your folders that are not in the download list "
                                 "below; they are used like downloaded ones.")
        self.other_hint.setObjectName("hint")
        self.other_hint.setWordWrap(True)
        self.other_hint.setStyleSheet("color: palette(placeholder-text);")
        self.other_box = QVBoxLayout()
        self.other_box.setSpacing(6)
        self.roles = RolePicker()
        self.roles.changed.connect(self.set_role)
        self.folder_button = QPushButton("Use a folder I already have…")
        self.folder_button.setToolTip("A model folder you downloaded before, e.g. with "
                                      "huggingface-cli; its files are used where they are.")
        self.folder_button.clicked.connect(self.choose_folder)
        self.open_button = QPushButton("Open models folder")
        self.open_button.clicked.connect(self.open_models_folder)
        self.close_button = QPushButton("Close")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.reject)

        content = QWidget()
        col = QVBoxLayout(content)
        col.setContentsMargins(14, 12, 14, 12)
        col.setSpacing(6)
        col.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # scroll, never squeeze
        col.addWidget(self.first_run)
        # what is already here comes first: it should not take scrolling to find
        col.addWidget(self.other_title)
        col.addWidget(self.other_hint)
        col.addLayout(self.other_box)
        col.addWidget(section_label("Published models"))
        where = QLabel(f"Downloads go to {paths.models_dir()}")
        where.setObjectName("hint")
        where.setStyleSheet("color: palette(placeholder-text);")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(where)
        for entry in CATALOG:
            col.addWidget(self.rows[entry.repo_id])
        col.addSpacing(6)
        col.addWidget(section_label("Transcription models"))
        asr_hint = QLabel("Optional. They hear the words of a clip for you on the Clone page "
                          "(Transcribe) and check a typed transcript against the audio.")
        asr_hint.setObjectName("hint")
        asr_hint.setWordWrap(True)
        asr_hint.setStyleSheet("color: palette(placeholder-text);")
        col.addWidget(asr_hint)
        for entry in ASR_CATALOG:
            col.addWidget(self.rows[entry.repo_id])
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        self.scroll = scroll
        buttons = QHBoxLayout()
        buttons.addWidget(self.folder_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 10)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        lower = QVBoxLayout()
        lower.setContentsMargins(14, 0, 14, 0)
        lower.addWidget(self.roles)
        lower.addLayout(buttons)
        layout.addLayout(lower)

        self.manager.started.connect(self._download_changed)
        self.manager.progress.connect(self._on_progress)
        self.manager.ended.connect(self._on_ended)
        ctx.inference.unloaded.connect(self._on_unloaded)
        ctx.inference.model_ready.connect(self._on_model_ready)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        row = self.rows.get(self.focus_key or "")
        if row is not None:  # opened for one model: scroll to it, focus what it offers
            self.scroll.ensureWidgetVisible(row)
            buttons = [row.button(name) for name in row.visible_buttons()]
            (buttons[0] if buttons else row).setFocus()

    # --- state --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the disk (JSON only) and the pool's loaded models; update every row."""
        self._models = self.ctx.pool.available()
        asr = discover(self.ctx.pool.roots, self.ctx.pool.extra, kind="asr")
        loaded = {m.info.path.resolve(): m for m in self.ctx.pool.loaded()}
        self.first_run.setVisible(not any(m.usable for m in self._models))
        installed: set[Path] = set()
        for entry in (*CATALOG, *ASR_CATALOG):
            path = show_catalog_entry(self.rows[entry.repo_id], entry, self.manager, loaded)
            if path is not None:
                installed.add(path.resolve())
        self._fill_others([m for m in [*self._models, *asr] if m.path.resolve() not in installed],
                          loaded)
        self.roles.fill([*self._models, *asr], self.ctx.settings.roles)

    def _fill_others(self, models: list[ModelInfo], loaded: Loaded) -> None:
        for row in self.other_rows.values():
            row.setParent(None)
            row.deleteLater()
        self.other_rows.clear()
        self.other_title.setVisible(bool(models))
        self.other_hint.setVisible(bool(models))
        metrics = QFontMetrics(self.font())
        for m in models:
            where = metrics.elidedText(str(m.path), Qt.TextElideMode.ElideMiddle, 520)
            row = ModelRow(str(m.path), m.name, f"{KIND_NAMES.get(m.kind, m.kind)} · {where}",
                           m.size)
            row.detail.setToolTip(str(m.path))
            show_found(row, m, loaded, self._extra_for(m.path) is not None)
            row.action.connect(lambda name, info=m: self._other_action(info, name))
            self.other_rows[str(m.path)] = row
            self.other_box.addWidget(row)

    def _extra_for(self, path: Path) -> Path | None:
        """The added folder that ``path`` comes from (itself or its parent), if any."""
        real = path.resolve()
        for extra in self.ctx.pool.extra:
            if Path(extra).resolve() in (real, real.parent):
                return Path(extra)
        return None

    # --- actions ------------------------------------------------------------------------------

    def _catalog_action(self, entry: CatalogEntry, name: str) -> None:
        repo = entry.repo_id
        if name in ("download", "resume"):
            self.start_download(repo)
        elif name == "pause":
            self.manager.cancel(repo)
            self.rows[repo].set_status("Pausing…", "busy")
        elif name == "discard":
            if self.confirm("Discard download", f"Delete the partly downloaded files of "
                            f"{entry.folder_name}? The download would start from zero.",
                            "Discard"):
                try:
                    hub.discard_partial(entry)
                except StudioError as exc:
                    self.notice.show_message(str(exc), "error")
                self.manager.errors.pop(repo, None)
                self.refresh()
        elif name == "delete":
            self.delete_model(paths.models_dir() / entry.folder_name)
        elif name == "unload":
            self.ctx.inference.unload()

    def _other_action(self, info: ModelInfo, name: str) -> None:
        if name == "delete":
            self.delete_model(info.path)
        elif name == "unload":
            self.ctx.inference.unload()
        elif name == "remove":
            extra = self._extra_for(info.path)
            if extra is not None:
                self.remove_folder(extra)

    def start_download(self, repo_id: str) -> None:
        if self.manager.start(repo_id) is not None:
            self.notice.hide()

    def delete_model(self, path: Path) -> None:
        """Delete after a confirmation; a loaded model is unloaded first (on its thread)."""
        size = human_bytes(folder_bytes(path))
        if not self.confirm("Delete model", f"Delete {path.name} from the models folder? "
                            f"This frees {size}. You can download it again later.", "Delete"):
            return
        if any(m.info.path.resolve() == path.resolve() for m in self.ctx.pool.loaded()):
            self._pending_delete.append(path)
            self.ctx.inference.unload()
            return
        self._delete_now(path)

    def _delete_now(self, path: Path) -> None:
        if read_asr_info(path) is not None:
            self.ctx.transcription.unload()  # its files must not be in use (Windows)
        try:
            hub.delete_model(path)
        except StudioError as exc:
            self.notice.show_message(str(exc), "error")
        else:
            self.notice.show_message(f"Deleted {path.name}.", "info")
            roles = {k: v for k, v in self.ctx.settings.roles.items() if Path(v) != path}
            if roles != self.ctx.settings.roles:
                self._apply_roles(roles)
        self.refresh()

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Use a model folder you already have",
                                                  str(Path.home()))
        if folder:
            self.add_folder(Path(folder))

    def add_folder(self, folder: Path) -> bool:
        """Validate ``folder`` (a model, or a folder of models) and use it; False if refused."""
        folder, usable, problem = check_folder(folder)
        if problem:
            self.notice.show_message(problem, "error")
            return False
        real = folder.resolve()
        known = {Path(p).resolve() for p in self.ctx.settings.model_folders}
        known |= {Path(p).resolve() for p in self.ctx.pool.extra}
        names = ", ".join(m.name for m in usable)
        if real in known or real.parent == paths.models_dir().resolve():
            self.notice.show_message(f"{names} is already in the list.", "info")
            return True
        self.ctx.settings.model_folders = [*self.ctx.settings.model_folders, str(real)]
        self.ctx.pool.extra = [*self.ctx.pool.extra, real]  # one assignment: the worker reads it
        self._save()
        self.refresh()
        self.notice.show_message(f"Added {names}. Its files stay where they are.", "info")
        return True

    def remove_folder(self, folder: Path) -> None:
        real = folder.resolve()
        self.ctx.settings.model_folders = [p for p in self.ctx.settings.model_folders
                                           if Path(p).resolve() != real]
        self.ctx.pool.extra = [p for p in self.ctx.pool.extra if Path(p).resolve() != real]
        self._save()
        self.refresh()

    def set_role(self, kind: str, path: str) -> None:
        roles = dict(self.ctx.settings.roles)
        if path:
            roles[kind] = path
        else:
            roles.pop(kind, None)
        self._apply_roles(roles)

    def _apply_roles(self, roles: dict[str, str]) -> None:
        self.ctx.settings.roles = roles
        self.ctx.pool.roles = dict(roles)  # one assignment: the worker only reads it
        self._save()

    def open_models_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.models_dir(ensure=True))))

    def _save(self) -> None:
        try:
            self.ctx.settings.save()
        except OSError as exc:
            self.notice.show_message(f"Could not save the settings: {exc}", "error")

    # --- signals --------------------------------------------------------------------------------

    def _download_changed(self, repo_id: str) -> None:
        if repo_id in self.rows:
            show_progress(self.rows[repo_id], self.manager.last_progress(repo_id))

    def _on_progress(self, repo_id: str, progress: DownloadProgress) -> None:
        if repo_id in self.rows:
            show_progress(self.rows[repo_id], progress)

    def _on_ended(self, repo_id: str, outcome: str, message: str) -> None:
        name = repo_id.split("/")[-1]
        if outcome == DONE:
            self.notice.show_message(f"{name} is downloaded and ready to use.", "info")
        elif outcome == FAILED:
            self.notice.show_message(message, "error")
        self.refresh()

    def _on_unloaded(self) -> None:
        pending, self._pending_delete = self._pending_delete, []
        for path in pending:
            self._delete_now(path)
        self.refresh()

    def _on_model_ready(self, _info: ModelInfo) -> None:
        self.refresh()

    # --- asking and closing ---------------------------------------------------------------------

    def confirm(self, title: str, text: str, ok: str) -> bool:
        return ask_confirm(self, title, text, ok)

    def ask_on_close(self, count: int) -> str:
        """'keep', 'pause' or 'stay' when closing while ``count`` downloads run."""
        return ask_keep_downloading(self, count)

    def reject(self) -> None:
        running = self.manager.running()
        if running:
            choice = self.ask_on_close(len(running))
            if choice == "stay":
                return
            if choice == "pause":
                for repo_id in running:
                    self.manager.cancel(repo_id)
        self._disconnect()
        super().reject()

    def _disconnect(self) -> None:
        """Our slots must not run once the dialog is gone; the manager and worker live on."""
        for signal, slot in ((self.manager.started, self._download_changed),
                             (self.manager.progress, self._on_progress),
                             (self.manager.ended, self._on_ended),
                             (self.ctx.inference.unloaded, self._on_unloaded),
                             (self.ctx.inference.model_ready, self._on_model_ready)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
