"""Transcription on a tiny random Whisper built offline: the real transformers code runs,
the words are random, so the tests check structure (text, language, words timed inside the
clip), language handling, cancel, discovery, and clear typed errors for bad inputs."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from studio.asr.models import pick_asr
from studio.asr.transcribe import AsrPool, prepare, transcribe_file, windows
from studio.audio.errors import (
    AudioFileMissing,
    AudioTooLong,
    AudioTooShort,
    InvalidSamples,
    NoSpeech,
    UnreadableAudio,
)
from studio.audio.samplerate import SAMPLE_RATE
from studio.engine.errors import ModelNotFound, UnknownLanguage
from studio.engine.stream import CancelToken
from studio.errors import Cancelled, InvalidInput
from studio.hub import discover, read_asr_info, read_model_info
from studio.testing.tiny_whisper import LANGUAGES

SR = SAMPLE_RATE


def speechy(seconds: float, sr: int = SR) -> np.ndarray:
    """A tone in syllable-like bursts, so the energy detector hears speech and pauses."""
    t = np.arange(int(seconds * sr)) / sr
    bursts = (np.sin(2 * np.pi * 2.0 * t) > -0.3).astype(np.float32)
    return (0.3 * np.sin(2 * np.pi * 220 * t) * bursts).astype(np.float32)


def assert_timed(transcript, duration: float) -> None:
    assert isinstance(transcript.text, str)
    assert abs(transcript.duration_s - duration) < 0.01
    for w in transcript.words:
        assert w.text.strip() and 0.0 <= w.start <= w.end <= duration + 1e-6, w
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)


def test_transcribes_a_clip_with_timed_words(tiny_asr: AsrPool) -> None:
    transcript = tiny_asr.transcribe(speechy(3.0), SR)
    assert_timed(transcript, 3.0)
    assert transcript.words, "the tiny model always says something"
    assert transcript.language in LANGUAGES and transcript.language_detected
    assert transcript.model == "whisper-tiny-random"
    data = json.loads(json.dumps(transcript.to_dict()))
    assert set(data) >= {"text", "language", "language_name", "words", "duration_s"}
    assert set(data["words"][0]) == {"text", "start", "end"}


def test_language_is_given_by_name_or_code(tiny_asr: AsrPool) -> None:
    for given in ("German", "de", " DE "):
        transcript = tiny_asr.transcribe(speechy(1.5), SR, language=given)
        assert (transcript.language, transcript.language_name) == ("de", "German")
        assert not transcript.language_detected
    assert tiny_asr.transcribe(speechy(1.5), SR, language="auto").language_detected


def test_unknown_languages_are_refused_before_any_model_work(tiny_whisper_dir: Path) -> None:
    pool = AsrPool(device="cpu", roots=[tiny_whisper_dir.parent])
    with pytest.raises(UnknownLanguage, match="Klingon.*English"):
        pool.transcribe(speechy(1.0), SR, language="Klingon")
    assert pool.recognizer is None


def test_a_language_the_model_does_not_know(tiny_asr: AsrPool) -> None:
    with pytest.raises(UnknownLanguage, match="Dutch"):  # Whisper knows Dutch; this model not
        tiny_asr.transcribe(speechy(1.0), SR, language="Dutch")


def test_an_english_only_model(tmp_path: Path) -> None:
    from studio.testing import tiny_whisper

    folder = tiny_whisper.build(tmp_path / "whisper-tiny.en", multilingual=False)
    assert read_asr_info(folder).languages == ("en",)
    pool = AsrPool(device="cpu", extra=[folder])
    transcript = pool.transcribe(speechy(1.0), SR)
    assert transcript.language == "en"
    assert_timed(transcript, 1.0)
    with pytest.raises(UnknownLanguage, match="English"):
        pool.transcribe(speechy(1.0), SR, language="French")


def test_long_clips_are_cut_into_windows_at_pauses() -> None:
    rate = 16_000
    audio = np.tile(speechy(4.0, rate), 20)  # 80 s with a pause every half second
    spans = windows(audio, rate)
    assert spans[0][0] == 0 and spans[-1][1] == len(audio)
    assert all(b - a <= 30 * rate for a, b in spans) and len(spans) == 3
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))
    power = audio[spans[0][1] - 160:spans[0][1] + 160]
    assert float(np.abs(power).max()) < 0.05  # the cut is in a pause
    assert windows(audio[: 10 * rate], rate) == [(0, 10 * rate)]


def test_a_clip_longer_than_one_window(tiny_asr: AsrPool) -> None:
    transcript = tiny_asr.transcribe(speechy(34.0), SR, language="en")
    assert_timed(transcript, 34.0)
    assert transcript.words[-1].start > 25.0  # words of the second window, moved in time


def test_cancel_before_and_during(tiny_asr: AsrPool) -> None:
    event = threading.Event()
    event.set()
    with pytest.raises(Cancelled):
        tiny_asr.transcribe(speechy(2.0), SR, cancel=event)
    token = CancelToken()
    steps: list[float] = []

    def progress(fraction: float, _message: str) -> None:
        steps.append(fraction)
        token.cancel()  # while the window is being decoded

    with pytest.raises(Cancelled):
        tiny_asr.transcribe(speechy(2.0), SR, cancel=token, progress=progress)
    assert steps == [0.0]


@pytest.mark.parametrize(("audio", "rate", "error", "message"), [
    (np.zeros(0, np.float32), SR, AudioTooShort, "no audio"),
    (np.zeros(100, np.float32), SR, AudioTooShort, "too short"),
    (np.zeros(SR * 3, np.float32), SR, NoSpeech, "silent"),
    (np.full(SR, np.nan, np.float32), SR, InvalidSamples, "NaN"),
    (np.zeros(SR * 301, np.float32), SR, AudioTooLong, "limited to 5 minutes"),
    (np.ones(SR, np.float32), 0, InvalidInput, "sample rate"),
])
def test_bad_audio_is_refused_before_any_model_work(tiny_whisper_dir: Path, audio, rate,
                                                    error, message) -> None:
    pool = AsrPool(device="cpu", roots=[tiny_whisper_dir.parent])
    with pytest.raises(error, match=message):
        pool.transcribe(audio, rate)
    assert pool.recognizer is None


def test_bad_files(tiny_whisper_dir: Path, tmp_path: Path) -> None:
    pool = AsrPool(device="cpu", roots=[tiny_whisper_dir.parent])
    with pytest.raises(AudioFileMissing):
        transcribe_file(tmp_path / "nothing.wav", pool)
    (tmp_path / "bad.wav").write_bytes(b"RIFF not really a wav")
    with pytest.raises(UnreadableAudio):
        transcribe_file(tmp_path / "bad.wav", pool)
    sf.write(str(tmp_path / "long.wav"), np.zeros(8000 * 400, np.float32), 8000)
    with pytest.raises(AudioTooLong):
        transcribe_file(tmp_path / "long.wav", pool)
    assert pool.recognizer is None


def test_stereo_file_at_another_rate(tiny_asr: AsrPool, tmp_path: Path) -> None:
    clip = np.stack([speechy(2.0, 44_100), speechy(2.0, 44_100)], axis=1)
    sf.write(str(tmp_path / "stereo.flac"), clip, 44_100)
    assert_timed(transcribe_file(tmp_path / "stereo.flac", tiny_asr, language="en"), 2.0)
    assert prepare(clip, 44_100).shape == (32_000,)  # mono at 16 kHz


def test_discovery_keeps_voice_and_transcription_models_apart(tiny_whisper_dir: Path,
                                                              tmp_path: Path) -> None:
    info = read_asr_info(tiny_whisper_dir)
    assert info is not None and info.usable and info.kind == "asr" and info.size == "custom"
    assert info.multilingual and set(info.languages) == set(LANGUAGES)
    assert read_model_info(tiny_whisper_dir) is None  # the voice side ignores it
    tts = tmp_path / "Qwen3-TTS-12Hz-Tiny-Base"
    tts.mkdir()
    (tts / "config.json").write_text(json.dumps({"model_type": "qwen3_tts"}))
    assert read_asr_info(tts) is None
    assert [m.name for m in discover([tmp_path], extra=[tiny_whisper_dir], kind="asr")] == [
        "whisper-tiny-random"]


def test_incomplete_or_absent_models(tiny_whisper_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "whisper-broken"
    shutil.copytree(tiny_whisper_dir, broken)
    (broken / "model.safetensors").unlink()
    info = read_asr_info(broken)
    assert info is not None and "model.safetensors" in (info.problem or "")
    with pytest.raises(ModelNotFound, match="whisper-small"):
        pick_asr([info])
    with pytest.raises(ModelNotFound, match="Model manager"):
        AsrPool(device="cpu", roots=[tmp_path / "empty"]).transcribe(speechy(1.0), SR)
    good = read_asr_info(tiny_whisper_dir)
    assert pick_asr([info, good]) == good
    assert pick_asr([good], prefer=str(tiny_whisper_dir)) == good
