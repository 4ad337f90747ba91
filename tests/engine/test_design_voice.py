"""A design take keeps one voice: the first segment is designed, the rest cloned from it by
the Base model; a keeper's voice is only cloned. Real qwen-tts on the tiny models, watched
through the calls the models receive."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engine.design_voice import NO_BASE_NOTE, sample_plan
from studio.engine.drawn_voice import DrawnVoice
from studio.engine.options import Sampling
from studio.engine.pool import ModelPool
from studio.engine.speak_request import DESIGN, SpeakRequest, run
from studio.engine.stream import CancelToken
from studio.engine.take import CANCELLED, MAX_LENGTH, RUNAWAY
from studio.testing.model_calls import watch_models

SPF = 1920
FRAMES = 15  # 1.2 s a piece: long enough for the Base model to clone from
PARAGRAPHS = [
    "The old captain looked out across the grey and restless sea.",
    "He had sailed these waters for forty years and knew every current.",
    "Tonight the wind was rising, and the gulls had gone quiet.",
]
TEXT = "\n\n".join(PARAGRAPHS)
GAP = int(0.55 * 24000)  # the pause after a paragraph
DESCRIPTION = "A weathered old sea captain, gravelly and slow."


class Keeper:
    """Holds the voice in memory, as the library's store holds it on disk."""

    def __init__(self) -> None:
        self.voice: DrawnVoice | None = None
        self.kept_count = 0

    def kept(self) -> DrawnVoice | None:
        return self.voice

    def keep(self, voice: DrawnVoice) -> None:
        self.voice = voice
        self.kept_count += 1


def _request(text: str = TEXT, keeper: Keeper | None = None, seed: int = 5,
             frames: int | None = FRAMES) -> SpeakRequest:
    return SpeakRequest(text, DESIGN, "english", instruct=DESCRIPTION, keeper=keeper,
                        sampling=Sampling(seed=seed, max_frames=frames))


def test_a_long_design_take_designs_once_and_clones_the_rest_with_base(tiny_pool):
    chunks: list[np.ndarray] = []
    with watch_models() as calls:
        take = run(tiny_pool, _request(), on_chunk=chunks.append)
    assert calls.generated == {"voice_design": 1, "base": 2}
    assert calls.prompts == {"base": 1}
    assert take.segments == 3 and take.stop_reason == MAX_LENGTH and take.seed == 5
    assert len(take.audio) == 3 * FRAMES * SPF + 2 * GAP
    np.testing.assert_array_equal(np.concatenate(chunks), take.audio)  # streamed in order
    voice = take.voice
    assert voice is not None and voice.text == PARAGRAPHS[0]
    assert voice.prompt.model_name == "Qwen3-TTS-12Hz-Tiny-Base"
    np.testing.assert_array_equal(voice.sample, take.audio[:FRAMES * SPF])
    assert voice.description == DESCRIPTION and voice.seed == 5
    # the same seed makes the same take again
    np.testing.assert_array_equal(run(tiny_pool, _request()).audio, take.audio)


def test_a_kept_voice_is_only_cloned(tiny_pool):
    keeper = Keeper()
    first = run(tiny_pool, _request(PARAGRAPHS[0], keeper))  # one segment: still kept
    assert keeper.kept_count == 1 and first.voice is keeper.voice
    with watch_models() as calls:
        second = run(tiny_pool, _request(TEXT, keeper, seed=9))
    assert calls.generated == {"base": 3} and not calls.prompts
    assert second.model_name == "Qwen3-TTS-12Hz-Tiny-Base" and second.voice is keeper.voice
    assert keeper.kept_count == 1


def test_short_openings_are_designed_together_as_the_sample():
    plan = sample_plan([("Chapter one.", 0.55), ("Hello.", 0.28), (PARAGRAPHS[0], 0.28),
                        (PARAGRAPHS[1], 0.0)])
    assert plan == [(f"Chapter one. Hello. {PARAGRAPHS[0]}", 0.28), (PARAGRAPHS[1], 0.0)]


def test_a_sample_too_short_to_clone_from_is_followed_by_the_next(tiny_pool):
    keeper = Keeper()
    frames = 8  # 0.64 s: under the Base model's one second
    with watch_models() as calls:
        take = run(tiny_pool, _request(keeper=keeper, frames=frames))
    assert calls.generated["voice_design"] == 3 and take.voice is None
    assert keeper.voice is None and len(take.audio) == 3 * frames * SPF + 2 * GAP


def test_cancel_during_the_cloned_rest_keeps_what_was_made_and_the_voice(tiny_pool):
    keeper = Keeper()
    token = CancelToken()
    chunks: list[int] = []

    def on_chunk(audio: np.ndarray) -> None:
        chunks.append(len(audio))
        if keeper.voice is not None and sum(chunks) > FRAMES * SPF + GAP:
            token.cancel()  # a chunk of the cloned rest has arrived

    take = run(tiny_pool, _request(keeper=keeper, frames=40), on_chunk=on_chunk, cancel=token)
    assert take.stop_reason == CANCELLED and keeper.voice is not None
    assert 40 * SPF < len(take.audio) < 3 * 40 * SPF
    assert len(take.audio) == sum(chunks)


def test_the_runaway_guard_ends_a_design_take(tiny_pool):
    with watch_models() as calls:
        take = run(tiny_pool, _request(PARAGRAPHS[0] + "\n\nAnd more.", frames=None))
    assert take.stop_reason == RUNAWAY and calls.generated == {"voice_design": 1}


@pytest.fixture(scope="module")
def design_only_pool(tiny_models_dir):
    pool = ModelPool(device="cpu", roots=[tiny_models_dir / "Qwen3-TTS-12Hz-Tiny-VoiceDesign"])
    yield pool
    pool.unload()


def test_without_a_base_model_the_take_completes_with_a_note(design_only_pool):
    keeper = Keeper()
    with watch_models() as calls:
        take = run(design_only_pool, _request(keeper=keeper))
    assert calls.generated == {"voice_design": 3}
    assert len(take.audio) == 3 * FRAMES * SPF + 2 * GAP and take.voice is None
    assert take.notes == [NO_BASE_NOTE]
    assert take.download_hint == "Qwen/Qwen3-TTS-12Hz-0.6B-Base"
    assert keeper.voice is None
    # a single segment with nobody to keep the voice needs no Base model: no note
    assert not run(design_only_pool, _request(PARAGRAPHS[0])).notes


def test_a_kept_voice_made_for_a_base_model_that_is_gone_is_remade_from_its_sample(tiny_pool):
    from studio.engine.prompts import PromptShape, VoicePrompt
    from tests.engine.helpers import voice_like

    rng = np.random.default_rng(0)
    other = VoicePrompt(rng.standard_normal(32).astype(np.float32),
                        rng.integers(0, 2048, (20, 16)).astype(np.int64), "Hello there.",
                        PromptShape(32), "Qwen3-TTS-12Hz-1.7B-Base")
    keeper = Keeper()
    keeper.voice = DrawnVoice(other, voice_like(2.0, 24000), 24000, DESCRIPTION, "english", 1,
                              "Qwen3-TTS-12Hz-1.7B-VoiceDesign")
    with watch_models() as calls:
        take = run(tiny_pool, _request(PARAGRAPHS[0], keeper))
    assert calls.generated == {"base": 1} and calls.prompts == {"base": 1}
    assert keeper.kept_count == 1 and keeper.voice.prompt.shape.speaker_dim == 64
    assert keeper.voice.seed == 1 and take.voice is keeper.voice
