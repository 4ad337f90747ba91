"""Advanced sampling options, folded away by default: temperature, top-k, top-p, repetition
penalty, and a seed with a dice button."""

from __future__ import annotations

import secrets
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.engine.options import Sampling
from studio.engine.sampling_ranges import RANGES, checked_sampling
from studio.ui.a11y import label_form

DEFAULTS = dict(temperature=0.9, top_k=50, top_p=1.0, repetition_penalty=1.05)
MAX_SEED = int(RANGES["seed"].high)


class SamplingBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton(text="Advanced options")
        self.toggle.setCheckable(True)
        self.toggle.setArrowType(self._arrow(False))
        self.toggle.setToolButtonStyle(self.toggle.toolButtonStyle().ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._fold)
        self.body = QWidget()
        form = QFormLayout(self.body)
        form.setContentsMargins(18, 0, 0, 0)
        self.temperature = self._double("temperature", 0.05)
        self.temperature.setToolTip("Higher is livelier and less predictable; lower is steadier.")
        top_k = RANGES["top_k"]
        self.top_k = QSpinBox(minimum=int(top_k.low), maximum=int(top_k.high),
                              value=DEFAULTS["top_k"])
        self.top_p = self._double("top_p", 0.05)
        self.repetition = self._double("repetition_penalty", 0.01)
        self.repetition.setToolTip("Raise a little if the voice stutters or loops.")
        self.seed = QSpinBox(minimum=int(RANGES["seed"].low), maximum=MAX_SEED)
        self.seed.setValue(secrets.randbelow(MAX_SEED))
        self.dice = QToolButton()
        self.dice.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.dice.setToolTip("A new random seed")
        self.dice.setAccessibleName("New random seed")
        self.dice.clicked.connect(self.roll)
        self.new_each = QCheckBox("New seed for every take")
        self.new_each.setChecked(True)
        self.new_each.setToolTip("Off: the same seed and text give the same take again.")
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.dice)
        form.addRow("Temperature", self.temperature)
        form.addRow("Top-k", self.top_k)
        form.addRow("Top-p", self.top_p)
        form.addRow("Repetition penalty", self.repetition)
        form.addRow("Seed", seed_row)
        form.addRow("", self.new_each)
        label_form(form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self.body.setVisible(False)

    @staticmethod
    def _double(name: str, step: float) -> QDoubleSpinBox:
        """A spin box over the option's range (sampling_ranges), the CLI's and server's too."""
        box = QDoubleSpinBox(minimum=RANGES[name].low, maximum=RANGES[name].high,
                             singleStep=step, decimals=2)
        box.setValue(DEFAULTS[name])
        return box

    @staticmethod
    def _arrow(open_: bool) -> Any:
        from PySide6.QtCore import Qt

        return Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow

    def _fold(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.toggle.setArrowType(self._arrow(open_))

    def roll(self) -> int:
        self.seed.setValue(secrets.randbelow(MAX_SEED))
        return self.seed.value()

    def sampling(self, seed: int | None = None) -> Sampling:
        """The options as an engine Sampling; rolls a new seed first if asked to."""
        if isinstance(seed, bool) or not isinstance(seed, int | None):
            raise TypeError(f"a seed is a whole number, not {seed!r}")  # e.g. clicked(False)
        if seed is None:
            if self.new_each.isChecked():
                self.roll()
            seed = self.seed.value()
        return checked_sampling(str, temperature=self.temperature.value(),
                                top_k=self.top_k.value(), top_p=self.top_p.value(),
                                repetition_penalty=self.repetition.value(), seed=seed)

    def to_dict(self) -> dict[str, Any]:
        return dict(temperature=self.temperature.value(), top_k=self.top_k.value(),
                    top_p=self.top_p.value(), repetition_penalty=self.repetition.value(),
                    new_each=self.new_each.isChecked(), seed=self.seed.value())

    def load(self, data: dict[str, Any]) -> None:
        try:
            self.temperature.setValue(float(data.get("temperature", DEFAULTS["temperature"])))
            self.top_k.setValue(int(data.get("top_k", DEFAULTS["top_k"])))
            self.top_p.setValue(float(data.get("top_p", DEFAULTS["top_p"])))
            self.repetition.setValue(float(data.get("repetition_penalty",
                                                    DEFAULTS["repetition_penalty"])))
            self.new_each.setChecked(bool(data.get("new_each", True)))
            if "seed" in data:
                self.seed.setValue(int(data["seed"]))
        except (TypeError, ValueError):
            pass
