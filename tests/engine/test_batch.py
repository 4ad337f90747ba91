"""Segments made as one batch: the same codes as alone (float64, greedy), one take streamed in
order, repeatable for a seed, each row ending on its own (end of speech, caps, cancel)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from studio.engine import batch_rows, batch_size, batch_takes, models
from studio.engine.models import DeviceChoice
from studio.engine.options import Sampling, Streaming
from studio.engine.row_sampler import RowOptions
from studio.engine.stream import CancelToken
from studio.engine.synth import Synthesizer
from studio.engine.take import CANCELLED, COMPLETE, MAX_LENGTH
from studio.hub import discover
from tests.engine.helpers import SR, voice_like

SPF = 1920
# four paragraphs: four segments of different lengths (the left padding differs per row)
TEXT = ("Hello there.\n\nThis is a much longer second sentence with many words in it.\n\n"
        "Short!\n\nAnd one more sentence to end with.")


@pytest.fixture(scope="module")
def f64(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synthesizer]:
    """Tiny models that end speech by themselves at different lengths, in float64."""
    from studio.engine.compat import import_qwen_tts
    from studio.testing import tiny_models

    import_qwen_tts()
    root = tmp_path_factory.mktemp("eos-models")
    tiny_models.build_all(root, eos_scale=0.08)
    device = DeviceChoice("cpu", "float64", None, 1)
    return {info.kind: Synthesizer(models.load(info, device)) for info in discover([Path(root)])}


def _plan(synth: Synthesizer, call) -> batch_takes.TakePlan:  # noqa: ANN001
    plans: list[batch_takes.TakePlan] = []
    synth.runner = plans.append
    try:
        call()
    finally:
        synth.runner = None
    return plans[0]


def _greedy() -> dict:
    return dict(do_sample=False, subtalker_dosample=False)


def _alone(synth: Synthesizer, seg: batch_takes.Segment, cap: int) -> torch.Tensor:
    """The segment's codes from qwen-tts's own generate, by itself, greedy."""
    qwen = synth.model.qwen
    kwargs = qwen._merge_generate_kwargs(max_new_tokens=cap + 1, **_greedy())
    with torch.inference_mode():
        codes, _hidden = qwen.model.generate(**seg.inputs, **kwargs)
    return codes[0]


def _batched(synth: Synthesizer, segments: list[batch_takes.Segment], cap: int,
             streaming: Streaming = Streaming(enabled=False)) -> list[batch_rows.RowState]:
    qwen = synth.model.qwen
    options = RowOptions.from_kwargs(0, qwen._merge_generate_kwargs(**_greedy()))
    rows = [batch_rows.Row(seg.inputs, seg.context, options, cap, False, lambda _a: None,
                           lambda _f, _r: None) for seg in segments]
    return batch_rows.generate_rows(synth.model, rows, streaming)


@pytest.mark.parametrize("kind", ["custom_voice", "voice_design", "base"])
def test_each_segment_in_a_batch_makes_the_codes_it_makes_alone(f64, kind):
    synth = f64[kind]
    if kind == "custom_voice":
        plan = _plan(synth, lambda: synth.preset(TEXT, "ryan", "english"))
    elif kind == "voice_design":
        plan = _plan(synth, lambda: synth.design(TEXT, "A calm voice.", "english"))
    else:
        prompt = synth.make_prompt(voice_like(3.0), SR, "Hello world.")
        plan = _plan(synth, lambda: synth.clone(TEXT, prompt, "english"))
    assert len(plan.segments) == 4
    alone = [_alone(synth, seg, 30) for seg in plan.segments]
    together = _batched(synth, plan.segments, 30)
    if kind == "custom_voice":  # rows really end at different steps
        assert len({len(a) for a in alone}) > 1
    for codes, state in zip(alone, together, strict=True):
        assert torch.equal(codes, torch.stack(state.codes))
        assert state.reason == (COMPLETE if len(codes) < 30 else MAX_LENGTH)


def test_the_code_predictor_works_only_for_rows_still_speaking(f64):
    """Rows that ended stay in Hugging Face's batch until the last one ends, but the code
    predictor (most of a frame's cost) then runs for the live rows only, and the rows still
    speaking make the codes they make alone."""
    synth = f64["custom_voice"]
    plan = _plan(synth, lambda: synth.preset(TEXT, "ryan", "english"))
    qwen = synth.model.qwen
    options = RowOptions.from_kwargs(0, qwen._merge_generate_kwargs(**_greedy()))
    caps = [1, 2, 3, 30]
    rows = [batch_rows.Row(seg.inputs, None, options, cap, False, lambda _a: None,
                           lambda _f, _r: None) for seg, cap in zip(plan.segments, caps,
                                                                    strict=True)]
    sizes: list[int] = []

    def count(_module, _args, kwargs):  # noqa: ANN001, ANN202
        if kwargs.get("inputs_embeds") is not None:  # the first of a frame's 15 inner steps
            sizes.append(int(kwargs["inputs_embeds"].shape[0]))

    hook = qwen.model.talker.code_predictor.register_forward_pre_hook(count, with_kwargs=True)
    try:
        states = batch_rows.generate_rows(synth.model, rows, Streaming(enabled=False))
    finally:
        hook.remove()
    assert [len(s.codes) for s in states[:3]] == [1, 2, 3]
    assert sizes[:3] == [4, 3, 2] and set(sizes[3:]) == {1}
    assert torch.equal(torch.stack(states[3].codes), _alone(synth, plan.segments[3], 30))


def test_a_batched_take_is_the_sequential_take_in_float64(f64):
    """Codes equal, and the batch decoder (one call per step for all rows) decodes them to
    the same audio as one decoder per segment."""
    synth = f64["custom_voice"]
    runs = {}
    for batch in (1, 4):
        chunks: list[np.ndarray] = []
        take = synth.preset(TEXT, "ryan", "english", sampling=Sampling(greedy=True, seed=1),
                            streaming=Streaming(batch=batch), on_chunk=chunks.append)
        np.testing.assert_array_equal(np.concatenate(chunks), take.audio)
        runs[batch] = take
    one, four = runs[1], runs[4]
    assert four.segments == 4 and four.frames == one.frames and four.stop_reason == COMPLETE
    assert len(four.audio) == len(one.audio)
    assert float(np.max(np.abs(four.audio - one.audio))) < 1e-9


def test_a_cloned_voice_batch_decodes_with_the_reference_in_front(f64):
    synth = f64["base"]
    prompt = synth.make_prompt(voice_like(3.0), SR, "Hello world.")
    kw = dict(sampling=Sampling(greedy=True, max_frames=12))
    one = synth.clone(TEXT, prompt, "english", streaming=Streaming(batch=1), **kw)
    many = synth.clone(TEXT, prompt, "english", streaming=Streaming(batch=3), **kw)
    assert len(one.audio) == len(many.audio)
    assert float(np.max(np.abs(one.audio - many.audio))) < 1e-9


def test_the_batch_decoder_makes_one_call_per_chunk_for_all_rows(f64):
    from studio.engine.batch_decode import BatchDecoder, StepFrames

    synth = f64["custom_voice"]
    codec = synth.model.qwen.model.speech_tokenizer.model.decoder
    dec = BatchDecoder(codec, SPF, [None, None, None], first_chunk=2, chunks=(3,))
    gen = torch.Generator().manual_seed(0)
    out = []
    for step in range(5):
        frames = {row: torch.randint(0, 64, (16,), generator=gen) for row in range(3)}
        if step > 2:
            del frames[1]  # row 1 ended at step 2 (its length cap, say)
        out += dec.push(StepFrames(frames, ended=(1,) if step == 2 else ()))
    out += dec.flush()
    assert dec.calls == 3  # chunks at 2 frames, at row 1's end (3rd frame), at the flush
    lengths = {row: sum(len(a.audio) for a in out if a.row == row) for row in range(3)}
    assert lengths == {0: 5 * SPF, 1: 3 * SPF, 2: 5 * SPF}
    assert [a.row for a in out if a.last] == [1, 0, 2]


def test_a_sampled_batched_take_repeats_for_its_seed(tiny_pool):
    synth = tiny_pool.synthesizer("custom_voice")
    kw = dict(speaker="vivian", language="english")

    def make(seed: int, batch: int) -> np.ndarray:
        return synth.preset(TEXT, sampling=Sampling(seed=seed, max_frames=8),
                            streaming=Streaming(batch=batch), **kw).audio

    a, b, c = make(5, 3), make(5, 3), make(6, 3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # each segment draws from its own seeded generator: the batch size does not matter
    # beyond float rounding
    d = make(5, 2)
    assert len(d) == len(a) and float(np.max(np.abs(d - a))) < 1e-3


def test_stopping_a_batched_take_keeps_what_was_streamed(tiny_pool):
    synth = tiny_pool.synthesizer("custom_voice")
    cancel = CancelToken()
    chunks: list[np.ndarray] = []

    def on_chunk(audio: np.ndarray) -> None:
        chunks.append(audio)
        cancel.cancel()

    take = synth.preset(TEXT, "ryan", "english", sampling=Sampling(seed=1, max_frames=40),
                        streaming=Streaming(batch=4), on_chunk=on_chunk, cancel=cancel)
    assert take.stop_reason == CANCELLED
    np.testing.assert_array_equal(np.concatenate(chunks), take.audio)
    assert 0 < len(take.audio) < 40 * SPF


@pytest.mark.parametrize("overlap", [False, True])
def test_a_failing_row_is_never_reported_whole(tiny_pool, overlap):
    """An error in a row's audio callback (a server's client gone wrong, say) ends the batch
    with that error; the take is not also handed on as complete."""
    from studio.engine import batch_requests
    from studio.engine.speak_request import PRESET, SpeakRequest

    streaming = Streaming(first_chunk=2, chunks=(2,), overlap=overlap)
    request = SpeakRequest("Hello there.", PRESET, speaker="ryan",
                           sampling=Sampling(seed=1, max_frames=8), streaming=streaming)
    chunks: list[int] = []
    done: list[object] = []

    def on_chunk(audio: np.ndarray) -> None:
        chunks.append(len(audio))
        if len(chunks) == 2:
            raise RuntimeError("the client fell over")

    with pytest.raises(RuntimeError, match="fell over"):
        batch_requests.run_batch(tiny_pool, [request], [on_chunk], [None],
                                 on_dones=[done.append])
    assert len(chunks) == 2 and done == []


def test_the_first_segment_streams_before_the_others_are_done(tiny_pool):
    synth = tiny_pool.synthesizer("custom_voice")
    talker = synth.model.qwen.model.talker
    steps = {"n": 0}
    handle = talker.register_forward_hook(lambda *_: steps.__setitem__("n", steps["n"] + 1))
    seen: list[tuple[int, int]] = []
    try:
        take = synth.preset(TEXT, "serena", "english", sampling=Sampling(seed=2, max_frames=20),
                            streaming=Streaming(batch=4),
                            on_chunk=lambda a: seen.append((steps["n"], len(a))))
    finally:
        handle.remove()
    assert take.segments == 4 and take.frames == 4 * 20
    # segment 1's first audio comes within the first chunk's 4 steps after the prefill (this
    # short sentence is all within a chunk of its planned end: decoded step by step)
    assert seen[0][0] <= 7 and 0 < seen[0][1] <= 4 * SPF
    assert steps["n"] == 21  # all four segments in one batch: the prefill and 20 steps
    pauses = sum(1 for _n, size in seen if size in (int(0.28 * SR), int(0.55 * SR)))
    assert pauses == 3


def test_the_published_progress_plans_with_the_segments_caps(tiny_pool):
    """A start policy plans with each segment's length: the text's guess, but never more
    than the frames the segment may take."""
    from studio.audio.forecast import ProgressBox

    synth = tiny_pool.synthesizer("custom_voice")
    box = ProgressBox()
    seen = []
    synth.progress = box
    try:
        synth.preset(TEXT, "serena", "english", sampling=Sampling(seed=2, max_frames=10),
                     streaming=Streaming(batch=4), on_chunk=lambda _a: seen.append(box.latest))
    finally:
        synth.progress = None
    published = [p for p in seen if p is not None]
    assert published
    for progress in published:
        assert len(progress.segments) == 4
        for seg in progress.segments:
            assert seg.expected_s <= 10 / 12.5 + 1e-9


def test_batch_size_follows_the_rows_the_setting_and_the_memory(tiny_pool, monkeypatch):
    model = tiny_pool.get("custom_voice")
    assert batch_size.choose(model, 1) == 1
    assert batch_size.choose(model, 5) == 5
    assert batch_size.choose(model, 30) == batch_size.CPU_MAX
    assert batch_size.choose(model, 30, requested=3) == 3
    per_row = batch_size.row_bytes(model, 400)
    monkeypatch.setattr(batch_size, "available_bytes", lambda _d: int(per_row * 2 / 0.5) + 1)
    assert batch_size.choose(model, 30) == 2
    monkeypatch.setattr(batch_size, "available_bytes", lambda _d: 0)
    assert batch_size.choose(model, 30) == 1


def test_batch_one_is_the_sequential_path(tiny_pool, monkeypatch):
    called = []
    monkeypatch.setattr(batch_takes, "run", lambda *a, **k: called.append(a))
    synth = tiny_pool.synthesizer("custom_voice")
    take = synth.preset(TEXT, "ryan", "english", sampling=Sampling(seed=1, max_frames=4),
                        streaming=Streaming(batch=1))
    assert take.segments == 4 and not called


def test_the_row_pace_follows_the_decoder_when_it_falls_behind():
    from studio.engine.batch_decode import DecodeMeter

    frame_s = 0.08
    unmeasured = DecodeMeter()
    assert batch_takes.row_pace(3, 0.5, frame_s, 12, unmeasured) == (frame_s / 0.5, 12 * 0.5)
    quick = DecodeMeter(busy_s=1.0, decoded=100, pushed=104)  # 10 ms a frame, keeps up
    rate, lag = batch_takes.row_pace(3, 0.5, frame_s, 12, quick)
    assert rate == pytest.approx(frame_s / 0.5)  # generation sets the pace
    assert lag == pytest.approx(4 * 0.01)  # what it holds: a step's frames, and one more
    slow = DecodeMeter(busy_s=30.0, decoded=100, pushed=160)  # 0.3 s a frame, 60 behind
    rate, lag = batch_takes.row_pace(3, 0.5, frame_s, 12, slow)
    assert rate == pytest.approx(frame_s / 0.9)  # the decoder's pace for 3 rows
    assert lag == pytest.approx(60 * 0.3)


def test_the_meter_counts_what_the_batch_decoder_did(tiny_pool):
    from studio.engine.batch_decode import DecodeMeter

    synth = tiny_pool.synthesizer("custom_voice")
    plan = _plan(synth, lambda: synth.preset(TEXT, "serena", "english"))
    qwen = synth.model.qwen
    options = RowOptions.from_kwargs(0, qwen._merge_generate_kwargs())
    rows = [batch_rows.Row(seg.inputs, None, options, 9, False, lambda _a: None,
                           lambda _f, _r: None) for seg in plan.segments]
    meter = DecodeMeter()
    batch_rows.generate_rows(synth.model, rows, Streaming(), meter=meter)
    assert meter.decoded == meter.pushed == 4 * 9 and meter.backlog == 0
    assert meter.seconds_per_frame is not None and meter.seconds_per_frame > 0


def test_near_its_planned_end_a_row_is_decoded_step_by_step(f64):
    """Within a chunk of a row's planned end its frames are decoded as they come, so its last
    audio follows its last frame by a step; the chunking depends on the frames only."""
    from studio.engine.batch_decode import BatchDecoder, StepFrames

    codec = f64["custom_voice"].model.qwen.model.speech_tokenizer.model.decoder
    dec = BatchDecoder(codec, SPF, [None, None], first_chunk=2, chunks=(3,), ends=[7, 20])
    gen = torch.Generator().manual_seed(0)
    sizes = []
    for _step in range(7):
        out = dec.push(StepFrames({row: torch.randint(0, 64, (16,), generator=gen)
                                   for row in range(2)}))
        sizes.append(sum(len(a.audio) for a in out if a.row == 0) // SPF)
    # a first chunk of 2 frames; from frame 4 (within a 3-frame chunk of frame 7) every step
    assert sizes == [0, 2, 0, 2, 1, 1, 1]
