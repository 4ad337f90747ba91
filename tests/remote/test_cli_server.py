"""The command line with ``--server`` (or $VOICE_STUDIO_SERVER): takes, designed and cloned
voices made on the server, saved here; no model on this computer at all."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from studio.cli import main
from studio.library import VoiceLibrary
from tests.engine.helpers import voice_like
from tests.remote.conftest import SAMPLES


def completed(api) -> int:  # noqa: ANN001
    return api.http.get("/health").json()["queue"]["completed"]


def test_speak_on_a_server(api, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out.wav"
    assert main(["speak", "Hello there.", "--speaker", "Ryan", "--seed", "3", "--server",
                 api.url, "-o", str(out)]) == 0
    data, sr = sf.read(out)
    assert sr == 24000 and len(data) == SAMPLES
    assert "seed 3" in capsys.readouterr().err and completed(api) == 1
    monkeypatch.setenv("VOICE_STUDIO_SERVER", api.url)
    streamed = tmp_path / "streamed.wav"
    assert main(["speak", "Hello there.", "--speaker", "Ryan", "--seed", "3", "--stream",
                 "-o", str(streamed)]) == 0
    np.testing.assert_array_equal(sf.read(streamed)[0], data)
    assert completed(api) == 2


def test_design_and_clone_on_a_server_save_the_voices_here(serve, tmp_path, capsys,
                                                           monkeypatch):
    api = serve(max_seconds=3.6)
    monkeypatch.setenv("VOICE_STUDIO_SERVER", api.url)
    assert main(["design", "Welcome aboard.", "--instruct", "A cheerful voice.", "--seed", "5",
                 "--save-as", "Cheerful", "-o", str(tmp_path / "d.wav")]) == 0
    clip = tmp_path / "me.wav"
    sf.write(clip, voice_like(5.0), 24000)
    assert main(["clone", "--ref", str(clip), "--ref-text", "Hello, this is me.",
                 "--name", "Me", "--i-have-consent"]) == 0
    assert "on the Voice Studio server at" in capsys.readouterr().err
    library = VoiceLibrary()
    assert {e.name for e in library.list().voices} == {"Cheerful", "Me"}
    stored = len(list((api.state.library.root / "cache" / "voice-prompts").iterdir()))
    out = tmp_path / "me-says.wav"
    assert main(["speak", "Now in my voice.", "--voice", "Me", "--max-seconds", "0.4",
                 "-o", str(out)]) == 0
    assert len(sf.read(out)[0]) == 5 * 1920
    assert len(list((api.state.library.root / "cache" / "voice-prompts").iterdir())) == stored


def test_a_wrong_token_is_one_line(serve, capsys, monkeypatch, tmp_path):
    api = serve(token="right")
    monkeypatch.setenv("VOICE_STUDIO_TOKEN", "not-the-token")
    assert main(["speak", "Hi.", "--speaker", "Ryan", "--server", api.url,
                 "-o", str(tmp_path / "x.wav")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("voice-studio: error: The server at 127.0.0.1:")
    assert "refused the token (it is wrong)" in err[-1]
    assert "not-the-token" not in "\n".join(err)
    monkeypatch.setenv("VOICE_STUDIO_TOKEN", "right")
    assert main(["speak", "Hi.", "--speaker", "Ryan", "--server", api.url,
                 "-o", str(tmp_path / "x.wav")]) == 0


def test_a_project_renders_on_the_server(api, tmp_path, capsys):
    script = tmp_path / "play.md"
    script.write_text("# One\n\nAlice: Hello there.\nBob: Hi Alice.\n", encoding="utf-8")
    assert main(["project", "new", "Remote Play", "--from", str(script)]) == 0
    assert main(["project", "render", "Remote Play", "--no-check", "--server", api.url]) == 0
    assert "Rendered 2 block(s)" in capsys.readouterr().err
    assert completed(api) == 2  # both blocks were spoken by the server
    assert main(["project", "status", "Remote Play"]) == 0
    assert "rendered 2" in capsys.readouterr().out
