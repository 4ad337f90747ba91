"""Streaming while generating, cancel from another thread, the runaway guard, long text."""

from __future__ import annotations

import threading

import numpy as np

from studio.engine import text as textmod
from studio.engine.engine_thread import EngineThread
from studio.engine.options import Sampling
from studio.engine.speak_request import DESIGN, PRESET, SpeakRequest, run
from studio.engine.stream import CancelToken
from studio.engine.take import CANCELLED, RUNAWAY

SPF = 1920


def test_chunks_arrive_while_the_model_is_still_generating(tiny_pool):
    """The frame tap's count at each chunk shows generation had not finished."""
    synth = tiny_pool.synthesizer("custom_voice")
    talker = synth.model.qwen.model.talker
    steps = {"n": 0}
    handle = talker.register_forward_hook(lambda *_: steps.__setitem__("n", steps["n"] + 1))
    seen: list[int] = []
    try:
        take = synth.preset("Streaming as it goes.", "serena", "english",
                            sampling=Sampling(seed=1, max_frames=30),
                            on_chunk=lambda _a: seen.append(steps["n"]))
    finally:
        handle.remove()
    assert take.frames == 30
    assert len(seen) >= 3
    assert seen[0] <= 6  # first audio after ~4 decode steps (plus the prefill)
    assert seen[-2] < steps["n"]  # all but the final flush came before generation ended
    assert take.first_chunk_s is not None and take.first_chunk_s < take.elapsed_s / 2


def test_iterator_yields_before_the_take_ends_and_cancel_keeps_what_was_made(tiny_pool):
    engine = EngineThread(tiny_pool)
    try:
        stream = engine.stream(SpeakRequest("Cancel me please.", PRESET, "english",
                                            speaker="ryan",
                                            sampling=Sampling(seed=3, max_frames=200)))
        chunks = []
        for chunk in stream:
            chunks.append(chunk)
            if len(chunks) == 1:
                assert not stream.future.done()
                stream.cancel()
        take = stream.result(timeout=30)
    finally:
        engine.close()
    assert take.stop_reason == CANCELLED
    assert take.message and "Kept" in take.message
    # stopped within a couple of decode steps of the cancel (first chunk = 4 frames)
    assert take.frames <= 4 + 2
    np.testing.assert_array_equal(np.concatenate(chunks), take.audio)
    assert len(take.audio) == take.frames * SPF


def test_cancel_from_another_thread_mid_generation(tiny_pool):
    synth = tiny_pool.synthesizer("voice_design")
    cancel = CancelToken()
    at_cancel: list[int] = []
    frames_seen = {"n": 0}

    def on_chunk(_a: np.ndarray) -> None:
        frames_seen["n"] += 1
        if frames_seen["n"] == 2:
            t = threading.Thread(target=cancel.cancel)
            t.start()
            t.join()
            at_cancel.append(1)

    take = synth.design("A long sentence that would go on.", "A voice", "english",
                        sampling=Sampling(seed=4, max_frames=300), on_chunk=on_chunk,
                        cancel=cancel)
    assert at_cancel and take.stop_reason == CANCELLED
    assert take.frames < 4 + 8 + 3  # first chunk (4) + second (8), then at most 2 more steps


def test_runaway_guard_stops_a_generation_that_never_ends(tiny_pool):
    text = "Hi."
    budget = textmod.frame_budget(text)
    take = run(tiny_pool, SpeakRequest(text, DESIGN, "english", instruct="A voice",
                                       sampling=Sampling(seed=0)))
    assert take.stop_reason == RUNAWAY
    assert take.frames == budget
    assert "runaway guard" in (take.message or "")


def test_long_text_is_segmented_and_streamed_as_one_take(tiny_pool):
    text = ("First sentence here. Second one follows! " * 6).strip() + "\n\nA new paragraph."
    for batch, pack in ((1, None), (0, textmod.SENTENCE_PACK_CHARS)):
        _one_take_in_order(tiny_pool, text, textmod.segment(text, pack=pack), batch)


def _one_take_in_order(tiny_pool, text: str, segments: list, batch: int) -> None:  # noqa: ANN001
    """Made one by one (packed segments) or several at once (sentence by sentence)."""
    from studio.engine.options import Streaming

    assert len(segments) >= 2
    chunks: list[np.ndarray] = []
    take = run(tiny_pool, SpeakRequest(text, PRESET, "english", speaker="aiden",
                                       sampling=Sampling(seed=5, max_frames=6),
                                       streaming=Streaming(batch=batch)),
               on_chunk=chunks.append)
    assert take.segments == len(segments)
    np.testing.assert_array_equal(np.concatenate(chunks), take.audio)
    pauses = [int(round(p * 24000)) for _s, p in segments[:-1]]
    assert len(take.audio) == len(segments) * 6 * SPF + sum(pauses)
    # the pause after the first segment is silence
    start = 6 * SPF
    assert not np.any(take.audio[start:start + pauses[0]])


def test_unloading_frees_the_codec_decoder_after_a_streamed_clone(tiny_models_dir):
    """The cached clone warm-up must not keep an unloaded model's codec decoder alive."""
    import gc
    import weakref

    from studio.engine.options import Streaming
    from studio.engine.pool import ModelPool
    from studio.engine.speak_request import CLONE, PromptRequest, make_prompt
    from tests.engine.helpers import SR, voice_like

    pool = ModelPool(device="cpu", roots=[tiny_models_dir])
    prompt = make_prompt(pool, PromptRequest(voice_like(2.0), SR, "Hello world."))
    chunks: list[np.ndarray] = []
    take = run(pool, SpeakRequest("Free me after.", CLONE, "english", prompt=prompt,
                                  sampling=Sampling(seed=5, max_frames=6),
                                  streaming=Streaming(enabled=True)),
               on_chunk=chunks.append)
    assert chunks and len(take.audio) == 6 * SPF
    codec = weakref.ref(pool.get("base").qwen.model.speech_tokenizer.model.decoder)
    assert pool.unload() == 1
    gc.collect()
    assert codec() is None
