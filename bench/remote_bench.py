"""The remote engine's cost: time to first audio through a Voice Studio server on loopback
minus the same take on this computer (the overhead of the HTTP path), and the bytes a take
sends with and without the server's voice cache (and as vLLM-Omni requests).

    python bench/remote_bench.py [--models DIR] [--runs 15] [--clip-seconds 10]

Tiny models by default: the engine's own time is then small, so what is measured is the
remote path itself. The server runs in this process on 127.0.0.1 with a pool of its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import models_folder  # noqa: E402

FIRST_CHUNK = 4  # frames: the window's default


def first_audio_s(backend, request) -> float:  # noqa: ANN001
    """Wall time from the call to the first chunk handed on, measured the same way for both."""
    start = time.monotonic()
    first: list[float] = []
    backend.speak(request, on_chunk=lambda _c: first or first.append(time.monotonic() - start))
    return first[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--clip-seconds", type=float, default=10.0)
    args = parser.parse_args()
    os.environ["VOICE_STUDIO_HOME"] = tempfile.mkdtemp(prefix="remote-bench-")
    os.environ["HF_HUB_OFFLINE"] = "1"

    import torch

    torch.set_num_threads(1)
    from studio.engine.backend import LocalBackend
    from studio.engine.options import Sampling, Streaming
    from studio.engine.pool import ModelPool
    from studio.engine.prompts import to_bytes
    from studio.engine.speak_request import CLONE, PRESET, PromptRequest, SpeakRequest
    from studio.library import VoiceLibrary
    from studio.library.anyvoice import resolve
    from studio.remote.choice import OMNI, STUDIO, EngineChoice, server_for
    from studio.server.config import ServerConfig
    from studio.server.runner import ServerThread
    from studio.testing.signals import voice_like

    with models_folder(args.models) as models:
        local = LocalBackend(ModelPool(device="cpu", roots=[models]))
        config = ServerConfig(port=0, pool=ModelPool(device="cpu", roots=[models]),
                              idle_unload_s=None)
        with ServerThread(config) as served:
            remote = server_for(EngineChoice(STUDIO, served.url))

            def take(seed: int) -> SpeakRequest:
                return SpeakRequest("Hello there, this is a test.", PRESET, speaker="ryan",
                                    sampling=Sampling(seed=seed, max_frames=8),
                                    streaming=Streaming(first_chunk=FIRST_CHUNK))

            first_audio_s(local, take(0))  # load the models on both sides
            first_audio_s(remote, take(0))
            pairs = []
            for run in range(args.runs):  # alternate, so drift on a busy machine hits both
                here = first_audio_s(local, take(run + 1))
                there = first_audio_s(remote, take(run + 1))
                pairs.append((here, there))
            here_ms = [1000 * h for h, _ in pairs]
            there_ms = [1000 * t for _, t in pairs]
            overhead = [t - h for h, t in zip(here_ms, there_ms, strict=True)]
            print(f"time to first audio, {args.runs} runs, first chunk {FIRST_CHUNK} frames:")
            print(f"  this computer     median {statistics.median(here_ms):7.1f} ms")
            print(f"  server, loopback  median {statistics.median(there_ms):7.1f} ms")
            print(f"  overhead          median {statistics.median(overhead):7.1f} ms, "
                  f"min {min(overhead):.1f}, max {max(overhead):.1f}")

            audio = voice_like(args.clip_seconds)
            prompt = local.make_prompt(PromptRequest(audio, 24000, "Some words spoken."))
            library = VoiceLibrary()
            library.create("Bench", prompt=prompt, kind="cloned", audio=audio,
                           sample_rate=24000, transcript="Some words spoken.",
                           language="English")
            ref = resolve("Bench", library)
            clone = ref.request("Hello there, this is a test.", library,
                                sampling=Sampling(seed=1, max_frames=8))
            assert clone.mode == CLONE
            prompt_size = len(to_bytes(prompt))
            sent = []
            for _ in range(3):
                before = remote.traffic.sent
                remote.speak(clone)
                sent.append(remote.traffic.sent - before)
            other = server_for(EngineChoice(STUDIO, served.url))
            other.speak(clone)
            omni = server_for(EngineChoice(OMNI, omni_urls=(("base", served.url),)))
            omni.speak(clone)
            clip = library.get("Bench").reference_path.stat().st_size
            audio_bytes = remote.traffic.received // max(1, remote.traffic.requests)
            print(f"\nbytes sent per take, a saved voice with a {args.clip_seconds:g} s clip "
                  f"(clip file {clip:,} B, prompt {prompt_size:,} B; request bodies):")
            print(f"  Voice Studio server, first take (uploads the prompt)  {sent[0]:>9,}")
            print(f"  Voice Studio server, every later take (hash only)     {sent[1]:>9,}, "
                  f"{sent[2]:,}")
            print(f"  another client, the server has the voice already      "
                  f"{other.traffic.sent:>9,}")
            print(f"  without the cache (the prompt in every take)          "
                  f"{sent[1] + prompt_size:>9,}")
            print(f"  vLLM-Omni request (ref_audio clip in every take)      "
                  f"{omni.traffic.sent:>9,}")
            print(f"  audio received per take (8 frames of 16-bit PCM)     {audio_bytes:>9,}")
            frames = round(args.clip_seconds * 12.5)
            for size, dim in (("0.6B", 1024), ("1.7B", 2048)):
                print(f"  a real {size} prompt for this clip: about "
                      f"{frames * 16 * 8 + dim * 4 + 600:,} B (ref_code {frames}x16 int64, "
                      f"embedding {dim} float32)")
            for backend in (remote, other, omni):
                backend.close()


if __name__ == "__main__":
    main()
