"""Clone workspace (placeholder until it is built)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from studio.ui.pages.base import Page


class ClonePage(Page):
    def __init__(self, ctx, notice) -> None:  # noqa: ANN001
        super().__init__(ctx, notice)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Clone"))
