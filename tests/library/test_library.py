"""Create, list, get, edit, duplicate, delete, restore and purge voices on a real disk."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from studio.engine import prompts
from studio.errors import InvalidInput, NotFound, StudioError
from studio.library import (
    AmbiguousVoice,
    InvalidName,
    Recipe,
    VoiceDamaged,
    VoiceLibrary,
    VoiceNotFound,
)
from tests.library.helpers import add_voice, make_prompt, prompt_bytes, tone

RECIPE = Recipe(instruct="A calm, low male voice in his forties.", sample_text="Hello.",
                language="English", seed=7, model="Qwen3-TTS-12Hz-1.7B-VoiceDesign")


def test_create_writes_a_complete_folder(lib: VoiceLibrary, home: Path) -> None:
    entry = add_voice(lib, "Alice", description="  Bright and clear  ", tags=["warm", "Warm"])
    assert entry.path == home / "voices" / "alice"
    assert sorted(p.name for p in entry.path.iterdir()) == [
        "prompt.safetensors", "reference.wav", "transcript.txt", "voice.json"]
    meta = json.loads((entry.path / "voice.json").read_text("utf-8"))
    assert meta["schema_version"] == 1 and meta["id"] == "alice" and meta["kind"] == "cloned"
    assert meta["created"] == meta["updated"] == "2025-03-01T12:00:00Z"
    assert meta["description"] == "Bright and clear" and meta["tags"] == ["warm"]
    assert meta["prompt_model"] == "Qwen3-TTS-12Hz-0.6B-Base"
    assert entry.transcript() == "Hello there, this is a test."
    info = sf.info(str(entry.reference_path))
    assert (info.samplerate, info.channels, info.format) == (24_000, 1, "WAV")
    audio, sr = entry.load_reference()
    np.testing.assert_array_equal(audio, tone(1.0))
    assert entry.prompt_bytes() == prompt_bytes(0)
    assert entry.load_prompt().ref_frames == 10


def test_create_resamples_and_keeps_original(lib: VoiceLibrary, tmp_path: Path) -> None:
    src = tmp_path / "Interview.FLAC"
    stereo = np.stack([tone(2.0, 48_000), tone(2.0, 48_000)], axis=1)
    sf.write(str(src), stereo, 48_000, format="FLAC")
    entry = lib.create("Bob", prompt=prompt_bytes(1), reference=src, original=src,
                       transcript="Custom words.")
    info = sf.info(str(entry.reference_path))
    assert (info.samplerate, info.channels) == (24_000, 1)
    assert abs(info.frames - 48_000) < 50
    assert entry.voice.original_file == "original.flac"
    assert entry.voice.original_name == "Interview.FLAC"
    assert entry.original_path.read_bytes() == src.read_bytes()
    assert entry.transcript() == "Custom words."


def test_a_reference_wav_at_24k_mono_is_kept_byte_for_byte(lib: VoiceLibrary,
                                                           tmp_path: Path) -> None:
    src = tmp_path / "clip.wav"
    sf.write(str(src), tone(1.5), 24_000, subtype="PCM_16")
    entry = lib.create("Carol", prompt=make_prompt(2), reference=src)
    assert entry.reference_path.read_bytes() == src.read_bytes()


def test_designed_voice_keeps_its_recipe(lib: VoiceLibrary) -> None:
    add_voice(lib, "Designer", kind="designed", recipe=RECIPE)
    again = VoiceLibrary(clock=lib.clock).get("designer")
    assert again.voice.recipe == RECIPE
    assert again.voice.kind == "designed"


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="designed"), "design recipe"),
    (dict(kind="cloned", recipe=RECIPE), "Only designed voices"),
    (dict(kind="robot"), "either cloned or designed"),
    (dict(audio=None), "exactly one way"),
    (dict(reference="x.wav"), "exactly one way"),
    (dict(audio=np.zeros(0, np.float32)), "empty"),
    (dict(audio=np.full(100, np.nan, np.float32)), "invalid samples"),
    (dict(description="x" * 5000), "2000 or fewer"),
    (dict(tags=["x" * 80]), "tag"),
    (dict(language="\x00"), "language"),
])
def test_create_refuses_bad_input_and_leaves_nothing(lib: VoiceLibrary, home: Path,
                                                      kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        add_voice(lib, "Bad", **kwargs)
    assert list((home / "voices").iterdir()) == []


def test_create_refuses_a_bad_prompt(lib: VoiceLibrary, home: Path) -> None:
    with pytest.raises(InvalidInput, match="damaged or not a Voice Studio prompt"):
        lib.create("Bad", prompt=b"not a prompt", audio=tone(), sample_rate=24_000)
    bad = make_prompt()
    bad.spk_embedding[0] = np.nan
    with pytest.raises(InvalidInput, match="not finite"):
        lib.create("Bad", prompt=bad, audio=tone(), sample_rate=24_000)
    assert list((home / "voices").iterdir()) == []


def test_list_is_sorted_by_name_and_get_finds_by_id_or_name(lib: VoiceLibrary) -> None:
    for i, name in enumerate(["zoë", "Émile", "bob", "Alice"]):
        add_voice(lib, name, seed=i)
    listing = lib.list()
    assert [v.name for v in listing.voices] == ["Alice", "bob", "Émile", "zoë"]
    assert listing.damaged == [] and len(listing) == 4
    assert lib.get("emile").name == "Émile"
    assert lib.get("  ÉMILE ").id == "emile"
    assert lib.get("ZOË").id == "zoe"
    with pytest.raises(VoiceNotFound, match="no voice called 'nobody'"):
        lib.get("nobody")


@pytest.mark.parametrize("hostile", ["../x", "..", ".", "/etc/passwd", "a/../../b", "",
                                     "C:\\Windows", "alice/../alice", ".tmp-1-ab", "\x00", "ALICE/"])
def test_hostile_ids_never_escape(lib: VoiceLibrary, hostile: str) -> None:
    add_voice(lib, "Alice")
    with pytest.raises(NotFound):
        lib.get(hostile)
    with pytest.raises(NotFound):
        lib.delete(hostile)
    with pytest.raises(NotFound):
        lib.restore(hostile)
    assert lib.get("alice")


def test_names_must_be_unique_and_ids_are_unique(lib: VoiceLibrary) -> None:
    add_voice(lib, "Alice")
    with pytest.raises(InvalidName, match="already exists"):
        add_voice(lib, " ALICE ")
    other = add_voice(lib, "Alice!", seed=1)
    assert other.id == "alice-2"
    with pytest.raises(InvalidName, match="already exists"):
        lib.rename("alice-2", "alice")
    assert lib.rename("alice", "ALICE").name == "ALICE"  # its own name in another case


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "a\u200bb", "tab\x07"])
def test_bad_names_are_refused(lib: VoiceLibrary, name: str) -> None:
    with pytest.raises(InvalidName):
        add_voice(lib, name)


def test_ambiguous_name_asks_for_the_id(lib: VoiceLibrary, home: Path) -> None:
    add_voice(lib, "Alice")
    add_voice(lib, "Bob", seed=1)
    meta = home / "voices" / "bob" / "voice.json"
    data = json.loads(meta.read_text("utf-8"))
    meta.write_text(json.dumps({**data, "name": "alice"}), "utf-8")  # edited by hand
    assert lib.get("alice").id == "alice"  # ids win
    with pytest.raises(AmbiguousVoice, match="alice, bob"):
        lib.get("ALICE")


def test_rename_describe_update(lib: VoiceLibrary, clock) -> None:
    add_voice(lib, "Alice", tags=["a"])
    clock.advance(hours=1)
    entry = lib.rename("alice", "  Alice Cooper  ")
    assert (entry.id, entry.name) == ("alice", "Alice Cooper")
    entry = lib.describe("Alice Cooper", "A rock voice.")
    entry = lib.update("alice", language="French", tags=["rock", " loud  voice "])
    fresh = VoiceLibrary(clock=clock).get("alice")
    assert fresh.voice == entry.voice
    assert fresh.voice.description == "A rock voice."
    assert fresh.voice.tags == ("rock", "loud voice")
    assert fresh.voice.language == "French"
    assert fresh.voice.updated - fresh.voice.created == timedelta(hours=1)
    assert sorted(p.name for p in fresh.path.iterdir()) == [
        "prompt.safetensors", "reference.wav", "transcript.txt", "voice.json"]


def test_unknown_metadata_keys_survive_an_edit(lib: VoiceLibrary) -> None:
    entry = add_voice(lib, "Alice")
    meta = entry.path / "voice.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text("utf-8")), "rating": 5}), "utf-8")
    lib.describe("alice", "x")
    assert json.loads(meta.read_text("utf-8"))["rating"] == 5


def test_duplicate_is_an_independent_copy(lib: VoiceLibrary, clock) -> None:
    src = add_voice(lib, "Alice", original=None, description="d")
    clock.advance(minutes=5)
    copy = lib.duplicate("alice")
    assert (copy.id, copy.name) == ("alice-copy", "Alice (copy)")
    assert copy.voice.created == clock.now and copy.voice.description == "d"
    for name in ("reference.wav", "prompt.safetensors", "transcript.txt"):
        assert (copy.path / name).read_bytes() == (src.path / name).read_bytes()
    assert lib.duplicate("alice").name == "Alice (copy) (2)"
    named = lib.duplicate("alice", "Twin")
    assert named.id == "twin"
    lib.delete("alice")
    assert lib.get("twin").load_prompt().ref_frames == 10


def test_delete_restore_and_purge(lib: VoiceLibrary, home: Path, clock) -> None:
    add_voice(lib, "Alice")
    add_voice(lib, "Bob", seed=1)
    item = lib.delete("Alice")
    assert (item.voice_id, item.name, item.deleted) == ("alice", "Alice", clock.now)
    assert [v.id for v in lib.list()] == ["bob"]
    with pytest.raises(VoiceNotFound):
        lib.get("alice")
    assert [t.trash_id for t in lib.list_trash()] == [item.trash_id]
    restored = lib.restore(item.trash_id)
    assert (restored.id, restored.name) == ("alice", "Alice")
    assert lib.list_trash() == []
    with pytest.raises(VoiceNotFound, match="restored or purged"):
        lib.restore(item.trash_id)

    # restoring over a reused id and name gives fresh ones
    first = lib.delete("alice")
    add_voice(lib, "Alice", seed=3)
    again = lib.restore(first.trash_id)
    assert (again.id, again.name) == ("alice-2", "Alice (2)")
    assert again.prompt_bytes() == prompt_bytes(0)
    assert json.loads((again.path / "voice.json").read_text("utf-8"))["id"] == "alice-2"

    # purge: one item now, old items by age
    old = lib.delete("bob")
    clock.advance(days=10)
    newer = lib.delete("alice")
    lib.purge(old.trash_id)
    assert [t.trash_id for t in lib.list_trash()] == [newer.trash_id]
    clock.advance(days=25)
    assert lib.purge_trash() == []  # 25 days < 30
    clock.advance(days=6)
    assert [t.trash_id for t in lib.purge_trash()] == [newer.trash_id]
    assert lib.list_trash() == []
    assert [p for p in (home / "trash").iterdir()] == []


def test_errors_are_studio_errors_with_messages(lib: VoiceLibrary) -> None:
    with pytest.raises(StudioError) as info:
        lib.rename("ghost", "x")
    assert "ghost" in str(info.value) and info.value.code == "not_found"


def test_prompt_made_for_another_model_is_still_stored_as_given(lib: VoiceLibrary) -> None:
    prompt = make_prompt(5)
    prompt.model_name = "Qwen3-TTS-12Hz-1.7B-Base"
    entry = lib.create("Big", prompt=prompt, audio=tone(), sample_rate=24_000)
    assert entry.voice.prompt_model == "Qwen3-TTS-12Hz-1.7B-Base"
    assert prompts.from_bytes(entry.prompt_bytes()).model_name == prompt.model_name


def test_x_vector_only_prompt(lib: VoiceLibrary) -> None:
    entry = lib.create("Timbre", prompt=make_prompt(1, text=None), audio=tone(),
                       sample_rate=24_000)
    assert entry.voice.x_vector_only and entry.transcript() == ""


def test_library_imports_neither_torch_nor_qt() -> None:
    code = ("import sys, studio.library, studio.library.presets; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'PySide6')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_voice_damaged_on_get(lib: VoiceLibrary) -> None:
    entry = add_voice(lib, "Alice")
    (entry.path / "prompt.safetensors").unlink()
    with pytest.raises(VoiceDamaged, match="prompt.safetensors is missing"):
        lib.get("alice")


def test_disk_errors_become_storage_errors_and_leave_nothing(
        lib: VoiceLibrary, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from studio.errors import DiskFull
    from studio.library import StorageError, staging

    def full(_path):
        raise OSError(errno.ENOSPC, "No space left on device")

    def broken(_path):
        raise OSError(errno.EIO, "Input/output error")

    add_voice(lib, "Alice")
    monkeypatch.setattr(staging, "fsync_tree", full)
    with pytest.raises(DiskFull, match=r"Could not save the voice: the disk is full \(.* free "
                       f"at {home}\\). Free some space"):
        add_voice(lib, "Bob", seed=1)
    with pytest.raises(DiskFull, match="Could not duplicate the voice: the disk is full"):
        lib.duplicate("alice")
    monkeypatch.setattr(staging, "fsync_tree", broken)
    with pytest.raises(StorageError, match="Could not save the voice: Input/output error"):
        add_voice(lib, "Bob", seed=1)
    assert {p.name for p in (home / "voices").iterdir()} == {"alice"}


def test_long_ids_stay_valid_when_numbered(lib: VoiceLibrary) -> None:
    from studio.library.ids import is_valid_id, unique_id

    base = "a" * 48
    assert unique_id(base, lambda i: i == base) == "a" * 46 + "-2"
    name = "Ω" + "b" * 99
    first = add_voice(lib, name)
    second = lib.duplicate(first.id)
    assert is_valid_id(first.id) and is_valid_id(second.id) and first.id != second.id
    assert len(second.name) <= 100


def test_reference_file_that_does_not_exist(lib: VoiceLibrary, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        lib.create("X", prompt=make_prompt(), reference=tmp_path / "missing.wav")
    with pytest.raises(InvalidInput, match="does not exist"):
        add_voice(lib, "Y", original=tmp_path / "missing.mp3")


@pytest.mark.parametrize("given, kept", [
    ("English", "English"), ("english", "English"), ("en", "English"), (" ja ", "Japanese"),
    ("auto", "Auto"), ("", "Auto"),
])
def test_language_is_kept_as_the_catalog_spells_it(lib: VoiceLibrary, given: str,
                                                   kept: str) -> None:
    assert add_voice(lib, "Alice", language=given).voice.language == kept


def test_a_language_the_models_do_not_speak_is_refused(lib: VoiceLibrary, home: Path) -> None:
    from studio.library.errors import UnsupportedLanguage

    with pytest.raises(UnsupportedLanguage, match="'Klingon'.*Choose Auto or one of: .*English"):
        add_voice(lib, "Alice", language="Klingon")
    assert list((home / "voices").iterdir()) == []
    add_voice(lib, "Alice")
    with pytest.raises(UnsupportedLanguage, match="Klingon"):
        lib.update("alice", language="Klingon")
    assert lib.get("alice").voice.language == "English"


def test_a_voice_saved_with_an_unknown_language_still_opens_and_speaks(
        lib: VoiceLibrary) -> None:
    """voice.json is read as it is: a voice saved before languages were checked still works
    (and speaks with language detection)."""
    from studio.library.anyvoice import resolve

    entry = add_voice(lib, "Alice")
    meta = json.loads((entry.path / "voice.json").read_text("utf-8"))
    meta["language"] = "Klingon"
    (entry.path / "voice.json").write_text(json.dumps(meta), "utf-8")
    assert lib.get("alice").voice.language == "Klingon"
    assert resolve("alice", lib).request("Hi.", lib).language == "auto"


def test_a_saved_voice_speaks_its_own_language_unless_told(lib: VoiceLibrary) -> None:
    from studio.library.anyvoice import resolve

    add_voice(lib, "Alice", language="German")
    ref = resolve("alice", lib)
    assert ref.request("Hallo.", lib).language == "german"
    assert ref.request("Hello.", lib, language="English").language == "English"
    assert ref.request("Hello.", lib, language="auto").language == "auto"
    assert resolve("speaker:ryan", lib).request("Hi.", lib).language == "auto"


def test_a_data_folder_that_cannot_be_used_is_a_storage_error(tmp_path: Path) -> None:
    from studio.library.errors import StorageError

    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    for root in (in_the_way, in_the_way / "below"):
        with pytest.raises(StorageError, match=f"data folder {re.escape(str(root))} cannot "
                                               "be used.*folder you can write to"):
            VoiceLibrary(root)
