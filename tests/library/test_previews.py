"""Unsaved clips: retention by kind with a controlled clock, and promotion into a voice."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from studio.errors import InvalidInput, NotFound
from studio.library import PreviewArea, VoiceLibrary
from tests.library.helpers import FakeClock, make_prompt, tone


@pytest.fixture
def area(home: Path, clock: FakeClock) -> PreviewArea:
    return PreviewArea(clock=clock)


def test_add_get_remove(area: PreviewArea, home: Path, clock: FakeClock) -> None:
    item = area.add_audio(tone(0.5), 24_000, meta={"text": "Hi", "seed": 3})
    assert item.path == home / "previews" / item.id / "clip.wav"
    assert (item.kind, item.created, item.sample_rate) == ("preview", clock.now, 24_000)
    assert item.expires == clock.now + timedelta(minutes=20)
    data, sr = sf.read(str(item.path), dtype="float32")
    np.testing.assert_array_equal(data, tone(0.5))
    assert area.get(item.id) == item
    assert area.items() == [item]
    assert area.remove(item.id) and not area.remove(item.id)
    with pytest.raises(NotFound, match="expired or was discarded"):
        area.get(item.id)
    assert list((home / "previews").iterdir()) == []


def test_retention_by_kind(area: PreviewArea, clock: FakeClock) -> None:
    preview = area.add_audio(tone(0.2), 24_000, kind="preview")
    imported = area.add_audio(tone(0.2), 44_100, kind="import")
    recorded = area.add_audio(np.stack([tone(0.2)] * 2, axis=1), 24_000, kind="recording")
    clock.advance(minutes=19)
    assert area.cleanup() == 0
    clock.advance(minutes=1)
    assert area.cleanup() == 1
    assert {i.id for i in area.items()} == {imported.id, recorded.id}
    with pytest.raises(NotFound):
        area.get(preview.id)
    clock.advance(hours=11, minutes=39)
    assert area.cleanup() == 0
    assert area.cleanup(now=clock.now + timedelta(minutes=1)) == 2
    assert area.items() == []


def test_configurable_retention_and_cleanup_at_start(home: Path, clock: FakeClock) -> None:
    area = PreviewArea(clock=clock, retention={"preview": timedelta(seconds=5)})
    item = area.add_audio(tone(0.1), 24_000)
    clock.advance(seconds=6)
    PreviewArea(clock=clock, retention={"preview": timedelta(seconds=5)})  # the app restarts
    assert not (home / "previews" / item.id).exists()


def test_damaged_items_and_work_folders_are_cleaned(area: PreviewArea, home: Path) -> None:
    keep = area.add_audio(tone(0.1), 24_000)
    broken = home / "previews" / "0123456789abcdef"
    broken.mkdir()
    (broken / "item.json").write_text("{broken")
    clipless = area.add_audio(tone(0.1), 24_000)
    clipless.path.unlink()
    (home / "previews" / ".tmp-999999999-abcdef").mkdir()
    assert area.cleanup() == 3
    assert [i.id for i in area.items()] == [keep.id]


def test_bad_input(area: PreviewArea) -> None:
    with pytest.raises(InvalidInput, match="kind"):
        area.add_audio(tone(0.1), 24_000, kind="forever")
    with pytest.raises(InvalidInput, match="empty"):
        area.add_audio(np.zeros(0), 24_000)
    with pytest.raises(InvalidInput, match="sample rate"):
        area.add_audio(tone(0.1), 0)
    with pytest.raises(InvalidInput, match="details"):
        area.add_audio(tone(0.1), 24_000, meta={"x": object()})
    for hostile in ("../x", "", "0123456789ABCDEF", "a" * 16):
        with pytest.raises(NotFound):
            area.get(hostile)
    assert area.items() == []


def test_promote_moves_the_clip(area: PreviewArea, tmp_path: Path) -> None:
    item = area.add_audio(tone(0.3), 24_000)
    dest = tmp_path / "clip.wav"
    before = item.path.read_bytes()
    assert area.promote(item.id, dest) == dest
    assert dest.read_bytes() == before
    with pytest.raises(NotFound):
        area.get(item.id)


def test_saving_a_voice_promotes_its_preview(home: Path, clock: FakeClock,
                                             tmp_path: Path) -> None:
    lib = VoiceLibrary(clock=clock)
    src = tmp_path / "mine.mp3"
    src.write_bytes(b"ID3 pretend mp3")
    item = lib.previews.add_audio(tone(2.0), 24_000, kind="import", original=src,
                                  meta={"transcript": "Hi"})
    assert item.original.read_bytes() == src.read_bytes()
    inode = os.stat(item.path).st_ino
    entry = lib.create("From Preview", prompt=make_prompt(), preview=item.id)
    assert os.stat(entry.reference_path).st_ino == inode  # moved, not copied
    # the same samples in the same format (a float WAV's PEAK chunk holds the write time)
    assert same_wav(entry.reference_path.read_bytes(), sf_bytes(tone(2.0)))
    assert entry.voice.original_file == "original.mp3"
    assert entry.voice.original_name == "mine.mp3"
    assert entry.original_path.read_bytes() == src.read_bytes()
    assert lib.previews.items() == []
    assert list((home / "previews").iterdir()) == []


def test_a_preview_at_another_rate_is_converted(home: Path, clock: FakeClock) -> None:
    lib = VoiceLibrary(clock=clock)
    item = lib.previews.add_audio(tone(1.0, sr=16_000), 16_000)
    entry = lib.create("Converted", prompt=make_prompt(), preview=item)
    info = sf.info(str(entry.reference_path))
    assert (info.samplerate, info.frames) == (24_000, 24_000)
    assert lib.previews.items() == []


def test_expired_preview_cannot_be_saved(home: Path, clock: FakeClock) -> None:
    lib = VoiceLibrary(clock=clock)
    item = lib.previews.add_audio(tone(1.0), 24_000)
    clock.advance(minutes=21)
    lib.previews.cleanup()
    with pytest.raises(NotFound, match="expired"):
        lib.create("Late", prompt=make_prompt(), preview=item)
    assert list((home / "voices").iterdir()) == []


def test_item_json_is_readable(area: PreviewArea) -> None:
    item = area.add_audio(tone(0.1), 24_000, meta={"instruct": "Deep voice", "seed": 1})
    record = json.loads((item.path.parent / "item.json").read_text("utf-8"))
    assert record["kind"] == "preview" and record["meta"]["seed"] == 1


def same_wav(a: bytes, b: bytes) -> bool:
    import io

    (x, xr), (y, yr) = sf.read(io.BytesIO(a), dtype="float32"), sf.read(io.BytesIO(b), dtype="float32")
    ix, iy = sf.info(io.BytesIO(a)), sf.info(io.BytesIO(b))
    return (xr == yr and (ix.format, ix.subtype) == (iy.format, iy.subtype)
            and x.tobytes() == y.tobytes())


def sf_bytes(audio: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    sf.write(buf, audio, 24_000, format="WAV", subtype="FLOAT")
    return buf.getvalue()
