"""Export/import round trip, and a corpus of hostile voice files each refused cleanly."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from studio.errors import InvalidInput
from studio.library import BadArchive, ImportLimits, UnsupportedSchema, VoiceLibrary
from studio.library.archive import MANIFEST
from tests.library.helpers import FakeClock, add_voice, tone

FILES = ("voice.json", "reference.wav", "transcript.txt", "prompt.safetensors")


def exported(lib: VoiceLibrary, tmp_path: Path, **kwargs) -> Path:
    add_voice(lib, "Alice", description="Exported", tags=["x"], **kwargs)
    return lib.export_voice("alice", tmp_path)


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def manifest_for(members: dict[str, bytes], **changes) -> bytes:
    listed = [dict(name=n, size=len(b), sha256=hashlib.sha256(b).hexdigest())
              for n, b in members.items() if n != MANIFEST]
    data = dict(format="voice-studio-voice", version=1, members=listed, **changes)
    return json.dumps(data).encode()


def write_zip(path: Path, members: dict[str, bytes], manifest: bytes | None = None,
              tweak=None) -> Path:
    """A zip with the given members; the manifest is recomputed unless given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        if manifest is not False:
            zf.writestr(MANIFEST, manifest if manifest is not None else manifest_for(members))
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if tweak:
                tweak(info)
            zf.writestr(info, data)
    return path


def assert_nothing_left(home: Path, before: set[str]) -> None:
    assert {p.name for p in (home / "voices").iterdir()} == before


