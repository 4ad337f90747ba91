"""Parts of the Model manager that do not depend on download state: the first-run explanation,
the per-role model choice, and helpers for reading model folders."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from studio.hub import TTS_KINDS, ModelInfo, discover, read_asr_info, read_model_info
from studio.hub.catalog import find
from studio.humanize import human_bytes
from studio.ui.a11y import label_form

ROLE_LABELS = {"base": "Cloning (Base)", "custom_voice": "Preset speakers (CustomVoice)",
               "voice_design": "Voice design (VoiceDesign)", "asr": "Transcription (Whisper)"}
ROLE_KINDS = (*TTS_KINDS, "asr")
FEATURES = {"base": "clone a voice from a 3–15 second clip (Clone)",
            "custom_voice": "nine ready-made speakers, the quickest start (Speak)",
            "voice_design": "a new voice from a written description (Design)"}
STARTERS = ("Qwen3-TTS-12Hz-0.6B-CustomVoice", "Qwen3-TTS-12Hz-0.6B-Base",
            "Qwen3-TTS-12Hz-1.7B-VoiceDesign")


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder`` (symlinks followed, errors ignored)."""
    total = 0
    for base, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += (Path(base) / name).stat().st_size
            except OSError:
                pass
    return total


def hf_snapshot(folder: Path) -> Path:
    """The newest ``snapshots/<hash>`` of a huggingface-cli cache folder, else ``folder``.

    People often pick ``models--Qwen--...`` itself; the model files live two levels down."""
    snaps = folder / "snapshots"
    if (folder / "config.json").exists() or not snaps.is_dir():
        return folder
    found = [p for p in snaps.iterdir() if (p / "config.json").is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else folder


def check_folder(folder: Path) -> tuple[Path, list[ModelInfo], str]:
    """(the model folder to use, its usable models, "" or why it cannot be used).

    Voice models and transcription (Whisper) models are both accepted."""
    folder = hf_snapshot(Path(folder).expanduser())
    asr = read_asr_info(folder)
    if asr is not None:
        if asr.usable:
            return folder, [asr], ""  # type: ignore[list-item]
        return folder, [], (f"{folder.name} is a Whisper model, but it is incomplete: "
                            f"{asr.problem}. Finish the download or copy the missing files, "
                            "then add it again.")
    info = read_model_info(folder)
    if info is not None and not info.usable:
        return folder, [], (f"{folder.name} is a Qwen3-TTS model, but it is incomplete: "
                            f"{info.problem}. Finish the download or copy the missing files, "
                            "then add it again.")
    found: list = [info] if info is not None else (
        [*discover([folder]), *discover([folder], kind="asr")] if folder.is_dir() else [])
    usable = [m for m in found if m.usable]
    if usable:
        return folder, usable, ""
    if found:
        return folder, [], (f"The models in {folder} are incomplete ({found[0].name}: "
                            f"{found[0].problem}).")
    return folder, [], (f"{folder} is not a Qwen3-TTS model folder: there is no Qwen3-TTS "
                        "config.json in it. Choose the folder that holds config.json and "
                        "model.safetensors.")


def section_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")  # the app stylesheet's section heading
    label.setStyleSheet("font-weight: 600; margin-top: 6px;")
    return label


class FirstRunPanel(QFrame):
    """Shown while no usable model exists: which model gives which feature, and the sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("firstRun")
        self.setStyleSheet("#firstRun { background: palette(alternate-base); border: 1px solid"
                           " palette(highlight); border-radius: 6px; }")
        title = QLabel("Welcome! Voice Studio needs a voice model first")
        title.setObjectName("firstRunTitle")
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        items = []
        for name in STARTERS:
            entry = find(name)
            if entry is not None:
                items.append(f"<li><b>{entry.size} {_short_kind(entry.kind)}</b> "
                             f"(about {human_bytes(entry.download_bytes)}): "
                             f"{FEATURES[entry.kind]}</li>")
        body = QLabel(
            "<p>Voice Studio runs Alibaba's open Qwen3-TTS models on this computer, so your "
            "text and voices never leave it. Each kind of model unlocks one part of the app:</p>"
            f"<ul style='margin-left: -20px'>{''.join(items)}</ul>"
            "<p>The 1.7B models sound a little better but are several times slower. "
            "<b>Without a graphics card (NVIDIA or Apple silicon), start with the 0.6B "
            "models.</b> VoiceDesign only comes in 1.7B.</p>"
            "<p>Nothing is downloaded until you click <i>Download</i>; a download can be "
            "paused and resumes where it stopped. Already have the files? Use "
            "<i>Use a folder I already have…</i> below.</p>")
        body.setWordWrap(True)
        body.setTextFormat(Qt.TextFormat.RichText)
        self.body = body
        col = QVBoxLayout(self)
        col.setContentsMargins(14, 10, 14, 8)
        col.setSpacing(4)
        col.addWidget(title)
        col.addWidget(body)


def _short_kind(kind: str) -> str:
    return {"base": "Base", "custom_voice": "CustomVoice", "voice_design": "VoiceDesign"}[kind]


class RolePicker(QGroupBox):
    """A combo per role listing the usable models of that kind; "" means automatic."""

    changed = Signal(str, str)  # kind, model path ("" = automatic)

    def __init__(self) -> None:
        super().__init__("Which model does what")
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for kind in ROLE_KINDS:
            combo = QComboBox()
            combo.setObjectName(f"role_{kind}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(30)
            combo.currentIndexChanged.connect(lambda _i, k=kind: self._picked(k))
            self.combos[kind] = combo
            form.addRow(ROLE_LABELS[kind], combo)
        label_form(form)

    def fill(self, models: Iterable[ModelInfo], roles: dict[str, str]) -> None:
        models = list(models)
        for kind, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            options = [m for m in models if m.kind == kind and m.usable]
            current = roles.get(kind, "")
            if not options and not current:
                combo.addItem("No model of this kind on disk yet", "")
                combo.setEnabled(False)
            else:
                combo.setEnabled(True)
                if kind == "asr":
                    from studio.asr.models import pick_asr

                    default = pick_asr(options).name if options else "none on disk"
                    combo.addItem(f"Automatic ({default})", "")
                else:
                    smallest = (min(options, key=lambda m: m.size).name if options
                                else "none on disk")
                    combo.addItem(f"Automatic (smallest: {smallest})", "")
                for m in options:
                    combo.addItem(f"{m.name} · {m.size}", str(m.path))
                    combo.setItemData(combo.count() - 1, str(m.path), Qt.ItemDataRole.ToolTipRole)
                index = combo.findData(current) if current else 0
                if index < 0:
                    combo.addItem(f"{Path(current).name} (not found: automatic is used)", current)
                    index = combo.count() - 1
                combo.setCurrentIndex(index)
            combo.blockSignals(False)

    def _picked(self, kind: str) -> None:
        self.changed.emit(kind, str(self.combos[kind].currentData() or ""))



def ask_confirm(parent: QWidget, title: str, text: str, ok: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(ok, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def ask_keep_downloading(parent: QWidget, count: int) -> str:
    """'keep', 'pause' or 'stay' (do not close) for downloads running at close time."""
    what = "A download is" if count == 1 else f"{count} downloads are"
    box = QMessageBox(QMessageBox.Icon.Question, "Downloads running",
                      f"{what} still running. Keep downloading in the background?\n\n"
                      "It goes on while you use Voice Studio and pauses when you quit; "
                      "next time it resumes from where it stopped.", parent=parent)
    keep = box.addButton("Keep downloading", QMessageBox.ButtonRole.AcceptRole)
    pause = box.addButton("Pause now", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.exec()
    clicked = box.clickedButton()
    return "keep" if clicked is keep else "pause" if clicked is pause else "stay"
