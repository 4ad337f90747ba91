"""Light and dark themes (the Fusion style with a palette of ours), or the platform's own
look ("system"), applied while the app runs.

Qt's style-sheet engine resolves ``palette(...)`` in a style sheet when it polishes a
widget, and while a style sheet is set it gives every widget a palette of its own, so a
new application palette alone reaches no widget that is already on screen. Applying a
theme therefore re-sets the application style sheet too: every widget, dialogs included,
is polished again against the new palette. Widgets that paint with colours of their own
(the waveforms, the play glyph) follow ``ApplicationPaletteChange``.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from studio import paths

THEMES = ("system", "light", "dark")
_SYSTEM: dict[str, object] = {}  # the platform's style name and palette, before any theme

_DARK = {
    QPalette.ColorRole.Window: "#25262b", QPalette.ColorRole.WindowText: "#e9ecef",
    QPalette.ColorRole.Base: "#1a1b1e", QPalette.ColorRole.AlternateBase: "#2c2e33",
    QPalette.ColorRole.Text: "#e9ecef", QPalette.ColorRole.Button: "#2c2e33",
    QPalette.ColorRole.ButtonText: "#e9ecef", QPalette.ColorRole.Highlight: "#4c6ef5",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2c2e33",
    QPalette.ColorRole.ToolTipText: "#e9ecef", QPalette.ColorRole.PlaceholderText: "#909296",
    QPalette.ColorRole.Mid: "#3f4147", QPalette.ColorRole.Dark: "#141517",
    QPalette.ColorRole.Light: "#373a40", QPalette.ColorRole.Midlight: "#373a40",
    QPalette.ColorRole.Shadow: "#0b0c0d", QPalette.ColorRole.Link: "#74c0fc",
    QPalette.ColorRole.BrightText: "#ffffff",
}
# Fusion's light colours, written out: its standard palette follows the desktop's colour
# scheme in recent Qt versions, so "light" on a dark desktop would not be light
_LIGHT = {
    QPalette.ColorRole.Window: "#efefef", QPalette.ColorRole.WindowText: "#000000",
    QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f7f7f7",
    QPalette.ColorRole.Text: "#000000", QPalette.ColorRole.Button: "#efefef",
    QPalette.ColorRole.ButtonText: "#000000", QPalette.ColorRole.Highlight: "#4c6ef5",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#ffffdc",
    QPalette.ColorRole.ToolTipText: "#000000", QPalette.ColorRole.PlaceholderText: "#6c6f75",
    QPalette.ColorRole.Mid: "#b8b8b8", QPalette.ColorRole.Dark: "#9f9f9f",
    QPalette.ColorRole.Light: "#ffffff", QPalette.ColorRole.Midlight: "#cacaca",
    QPalette.ColorRole.Shadow: "#767676", QPalette.ColorRole.Link: "#1c7ed6",
    QPalette.ColorRole.BrightText: "#ffffff",
}
_DISABLED = {"dark": "#6c6f75", "light": "#9a9a9a"}


def palette_for(theme: str) -> QPalette:
    """The palette of the light or dark theme."""
    colors = _DARK if theme == "dark" else _LIGHT
    palette = QPalette()
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED[theme]))
    return palette


def style_sheet() -> str:
    path = paths.resources_dir() / "styles" / "studio.qss"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def apply_theme(app: QApplication, theme: str) -> None:
    """Give the running app ``theme`` ("system", "light" or "dark"), every widget at once."""
    if not _SYSTEM:  # the first call: remember the platform's look to go back to
        _SYSTEM.update(style=app.style().name(), palette=QPalette(app.palette()))
    if theme in ("light", "dark"):
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(palette_for(theme))
    else:
        app.setStyle(QStyleFactory.create(str(_SYSTEM["style"])))
        app.setPalette(QPalette(_SYSTEM["palette"]))  # type: ignore[arg-type]
    app.setStyleSheet("")  # re-set, so every widget is polished against the new palette
    app.setStyleSheet(style_sheet())
