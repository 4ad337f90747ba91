"""`voice-studio history`: the window's take history from the command line (the same
store the Speak page keeps its takes in)."""

from __future__ import annotations

import json

import numpy as np
import soundfile as sf

from studio.cli import main
from studio.history import HistoryStore


def keep(text: str, seed: int, voice: tuple[str, str] = ("speaker:ryan", "Ryan")):  # noqa: ANN201
    audio = (0.2 * np.sin(np.arange(12000) / 9.0)).astype(np.float32)
    return HistoryStore().add(audio, 24000, text=text, voice_key=voice[0], voice_name=voice[1],
                              seed=seed, settings={"language": "english"})


def test_list_export_delete(tmp_path, capsys):
    a = keep("First take.", 11)
    b = keep("Second take, by Vivian.", 22, ("speaker:vivian", "Vivian"))
    assert main(["history", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == [b.id, a.id]
    assert "seed 22" in out[0] and "Second take" in out[0]

    assert main(["history", "list", "--json", "--voice", "ryan"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["seed"], r["text"]) for r in rows] == [(a.id, 11, "First take.")]

    target = tmp_path / "first.flac"
    assert main(["history", "export", a.id, str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert sf.info(str(target)).format == "FLAC" and sf.info(str(target)).frames == 12000

    assert main(["history", "delete", a.id]) == 0
    assert not a.folder.exists()
    assert [t.id for t in HistoryStore().list()] == [b.id]


def test_an_unknown_id_is_one_clear_line_and_nothing_is_deleted(capsys):
    a = keep("Stays.", 1)
    assert main(["history", "delete", a.id, "no-such-take"]) == 1
    err = capsys.readouterr().err
    assert "no-such-take" in err and "history list" in err and "Traceback" not in err
    assert a.folder.exists()
