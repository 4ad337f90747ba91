"""The command line on the tiny models: real engine, real files, one clear line per error."""

from __future__ import annotations

import json

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
def ref_clip(tmp_path):
    path = tmp_path / "me.flac"
    audio = voice_like(6.0, 44100)
    sf.write(path, np.stack([audio, audio], axis=1), 44100)
    return path


def test_speak_with_a_preset_speaker_writes_the_file(models, tmp_path, capsys):
    out = tmp_path / "out.flac"
    assert main(["speak", "Hello there.", "--speaker", "Ryan", "--seed", "3",
                 "--max-seconds", "0.8", "-o", str(out)]) == 0
    data, sr = sf.read(out)
    assert sr == 24000 and len(data) == 10 * 1920
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out)
    assert "seed 3" in captured.err


def test_stream_to_file_and_same_seed_same_audio(models, tmp_path):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    args = ["speak", "Same again.", "--speaker", "vivian", "--seed", "9", "--max-seconds", "0.5"]
    assert main([*args, "-o", str(a), "--stream"]) == 0
    assert main([*args, "-o", str(b)]) == 0
    np.testing.assert_array_equal(sf.read(a)[0], sf.read(b)[0])
    assert not list(tmp_path.glob(".*.part"))


def test_clone_save_and_speak_with_the_saved_voice(models, ref_clip, tmp_path, capsys):
    assert main(["clone", "--ref", str(ref_clip), "--ref-text", "Hello, this is me.",
                 "--name", "Zoë"]) == 0
    voice_id = capsys.readouterr().out.strip()
    assert voice_id == "zoe"
    out = tmp_path / "z.wav"
    assert main(["speak", "Now in my voice.", "--voice", "zoë", "--max-seconds", "0.4",
                 "-o", str(out)]) == 0
    assert sf.info(out).frames == 5 * 1920
    capsys.readouterr()
    assert main(["voices", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [v["name"] for v in listing["voices"]] == ["Zoë"]


def test_clone_refuses_a_clip_that_fails_the_check(models, tmp_path, capsys):
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(24000 * 5, np.float32), 24000)
    assert main(["clone", "--ref", str(silent), "--ref-text", "x", "--name", "Quiet"]) == 1
    err = capsys.readouterr().err
    assert "[FAIL]" in err and "failed the reference check" in err
    capsys.readouterr()
    assert main(["voices", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["voices"] == []


def test_speak_from_a_reference_clip_x_vector_only(models, ref_clip, tmp_path):
    out = tmp_path / "x.ogg"
    assert main(["speak", "Timbre only.", "--ref", str(ref_clip), "--x-vector-only",
                 "--max-seconds", "0.4", "-o", str(out)]) == 0
    assert sf.info(out).samplerate == 24000


def test_design_save_as_keeps_a_reusable_voice(models, tmp_path, capsys):
    out = tmp_path / "d.wav"
    assert main(["design", "Welcome aboard, everyone.", "--instruct", "A cheerful young woman",
                 "--seed", "5", "--max-seconds", "3.5", "--save-as", "Cheerful", "-o", str(out)]) == 0
    assert main(["voices", "show", "cheerful"]) == 0
    meta = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert meta["kind"] == "designed" and meta["recipe"]["seed"] == 5
    assert meta["recipe"]["instruct"] == "A cheerful young woman"


def test_voices_delete_restore_export_import(models, ref_clip, tmp_path, capsys):
    main(["clone", "--ref", str(ref_clip), "--x-vector-only", "--name", "Temp"])
    capsys.readouterr()
    assert main(["voices", "delete", "temp"]) == 0
    assert main(["voices", "restore", "temp"]) == 0
    assert main(["voices", "export", "temp", str(tmp_path / "t.zip")]) == 0
    assert main(["voices", "import", str(tmp_path / "t.zip")]) == 0
    assert "Temp (2)" in capsys.readouterr().out


@pytest.mark.parametrize("argv,message", [
    (["speak", "Hi", "--speaker", "bob"], "no preset speaker called 'bob'"),
    (["speak", "", "--speaker", "ryan"], "no text"),
    (["speak", "Hi"], "Choose one voice"),
    (["speak", "Hi", "--speaker", "ryan", "--language", "klingon"], "not one this model speaks"),
    (["speak", "Hi", "--speaker", "ryan", "-o", "x.xyz"], "use a .wav"),
    (["speak", "Hi", "--voice", "nobody"], "no voice called 'nobody'"),
    (["speak", "Hi", "--ref", "/no/such.wav", "--ref-text", "x"], "does not exist"),
    (["clone", "--ref", "/no/such.wav", "--name", "x"], "does not exist"),
    (["voices", "show", "../etc"], "no voice called"),
])
def test_errors_are_one_clear_line_and_non_zero(models, argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("voice-studio: error: ")
    assert message in err[0]


def test_no_model_on_disk_says_how_to_get_one(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(tmp_path / "none"))
    assert main(["speak", "Hi", "--speaker", "ryan"]) == 1
    assert "models download" in capsys.readouterr().err


def test_models_list_and_path(models, capsys):
    assert main(["models", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(models)
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["kind"] for r in rows} == {"base", "custom_voice", "voice_design", "asr"}
    assert sum(r["state"] == "on disk" for r in rows) == 3
