"""Light and dark themes: the Fusion style with a palette, or the platform's own look."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("system", "light", "dark")

_DARK = {
    QPalette.ColorRole.Window: "#25262b", QPalette.ColorRole.WindowText: "#e9ecef",
    QPalette.ColorRole.Base: "#1a1b1e", QPalette.ColorRole.AlternateBase: "#2c2e33",
    QPalette.ColorRole.Text: "#e9ecef", QPalette.ColorRole.Button: "#2c2e33",
    QPalette.ColorRole.ButtonText: "#e9ecef", QPalette.ColorRole.Highlight: "#4c6ef5",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2c2e33",
    QPalette.ColorRole.ToolTipText: "#e9ecef", QPalette.ColorRole.PlaceholderText: "#909296",
    QPalette.ColorRole.Mid: "#3f4147", QPalette.ColorRole.Dark: "#141517",
    QPalette.ColorRole.Light: "#373a40", QPalette.ColorRole.Link: "#74c0fc",
}
_LIGHT_ACCENT = {QPalette.ColorRole.Highlight: "#4c6ef5",
                 QPalette.ColorRole.HighlightedText: "#ffffff"}


def apply_theme(app: QApplication, theme: str) -> None:
    if theme not in ("light", "dark"):
        return
    app.setStyle(QStyleFactory.create("Fusion"))
    palette = app.style().standardPalette()
    for role, color in (_DARK if theme == "dark" else _LIGHT_ACCENT).items():
        palette.setColor(role, QColor(color))
    if theme == "dark":
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                     QPalette.ColorRole.WindowText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6c6f75"))
    app.setPalette(palette)
