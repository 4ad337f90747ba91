"""``voice-studio --self-test``: prove an installation works, one printed line per step.

Written for the frozen bundle first (packaging/smoke-test runs it), where the failures are
a module left out, a data file not found or a library that reads metadata that is not
there; all of them show up here without a person clicking through the window. Steps:

1. import the engine (torch, transformers, qwen-tts, with the torchaudio stand-in);
2. find the models (``$VOICE_STUDIO_MODELS`` or ``<root>/models``, plus ``--models DIR``);
3. load every usable model, one at a time (and build a clone prompt on a Base model);
4. stream a short take into a WAV file in a temporary folder, chunk by chunk, then
   stream the same chunks into an MP3 and an Opus file (the API server's encoders, with
   its tempo change on the MP3) and decode them back;
   (and find the Whisper models: where one is installed, transcribe a test tone with it);
5. open the main window offscreen (no display needed) on a fake sound device, wait for
   its first paint, close it.

Every line reads ``self-test: <step> ... ok (1.2 s)`` or ``... FAILED: <reason>``; the
last line is ``self-test: passed`` or ``self-test: failed``; the exit status is 0 only
when every step passed. Anything the libraries print goes to stderr, so stdout is only
these lines. ``--window-only`` runs just step 5 first thing in the process: with
``VOICE_STUDIO_T0`` (epoch seconds, set by the caller right before starting the process)
it reports the cold start to the window's first paint, frozen or not.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

PREFIX = "self-test:"
TEXT = "Voice Studio self-test."
T0_ENV = "VOICE_STUDIO_T0"
# the kind the streamed take uses, best first: a preset speaker needs no prompt
TAKE_KINDS = ("custom_voice", "voice_design", "base")


class StepFailed(Exception):
    """A check inside a step did not hold; the message is the reason printed."""


class Report:
    """Prints step lines on the real stdout while the steps' own output goes to stderr."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.failures = 0

    def line(self, text: str) -> None:
        self.out.write(f"{PREFIX} {text}\n")
        self.out.flush()

    def step(self, title: str, fn: Callable[[], str | None]) -> bool:
        """Run ``fn``; it may return a more precise title (with what it found)."""
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(sys.stderr):
                title = fn() or title
        except Exception as exc:  # every failure is reported, none ends the run unprinted
            self.failures += 1
            traceback.print_exc(file=sys.stderr)
            self.line(f"{title} ... FAILED: {_reason(exc)}")
            return False
        self.line(f"{title} ... ok ({time.perf_counter() - start:.1f} s)")
        return True

    def skip(self, title: str, why: str) -> None:
        self.failures += 1
        self.line(f"{title} ... FAILED: skipped, {why}")


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, StepFailed):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _test_clip(sample_rate: int = 16000, seconds: float = 4.0) -> Any:
    """A voice-like test signal: a gliding harmonic tone with a syllable-rate envelope."""
    import numpy as np

    t = np.arange(int(sample_rate * seconds)) / sample_rate
    f0 = 140.0 + 40.0 * np.sin(2 * math.pi * 0.7 * t)
    phase = 2 * math.pi * np.cumsum(f0) / sample_rate
    tone = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = 0.5 + 0.5 * np.sin(2 * math.pi * 4.0 * t) ** 2
    return (0.25 * tone * envelope / np.max(np.abs(tone))).astype(np.float32)


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class SelfTest:
    def __init__(self, report: Report, roots: list[Path], device: str, frames: int,
                 work: Path) -> None:
        self.report = report
        self.roots = roots
        self.device = device
        self.frames = frames
        self.work = work
        self.models: list[Any] = []
        self.engine: Any = None
        self.prompt: Any = None
        self.asr: list[Any] = []  # usable Whisper models, once find_asr has run
        self.take: tuple[list[Any], int] | None = None  # the streamed take's chunks, rate

    # --- 1. engine ---------------------------------------------------------------------

    def engine_import(self) -> str:
        from studio.engine import compat

        compat.import_qwen_tts()
        import torch

        parts = [f"torch {torch.__version__}"]
        if compat._state.get("shim"):
            parts.append("torchaudio stand-in")
        stand_ins = sorted(name for name, mod in list(sys.modules.items())
                           if getattr(mod, "__voice_studio_stand_in__", False) and "." not in name)
        if stand_ins:
            parts.append("stand-ins: " + ", ".join(stand_ins))
        return f"engine import ({'; '.join(parts)})"

    # --- 2. models ---------------------------------------------------------------------

    def find_models(self) -> str:
        from studio.engine.models import discover

        found = discover(self.roots)
        self.models = [m for m in found if m.usable]
        where = ", ".join(str(r) for r in self.roots)
        if not self.models:
            broken = "; ".join(f"{m.name}: {m.problem}" for m in found if not m.usable)
            raise StepFailed(
                f"no usable Qwen3-TTS 12 Hz model in {where}"
                + (f" ({broken})" if broken else "")
                + ". Download one with 'voice-studio models download "
                "Qwen3-TTS-12Hz-0.6B-CustomVoice', or point $VOICE_STUDIO_MODELS or "
                "--models at a folder of models.")
        kinds = ", ".join(m.kind for m in self.models)
        return f"models found: {len(self.models)} ({kinds}) in {where}"

    def _take_model(self) -> Any:
        for kind in TAKE_KINDS:
            for model in self.models:
                if model.kind == kind:
                    return model
        return self.models[0]

    # --- 3. loads ----------------------------------------------------------------------

    def _call(self, fn: Callable[[Any], Any], timeout: float = 900.0) -> Any:
        return self.engine.call(fn).result(timeout)

    def load(self, info: Any) -> str:
        loaded = self._call(lambda pool: pool.get(info.kind, prefer=str(info.path)))
        return (f"load {info.name} ({info.kind}, {info.size}) on {loaded.device.label}, "
                f"{loaded.sample_rate} Hz")

    def clone_prompt(self, info: Any) -> str:
        from studio.engine import requests

        request = requests.PromptRequest(_test_clip(), 16000, "Voice Studio self test.",
                                         model=str(info.path))
        self.prompt = self._call(lambda pool: requests.make_prompt(pool, request))
        shape = self.prompt.spk_embedding.shape
        return f"clone prompt on {info.name} from a 4 s test tone (speaker vector {shape[-1]})"

    # --- 4. the streamed take ------------------------------------------------------------

    def streamed_take(self, info: Any) -> str:
        import numpy as np
        import soundfile as sf

        from studio.engine.options import Sampling
        from studio.engine.requests import CLONE, DESIGN, PRESET, SpeakRequest

        sampling = Sampling(seed=0, max_frames=self.frames)
        if info.kind == "custom_voice":
            speaker = "ryan" if "ryan" in info.speakers else (info.speakers or ("",))[0]
            request = SpeakRequest(TEXT, PRESET, speaker=speaker, sampling=sampling,
                                   model=str(info.path))
        elif info.kind == "voice_design":
            request = SpeakRequest(TEXT, DESIGN, instruct="A calm, clear voice.",
                                   sampling=sampling, model=str(info.path))
        else:
            request = SpeakRequest(TEXT, CLONE, prompt=self.prompt,
                                   sampling=sampling, model=str(info.path))
        rate = self._call(lambda pool: pool.get(info.kind, prefer=str(info.path)).sample_rate)
        path = self.work / "take.wav"
        chunks = samples = 0
        chunks_seen: list[Any] = []
        stream = self.engine.stream(request)
        with sf.SoundFile(str(path), "w", samplerate=rate, channels=1, subtype="PCM_16") as f:
            for chunk in stream:
                chunk = np.asarray(chunk, dtype=np.float32)
                if not np.isfinite(chunk).all():
                    raise StepFailed(f"chunk {chunks + 1} has NaN or infinite samples")
                f.write(chunk)
                chunks_seen.append(chunk)
                chunks += 1
                samples += len(chunk)
        take = stream.result(timeout=60)
        if chunks == 0 or samples == 0:
            raise StepFailed(f"the take produced no audio (stop reason {take.stop_reason})")
        on_disk = sf.info(str(path)).frames
        if on_disk != samples:
            raise StepFailed(f"{path} holds {on_disk} samples, the stream gave {samples}")
        self.take = (chunks_seen, rate)
        return (f"streamed take -> {path} ({chunks} chunks, {samples / rate:.2f} s audio, "
                f"{info.name}, first chunk {take.first_chunk_s or 0:.2f} s)")

    def encoded_takes(self) -> str:
        """The take's chunks through the server's streaming encoders: MP3 at 1.25x tempo
        (Rubber Band) and Opus, decoded back and measured."""
        import numpy as np

        from studio.audio.encoding import EXTENSIONS, StreamEncoder, decode
        from studio.audio.tempo import TempoStream

        if self.take is None:
            raise StepFailed("there is no streamed take to encode")
        chunks, rate = self.take
        samples = sum(len(c) for c in chunks)
        made = []
        for fmt, speed in (("mp3", 1.25), ("opus", 1.0)):
            tempo, encoder = TempoStream(rate, speed), StreamEncoder(fmt, rate)
            parts = [encoder.header()]
            parts += [encoder.push(tempo.push(c)) for c in chunks]
            parts += [encoder.push(tempo.finish()), encoder.finish()]
            data = b"".join(parts)
            path = self.work / f"take{EXTENSIONS[fmt]}"
            path.write_bytes(data)
            audio, got_rate = decode(data, fmt)
            want = samples / speed * got_rate / rate
            if not np.isfinite(audio).all() or not 0.9 * want <= len(audio) <= want + 2400:
                raise StepFailed(f"{path.name} decodes to {len(audio)} samples at {got_rate} "
                                 f"Hz, not about {want:.0f}")
            made.append(f"{path.name} {len(data) // 1024} KB, {len(audio) / got_rate:.2f} s")
        return "encoded takes (" + "; ".join(made) + ")"

    # --- 5. transcription (optional: only where a Whisper model is installed) ------------

    def find_asr(self) -> str:
        """Scan for Whisper models; none is fine (transcription is optional), an error is not."""
        from studio.audio.asr_models import discover_asr

        self.asr = [m for m in discover_asr(self.roots) if m.usable]
        where = ", ".join(str(r) for r in self.roots)
        if not self.asr:
            return (f"transcription models found: none in {where} (optional, transcription "
                    "not tested)")
        names = ", ".join(m.name for m in self.asr)
        return f"transcription models found: {len(self.asr)} ({names}) in {where}"

    def transcribe(self, info: Any) -> str:
        from studio.audio.transcribe import AsrPool

        pool = AsrPool(device=self.device, roots=self.roots, prefer=str(info.path))
        try:
            transcript = pool.transcribe(_test_clip(), 16000, language="en")
        finally:
            pool.unload()
        n = len(transcript.words)
        return (f"transcribe a test tone with {info.name} ({n} word{'s' if n != 1 else ''}, "
                f"{transcript.duration_s:.1f} s)")

    # --- 6. the window -------------------------------------------------------------------

    def window(self) -> str:
        return show_window(self.roots, self.work)


