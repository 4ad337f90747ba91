"""The language choice every form offers: Auto-detect, then the model's languages."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from studio.hub.catalog import LANGUAGES


def language_combo(default: str = "auto") -> QComboBox:
    combo = QComboBox()
    combo.addItem("Auto-detect", "auto")
    for lang in LANGUAGES:
        combo.addItem(lang, lang.lower())
    index = combo.findData(default.lower())
    combo.setCurrentIndex(max(index, 0))
    return combo
