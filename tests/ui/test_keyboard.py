"""The window with the keyboard alone and with a screen reader: Tab leaves every text box,
the control the keyboard is on is ringed in both themes, the voice search hands the
keyboard to the list, every control has a name to announce, and a saved voice's actions
are buttons anyone can reach."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from studio.engine.pool import ModelPool
from studio.library.anyvoice import SAVED
from studio.ui.dialogs.model_manager import ModelManagerDialog
from studio.ui.dialogs.settings_dialog import SettingsDialog
from studio.ui.main_window import MainWindow
from studio.ui.theme import apply_theme
from studio.ui.widgets.focus_ring import FocusRing
from tests.library.helpers import add_voice
from tests.ui.a11y import unnamed
from tests.ui.conftest import make_ctx
from tests.ui.modal import click_text, when_modal


@pytest.fixture
def window(qtbot, tmp_path, fake_sd):
    (tmp_path / "models").mkdir()
    ctx = make_ctx(ModelPool(device="cpu", roots=[tmp_path / "models"]), fake_sd)
    add_voice(ctx.library, "Alice", seed=0, description="A bright test voice")
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    yield w
    w.close()


def tab(qtbot, widget, times: int = 1) -> None:  # noqa: ANN001
    for _ in range(times):
        qtbot.keyClick(QApplication.focusWidget() or widget, Qt.Key.Key_Tab)


@pytest.mark.parametrize("page", ["speak", "clone", "design"])  # Projects has none
def test_tab_leaves_every_text_box(qtbot, window, page):
    page_widget = getattr(window, page)
    window.tabs.setCurrentWidget(page_widget)
    boxes = [b for b in page_widget.findChildren(QPlainTextEdit) if b.isVisible()]
    assert boxes
    for box in boxes:
        box.setPlainText("words")
        box.setFocus(Qt.FocusReason.TabFocusReason)
        box.moveCursor(box.textCursor().MoveOperation.End)
        qtbot.keyClick(box, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is not box, f"Tab stayed in {box.accessibleName()}"
        assert "\t" not in box.toPlainText()


def ring_shows(window: MainWindow, widget) -> bool:  # noqa: ANN001
    """The ring is on screen around ``widget``, painted in the highlight colour."""
    ring = window.findChild(FocusRing)
    if ring is None or not ring.isVisible() or ring.widget() is not widget:
        return False
    image = window.grab().toImage()
    want = window.palette().color(QPalette.ColorRole.Highlight)
    w, h = ring.width(), ring.height()
    for x, y in ((1, h // 2), (w - 2, h // 2), (w // 2, 1), (w // 2, h - 2)):  # its edges
        at = ring.mapTo(window, QPoint(x, y))
        pixel = image.pixelColor(at.x(), at.y())
        if max(abs(pixel.red() - want.red()), abs(pixel.green() - want.green()),
               abs(pixel.blue() - want.blue())) < 60:
            return True
    return False


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_keyboards_place_is_ringed_in_both_themes(qtbot, app_look, window, theme):
    apply_theme(app_look, theme)
    window.voices.search.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[str] = []
    for _ in range(30):  # around the Speak page and the sidebar
        tab(qtbot, window)
        widget = QApplication.focusWidget()
        name = f"{type(widget).__name__} {widget.accessibleName() or widget.objectName()}"
        assert ring_shows(window, widget), f"no visible focus ring on {name} ({theme})"
        seen.append(name)
    assert len(set(seen)) >= 8
    qtbot.mouseClick(window.speak.text, Qt.MouseButton.LeftButton)
    ring = window.findChild(FocusRing)
    assert ring is None or not ring.isVisible()  # a mouse user gets no ring


def test_arrows_and_enter_in_the_search_move_into_the_list(qtbot, window):
    voices = window.voices
    voices.search.setFocus()
    qtbot.keyClicks(voices.search, "seren")
    qtbot.keyClick(voices.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is voices.tree
    assert voices.current().name == "Serena"
    voices.search.setFocus()
    voices.search.clear()
    qtbot.keyClicks(voices.search, "ryan")
    with qtbot.waitSignal(voices.voice_selected) as picked:
        qtbot.keyClick(voices.search, Qt.Key.Key_Return)
    assert picked.args[0].name == "Ryan" and QApplication.focusWidget() is voices.tree
    assert window.speak.voice_label.text() == "Ryan"


def test_every_control_on_every_page_has_a_name_to_announce(qtbot, window):
    window.speak.sampling.toggle.click()  # the folded options too
    roots = {"sidebar": window.splitter.widget(0), "notice": window.notice,
             "tabs": window.tabs.tabBar()}
    for page in (window.speak, window.clone, window.design, window.projects):
        window.tabs.setCurrentWidget(page)
        roots[type(page).__name__] = page
    settings, manager = SettingsDialog(window.ctx, window), ModelManagerDialog(window.ctx, window)
    roots |= {"settings": settings, "model manager": manager}
    problems = [f"{where}: {p}" for where, root in roots.items() for p in unnamed(root)]
    settings.close()
    manager.close()
    assert not problems, "\n".join(problems)


def test_a_saved_voice_has_visible_actions(qtbot, window, monkeypatch):
    voices = window.voices
    buttons = voices.action_buttons
    assert voices.select_key("speaker:ryan")
    assert not any(b.isEnabled() for b in buttons.values())  # built-in: nothing to change
    alice = next(r for r in voices.refs() if r.source == SAVED)
    assert voices.select_key(alice.key)
    assert all(b.isVisible() and b.isEnabled() for b in buttons.values())

    def rename(dialog) -> None:  # noqa: ANN001
        from PySide6.QtWidgets import QLineEdit

        field = dialog.findChild(QLineEdit)
        field.selectAll()
        qtbot.keyClicks(field, "Alicia")
        click_text(dialog, "OK")

    when_modal(rename)
    qtbot.mouseClick(buttons["rename"], Qt.MouseButton.LeftButton)
    assert voices.current().name == "Alicia"
    qtbot.mouseClick(buttons["duplicate"], Qt.MouseButton.LeftButton)
    assert "Alicia (copy)" in [r.name for r in voices.refs()]
    qtbot.mouseClick(buttons["delete"], Qt.MouseButton.LeftButton)
    assert "Deleted" in window.notice.text() and window.notice.action.text() == "Undo"
    voices.tree.setFocus()
    assert voices.select_key(alice.key)
    qtbot.keyClick(voices.tree, Qt.Key.Key_Delete)  # the keyboard's way
    assert alice.key not in [r.key for r in voices.refs()]


def test_the_focus_ring_follows_the_palette():
    ring = FocusRing()
    palette = ring.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#ff0000"))
    ring.setPalette(palette)
    ring.resize(40, 20)
    ring.show()
    assert ring.grab().toImage().pixelColor(1, 10).red() > 200
    ring.close()