def show_window(roots: list[Path], work: Path, timeout_s: float = 60.0) -> str:
    """Open the real main window offscreen on a fake sound device, wait for its first
    paint, close it; settings and library live in ``work`` so the user's stay untouched."""
    t0_env = os.environ.get(T0_ENV)
    start = time.perf_counter()
    if not _has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from studio import paths

    home = work / "home"
    models = roots[0] if roots else paths.models_dir()
    with _env(**{paths.HOME_ENV: str(home), paths.MODELS_ENV: str(models)}):
        from studio.engine.pool import ModelPool
        from studio.testing.fake_sd import FakeSoundDevice
        from studio.ui.context import AppContext
        from studio.ui.main import create_app
        from studio.ui.main_window import MainWindow

        app = create_app([])
        painted: list[float] = []

        class Probe(MainWindow):
            """The real window, noting its first paint. An override, not an event filter:
            with PySide6 6.12 on Python 3.11 a filter returning False made the interpreter
            abort at exit ("deallocating True or False", a reference count error)."""

            def paintEvent(self, event: Any) -> None:  # noqa: N802
                if not painted:
                    painted.extend((time.perf_counter(), time.time()))
                super().paintEvent(event)

        ctx = AppContext.create(pool=ModelPool(roots=roots), sd=FakeSoundDevice())
        window = Probe(ctx)
        window.show()
        deadline = time.perf_counter() + timeout_s
        while not painted and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.005)
        if not painted:
            window.close()
            raise StepFailed(f"the window was not painted within {timeout_s:.0f} s")
        window.close()
        app.processEvents()
        if ctx.inference.thread.isRunning():
            raise StepFailed("the inference thread was still running after the window closed")
    platform = app.platformName()
    if t0_env:
        cold = painted[1] - float(t0_env)
        return (f"main window shown and closed ({platform}; cold start to first paint "
                f"{cold:.2f} s)")
    return (f"main window shown and closed ({platform}; first paint after "
            f"{painted[0] - start:.2f} s)")


