"""The first start, with no model on disk: the window opens on a preset speaker greeting in
the user's language, marks the voices whose model is missing, and every "model missing"
message says what to click (never a command, never a menu item that does not exist) and
carries the button that opens the Model manager at that model."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt

from studio.engine.pool import ModelPool
from studio.ui.main_window import MainWindow
from studio.ui.welcome import GREETINGS
from tests.ui.clone_helpers import speech_file
from tests.ui.conftest import make_ctx
from tests.ui.modal import when_modal

CUSTOM_06 = "Qwen/Qwen3-TTS-12Hz-0.6B-CustomVoice"
DESIGN_17 = "Qwen/Qwen3-TTS-12Hz-1.7B-VoiceDesign"
BASE_06 = "Qwen/Qwen3-TTS-12Hz-0.6B-Base"


@pytest.fixture
def locale():
    """Set the user's locale for one test."""
    before = QLocale()

    def use(name: str) -> None:
        QLocale.setDefault(QLocale(name))

    yield use
    QLocale.setDefault(before)


@pytest.fixture
def first_window(qtbot, tmp_path, fake_sd):
    """The window as it opens the very first time: no settings, no models."""
    made = []

    def make() -> MainWindow:
        (tmp_path / "models").mkdir(exist_ok=True)
        w = MainWindow(make_ctx(ModelPool(device="cpu", roots=[tmp_path / "models"]), fake_sd))
        w.resize(1024, 700)
        w.show()
        qtbot.waitUntil(lambda: bool(w.notice.text()), timeout=5000)  # the first-run banner
        made.append(w)
        return w

    yield make
    for w in made:  # closed here (not by qtbot), after the clip's question is answered
        w.clone.has_unsaved_work = lambda: False
        w.close()
        w.deleteLater()


def opened_at(qtbot, button) -> str:  # noqa: ANN001
    """Click ``button``; the catalog model the Model manager opened at (its row marked)."""
    seen: list[str] = []

    def look(dialog) -> None:  # noqa: ANN001
        row = dialog.focused_row
        assert row.property("wanted") and row.visibleRegion().boundingRect().height() > 0
        seen.append(row.key)
        dialog.reject()

    when_modal(look)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1, "the Model manager did not open"
    return seen[0]


def assert_window_words(text: str) -> None:
    assert text and "voice-studio" not in text and "Models >" not in text


@pytest.mark.parametrize(("name", "language", "speaker"),
                         [("en_US", "English", "speaker:ryan"),
                          ("de_DE", "German", "speaker:ryan"),
                          ("ja_JP", "Japanese", "speaker:ono_anna")])
def test_first_start_is_a_preset_speaker_greeting_in_the_users_language(
        qtbot, locale, first_window, name, language, speaker):
    locale(name)
    w = first_window()
    current = w.voices.current()
    assert current is not None and current.key == speaker
    assert w.speak.text.toPlainText() == GREETINGS[language]
    assert w.speak.language.currentData() == language.lower()
    assert w.ctx.settings.last_voice == speaker  # the next start keeps the user's choice


def test_the_banner_recommends_the_model_the_voice_needs_and_opens_it(qtbot, first_window):
    w = first_window()
    text = w.notice.text()
    assert "CustomVoice 0.6B" in text
    assert_window_words(text)
    assert opened_at(qtbot, w.notice.action) == CUSTOM_06


def test_voices_whose_model_is_missing_are_marked_and_the_mark_opens_the_manager(
        qtbot, first_window):
    w = first_window()
    tree = w.voices.tree
    notes = {}
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        first = group.child(0)
        notes[group.text(0)] = first.text(0) if first is not None else ""
    assert notes["Built-in voices"].startswith("Needs VoiceDesign 1.7B")
    assert notes["Preset speakers"].startswith("Needs CustomVoice 0.6B")
    assert not notes["My voices"].startswith("Needs")  # no voices there to mark
    heroine = next(r for r in w.voices.refs() if r.source == "design")
    assert w.voices.select_key(heroine.key)
    assert "needs VoiceDesign 1.7B" in w.speak.voice_detail.text()
    # the note is a row of the list: Enter on it opens the Model manager at that model
    note = tree.topLevelItem(1).child(0)
    tree.setCurrentItem(note)
    tree.setFocus()
    seen: list[str] = []
    when_modal(lambda d: (seen.append(d.focused_row.key), d.reject()))
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert seen == [DESIGN_17]


def test_every_model_missing_message_says_what_to_click(qtbot, first_window, tmp_path):
    w = first_window()
    w.speak.text.setPlainText("Hello.")
    qtbot.mouseClick(w.speak.generate_button, Qt.MouseButton.LeftButton)
    assert_window_words(w.notice.text())
    assert opened_at(qtbot, w.notice.action) == CUSTOM_06

    w.tabs.setCurrentWidget(w.design)
    qtbot.mouseClick(w.design.generate_button, Qt.MouseButton.LeftButton)
    assert "VoiceDesign 1.7B" in w.notice.text()
    assert_window_words(w.notice.text())
    assert opened_at(qtbot, w.notice.action) == DESIGN_17

    w.tabs.setCurrentWidget(w.clone)
    assert w.clone.import_file(speech_file(tmp_path / "me.wav", seconds=6.0))
    w.clone.form.transcript.setPlainText("Words.")
    qtbot.mouseClick(w.clone.preview_box.preview_button, Qt.MouseButton.LeftButton)
    assert "Base 0.6B" in w.notice.text()
    assert_window_words(w.notice.text())
    assert opened_at(qtbot, w.notice.action) == BASE_06

    qtbot.mouseClick(w.clone.form.transcribe_button, Qt.MouseButton.LeftButton)
    assert "Whisper small" in w.notice.text()
    assert_window_words(w.notice.text())
    assert opened_at(qtbot, w.notice.action) == "openai/whisper-small"
