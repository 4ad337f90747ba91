"""The self-test's engine, model and transcription steps, each a method that returns the
line to print (with what it found) or raises."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.selftest.report import Report, StepFailed

TEXT = "Voice Studio self-test."
# the kind the streamed take uses, best first: a preset speaker needs no prompt
TAKE_KINDS = ("custom_voice", "voice_design", "base")


def voice_like_tone(sample_rate: int = 16000, seconds: float = 4.0) -> Any:
    """A voice-like test signal: a gliding harmonic tone with a syllable-rate envelope."""
    import numpy as np

    t = np.arange(int(sample_rate * seconds)) / sample_rate
    f0 = 140.0 + 40.0 * np.sin(2 * math.pi * 0.7 * t)
    phase = 2 * math.pi * np.cumsum(f0) / sample_rate
    tone = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = 0.5 + 0.5 * np.sin(2 * math.pi * 4.0 * t) ** 2
    return (0.25 * tone * envelope / np.max(np.abs(tone))).astype(np.float32)


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
        if compat.torchaudio_state.get("shim"):
            parts.append("torchaudio stand-in")
        stand_ins = sorted(name for name, mod in list(sys.modules.items())
                           if getattr(mod, "__voice_studio_stand_in__", False) and "." not in name)
        if stand_ins:
            parts.append("stand-ins: " + ", ".join(stand_ins))
        return f"engine import ({'; '.join(parts)})"

    # --- 2. models ---------------------------------------------------------------------

    def find_models(self) -> str:
        from studio import hub

        found = hub.discover(self.roots)
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

    def take_model(self) -> Any:
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
        from studio.engine import speak_request

        request = speak_request.PromptRequest(voice_like_tone(), 16000, "Voice Studio self test.",
                                         model=str(info.path))
        self.prompt = self._call(lambda pool: speak_request.make_prompt(pool, request))
        shape = self.prompt.spk_embedding.shape
        return f"clone prompt on {info.name} from a 4 s test tone (speaker vector {shape[-1]})"

    # --- 4. the streamed take ------------------------------------------------------------

    def streamed_take(self, info: Any) -> str:
        import numpy as np
        import soundfile as sf

        from studio.engine.options import Sampling
        from studio.engine.speak_request import CLONE, DESIGN, PRESET, SpeakRequest

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
        from studio import hub

        self.asr = [m for m in hub.discover(self.roots, kind="asr") if m.usable]
        where = ", ".join(str(r) for r in self.roots)
        if not self.asr:
            return (f"transcription models found: none in {where} (optional, transcription "
                    "not tested)")
        names = ", ".join(m.name for m in self.asr)
        return f"transcription models found: {len(self.asr)} ({names}) in {where}"

    def transcribe(self, info: Any) -> str:
        from studio.asr.transcribe import AsrPool

        pool = AsrPool(device=self.device, roots=self.roots, prefer=str(info.path))
        try:
            transcript = pool.transcribe(voice_like_tone(), 16000, language="en")
        finally:
            pool.unload()
        n = len(transcript.words)
        return (f"transcribe a test tone with {info.name} ({n} word{'s' if n != 1 else ''}, "
                f"{transcript.duration_s:.1f} s)")


def engine_steps(report: Report, test: SelfTest) -> None:
    from studio.engine.engine_thread import EngineThread
    from studio.engine.pool import ModelPool

    take_model = test.take_model()
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
            from studio.selftest.project import render_and_export

            if report.step("streamed take", lambda: test.streamed_take(take_model)):
                report.step("encoded takes (mp3, opus)", test.encoded_takes)
            else:
                report.skip("encoded takes (mp3, opus)", "the streamed take failed")
            report.step("project rendered and exported to M4B", lambda: render_and_export(
                test.engine, test.models, test.work, test.frames, test.prompt,
                voice_like_tone()))
        else:
            report.skip("streamed take", "a model did not load")
            report.skip("encoded takes (mp3, opus)", "a model did not load")
            report.skip("project rendered and exported to M4B", "a model did not load")
    finally:
        test.engine.close()
