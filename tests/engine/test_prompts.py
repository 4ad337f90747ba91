"""Voice prompts round-trip through safetensors and refuse what does not fit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studio.engine import prompts
from studio.engine.errors import IncompatiblePrompt
from studio.engine.options import Sampling
from studio.engine.prompts import PromptShape, VoicePrompt
from studio.engine.speak_request import CLONE, PromptRequest, SpeakRequest, make_prompt, run
from tests.engine.helpers import SR, voice_like


def _prompt(dim: int = 64, frames: int = 10) -> VoicePrompt:
    return VoicePrompt(np.linspace(-1, 1, dim, dtype=np.float32),
                       np.arange(frames * 16, dtype=np.int64).reshape(frames, 16) % 2048,
                       "Hello.", PromptShape(dim), "Tiny-Base")


def test_round_trip_on_disk_gives_the_same_take(tiny_pool, tmp_path):
    made = make_prompt(tiny_pool, PromptRequest(voice_like(3.0), SR, "Hello world."))
    path = tmp_path / "prompt.safetensors"
    prompts.save(made, path)
    loaded = prompts.load(path)
    np.testing.assert_array_equal(loaded.ref_code, made.ref_code)
    np.testing.assert_array_equal(loaded.spk_embedding, made.spk_embedding)
    assert loaded.ref_text == "Hello world." and loaded.shape == made.shape
    a = run(tiny_pool, SpeakRequest("Again.", CLONE, prompt=made, sampling=Sampling(seed=9, max_frames=6)))
    b = run(tiny_pool, SpeakRequest("Again.", CLONE, prompt=loaded, sampling=Sampling(seed=9, max_frames=6)))
    np.testing.assert_array_equal(a.audio, b.audio)


def test_x_vector_only_round_trip():
    p = VoicePrompt(np.ones(64, np.float32), None, None, PromptShape(64))
    back = prompts.from_bytes(prompts.to_bytes(p))
    assert back.x_vector_only and back.ref_code is None


def test_prompt_for_another_model_size_is_refused_with_advice(tiny_pool):
    foreign = _prompt(dim=1024)
    with pytest.raises(IncompatiblePrompt, match="re-create the voice"):
        run(tiny_pool, SpeakRequest("Hi.", CLONE, prompt=foreign, sampling=Sampling(max_frames=3)))


def _tamper(data: bytes, **meta_changes) -> bytes:
    from safetensors.numpy import load, save

    header_len = int.from_bytes(data[:8], "little")
    meta = json.loads(json.loads(data[8:8 + header_len])["__metadata__"]["studio"])
    meta.update(meta_changes)
    return save(load(data), metadata={"studio": json.dumps(meta)})


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d[:40], "damaged"),
    (lambda d: b"\x00" * 200, "damaged"),
    (lambda d: b"not a safetensors file at all", "damaged"),
    (lambda d: _tamper(d, version=99), "version 99"),
    (lambda d: _tamper(d, format="other"), "not a Voice Studio prompt"),
    (lambda d: _tamper(d, speaker_dim=32), "disagrees"),
    (lambda d: _tamper(d, x_vector_only=True), "disagree"),
    (lambda d: _tamper(d, ref_text=""), "transcript"),
])
def test_damaged_or_foreign_files_are_refused(mutate, match):
    data = prompts.to_bytes(_prompt())
    with pytest.raises(IncompatiblePrompt, match=match):
        prompts.from_bytes(mutate(data))


def test_out_of_range_codes_and_extra_tensors_are_refused():
    from safetensors.numpy import save

    good = _prompt()
    bad_codes = VoicePrompt(good.spk_embedding, good.ref_code + 5000, "x", good.shape)
    with pytest.raises(IncompatiblePrompt, match="out of range"):
        prompts.from_bytes(prompts.to_bytes(bad_codes))
    meta = {"studio": json.dumps(good.metadata())}
    extra = save({"spk_embedding": good.spk_embedding, "ref_code": good.ref_code,
                  "evil": np.zeros(3, np.float32)}, metadata=meta)
    with pytest.raises(IncompatiblePrompt, match="unexpected tensors"):
        prompts.from_bytes(extra)
    nan = VoicePrompt(np.full(64, np.nan, np.float32), good.ref_code, "x", good.shape)
    with pytest.raises(IncompatiblePrompt, match="not finite"):
        prompts.from_bytes(prompts.to_bytes(nan))


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(IncompatiblePrompt, match="Re-create"):
        prompts.load(tmp_path / "nope.safetensors")
