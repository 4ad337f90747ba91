"""Run the self-test: parse the options, run the steps in order, print the last line."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import IO

from studio.selftest import window
from studio.selftest.report import Report, finish
from studio.selftest.steps import SelfTest, engine_steps


def out_stream() -> IO[str]:
    """stdout, or a log file where a windowed build has none (Windows, macOS .app)."""
    if sys.stdout is not None:
        return sys.stdout
    from studio import paths

    log = paths.logs_dir(ensure=True) / "self-test.log"
    return open(log, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="voice-studio --self-test",
                                description="Check that this installation works.")
    p.add_argument("--models", type=Path, action="append", default=[],
                   help="a folder of models (or one model) to use instead of the models "
                        "folder; may be repeated")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | mps (default auto)")
    p.add_argument("--frames", type=int, default=24,
                   help="cap on the take's length in codec frames (12.5 per second)")
    p.add_argument("--window-only", action="store_true",
                   help="only open and close the window (with $VOICE_STUDIO_T0: cold start)")
    return p


def main(argv: list[str] | None = None) -> int:
    for name in ("stdout", "stderr"):  # windowed builds: see studio.ui.main.fix_stdio
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
                    if name == "stderr" else out_stream())
    args = parser().parse_args(argv if argv is not None else [])
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from studio import paths

    roots = args.models or [paths.models_dir()]
    report = Report(sys.stdout)
    frozen = "frozen bundle" if getattr(sys, "frozen", False) else "Python environment"
    with tempfile.TemporaryDirectory(prefix="voice-studio-self-test-") as tmp:
        work = Path(tmp)
        if args.window_only:
            report.step("main window shown and closed", lambda: window.show_window(roots, work))
            return finish(report)
        from studio import __version__

        report.line(f"Voice Studio {__version__}, {frozen}, Python "
                    f"{sys.version.split()[0]}, {sys.platform}; data in {paths.root()}")
        test = SelfTest(report, roots, args.device, max(1, args.frames), work)
        engine_ok = report.step("engine import", test.engine_import)
        models_ok = report.step(f"models found in {roots[0]}", test.find_models)
        if engine_ok and models_ok:
            engine_steps(report, test)
        else:
            why = "the engine did not import" if not engine_ok else "no models"
            report.skip("load models", why)
            report.skip("streamed take", why)
            report.skip("encoded takes (mp3, opus)", why)
            report.skip("project rendered and exported to M4B", why)
        asr_ok = report.step(f"transcription models found in {roots[0]}", test.find_asr)
        if asr_ok and test.asr and engine_ok:
            asr = test.asr[0]
            report.step(f"transcribe with {asr.name}", lambda: test.transcribe(asr))
        report.step("main window shown and closed", lambda: window.show_window(roots, work))
    return finish(report)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
