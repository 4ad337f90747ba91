"""The reference check on synthetic signals: speech-like bursts, silence, noise, clipping."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from studio.audio import Clip, SourceInfo, Status, check_clip, check_reference
from studio.audio.levels import detect_speech, speech_bounds
from tests.audio.signals import SR, silence, speech, tone, with_noise


def clean(seconds: float, lead: float = 0.3, trail: float = 0.3, **kw) -> np.ndarray:
    body = speech(seconds, **kw)
    return with_noise(np.concatenate([silence(lead), body, silence(trail)]), -75)


def status(report, key: str) -> Status:
    item = report.item(key)
    assert item is not None, key
    return item.status


@pytest.mark.parametrize("seconds,expected", [
    (1.5, Status.FAIL), (2.9, Status.FAIL), (4.0, Status.WARN), (8.0, Status.PASS),
    (14.0, Status.PASS), (20.0, Status.WARN), (45.0, Status.WARN),
])
def test_duration_thresholds(seconds, expected):
    x = clean(seconds - 0.6)
    report = check_reference(x, SR)
    assert status(report, "duration") is expected
    assert report.duration_s == pytest.approx(seconds, abs=0.01)
    assert report.ok is (expected is not Status.FAIL)


def test_far_too_long_warns_strongly():
    report = check_reference(clean(44.4), SR)
    assert "far more than needed" in report.item("duration").message


def test_good_clip_passes_everything_and_window_covers_the_speech():
    x = clean(9.0, lead=0.5, trail=0.5)
    report = check_reference(x, SR)
    assert report.ok and report.worst is Status.PASS, report.to_dict()
    a, b = report.best_window
    assert 0.3 <= a <= 0.5 and 9.3 <= b <= 9.7
    assert 6.0 < report.speech_s < 9.5


def test_silence_fails_and_has_no_window():
    report = check_reference(silence(6.0), SR)
    assert not report.ok
    assert status(report, "silence") is Status.FAIL
    assert status(report, "speech") is Status.FAIL
    assert report.best_window is None and report.speech_s == 0.0
    assert "microphone" in report.item("silence").message


def test_pure_clipping_fails_the_clipping_item():
    square = np.sign(tone(150, 6.0)).astype(np.float32)
    report = check_reference(square, SR)
    clip = report.item("clipping")
    assert clip.status is Status.FAIL and clip.value > 0.9
    assert "gain" in clip.message


def test_a_few_clipped_peaks_warn():
    x = clean(8.0)
    x[SR * 2: SR * 2 + 200] = 1.0  # 200 samples ~ 0.1%
    assert status(check_reference(x, SR), "clipping") is Status.WARN


def test_noise_only_and_noisy_speech():
    noise_only = with_noise(silence(6.0), -20)
    assert status(check_reference(noise_only, SR), "noise") is Status.FAIL
    noisy = with_noise(speech(8.0), -40, seed=3)  # ~ 18 dB below the speech
    assert status(check_reference(noisy, SR), "noise") is Status.WARN
    assert status(check_reference(clean(8.0), SR), "noise") is Status.PASS


def test_level_quiet_and_loud():
    quiet = check_reference(clean(8.0, level=0.005), SR).item("level")
    assert quiet.status is Status.WARN and quiet.value < -35 and "Normalise" in quiet.message
    ok = check_reference(clean(8.0), SR).item("level")
    assert ok.status is Status.PASS and -30 < ok.value < -12


def test_leading_and_trailing_silence_warn():
    report = check_reference(clean(6.0, lead=2.5, trail=2.0), SR)
    item = report.item("silence")
    assert item.status is Status.WARN and "2.5 s of silence at the start" in item.message
    a, b = report.best_window
    assert 2.3 <= a <= 2.5 and 8.5 <= b <= 8.7


def test_mostly_pauses_warns_about_speech_share():
    x = speech(10.0, phrase_s=1.0, pause_s=2.0)
    assert status(check_reference(x, SR), "speech") is Status.WARN


def test_best_window_in_a_long_clip_is_5_to_15_s_and_avoids_clipping():
    x = clean(60.0)
    x[SR * 1: SR * 25] = np.clip(x[SR * 1: SR * 25] * 50, -1, 1)  # the first 25 s clip hard
    report = check_reference(x, SR)
    a, b = report.best_window
    assert 5.0 <= b - a <= 15.0
    assert a >= 24.5, report.best_window  # after the clipped part
    act = detect_speech(x[int(a * SR): int(b * SR)], SR)
    assert act.speech_s / (b - a) > 0.6


def test_best_window_in_one_long_run_of_speech():
    x = with_noise(speech(40.0, phrase_s=40.0, pause_s=0.0), -75)
    a, b = check_reference(x, SR).best_window
    assert 5.0 <= b - a <= 15.0 and a >= 0 and b <= 40.0


def test_selection_is_checked_and_window_is_in_clip_time():
    x = clean(60.0)
    report = check_reference(x, SR, selection=(20.0, 32.0))
    assert report.duration_s == pytest.approx(12.0, abs=0.01)
    assert status(report, "duration") is Status.PASS
    a, b = report.best_window
    assert 20.0 <= a < b <= 32.0


def test_original_channels_and_rate_are_reported():
    src = SourceInfo(sample_rate=8000, channels=2, frames=8000 * 8, format="WAV")
    report = check_clip(Clip(clean(8.0), SR, src))
    assert status(report, "sample_rate") is Status.WARN and "8000 Hz" in report.item(
        "sample_rate").message
    assert "2 channels" in report.item("channels").message
    src = SourceInfo(sample_rate=48000, channels=1, frames=48000 * 8)
    report = check_clip(Clip(clean(8.0), SR, src))
    assert status(report, "sample_rate") is Status.PASS


def test_report_to_dict_is_json():
    report = check_reference(clean(8.0), SR)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is True and data["best_window"] and len(data["items"]) == 6
    assert {i["status"] for i in data["items"]} <= {"pass", "warn", "fail"}
    assert all(i["message"].endswith(".") for i in data["items"])


def test_empty_and_tiny_inputs_do_not_crash():
    for x in (np.zeros(0, np.float32), np.zeros(1, np.float32), tone(440, 0.01)):
        report = check_reference(x, SR)
        assert not report.ok


def test_speech_bounds():
    x = clean(3.0, lead=1.0, trail=2.0)
    a, b = speech_bounds(x, SR, pad_s=0.0)
    assert a == pytest.approx(1.0, abs=0.05) and b == pytest.approx(3.9, abs=0.1)
    assert speech_bounds(silence(2.0), SR) is None


def test_check_is_fast_on_a_three_minute_clip():
    x = clean(180.0)
    check_reference(x, SR)  # warm-up
    start = time.perf_counter()
    for _ in range(5):
        check_reference(x, SR)
    per_call = (time.perf_counter() - start) / 5
    assert per_call < 0.25, f"check took {per_call * 1000:.0f} ms"


def test_noise_is_measured_on_the_whole_clip_wherever_the_selection_edges_fall():
    from studio.testing.signals import voice_like

    sr = 24000
    clean = np.concatenate([np.zeros(sr, np.float32), voice_like(6.0, sr=sr),
                            np.zeros(sr, np.float32)])
    values = {sel: check_reference(clean, sr, selection=sel).item("noise")
              for sel in [(0.0, 8.0), (0.9, 7.1), (2.0, 5.0), (1.5, 6.3), (3.1, 6.6)]}
    assert {item.value for item in values.values()} == {values[(0.0, 8.0)].value}
    assert all(item.status == "pass" for item in values.values())


def test_a_selection_edge_inside_a_word_is_a_warning():
    from studio.testing.signals import voice_like

    sr = 24000
    clip = np.concatenate([np.zeros(sr, np.float32), voice_like(6.0, sr=sr),
                           np.zeros(sr, np.float32)])
    cut = check_reference(clip, sr, selection=(2.0, 7.5)).item("edges")
    assert cut.status == "warn" and "starts in the middle of a word (at 2.00 s)" in cut.message
    assert "ends" not in cut.message.split("Drag")[0]
    clean = check_reference(clip, sr, selection=(0.5, 7.5)).item("edges")
    assert clean.status == "pass"
    assert check_reference(clip, sr).item("edges") is None  # the whole clip has no edges
