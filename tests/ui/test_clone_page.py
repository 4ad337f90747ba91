"""The Clone page against the real engine on the tiny models and a fake microphone: record,
import, select, check, preview (streamed), save, unsaved work, and screenshots for review.

The tiny models never end a take by themselves, so previews are capped with
``page.max_frames``. Audio goes into the fake input stream from the test thread.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from studio.audio.samplerate import SAMPLE_RATE as SR
from studio.engine import prompts
from studio.ui.pages.clone import ClonePage
from studio.ui.widgets.clip_editor import EMPTY_TEXT
from tests.engine.helpers import voice_like
from tests.ui.clone_helpers import LONG, agree, clone_page, shot, speech_file
from tests.ui.conftest import record_jobs

SPF = 1920  # samples per 80 ms codec frame at 24 kHz


@pytest.fixture
def page(qtbot, ui_ctx) -> Iterator[ClonePage]:
    page = clone_page(qtbot, ui_ctx)
    yield page
    page.shutdown()


def _answer(monkeypatch, *answers: QMessageBox.StandardButton) -> list[str]:
    """QMessageBox.question answers these in turn; returns the questions asked."""
    asked: list[str] = []
    it = iter(answers)

    def question(_parent, _title, text, *_a):  # noqa: ANN001, ANN202
        asked.append(text)
        return next(it)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def _input_stream(sd):  # noqa: ANN001, ANN202
    return next(s for s in reversed(sd.streams) if s.kind == "input" and s.active)


def test_empty_state_explains_and_waits_for_a_clip(page, qtbot) -> None:
    assert page.editor.wave.empty.textItem.toPlainText() == EMPTY_TEXT
    assert "5-15 s of clear speech" in EMPTY_TEXT
    assert not page.preview_box.preview_button.isEnabled()
    assert not page.preview_box.save_button.isEnabled()
    assert not page.editor.play_button.isEnabled() and page.report_view.items() == []
    assert page.recorder.record_button.isEnabled() and page.recorder.reason == ""
    names = [page.recorder.device.itemText(i) for i in range(page.recorder.device.count())]
    assert names == ["System default", "Fake Mic 0"]
    assert not page.has_unsaved_work()
    shot(qtbot, page, "clone_empty")
    assert page.preview() is None and "Record or import" in page.notice.label.text()


def test_record_from_the_fake_microphone(page, qtbot, fake_sd) -> None:
    page.recorder.countdown_s = 3  # the countdown can be skipped with "Start now"
    page.recorder.record_button.click()
    assert page.recorder.state == "countdown"
    assert page.recorder.record_button.text() == "Start now"
    assert "Starting in 3" in page.recorder.time_label.text()
    page.recorder.record_button.click()
    assert page.recorder.state == "recording" and page.recorder.recorder is not None
    assert page.has_unsaved_work() and "recording in progress" in page.unsaved_description()

    stream = _input_stream(fake_sd)
    voice = voice_like(6.0)
    blocks = np.split(voice, 60)  # 100 ms blocks, as a sound card delivers them
    for block in blocks[:30]:
        stream.push(block)
    qtbot.waitUntil(lambda: page.editor.wave.duration >= 3.0, timeout=5000)
    assert page.recorder.meter.max_peak_db > -30  # the meter moved
    assert "left" in page.recorder.time_label.text()
    shot(qtbot, page, "clone_recording")
    for block in blocks[30:]:
        stream.push(block)
    qtbot.waitUntil(lambda: page.editor.wave.duration >= 6.0, timeout=5000)
    page.recorder.stop_button.click()

    assert page.recorder.state == "idle" and not stream.active
    assert len(page.clip.audio) == len(voice)
    np.testing.assert_allclose(page.clip.audio, voice, atol=1e-6)
    assert page.workspace.origin == "recording" and page.workspace.item.kind == "recording"
    assert page.report_view.status("duration") == "pass"
    assert page.has_unsaved_work() and "recorded clip" in page.unsaved_description()
    assert page.preview_box.preview_button.isEnabled()


def test_recording_stops_by_itself_at_the_limit(page, qtbot, fake_sd) -> None:
    page.recorder.max_seconds = 1.0
    page.recorder.record_button.click()
    stream = _input_stream(fake_sd)
    for block in np.split(voice_like(1.5), 15):
        stream.push(block)
    qtbot.waitUntil(lambda: page.recorder.state == "idle", timeout=5000)
    assert len(page.clip.audio) == SR
    assert page.notice.level == "info" and "1 s limit" in page.notice.label.text()
    assert page.report_view.status("duration") == "fail"  # 1 s is too short to clone well


def test_import_a_stereo_flac_then_select_trim_and_suggest(page, qtbot, tmp_path) -> None:
    path = speech_file(tmp_path / "Jane_Doe.flac", seconds=6.0, sr=44100, channels=2,
                        pad_s=1.5)
    mime = QMimeData()  # dropped on the page, as from a file manager
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    page.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                              Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    clip = page.clip
    assert clip is not None and clip.sample_rate == SR and clip.audio.ndim == 1
    assert abs(len(clip.audio) - 9 * SR) <= 2
    assert page.editor.wave.duration == pytest.approx(9.0, abs=1e-3)
    item = page.workspace.item
    assert item.kind == "import" and item.original.suffix == ".flac"
    assert item.original_name == "Jane_Doe.flac"
    keys = [k for k, _, _ in page.report_view.items()]
    assert {"duration", "speech", "silence", "clipping", "level", "noise", "channels",
            "sample_rate"} <= set(keys)
    assert "2 channels" in dict((k, m) for k, _, m in page.report_view.items())["channels"]
    assert page.form.name.text() == "Jane Doe" and page.has_unsaved_work()

    page.editor.set_selection(2.0, 4.0)  # too short: the duration item fails
    assert page.report_view.status("duration") == "fail"
    assert page.report.duration_s == pytest.approx(2.0, abs=0.01)
    assert "the selection, 2.0 s" in page.report_view.title.text()

    window = page.editor.suggestion
    assert window is not None and page.editor.wave.suggestion.isVisible()
    page.editor.suggest_button.click()
    assert page.editor.selection() == pytest.approx(window, abs=1e-3)
    assert 1.2 <= window[0] <= 1.5 and 7.5 <= window[1] <= 7.8  # the speech, padded

    page.editor.set_selection(0.0, 9.0)
    assert page.report_view.status("silence") == "warn"  # 1.5 s of silence either end
    page.editor.trim_button.click()
    a, b = page.editor.selection()
    assert 1.2 <= a <= 1.5 and 7.5 <= b <= 7.7
    assert page.report_view.status("silence") == "pass"
    assert page.report_view.status("duration") == "pass"

    editor = page.editor  # zoom and scroll
    assert editor.scroll.isHidden()
    editor.zoom_in.click()
    (x0, x1), _ = editor.wave.plot.viewRange()
    assert x1 - x0 == pytest.approx(4.5, abs=0.05) and not editor.scroll.isHidden()
    editor.scroll.setValue(editor.scroll.maximum())
    (x0, x1), _ = editor.wave.plot.viewRange()
    assert x1 == pytest.approx(9.0, abs=0.05) and x1 - x0 == pytest.approx(4.5, abs=0.05)
    editor.zoom_fit.click()
    assert editor.wave.plot.viewRange()[0] == pytest.approx([0.0, 9.0], abs=0.05)
    assert editor.scroll.isHidden()

    page.editor.set_selection(1.8, 6.4)
    page.form.transcript.setPlainText("Hello there, this is my voice.")
    shot(qtbot, page, "clone_imported")


def test_bad_files_are_clear_errors_and_change_nothing(page, tmp_path, monkeypatch) -> None:
    good = page.import_file(speech_file(tmp_path / "good.wav", seconds=4.0, sr=SR,
                                         channels=1))
    assert good
    clip = page.clip
    asked = _answer(monkeypatch)  # no question may be asked for a file that cannot be used
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" + os.urandom(2000))
    assert not page.import_file(garbage)
    assert page.notice.level == "error"
    assert "garbage.wav cannot be read as audio" in page.notice.label.text()
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert not page.import_file(empty)
    assert "empty (0 bytes)" in page.notice.label.text()
    assert asked == [] and page.clip is clip and page.has_unsaved_work()


def test_replacing_an_unsaved_clip_asks_first(page, tmp_path, monkeypatch) -> None:
    first = speech_file(tmp_path / "first.wav", seconds=3.0, sr=SR, channels=1)
    second = speech_file(tmp_path / "second.ogg", seconds=3.0, sr=SR, channels=1)
    assert page.import_file(first)
    clip = page.clip
    cancel, discard = QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard
    asked = _answer(monkeypatch, cancel, cancel, discard)
    assert not page.import_file(second)
    assert page.clip is clip and "an imported clip that is not saved" in asked[0]
    page.recorder.record_button.click()  # recording again asks too
    assert page.recorder.state == "idle" and page.clip is clip and len(asked) == 2
    assert page.import_file(second)
    assert page.clip is not clip and page.workspace.label == "second.ogg" and len(asked) == 3


def test_x_vector_only_makes_the_transcript_optional(page, qtbot, tmp_path) -> None:
    page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0, sr=SR, channels=1))
    assert "required" in page.form.transcript_label.text()
    assert page.reference() is None
    assert page.notice.level == "warning" and "Transcript" in page.notice.label.text()
    assert "only the timbre is cloned" in page.notice.label.text()
    page.form.x_vector_only.setChecked(True)
    assert "optional" in page.form.transcript_label.text()
    key, request = page.reference()
    assert request.x_vector_only and request.transcript is None
    assert len(request.audio) == len(page.clip.audio) and request.sample_rate == SR

    # saved without a transcript; moving the selection while the prompt is being built
    # does not change what is saved: the audio the prompt was made from
    page.editor.set_selection(0.5, 3.5)
    expected = page.editor.selected_audio()
    page.form.name.setText("Timbre Only")
    with qtbot.waitSignal(page.voice_saved, timeout=LONG):
        agree(page)
        page.save()
        assert page.busy and not page.preview_box.save_button.isEnabled()
        page.editor.set_selection(0.0, 2.0)
    entry = page.ctx.library.get("Timbre Only")
    audio, _ = sf.read(str(entry.path / "reference.wav"), dtype="float32")
    np.testing.assert_array_equal(audio, expected)
    assert prompts.load(entry.path / "prompt.safetensors").x_vector_only
    assert (entry.path / "transcript.txt").read_text() == ""
    assert (entry.path / "original.wav").is_file()  # the whole import, beside the selection


def test_preview_streams_to_the_player_and_stop_cancels(page, qtbot, tmp_path, fake_sd,
                                                         monkeypatch) -> None:
    page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0, sr=SR, channels=1))
    page.form.transcript.setPlainText("Hello there.")
    reported = record_jobs(monkeypatch, page.ctx.inference)
    page.max_frames = 8
    with qtbot.waitSignal(page.preview_finished, timeout=LONG) as done:
        assert page.preview() is not None
        assert page.preview_box.stop_button.isEnabled()
        assert not page.preview_box.save_button.isEnabled()
    take = done.args[0]
    assert len(take.audio) == 8 * SPF
    events = [kind for kind, _job, _ in reported]
    assert events[0] == "prompt" and events.count("chunk") >= 2 and events[-1] == "finished"
    np.testing.assert_array_equal(page.preview_box.wave.audio, take.audio)
    out_stream = next(s for s in reversed(fake_sd.streams) if s.kind == "output")
    page.ctx.playback.player.pump()  # top the ring up now, not when the feeder next wakes
    out = out_stream.pull(len(take.audio) + SR)[:, 0]  # the player got the chunks, in order
    start = int(np.flatnonzero(out)[0])
    np.testing.assert_allclose(out[start:start + len(take.audio)], take.audio, atol=1e-6)

    page.max_frames = 400  # far longer than the test waits; Stop ends it
    reported.clear()
    page.preview()
    qtbot.waitUntil(lambda: any(kind == "chunk" for kind, _job, _ in reported), timeout=LONG)
    events = [kind for kind, _job, _ in reported]
    assert "prompt" not in events  # same selection, transcript and mode: the prompt is cached
    shot(qtbot, page, "clone_preview")
    with qtbot.waitSignal(page.preview_finished, timeout=20_000) as stopped:
        page.preview_box.stop_button.click()
    assert stopped.args[0].stop_reason == "cancelled"
    assert 0 < len(stopped.args[0].audio) < 60 * SPF
    assert page.preview_box.preview_button.isEnabled() and not page.busy


def test_save_keeps_the_selection_the_transcript_and_the_original(
        page, qtbot, tmp_path, monkeypatch) -> None:
    path = speech_file(tmp_path / "Narrator.flac", seconds=4.0, sr=44100, channels=2)
    page.import_file(path)
    item_id = page.workspace.item.id
    page.editor.set_selection(0.5, 4.5)
    page.form.transcript.setPlainText("Hello there,\nthis is my voice.")
    page.form.description.setText("Warm and slow")
    page.form.language.setCurrentIndex(page.form.language.findData("english"))
    page.form.name.setText("   ")
    agree(page)
    page.save()  # no name: the library's reason, nothing lost
    assert page.notice.level == "warning" and page.clip is not None and not page.busy

    reported = record_jobs(monkeypatch, page.ctx.inference)
    page.max_frames = 4
    with qtbot.waitSignal(page.preview_finished, timeout=LONG):
        page.preview()
    page.form.name.setText("My Clone")
    with qtbot.waitSignal(page.voice_saved, timeout=LONG) as saved:
        agree(page)
        page.save()
    prompts_made = [job for kind, job, _ in reported if kind == "prompt"]
    assert len(prompts_made) == 1  # Save used the preview's prompt

    entry = page.ctx.library.get("My Clone")
    assert saved.args == [f"saved:{entry.id}"]
    audio, sr = sf.read(str(entry.path / "reference.wav"), dtype="float32")
    assert sr == SR and len(audio) == 4 * SR
    np.testing.assert_allclose(audio, page.clip.audio[SR // 2:SR // 2 + 4 * SR], atol=1e-6)
    assert (entry.path / "transcript.txt").read_text() == "Hello there, this is my voice."
    meta = json.loads((entry.path / "voice.json").read_text())
    assert meta["kind"] == "cloned" and meta["language"] == "English"
    assert meta["description"] == "Warm and slow" and meta["original_name"] == "Narrator.flac"
    assert (entry.path / meta["original_file"]).read_bytes() == path.read_bytes()
    prompt = prompts.load(entry.path / "prompt.safetensors")
    assert not prompt.x_vector_only and prompt.ref_text == "Hello there, this is my voice."
    assert not page.has_unsaved_work() and page.workspace.item is None
    assert item_id not in [i.id for i in page.ctx.library.previews.items()]
    shot(qtbot, page, "clone_saved")

    agree(page)

    page.save()  # the name is taken now: a clear message, nothing saved twice
    assert page.notice.level == "warning" and "already exists" in page.notice.label.text()
    assert len(page.ctx.library.list().voices) == 1
    asked = _answer(monkeypatch)  # a saved clip is replaced without a question
    assert page.import_file(path) and asked == []
    assert page.form.name.text() == "Narrator"  # the taken name gave way to a free one


def test_no_input_device_disables_recording_but_import_works(
        qtbot, tiny_models_dir, no_audio_sd, tmp_path) -> None:
    from studio.engine.pool import ModelPool
    from tests.ui.conftest import make_ctx

    ctx = make_ctx(ModelPool(device="cpu", roots=[tiny_models_dir]), no_audio_sd)
    try:
        page = clone_page(qtbot, ctx)
        assert not page.recorder.record_button.isEnabled()
        assert not page.recorder.device.isEnabled()
        assert page.recorder.status.isVisibleTo(page)
        assert "No microphone" in page.recorder.status.text()
        assert "import" in page.recorder.status.text()
        assert page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0, sr=SR,
                                             channels=1))
        assert page.clip is not None and page.report_view.items()
        shot(qtbot, page, "clone_no_microphone")
        page.shutdown()
    finally:
        assert ctx.shutdown()


def test_preview_without_a_base_model_says_what_to_do(qtbot, tiny_models_dir, fake_sd,
                                                      tmp_path) -> None:
    from studio.engine.pool import ModelPool
    from tests.ui.conftest import make_ctx

    design_only = tiny_models_dir / "Qwen3-TTS-12Hz-Tiny-VoiceDesign"
    ctx = make_ctx(ModelPool(device="cpu", roots=[design_only]), fake_sd)
    try:
        page = clone_page(qtbot, ctx)
        page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0, sr=SR, channels=1))
        page.form.x_vector_only.setChecked(True)
        with qtbot.waitSignal(page.notice.shown, timeout=LONG) as shown:
            page.preview()
        assert "Base 0.6B" in shown.args[1] and "Model manager" in shown.args[1]
        assert page.job is None  # said before any work was sent
        assert not page.busy and page.preview_box.preview_button.isEnabled()
        assert page.clip is not None and page.has_unsaved_work()
        page.shutdown()
    finally:
        assert ctx.shutdown()
