"""The Projects workspace with a long book: event-loop stalls while scrolling a 2,000-block
chapter, and while a render updates it; and screenshots of the page (light and dark) with a
rendered chapter containing a flagged block.

Usage:
  python bench/projects_page.py [--blocks 2000]       # the stall figures (tiny models)
  python bench/projects_page.py --shots OUT_DIR       # the screenshots too
bench/gui_latency.py prints the stall figures as well. Target (issue 17): < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from common import models_folder  # noqa: E402 - also puts the repository on sys.path

SCRIPT = ["It was a quiet evening when the letter came.",
          "Who sent this? asked Alice, turning the envelope over.",
          "I have no idea, said Bob. But the stamp is from Lisbon.",
          "They opened it together, slowly, as if it might bite."]


def book(blocks: int, rendered: int) -> Any:
    """A project of ``blocks`` blocks in one chapter, the first ``rendered`` with up-to-date
    takes (every 40th of them flagged by the check); returns it."""
    from studio.projects import stale
    from studio.projects.schema import Block, BlockTake, CastMember, Chapter, CheckResult, Project
    from studio.projects.store import ProjectStore

    speakers = ["Narrator", "Alice", "Bob", "Narrator"]
    chapter = Chapter("Chapter 1", [Block(SCRIPT[k % 4], speaker=speakers[k % 4])
                                    for k in range(blocks)])
    project = Project(id="", name=f"Long book {blocks}", chapters=[chapter, Chapter(
        "Chapter 2", [Block("The end.")])], cast=[CastMember("Narrator", "speaker:ryan"),
                                                 CastMember("Alice", "speaker:vivian"),
                                                 CastMember("Bob", "speaker:dylan")])
    project.settings.max_seconds = 0.3
    for k, block in enumerate(chapter.blocks[:rendered]):
        check = CheckResult(50.0, True, ["“Lisbon” (heard “lesbian”)"]) if k % 40 == 7 \
            else CheckResult(98.0, False)
        block.takes = [BlockTake(f"{block.id}-1", f"takes/{block.id}-1.flac", 1, 24000,
                                 stale.fingerprint(project, block, [], None), check=check)]
        block.chosen = block.takes[0].id
    return ProjectStore().create(project)


def _pump() -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()


def _sweep(view: Any, steps: int = 400) -> list[float]:
    """Scroll the whole list top to bottom in ``steps``, each painted at once; the time of
    each step, in ms."""
    bar = view.verticalScrollBar()
    step = max(1, bar.maximum() // steps)
    times = []
    for value in range(0, bar.maximum() + step, step):
        started = time.perf_counter()
        bar.setValue(value)
        view.viewport().repaint()
        _pump()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p99(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.99)] if times else 0.0


def scroll_stalls(window: Any, blocks: int = 2000
                  ) -> tuple[float, float, float, float, float, float]:
    """Longest stall and 99th-percentile step while scrolling the whole chapter (after one
    warm-up pass), then the same while scrolling during a render that updates it, the
    most CPU time the window's thread spent in one of those steps, and the longest of three
    edits of one block's text (until the window is idle again); in ms. A step's wall time
    beyond its CPU time is waiting: for the CPU (a busy machine) or for Python's GIL, which
    the render's thread holds while it runs the model's Python code."""
    from bench.gui_latency import StallMeter

    page = window.projects
    window.tabs.setCurrentWidget(page)
    project = book(blocks, blocks - 6)
    page.refresh_projects(project.id)
    page.open_project(project.id)
    page.render.max_seconds = 0.3
    view = page.view
    bar = view.verticalScrollBar()
    _pump()
    _sweep(view)  # warm-up: glyph caches, first paints
    meter = StallMeter()
    meter.start()
    steps = _sweep(view)
    scroll = meter.stop()
    edits = []
    for k in range(3):
        started = time.perf_counter()
        page.block_actions.edit_text(page.model.blocks[k].id, f"Edited line {k}.")
        _pump()
        edits.append((time.perf_counter() - started) * 1000)
    bar.setValue(bar.maximum())
    meter.start()
    page.render.render_missing()
    direction, during, cpu = -1, [], []
    while page.render.job is not None:
        started, started_cpu = time.perf_counter(), time.thread_time()
        bar.setValue(bar.value() + direction * 3)
        if bar.value() in (0, bar.maximum()):
            direction = -direction
        view.viewport().repaint()
        _pump()
        during.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        time.sleep(0.005)
    rendering = meter.stop()
    return scroll, p99(steps), rendering, p99(during), max(cpu, default=0.0), max(edits)


def shots(out: Path, models: Path) -> list[Path]:
    """The page in light and dark, a rendered chapter with a flagged block selected."""
    from studio.audio.samplerate import SAMPLE_RATE
    from studio.engine.pool import ModelPool
    from studio.settings import Settings
    from studio.testing.fake_sd import FakeSoundDevice
    from studio.ui.compose import build_context
    from studio.ui.main import create_app
    from studio.ui.main_window import MainWindow
    from studio.ui.theme import apply_theme

    app = create_app([])
    saved = []
    project = book(24, 20)
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        ctx = build_context(Settings(theme=theme), pool=ModelPool(device="cpu", roots=[models]),
                            sd=FakeSoundDevice(1, 1, default_samplerate=float(SAMPLE_RATE)))
        window = MainWindow(ctx)
        window.resize(1400, 820)
        window.show()
        window.tabs.setCurrentWidget(window.projects)
        window.projects.refresh_projects(project.id)
        window.projects.open_project(project.id)
        window.projects.select_row(7)
        for _ in range(20):
            _pump()
            time.sleep(0.01)
        path = out / f"{theme}-projects.png"
        window.grab().save(str(path))
        saved.append(path)
        window.close()
        ctx.shutdown()
    return saved


def warm_engine(ctx: Any) -> None:
    """Import the engine and load the model first: a cold start stalls every window alike
    (bench/gui_latency.py measures it), which is not what this measures."""
    from PySide6.QtCore import QEventLoop, QTimer

    for start, signal in ((ctx.inference.warm_up, ctx.inference.engine_ready),
                          (lambda: ctx.inference.preload("custom_voice"),
                           ctx.inference.model_ready)):
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(600000, loop.quit)
        start()
        loop.exec()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path)
    ap.add_argument("--blocks", type=int, default=2000)
    ap.add_argument("--shots", type=Path, metavar="OUT_DIR")
    args = ap.parse_args()
    os.environ.setdefault("VOICE_STUDIO_HOME", tempfile.mkdtemp(prefix="vs-bench-"))
    with models_folder(args.models) as root:
        if args.shots:
            args.shots.mkdir(parents=True, exist_ok=True)
            for path in shots(args.shots, root):
                print(path)
            return 0
        from studio.engine.pool import ModelPool
        from studio.testing.fake_sd import FakeSoundDevice
        from studio.ui.compose import build_context
        from studio.ui.main import create_app
        from studio.ui.main_window import MainWindow

        create_app([])
        ctx = build_context(pool=ModelPool(device="cpu", roots=[root]),
                            sd=FakeSoundDevice(1, 1, default_samplerate=24000.0))
        window = MainWindow(ctx)
        window.show()
        warm_engine(ctx)
        figures = scroll_stalls(window, args.blocks)
        window.close()
        ctx.shutdown()
        print(f"# projects_page  {time.strftime('%Y-%m-%d %H:%M')}  blocks={args.blocks}")
        report(*figures, blocks=args.blocks)
    return 0


def report(scroll: float, scroll_p99: float, rendering: float, rendering_p99: float,
           rendering_cpu: float, edit: float, blocks: int) -> None:
    print(f"scrolling a {blocks}-block chapter, longest event-loop stall: {scroll:7.1f} ms "
          f"(99% of scroll steps under {scroll_p99:.1f} ms)")
    print(f"scrolling while a render updates it, longest stall        : {rendering:7.1f} ms "
          f"(99% of scroll steps under {rendering_p99:.1f} ms; the window's thread used at "
          f"most {rendering_cpu:.1f} ms of CPU in one)")
    print(f"editing one block's text (the window busy until it is shown)  : {edit:7.1f} ms")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine load (1-minute average) at the end: {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    sys.exit(main())
