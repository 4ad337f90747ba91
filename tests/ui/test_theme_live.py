"""Switching the theme while the window is open (View > Theme) reaches every widget at once:
text boxes, labels, lists, buttons, the waveforms (pyqtgraph) and dialogs, open or opened
later, look exactly as in a window started in that theme."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget

from studio.engine.pool import ModelPool
from studio.ui.dialogs.model_manager import ModelManagerDialog
from studio.ui.dialogs.settings_dialog import SettingsDialog
from studio.ui.main_window import MainWindow
from studio.ui.theme import apply_theme, palette_for
from studio.ui.widgets.waveform import WaveformView
from tests.ui.conftest import make_ctx

ROLES = ("Window", "WindowText", "Base", "Text", "Button", "ButtonText", "PlaceholderText",
         "Highlight")


@pytest.fixture
def open_window(qtbot, tmp_path, fake_sd):
    made = []

    def make() -> MainWindow:
        (tmp_path / "models").mkdir(exist_ok=True)
        w = MainWindow(make_ctx(ModelPool(device="cpu", roots=[tmp_path / "models"]), fake_sd))
        qtbot.addWidget(w)
        w.resize(1024, 700)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def colors(widget: QWidget) -> dict[str, str]:
    pal = widget.palette()
    return {role: pal.color(getattr(QPalette.ColorRole, role)).name(QColor.NameFormat.HexArgb)
            for role in ROLES}


def wave_colors(view: WaveformView) -> dict[str, str]:
    axis = view.plot.getAxis("bottom")
    return {"curve": view.curve.opts["pen"].color().name(),
            "axis text": axis.textPen().color().name(),
            "empty text": view.empty.textItem.defaultTextColor().name()}


def dialogs(window: MainWindow) -> tuple[SettingsDialog, ModelManagerDialog]:
    settings = SettingsDialog(window.ctx, window)
    manager = ModelManagerDialog(window.ctx, window)
    for dialog in (settings, manager):
        dialog.show()
    return settings, manager


def look(window: MainWindow, settings: SettingsDialog, manager: ModelManagerDialog) -> dict:
    """The colours of a few widgets of each kind, in the window and in its dialogs."""
    QApplication.processEvents()
    speak = window.speak
    hint = next(label for label in settings.findChildren(QLabel)
                if label.objectName() == "hint" and label.isVisible())
    row = next(iter(manager.rows.values()))
    widgets = {"text box": speak.text, "title": speak.voice_label, "hint": speak.voice_detail,
               "search": window.voices.search, "voice list": window.voices.tree,
               "combo": speak.language, "table": speak.history.table,
               "primary button": speak.generate_button, "tool button": speak.play_button,
               "settings combo": settings.findChild(QComboBox), "settings hint": hint,
               "settings dialog": settings, "manager": manager, "manager row": row,
               "manager hint": manager.other_hint, "row detail": row.detail}
    out: dict = {name: colors(w) for name, w in widgets.items()}
    out["speak waveform"] = wave_colors(speak.wave)
    out["clip waveform"] = wave_colors(window.clone.editor.wave)
    return out


def text_box_pixel(window: MainWindow) -> str:
    """What the speak text box is painted with, inside its frame."""
    box = window.speak.text
    return box.grab().toImage().pixelColor(box.width() // 2, box.height() - 6).name()


def wave_pixel(window: MainWindow) -> str:
    """The background the (empty) speak waveform is painted on."""
    return window.speak.wave.grab().toImage().pixelColor(30, 12).name()


def switch(window: MainWindow, theme: str) -> None:
    """View > Theme > ``theme``, clicked."""
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    themes = next(a.menu() for a in menu.actions() if a.menu() is not None)
    next(a for a in themes.actions() if a.text() == theme.capitalize()).trigger()


@pytest.mark.parametrize(("start", "to"), [("light", "dark"), ("dark", "light"),
                                           ("dark", "system")])
def test_a_live_switch_looks_like_a_fresh_start(qtbot, app_look, open_window, start, to):
    apply_theme(app_look, start)
    window = open_window()
    window.speak.text.setPlainText("Hello.")
    open_before = dialogs(window)  # open while the theme changes
    before = look(window, *open_before)
    switch(window, to)
    live = look(window, *open_before)
    assert window.ctx.settings.theme == to
    live_pixel = text_box_pixel(window)
    live_wave = wave_pixel(window)
    for dialog in open_before:
        dialog.close()
    opened_after = dialogs(window)  # opened after the switch
    assert look(window, *opened_after) == live
    for dialog in opened_after:
        dialog.close()
    window.close()

    apply_theme(app_look, to)  # what a restart in that theme shows
    fresh_window = open_window()
    fresh_window.speak.text.setPlainText("Hello.")
    fresh_dialogs = dialogs(fresh_window)
    fresh = look(fresh_window, *fresh_dialogs)
    for dialog in fresh_dialogs:
        dialog.close()
    assert live == fresh
    assert live != before
    assert live_pixel == text_box_pixel(fresh_window)
    assert live_wave == wave_pixel(fresh_window)  # pyqtgraph caches its background
    if to != "system":
        assert live_pixel == palette_for(to).color(QPalette.ColorRole.Base).name()
