"""Every error a user can cause is typed and says what to do."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from studio.engine import errors as E
from studio.engine.options import Sampling
from studio.engine.pool import ModelPool
from studio.engine.reference import load_reference
from studio.engine.speak_request import (
    CLONE,
    DESIGN,
    PRESET,
    PromptRequest,
    SpeakRequest,
    make_prompt,
    run,
)
from studio.errors import Cancelled
from tests.engine.helpers import SR, voice_like

S = Sampling(seed=0, max_frames=3)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "?!..."])
def test_empty_text(tiny_pool, text):
    with pytest.raises(E.EmptyText, match="no text"):
        run(tiny_pool, SpeakRequest(text, PRESET, speaker="ryan", sampling=S))


def test_unknown_language_lists_choices(tiny_pool):
    with pytest.raises(E.UnknownLanguage, match="English"):
        run(tiny_pool, SpeakRequest("Hi.", PRESET, "klingon", speaker="ryan", sampling=S))


def test_unknown_speaker_lists_choices(tiny_pool):
    with pytest.raises(E.UnknownSpeaker, match="vivian"):
        run(tiny_pool, SpeakRequest("Hi.", PRESET, speaker="bob", sampling=S))


def test_instruct_on_small_custom_voice_is_explained(tiny_pool):
    with pytest.raises(E.InvalidInput, match="1.7B CustomVoice"):
        run(tiny_pool, SpeakRequest("Hi.", PRESET, speaker="ryan", instruct="Angrily", sampling=S))


def test_design_needs_a_description(tiny_pool):
    with pytest.raises(E.InvalidInput, match="Describe the voice"):
        run(tiny_pool, SpeakRequest("Hi.", DESIGN, instruct="  ", sampling=S))


def test_wrong_model_kind(tiny_pool):
    synth = tiny_pool.synthesizer("custom_voice")
    with pytest.raises(E.WrongModelKind, match="VoiceDesign model"):
        synth.design("Hi.", "A voice")
    with pytest.raises(E.WrongModelKind, match="Base model"):
        synth.make_prompt(voice_like(), SR, "x")


def test_clone_without_voice(tiny_pool):
    with pytest.raises(E.InvalidInput, match="Choose a voice"):
        run(tiny_pool, SpeakRequest("Hi.", CLONE, sampling=S))


def test_missing_model_says_how_to_get_one(tmp_path):
    pool = ModelPool(device="cpu", roots=[tmp_path / "empty"])
    with pytest.raises(E.ModelNotFound, match="models download"):
        run(pool, SpeakRequest("Hi.", DESIGN, instruct="x", sampling=S))


def test_corrupt_model_folder(tmp_path, tiny_models_dir):
    import shutil

    src = next(p for p in tiny_models_dir.iterdir() if p.name.endswith("VoiceDesign"))
    dst = tmp_path / "broken"
    shutil.copytree(src, dst)
    weights = dst / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    pool = ModelPool(device="cpu", roots=[tmp_path])
    with pytest.raises(E.ModelCorrupt, match="download the model again"):
        run(pool, SpeakRequest("Hi.", DESIGN, instruct="x", sampling=S))


def test_incomplete_model_folder_is_not_loaded(tmp_path, tiny_models_dir):
    import shutil

    src = next(p for p in tiny_models_dir.iterdir() if p.name.endswith("VoiceDesign"))
    dst = tmp_path / "partial"
    shutil.copytree(src, dst)
    (dst / "speech_tokenizer" / "model.safetensors").unlink()
    pool = ModelPool(device="cpu", roots=[tmp_path])
    info = pool.available()[0]
    assert not info.usable and "interrupted download" in (info.problem or "")
    with pytest.raises(E.ModelNotFound):
        pool.get("voice_design")


@pytest.mark.parametrize("audio,sr,match", [
    (np.zeros(0, np.float32), SR, "empty"),
    (np.zeros(SR * 3, np.float32), SR, "silent"),
    (voice_like(0.5), SR, "0.50 s long"),
    (np.full(SR * 3, np.nan, np.float32), SR, "NaN"),
    (voice_like(3.0), 0, "sample rate"),
])
def test_bad_reference_clips(tiny_pool, audio, sr, match):
    with pytest.raises(E.BadReference, match=match):
        make_prompt(tiny_pool, PromptRequest(audio, sr, "Hello."))


def test_missing_transcript_explains_x_vector_only(tiny_pool):
    with pytest.raises(E.MissingTranscript, match="x-vector only"):
        make_prompt(tiny_pool, PromptRequest(voice_like(), SR, "  "))


def test_unreadable_reference_file(tmp_path):
    garbage = tmp_path / "clip.wav"
    garbage.write_bytes(b"RIFF....garbage that is not audio" * 10)
    with pytest.raises(E.BadReference, match="cannot be read"):
        load_reference(garbage)
    with pytest.raises(E.BadReference, match="does not exist"):
        load_reference(tmp_path / "missing.wav")
    with pytest.raises(E.BadReference, match="is a folder, not a file. Give an audio file"):
        load_reference(tmp_path)
    good = tmp_path / "good.flac"
    sf.write(good, voice_like(1.0, 16000), 16000)
    data, sr = load_reference(good)
    assert sr == 16000 and data.shape == (16000, 1)


def test_errors_are_studio_errors_with_codes():
    from studio.errors import StudioError

    for exc in (E.EmptyText(), E.MissingTranscript(), Cancelled(), E.OutOfMemory("cuda:0")):
        assert isinstance(exc, StudioError) and exc.code and str(exc)


def test_a_too_short_reference_states_the_real_minimum():
    """The message names the minimum the model applies (not the library's 3 s check), and
    a clip just over it is accepted."""
    from studio.engine.reference import MIN_SECONDS, prepare_reference

    with pytest.raises(E.BadReference, match=f"at least {MIN_SECONDS:g} s.*5-15 s"):
        prepare_reference(voice_like(MIN_SECONDS * 0.9), SR, SR)
    assert len(prepare_reference(voice_like(MIN_SECONDS * 1.1), SR, SR)) > 0
