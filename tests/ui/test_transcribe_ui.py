"""Transcribe and the transcript check on the Clone page, on the tiny Whisper and voice
models (real transformers and qwen-tts code, on the transcription and inference threads):
the box is filled by the worker, differences are tinted in the text and on the waveform,
the check joins the reference report; stop, no model, a new clip, a wider selection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from studio.ui.pages.clone import ClonePage
from tests.ui.clone_helpers import LONG, clone_page, shot, speech_file
from tests.ui.conftest import make_ctx


@pytest.fixture
def asr_ctx(qtbot, tiny_models_dir, tiny_whisper_dir, fake_sd):
    """The tiny voice models and the tiny Whisper, found where the window looks for models."""
    from studio.engine.pool import ModelPool

    pool = ModelPool(device="cpu", roots=[tiny_models_dir, tiny_whisper_dir.parent],
                     max_loaded=3)
    ctx = make_ctx(pool, fake_sd)
    yield ctx
    assert ctx.shutdown(), "a worker thread did not stop"
    assert not ctx.transcription.thread.isRunning()


@pytest.fixture
def page(qtbot, asr_ctx) -> Iterator[ClonePage]:
    page = clone_page(qtbot, asr_ctx)
    yield page
    page.shutdown()


def transcribe(qtbot, page: ClonePage) -> object:
    """Click Transcribe and wait until the page has shown what the worker heard."""
    with qtbot.waitSignal(page.hearing.heard_changed, timeout=LONG) as done:
        page.form.transcribe_button.click()
        assert page.form.transcribe_button.text() == "Stop"  # the GUI never waited
    assert not page.hearing.busy
    return done.args[0]


def test_transcribe_fills_the_box_and_the_check_passes(qtbot, page, tmp_path) -> None:
    page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0))
    a, b = page.editor.selection()
    heard = transcribe(qtbot, page)
    assert heard.words and all(a - 1e-6 <= w.start <= w.end <= b + 1e-6 for w in heard.words)
    assert page.form.transcript.toPlainText() == heard.text
    assert page.form.transcribe_button.text() == "Transcribe"
    assert "Heard by whisper-tiny-random" in page.form.transcript_status.text()
    item = page.report.item("transcript")
    assert item is not None and item.status == "pass" and item.value == 100.0
    assert page.form.highlighted() == [] and page.editor.wave.marks == []
    assert page.report_view.status("transcript") == "pass"


def test_edited_words_are_tinted_in_the_text_and_on_the_waveform(qtbot, page, tmp_path) -> None:
    page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0))
    heard = transcribe(qtbot, page)
    page.form.transcript.setPlainText(f"Zzyzx {heard.text} qwerty")  # two words not heard
    qtbot.waitUntil(lambda: page.report.item("transcript").status != "pass", timeout=LONG)
    item = page.report.item("transcript")
    assert "“Zzyzx” (not heard)" in item.message
    tinted = page.form.highlighted()
    assert ("Zzyzx", "missing") in tinted and ("qwerty", "missing") in tinted
    marks = page.editor.wave.marks
    assert marks and {kind for _, _, kind in marks} == {"missing"}
    assert all(0.0 <= s <= e <= page.clip.duration for s, e, _ in marks)
    shot(qtbot, page, "clone-transcript-check")
    page.form.transcript.setPlainText(heard.text)  # fixed: the tints go
    qtbot.waitUntil(lambda: page.report.item("transcript").status == "pass", timeout=LONG)
    assert page.form.highlighted() == [] and page.editor.wave.marks == []


def test_a_typed_transcript_is_kept_and_checked(qtbot, page, tmp_path) -> None:
    page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0))
    page.form.transcript.setPlainText("Something I typed myself.")
    heard = transcribe(qtbot, page)
    assert page.form.transcript.toPlainText() == "Something I typed myself."
    assert "kept" in page.notice.label.text()
    assert page.form.highlighted()  # none of these words were heard
    page.notice.action.click()  # "Use what was heard"
    assert page.form.transcript.toPlainText() == heard.text
    assert page.report.item("transcript").status == "pass"


def test_a_wider_selection_or_a_new_clip_is_not_checked(qtbot, page, tmp_path,
                                                       monkeypatch) -> None:
    monkeypatch.setattr(page, "confirm_discard", lambda _parent: True)
    page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0))
    page.editor.set_selection(1.0, 3.0)
    transcribe(qtbot, page)
    assert page.report.item("transcript") is not None
    page.editor.set_selection(0.2, 3.0)  # words before 1.0 s were never heard
    assert page.report.item("transcript") is None
    assert "Transcribe again" in page.form.transcript_status.text()
    page.editor.set_selection(1.5, 2.5)  # inside: checked again
    assert page.report.item("transcript") is not None
    page.import_file(speech_file(tmp_path / "w.wav", seconds=2.0))
    assert page.hearing.heard is None and page.report.item("transcript") is None
    assert page.form.transcript_status.text() == ""


def test_stop_while_transcribing(qtbot, page, tmp_path) -> None:
    page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0))
    ended: list[str] = []
    page.form.transcribe_button.click()
    job = page.hearing.job  # the transcription's own report: every request ends once
    job.failed.connect(ended.append)
    job.cancelled.connect(lambda: ended.append("Cancelled."))
    page.form.transcribe_button.click()  # Stop, before the model has even loaded
    assert not page.hearing.busy and page.form.transcribe_button.text() == "Transcribe"
    qtbot.waitUntil(lambda: ended == ["Cancelled."], timeout=LONG)
    assert page.form.transcript_status.text() == "Stopped."
    assert page.form.transcript.toPlainText() == "" and page.notice.isHidden()


def test_without_a_transcription_model(qtbot, ui_ctx, tmp_path) -> None:
    page = clone_page(qtbot, ui_ctx)
    page.import_file(speech_file(tmp_path / "v.wav", seconds=3.0))
    assert page.hearing.transcribe() is None  # said at once, nothing sent
    assert not page.hearing.busy
    assert "Whisper small" in page.notice.label.text()
    assert "Model manager" in page.notice.label.text()
    page.shutdown()


def test_nothing_to_transcribe_yet(page) -> None:
    assert page.hearing.transcribe() is None
    assert "Record or import a clip first" in page.notice.label.text()
