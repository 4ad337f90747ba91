"""What fixing a design voice costs: a three-segment design take drawn (designed sample, Base
prompt, cloned rest), the same take with the voice kept (cloned only), and every segment
designed (the path without a Base model), plus the silence a listener could hear where the
take switches from the VoiceDesign model to the Base model (the prompt being made, and on
the first take the Base model loading).

    python bench/design_voice_bench.py --models DIR [--frames 15] [--runs 3]

DIR holds a VoiceDesign and a Base model (e.g. the tiny ones:
``python -m studio.testing.tiny_models DIR``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from studio.engine.design_voice import speak
from studio.engine.drawn_voice import FRESH, DrawnVoice
from studio.engine.options import Sampling
from studio.engine.pool import ModelPool
from studio.engine.speak_request import DESIGN, SpeakRequest

TEXT = "\n\n".join([
    "The old captain looked out across the grey and restless sea.",
    "He had sailed these waters for forty years and knew every current.",
    "Tonight the wind was rising, and the gulls had gone quiet.",
])


class Held:
    def __init__(self) -> None:
        self.voice: DrawnVoice | None = None

    def kept(self) -> DrawnVoice | None:
        return self.voice

    def keep(self, voice: DrawnVoice) -> None:
        self.voice = voice


def timed(pool: ModelPool, request: SpeakRequest, pieces: int) -> tuple[float, float]:
    """(total seconds, longest wait between two chunks after the first)."""
    stamps: list[float] = []
    started = time.monotonic()
    take = speak(pool, request, on_chunk=lambda _a: stamps.append(time.monotonic()))
    assert take.segments == pieces
    gaps = np.diff(stamps) if len(stamps) > 1 else np.zeros(1)
    return time.monotonic() - started, float(gaps.max())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--frames", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pool = ModelPool(device="cpu", roots=[args.models], max_loaded=2)

    def request(keeper: object, seed: int) -> SpeakRequest:
        return SpeakRequest(TEXT, DESIGN, "english", instruct="A gravelly old sea captain.",
                            keeper=keeper, sampling=Sampling(seed=seed, max_frames=args.frames))

    pool.get("voice_design")
    cold = timed(pool, request(FRESH, 0), 3)  # the Base model loads at the switch
    rows: dict[str, list[tuple[float, float]]] = {"drawn": [], "kept": [], "designed only": []}
    for run in range(args.runs):
        held = Held()
        rows["drawn"].append(timed(pool, request(held, run), 3))
        rows["kept"].append(timed(pool, request(held, run + 100), 3))
    only = ModelPool(device="cpu", roots=[next(args.models.glob("*VoiceDesign"))])
    only.get("voice_design")
    for run in range(args.runs):
        rows["designed only"].append(timed(only, request(FRESH, run), 3))
    print(f"3 segments x {args.frames} frames, {args.runs} runs, medians")
    print(f"{'take':<32}{'total s':>9}{'longest chunk gap s':>21}")
    print(f"{'drawn, Base model not loaded':<32}{cold[0]:>9.2f}{cold[1]:>21.2f}")
    for name, values in rows.items():
        total = statistics.median(v[0] for v in values)
        gap = statistics.median(v[1] for v in values)
        print(f"{name:<32}{total:>9.2f}{gap:>21.2f}")


if __name__ == "__main__":
    main()
