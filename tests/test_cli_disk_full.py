"""A full disk on the command line: one line naming it (exit 1), nothing left behind.

The disk fills at a chosen byte (tests/full_disk.py) while the real engine speaks on the
tiny models; a write that fails must remove its part file, and no file may appear under
its real name, in every output mode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from studio.cli import main
from tests.engine.helpers import voice_like
from tests.full_disk import full_disk_fixture  # noqa: F401 - the full_disk fixture

TEXT = "\n\n".join(f"Part number {i} of a longer text." for i in range(3))


@pytest.fixture
def models(tiny_models_dir, monkeypatch):
    monkeypatch.setenv("VOICE_STUDIO_MODELS", str(tiny_models_dir))
    return tiny_models_dir


def error_line(capsys, only: bool = True) -> str:
    """The error line, the last on stderr (and the only one unless ``only`` is False: the
    clone command reports on the clip first); never a traceback."""
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and "Exception ignored" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 or not only, lines
    assert sum("error: " in line for line in lines) == 1, lines
    return lines[-1]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("name,extra", [("out.wav", []), ("out.wav", ["--stream"]),
                                        ("out.flac", []), ("out.flac", ["--stream"])])
@pytest.mark.parametrize("room", [0, 3000, 40_000])
def test_speak_onto_a_full_disk(models, tmp_path, full_disk, capsys, name, extra, room):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    disk = full_disk(room)
    code = main(["speak", TEXT, "--speaker", "ryan", "--seed", "1", "--max-seconds", "2",
                 "-o", str(out_dir / name), *extra])
    line = error_line(capsys)
    assert code == 1 and disk.refused
    assert line.startswith(f"voice-studio: error: Could not write {name}: the disk is full (")
    assert f"free at {out_dir})" in line
    assert files_in(out_dir) == []  # neither the file nor its part file


def test_speak_with_room_to_spare_still_writes(models, tmp_path, full_disk, capsys):
    full_disk(10_000_000)
    out = tmp_path / "out.wav"
    assert main(["speak", TEXT, "--speaker", "ryan", "--seed", "1", "--max-seconds", "1",
                 "-o", str(out), "--stream"]) == 0
    assert sf.info(str(out)).frames == 24000 and files_in(tmp_path) == ["out.wav"]


@pytest.mark.parametrize("room", [0, 2000, 300_000, 600_000])
def test_clone_onto_a_full_disk(models, tmp_path, studio_home, full_disk, capsys, room):
    ref = tmp_path / "me.flac"
    audio = voice_like(6.0, 44100)
    sf.write(ref, np.stack([audio, audio], axis=1), 44100)
    full_disk(room)
    code = main(["clone", "--ref", str(ref), "--ref-text", "Hello, this is me.", "--name", "Me",
                 "--i-have-consent"])
    line = error_line(capsys, only=False)
    assert code == 1
    assert line.startswith("voice-studio: error: Could not save the voice: the disk is full (")
    assert f"free at {studio_home})" in line and "ref" not in line.split("(")[1]
    assert files_in(studio_home / "voices") == []  # no voice, no hidden work folder


def test_a_log_that_cannot_be_written_does_not_hide_the_error(models, full_disk, capsys,
                                                              monkeypatch):
    """An internal error on a full disk: its traceback cannot be logged, its line is shown."""
    from studio.cli import speak

    def broken(*_a, **_k):
        raise RuntimeError("the real problem")

    monkeypatch.setattr(speak, "build_request", broken)
    full_disk(0)
    assert main(["speak", "Hi.", "--speaker", "ryan"]) == 3
    line = error_line(capsys)
    assert line == "voice-studio: internal error: RuntimeError: the real problem"
