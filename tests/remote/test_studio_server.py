"""Takes on a Voice Studio server through the remote engine: every kind of voice, voices
that travel once, cancel at any moment, and each fault said plainly with what arrived kept."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from studio.engine.options import Sampling, Streaming
from studio.engine.prompts import to_bytes
from studio.engine.speak_request import CLONE, PromptRequest, SpeakRequest, make_prompt
from studio.engine.stream import CancelToken
from studio.remote.errors import ServerTooSlow
from studio.remote.studio_server import digest_of
from tests.engine.helpers import voice_like
from tests.remote.conftest import HELD, SAMPLES, SAMPLES_PER_FRAME, Hold, design, preset


def until(check, limit: int = 400) -> bool:  # noqa: ANN001
    """Ask ``check`` until it holds (each ask is a request to the server, not a sleep)."""
    return any(check() for _ in range(limit))


def test_preset_design_and_a_new_voice_stream_from_the_server(serve, remote):
    api = serve()
    server = remote(api)
    offer = server.probe()
    assert set(offer.models) == {"base", "custom_voice", "voice_design"} and not offer.missing
    chunks: list[int] = []
    take = server.speak(preset(seed=3), on_chunk=lambda c: chunks.append(len(c)))
    assert take.duration_s == pytest.approx(SAMPLES / 24000) and take.seed == 3
    assert sum(chunks) == SAMPLES and take.first_chunk_s is not None
    whole = api.speak(voice="Ryan", seed=3, response_format="pcm").content  # the same take
    np.testing.assert_array_equal(np.round(take.audio * 32768).astype("<i2").tobytes(), whole)
    assert len(server.speak(design()).audio) == SAMPLES

    prompt = server.make_prompt(PromptRequest(voice_like(4.0), 24000, "Some words spoken."))
    assert prompt.model_name == "Qwen3-TTS-12Hz-Tiny-Base"
    digest = digest_of(to_bytes(prompt))
    assert api.state.prompt_store.size(digest) == len(to_bytes(prompt))  # kept by its hash
    clone = server.speak(SpeakRequest("Hello there.", CLONE, prompt=prompt,
                                      sampling=Sampling(seed=1)))
    assert len(clone.audio) == SAMPLES and server.traffic.uploads == 0  # it has it already


def test_a_saved_voice_travels_once(serve, remote, tiny_pool):
    api = serve()
    prompt = make_prompt(tiny_pool, PromptRequest(voice_like(4.0), 24000, "Some words spoken."))
    size = len(to_bytes(prompt))
    request = SpeakRequest("Hello there.", CLONE, prompt=prompt, sampling=Sampling(seed=1))
    server = remote(api)
    first = server.speak(request)
    assert server.traffic.uploads == 1 and server.traffic.sent > size
    sent = server.traffic.sent
    second = server.speak(request)
    assert server.traffic.uploads == 1 and server.traffic.sent - sent < 1000  # only the hash
    np.testing.assert_array_equal(first.audio, second.audio)
    again = remote(api)  # another client, or this one after a restart: the server has it
    again.speak(request)
    assert again.traffic.uploads == 0
    assert api.state.prompt_store.size(digest_of(to_bytes(prompt))) == size


def test_cancel_mid_take_stops_the_servers_take(serve, remote):
    hold = Hold()
    api = serve(chunk_hook=hold, streaming=HELD)
    server = remote(api)
    cancel = CancelToken()
    take = server.speak(preset(), on_chunk=lambda _c: cancel.cancel(), cancel=cancel)
    assert take.stop_reason == "cancelled"
    assert 0 < len(take.audio) < SAMPLES
    assert hold.ended.wait(20) and hold.cancelled == [True]  # the server stopped generating
    assert until(lambda: api.http.get("/health").json()["queue"]["running"] == 0)
    hold.reached.clear()
    hold.release.set()
    assert len(server.speak(preset(seed=2)).audio) == SAMPLES  # the model is free again


def test_cancel_while_waiting_in_the_servers_queue(serve, remote):
    hold = Hold()
    api = serve(chunk_hook=hold, streaming=HELD)
    first = remote(api)
    holder = threading.Thread(target=lambda: first.speak(preset()))
    holder.start()
    assert hold.reached.wait(20)  # the first take holds the model
    waiting = remote(api)
    cancel = CancelToken()
    result: list = []
    worker = threading.Thread(target=lambda: result.append(
        waiting.speak(preset(seed=2), cancel=cancel)))
    worker.start()
    assert until(lambda: api.http.get("/health").json()["queue"]["waiting"] == 1)
    cancel.cancel()  # no answer yet: the server sends its headers with the first audio
    worker.join(20)
    assert result[0].stop_reason == "cancelled" and len(result[0].audio) == 0
    assert until(lambda: api.http.get("/health").json()["queue"]["waiting"] == 0)
    hold.release.set()
    holder.join(20)


def test_a_silent_server_is_too_slow_and_what_arrived_stays(serve, remote):
    hold = Hold()
    api = serve(chunk_hook=hold, streaming=HELD)
    hold.reached.set()  # a first take loads the model, unheld
    remote(api).speak(preset())
    hold.reached.clear()
    server = remote(api, read_s=0.5)
    take = server.speak(preset())  # the first chunk, then nothing for longer than 0.5 s
    assert take.stop_reason == "interrupted"
    assert len(take.audio) == 2 * SAMPLES_PER_FRAME
    assert "sent nothing for 0.5 s" in take.message and "Kept the 0.2 s" in take.message
    assert hold.ended.wait(20) and hold.cancelled == [True]  # stopped on the server too
    hold.release.set()

    busy = Hold()
    api2 = serve(chunk_hook=busy, streaming=HELD)
    holder = threading.Thread(target=lambda: remote(api2).speak(preset()))
    holder.start()
    assert busy.reached.wait(20)
    with pytest.raises(ServerTooSlow, match="sent nothing for 0.5 s"):
        remote(api2, read_s=0.5).speak(preset(seed=2))  # waits in the queue, hears nothing
    busy.release.set()
    holder.join(20)


def test_a_take_that_fails_on_the_server_mid_stream_keeps_what_arrived(serve, remote):
    chunks: list[int] = []

    def fail_on_second(_job, chunk) -> None:  # noqa: ANN001
        chunks.append(len(chunk))
        if len(chunks) == 2:
            raise RuntimeError("the accelerator fell over")

    api = serve(chunk_hook=fail_on_second, streaming=HELD)
    take = remote(api).speak(preset())
    assert take.stop_reason == "interrupted"
    assert 0 < len(take.audio) < SAMPLES
    assert "dropped in the middle of the take" in take.message


def test_the_server_stopping_mid_take_is_a_dropped_stream(serve, remote):
    hold = Hold()
    api = serve(chunk_hook=hold, streaming=HELD)
    server = remote(api)
    got: list = []
    worker = threading.Thread(target=lambda: got.append(server.speak(preset())))
    worker.start()
    assert hold.reached.wait(20)
    api.server.server.force_exit = True  # the server goes away without ending the stream
    api.server.server.should_exit = True
    worker.join(30)
    hold.release.set()
    take = got[0]
    assert take.stop_reason == "interrupted" and len(take.audio) == 2 * SAMPLES_PER_FRAME
    assert "dropped in the middle of the take" in take.message


def test_streaming_options_reach_the_server(serve, remote):
    sizes: list[int] = []
    api = serve(chunk_hook=lambda _job, chunk: sizes.append(len(chunk)))
    request = SpeakRequest("Hello there.", "preset", speaker="ryan",
                           sampling=Sampling(seed=1, max_frames=3),
                           streaming=Streaming(first_chunk=1))
    take = remote(api).speak(request)
    assert sizes[0] == SAMPLES_PER_FRAME  # initial_codec_chunk_frames
    assert len(take.audio) == 3 * SAMPLES_PER_FRAME and take.stop_reason == "max_length"


def test_a_design_voice_kept_here_is_cloned_there(serve, remote, tiny_pool):
    """A built-in design voice this computer keeps (its drawn prompt) speaks on the server
    as that same voice: sent once by its hash, cloned, never drawn again there."""
    from studio.engine.speak_request import DESIGN, with_kept_voice

    class Kept:
        def __init__(self, prompt):  # noqa: ANN001
            self.prompt = prompt

        def kept(self):  # noqa: ANN202
            return self

    api = serve()
    prompt = make_prompt(tiny_pool, PromptRequest(voice_like(4.0), 24000, "Some words spoken."))
    request = with_kept_voice(SpeakRequest("Hello there.", DESIGN, instruct="A calm voice.",
                                           sampling=Sampling(seed=2), keeper=Kept(prompt)))
    assert request.kind == "base"
    server = remote(api)
    take = server.speak(request)
    assert len(take.audio) == SAMPLES and server.traffic.uploads == 1
    clone = server.speak(SpeakRequest("Hello there.", CLONE, prompt=prompt,
                                      sampling=Sampling(seed=2)))
    np.testing.assert_array_equal(take.audio, clone.audio)  # the same voice, cloned
