"""Does streamed playback stutter? Underruns and time to first sound for a whole take.

A take is generated with the real engine and played through the real Player into an output
device paced in real time (a fake sound card whose callback is pulled every 20 ms of wall
clock, as a sound card would), with the adaptive start policy or a fixed pre-buffer.

Usage:
  python bench/playback_bench.py                           # tiny models, 10 s take
  python bench/playback_bench.py --models /tmp/full --kind custom_voice --speed exact
  python bench/playback_bench.py --policy prebuffer        # for comparison: stutters
  python bench/playback_bench.py --device cuda             # where a GPU exists

Target (issue 7): 0 underruns for a 10 s take with the full-size model on this machine.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import numpy as np
from common import models_folder  # noqa: E402 - also puts the repository on sys.path

from studio.audio.samplerate import SAMPLE_RATE  # noqa: E402

TEXT = ("Streaming playback should never stutter, even on a machine that generates speech "
        "more slowly than it is spoken; this sentence runs for roughly ten seconds or so.")


class PacedDevice:
    """Pulls the fake output stream in 20 ms blocks, on time, from its own thread."""

    def __init__(self, sd, block_s: float = 0.02) -> None:  # noqa: ANN001
        self.sd = sd
        self.block_s = block_s
        self.first_sound: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        next_t = time.perf_counter()
        while not self._stop.is_set():
            next_t += self.block_s
            streams = [s for s in self.sd.streams if s.kind == "output" and s.active]
            for stream in streams:
                out = stream.pull(int(self.block_s * stream.samplerate))
                if self.first_sound is None and np.any(out):
                    self.first_sound = time.perf_counter()
            delay = next_t - time.perf_counter()
            if delay > 0:
                self._stop.wait(delay)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path)
    ap.add_argument("--kind", default="custom_voice", choices=["custom_voice", "voice_design"])
    ap.add_argument("--frames", type=int, default=125, help="take length in frames (12.5/s)")
    ap.add_argument("--speed", default="exact", choices=["exact", "fast"])
    ap.add_argument("--policy", default="adaptive", choices=["adaptive", "prebuffer"])
    ap.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, auto...")
    args = ap.parse_args()
    with models_folder(args.models) as root:
        return _run(args, root)


def _run(args: argparse.Namespace, root: Path) -> int:

    from studio.audio.player import Player
    from studio.audio.policy import AdaptiveStart, prebuffer
    from studio.engine import text as textmod
    from studio.engine.engine_thread import EngineThread
    from studio.engine.options import Sampling
    from studio.engine.pool import ModelPool
    from studio.engine.speak_request import DESIGN, PRESET, SpeakRequest
    from studio.testing.fake_sd import FakeSoundDevice

    sd = FakeSoundDevice(1, 1, default_samplerate=float(SAMPLE_RATE))
    pool = ModelPool(device=args.device, roots=[root])
    engine = EngineThread(pool)
    sampling = Sampling(seed=11, max_frames=args.frames)
    if args.kind == "custom_voice":
        req = SpeakRequest(TEXT, PRESET, "english", speaker="ryan", sampling=sampling,
                           speed=args.speed)
    else:
        req = SpeakRequest(TEXT, DESIGN, "english", instruct="A calm narrator.",
                           sampling=sampling, speed=args.speed)
    warm = SpeakRequest(**{**req.__dict__, "sampling": Sampling(seed=0, max_frames=3)})
    engine.speak(warm)  # load and page in the model before measuring
    expected = min(textmod.expected_seconds(TEXT), args.frames / 12.5)
    policy = AdaptiveStart(expected) if args.policy == "adaptive" else prebuffer(0.3)
    player = Player(sd=sd, policy=policy)
    device = PacedDevice(sd)
    device.start()
    t0 = time.perf_counter()
    player.begin_stream()
    stream = engine.stream(req)
    for chunk in stream:
        player.append(chunk)
    player.end_of_stream()
    take = stream.result()
    generated = time.perf_counter() - t0
    player.wait_done(timeout=take.duration_s + 60)
    played = time.perf_counter() - t0
    device.stop()
    player.close()
    engine.close()
    first = (device.first_sound - t0) if device.first_sound else float("nan")
    print(f"# playback_bench {time.strftime('%Y-%m-%d %H:%M')}  models={root}  kind={args.kind}"
          f"  device={pool.device.device} {pool.device.dtype}  speed={args.speed}"
          f"  policy={args.policy}")
    print(f"take: {take.duration_s:.2f} s of audio generated in {generated:.1f} s "
          f"({take.duration_s / generated:.2f}x real time); first chunk after "
          f"{take.first_chunk_s:.2f} s")
    print(f"time to first sound: {first:.2f} s   playback finished after {played:.1f} s   "
          f"underruns: {player.underruns}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
