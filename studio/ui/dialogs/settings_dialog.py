"""Settings (placeholder until it is built)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog


class SettingsDialog(QDialog):
    def __init__(self, ctx, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.ctx = ctx
