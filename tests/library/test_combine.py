"""Combining takes into one reference: joined clips at one level with a pause between, joined
words, and every refusal saying what to choose instead."""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio.edit import rms_dbfs
from studio.audio.samplerate import SAMPLE_RATE as SR
from studio.errors import InvalidInput
from studio.library import VoiceLibrary
from studio.library.combine import GAP_SECONDS, LEVEL_DBFS, combine_takes
from tests.library.helpers import add_voice, make_prompt, tone


def three_takes(lib: VoiceLibrary):
    add_voice(lib, "Alice", audio=tone(2.0, freq=220.0) * 0.2, transcript="First words")
    lib.add_take("alice", prompt=make_prompt(1), audio=tone(3.0, sr=48_000, freq=330.0),
                 sample_rate=48_000, transcript="  Second   words!  ")
    return lib.add_take("alice", prompt=make_prompt(2, text=None), audio=tone(1.0),
                        sample_rate=SR, transcript="")


def test_two_takes_join_in_order_at_one_level(lib: VoiceLibrary) -> None:
    entry = three_takes(lib)
    joined = combine_takes(entry, ["take-2", "take-1", "take-2"])  # order and repeats ignored
    assert joined.take_ids == ("take-1", "take-2") and joined.label == "Takes 1+2"
    assert joined.transcript == "First words. Second words!"
    gap = int(GAP_SECONDS * SR)
    assert len(joined.audio) == 2 * SR + gap + 3 * SR
    assert joined.audio.dtype == np.float32 and abs(joined.seconds - 5.4) < 1e-6
    first, pause, second = np.split(joined.audio, [2 * SR, 2 * SR + gap])
    assert not pause.any()
    for part in (first, second):  # a quiet take and a loud one now sit at the same level
        assert abs(rms_dbfs(part[SR // 10: -SR // 10], SR) - LEVEL_DBFS) < 0.5
    assert first[0] == 0.0 and abs(second[-1]) < 1e-6  # faded, so the joins don't click


@pytest.mark.parametrize("ids,message", [
    (["take-1"], "at least two takes"),
    (["take-1", "take-9"], "no take-9"),
    (["take-1", "take-3"], "Take 3 has no transcript"),
])
def test_refusals_say_what_to_choose(lib: VoiceLibrary, ids: list[str], message: str) -> None:
    entry = three_takes(lib)
    with pytest.raises(InvalidInput, match=message):
        combine_takes(entry, ids)


def test_too_long_together_is_refused(lib: VoiceLibrary) -> None:
    entry = three_takes(lib)
    with pytest.raises(InvalidInput, match=r"Takes 1\+2 add up to 5.4 s.*at most 5 s"):
        combine_takes(entry, ["take-1", "take-2"], max_seconds=5.0)


def test_a_damaged_take_is_refused(lib: VoiceLibrary) -> None:
    entry = three_takes(lib)
    (entry.path / "takes" / "take-2" / "reference.wav").unlink()
    with pytest.raises(InvalidInput, match="Take 2 cannot be used: take-2/reference.wav is missing"):
        combine_takes(lib.get("alice"), ["take-1", "take-2"])
