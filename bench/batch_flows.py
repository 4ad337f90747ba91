"""The user-facing flows of bench/batch_bench.py: Design candidates, a server with several
clients, and a take played as the window plays it."""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
from common import ROOT  # noqa: F401 - puts the repository on sys.path
from playback_bench import PacedDevice

from studio.audio.samplerate import SAMPLE_RATE

CLIENT_TEXTS = [
    "Good morning, and welcome to the station.",
    "Your train to the coast leaves from platform four.",
    "Please keep your luggage with you at all times.",
    "The café on the upper floor is open until midnight.",
    "Tickets can be bought from the machines by the entrance.",
    "We wish you a pleasant journey today.",
]
WINDOW_TEXT = ("The first sentence of this take is short. The second one is a little longer, "
               "to give it some weight. And the third one closes the take.")


def design_section(args: argparse.Namespace, root: Path) -> None:
    from studio.engine.batch_requests import run_batch
    from studio.engine.engine_thread import EngineThread
    from studio.engine.options import Sampling, Streaming
    from studio.engine.pool import ModelPool
    from studio.engine.speak_request import DESIGN, SpeakRequest

    n, frames = args.candidates, args.frames
    pool = ModelPool(device=args.device, roots=[root], max_loaded=1, speed=args.flow_speed,
                     threads=args.threads)
    print(f"\n## design: {n} candidates x {frames} frames, voice_design, {args.flow_speed}")
    requests = [SpeakRequest("Hello there, this is how I sound.", DESIGN, "english",
                             instruct="A warm, low voice, speaking calmly.",
                             sampling=Sampling(seed=10 + i, max_frames=frames),
                             streaming=Streaming(batch=1))
                for i in range(n)]
    with EngineThread(pool) as engine:
        engine.speak(replace(requests[0], sampling=Sampling(seed=0, max_frames=3)))
        t0 = time.perf_counter()
        for request in requests:
            engine.speak(request)
        sequential = time.perf_counter() - t0
        batched_requests = [replace(r, streaming=Streaming(batch=0)) for r in requests]
        t0 = time.perf_counter()
        engine.call(lambda p: run_batch(p, batched_requests, [None] * n, [None] * n)).result()
        together = time.perf_counter() - t0
    print(f"one after another {sequential:7.2f} s   one batch {together:7.2f} s   "
          f"ratio {together / sequential:.2f}", flush=True)


def _clients(url: str, n: int, frames: int) -> tuple[float, list[float], list[float]]:
    """``n`` clients at once, each streaming its own text; (total, firsts, lasts)."""
    firsts: list[float] = [0.0] * n
    lasts: list[float] = [0.0] * n
    start = threading.Barrier(n + 1)
    t0: list[float] = []

    def client(i: int) -> None:
        body = {"input": CLIENT_TEXTS[i % len(CLIENT_TEXTS)], "voice": "Ryan",
                "response_format": "pcm", "stream": True, "seed": i,
                "max_seconds": frames / 12.5}
        with httpx.Client(base_url=url, timeout=3600) as http:
            start.wait()
            with http.stream("POST", "/v1/audio/speech", json=body) as r:
                for _part in r.iter_raw():
                    now = time.perf_counter()
                    firsts[i] = firsts[i] or now
                    lasts[i] = now

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    start.wait()
    t0.append(time.perf_counter())
    for t in threads:
        t.join()
    return max(lasts) - t0[0], [f - t0[0] for f in firsts], [s - t0[0] for s in lasts]


def server_section(args: argparse.Namespace, root: Path) -> None:
    from studio.engine.options import Streaming
    from studio.engine.pool import ModelPool
    from studio.server.config import ServerConfig
    from studio.server.runner import ServerThread

    n, frames = args.clients, args.frames
    print(f"\n## server: {n} clients at once, different texts, {frames} frames each, "
          f"custom_voice, {args.flow_speed}")
    totals = {}
    for label, batch in (("one at a time (--batch 1)", 1), ("batched", 0)):
        pool = ModelPool(device=args.device, roots=[root], max_loaded=1, speed=args.flow_speed,
                         threads=args.threads)
        config = ServerConfig(port=0, pool=pool, batch=batch, idle_unload_s=None,
                              queue_size=max(8, n), request_timeout_s=3600,
                              streaming=Streaming())
        with ServerThread(config) as server:
            httpx.post(f"{server.url}/v1/audio/speech", timeout=3600,
                       json={"input": "Warm up.", "voice": "Ryan", "max_seconds": 0.24,
                             "response_format": "pcm"})
            total, firsts, lasts = _clients(server.url, n, frames)
        totals[label] = total
        overlap = max(firsts) < min(lasts)
        print(f"{label:26} total {total:7.2f} s   first bytes {min(firsts):6.2f}-"
              f"{max(firsts):6.2f} s   last bytes {min(lasts):6.2f}-{max(lasts):6.2f} s   "
              f"every first before any last: {overlap}", flush=True)
    one, both = totals.values()
    print(f"ratio batched / one at a time: {both / one:.2f}")


def window_section(args: argparse.Namespace, root: Path) -> None:
    from studio.audio.forecast import ProgressBox
    from studio.audio.player import Player
    from studio.audio.policy import AdaptiveStart
    from studio.engine import text as textmod
    from studio.engine.engine_thread import EngineThread
    from studio.engine.options import Sampling, Streaming
    from studio.engine.pool import ModelPool
    from studio.engine.speak_request import PRESET, SpeakRequest
    from studio.testing.fake_sd import FakeSoundDevice

    whole = 125  # 10 s
    parts = len(textmod.segment(WINDOW_TEXT, pack=textmod.SENTENCE_PACK_CHARS))
    print(f"\n## window: a 10 s take of three sentences, adaptive start, real-time fake "
          f"device, custom_voice, {args.flow_speed}")
    pool = ModelPool(device=args.device, roots=[root], max_loaded=1, speed=args.flow_speed,
                     threads=args.threads)
    firsts = {}
    with EngineThread(pool) as engine:
        engine.speak(SpeakRequest("Warm up.", PRESET, "english", speaker="ryan",
                                  sampling=Sampling(seed=0, max_frames=3)))
        for label, batch, cap in (("today: one segment, alone", 1, whole),
                                  (f"{parts} sentences in parallel", 0,
                                   round(whole / parts))):
            request = SpeakRequest(WINDOW_TEXT, PRESET, "english", speaker="ryan",
                                   sampling=Sampling(seed=5, max_frames=cap),
                                   streaming=Streaming(batch=batch))
            sd = FakeSoundDevice(1, 1, default_samplerate=float(SAMPLE_RATE))
            progress = ProgressBox()
            expected = min(textmod.expected_take_seconds(WINDOW_TEXT, cap),
                           (whole + 12) / 12.5)
            player = Player(sd=sd, policy=AdaptiveStart(expected, progress=progress))
            device = PacedDevice(sd)
            device.start()
            t0 = time.perf_counter()
            player.begin_stream()
            stream = engine.stream(request, progress)
            for chunk in stream:
                player.append(chunk)
            player.end_of_stream()
            take = stream.result()
            made = time.perf_counter() - t0
            player.wait_done(timeout=take.duration_s + 600)
            device.stop()
            player.close()
            first = (device.first_sound - t0) if device.first_sound else float("nan")
            firsts[label] = first
            print(f"{label:28} audio {take.duration_s:5.2f} s made in {made:6.2f} s   "
                  f"first sound {first:6.2f} s   underruns {player.underruns}", flush=True)
    today, parallel = firsts.values()
    print(f"time to first sound, parallel / today: {parallel / today:.2f}")
