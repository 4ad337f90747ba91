"""Several reference takes per voice: add, list, switch, speak with the active one, remove,
duplicate, export/import (hostile files included), damage, and voices made before takes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from studio.engine import prompts
from studio.errors import InvalidInput, NotFound
from studio.library import BadArchive, VoiceLibrary
from studio.library.anyvoice import resolve
from studio.library.takes import MAX_TAKES
from tests.library.helpers import add_voice, make_prompt, tone
from tests.library.test_archive import assert_nothing_left, members_of, write_zip


def two_takes(lib: VoiceLibrary, activate: bool = False):
    add_voice(lib, "Alice", transcript="First words.")
    return lib.add_take("Alice", prompt=make_prompt(7, text="Second words."),
                        audio=tone(2.0, sr=48_000, freq=330.0), sample_rate=48_000, label=" calm  take ",
                        activate=activate)


def test_a_voice_made_before_takes_has_one(lib: VoiceLibrary, home: Path) -> None:
    entry = add_voice(lib, "Alice")
    meta = json.loads((entry.path / "voice.json").read_text())
    assert "active_take" not in meta and not (entry.path / "takes").exists()
    [take] = entry.takes()
    assert (take.id, take.main, take.active, take.title) == ("take-1", True, True, "Take 1")
    assert take.reference_path == entry.reference_path == entry.path / "reference.wav"
    assert take.transcript() == entry.transcript()


def test_add_list_and_switch_takes(lib: VoiceLibrary, clock) -> None:
    entry = two_takes(lib)
    first, second = entry.takes()
    assert (first.active, second.active) == (True, False)
    assert (second.id, second.label, second.title) == ("take-2", "calm take", "Take 2 · calm take")
    assert abs(second.reference_seconds - 2.0) < 1e-3  # resampled from 48 kHz, length kept
    assert second.transcript() == "Second words." and not second.x_vector_only
    assert second.load_reference()[1] == 24_000
    assert entry.transcript() == "First words."  # take-1 still speaks
    clock.advance(minutes=1)
    entry = lib.set_active_take("alice", "take-2")
    assert entry.voice.active_take == "take-2" and entry.voice.updated == clock.now
    again = lib.get("alice")  # read back from disk
    assert again.transcript() == "Second words."
    assert again.prompt_bytes() == prompts.to_bytes(make_prompt(7, text="Second words."))
    assert [t.active for t in again.takes()] == [False, True]
    assert lib.set_active_take("alice", "take-1").transcript() == "First words."


def test_speaking_uses_the_active_takes_prompt(lib: VoiceLibrary) -> None:
    two_takes(lib, activate=True)
    request = resolve("Alice", lib).request("Hello.", lib)
    assert request.prompt.ref_text == "Second words."
    lib.set_active_take("alice", "take-1")
    assert resolve("Alice", lib).request("Hello.", lib).prompt.ref_text == "Hello there, this is a test."


def test_take_from_an_unsaved_clip_and_a_file(lib: VoiceLibrary, tmp_path: Path) -> None:
    import soundfile as sf

    add_voice(lib, "Alice")
    item = lib.previews.add_audio(tone(1.5), 24_000, kind="recording")
    entry = lib.add_take("alice", prompt=make_prompt(1), preview=item)
    assert [t.id for t in entry.takes()] == ["take-1", "take-2"]
    assert lib.previews.items() == []  # promoted, not copied
    sf.write(str(tmp_path / "clip.flac"), tone(1.0), 16_000)
    entry = lib.add_take("alice", prompt=make_prompt(2), reference=tmp_path / "clip.flac",
                         transcript="")
    assert [t.id for t in entry.takes()][-1] == "take-3"
    assert entry.takes()[-1].transcript() == ""


def test_a_take_keeps_the_file_it_was_imported_from(lib: VoiceLibrary, tmp_path: Path) -> None:
    import soundfile as sf

    add_voice(lib, "Alice")
    sf.write(str(tmp_path / "Interview Take.flac"), tone(1.0), 16_000)
    src = tmp_path / "Interview Take.flac"
    entry = lib.add_take("alice", prompt=make_prompt(1), audio=tone(0.8), sample_rate=24_000,
                         original=src)
    take = entry.takes()[-1]
    assert (take.original_file, take.original_name) == ("original.flac", "Interview Take.flac")
    assert take.original_path is not None and take.original_path.read_bytes() == src.read_bytes()
    item = lib.previews.add_audio(tone(1.5), 24_000, kind="import", original=src)
    take = lib.add_take("alice", prompt=make_prompt(2), preview=item).takes()[-1]
    assert take.original_name == "Interview Take.flac"  # the unsaved import's file came along
    assert take.original_path is not None and take.original_path.read_bytes() == src.read_bytes()
    assert lib.previews.items() == []
    plain = lib.add_take("alice", prompt=make_prompt(3), audio=tone(0.8), sample_rate=24_000)
    assert plain.takes()[-1].original_path is None  # a recording has nothing more to keep
    take.original_path.unlink()  # damage is named, and the voice itself still speaks
    listed = lib.get("alice").takes()
    assert listed[2].problem == "take-3/original.flac is missing" and listed[0].problem is None


def test_bad_take_requests_are_refused(lib: VoiceLibrary) -> None:
    two_takes(lib)
    with pytest.raises(InvalidInput, match="exactly one way"):
        lib.add_take("alice", prompt=make_prompt(1))
    with pytest.raises(InvalidInput, match="voice prompt"):
        lib.add_take("alice", prompt="nope", audio=tone(), sample_rate=24_000)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="label"):
        lib.add_take("alice", prompt=make_prompt(1), audio=tone(), sample_rate=24_000,
                     label="x" * 200)
    with pytest.raises(InvalidInput, match="empty"):
        lib.add_take("alice", prompt=make_prompt(1), audio=tone(0.0), sample_rate=24_000)
    for bad in ("take-9", "../x", "take-0", 3):
        with pytest.raises(NotFound, match="has no take"):
            lib.set_active_take("alice", bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="stays with it"):
        lib.remove_take("alice", "take-1")
    lib.set_active_take("alice", "take-2")
    with pytest.raises(InvalidInput, match="active take"):
        lib.remove_take("alice", "take-2")
    assert len(lib.get("alice").takes()) == 2
    assert not list((lib.get("alice").path / "takes").glob(".*"))  # no work folder left


def test_at_most_max_takes(lib: VoiceLibrary) -> None:
    add_voice(lib, "Alice")
    for n in range(MAX_TAKES - 1):
        lib.add_take("alice", prompt=make_prompt(n), audio=tone(0.2), sample_rate=24_000)
    with pytest.raises(InvalidInput, match=f"already has {MAX_TAKES} takes"):
        lib.add_take("alice", prompt=make_prompt(1), audio=tone(0.2), sample_rate=24_000)


def test_remove_a_take(lib: VoiceLibrary) -> None:
    entry = two_takes(lib)
    lib.add_take("alice", prompt=make_prompt(3), audio=tone(0.5), sample_rate=24_000)
    entry = lib.remove_take("alice", "take-2")
    assert [t.id for t in entry.takes()] == ["take-1", "take-3"]
    entry = lib.remove_take("alice", "take-3")
    assert not (entry.path / "takes").exists()  # back to the plain layout
    # numbers are not reused while the folder still has takes; here it starts afresh
    entry = lib.add_take("alice", prompt=make_prompt(4), audio=tone(0.5), sample_rate=24_000)
    assert [t.id for t in entry.takes()] == ["take-1", "take-2"]


def test_duplicate_keeps_every_take(lib: VoiceLibrary) -> None:
    two_takes(lib, activate=True)
    copy = lib.duplicate("alice", "Alice 2")
    assert [t.id for t in copy.takes()] == ["take-1", "take-2"]
    assert copy.transcript() == "Second words."


def test_a_damaged_active_take_damages_the_voice(lib: VoiceLibrary) -> None:
    entry = two_takes(lib, activate=True)
    (entry.path / "takes" / "take-2" / "prompt.safetensors").write_bytes(b"garbage")
    listing = lib.list()
    assert listing.voices == [] and "active take" in listing.damaged[0].reason


def test_a_damaged_other_take_is_listed_with_its_problem(lib: VoiceLibrary) -> None:
    entry = two_takes(lib)
    (entry.path / "takes" / "take-2" / "take.json").write_text("{]")
    entry = lib.get("alice")  # the voice itself is fine
    assert entry.takes()[1].problem and "take-2" in entry.takes()[1].problem
    with pytest.raises(Exception, match="take-2"):
        lib.set_active_take("alice", "take-2")


def test_export_and_import_carry_every_take(lib: VoiceLibrary, tmp_path: Path) -> None:
    two_takes(lib, activate=True)
    import soundfile as sf

    sf.write(str(tmp_path / "loud.ogg"), tone(0.7), 24_000)
    lib.add_take("alice", prompt=make_prompt(9), audio=tone(0.7), sample_rate=24_000,
                  label="loud", original=tmp_path / "loud.ogg")
    path = lib.export_voice("alice", tmp_path)
    members = members_of(path)
    assert json.loads(members["manifest.json"])["version"] == 2
    assert "takes/take-3/take.json" in members
    assert members["takes/take-3/original.ogg"] == (tmp_path / "loud.ogg").read_bytes()
    other = VoiceLibrary(tmp_path / "other")
    entry = other.import_voice(path)
    assert [(t.id, t.label, t.active) for t in entry.takes()] == [
        ("take-1", "", False), ("take-2", "calm take", True), ("take-3", "loud", False)]
    assert entry.transcript() == "Second words."
    for mine, theirs in zip(lib.get("alice").takes(), entry.takes(), strict=True):
        assert mine.reference_path.read_bytes() == theirs.reference_path.read_bytes()
        assert mine.prompt_path.read_bytes() == theirs.prompt_path.read_bytes()
    assert entry.takes()[2].original_name == "loud.ogg"


def test_a_voice_without_takes_exports_as_version_1(lib: VoiceLibrary, tmp_path: Path) -> None:
    add_voice(lib, "Alice")
    path = lib.export_voice("alice", tmp_path)
    assert json.loads(members_of(path)["manifest.json"])["version"] == 1


@pytest.mark.parametrize("case", ["main-in-takes", "unknown-file", "bad-id", "incomplete",
                                  "bad-take-json", "active-missing", "too-many",
                                  "stray-original", "missing-original"])
def test_hostile_takes_are_refused(lib: VoiceLibrary, tmp_path: Path, home: Path,
                                   case: str) -> None:
    two_takes(lib, activate=True)
    good = members_of(lib.export_voice("alice", tmp_path))
    good.pop("manifest.json")
    take = {k: v for k, v in good.items() if k.startswith("takes/take-2/")}
    meta = json.loads(good["voice.json"])
    cases = {
        "main-in-takes": ({**good, "takes/take-1/reference.wav": b"x"}, "inside a folder"),
        "unknown-file": ({**good, "takes/take-2/run.sh": b"x"}, "inside a folder"),
        "bad-id": ({**good, "takes/take-x/take.json": b"{}"}, "inside a folder"),
        "incomplete": ({k: v for k, v in good.items() if k != "takes/take-2/prompt.safetensors"},
                       "take-2 is incomplete"),
        "bad-take-json": ({**good, "takes/take-2/take.json": b'{"label": 3}'}, "take-2 is unusable"),
        "active-missing": ({**{k: v for k, v in good.items() if k not in take},
                            "voice.json": json.dumps(meta).encode()}, "active take take-2"),
        "stray-original": ({**good, "takes/take-2/original.wav": good["reference.wav"]},
                           "original file of its take-2 does not match"),
        "missing-original": ({**good, "takes/take-2/take.json": json.dumps(
            {**json.loads(take["takes/take-2/take.json"]), "original_file": "original.mp3"}
        ).encode()}, "original file of its take-2 does not match"),
        "too-many": ({**good, **{k.replace("take-2", f"take-{n}"): v for n in range(3, 12)
                                 for k, v in take.items()}}, "more than a voice ever has"),
    }
    members, message = cases[case]
    before = {p.name for p in (home / "voices").iterdir()}
    with pytest.raises(BadArchive, match=message):
        lib.import_voice(write_zip(tmp_path / f"{case}.voice.zip", members))
    assert_nothing_left(home, before)


def test_kill_leftovers_inside_takes_are_swept(lib: VoiceLibrary, home: Path) -> None:
    entry = two_takes(lib)
    work = entry.path / "takes" / ".tmp-999999999-abcdef"  # a dead process's work folder
    work.mkdir()
    (entry.path / "takes" / "take-2" / ".take.json.tmp").write_text("{")
    VoiceLibrary(home)
    assert not work.exists()
    assert not (entry.path / "takes" / "take-2" / ".take.json.tmp").exists()
    assert len(lib.get("alice").takes()) == 2


def test_zip_member_names_for_takes(tmp_path: Path) -> None:
    from studio.library.archive import name_problem

    assert name_problem("takes/take-2/reference.wav") is None
    assert name_problem("takes/take-12/take.json") is None
    assert name_problem("takes/take-2/../../x") == "points outside the voice ('..')"
    assert name_problem("takes/take-1/prompt.safetensors") is not None
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:  # a folder entry is still refused
        zf.writestr("takes/", b"")
    assert name_problem("takes/") is not None
