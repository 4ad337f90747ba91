"""The Design page against the real engine on the tiny models: presets, streamed candidates,
Stop, Keep (with and without a Base model), unsaved work, and a screenshot for review.

The tiny models never end a take by themselves, so every test caps the length with
``page.max_frames``. Each test shuts its context down, which ends the inference thread.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QInputDialog, QMessageBox, QVBoxLayout, QWidget

from studio.engine import prompts
from studio.ui.compose import build_context
from studio.ui.context import AppContext
from studio.ui.jobs import TakeJob
from studio.ui.pages.design import DesignPage
from studio.ui.widgets.notice import NoticeBar
from tests.ui.conftest import record_jobs

SPF = 1920  # samples per 80 ms codec frame at 24 kHz
LONG = 60_000  # ms: generous for a loaded 2-core machine


@pytest.fixture
def make_page(qtbot, tiny_models_dir: Path, fake_sd) -> Iterator[Callable[..., DesignPage]]:
    """DesignPage over a fresh AppContext (real engine, fake sound device); all shut down."""
    made: list[tuple[AppContext, DesignPage, QWidget]] = []

    def make(roots: list[Path] | None = None, max_frames: int = 8) -> DesignPage:
        from studio.engine.pool import ModelPool

        pool = ModelPool(device="cpu", roots=roots or [tiny_models_dir])
        ctx = build_context(pool=pool, sd=fake_sd)
        notice = NoticeBar()
        page = DesignPage(ctx, notice)
        page.max_frames = max_frames
        holder = QWidget()  # the notice above the page, as in the window
        col = QVBoxLayout(holder)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(notice)
        col.addWidget(page, 1)
        qtbot.addWidget(holder)
        made.append((ctx, page, holder))  # the holder owns the page: keep it alive
        return page

    yield make
    for ctx, page, _holder in made:
        page.shutdown()
        assert ctx.shutdown(), "the inference thread did not stop"
        assert not ctx.inference.thread.isRunning()


def _fill(page: DesignPage, count: int) -> None:
    page.description.setPlainText("A calm, deep male voice, slow and warm.")
    page.sample.setText("Hello there, this is a test.")
    page.count.setValue(count)


def _shot(qtbot, page: DesignPage, name: str) -> None:
    """Save the page (with its notice bar) as SCREENSHOT_DIR/<name>.png, if that is set."""
    shots = os.environ.get("SCREENSHOT_DIR")
    if not shots:
        return
    holder = page.parentWidget()
    holder.resize(1000, 720)
    holder.show()
    qtbot.waitExposed(holder)
    qtbot.wait(100)  # let the waveforms' throttled redraw run
    Path(shots).mkdir(parents=True, exist_ok=True)
    assert holder.grab().save(str(Path(shots) / f"{name}.png"))


def _wait_done(qtbot, page: DesignPage) -> None:
    qtbot.waitUntil(lambda: not page.generating and page.cards
                    and all(c.finished for c in page.cards), timeout=LONG)


def test_presets_fill_the_recipe_and_empty_state_explains(make_page, qtbot) -> None:
    page = make_page()
    assert page.shelf.currentWidget() is page.shelf.empty
    explanation = page.shelf.empty_text.text()
    assert "Describe" in explanation and "keep" in explanation.lower()
    assert page.presets.count() == len(page.ctx.presets.designs) + 1
    assert page.select_preset("anime-heroine")
    preset = next(p for p in page.ctx.presets.designs if p.id == "anime-heroine")
    assert page.description.toPlainText() == preset.description
    assert page.language.currentData() == "japanese"
    assert page.sample.text() == preset.sample_text
    _shot(qtbot, page, "design_empty")
    assert page.count.value() == 3 and page.count.minimum() == 2 and page.count.maximum() == 6
    assert not page.has_unsaved_work()
    # nothing to generate from: a clear warning, no request
    page.description.setPlainText("  ")
    assert page.generate() == 0
    assert page.notice.level == "warning" and "Describe the voice" in page.notice.label.text()


def test_candidates_stream_side_by_side_and_play(make_page, qtbot, monkeypatch) -> None:
    page = make_page(max_frames=8)
    _fill(page, 3)
    reported = record_jobs(monkeypatch, page.ctx.inference)
    assert page.generate() == 3
    assert page.shelf.currentWidget() is page.shelf.scroll and page.stop_button.isEnabled()
    assert page.has_unsaved_work() is False  # nothing generated yet
    _wait_done(qtbot, page)

    events = [(kind, id(job)) for kind, job, _ in reported]
    ids = list(dict.fromkeys(rid for _, rid in events))
    assert len(ids) == 3
    for rid in ids:  # streamed: audio arrives before its take ends, one take after another
        mine = [kind for kind, r in events if r == rid]
        assert mine[0] == "chunk" and mine[-1] == "finished" and mine.count("finished") == 1
    assert [kind for kind, _ in events].count("finished") == 3
    cards = page.cards
    assert len({c.seed for c in cards}) == 3
    for card in cards:
        assert card.take.seed == card.seed
        assert len(card.audio) == 8 * SPF and len(card.wave.audio) == 8 * SPF
        assert np.isfinite(card.audio).all()
        assert card.keep_button.isEnabled() and card.play_button.isEnabled()
        assert f"Seed {card.seed}" in card.details.text() and "0.6 s" in card.details.text()
    assert page.has_unsaved_work() and "3 designed voice candidates" in page.unsaved_description()
    assert page.generate_button.isEnabled() and not page.stop_button.isEnabled()

    _shot(qtbot, page, "design_page")

    other = TakeJob(cards[0].request)  # another page's take: its audio reaches no card
    other.add_audio(np.ones(1920, np.float32))
    assert all(len(c.audio) == 8 * SPF for c in cards)
    asked: list[str] = []  # generating again would drop unkept candidates: it asks first
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda _p, _t, text, *_a: asked.append(text) or QMessageBox.StandardButton.Cancel))
    assert page.generate() == 0 and page.cards == cards
    assert "3 designed voice candidates you have not kept" in asked[0]

    card = cards[1]
    card.play_button.click()
    qtbot.waitUntil(lambda: card.play_button.text().startswith("■"), timeout=5000)
    assert page.ctx.playback.owner is card
    card.play_button.click()
    qtbot.waitUntil(lambda: card.play_button.text().startswith("▶"), timeout=5000)


def test_stop_cancels_the_running_candidate_and_the_queued_ones(make_page, qtbot,
                                                                monkeypatch) -> None:
    page = make_page(max_frames=400)  # 32 s: far longer than the test waits
    _fill(page, 3)
    reported = record_jobs(monkeypatch, page.ctx.inference)
    assert page.generate() == 3
    first = page.cards[0]
    qtbot.waitUntil(lambda: len(first.audio) > 0, timeout=LONG)
    _shot(qtbot, page, "design_generating")
    page.stop()
    assert page.cards == [first] and not page.generating
    assert page.generate_button.isEnabled() and not page.stop_button.isEnabled()
    qtbot.waitUntil(lambda: first.finished, timeout=LONG)  # the partial take still arrives
    assert first.take.stop_reason == "cancelled"
    assert 0 < len(first.audio) < 400 * SPF
    ids = {id(job) for kind, job, _ in reported if kind == "chunk"}
    assert len(ids) == 1 and page.cards == [first]
    assert page.has_unsaved_work()


def test_keep_saves_a_designed_voice_with_recipe_and_prompt(make_page, qtbot, monkeypatch) -> None:
    page = make_page(max_frames=14)  # 1.1 s: long enough for a clone prompt
    _fill(page, 2)
    page.generate()
    _wait_done(qtbot, page)
    card, other = page.cards
    asked: list[str] = []
    answers = iter(["   ", "Deep Narrator"])  # an empty name first: the library says why

    def get_text(_parent, _title, label, text=""):  # noqa: ANN001, ANN202
        asked.append(label)
        return next(answers), True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    assert card.take.voice is not None  # fixed by a Base model as it was made: kept at once
    with qtbot.waitSignal(page.voice_saved, timeout=LONG) as saved:
        page.keep(card)
    assert len(asked) == 2 and "needs a name" in asked[1]

    entry = page.ctx.library.get("Deep Narrator")
    assert saved.args == [f"saved:{entry.id}"]
    meta = json.loads((entry.path / "voice.json").read_text())
    assert meta["kind"] == "designed" and meta["language"] == "Auto"
    assert meta["description"] == "A calm, deep male voice, slow and warm."
    recipe = meta["recipe"]
    assert recipe["seed"] == card.seed and recipe["instruct"] == meta["description"]
    assert recipe["sample_text"] == "Hello there, this is a test."
    assert recipe["model"] == card.take.model_name and recipe["params"]["temperature"]
    prompt = prompts.load(entry.path / "prompt.safetensors")
    assert not prompt.x_vector_only and prompt.ref_text == "Hello there, this is a test."
    audio, sr = sf.read(str(entry.path / "reference.wav"), dtype="float32")
    assert sr == 24000 and np.allclose(audio, card.audio, atol=1e-4)

    assert card.kept_as == "Deep Narrator" and not card.keep_button.isEnabled()
    assert other.keep_button.isEnabled()
    _shot(qtbot, page, "design_kept")
    assert page.has_unsaved_work() and "1 designed voice candidate " in page.unsaved_description()
    other.discard_button.click()
    assert page.cards == [card] and not page.has_unsaved_work()


def test_keep_without_a_base_model_says_what_to_do_and_loses_nothing(
        make_page, qtbot, monkeypatch, tiny_models_dir: Path) -> None:
    design_only = tiny_models_dir / "Qwen3-TTS-12Hz-Tiny-VoiceDesign"
    page = make_page(roots=[design_only], max_frames=14)
    _fill(page, 2)
    page.generate()
    _wait_done(qtbot, page)
    card = page.cards[0]
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *_a, **_k: ("Never Saved", True)))
    with qtbot.waitSignal(page.notice.shown, timeout=LONG,
                          check_params_cb=lambda level, _t: level == "error") as shown:
        page.keep(card)
    message = shown.args[1]
    assert "No Base" in message and "Download" in message and "Nothing was lost" in message
    assert card.kept_as is None and card.keep_button.isEnabled()
    assert page.cards[0] is card and len(card.audio) == 14 * SPF
    assert page.has_unsaved_work()
    assert page.ctx.library.list().voices == []
    _shot(qtbot, page, "design_no_base")
