"""A built-in design voice is drawn once and kept: the store on disk, the requests it makes,
and, on the tiny models, the second take that clones the kept voice without designing."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engine.drawn_voice import DrawnVoice
from studio.engine.options import Sampling
from studio.engine.prompts import PromptShape, VoicePrompt
from studio.engine.speak_request import DESIGN, run
from studio.library import VoiceLibrary
from studio.library.anyvoice import resolve
from studio.library.design_voices import (
    DesignVoiceStore,
    kept_design_prompt,
    save_designed,
)
from studio.library.presets import design_preset
from studio.testing.model_calls import watch_models

CAPTAIN = "old-sea-captain"


def _voice(description: str, seed: int = 3) -> DrawnVoice:
    rng = np.random.default_rng(seed)
    prompt = VoicePrompt(rng.standard_normal(64).astype(np.float32),
                         rng.integers(0, 2048, (20, 16)).astype(np.int64), "Aye, lad.",
                         PromptShape(64), "Qwen3-TTS-12Hz-Tiny-Base")
    sample = (0.1 * rng.standard_normal(24000 * 2)).astype(np.float32)
    return DrawnVoice(prompt, sample, 24000, description, "english", seed,
                      "Qwen3-TTS-12Hz-Tiny-VoiceDesign", Sampling(temperature=0.8, seed=seed))


@pytest.fixture
def captain():
    preset = design_preset(CAPTAIN)
    assert preset is not None
    return preset


def test_the_store_keeps_forgets_and_redraws_for_a_new_description(home, captain):
    store = DesignVoiceStore()
    assert store.folder == home / "cache" / "design-voices"
    assert store.kept(CAPTAIN, captain.description) is None
    voice = _voice(captain.description)
    store.keep(CAPTAIN, voice)
    back = store.kept(CAPTAIN, captain.description)
    assert back is not None and back.seed == 3 and back.text == "Aye, lad."
    np.testing.assert_array_equal(back.prompt.ref_code, voice.prompt.ref_code)
    np.testing.assert_allclose(back.sample, voice.sample, atol=1e-7)
    assert back.sampling.temperature == 0.8 and back.design_model.endswith("VoiceDesign")
    assert kept_design_prompt(CAPTAIN) is not None
    # an update that rewords the preset draws a new voice
    assert store.kept(CAPTAIN, "A young woman.") is None
    # "New voice"
    assert store.forget(CAPTAIN) and not store.forget(CAPTAIN)
    assert store.kept(CAPTAIN, captain.description) is None
    assert kept_design_prompt(CAPTAIN) is None and kept_design_prompt("no-such-voice") is None


def test_a_damaged_kept_voice_is_drawn_again(home, captain):
    store = DesignVoiceStore()
    store.keep(CAPTAIN, _voice(captain.description))
    (store.folder / f"{CAPTAIN}.safetensors").write_bytes(b"not a prompt")
    assert store.kept(CAPTAIN, captain.description) is None


def test_the_kept_voice_is_not_among_the_users_voices_until_kept(home, lib: VoiceLibrary, captain):
    store = DesignVoiceStore(lib.root)
    voice = _voice(captain.description)
    store.keep(CAPTAIN, voice)
    assert lib.list().voices == []
    entry = save_designed(lib, "My Captain", voice, "English")
    assert entry.voice.kind == "designed" and entry.voice.recipe is not None
    assert entry.voice.recipe.instruct == captain.description
    assert entry.voice.recipe.seed == 3 and entry.voice.recipe.params == {"temperature": 0.8}
    assert entry.load_prompt().ref_text == "Aye, lad."


def test_requests_for_a_built_in_design_voice_carry_its_keeper(home, lib, captain):
    ref = resolve("Old Sea Captain", lib)
    drawing = ref.request("Hello.", lib)
    assert drawing.mode == DESIGN and drawing.kind == "voice_design"
    assert drawing.prompt is None and drawing.keeper is not None
    DesignVoiceStore(lib.root).keep(CAPTAIN, _voice(captain.description))
    kept = ref.request("Hello.", lib)
    assert kept.kind == "base" and kept.prompt is not None
    assert kept.model == "Qwen3-TTS-12Hz-Tiny-Base"
    # another description is another voice: drawn afresh, never kept as the captain
    other = ref.request("Hello.", lib, instruct="A young woman, whispering.")
    assert other.keeper is None and other.prompt is None and other.kind == "voice_design"


def test_the_second_take_of_a_built_in_design_voice_clones_the_kept_voice(home, lib, tiny_pool):
    sampling = Sampling(seed=4, max_frames=15)
    ref = resolve("design:old-sea-captain", lib)
    text = "Aye, I have seen waves taller than this church, lad."
    with watch_models() as calls:
        first = run(tiny_pool, ref.request(text, lib, sampling=sampling))
    assert calls.generated == {"voice_design": 1} and calls.prompts == {"base": 1}
    kept = kept_design_prompt(CAPTAIN, lib.root)
    assert kept is not None and first.voice is not None
    np.testing.assert_array_equal(kept.ref_code, first.voice.prompt.ref_code)
    with watch_models() as calls:
        second = run(tiny_pool, ref.request(text + "\n\nAnd I lived to tell ye.", lib,
                                            sampling=Sampling(seed=8, max_frames=15)))
    assert calls.generated == {"base": 2} and not calls.prompts
    assert second.model_name == "Qwen3-TTS-12Hz-Tiny-Base"