def _out() -> IO[str]:
    """stdout, or a log file where a windowed build has none (Windows, macOS .app)."""
    if sys.stdout is not None:
        return sys.stdout
    from studio import paths

    log = paths.logs_dir(ensure=True) / "self-test.log"
    return open(log, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)


def _parser() -> argparse.ArgumentParser:
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
    for name in ("stdout", "stderr"):  # windowed builds: see studio.ui.main._fix_stdio
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
                    if name == "stderr" else _out())
    args = _parser().parse_args(argv if argv is not None else [])
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from studio import paths

    roots = args.models or [paths.models_dir()]
    report = Report(sys.stdout)
    frozen = "frozen bundle" if getattr(sys, "frozen", False) else "Python environment"
    with tempfile.TemporaryDirectory(prefix="voice-studio-self-test-") as tmp:
        work = Path(tmp)
        if args.window_only:
            report.step("main window shown and closed", lambda: show_window(roots, work))
            return _finish(report)
        from studio import __version__

        report.line(f"Voice Studio {__version__}, {frozen}, Python "
                    f"{sys.version.split()[0]}, {sys.platform}; data in {paths.root()}")
        test = SelfTest(report, roots, args.device, max(1, args.frames), work)
        engine_ok = report.step("engine import", test.engine_import)
        models_ok = report.step(f"models found in {roots[0]}", test.find_models)
        if engine_ok and models_ok:
            _engine_steps(report, test)
        else:
            why = "the engine did not import" if not engine_ok else "no models"
            report.skip("load models", why)
            report.skip("streamed take", why)
            report.skip("encoded takes (mp3, opus)", why)
        asr_ok = report.step(f"transcription models found in {roots[0]}", test.find_asr)
        if asr_ok and test.asr and engine_ok:
            asr = test.asr[0]
            report.step(f"transcribe with {asr.name}", lambda: test.transcribe(asr))
        report.step("main window shown and closed", test.window)
    return _finish(report)


