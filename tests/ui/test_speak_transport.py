"""The Speak page's transport and take history: Space plays and pauses (not while typing),
Compare plays two takes one after the other, Other mode makes the same take in the other
speed mode for an A/B listen, and the status line tells the generation speed and when
playback will start. Real engine on the tiny models, fake sound device."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from studio.audio import policy as policy_mod
from studio.audio.samplerate import SAMPLE_RATE as SR
from studio.engine.take import Take
from studio.ui import playback as playback_mod
from studio.ui.jobs import TakeJob
from studio.ui.main_window import MainWindow
from studio.ui.pages import speak as speak_mod

SPF = 1920
LONG = 60_000
LIVE = re.compile(r"^Generating: (\d+\.\d) s of audio in \d+\.\d s \(\d+\.\d\d× real time\)"
                  r"( · playback starts in about \d+ s, so it will not stutter)?$")


@pytest.fixture
def window(speak_window):
    return speak_window


def generate(qtbot, w: MainWindow, text: str = "Hello there, streaming."):  # noqa: ANN201
    w.speak.text.setPlainText(text)
    with qtbot.waitSignal(w.speak.take_finished, timeout=LONG) as blocker:
        assert w.speak.generate() is not None
    return blocker.args[0]


def shows_pause(w: MainWindow) -> bool:
    """The play button shows the pause glyph (something plays)."""
    return w.speak.play_button.playing


def heard(fake_sd, player, n: int) -> np.ndarray:
    """What the output device is asked to play next: ``n`` frames of channel 0."""
    player.pump()  # top the ring up now, not when the feeder next wakes
    return fake_sd.last.pull(n)[:, 0]


def test_space_plays_and_pauses_but_types_in_the_text_box(qtbot, window, fake_sd) -> None:
    page, playback = window.speak, window.ctx.playback
    record = generate(qtbot, window)
    qtbot.waitUntil(lambda: playback.state == "playing", timeout=5000)
    assert shows_pause(window)

    table = page.history.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert playback.state == "paused" and playback.player.state == "paused"
    assert not shows_pause(window)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert playback.state in ("playing", "buffering") and shows_pause(window)

    # in the text box Space is a space, and playback goes on
    page.text.setFocus()
    qtbot.waitUntil(page.text.hasFocus)
    page.text.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(page.text, Qt.Key.Key_Space)
    assert page.text.toPlainText() == "Hello there, streaming. "
    assert playback.state in ("playing", "buffering")

    # stopped: Space plays the shown take again from its start
    playback.stop(page)
    assert playback.state == "idle"
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert playback.owner is page and playback.player.state == "playing"
    qtbot.waitUntil(lambda: playback.state == "playing" and shows_pause(window), timeout=5000)
    np.testing.assert_allclose(heard(fake_sd, playback.player, len(record.audio)),
                               record.audio, atol=1e-6)


def test_compare_plays_the_older_take_then_the_newer(qtbot, window, fake_sd) -> None:
    page, history = window.speak, window.speak.history
    older = generate(qtbot, window, "The first take.")
    newer = generate(qtbot, window, "The second take.")
    assert older.seed != newer.seed
    history.select_rows([0])
    assert not history.compare_button.isEnabled()  # two takes are compared
    history.select_rows([0, 1])
    assert history.compare_button.isEnabled() and not history.play_button.isEnabled()
    history.compare_button.click()

    both = np.concatenate([older.audio, np.zeros(int(0.6 * SR), np.float32), newer.audio])
    np.testing.assert_array_equal(page.wave.audio, both)
    assert page.status.text() == f"Comparing: seed {older.seed}, then seed {newer.seed}"
    player = window.ctx.playback.player
    assert window.ctx.playback.owner is page
    assert player.duration == pytest.approx(len(both) / SR)
    np.testing.assert_allclose(heard(fake_sd, player, len(both)), both, atol=1e-6)


def test_other_mode_makes_the_same_take_in_the_other_mode_and_compares(qtbot, window) -> None:
    page, history = window.speak, window.speak.history
    exact = generate(qtbot, window, "Which mode sounds better?")
    assert window.ctx.pool.speed == "exact" and not exact.voice_name.endswith("fast")
    history.select_rows([0])
    assert history.other_button.isEnabled()
    with qtbot.waitSignal(page.take_finished, timeout=LONG) as blocker:
        history.other_button.click()
        assert page.status.text() == "Making the same take in fast mode for an A/B listen…"
        assert page.take is not None and not page.generate_button.isEnabled()
    fast = blocker.args[0]
    assert fast.request.speed == "fast" and fast.voice_name == "Ryan · fast"
    assert fast.seed == exact.seed and fast.text == exact.text
    assert len(fast.audio) == 8 * SPF
    assert [r.id for r in history.records] == [fast.id, exact.id]
    # played one after the other: first the take it was made from, then the new one
    gap = np.zeros(int(0.6 * SR), np.float32)
    np.testing.assert_array_equal(page.wave.audio, np.concatenate([exact.audio, gap, fast.audio]))
    assert page.status.text() == f"Comparing: seed {exact.seed}, then seed {fast.seed}"
    assert window.ctx.playback.owner is page


def test_status_tells_the_generation_speed_while_and_after_generating(qtbot, window,
                                                                      monkeypatch) -> None:
    page = window.speak
    shown: list[str] = []
    label = page.status
    set_text = label.setText

    def record(text: str) -> None:
        shown.append(text)
        set_text(text)

    monkeypatch.setattr(label, "setText", record)
    generate(qtbot, window)
    take = page.last_take
    live = [t for t in shown if t.startswith("Generating")]
    assert shown[0] == "Starting…" and live
    for text in live:
        assert LIVE.match(text), text
    # the audio seconds shown grow with what arrived, up to the whole take
    seconds = [float(LIVE.match(t).group(1)) for t in live]
    assert seconds == sorted(seconds)
    assert seconds[-1] == pytest.approx(len(take.audio) / SR, abs=0.05)
    rtf = take.elapsed_s / take.duration_s
    assert shown[-1] == (f"{take.duration_s:.1f} s in {take.elapsed_s:.1f} s "
                         f"({1 / rtf:.2f}× real time) · seed {take.seed}")


class Clock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_status_says_when_playback_will_start_so_it_does_not_stutter(qtbot, window,
                                                                      monkeypatch) -> None:
    """The test plays the engine's side of the take's job (chunks at a pace it sets on a fake
    clock), so the start policy's estimate and the speeds shown are exact."""
    page, ctx = window.speak, window.ctx
    clock = Clock()
    monkeypatch.setattr(speak_mod, "time", SimpleNamespace(monotonic=clock))

    class ClockedStart(policy_mod.AdaptiveStart):
        def __init__(self, expected_total_s: float, **kw) -> None:  # noqa: ANN003
            super().__init__(expected_total_s, clock=clock, **kw)

    monkeypatch.setattr(playback_mod, "AdaptiveStart", ClockedStart)
    jobs: list[TakeJob] = []
    monkeypatch.setattr(ctx.inference, "speak", lambda request: jobs.append(TakeJob(request))
                        or jobs[-1])
    page.max_frames = None
    page.text.setPlainText("This text is long enough to take a good many seconds to say. " * 3)
    assert page.generate() is jobs[0]
    job = jobs[0]
    policy = ctx.playback.start_policy
    assert isinstance(policy, ClockedStart) and policy.expected_total_s > 10
    assert page.status.text() == "Starting…"

    clock.now += 1.0  # half a second of audio in a second: slower than real time
    job.add_audio(np.full(SR // 2, 0.1, np.float32))
    assert policy.eta_s is not None and policy.eta_s > 1.0
    assert ctx.playback.player.state == "buffering"  # waiting, so it will not stall later
    assert page.status.text() == (
        "Generating: 0.5 s of audio in 1.0 s (0.50× real time) · playback starts in "
        f"about {policy.eta_s:.0f} s, so it will not stutter")

    clock.now += 1.0  # 4.5 s more in the next second: now well ahead of real time
    job.add_audio(np.full(SR * 9 // 2, 0.1, np.float32))
    assert policy.eta_s == 0.0 and ctx.playback.player.state == "playing"
    assert page.status.text() == "Generating: 5.0 s of audio in 2.0 s (2.50× real time)"

    audio = np.full(SR * 5, 0.1, np.float32)
    with qtbot.waitSignal(page.take_finished) as blocker:
        job.end_with(Take(audio=audio, sample_rate=SR, seed=42, elapsed_s=2.0))
    assert blocker.args[0].seed == 42 and page.take is None
    assert page.status.text() == "5.0 s in 2.0 s (2.50× real time) · seed 42"
