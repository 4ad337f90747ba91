"""The command line on the tiny models: real engine, real files, one clear line per error."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import soundfile as sf

from studio import paths
from studio.cli import main
from studio.testing.fake_hub import fake_hub_fixture  # noqa: F401 - the fake_hub fixture
from studio.testing.fake_hub_repos import TINY_REPO_ID
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


def test_batch_makes_sentences_together_and_batch_one_one_by_one(models, tmp_path,
                                                                monkeypatch):
    from dataclasses import replace

    from studio.cli import speak

    # --max-seconds caps the whole take; the tiny models never end a sentence by themselves,
    # so each sentence is capped at 5 frames here, where the command line has no option for it
    options = speak.sampling_from
    monkeypatch.setattr(speak, "sampling_from", lambda a: replace(options(a), max_frames=5))
    text = "First sentence here.\n\nA second one follows.\n\nAnd a third."
    args = ["speak", text, "--speaker", "vivian", "--seed", "4"]
    files = {}
    for batch in ("1", "3", "0"):
        files[batch] = tmp_path / f"b{batch}.wav"
        assert main([*args, "--batch", batch, "-o", str(files[batch]), "--stream"]) == 0
    one, three, auto = (sf.read(files[b], dtype="float32")[0] for b in ("1", "3", "0"))
    pauses = int(0.55 * 24000) * 2  # between the three paragraphs
    assert len(one) == len(three) == 3 * 5 * 1920 + pauses
    np.testing.assert_array_equal(three, auto)  # automatic: all three at once here
    assert not np.array_equal(one, three)  # each sentence from its own seeded generator


def test_clone_save_and_speak_with_the_saved_voice(models, ref_clip, tmp_path, capsys):
    assert main(["clone", "--i-have-consent", "--ref", str(ref_clip), "--ref-text",
                 "Hello, this is me.", "--name", "Zoë"]) == 0
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


def test_clone_records_where_the_voice_came_from_and_the_consent(models, ref_clip, capsys):
    from studio.library import VoiceLibrary

    assert main(["clone", "--i-have-consent", "--ref", str(ref_clip), "--x-vector-only",
                 "--name", "Mine"]) == 0
    provenance = VoiceLibrary().get("Mine").voice.provenance
    assert (provenance.source, provenance.file, provenance.consent, provenance.via) == (
        "imported", ref_clip.name, True, "cli")


def test_clone_without_consent_refuses_when_it_cannot_ask(ref_clip, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # a pipe, not a terminal
    assert main(["clone", "--ref", str(ref_clip), "--x-vector-only", "--name", "Nope"]) == 1
    err = capsys.readouterr().err
    assert "--i-have-consent" in err and "right to use this voice" in err
    assert main(["voices", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["voices"] == []


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 1)])
def test_clone_asks_on_a_terminal(models, ref_clip, capsys, monkeypatch, answer, code):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal(answer))
    assert main(["clone", "--ref", str(ref_clip), "--x-vector-only", "--name", "Asked"]) == code
    assert "Do you have the right to use this voice?" in capsys.readouterr().err


def test_clone_refuses_a_clip_that_fails_the_check(models, tmp_path, capsys):
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(24000 * 5, np.float32), 24000)
    assert main(["clone", "--i-have-consent", "--ref", str(silent), "--ref-text", "x", "--name", "Quiet"]) == 1
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
    main(["clone", "--i-have-consent", "--ref", str(ref_clip), "--x-vector-only", "--name", "Temp"])
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
    (["clone", "--i-have-consent", "--ref", "/no/such.wav", "--name", "x"], "does not exist"),
    (["voices", "show", "../etc"], "no voice called"),
    (["--device", "bogus", "speak", "Hi", "--speaker", "ryan"], "'bogus' is not a device"),
    (["--device", "cuda:x", "voices", "list"], "auto, cpu, cuda, mps"),
    (["--model", "/no/such/folder", "speak", "Hi", "--speaker", "ryan"], "does not exist"),
    (["speak", "Hi", "--speaker", "ryan", "--batch", "-2"], "--batch must be 0"),
    (["clone", "--i-have-consent", "--ref", "/no/such.wav", "--name", "x", "--language",
      "Klingon"],
     "Choose Auto or one of: Chinese, English"),
])
def test_errors_are_one_clear_line_and_non_zero(models, argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("voice-studio: error: ")
    assert message in err[0]


@pytest.mark.parametrize("argv", [["speak", "Hi", "--ref", "FOLDER", "--ref-text", "x"],
                                  ["clone", "--i-have-consent", "--ref", "FOLDER", "--name", "x"]])
def test_a_folder_given_for_an_audio_file_is_named_as_one(models, tmp_path, argv, capsys):
    assert main([str(tmp_path) if a == "FOLDER" else a for a in argv]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{tmp_path} is a folder, not a file" in err[0]
    assert "Give an audio file" in err[0] and "does not exist" not in err[0]


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


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("voice-studio: error: "), err
    return err[0]


def test_a_misspelt_dtype_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--dtype", "bogus", "speak", "Hi", "--speaker", "ryan"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err and "float32" in err and "internal" not in err


def test_mps_where_there_is_none_is_not_blamed_on_the_model(models, monkeypatch, tmp_path,
                                                            capsys):
    import torch

    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert main(["--device", "mps", "speak", "Hi", "--speaker", "ryan",
                 "-o", str(tmp_path / "o.wav")]) == 1
    line = one_error_line(capsys)
    assert "Apple MPS was asked for" in line and "model folder" not in line


def test_a_model_folder_that_holds_no_model_is_named(models, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["--model", str(tmp_path / "empty"), "models", "list"]) == 1
    assert "is not a Qwen3-TTS model folder" in one_error_line(capsys)
    assert main(["--model", str(models), "models", "list"]) == 0


def test_a_data_folder_that_is_a_file_is_one_clear_line(tmp_path, monkeypatch, ref_clip,
                                                        capsys):
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("VOICE_STUDIO_HOME", str(home))
    assert main(["voices", "list"]) == 1
    assert f"data folder {home} cannot be used" in one_error_line(capsys)
    assert main(["clone", "--i-have-consent", "--ref", str(ref_clip), "--x-vector-only", "--name", "X"]) == 1
    assert "VOICE_STUDIO_HOME" in one_error_line(capsys)


def test_design_from_standard_input_saves_the_text_it_read(models, tmp_path, monkeypatch,
                                                           capsys):
    text = "Welcome aboard, everyone."
    monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n"))
    assert main(["design", "-", "--instruct", "A cheerful young woman", "--seed", "5",
                 "--max-seconds", "3.5", "--save-as", "Piped", "-o", str(tmp_path / "d.wav")]) == 0
    capsys.readouterr()
    assert main(["voices", "show", "piped"]) == 0
    meta = json.loads(capsys.readouterr().out)
    assert meta["transcript"] == text and meta["recipe"]["sample_text"] == text


def test_design_save_as_checks_name_and_base_model_before_generating(
        models, ref_clip, tmp_path, monkeypatch, capsys):
    import shutil

    assert main(["clone", "--i-have-consent", "--ref", str(ref_clip), "--x-vector-only", "--name", "Taken"]) == 0
    capsys.readouterr()
    out = tmp_path / "d.wav"
    design = ["design", "Welcome aboard.", "--instruct", "A cheerful young woman",
              "--max-seconds", "3.5", "-o", str(out)]
    assert main([*design, "--save-as", "taken"]) == 1
    assert "already exists" in one_error_line(capsys)
    assert not out.exists()  # refused before the take, not after it

    only_design = tmp_path / "only-design"
    src = next(p for p in models.iterdir() if p.name.endswith("VoiceDesign"))
    shutil.copytree(src, only_design / src.name)
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(only_design))
    assert main([*design, "--save-as", "New"]) == 1
    assert "needs a Base model" in one_error_line(capsys)
    assert not out.exists()
    assert main([*design, "--language", "Klingon", "--save-as", "New"]) == 1
    assert "Choose Auto or one of" in one_error_line(capsys)


def test_speak_with_a_saved_voice_uses_its_language(models, ref_clip, tmp_path, monkeypatch,
                                                    capsys):
    from studio.cli import speak

    assert main(["clone", "--i-have-consent", "--ref", str(ref_clip), "--x-vector-only", "--name", "Greta",
                 "--language", "de"]) == 0
    capsys.readouterr()
    assert main(["voices", "show", "greta"]) == 0
    assert json.loads(capsys.readouterr().out)["language"] == "German"
    spoken: list[str] = []
    run_take = speak.run_take

    def spy(engine, request, *args):
        spoken.append(request.language)
        return run_take(engine, request, *args)

    monkeypatch.setattr(speak, "run_take", spy)
    base = ["speak", "Hallo.", "--voice", "greta", "--max-seconds", "0.2"]
    assert main([*base, "-o", str(tmp_path / "a.wav")]) == 0
    assert main([*base, "--language", "English", "-o", str(tmp_path / "b.wav")]) == 0
    assert spoken == ["german", "English"]


def test_voices_rename(models, ref_clip, capsys):
    for name in ("Temp", "Other"):
        assert main(["clone", "--i-have-consent", "--ref", str(ref_clip), "--x-vector-only", "--name", name]) == 0
    capsys.readouterr()
    assert main(["voices", "rename", "temp", "  New Name "]) == 0
    assert capsys.readouterr().out == "temp\tNew Name\n"
    assert main(["voices", "show", "new name"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "temp"
    assert main(["voices", "rename", "temp", "other"]) == 1
    assert "already exists" in one_error_line(capsys)
    assert main(["voices", "rename", "nobody", "X"]) == 1
    assert "no voice called 'nobody'" in one_error_line(capsys)


def test_models_download_through_the_cli(fake_hub, studio_home, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.endpoint)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    name = TINY_REPO_ID.split("/")[1]
    assert main(["models", "download", name]) == 0
    captured = capsys.readouterr()
    target = paths.models_dir() / name
    assert captured.out.strip() == str(target)
    assert f"Downloading {TINY_REPO_ID}" in captured.err
    assert (target / "config.json").is_file() and (target / "model.safetensors").is_file()

    fake_hub.reset_counters()
    assert main(["models", "download", TINY_REPO_ID]) == 0  # already here: nothing fetched
    assert capsys.readouterr().out.strip() == str(target)
    assert fake_hub.total_bytes_served() == 0
    assert main(["models", "list", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[TINY_REPO_ID]["state"] == "on disk"

    assert main(["models", "download", "Qwen/No-Such-Model"]) == 1
    one_error_line(capsys)
