"""Settings > Engine, where takes are made: this computer, a Voice Studio server (address
and token), or vLLM-Omni servers (one address per model kind, as vLLM-Omni serves one
model each). "Test connection" asks the server on a thread of its own and says what it
offers, what it cannot do and why, or exactly what is wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.errors import StudioError
from studio.remote.choice import LOCAL, MODES, OMNI, STUDIO, EngineChoice, server_for
from studio.remote.offer import KIND_NAMES, KINDS, Offer
from studio.settings import Settings
from studio.ui.job_thread import JobThread
from studio.ui.jobs import Job

MODE_NAMES = {LOCAL: "This computer", STUDIO: "A Voice Studio server",
              OMNI: "vLLM-Omni servers (one per model)"}
ERROR_STYLE = "color: #e03131;"
HINT_STYLE = "color: palette(placeholder-text);"


def _label(text: str = "", style: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


def _secret(text: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class EngineSourceBox(QGroupBox):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__("Where takes are made", parent)
        chosen = EngineChoice.from_settings(settings)
        self.mode = QComboBox()
        for mode in MODES:
            self.mode.addItem(MODE_NAMES[mode], mode)
        self.mode.setCurrentIndex(max(self.mode.findData(chosen.mode), 0))
        self.mode.setAccessibleName("Where takes are made")

        self.url = QLineEdit(chosen.url)
        self.url.setPlaceholderText("http://gpu-box.local:8765")
        self.token = _secret(chosen.token, "the server's token (if it has one)")
        self.omni_urls = {kind: QLineEdit(dict(chosen.omni_urls).get(kind, ""))
                          for kind in KINDS}
        for kind, edit in self.omni_urls.items():
            edit.setPlaceholderText(f"http://host:8091 (serving a {KIND_NAMES[kind]} model)")
        self.omni_token = _secret(chosen.omni_token, "--api-key of the servers (if set)")

        local = _label("Takes use this computer's models, with the device and precision "
                       "below.", HINT_STYLE)
        studio = QWidget()
        studio_form = QFormLayout(studio)
        studio_form.setContentsMargins(0, 0, 0, 0)
        studio_form.addRow("Address", self.url)
        studio_form.addRow("Token", self.token)
        studio_form.addRow("", _label("On the server: voice-studio serve --host 0.0.0.0 with "
                                      "VOICE_STUDIO_TOKEN set. Your voices travel to it once.",
                                      HINT_STYLE))
        omni = QWidget()
        omni_form = QFormLayout(omni)
        omni_form.setContentsMargins(0, 0, 0, 0)
        for kind, edit in self.omni_urls.items():
            omni_form.addRow(KIND_NAMES[kind], edit)
        omni_form.addRow("API key", self.omni_token)
        omni_form.addRow("", _label("Leave a kind empty if no server serves it. Saved voices "
                                    "travel as their clip with every take.", HINT_STYLE))
        self.pages = (local, studio, omni)  # one shown at a time: hidden ones take no room

        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test)
        self.result = _label()
        self.missing = _label(style=HINT_STYLE)
        self.result.setObjectName("engineResult")
        self.missing.setObjectName("engineMissing")
        for label in (self.result, self.missing):
            label.setVisible(False)

        form = QFormLayout()
        form.addRow("Run takes on", self.mode)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for page in self.pages:
            layout.addWidget(page)
        layout.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.result)
        layout.addWidget(self.missing)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()
        self.jobs = JobThread("engine-test", parent=self)
        self.job: Job | None = None

    # --- the choice ------------------------------------------------------------------------

    def choice(self) -> EngineChoice:
        urls = tuple((kind, edit.text().strip()) for kind, edit in self.omni_urls.items()
                     if edit.text().strip())
        return EngineChoice(str(self.mode.currentData()), self.url.text().strip(),
                            self.token.text().strip(), urls, self.omni_token.text().strip())

    def _mode_changed(self) -> None:
        mode = self.mode.currentData()
        shown = MODES.index(mode)
        for index, page in enumerate(self.pages):
            page.setVisible(index == shown)
        self.test_button.setEnabled(mode != LOCAL)
        self.test_button.setVisible(mode != LOCAL)  # nothing to test on this computer
        self._show("", "")

    # --- Test connection -------------------------------------------------------------------

    def test(self) -> Job | None:
        """Ask the chosen server what it offers; returns the job (None: nothing to ask)."""
        if self.job is not None:
            return None
        try:
            backend = server_for(self.choice())
        except StudioError as exc:
            self._show(str(exc), "", error=True)
            return None

        def work(_job: Job) -> Offer:
            try:
                return backend.probe()
            finally:
                backend.close()

        self.job = job = self.jobs.submit(Job(), work)
        job.finished.connect(self._offered)
        job.failed.connect(lambda message: self._show(message, "", error=True))
        job.failed.connect(self._done)
        self.test_button.setEnabled(False)
        self._show(f"Asking {backend.label}…", "")
        return job

    def _offered(self, offer: Offer) -> None:
        self._show(offer.offered(), "\n".join(offer.not_available()))
        self._done()

    def _done(self, *_args: object) -> None:
        self.job = None
        self.test_button.setEnabled(self.mode.currentData() != LOCAL)

    def _show(self, text: str, missing: str, error: bool = False) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(ERROR_STYLE if error else "")
        self.result.setVisible(bool(text))
        self.missing.setText(missing)
        self.missing.setVisible(bool(missing))

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.jobs.shutdown(timeout_ms=10000)
