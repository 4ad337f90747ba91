"""The take history on disk: takes survive a reopen, go whole or not at all, respect the
retention and the size cap, and delete removes their files."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import soundfile as sf

from studio.errors import InvalidInput, NotFound
from studio.history import HistoryError, HistoryStore

SR = 24000


def tone(seconds: float = 0.5, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.3 * rng.standard_normal(int(seconds * SR))).clip(-1, 1).astype(np.float32)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def add(history: HistoryStore, seed: object = 7, seconds: float = 0.5,  # noqa: ANN201
        text: str = "Hello."):
    return history.add(tone(seconds, 7), SR, text=text, voice_key="speaker:ryan",
                       voice_name="Ryan", seed=seed, settings={"language": "english",
                                                               "temperature": 0.9})


def test_a_take_survives_reopening_with_everything_it_was_made_with(tmp_path):
    audio = tone()
    first = HistoryStore(tmp_path).add(audio, SR, text="Hello there.", voice_key="speaker:ryan",
                                      voice_name="Ryan", seed=1234, stop_reason="complete",
                                      settings={"language": "english", "top_k": 50})
    again = HistoryStore(tmp_path).list()
    assert [t.id for t in again] == [first.id]
    take = again[0]
    assert (take.text, take.voice_key, take.voice_name, take.seed) == (
        "Hello there.", "speaker:ryan", "Ryan", 1234)
    assert take.settings == {"language": "english", "top_k": 50}
    assert take.duration_s == pytest.approx(0.5)
    np.testing.assert_allclose(take.load_audio(), audio, atol=2e-6)  # 24-bit FLAC


def test_newest_first_and_ids_by_their_start(tmp_path):
    clock = Clock()
    history = HistoryStore(tmp_path, clock=clock)
    a = add(history, 1)
    clock.now += timedelta(minutes=1)
    b = add(history, 2)
    assert [t.id for t in history.list()] == [b.id, a.id]
    assert history.get(b.id[:15] + b.id[15:]).id == b.id
    with pytest.raises(InvalidInput):
        history.get("2025")  # both start so
    with pytest.raises(NotFound):
        history.get("nope")


def test_delete_removes_the_files(tmp_path):
    history = HistoryStore(tmp_path)
    take = add(history)
    folder = take.folder
    history.delete(take.id)
    assert not folder.exists() and history.list() == []
    assert list((tmp_path / "history").iterdir()) == []


def test_retention_and_size_cap_drop_the_oldest(tmp_path):
    clock = Clock()
    history = HistoryStore(tmp_path, keep=timedelta(days=30), max_bytes=None, clock=clock)
    old = add(history, 1)
    clock.now += timedelta(days=31)
    new = add(history, 2)  # adding prunes
    assert [t.id for t in history.list()] == [new.id]
    assert not old.folder.exists()
    one = history.size_bytes()
    capped = HistoryStore(tmp_path, keep=None, max_bytes=int(2.5 * one), clock=clock)
    ids = []
    for seed in range(3, 7):
        clock.now += timedelta(seconds=1)
        ids.append(add(capped, seed).id)
    assert [t.id for t in capped.list()] == list(reversed(ids))[:2]
    assert capped.size_bytes() <= 2.5 * one


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    history = HistoryStore(tmp_path)
    add(history, 1)

    def full(*_a, **_k) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sf, "write", full)
    with pytest.raises(HistoryError, match="No space left"):
        add(history, 2)
    assert len(history.list()) == 1
    assert [p.name for p in (tmp_path / "history").iterdir() if p.name.startswith(".")] == []


def test_leftovers_of_a_crash_are_swept_and_damaged_records_skipped(tmp_path):
    history = HistoryStore(tmp_path)
    good = add(history, 1)
    (tmp_path / "history" / ".tmp-20250101-000000-aaaa").mkdir()
    bad = tmp_path / "history" / "20250101-000000-bbbb"
    bad.mkdir()
    (bad / "take.json").write_text(json.dumps({"format": 1, "id": bad.name, "seed": True}))
    reopened = HistoryStore(tmp_path)
    assert [t.id for t in reopened.list()] == [good.id]
    assert bad.name in reopened.problems
    assert not (tmp_path / "history" / ".tmp-20250101-000000-aaaa").exists()


@pytest.mark.parametrize("seed", [False, True, -1, "7", 1.5])
def test_a_seed_is_a_whole_number(tmp_path, seed):
    with pytest.raises(InvalidInput, match="seed"):
        add(HistoryStore(tmp_path), seed=seed)


def test_export_writes_the_format_asked_for(tmp_path):
    history = HistoryStore(tmp_path)
    take = add(history)
    out = history.export(take.id, tmp_path / "out.flac")
    assert sf.info(str(out)).format == "FLAC"
    assert sf.info(str(history.export(take.id, tmp_path, "wav"))).format == "WAV"
