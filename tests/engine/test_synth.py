"""Every operation runs the real qwen-tts code on the tiny models."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.engine.options import Sampling, Streaming
from studio.engine.speak_request import (
    CLONE,
    DESIGN,
    PRESET,
    PromptRequest,
    SpeakRequest,
    make_prompt,
    run,
)
from studio.engine.take import COMPLETE, MAX_LENGTH
from tests.engine.helpers import SR, voice_like

SPF = 1920


def test_voice_design_returns_24k_audio(tiny_pool):
    take = run(tiny_pool, SpeakRequest("Hello there.", DESIGN, "english",
                                       instruct="A calm, deep male voice.",
                                       sampling=Sampling(seed=1, max_frames=10)))
    assert take.sample_rate == SR
    assert take.audio.dtype == np.float32 and take.audio.ndim == 1
    assert len(take.audio) == 10 * SPF
    assert np.isfinite(take.audio).all() and take.audio.std() > 1e-4
    assert take.stop_reason == MAX_LENGTH


def test_preset_speaker_any_case_and_language_code(tiny_pool):
    take = run(tiny_pool, SpeakRequest("Hi.", PRESET, "EN", speaker="Uncle Fu",
                                       sampling=Sampling(seed=2, max_frames=6)))
    assert len(take.audio) == 6 * SPF


def test_dialect_speaker_with_auto_language(tiny_pool):
    take = run(tiny_pool, SpeakRequest("你好。", PRESET, "auto", speaker="dylan",
                                       sampling=Sampling(seed=2, max_frames=5)))
    assert len(take.audio) == 5 * SPF


@pytest.mark.parametrize("x_vector_only", [False, True])
def test_clone_prompt_and_clone(tiny_pool, x_vector_only):
    stereo_44k = np.stack([voice_like(3.0, 44100), voice_like(3.0, 44100, seed=1)], axis=1)
    prompt = make_prompt(tiny_pool, PromptRequest(stereo_44k, 44100,
                                                  None if x_vector_only else "Hello world.",
                                                  x_vector_only))
    assert prompt.x_vector_only is x_vector_only
    assert prompt.spk_embedding.shape == (64,)
    if not x_vector_only:
        # 3 s of reference at 12.5 frames/s
        assert prompt.ref_code.shape[1] == 16 and abs(prompt.ref_code.shape[0] - 38) <= 1
    take = run(tiny_pool, SpeakRequest("Testing one two.", CLONE, "english", prompt=prompt,
                                       sampling=Sampling(seed=3, max_frames=8)))
    assert len(take.audio) == 8 * SPF and np.isfinite(take.audio).all()


def _stock_clone(tiny_pool, prompt, text, seed, frames):
    from qwen_tts import VoiceClonePromptItem

    model = tiny_pool.get("base").qwen
    item = VoiceClonePromptItem(torch.from_numpy(prompt.ref_code),
                                torch.from_numpy(prompt.spk_embedding), False, True,
                                prompt.ref_text)
    from studio.engine.fastpath import FastCodePredictor

    torch.manual_seed(seed)
    with FastCodePredictor.disabled(model.model.talker):  # stock qwen-tts, untouched
        wavs, sr = model.generate_voice_clone(text=text, language="english",
                                              voice_clone_prompt=[item], max_new_tokens=frames + 1)
    return wavs[0], sr


def test_one_shot_equals_stock_qwen_tts_and_stream_matches_it(tiny_pool):
    prompt = make_prompt(tiny_pool, PromptRequest(voice_like(3.0), SR, "Hello world."))
    text = "This is a streaming test."
    stock, sr = _stock_clone(tiny_pool, prompt, text, seed=7, frames=40)
    base = dict(mode=CLONE, language="english", prompt=prompt)
    one_shot = run(tiny_pool, SpeakRequest(text, sampling=Sampling(seed=7, max_frames=40),
                                           streaming=Streaming(enabled=False), **base))
    chunks: list[np.ndarray] = []
    streamed = run(tiny_pool, SpeakRequest(text, sampling=Sampling(seed=7, max_frames=40), **base),
                   on_chunk=chunks.append)
    assert sr == SR
    np.testing.assert_array_equal(one_shot.audio, stock)
    joined = np.concatenate(chunks)
    np.testing.assert_array_equal(joined, streamed.audio)
    assert len(joined) == len(one_shot.audio)
    assert float(np.max(np.abs(joined - one_shot.audio))) <= 1e-3
    # a small first chunk, then larger ones
    assert len(chunks[0]) == 4 * SPF
    assert len(chunks) >= 3 and max(len(c) for c in chunks) > len(chunks[0])


def test_stream_matches_one_shot_for_design_and_preset(tiny_pool):
    for req in (SpeakRequest("Good morning to you.", DESIGN, "english", instruct="A bright voice"),
                SpeakRequest("Good morning to you.", PRESET, "english", speaker="ryan")):
        kw = dict(sampling=Sampling(seed=11, max_frames=30))
        a = run(tiny_pool, SpeakRequest(**{**req.__dict__, **kw}))
        b = run(tiny_pool, SpeakRequest(**{**req.__dict__, **kw,
                                           "streaming": Streaming(enabled=False)}))
        assert len(a.audio) == len(b.audio) == 30 * SPF
        assert float(np.max(np.abs(a.audio - b.audio))) <= 1e-3


def test_seed_makes_output_repeatable(tiny_pool):
    req = dict(text="Same seed, same voice.", mode=DESIGN, language="english",
               instruct="An old man, whispering.")
    a = run(tiny_pool, SpeakRequest(**req, sampling=Sampling(seed=42, max_frames=12)))
    b = run(tiny_pool, SpeakRequest(**req, sampling=Sampling(seed=42, max_frames=12)))
    c = run(tiny_pool, SpeakRequest(**req, sampling=Sampling(seed=43, max_frames=12)))
    np.testing.assert_array_equal(a.audio, b.audio)
    assert a.seed == 42
    assert not np.array_equal(a.audio, c.audio)


def test_random_seed_is_reported_and_reproduces(tiny_pool):
    req = dict(text="Lucky dip.", mode=PRESET, language="english", speaker="aiden")
    a = run(tiny_pool, SpeakRequest(**req, sampling=Sampling(max_frames=8)))
    b = run(tiny_pool, SpeakRequest(**req, sampling=Sampling(seed=a.seed, max_frames=8)))
    np.testing.assert_array_equal(a.audio, b.audio)


def test_sampling_options_change_the_output(tiny_pool):
    req = dict(text="Options matter.", mode=PRESET, language="english", speaker="vivian")
    a = run(tiny_pool, SpeakRequest(**req, sampling=Sampling(seed=5, max_frames=10)))
    b = run(tiny_pool, SpeakRequest(**req, sampling=Sampling(seed=5, max_frames=10,
                                                             temperature=0.3, top_k=5,
                                                             top_p=0.8,
                                                             repetition_penalty=1.3)))
    assert not np.array_equal(a.audio, b.audio)


def test_model_that_ends_by_itself_completes(tmp_path):
    from studio.engine.pool import ModelPool
    from studio.testing import tiny_models

    tiny_models.build("voice_design", tmp_path / "eager", eos_scale=50.0)
    pool = ModelPool(device="cpu", roots=[tmp_path])
    take = run(pool, SpeakRequest("Short.", DESIGN, "english", instruct="x",
                                  sampling=Sampling(seed=0)))
    assert take.stop_reason == COMPLETE
    assert take.message is None
    assert 0 < take.frames < 25 and len(take.audio) == take.frames * SPF
    pool.unload()


def test_the_fast_code_predictor_draws_exactly_what_stock_generate_draws(tiny_pool):
    """Sampled and greedy: the same codes as Hugging Face generate(), bit for bit."""
    from studio.engine.fastpath import FastCodePredictor

    talker = tiny_pool.get("custom_voice").qwen.model.talker
    assert isinstance(talker.code_predictor.__dict__.get("generate"), FastCodePredictor)
    for greedy in (False, True):
        req = SpeakRequest("Bit for bit.", PRESET, "english", speaker="eric",
                           sampling=Sampling(seed=21, max_frames=12, greedy=greedy),
                           streaming=Streaming(enabled=False))
        ours = run(tiny_pool, req)
        with FastCodePredictor.disabled(talker):
            stock = run(tiny_pool, req)
        np.testing.assert_array_equal(ours.audio, stock.audio)
