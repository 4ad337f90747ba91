"""Takes in the window: the sidebar lists the selected voice's takes with play, make-active
and remove; the Clone page adds the selection as another take (real engine, tiny models)."""

from __future__ import annotations

import numpy as np
import pytest

from studio.library.anyvoice import SAVED, VoiceRef
from studio.ui.main_window import MainWindow
from studio.ui.widgets.voice_takes import TakesPanel
from tests.library.helpers import make_prompt, tone
from tests.ui.clone_helpers import LONG, agree, clone_page, shot, speech_file
from tests.ui.modal import click_text, message_text, when_modal


def voice_with_takes(library) -> VoiceRef:
    entry = library.create("Narrator", prompt=make_prompt(0, text="The first take."),
                           audio=tone(1.0), sample_rate=24_000)
    library.add_take(entry.id, prompt=make_prompt(1, text="A calmer second take."),
                     audio=tone(1.5, freq=330.0), sample_rate=24_000, label="calm")
    return VoiceRef(SAVED, entry.id, entry.name)


@pytest.fixture
def panel(qtbot, ui_ctx):
    panel = TakesPanel(ui_ctx)
    qtbot.addWidget(panel)
    yield panel
    ui_ctx.playback.stop()


def test_takes_are_listed_played_switched_and_removed(qtbot, panel, ui_ctx, fake_sd,
                                                      monkeypatch) -> None:
    ref = voice_with_takes(ui_ctx.library)
    panel.set_voice(ref)
    assert not panel.isHidden()
    assert [t.id for t in panel.takes()] == ["take-1", "take-2"]
    assert panel.current_take().id == "take-1"  # the active one is selected
    assert panel.tree.topLevelItem(0).text(0) == "✓ Take 1"
    assert panel.tree.topLevelItem(1).text(0) == "    Take 2 · calm"
    assert not panel.active_button.isEnabled() and not panel.remove_button.isEnabled()
    assert "The first take." in panel.transcript.text()

    assert panel.select("take-2")
    assert "A calmer second take." in panel.transcript.text()
    panel.play()
    out = next(s for s in reversed(fake_sd.streams) if s.kind == "output")
    assert np.abs(out.pull(24_000)[:, 0]).max() > 0.1  # the take's clip reached the player
    with qtbot.waitSignal(panel.changed) as changed:
        assert panel.make_active()
    assert changed.args == [f"saved:{ref.id}"]
    assert ui_ctx.library.get(ref.id).voice.active_take == "take-2"
    assert panel.tree.topLevelItem(1).text(0) == "✓ Take 2 · calm"
    assert not panel.remove_button.isEnabled()  # the active take stays

    assert panel.select("take-1") and panel.make_active()
    assert panel.select("take-2") and panel.remove_button.isEnabled()
    monkeypatch.setattr(panel, "confirm", lambda _text: True)
    assert panel.remove()
    assert [t.id for t in panel.takes()] == ["take-1"]
    assert "Add as take" in panel.transcript.text()  # the hint for a single take


def test_built_in_voices_have_no_takes_panel(panel) -> None:
    panel.set_voice(VoiceRef("speaker", "ryan", "Ryan"))
    assert panel.isHidden()


def test_the_window_shows_the_selected_voices_takes(qtbot, ui_ctx) -> None:
    ref = voice_with_takes(ui_ctx.library)
    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    assert w.voices.select_key(ref.key)
    assert not w.takes.isHidden() and len(w.takes.takes()) == 2
    assert w.takes.select("take-2") and w.takes.make_active()
    assert "now speaks with Take 2" in w.notice.label.text()
    assert w.voices.select_key("speaker:ryan") and w.takes.isHidden()
    w.close()


