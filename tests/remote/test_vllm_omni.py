"""The vLLM-Omni client. vLLM-Omni itself cannot run here (it needs a GPU and vLLM): its
requests are built from its documented request model and sent to our own server, which
takes the same fields, one "server" per model kind as vLLM-Omni serves them."""

from __future__ import annotations

import base64

import pytest

from studio.engine.options import Sampling
from studio.engine.speak_request import CLONE, SpeakRequest
from studio.library import VoiceLibrary
from studio.library.anyvoice import resolve
from studio.remote.errors import NotOffered
from studio.remote.offer import PROMPT
from studio.remote.vllm_omni import omni_body
from tests.engine.helpers import voice_like
from tests.remote.conftest import SAMPLES, design, preset

# vLLM-Omni's OpenAICreateSpeechRequest (vllm_omni/entrypoints/openai/protocol/audio.py)
OMNI_FIELDS = {"input", "model", "voice", "instructions", "response_format", "sample_rate",
               "speed", "stream_format", "stream", "task_type", "language", "ref_audio",
               "ref_text", "ref_audio_2", "ambient_sound", "duration_seconds",
               "x_vector_only_mode", "speaker_embedding", "max_new_tokens", "seed",
               "initial_codec_chunk_frames", "non_streaming_mode", "extra_params",
               "word_timestamps"}
KINDS = ("custom_voice", "voice_design", "base")


@pytest.fixture
def saved_voice(tiny_pool, studio_home):
    """A cloned voice in the user's library (its clip, transcript and prompt)."""
    from studio.engine.speak_request import PromptRequest, make_prompt

    audio = voice_like(4.0)
    prompt = make_prompt(tiny_pool, PromptRequest(audio, 24000, "Some words spoken."))
    library = VoiceLibrary()
    entry = library.create("Travelling", prompt=prompt, kind="cloned", audio=audio,
                           sample_rate=24000, transcript="Some words spoken.",
                           language="English")
    return library, entry


def test_requests_have_vllm_omnis_shape(saved_voice):
    library, entry = saved_voice
    speaker = omni_body(preset(instruct="Cheerful."), seed=1)
    assert speaker["task_type"] == "CustomVoice" and speaker["voice"] == "ryan"
    assert speaker["instructions"] == "Cheerful." and speaker["language"] == "Auto"
    assert (speaker["response_format"], speaker["stream_format"]) == ("pcm", "audio")
    designed = omni_body(design(), seed=1)
    assert designed["task_type"] == "VoiceDesign" and "voice" not in designed
    request = resolve("Travelling", library).request("Hello there.", library)
    cloned = omni_body(request, seed=1)
    assert cloned["task_type"] == "Base" and cloned["language"] == "English"
    assert cloned["ref_text"] == "Some words spoken." and "x_vector_only_mode" not in cloned
    head, data = cloned["ref_audio"].split(",", 1)
    assert head == "data:audio/wav;base64"
    assert base64.b64decode(data) == entry.reference_path.read_bytes()  # the clip, as saved
    for body in (speaker, designed, cloned):
        assert set(body) <= OMNI_FIELDS, set(body) - OMNI_FIELDS


def test_takes_through_vllm_omni_requests(api, omni, saved_voice):
    library, _entry = saved_voice
    backend = omni({kind: api.url for kind in KINDS})
    offer = backend.probe()
    assert set(offer.models) == set(KINDS) and set(offer.missing) == {PROMPT}
    assert len(backend.speak(preset()).audio) == SAMPLES
    assert len(backend.speak(design()).audio) == SAMPLES
    voice = resolve("Travelling", library).request("Hello there.", library,
                                                   sampling=Sampling(seed=4))
    chunks: list[int] = []
    take = backend.speak(voice, on_chunk=lambda c: chunks.append(len(c)))
    assert len(take.audio) == SAMPLES == sum(chunks) and take.seed == 4
    clip = library.get("Travelling").reference_path.stat().st_size
    sent = backend.traffic.sent
    backend.speak(voice)
    assert backend.traffic.sent - sent > clip  # the clip travels with every take


def test_what_vllm_omni_cannot_do_is_said_before_sending(api, omni):
    backend = omni({"custom_voice": api.url, "base": api.url})
    assert "VoiceDesign model" in backend.unavailable("voice_design")
    with pytest.raises(NotOffered, match="add its URL in Settings > Engine"):
        backend.speak(design())
    from studio.engine.speak_request import PromptRequest

    with pytest.raises(NotOffered, match="cannot hand one back"):
        backend.make_prompt(PromptRequest(voice_like(2.0), 24000, "Words."))
    unsaved = SpeakRequest("Hello.", CLONE, sampling=Sampling(seed=1))
    with pytest.raises(NotOffered, match="clones from the voice's clip"):
        backend.speak(unsaved)
    assert backend.traffic.requests == 0  # nothing was sent
