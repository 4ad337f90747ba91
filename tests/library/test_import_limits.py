"""Voice files that passed the archive reader but broke later: deep JSON, huge numbers,
foreign tensor types, members between the reader's and the library's caps, and files the
format does not name. Each is refused with BadArchive, and the library is left as it was."""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from studio.library import BadArchive, VoiceLibrary, limits
from studio.library.archive import MANIFEST
from tests.library.helpers import add_voice, make_prompt, tone
from tests.library.test_archive import members_of, write_zip

DEEP = b"[" * 200_000


def exported_with_take(lib: VoiceLibrary, tmp_path: Path) -> dict[str, bytes]:
    """The members (manifest left out) of a voice whose take-2 is not the active one."""
    add_voice(lib, "Alice", transcript="First words.")
    lib.add_take("Alice", prompt=make_prompt(7, text="Second words."), audio=tone(1.0),
                 sample_rate=24_000)
    members = members_of(lib.export_voice("alice", tmp_path))
    members.pop(MANIFEST)
    lib.delete("alice")
    return members


def json_with(data: bytes, **changes: object) -> bytes:
    return json.dumps({**json.loads(data), **changes}).encode()


def wav(audio: np.ndarray, sr: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, sr, format="WAV", subtype="FLOAT")
    return buf.getvalue()


def safetensors(tensors: dict[str, tuple[str, list[int], bytes]], studio: str) -> bytes:
    """A safetensors file written by hand, to store a dtype numpy cannot (BF16)."""
    header: dict[str, object] = {"__metadata__": {"studio": studio}}
    offset = 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    head = json.dumps(header).encode()
    return len(head).to_bytes(8, "little") + head + b"".join(t[2] for t in tensors.values())


def bf16_prompt() -> bytes:
    good = make_prompt(0)
    bits = good.spk_embedding.view(np.uint32) >> 16  # bfloat16: the top half of a float32
    return safetensors({"spk_embedding": ("BF16", [64], bits.astype("<u2").tobytes()),
                        "ref_code": ("I64", [10, 16], good.ref_code.astype("<i8").tobytes())},
                       json.dumps(good.metadata()))