def test_add_the_selection_as_a_take_of_a_saved_voice(qtbot, ui_ctx, tmp_path) -> None:
    page = clone_page(qtbot, ui_ctx)
    page.import_file(speech_file(tmp_path / "a.wav", seconds=3.0))
    page.form.transcript.setPlainText("The first clip.")
    page.form.name.setText("Two Takes")
    with qtbot.waitSignal(page.voice_saved, timeout=LONG) as saved:
        agree(page)
        page.save()
    voice_id = saved.args[0].split(":", 1)[1]
    page.import_file(speech_file(tmp_path / "b.wav", seconds=4.0))  # saved: no question
    page.form.transcript.setPlainText("The second clip, a better one.")
    page.preview_box.take_menu.aboutToShow.emit()  # the menu lists the saved voices
    [action] = page.preview_box.take_menu.actions()
    assert action.text() == "Two Takes  (1 take)"
    agree(page)
    with qtbot.waitSignal(page.takes_changed, timeout=LONG) as changed:
        action.trigger()
    assert changed.args == [f"saved:{voice_id}"]
    entry = ui_ctx.library.get(voice_id)
    first, second = entry.takes()
    assert first.active and second.transcript() == "The second clip, a better one."
    assert abs(second.reference_seconds - page.clip.duration) < 0.01
    assert second.original_name == "b.wav"  # the import as it came is kept with the take
    assert second.original_path.read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert "Added Take 2" in page.notice.label.text() and not page.has_unsaved_work()
    shot(qtbot, page, "clone-add-take")
    page.notice.action.click()  # "Make it active"
    assert ui_ctx.library.get(voice_id).transcript() == "The second clip, a better one."
    page.shutdown()


def test_combine_takes_opens_them_joined_in_clone_and_keeps_a_new_take(qtbot, ui_ctx) -> None:
    ref = voice_with_takes(ui_ctx.library)
    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    assert w.voices.select_key(ref.key)
    panel = w.takes
    assert not panel.combine_button.isEnabled()  # one take selected
    for i in range(2):
        panel.tree.topLevelItem(i).setSelected(True)  # Ctrl+click both
    assert panel.combine_button.isEnabled()
    panel.combine_button.click()
    page = w.clone
    assert w.tabs.currentWidget() is page
    assert abs(page.clip.duration - (1.0 + 0.4 + 1.5)) < 1e-6
    assert page.form.transcript.toPlainText() == "The first take. A calmer second take."
    assert page.workspace.label == "Takes 1+2 of Narrator"
    assert "Takes 1+2 of “Narrator” joined: 2.9 s" in w.notice.label.text()
    shot(qtbot, w, "takes-combined")
    asked: list[str] = []
    when_modal(lambda box: (asked.append(message_text(box)), click_text(box, "Save")))
    with qtbot.waitSignal(page.takes_changed, timeout=LONG):
        w.notice.action.click()  # "Add to Narrator": the prompt is built, the take kept
    assert "2.9 s long" in asked[0]  # under 3 s: kept after one question
    third = ui_ctx.library.get(ref.id).takes()[-1]
    assert (third.id, third.label, third.original_path) == ("take-3", "Takes 1+2", None)
    assert third.transcript() == "The first take. A calmer second take."
    assert not third.x_vector_only and abs(third.reference_seconds - 2.9) < 1e-3
    assert [t.id for t in panel.takes()] == ["take-1", "take-2", "take-3"]  # listed at once
    w.close()


def test_combining_takes_without_words_says_why(qtbot, ui_ctx) -> None:
    ref = voice_with_takes(ui_ctx.library)
    ui_ctx.library.add_take(ref.id, prompt=make_prompt(2, text=None), audio=tone(1.0),
                            sample_rate=24_000)
    w = MainWindow(ui_ctx)
    qtbot.addWidget(w)
    assert w.voices.select_key(ref.key)
    for i in (0, 2):
        w.takes.tree.topLevelItem(i).setSelected(True)
    w.takes.combine_button.click()
    assert "Take 3 has no transcript" in w.notice.label.text()
    assert w.tabs.currentWidget() is not w.clone and w.clone.clip is None
    w.close()
