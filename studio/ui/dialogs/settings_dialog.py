"""Settings: where takes are made (this computer or a server), device and precision, audio
devices, streaming, language, storage and retention.

Nothing changes until OK: then ``ctx.settings`` is updated and saved, and what can change
while the app runs is applied at once (device/precision through the inference client, the
output device through the playback controller, preview retention on the library).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio import paths
from studio.audio.devices import audio_available, list_devices
from studio.errors import StudioError
from studio.remote.choice import EngineChoice
from studio.ui.a11y import label_form
from studio.ui.engine_switch import apply_choice
from studio.ui.widgets.engine_source import EngineSourceBox
from studio.ui.widgets.language_combo import language_combo

log = logging.getLogger(__name__)

FRAME_MS = 80  # one 12.5 Hz codec frame
DEVICES = (("auto", "Automatic (NVIDIA GPU, then Apple GPU, then CPU)"), ("cpu", "CPU"),
           ("cuda", "NVIDIA GPU (CUDA)"), ("mps", "Apple GPU (Metal)"))
DTYPES = (("auto", "Automatic (bfloat16 on NVIDIA GPUs, else float32)"),
          ("float32", "float32 (most compatible)"),
          ("bfloat16", "bfloat16 (half the memory, recent GPUs)"),
          ("float16", "float16 (half the memory)"))


class ChunkSpinBox(QSpinBox):
    """Holds frames (what the engine takes) but shows and accepts milliseconds (what people
    think in): one step is one 80 ms frame."""

    def __init__(self) -> None:
        super().__init__()
        self.setRange(1, 25)

    def textFromValue(self, value: int) -> str:  # noqa: N802 (Qt's name)
        return f"{value * FRAME_MS} ms"

    def valueFromText(self, text: str) -> int:  # noqa: N802
        digits = re.sub(r"\D", "", text)
        return max(self.minimum(), min(self.maximum(), round(int(digits or 0) / FRAME_MS)))

    def validate(self, text: str, pos: int) -> object:
        if re.fullmatch(r"\s*\d{1,5}\s*(ms)?\s*", text):
            return QValidator.State.Acceptable
        if re.fullmatch(r"\s*\d{0,5}\s*m?\s*", text):
            return QValidator.State.Intermediate
        return QValidator.State.Invalid


def _hint(text: str) -> QLabel:
    label = QLabel(text)  # explicit line breaks: a top-level dialog sizes them exactly
    label.setObjectName("hint")
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def _combo(items: tuple[tuple[str, str], ...], current: str) -> QComboBox:
    combo = QComboBox()
    for value, text in items:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


def _spin(low: int, high: int, value: int, suffix: str, special: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    if special:
        spin.setSpecialValueText(special)
    spin.setValue(value)
    return spin


class SettingsDialog(QDialog):
    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        s = ctx.settings
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)

        self.device = _combo(DEVICES, s.device)
        self.dtype = _combo(DTYPES, s.dtype)
        self.idle = _spin(0, 240, s.idle_unload_min, " min", "Never")
        from studio.engine.speed import LABELS as SPEED_LABELS

        self.speed = _combo(tuple(SPEED_LABELS.items()), s.speed)
        self.source = EngineSourceBox(s)
        engine = self._group("Engine", [
            ("Device", self.device), ("Precision", self.dtype),
            ("Speed vs fidelity", self.speed),
            ("", _hint("Fast: about 3x quicker on a CPU, with slightly different audio.\n"
                       "In Speak, 'Other mode' plays a take made both ways.")),
            ("", _hint("Changing these unloads the loaded models; they load again for the\n"
                       "next take. On a CPU, float32 is the safe choice.")),
            ("Unload models after", self.idle),
            ("", _hint("Frees the memory when no take ran for this long.\n"
                       "Takes effect the next time Voice Studio starts.")),
        ])

        self.input_device = QComboBox()
        self.output_device = QComboBox()
        self.audio_reason = QLabel("")
        self.audio_reason.setWordWrap(True)
        self.audio_reason.setObjectName("audioReason")
        self.audio_reason.setStyleSheet("color: #e03131;")
        self._fill_audio(s.input_device, s.output_device)
        audio = self._group("Audio", [("Microphone", self.input_device),
                                      ("Speakers", self.output_device),
                                      ("", self.audio_reason)])

        self.chunk = ChunkSpinBox()
        self.chunk.setValue(max(1, min(25, int(s.first_chunk_frames))))
        self.language = language_combo(s.default_language)
        self.batch = _spin(0, 32, max(0, int(s.batch_segments)), "", "Automatic")
        speech = self._group("Speech", [
            ("First audio after", self.chunk),
            ("", _hint("How much audio is made before playback starts. Shorter starts\n"
                       "sooner; longer plays more smoothly on a slow computer.")),
            ("Sentences at once", self.batch),
            ("", _hint("Long texts and design candidates are made several at a time,\n"
                       "much faster in total. Automatic: as many as memory allows (up to\n"
                       "16). 1: one after another, exactly as qwen-tts makes them.")),
            ("Default language", self.language),
        ])

        self.data_folder = QLineEdit(str(paths.root()))
        self.data_folder.setReadOnly(True)
        self.data_folder.setAccessibleName("Data folder")
        self.data_folder.setCursorPosition(0)
        self.open_button = QPushButton("Open folder")
        self.open_button.clicked.connect(self.open_data_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_folder, 1)
        folder_row.addWidget(self.open_button)
        folder_widget = QWidget()
        folder_widget.setLayout(folder_row)
        folder_row.setContentsMargins(0, 0, 0, 0)
        self.preview_min = _spin(1, 24 * 60, s.preview_retention_min, " min")
        self.import_h = _spin(1, 30 * 24, s.import_retention_h, " h")
        self.history_days = _spin(0, 3650, s.history_keep_days, " days", "For ever")
        self.history_mb = _spin(50, 1_000_000, s.history_max_mb, " MB")
        self.history_mb.setSingleStep(100)
        storage = self._group("Storage", [
            ("Data folder", folder_widget),
            ("Keep take history", self.history_days),
            ("Take history size", self.history_mb),
            ("", _hint("Every take you generate is kept (Speak, Takes) for this long,\n"
                       "within this size; the oldest go first.")),
            ("Keep unsaved previews", self.preview_min),
            ("Keep imported clips", self.import_h),
            ("", _hint("Previews and imported clips not saved as a voice are deleted\n"
                       "after this long; saved voices stay until you delete them.")),
        ])

        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e03131;")
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        content = QWidget()
        groups = QVBoxLayout(content)
        groups.setContentsMargins(0, 0, 6, 0)
        groups.addWidget(self.source)
        for group in (engine, audio, speech, storage):
            groups.addWidget(group)
        groups.addWidget(self.error)
        groups.addStretch(1)
        self.scroll = QScrollArea()  # a short screen scrolls the groups, OK stays in sight
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.buttons)
        self._align_labels((engine, audio, speech, storage))
        # a top-level window ignores height-for-width: size it for the wrapped hints
        margins = layout.contentsMargins()
        chrome = (self.scroll.verticalScrollBar().sizeHint().width() + margins.left()
                  + margins.right() + 4)  # the content never runs under the scroll bar
        inner = max(content.sizeHint().width(), content.minimumSizeHint().width())
        width = max(inner + chrome, 600)
        wanted = max(content.sizeHint().height(), content.heightForWidth(width - chrome)) + \
            self.buttons.sizeHint().height() + 30
        screen = self.screen()
        room = screen.availableGeometry().height() - 80 if screen is not None else wanted
        self.resize(width, max(320, min(wanted, room)))

    # --- building ---------------------------------------------------------------------------

    @staticmethod
    def _group(title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget in rows:
            if label:
                form.addRow(label, widget)
            else:
                form.addRow("", widget)
        label_form(form)
        return box

    @staticmethod
    def _align_labels(groups: tuple[QGroupBox, ...]) -> None:
        """One label column width for every group, so the fields line up down the dialog."""
        labels = [form.labelForField(form.itemAt(i, QFormLayout.ItemRole.FieldRole).widget())
                  for g in groups if isinstance(form := g.layout(), QFormLayout)
                  for i in range(form.rowCount())
                  if form.itemAt(i, QFormLayout.ItemRole.FieldRole) is not None]
        labels = [label for label in labels if isinstance(label, QLabel)]
        width = max((label.sizeHint().width() for label in labels), default=0)
        for label in labels:
            label.setMinimumWidth(width)

    def _fill_audio(self, input_name: str, output_name: str) -> None:
        """System default first, then every device; a saved device that is gone stays listed."""
        try:
            devices = list_devices(self.ctx.sd)
            lists = {"input": devices.inputs, "output": devices.outputs}
        except StudioError as exc:
            lists = {"input": [], "output": []}
            log.info("no audio devices: %s", exc)
        reasons = []
        for kind, combo, current in (("input", self.input_device, input_name),
                                     ("output", self.output_device, output_name)):
            items = lists[kind]
            default = next((d.name for d in items if (d.is_default_input if kind == "input"
                                                       else d.is_default_output)), None)
            combo.addItem(f"System default ({default})" if default else "System default", "")
            for d in items:
                combo.addItem(f"{d.name} ({d.hostapi})" if d.hostapi else d.name, d.name)
            if current and combo.findData(current) < 0:
                combo.addItem(f"{current} (not connected)", current)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            ok, why = audio_available(self.ctx.sd, kind)
            combo.setEnabled(ok)
            if not ok:
                what = "Recording" if kind == "input" else "Playback"
                combo.setToolTip(why)
                reasons.append(f"{what}: {why}")
        self.audio_reason.setText("\n".join(reasons))
        self.audio_reason.setVisible(bool(reasons))

    # --- actions ----------------------------------------------------------------------------

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.root(ensure=True))))

    def apply(self) -> bool:
        """Store the values in ctx.settings, apply what can change live, save; False on error."""
        s = self.ctx.settings
        choice = self.source.choice()
        if choice != EngineChoice.from_settings(s):
            try:
                apply_choice(self.ctx, choice)
            except StudioError as exc:
                self.error.setText(str(exc))
                self.error.setVisible(True)
                return False
        device, dtype = str(self.device.currentData()), str(self.dtype.currentData())
        engine_changed = (device, dtype) != (s.device, s.dtype)
        output = str(self.output_device.currentData() or "")
        output_changed = output != s.output_device
        s.device, s.dtype = device, dtype
        s.speed = str(self.speed.currentData())
        self.ctx.pool.speed = s.speed  # a plain attribute: the next request picks it up
        s.idle_unload_min = self.idle.value()
        s.input_device = str(self.input_device.currentData() or "")
        s.output_device = output
        s.first_chunk_frames = self.chunk.value()
        s.batch_segments = self.batch.value()
        s.default_language = str(self.language.currentData() or "auto")
        s.preview_retention_min = self.preview_min.value()
        s.import_retention_h = self.import_h.value()
        s.history_keep_days = self.history_days.value()
        s.history_max_mb = self.history_mb.value()
        history = getattr(self.ctx, "history", None)
        if history is not None:
            from studio.ui.compose import history_keep

            history.keep, history.max_bytes = history_keep(s), s.history_max_mb * 1_000_000
            try:
                history.prune()
            except StudioError as exc:
                log.warning("could not trim the take history: %s", exc)
        if engine_changed:
            self.ctx.inference.set_device(device, dtype)
        if output_changed:
            self.ctx.playback.set_device(output or None)
        previews = getattr(self.ctx.library, "previews", None)
        retention = getattr(previews, "retention", None)
        if isinstance(retention, dict):
            retention["preview"] = timedelta(minutes=s.preview_retention_min)
            retention["import"] = timedelta(hours=s.import_retention_h)
        try:
            s.save()
        except OSError as exc:
            self.error.setText(f"Could not save the settings ({exc.strerror or exc}). They "
                               "apply until you quit.")
            self.error.setVisible(True)
            return False
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def done(self, result: int) -> None:
        self.source.shutdown()
        super().done(result)
