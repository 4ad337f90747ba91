"""Streaming vs one-shot on the same seed: time to first chunk, total time, throughput.

Usage:
  python bench/stream_bench.py                       # tiny models, built in a temp folder
  python bench/stream_bench.py --models DIR          # e.g. full-size random models made with
                                                     # python -m studio.testing.tiny_models DIR --full-size 0.6b
  python bench/stream_bench.py --frames 125 --kind base --device cpu

Targets (issue 2): streamed total <= 1.05 x one-shot; first chunk after <= 4 codec frames.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
from common import models_folder  # noqa: E402 - also puts the repository on sys.path

from studio.audio.samplerate import SAMPLE_RATE  # noqa: E402
from studio.engine.options import Sampling, Streaming  # noqa: E402
from studio.engine.pool import ModelPool  # noqa: E402
from studio.engine.speak_request import (  # noqa: E402
    CLONE,
    DESIGN,
    PRESET,
    PromptRequest,
    SpeakRequest,
    make_prompt,
    run,
)
from studio.testing.signals import voice_like  # noqa: E402

TEXT = ("The quick brown fox jumps over the lazy dog, and the studio streams every word "
        "as soon as it is ready.")


def request(pool: ModelPool, kind: str, frames: int, seed: int, stream: bool) -> SpeakRequest:
    s = Sampling(seed=seed, max_frames=frames)
    st = Streaming(enabled=stream)
    if kind == "voice_design":
        return SpeakRequest(TEXT, DESIGN, "english", instruct="A calm narrator.", sampling=s,
                            streaming=st)
    if kind == "custom_voice":
        return SpeakRequest(TEXT, PRESET, "english", speaker="ryan", sampling=s, streaming=st)
    prompt = make_prompt(pool, PromptRequest(voice_like(5.0), SAMPLE_RATE, "A reference sentence."))
    return SpeakRequest(TEXT, CLONE, "english", prompt=prompt, sampling=s, streaming=st)


def measure(pool: ModelPool, kind: str, frames: int, seed: int, stream: bool) -> dict:
    req = request(pool, kind, frames, seed, stream)
    first: list[tuple[float, int]] = []
    t0 = time.perf_counter()

    def on_chunk(audio: np.ndarray) -> None:
        if not first:
            first.append((time.perf_counter() - t0, len(audio) // 1920))

    take = run(pool, req, on_chunk=on_chunk)
    total = time.perf_counter() - t0
    t_first, n_first = first[0] if first else (float("nan"), 0)
    return dict(first=t_first, first_frames=n_first, total=total, audio=take.duration_s,
                frames=take.frames, samples=take.audio)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, help="folder of models (default: build tiny ones)")
    ap.add_argument("--kind", nargs="+", default=["base", "custom_voice", "voice_design"])
    ap.add_argument("--frames", type=int, default=60, help="codec frames per take (12.5/s)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    with models_folder(args.models) as root:
        return _run(args, root)


def _run(args: argparse.Namespace, root: Path) -> int:
    pool = ModelPool(device=args.device, roots=[root], max_loaded=1)
    print(f"# stream_bench  {time.strftime('%Y-%m-%d %H:%M')}  {platform.processor() or platform.machine()}"
          f"  device={args.device}  frames={args.frames}  models={root}")
    print(f"{'model':<40} {'mode':<9} {'first s':>8} {'total s':>8} {'audio s':>8} "
          f"{'audio/wall':>10} {'1st chunk frames':>16}")
    for kind in args.kind:
        available = [m for m in pool.available() if m.kind == kind and m.usable]
        if not available:
            print(f"{kind:<40} (no model)")
            continue
        pool.get(kind)
        measure(pool, kind, 4, 0, True)  # warm up: page weights in, first-call overheads
        rows = {}
        for mode in ("one-shot", "streamed"):
            runs = [measure(pool, kind, args.frames, 1234, mode == "streamed")
                    for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["total"])
            rows[mode] = best
            print(f"{available[0].name:<40} {mode:<9} {best['first']:>8.3f} {best['total']:>8.2f} "
                  f"{best['audio']:>8.2f} {best['audio'] / best['total']:>10.3f} "
                  f"{best['first_frames']:>16d}")
        diff = float(np.max(np.abs(rows["streamed"]["samples"] - rows["one-shot"]["samples"])))
        ratio = rows["streamed"]["total"] / rows["one-shot"]["total"]
        print(f"{'':<40} streamed/one-shot total = {ratio:.3f}   max |diff| = {diff:.2e}")
        pool.unload()
    return 0


if __name__ == "__main__":
    sys.exit(main())
