"""`voice-studio transcribe` and `clone` without --ref-text, on the tiny models (real
transformers and qwen-tts code, random words)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from studio.cli import main
from tests.engine.helpers import voice_like


@pytest.fixture
def models(tiny_models_dir, monkeypatch):
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(tiny_models_dir))
    return tiny_models_dir


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "me.flac"
    sf.write(path, voice_like(4.0, 44100), 44100)
    return path


def test_transcribe_prints_the_words(tiny_whisper_dir, clip, capsys) -> None:
    assert main(["--model", str(tiny_whisper_dir), "transcribe", str(clip)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip()
    assert "Transcribing with whisper-tiny-random" in captured.err
    assert "(detected)" in captured.err


def test_transcribe_json_has_timed_words(tiny_whisper_dir, clip, capsys) -> None:
    assert main(["transcribe", str(clip), "--json", "--language", "German",
                 "--asr-model", str(tiny_whisper_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["language"] == "de" and not data["language_detected"]
    assert data["words"] and all(0 <= w["start"] <= w["end"] <= 4.0 for w in data["words"])


@pytest.mark.parametrize("argv,message", [
    (["transcribe", "/no/such.wav"], "does not exist"),
    (["transcribe", "FOLDER"], "is a folder, not a file. Give an audio file"),
    (["transcribe", "CLIP", "--language", "klingon"], "not one this model speaks"),
    (["transcribe", "SILENT"], "silent"),
])
def test_transcribe_errors_are_one_line(tiny_whisper_dir, clip, tmp_path, argv, message,
                                        capsys) -> None:
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(24000 * 2, np.float32), 24000)
    argv = [{"CLIP": str(clip), "SILENT": str(silent), "FOLDER": str(tmp_path)}.get(a, a)
            for a in argv]
    assert main(["--model", str(tiny_whisper_dir), *argv]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("voice-studio: error: ") and message in err[-1]


def test_transcribe_without_a_model_says_how_to_get_one(models, clip, capsys) -> None:
    assert main(["transcribe", str(clip)]) == 1
    assert "whisper-small" in capsys.readouterr().err


def test_clone_without_ref_text_transcribes_and_uses_it(models, tiny_whisper_dir, clip,
                                                        capsys) -> None:
    assert main(["--model", str(tiny_whisper_dir), "clone", "--i-have-consent", "--ref", str(clip),
                 "--name", "Heard"]) == 0
    captured = capsys.readouterr()
    voice_id = captured.out.strip()
    line = next(ln for ln in captured.err.splitlines() if ln.startswith("Transcript ("))
    heard = line.split("): ", 1)[1]
    assert main(["voices", "show", voice_id]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["transcript"] == heard and heard.strip()


def test_clone_without_ref_text_or_model_explains(models, clip, capsys) -> None:
    assert main(["clone", "--i-have-consent", "--ref", str(clip), "--name", "Nobody"]) == 1
    err = capsys.readouterr().err
    assert "exact words" in err and "whisper-small" in err and "--ref-text" in err
    assert main(["voices", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["voices"] == []


def two_takes(clip, tmp_path, capsys, second_words: str) -> tuple[str, object]:
    """A voice cloned from ``clip`` ("First words."), plus a 3 s second take."""
    assert main(["clone", "--i-have-consent", "--ref", str(clip), "--ref-text", "First words.", "--name", "Tk"]) == 0
    voice_id = capsys.readouterr().out.strip()
    second = tmp_path / "second.wav"
    sf.write(second, voice_like(3.0, 24000, f0=180.0), 24000)
    assert main(["clone", "--i-have-consent", "--ref", str(second), "--ref-text", second_words,
                 "--add-to", "Tk"]) == 0
    assert capsys.readouterr().out.strip() == "take-2"
    return voice_id, second


def test_takes_from_the_command_line(models, clip, tmp_path, capsys) -> None:
    voice_id, second = two_takes(clip, tmp_path, capsys, "Second words.")
    assert main(["voices", "takes", voice_id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("✓ take-1") and "First words." in lines[0]
    assert lines[1].startswith("  take-2") and "Second words." in lines[1]
    assert main(["voices", "takes", voice_id, "--json"]) == 0
    second_take = json.loads(capsys.readouterr().out)[1]
    assert second_take["original_name"] == "second.wav"  # the file as it came is kept
    assert Path(second_take["original"]).read_bytes() == second.read_bytes()
    assert main(["voices", "use-take", voice_id, "2"]) == 0
    capsys.readouterr()
    assert main(["voices", "show", voice_id]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["transcript"] == "Second words." and shown["takes"] == ["take-1", "take-2"]
    assert main(["voices", "remove-take", voice_id, "take-2"]) == 1
    assert "active take" in capsys.readouterr().err
    assert main(["voices", "use-take", voice_id, "1"]) == 0
    assert main(["voices", "remove-take", voice_id, "2"]) == 0
    capsys.readouterr()
    assert main(["voices", "takes", voice_id, "--json"]) == 0
    assert [t["id"] for t in json.loads(capsys.readouterr().out)] == ["take-1"]


def test_combine_takes_from_the_command_line(models, clip, tmp_path, capsys) -> None:
    voice_id, _second = two_takes(clip, tmp_path, capsys, "Second words")
    assert main(["voices", "combine-takes", voice_id, "1", "2", "--activate"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "take-3" and "Takes 1+2" in captured.err
    assert main(["voices", "takes", voice_id, "--json"]) == 0
    third = json.loads(capsys.readouterr().out)[2]
    assert third["active"] and third["label"] == "Takes 1+2"
    assert third["transcript"] == "First words. Second words."
    first_seconds = sf.info(str(clip)).duration
    assert abs(third["seconds"] - (first_seconds + 0.4 + 3.0)) < 0.01
    lib_prompt = json.loads((Path(third["reference"]).parent / "take.json").read_text())
    assert lib_prompt["x_vector_only"] is False  # made from the joined words and sound
    assert main(["voices", "combine-takes", voice_id, "1"]) == 1  # and a refusal is one line
    assert "at least two takes" in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["clone", "--i-have-consent", "--ref", "X", "--name", "A", "--add-to", "B"], "--name for a new voice"),
    (["clone", "--i-have-consent", "--ref", "X"], "--add-to VOICE"),
    (["clone", "--i-have-consent", "--ref", "X", "--add-to", "nobody", "--ref-text", "x"], "no voice called"),
    (["voices", "use-take", "nobody", "2"], "no voice called"),
])
def test_take_errors(models, argv, message, capsys) -> None:
    assert main(argv) == 1
    assert message in capsys.readouterr().err