def hostile(good: dict[str, bytes]) -> dict[str, tuple[dict[str, bytes], str]]:
    """case -> (members, what the refusal must name)."""
    meta = good["voice.json"]
    take = "takes/take-2/take.json"
    prompt_meta = json.dumps(make_prompt(0).metadata())
    deep_meta = safetensors({"spk_embedding": ("F32", [64],
                                               make_prompt(0).spk_embedding.tobytes())},
                            '{"format": ' + "[" * 100_000)
    bloat = "x" * (2 * limits.META_BYTES)
    return {
        # 1: nesting that made the parser recurse until it crashed
        "deep-voice-json": ({**good, "voice.json": DEEP}, "nested"),
        "deep-take-json": ({**good, take: DEEP[:50_000]}, "nested"),  # under its 64 KiB cap
        "deep-prompt-header": ({**good, "prompt.safetensors":
                                len(DEEP).to_bytes(8, "little") + DEEP}, "nested"),
        "deep-prompt-metadata": ({**good, "prompt.safetensors": deep_meta}, "nested"),
        # 2: numbers no float holds
        "huge-reference-seconds": ({**good, "voice.json": meta.replace(
            b'"reference_seconds": 1.0', b'"reference_seconds": ' + b"9" * 4001)}, "seconds"),
        "huge-take-seconds": ({**good, take: good[take].replace(
            b'"reference_seconds": 1.0', b'"reference_seconds": 1' + b"0" * 4000)}, "seconds"),
        "infinite-seconds": ({**good, "voice.json": meta.replace(
            b'"reference_seconds": 1.0', b'"reference_seconds": 1e400')}, "too large"),
        "nan-seconds": ({**good, "voice.json": meta.replace(
            b'"reference_seconds": 1.0', b'"reference_seconds": NaN')}, "NaN"),
        "huge-codebook-size": ({**good, "prompt.safetensors": safetensors(
            {"spk_embedding": ("F32", [64], make_prompt(0).spk_embedding.tobytes()),
             "ref_code": ("I64", [10, 16], make_prompt(0).ref_code.tobytes())},
            json.dumps({**make_prompt(0).metadata(), "codebook_size": 10**4000}))},
            "out of range"),
        # 3: a tensor type a prompt never has
        "bf16-prompt": ({**good, "prompt.safetensors": bf16_prompt()}, "BF16"),
        "bf16-take-prompt": ({**good, "takes/take-2/prompt.safetensors": bf16_prompt()},
                             "BF16"),
        "f64-prompt": ({**good, "prompt.safetensors": safetensors(
            {"spk_embedding": ("F64", [64], np.zeros(64).tobytes())}, prompt_meta)}, "F64"),
        # 4: between the old reader's 4 MiB and what the library reads
        "voice-json-2mib": ({**good, "voice.json": json_with(meta, notes=bloat)},
                            "too large"),
        "transcript-2mib": ({**good, "transcript.txt": b"word " * (limits.META_BYTES // 2)},
                            "too large"),
        "take-json-200kb": ({**good, take: json_with(good[take], notes="x" * 200_000)},
                            "too large"),
        # 5: files other than the format promises
        "reference-8khz": ({**good, "reference.wav": wav(tone(1.0, sr=8000), 8000)},
                           "8000 Hz"),
        "take-reference-8khz": ({**good, "takes/take-2/reference.wav":
                                 wav(tone(1.0, sr=8000), 8000)}, "8000 Hz"),
        "original-pickle": ({**good, "voice.json": json_with(meta, original_file="original.pt"),
                             "original.pt": pickle.dumps({"weights": [1, 2, 3]})},
                            "not the audio"),
    }


@pytest.mark.parametrize("case", sorted(hostile(dict.fromkeys(
    ["voice.json", "takes/take-2/take.json"], b"{}"))))
def test_hostile_members_are_refused_and_nothing_is_left(lib: VoiceLibrary, tmp_path: Path,
                                                         home: Path, case: str) -> None:
    good = exported_with_take(lib, tmp_path)
    members, named = hostile(good)[case]
    path = write_zip(tmp_path / f"{case}.voice.zip", members)
    with pytest.raises(BadArchive, match=named) as info:
        lib.import_voice(path)
    assert str(info.value).startswith(f"{case}.voice.zip cannot be imported: ")
    assert "\n" not in str(info.value) and len(str(info.value)) < 400
    assert [p.name for p in (home / "voices").iterdir()] == []
    listing = lib.list()
    assert (listing.voices, listing.damaged) == ([], [])


def test_deep_manifest_is_refused(lib: VoiceLibrary, tmp_path: Path, home: Path) -> None:
    good = exported_with_take(lib, tmp_path)
    with pytest.raises(BadArchive, match="manifest is not valid JSON.*nested"):
        lib.import_voice(write_zip(tmp_path / "deep.voice.zip", good, DEEP))
    assert [p.name for p in (home / "voices").iterdir()] == []


def test_a_reference_longer_than_the_limit_is_refused(lib: VoiceLibrary, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The 15-minute limit, shrunk to 2 s so the clip stays small."""
    good = exported_with_take(lib, tmp_path)
    monkeypatch.setattr(limits, "REFERENCE_SECONDS", 2)
    long = {**good, "reference.wav": wav(tone(3.0), 24_000)}
    with pytest.raises(BadArchive, match="longer than"):
        lib.import_voice(write_zip(tmp_path / "long.voice.zip", long))
    assert lib.list().damaged == []
    assert lib.import_voice(write_zip(tmp_path / "fine.voice.zip", good)).id == "alice"


def test_the_import_caps_are_the_library_caps() -> None:
    from studio.library.archive import ImportLimits, member_cap

    caps = ImportLimits()
    assert member_cap("voice.json", caps) == limits.META_BYTES
    assert member_cap("transcript.txt", caps) == limits.TRANSCRIPT_BYTES
    assert member_cap("takes/take-2/take.json", caps) == limits.TAKE_META_BYTES
    assert member_cap("prompt.safetensors", ImportLimits(max_prompt_bytes=1 << 40)) == \
        limits.PROMPT_BYTES