def _engine_steps(report: Report, test: SelfTest) -> None:
    from studio.engine.owner import EngineThread
    from studio.engine.pool import ModelPool

    take_model = test._take_model()
    # base first (its clone prompt may be the take's voice), the take's model last, loaded
    order = sorted(test.models, key=lambda m: (m is take_model, m.kind != "base"))
    test.engine = EngineThread(ModelPool(device=test.device, roots=test.roots, max_loaded=1))
    try:
        loaded_ok = True
        for info in order:
            ok = report.step(f"load {info.name}", lambda info=info: test.load(info))
            loaded_ok = loaded_ok and ok
            if ok and info.kind == "base":
                report.step(f"clone prompt on {info.name}",
                            lambda info=info: test.clone_prompt(info))
        if loaded_ok:
            if report.step("streamed take", lambda: test.streamed_take(take_model)):
                report.step("encoded takes (mp3, opus)", test.encoded_takes)
            else:
                report.skip("encoded takes (mp3, opus)", "the streamed take failed")
        else:
            report.skip("streamed take", "a model did not load")
            report.skip("encoded takes (mp3, opus)", "a model did not load")
    finally:
        test.engine.close()


def _finish(report: Report) -> int:
    report.line("passed" if report.failures == 0 else "failed")
    return 0 if report.failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
