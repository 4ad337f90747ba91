"""Damaged folders are listed with a reason and never take other voices with them;
leftovers of interrupted writes are swept when the library opens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.library import VoiceDamaged, VoiceLibrary
from tests.library.helpers import add_voice


def damage(folder: Path, how: str) -> None:
    meta = folder / "voice.json"
    if how == "no-meta":
        meta.unlink()
    elif how == "bad-json":
        meta.write_text("{not json", "utf-8")
    elif how == "not-object":
        meta.write_text("[]", "utf-8")
    elif how == "future":
        meta.write_text(json.dumps({**json.loads(meta.read_text("utf-8")),
                                    "schema_version": 7}), "utf-8")
    elif how == "no-reference":
        (folder / "reference.wav").unlink()
    elif how == "bad-reference":
        (folder / "reference.wav").write_bytes(b"RIFF....garbage")
    elif how == "no-prompt":
        (folder / "prompt.safetensors").unlink()
    elif how == "bad-prompt":
        (folder / "prompt.safetensors").write_bytes(b"\x00" * 40)
    elif how == "no-transcript":
        (folder / "transcript.txt").unlink()
    elif how == "bad-transcript":
        (folder / "transcript.txt").write_bytes(b"\xff\xfe\xfa")
    elif how == "meta-is-dir":
        meta.unlink()
        meta.mkdir()
    elif how == "prompt-is-dir":
        (folder / "prompt.safetensors").unlink()
        (folder / "prompt.safetensors").mkdir()


REASONS = {
    "no-meta": "voice.json is missing",
    "bad-json": "voice.json cannot be read",
    "not-object": "does not hold an object",
    "future": "version 7",
    "no-reference": "reference.wav is missing",
    "bad-reference": "reference clip is unusable",
    "no-prompt": "prompt.safetensors is missing",
    "bad-prompt": "damaged or not a Voice Studio prompt",
    "no-transcript": "transcript.txt is missing",
    "bad-transcript": "transcript.txt cannot be read",
    "prompt-is-dir": "prompt.safetensors is missing",
    "meta-is-dir": "voice.json cannot be read",
}


@pytest.mark.parametrize("how", sorted(REASONS))
def test_damaged_voice_is_listed_with_reason(lib: VoiceLibrary, how: str) -> None:
    add_voice(lib, "Alice")
    victim = add_voice(lib, "Bob", seed=1)
    add_voice(lib, "Carol", seed=2)
    damage(victim.path, how)
    listing = VoiceLibrary(clock=lib.clock).list()
    assert [v.id for v in listing.voices] == ["alice", "carol"]
    assert [d.id for d in listing.damaged] == ["bob"]
    assert REASONS[how] in listing.damaged[0].reason
    with pytest.raises(VoiceDamaged):
        lib.get("bob")
    with pytest.raises(VoiceDamaged):
        lib.rename("bob", "Robert")
    item = lib.delete("bob")  # a damaged voice can still be thrown away...
    assert lib.list().damaged == []
    with pytest.raises(VoiceDamaged):  # ...and restored as it was
        lib.restore(item.trash_id)
    assert [d.id for d in lib.list().damaged] == ["bob"]


def test_odd_things_in_the_voices_folder(lib: VoiceLibrary, home: Path) -> None:
    add_voice(lib, "Alice")
    voices = home / "voices"
    (voices / "My Voice").mkdir()
    (voices / "stray.txt").write_text("hello")
    (voices / "empty").mkdir()
    (voices / ".DS_Store").write_text("")
    (voices / "link").symlink_to(voices / "alice")
    listing = lib.list()
    assert [v.id for v in listing.voices] == ["alice"]
    reasons = {d.id: d.reason for d in listing.damaged}
    assert "not a valid voice id" in reasons["My Voice"]
    assert "not a folder" in reasons["stray.txt"]
    assert "voice.json is missing" in reasons["empty"]
    assert "not a folder" in reasons["link"]


def test_unreadable_folder_does_not_crash_the_listing(lib: VoiceLibrary) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    entry = add_voice(lib, "Alice")
    add_voice(lib, "Bob", seed=1)
    entry.path.chmod(0)
    try:
        listing = lib.list()
    finally:
        entry.path.chmod(0o755)
    assert [v.id for v in listing.voices] == ["bob"]
    assert [d.id for d in listing.damaged] == ["alice"]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_are_swept_at_startup(lib: VoiceLibrary, home: Path) -> None:
    entry = add_voice(lib, "Alice")
    pid = dead_pid()
    voices, trash = home / "voices", home / "trash"
    for parent, tag in ((voices, "tmp"), (voices, "del"), (trash, "del"),
                        (home / "previews", "tmp")):
        (parent / f".{tag}-{pid}-abc123").mkdir()
        (parent / f".{tag}-{pid}-abc123" / "reference.wav").write_bytes(b"half")
    (entry.path / ".voice.json.x1y2z3.tmp").write_text("{half")
    mine = voices / f".tmp-{os.getpid()}-def456"  # this process is alive: not touched
    mine.mkdir()
    VoiceLibrary(clock=lib.clock)
    assert sorted(p.name for p in voices.iterdir()) == sorted(["alice", mine.name])
    assert list(trash.iterdir()) == []
    assert list((home / "previews").iterdir()) == []
    assert sorted(p.name for p in entry.path.iterdir()) == [
        "prompt.safetensors", "reference.wav", "transcript.txt", "voice.json"]


def test_stale_leftovers_of_a_live_pid_go_after_a_day(lib: VoiceLibrary, home: Path) -> None:
    old = home / "voices" / f".tmp-{os.getpid()}-0bd0bd"
    old.mkdir()
    os.utime(old, (0, 0))
    VoiceLibrary(clock=lib.clock)
    assert not old.exists()
