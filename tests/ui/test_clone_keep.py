"""Keeping a cloned voice: the user confirms they have the right to use it, the voice
records where it came from, a clip the check marks "Not usable yet" is kept only after
one question naming what fails, and the noise estimate does not depend on where the
selection's edges fall (an edge inside a word is a warning of its own)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from studio.audio.samplerate import SAMPLE_RATE as SR
from tests.ui.clone_helpers import LONG, clone_page, speech_file
from tests.ui.modal import click_text, message_text, when_modal

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def page(qtbot, ui_ctx):
    page = clone_page(qtbot, ui_ctx)
    page.holder.show()
    yield page
    page.shutdown()


def ready(page, path, name: str = "Guest") -> None:  # noqa: ANN001
    assert page.import_file(path)
    page.form.transcript.setPlainText("Hello there, this is me speaking.")
    page.form.name.setText(name)


def test_saving_asks_for_the_right_to_use_the_voice_and_records_where_it_came_from(
        qtbot, page, tmp_path):
    ready(page, speech_file(tmp_path / "interview.wav", seconds=5.0, sr=SR, channels=1))
    consent = page.preview_box.consent
    assert not consent.isChecked()
    qtbot.mouseClick(page.preview_box.save_button, LEFT)
    assert "I have the right to use this voice" in page.notice.text()
    assert page.job is None and page.ctx.library.list().voices == []
    qtbot.mouseClick(consent, LEFT)
    assert consent.isChecked()
    with qtbot.waitSignal(page.voice_saved, timeout=LONG):
        qtbot.mouseClick(page.preview_box.save_button, LEFT)
    voice = page.ctx.library.get("Guest").voice
    provenance = voice.provenance
    assert (provenance.source, provenance.file, provenance.consent, provenance.via) == (
        "imported", "interview.wav", True, "window")
    ready(page, speech_file(tmp_path / "next.wav", seconds=5.0, sr=SR, channels=1), "Next")
    assert not consent.isChecked()  # the confirmation was for the last clip


def test_a_clip_not_usable_yet_is_kept_only_after_one_question(qtbot, page, tmp_path):
    ready(page, speech_file(tmp_path / "short.wav", seconds=1.6, sr=SR, channels=1,
                            pad_s=0.2))
    assert not page.report.ok
    failing = [i.message for i in page.report.items if i.status == "fail"]
    qtbot.mouseClick(page.preview_box.consent, LEFT)
    asked: list[str] = []

    def answer(button: str):  # noqa: ANN202
        def act(box) -> None:  # noqa: ANN001
            asked.append(message_text(box))
            click_text(box, button)
        return act

    when_modal(answer("Cancel"))
    qtbot.mouseClick(page.preview_box.save_button, LEFT)
    assert len(asked) == 1 and all(m in asked[0] for m in failing)
    assert page.job is None and page.ctx.library.list().voices == []

    when_modal(answer("Save"))
    with qtbot.waitSignal(page.voice_saved, timeout=LONG) as saved:
        qtbot.mouseClick(page.preview_box.save_button, LEFT)
    assert len(asked) == 2
    voice_id = saved.args[0].split(":", 1)[1]
    with qtbot.waitSignal(page.takes_changed, timeout=LONG):
        page.add_take_to(voice_id)  # the same clip and selection: not asked again
    assert len(asked) == 2


def test_the_noise_estimate_does_not_move_with_the_selection(qtbot, page, tmp_path):
    assert page.import_file(speech_file(tmp_path / "clean.wav", seconds=6.0, sr=SR,
                                        channels=1))
    estimates = set()
    for start, end in [(0.9, 7.1), (2.0, 5.0), (1.5, 6.3), (3.1, 6.6)]:
        page.editor.set_selection(start, end)
        noise = page.report.item("noise")
        assert noise.status == "pass", noise.message
        estimates.add(noise.value)
    assert len(estimates) == 1
    assert page.report_view.status("edges") == "warn"  # 3.1-6.6 s cuts words
    assert any("middle of a word" in text for key, _s, text in page.report_view.items()
               if key == "edges")
    page.editor.use_suggestion()
    assert page.report_view.status("edges") in (None, "pass")
