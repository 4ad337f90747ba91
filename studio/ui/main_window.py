"""The studio window: the voice sidebar (with the selected voice's takes), the Speak / Clone /
Design workspaces, a status bar, menus, and everything that must happen when it opens and
closes."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
)

from studio.errors import StudioError
from studio.humanize import human_bytes
from studio.library.anyvoice import VoiceRef, all_voices
from studio.ui.context import AppContext
from studio.ui.engine_switch import offer_this_computer
from studio.ui.model_help import ACTION, SOURCE_KINDS, missing_kinds, model_label, starter
from studio.ui.projects.script_drop import ScriptDrop, unsupported_message
from studio.ui.voice_actions import VoiceActions
from studio.ui.welcome import first_voice_key, greeting, user_language
from studio.ui.widgets.focus_ring import FocusRings
from studio.ui.widgets.notice import NoticeBar
from studio.ui.widgets.notice_host import NoticeHost
from studio.ui.widgets.voice_list import VoiceList
from studio.ui.widgets.voice_takes import TakesPanel

log = logging.getLogger(__name__)
PAGES = ("speak", "clone", "design", "projects")


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._closing = False
        self.setWindowTitle("Voice Studio")
        self.resize(1200, 760)
        self.setMinimumSize(900, 600)

        from studio.ui.pages.clone import ClonePage
        from studio.ui.pages.design import DesignPage
        from studio.ui.pages.projects import ProjectsPage
        from studio.ui.pages.speak import SpeakPage

        self.notice = NoticeBar()
        self.voice_actions = VoiceActions(ctx, self.notice, self)
        self.voices = VoiceList()
        self.takes = TakesPanel(ctx)
        self.speak = SpeakPage(ctx, self.notice)
        self.clone = ClonePage(ctx, self.notice)
        self.design = DesignPage(ctx, self.notice)
        self.projects = ProjectsPage(ctx, self.notice)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.speak, "Speak")
        self.tabs.addTab(self.clone, "Clone")
        self.tabs.addTab(self.design, "Design")
        self.tabs.addTab(self.projects, "Projects")
        self.tabs.currentChanged.connect(self._tab_changed)

        right = NoticeHost(self.tabs, self.notice)
        self.sidebar = QSplitter(Qt.Orientation.Vertical)
        self.sidebar.addWidget(self.voices)
        self.sidebar.addWidget(self.takes)
        self.sidebar.setStretchFactor(0, 3)
        self.sidebar.setStretchFactor(1, 1)
        self.sidebar.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 940])
        self.setCentralWidget(self.splitter)

        FocusRings.install(QApplication.instance())  # a visible ring where the keyboard is
        self._build_status_bar()
        self._build_menus()
        self._connect()
        first_start = not ctx.settings.last_voice
        self.refresh_models()
        self.refresh_voices(keep=ctx.settings.last_voice or None)
        if first_start:
            self._welcome()
        self._restore_layout()
        self.notice.page_changed(self.tabs.currentWidget())
        self.clone.voice_saved.connect(self._voice_saved)
        self.design.voice_saved.connect(self._voice_saved)
        self.script_drop = ScriptDrop(self, self._scripts_dropped, lambda files: (
            self.notice.show_message(unsupported_message(files), "warning")))
        QTimer.singleShot(0, self._after_show)

    # --- building ---------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.model_label = QLabel("No model loaded")
        self.device_label = QLabel("Engine starting…")
        self.activity_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        bar.addWidget(self.activity_label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.model_label)
        bar.addPermanentWidget(self.device_label)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        imp = QAction("&Import voice…", self)
        imp.triggered.connect(self.voice_actions.import_dialog)
        file_menu.addAction(imp)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        models_menu = self.menuBar().addMenu("&Models")
        manager = QAction("&Model manager…", self)
        manager.triggered.connect(lambda: self.open_model_manager())
        models_menu.addAction(manager)
        view_menu = self.menuBar().addMenu("&View")
        theme_menu = view_menu.addMenu("&Theme")
        from PySide6.QtGui import QActionGroup

        group = QActionGroup(self)
        for theme in ("system", "light", "dark"):
            action = QAction(theme.capitalize(), self, checkable=True)
            action.setChecked(self.ctx.settings.theme == theme)
            action.triggered.connect(lambda _=False, t=theme: self.set_theme(t))
            group.addAction(action)
            theme_menu.addAction(action)
        settings_menu = self.menuBar().addMenu("&Settings")
        prefs = QAction("&Preferences…", self)
        prefs.setShortcut(QKeySequence.StandardKey.Preferences)
        prefs.triggered.connect(self.open_settings)
        settings_menu.addAction(prefs)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Voice Studio", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _connect(self) -> None:
        engine = self.ctx.inference
        engine.busy.connect(self._busy)
        engine.model_ready.connect(lambda info: self.model_label.setText(f"{info.name}"))
        engine.engine_ready.connect(self.device_label.setText)
        engine.loading.connect(self._loading)
        engine.unloaded.connect(self._unloaded)
        engine.failed.connect(lambda message: self.notice.show_message(message, "error",
                                                                      everywhere=True))
        engine.engine_changed.connect(self.device_label.setText)
        offer_this_computer(self.ctx, self.notice)
        self.ctx.downloads.ended.connect(self._download_ended)
        self.ctx.playback.unavailable.connect(self._audio_unavailable)
        self.voices.voice_selected.connect(self._voice_selected)
        actions = self.voice_actions
        actions.changed.connect(lambda key: self.refresh_voices(keep=key))
        self.voices.rename_requested.connect(actions.rename)
        self.voices.duplicate_requested.connect(actions.duplicate)
        self.voices.export_requested.connect(actions.export)
        self.voices.delete_requested.connect(actions.delete)
        self.voices.import_requested.connect(actions.import_voices)
        self.voices.model_requested.connect(self.open_model_manager)
        self.takes.changed.connect(self._takes_changed)
        self.takes.message.connect(
            lambda text, level: self.notice.show_message(text, level, everywhere=True))
        self.takes.combine_requested.connect(self._combine_takes)
        self.clone.takes_changed.connect(self._takes_changed)
        self._deferred: list[QTimer] = []
        self._cleanup = QTimer(self)
        self._cleanup.setInterval(5 * 60 * 1000)
        self._cleanup.timeout.connect(self._clean_previews)
        self._cleanup.start()

    def _after_show(self) -> None:
        if self._closing:  # closed before the event loop got here
            return
        # timers the window owns, so closing early stops them (nothing fires after close)
        self._deferred = [self._one_shot(200, self.ctx.playback.prepare),
                          self._one_shot(400, self.ctx.inference.warm_up)]
        self._clean_previews()
        models = self.ctx.pool.available()
        if not any(m.usable for m in models):
            entry = starter("custom_voice")
            self.notice.show_message(
                f"No voice model is on this computer yet. Start with "
                f"{model_label('custom_voice')} (about {human_bytes(entry.download_bytes)}): "
                "nine preset speakers, ready to talk.", "info",
                action=(ACTION, lambda: self.open_model_manager("custom_voice")),
                everywhere=True)

    def _one_shot(self, ms: int, slot: Callable[[], object]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        timer.start(ms)
        return timer

    # --- status -----------------------------------------------------------------------

    def _busy(self, text: str) -> None:
        self.activity_label.setText(text)
        self.progress.setVisible(bool(text))
        if text:
            self.progress.setRange(0, 0)

    def _loading(self, _kind: str, fraction: float, message: str) -> None:
        self.activity_label.setText(message)
        self.progress.setVisible(fraction < 1.0)
        self.progress.setRange(0, 100)
        self.progress.setValue(int(fraction * 100))

    def _unloaded(self) -> None:
        import gc

        self.model_label.setText("No model loaded")
        gc.collect()  # here, on the GUI thread (see studio.ui.inference)

    def _download_ended(self, repo_id: str, outcome: str, detail: str) -> None:
        name = repo_id.split("/")[-1]
        if outcome == "done":
            self.notice.show_message(f"{name} is downloaded and ready to use.", "info",
                                     everywhere=True)
            self.refresh_models()
            if self.voices.current() is not None:
                self.speak.set_voice(self.voices.current())
        elif outcome == "failed":
            self.notice.show_message(f"Downloading {name} failed: {detail}", "error",
                                     everywhere=True)

    def _audio_unavailable(self, reason: str) -> None:
        if self.notice.text().startswith(reason):
            return  # said already
        self.notice.show_message(f"{reason} Generating and exporting still work.", "warning",
                                 everywhere=True)

    # --- voices -----------------------------------------------------------------------

    def refresh_voices(self, keep: str | None = None) -> None:
        try:
            refs = all_voices(self.ctx.library, self.ctx.presets)
        except StudioError as exc:
            self.notice.show_message(str(exc), "error", everywhere=True)
            refs = []
        self.voices.set_voices(refs, keep=keep)
        self.takes.set_voice(self.voices.current())
        damaged = self.ctx.library.list().damaged
        if damaged:
            names = ", ".join(d.path.name for d in damaged[:3])
            self.notice.show_message(
                f"{len(damaged)} voice folder(s) are damaged and were skipped ({names}). "
                "They are left untouched in the voices folder.", "warning", everywhere=True)
        if self.voices.current() is None and refs and not self.voices.select_key(
                first_voice_key(user_language())):
            self.voices.select_key(refs[0].key)

    def refresh_models(self) -> None:
        """Mark the voices whose model is not on disk (after a download, a folder added...)."""
        missing = missing_kinds(self.ctx.pool)
        self.voices.set_missing({source: (kind, model_label(kind))
                                 for source, kind in SOURCE_KINDS.items() if kind in missing})
        if self.voices.current() is not None:
            self.speak.set_voice(self.voices.current())

    def _welcome(self) -> None:
        """The first start: a preset speaker greets in the user's language."""
        language = user_language()
        if not self.voices.select_key(first_voice_key(language)):
            return
        if not self.speak.text.toPlainText().strip():
            self.speak.text.setPlainText(greeting(language))
        if self.ctx.settings.default_language == "auto":
            self.speak.language.setCurrentIndex(
                max(self.speak.language.findData(language.lower()), 0))

    def _voice_selected(self, ref: VoiceRef) -> None:
        self.ctx.settings.last_voice = ref.key
        self.speak.set_voice(ref)
        self.takes.set_voice(ref)

    def _takes_changed(self, key: str) -> None:
        current = self.voices.current()
        if current is not None and current.key == key:
            self.takes.refresh()
            self.speak.set_voice(current)  # it speaks with the active take from now on

    def _combine_takes(self, voice_id: str, take_ids: list) -> None:
        if self.clone.open_combined(voice_id, take_ids):
            self.tabs.setCurrentWidget(self.clone)

    def _voice_saved(self, key: str) -> None:
        self.refresh_voices(keep=key)
        self.tabs.setCurrentWidget(self.speak)

    def _clean_previews(self) -> None:
        try:
            self.ctx.library.previews.cleanup()
        except (OSError, StudioError) as exc:  # never fatal
            log.warning("preview cleanup failed: %s", exc)

    # --- dialogs ----------------------------------------------------------------------

    def open_model_manager(self, focus: str = "") -> None:
        """The Model manager; ``focus`` (a model kind or repo id) scrolls to that model."""
        from studio.ui.dialogs.model_manager import ModelManagerDialog

        ModelManagerDialog(self.ctx, self, focus=focus or None).exec()
        self.refresh_models()  # models may have come or gone

    def open_model_manager_at(self, repo_id: str) -> None:
        """The Model manager, scrolled to one published model with its button focused."""
        self.open_model_manager(repo_id)

    def open_settings(self) -> None:
        from studio.ui.dialogs.settings_dialog import SettingsDialog

        SettingsDialog(self.ctx, self).exec()
        self.clone.recorder.refresh_devices()
        self.speak.takes.reload()  # a shorter retention may have trimmed the history

    def set_theme(self, theme: str) -> None:
        from studio.ui.theme import apply_theme

        self.ctx.settings.theme = theme
        apply_theme(QApplication.instance(), theme)

    def _about(self) -> None:
        from studio import __version__, paths

        QMessageBox.about(self, "About Voice Studio",
                          f"<b>Voice Studio {__version__}</b><br>Design, clone and stream voices "
                          f"locally with Qwen3-TTS.<br><br>Data folder: {paths.root()}")

    # --- pages and closing ------------------------------------------------------------

    def _scripts_dropped(self, files: list) -> None:
        self.tabs.setCurrentWidget(self.projects)
        for path in files:
            self.projects.import_file(path)

    def _tab_changed(self, index: int) -> None:
        if self._closing:
            return
        self.ctx.settings.last_page = PAGES[index]
        self.notice.page_changed(self.tabs.widget(index))

    def _restore_layout(self) -> None:
        s = self.ctx.settings
        if s.window_geometry:
            self.restoreGeometry(QByteArray(base64.b64decode(s.window_geometry)))
        if s.splitter_state:
            self.splitter.restoreState(QByteArray(base64.b64decode(s.splitter_state)))
        if s.last_page in PAGES:
            self.tabs.setCurrentIndex(PAGES.index(s.last_page))

    def _save_layout(self) -> None:
        s = self.ctx.settings
        s.window_geometry = base64.b64encode(bytes(self.saveGeometry())).decode()
        s.splitter_state = base64.b64encode(bytes(self.splitter.saveState())).decode()
        try:
            s.save()
        except OSError as exc:
            log.warning("could not save settings: %s", exc)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        for page in (self.speak, self.clone, self.design):
            if not page.confirm_discard(self):
                event.ignore()
                return
        self._closing = True
        self._cleanup.stop()
        for timer in self._deferred:
            timer.stop()
        for page in (self.speak, self.clone, self.design, self.projects):
            page.shutdown()
        self._save_layout()
        if not self.ctx.shutdown():
            log.warning("the inference thread did not stop in time")
        event.accept()