def test_round_trip_into_another_library(lib: VoiceLibrary, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import soundfile as sf

    src_clip = tmp_path / "source.ogg"
    sf.write(str(src_clip), tone(0.5), 24_000)
    path = exported(lib, tmp_path, original=src_clip)
    assert path.name == "alice.voice.zip"
    assert set(members_of(path)) == {MANIFEST, *FILES, "original.ogg"}
    other = VoiceLibrary(tmp_path / "elsewhere", clock=FakeClock())
    imported = other.import_voice(path)
    original = lib.get("alice")
    assert imported.voice == original.voice  # id, name, times, everything
    for name in (*FILES[1:], "original.ogg"):
        assert (imported.path / name).read_bytes() == (original.path / name).read_bytes()


def test_round_trip_into_the_same_library_gets_fresh_id(lib: VoiceLibrary, tmp_path: Path,
                                                        home: Path) -> None:
    path = exported(lib, tmp_path)
    again = lib.import_voice(path)
    original = lib.get("alice")
    assert (again.id, again.name) == ("alice-2", "Alice (2)")
    assert again.voice.to_dict() | {"id": "alice", "name": "Alice"} == original.voice.to_dict()
    for name in FILES[1:]:
        assert (again.path / name).read_bytes() == (original.path / name).read_bytes()
    named = lib.import_voice(path, name="Imported Alice")
    assert (named.id, named.name) == ("alice-3", "Imported Alice")
    assert {p.name for p in (home / "voices").iterdir()} == {"alice", "alice-2", "alice-3"}


def test_export_to_a_file_path_and_manifest(lib: VoiceLibrary, tmp_path: Path) -> None:
    add_voice(lib, "Bob")
    path = lib.export_voice("Bob", tmp_path / "out" / "my bob.zip")
    members = members_of(path)
    manifest = json.loads(members[MANIFEST])
    assert manifest["format"] == "voice-studio-voice" and manifest["version"] == 1
    for m in manifest["members"]:
        assert m["size"] == len(members[m["name"]])
        assert m["sha256"] == hashlib.sha256(members[m["name"]]).hexdigest()


def hostile_cases(good: dict[str, bytes]) -> dict[str, tuple]:
    """name -> (members, manifest or None to recompute or False for none, tweak, message)."""
    meta = json.loads(good["voice.json"] or b"{}")

    def with_(**changes):
        return {**good, **changes}

    def symlink(info):
        info.external_attr = (stat.S_IFLNK | 0o777) << 16

    bad_sha = json.loads(manifest_for(good))
    bad_sha["members"][1]["sha256"] = "0" * 64
    cases = {
        "traversal": (with_(**{"../evil.txt": b"x"}), None, None, "points outside"),
        "traversal-deep": (with_(**{"a/../../evil": b"x"}), None, None, "points outside"),
        "absolute": (with_(**{"/etc/passwd": b"x"}), None, None, "absolute path"),
        "drive-letter": (with_(**{"C:evil": b"x"}), None, None, "absolute path"),
        "backslash": (with_(**{"..\\evil": b"x"}), None, None, "backslash"),
        "subfolder": (with_(**{"sub/reference.wav": b"x"}), None, None, "inside a folder"),
        "unknown-member": (with_(**{"run.sh": b"x"}), None, None, "not part of a voice"),
        "symlink": (good, None, symlink, "link or folder"),
        "missing-manifest": (good, False, None, "no manifest"),
        "bad-manifest-json": (good, b"{nope", None, "not valid JSON"),
        "foreign-manifest": (good, b'{"format": "other"}', None, "not a Voice Studio"),
        "malformed-member": (good, json.dumps(dict(format="voice-studio-voice", version=1,
                             members=[{"name": "voice.json"}])).encode(), None, "malformed"),
        "unlisted-member": (good, manifest_for({"voice.json": good["voice.json"]}), None,
                            "disagree"),
        "bad-sha": (good, json.dumps(bad_sha).encode(), None, "checksum"),
        "missing-prompt": ({k: v for k, v in good.items() if k != "prompt.safetensors"},
                           None, None, "prompt.safetensors is missing"),
        "bad-prompt": (with_(**{"prompt.safetensors": b"garbage" * 10}), None, None,
                       "voice prompt is unusable"),
        "bad-reference": (with_(**{"reference.wav": b"RIFF" + b"\x00" * 60}), None, None,
                          "reference clip is unusable"),
        "bad-meta": (with_(**{"voice.json": b"{]"}), None, None, "voice.json is not valid"),
        "invalid-meta": (with_(**{"voice.json": json.dumps({**meta, "kind": "x"}).encode()}),
                         None, None, "voice.json is invalid"),
        "bad-transcript": (with_(**{"transcript.txt": b"\xff\xfe"}), None, None, "UTF-8"),
        "undeclared-original": (with_(**{"original.mp3": b"x"}), None, None,
                                "original file does not match"),
    }
    return cases


@pytest.mark.parametrize("case", sorted(hostile_cases({k: b"" for k in FILES})))
def test_hostile_voice_files_are_refused(lib: VoiceLibrary, tmp_path: Path, home: Path,
                                         case: str) -> None:
    good = members_of(exported(lib, tmp_path))
    good.pop(MANIFEST)
    members, manifest, tweak, message = hostile_cases(good)[case]
    path = write_zip(tmp_path / f"{case}.voice.zip", members, manifest, tweak)
    before = {p.name for p in (home / "voices").iterdir()}
    with pytest.raises(BadArchive, match=message) as info:
        lib.import_voice(path)
    assert str(info.value).startswith(f"{case}.voice.zip cannot be imported: ")
    assert_nothing_left(home, before)


def test_unknown_versions_are_refused(lib: VoiceLibrary, tmp_path: Path, home: Path) -> None:
    good = members_of(exported(lib, tmp_path))
    good.pop(MANIFEST)
    meta = json.loads(good["voice.json"])
    future = {**good, "voice.json": json.dumps({**meta, "schema_version": 2}).encode()}
    with pytest.raises(UnsupportedSchema, match="version 2.*Update Voice Studio"):
        lib.import_voice(write_zip(tmp_path / "future.zip", future))
    with pytest.raises(UnsupportedSchema, match="export format version 9"):
        lib.import_voice(write_zip(tmp_path / "future2.zip", good,
                                   manifest_for(good) and json.dumps(dict(
                                       json.loads(manifest_for(good)), version=9)).encode()))
    assert_nothing_left(home, {"alice"})


def test_not_a_zip_and_missing_file(lib: VoiceLibrary, tmp_path: Path) -> None:
    junk = tmp_path / "junk.voice.zip"
    junk.write_bytes(b"hello, not a zip")
    with pytest.raises(BadArchive, match="not a valid voice file"):
        lib.import_voice(junk)
    with pytest.raises(BadArchive, match="cannot be read"):
        lib.import_voice(tmp_path / "nope.zip")


def test_duplicate_member_names(lib: VoiceLibrary, tmp_path: Path, home: Path) -> None:
    good = members_of(exported(lib, tmp_path))
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf, pytest.warns(UserWarning):
        for name, data in good.items():
            zf.writestr(name, data)
        zf.writestr("transcript.txt", b"second copy")
    with pytest.raises(BadArchive, match="appears twice"):
        lib.import_voice(path)
    assert_nothing_left(home, {"alice"})


def test_oversized_member_is_refused_by_declared_size(lib: VoiceLibrary, tmp_path: Path,
                                                      home: Path) -> None:
    good = members_of(exported(lib, tmp_path))
    good.pop(MANIFEST)
    words = " ".join(str(i * 7919 % 100_003) for i in range(250_000)).encode()  # ~1.5 MB
    big = {**good, "transcript.txt": words}
    path = write_zip(tmp_path / "big.zip", big)
    with pytest.raises(BadArchive, match="too large"):  # the library reads 1 MiB at most
        lib.import_voice(path)
    with pytest.raises(BadArchive, match="too large"):
        lib.import_voice(path, limits=ImportLimits(max_small_bytes=1 << 16))
    half = write_zip(tmp_path / "half.zip", {**good, "transcript.txt": words[:500_000]})
    with pytest.raises(BadArchive, match="more than"):
        lib.import_voice(half, limits=ImportLimits(max_total_bytes=100_000))
    with pytest.raises(BadArchive, match="larger than"):
        lib.import_voice(path, limits=ImportLimits(max_archive_bytes=1000))
    assert_nothing_left(home, {"alice"})


def test_zip_bomb_is_refused(lib: VoiceLibrary, tmp_path: Path, home: Path) -> None:
    good = members_of(exported(lib, tmp_path))
    good.pop(MANIFEST)
    bomb = {**good, "original.wav": b"\x00" * (20 << 20)}  # 20 MiB of zeros -> ~20 KiB
    meta = json.loads(bomb["voice.json"])
    bomb["voice.json"] = json.dumps({**meta, "original_file": "original.wav"}).encode()
    path = write_zip(tmp_path / "bomb.zip", bomb)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(BadArchive, match="zip bomb"):
        lib.import_voice(path)
    assert_nothing_left(home, {"alice"})


def test_member_larger_than_it_declares_is_caught_while_reading(
        lib: VoiceLibrary, tmp_path: Path, home: Path) -> None:
    """Sizes in the zip's directory lie: the bytes actually decompressed are counted."""
    good = members_of(exported(lib, tmp_path))
    good.pop(MANIFEST)
    real = b"spoken words " * 1000
    members = {**good, "transcript.txt": real}
    listed = {**members, "transcript.txt": real[:100]}  # manifest matches the lie
    path = write_zip(tmp_path / "liar.zip", members, manifest_for(listed))
    data = bytearray(path.read_bytes())
    # rewrite the uncompressed size of transcript.txt in the central directory to 100
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("transcript.txt")
    central = data.rfind(b"PK\x01\x02", 0, len(data))
    while central != -1:
        name_len = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + name_len] == b"transcript.txt":
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    assert int.from_bytes(data[central + 24:central + 28], "little") == info.file_size
    data[central + 24:central + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    # zipfile stops at the declared size and then fails the CRC; the byte count is a second
    # guard for whatever reader comes next
    with pytest.raises(BadArchive, match="larger than it declares|Bad CRC"):
        lib.import_voice(path)
    assert_nothing_left(home, {"alice"})


def test_too_many_members(lib: VoiceLibrary, tmp_path: Path) -> None:
    good = members_of(exported(lib, tmp_path))
    good.pop(MANIFEST)
    many = {**good, **{f"original.a{i}": b"x" for i in range(10)}}
    with pytest.raises(BadArchive, match="more than a voice ever has"):
        lib.import_voice(write_zip(tmp_path / "many.zip", many))


def test_import_refuses_a_bad_name_override(lib: VoiceLibrary, tmp_path: Path) -> None:
    path = exported(lib, tmp_path)
    with pytest.raises(InvalidInput, match="already exists"):
        lib.import_voice(path, name="alice")


def test_bytes_read_are_capped_whatever_the_reader_says(tmp_path: Path) -> None:
    """The byte counter, not zipfile's own check, stops a member that outgrows its size."""
    from studio.library import archive

    class Liar:
        def open(self, _info):
            return io.BytesIO(b"x" * 5000)

    info = zipfile.ZipInfo("transcript.txt")
    info.file_size = 100
    listed = dict(name="transcript.txt", size=100, sha256="0" * 64)
    with pytest.raises(BadArchive, match="larger than it declares"):
        archive.extract_member(Liar(), info, listed, tmp_path, ImportLimits(), 0,
                         lambda reason: BadArchive(reason))
