"""GUI responsiveness: event-loop stalls while a model loads and while a take streams, and the
time from pressing Generate to the first sample in the player's buffer, minus the engine's
own first-chunk time.

Usage:
  python bench/gui_latency.py                 # tiny models built in a temp folder
  python bench/gui_latency.py --models DIR    # e.g. full-size random models
  python bench/gui_latency.py --frames 60 --takes 5

Targets (issue 4): longest stall < 50 ms; Generate -> first buffered sample minus the engine's
first-chunk time < 30 ms. Runs offscreen with a fake sound device whose output buffer is the
player's ring (what a real device would read next).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from common import models_folder  # noqa: E402 - also puts the repository on sys.path

from studio.audio.samplerate import SAMPLE_RATE  # noqa: E402


class StallMeter:
    """A 2 ms timer; the longest gap between its ticks is the longest event-loop stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(2)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = 0.0, 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst * 1000.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path)
    ap.add_argument("--frames", type=int, default=40)
    ap.add_argument("--takes", type=int, default=3)
    ap.add_argument("--project-blocks", type=int, default=2000,
                    help="scroll a Projects chapter this long (0: skip)")
    args = ap.parse_args()
    os.environ.setdefault("VOICE_STUDIO_HOME", tempfile.mkdtemp(prefix="vs-bench-"))

    with models_folder(args.models) as root:
        return _run(args, root)


def _run(args: argparse.Namespace, root: Path) -> int:

    from PySide6.QtCore import QEventLoop, QTimer

    from studio.engine.pool import ModelPool
    from studio.testing.fake_sd import FakeSoundDevice
    from studio.ui.compose import build_context
    from studio.ui.main import create_app
    from studio.ui.main_window import MainWindow

    create_app([])
    ctx = build_context(pool=ModelPool(device="cpu", roots=[root]),
                        sd=FakeSoundDevice(1, 1, default_samplerate=float(SAMPLE_RATE)))
    window = MainWindow(ctx)
    window.show()
    meter = StallMeter()

    def wait(signal, timeout_ms: int = 600000) -> list:  # noqa: ANN001
        loop = QEventLoop()
        got: list = []
        signal.connect(lambda *a: (got.append(a), loop.quit()))
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        return got

    # 1. the engine's first import (torch, qwen-tts), then a model load, event loop watched
    meter.start()
    ctx.inference.warm_up()
    wait(ctx.inference.engine_ready)
    import_stall = meter.stop()
    meter.start()
    ctx.inference.preload("custom_voice")
    wait(ctx.inference.model_ready)
    load_stall = meter.stop()

    # 2. streamed takes
    page = window.speak
    page.max_frames = args.frames
    window.voices.select_key("speaker:ryan")
    page.text.setPlainText("Measuring how quickly the first sound reaches the speakers.")
    first_buffered: list[float] = []
    stalls, overheads, firsts = [], [], []
    for _ in range(args.takes):
        first_buffered.clear()
        meter.start()
        pressed = time.perf_counter()
        job = page.generate()
        # the first chunk is in the take's track (which the player reads) when its job says so
        job.chunk.connect(lambda *_: first_buffered or first_buffered.append(time.perf_counter()))
        wait(page.take_finished)
        stalls.append(meter.stop())
        take_first = first_buffered[0] - pressed if first_buffered else float("nan")
        firsts.append(take_first)
        overheads.append(take_first - (page.last_take.first_chunk_s or 0.0))
        ctx.playback.stop()
    # 3. the Projects workspace: a long chapter scrolled, alone and while a render updates it
    project_figures = None
    if args.project_blocks:
        from bench.projects_page import scroll_stalls

        project_figures = scroll_stalls(window, args.project_blocks)
    window.close()
    print(f"# gui_latency  {time.strftime('%Y-%m-%d %H:%M')}  models={root}  frames={args.frames}")
    print(f"longest event-loop stall while the engine starts (first import of torch, "
          f"transformers, qwen-tts in the worker): {import_stall:.1f} ms")
    print(f"longest event-loop stall while loading a model : {load_stall:7.1f} ms")
    print(f"longest event-loop stall while streaming       : {max(stalls):7.1f} ms "
          f"(per take: {', '.join(f'{s:.1f}' for s in stalls)})")
    print(f"Generate -> first sample buffered              : "
          f"{min(firsts) * 1000:7.1f} ms (best of {len(firsts)})")
    print(f"  minus the engine's first-chunk time          : "
          f"{min(overheads) * 1000:7.1f} ms (median {sorted(overheads)[len(overheads) // 2] * 1000:.1f})")
    if project_figures is not None:
        from bench.projects_page import report

        report(*project_figures, blocks=args.project_blocks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
