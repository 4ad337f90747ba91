"""The recipe half of the Design page: a preset to start from, the description (with a few
words on what makes a good one), the language, the sample sentence, how many candidates,
and the folded sampling options. It builds no requests; the page does."""

from __future__ import annotations

import secrets
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.ui.a11y import label_form, named
from studio.ui.widgets.language_combo import language_combo
from studio.ui.widgets.sampling_box import MAX_SEED, SamplingBox

DEFAULT_SAMPLE = ("Hello, it's lovely to meet you. Let me read a few lines, so you can hear "
                  "exactly how I sound.")
GUIDANCE = ("Say who is speaking and how: age, gender, timbre (warm, husky, bright), accent, "
            "pace and mood. For example: “A calm woman in her fifties with a warm, low voice "
            "and a soft Scottish accent, speaking slowly and kindly.”")


class DesignForm(QWidget):
    def __init__(self, presets: list[Any], default_language: str = "auto",
                 sampling: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset: Any = None  # the DesignPreset last chosen, if any
        self.presets = QComboBox()
        self.presets.addItem("Choose a preset to start from…", None)
        for preset in presets:
            self.presets.addItem(f"{preset.name} · {preset.language}", preset)
            self.presets.setItemData(self.presets.count() - 1, preset.description,
                                     Qt.ItemDataRole.ToolTipRole)
        self.presets.activated.connect(self._preset_chosen)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("Describe the voice, e.g. 'A cheerful young man "
                                            "with a bright, slightly nasal voice, speaking fast'")
        self.description.setMinimumHeight(60)
        self.description.setTabChangesFocus(True)
        self.description.setAccessibleName("Voice description")
        self.description.setMaximumHeight(110)
        self.guidance = QLabel(GUIDANCE)
        self.guidance.setObjectName("hint")
        self.guidance.setWordWrap(True)
        self.language = language_combo(default_language)
        self.sample = QLineEdit(DEFAULT_SAMPLE)
        self.sample.setPlaceholderText("A sentence or two in the chosen language")
        self.sample.setToolTip("What every candidate says. 5-15 s of speech is best: the kept "
                               "voice is cloned from this clip.")
        self.count = QSpinBox(minimum=2, maximum=6, value=3)
        self.count.setToolTip("How many candidates to generate, each with its own seed")
        self.sampling = SamplingBox()
        self.sampling.load(sampling or {})
        self.sampling.new_each.setText("A new random seed for every candidate")
        self.sampling.new_each.setToolTip("Off: candidates use the seed above, then seed+1, "
                                          "seed+2… so a batch can be made again.")

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Start from", self.presets)
        described = QVBoxLayout()
        described.setSpacing(2)
        described.addWidget(self.description)
        described.addWidget(self.guidance)
        form.addRow("Description", described)
        line = QHBoxLayout()
        line.addWidget(self.language)
        line.addWidget(QLabel("Sample sentence", buddy=named(self.sample, "Sample sentence")))
        line.addWidget(self.sample, 1)
        form.addRow("Language", line)
        row = QHBoxLayout()
        row.addWidget(self.count, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.sampling, 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        form.addRow("Candidates", row)
        label_form(form)
        self.presets.setAccessibleName("Start from a preset")

    def _preset_chosen(self, index: int) -> None:
        preset = self.presets.itemData(index)
        if preset is None:
            return
        self.preset = preset
        self.description.setPlainText(preset.description)
        self.language.setCurrentIndex(max(self.language.findData(preset.language.lower()), 0))
        self.sample.setText(preset.sample_text)
        self.sample.setCursorPosition(0)  # show how it starts, not how it ends

    def select_preset(self, preset_id: str) -> bool:
        """Fill the recipe from a built-in preset by id, as if the user had picked it."""
        for i in range(1, self.presets.count()):
            if self.presets.itemData(i).id == preset_id:
                self.presets.setCurrentIndex(i)
                self._preset_chosen(i)
                return True
        return False

    def seeds(self, n: int) -> list[int]:
        """n distinct random seeds, or seed, seed+1... when the user fixed the seed."""
        if not self.sampling.new_each.isChecked():
            base = self.sampling.seed.value()
            return [(base + i) % MAX_SEED for i in range(n)]
        seeds: list[int] = []
        while len(seeds) < n:
            seed = secrets.randbelow(MAX_SEED)
            if seed not in seeds:
                seeds.append(seed)
        return seeds

    def language_name(self) -> str:
        """As the library stores it: 'English', or 'Auto'."""
        return "Auto" if self.language.currentData() == "auto" else self.language.currentText()
