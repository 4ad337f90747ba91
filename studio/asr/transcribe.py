"""Transcribe a clip with a Whisper model through transformers, keeping word timestamps.

Cloning in ICL mode needs the exact words of the reference clip; this hears them. Slow
(model load in seconds, a clip in a fraction of a second to seconds), so the GUI runs it on
a worker thread and the CLI in its main thread; a :class:`Recognizer` belongs to the thread
that loaded it. Cancel is checked between decoding steps (a transformers stopping
criterion) and between 30 s windows, so it takes effect within one step.

Word times come from the cross-attention alignment transformers computes for
``return_token_timestamps`` (the model's ``alignment_heads``). Timestamp and control tokens
are never let into the text, whatever the model's weights would prefer.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from studio.asr.models import pick_asr
from studio.asr.words import (
    NO_SPACE_LANGUAGES,
    Transcript,
    Word,
    group_words,
    language_code,
    pieces,
)
from studio.audio.clip import resample, to_mono
from studio.audio.errors import AudioTooLong, AudioTooShort, InvalidSamples, NoSpeech
from studio.audio.levels import SILENCE_DB, detect_speech, frame_power
from studio.engine.errors import ModelCorrupt, OutOfMemory
from studio.errors import Cancelled, InvalidInput
from studio.hub import AsrModelInfo, discover

log = logging.getLogger(__name__)

ASR_RATE = 16_000  # what Whisper's feature extractor expects
WINDOW_S = 30.0  # one Whisper input
MAX_SECONDS = 300.0  # longer is not a reference clip: select the part first
MIN_SECONDS = 0.1

ProgressFn = Callable[[float, str], None]


def _is_cancelled(cancel: Any) -> bool:
    if cancel is None:
        return False
    flag = getattr(cancel, "cancelled", None)
    return bool(flag) if flag is not None else bool(cancel.is_set())


def prepare(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 at 16 kHz, or a typed error saying why the audio cannot be transcribed."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer) \
            or sample_rate <= 0:
        raise InvalidInput(f"Cannot transcribe audio at {sample_rate!r} Hz: give the sample "
                           "rate of the clip in Hz.")
    x = np.asarray(audio)
    if x.size == 0:
        raise AudioTooShort("There is no audio to transcribe. Record or import a clip first.")
    mono = to_mono(x)
    if not np.isfinite(mono).all():
        raise InvalidSamples("The clip contains invalid samples (NaN or infinity), so it "
                             "cannot be transcribed. Record or export it again.")
    seconds = mono.shape[0] / float(sample_rate)
    if seconds < MIN_SECONDS:
        raise AudioTooShort(f"The clip is only {seconds:.2f} s long: too short to hold a "
                            "word. Select at least a second of speech.")
    if seconds > MAX_SECONDS:
        raise AudioTooLong(f"The clip is {seconds:.0f} s long; transcription is limited to "
                           f"{MAX_SECONDS / 60:.0f} minutes. Select the 5-15 s you want to "
                           "clone from first, then transcribe that.")
    peak = float(np.max(np.abs(mono)))
    if peak < 10 ** (SILENCE_DB / 20) or detect_speech(mono, int(sample_rate)).speech_s <= 0:
        raise NoSpeech("The clip is silent, so there is nothing to transcribe. Check the "
                       "microphone, or select the part where someone speaks.")
    return resample(mono, int(sample_rate), ASR_RATE)


def windows(audio: np.ndarray, rate: int = ASR_RATE, limit_s: float = WINDOW_S,
            search_s: float = 8.0) -> list[tuple[int, int]]:
    """(start, end) sample ranges of at most ``limit_s``, cut at the quietest 20 ms near
    each limit so no word is cut in two."""
    n, limit = audio.shape[0], int(limit_s * rate)
    hop = int(0.02 * rate)
    out: list[tuple[int, int]] = []
    start = 0
    while n - start > limit:
        lo = start + limit - int(search_s * rate)
        power = frame_power(audio[lo:start + limit], hop)
        quiet = np.flatnonzero(power <= power.min() * 2.0 + 1e-10)  # the latest of the quietest
        cut = min(lo + int(quiet[-1]) * hop + hop // 2, start + limit)
        out.append((start, cut))
        start = cut
    out.append((start, n))
    return out


class Recognizer:
    """A Whisper model and its processor on a device. Only its owner thread calls it."""

    def __init__(self, info: AsrModelInfo, device: Any, model: Any, processor: Any) -> None:
        self.info, self.device, self.model, self.processor = info, device, model, processor
        tok = processor.tokenizer
        gen = model.generation_config
        self.eot = int(tok.convert_tokens_to_ids("<|endoftext|>"))
        self.lang_ids = {int(v): k.strip("<|>") for k, v in
                         (getattr(gen, "lang_to_id", None) or {}).items()}
        self.multilingual = bool(getattr(gen, "is_multilingual", len(self.lang_ids) > 1))
        if not getattr(gen, "alignment_heads", None):  # what OpenAI uses for unknown models
            layers = model.config.decoder_layers
            gen.alignment_heads = [[layer, head] for layer in range(layers // 2, layers)
                                   for head in range(model.config.decoder_attention_heads)]
        # never let timestamp or control tokens into the text: everything from <|endoftext|>
        # on, except <|endoftext|> itself (it ends the transcript)
        vocab = int(model.config.vocab_size)
        self.suppress = sorted({*(gen.suppress_tokens or []), *range(self.eot + 1, vocab)})
        self.loaded_at = time.monotonic()

    @property
    def languages(self) -> tuple[str, ...]:
        if not self.multilingual:  # the *.en models
            return ("en",)
        return tuple(sorted(self.lang_ids.values())) or ("en",)

    @classmethod
    def load(cls, info: AsrModelInfo, device: Any,
             progress: ProgressFn | None = None) -> Recognizer:
        """Load ``info`` onto ``device`` (a DeviceChoice). Seconds: call it off the UI thread."""
        report = progress or (lambda _f, _m: None)
        if not info.usable:
            raise ModelCorrupt(str(info.path), info.problem or "incomplete")
        report(0.05, "Importing transformers")
        import torch
        from transformers import WhisperForConditionalGeneration, WhisperProcessor

        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder never needs the network
        report(0.3, f"Reading {info.name}")
        dtype = getattr(torch, device.dtype)
        try:
            processor = WhisperProcessor.from_pretrained(str(info.path), local_files_only=True)
            model = WhisperForConditionalGeneration.from_pretrained(
                str(info.path), dtype=dtype, local_files_only=True,
                attn_implementation="eager")  # the word timing reads its attention weights
            model.to(device.device).eval()
        except torch.OutOfMemoryError as exc:
            raise OutOfMemory(device.device) from exc
        except Exception as exc:  # any failure to read the folder is the folder's fault here
            raise ModelCorrupt(str(info.path), _short(exc)) from exc
        report(1.0, f"{info.name} ready on {device.label}")
        return cls(info, device, model, processor)

    # --- transcribing ---------------------------------------------------------------------

    def transcribe(self, audio: np.ndarray, sample_rate: int, language: str | None = None,
                   cancel: Any = None, progress: ProgressFn | None = None) -> Transcript:
        """What is said in ``audio``, with the language detected unless given."""
        code = language_code(language, self.languages)
        x = prepare(audio, sample_rate)
        spans = windows(x)
        words: list[Word] = []
        texts: list[str] = []
        detected = code
        for k, (a, b) in enumerate(spans):
            if _is_cancelled(cancel):
                raise Cancelled()
            if progress is not None:
                progress(k / len(spans), f"Transcribing ({k + 1} of {len(spans)})"
                         if len(spans) > 1 else "Transcribing")
            text, found, got = self._window(x[a:b], detected, cancel, a / ASR_RATE)
            detected = detected or found  # later windows keep the first window's language
            texts.append(text)
            words += got
        lang = detected or "en"
        joiner = "" if lang in NO_SPACE_LANGUAGES else " "
        duration = x.shape[0] / ASR_RATE
        return Transcript(joiner.join(t for t in texts if t).strip(), lang, tuple(words),
                          duration, self.info.name, language_detected=code is None)

    def _window(self, x: np.ndarray, language: str | None, cancel: Any,
                offset: float) -> tuple[str, str | None, list[Word]]:
        import torch

        model, device = self.model, self.device.device
        feats = self.processor.feature_extractor(x, sampling_rate=ASR_RATE, return_tensors="pt",
                                                 return_attention_mask=True)
        kwargs: dict[str, Any] = dict(
            input_features=feats.input_features.to(device, model.dtype),
            attention_mask=feats.attention_mask.to(device),
            return_token_timestamps=True, return_dict_in_generate=True,
            suppress_tokens=self.suppress, stopping_criteria=_stopping(cancel))
        if self.multilingual:  # language and task tokens
            kwargs.update(language=language, task="transcribe")
        with torch.inference_mode():
            out = model.generate(**kwargs)
        if _is_cancelled(cancel):
            raise Cancelled()
        seq = [int(t) for t in out["sequences"][0]]
        stamps = out.get("token_timestamps") if isinstance(out, dict) else None
        times = ([float(t) for t in stamps[0]] if stamps is not None
                 else [0.0] * (len(seq) + 1))
        found = next((self.lang_ids[t] for t in seq[:4] if t in self.lang_ids), None)
        keep = [i for i, t in enumerate(seq) if t < self.eot]
        if not keep:
            return "", found, []
        length = x.shape[0] / ASR_RATE
        starts = [_clamp(times[i], length) for i in keep]
        ends = [_clamp(times[i + 1] if i + 1 < len(times) else length, length) for i in keep]
        tok = self.processor.tokenizer
        parts = pieces([seq[i] for i in keep],
                       lambda ids: tok.decode(ids, skip_special_tokens=True,
                                              clean_up_tokenization_spaces=False))
        words = [Word(w.text, w.start + offset, w.end + offset)
                 for w in group_words(parts, starts, ends)]
        return "".join(p[0] for p in parts).strip(), found, words


def _clamp(t: float, length: float) -> float:
    return min(max(0.0, t), length) if math.isfinite(t) else 0.0


def _stopping(cancel: Any) -> Any:
    """A stopping criterion that ends generation as soon as ``cancel`` is set."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class _Cancel(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **_kw: Any) -> Any:
            return torch.full((input_ids.shape[0],), _is_cancelled(cancel), dtype=torch.bool,
                              device=input_ids.device)

    return StoppingCriteriaList([_Cancel()])


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


class AsrPool:
    """The process's one loaded recognizer, found by content like the voice models.

    Not thread-safe by design: one owner thread (the GUI's transcription thread, or the
    CLI's main thread) calls it."""

    def __init__(self, device: str = "auto", dtype: str | None = None,
                 roots: Iterable[Path] | None = None, extra: Iterable[Path] = (),
                 prefer: str | None = None) -> None:
        self.device_pref, self.dtype_pref = device, dtype
        self.roots = list(roots) if roots is not None else None
        self.extra = [Path(p) for p in extra]
        self.prefer = prefer  # a model path or folder name; None = the default choice
        self.recognizer: Recognizer | None = None

    def configure(self, device: str, dtype: str | None, roots: Iterable[Path] | None,
                  extra: Iterable[Path], prefer: str | None) -> None:
        """Follow the app's settings; a device change unloads (the model lives on the old one)."""
        if (device, dtype) != (self.device_pref, self.dtype_pref):
            self.unload()
        self.device_pref, self.dtype_pref, self.prefer = device, dtype, prefer
        self.roots = list(roots) if roots is not None else None
        self.extra = [Path(p) for p in extra]

    def available(self) -> list[AsrModelInfo]:
        return discover(self.roots, self.extra, kind="asr")

    def resolve(self, prefer: str | None = None) -> AsrModelInfo:
        return pick_asr(self.available(), prefer or self.prefer)

    def get(self, prefer: str | None = None, progress: ProgressFn | None = None) -> Recognizer:
        info = self.resolve(prefer)
        current = self.recognizer
        if current is not None and current.info.path.resolve() == info.path.resolve():
            return current
        self.unload()
        from studio.engine.models import choose_device

        device = choose_device(self.device_pref, self.dtype_pref)
        self.recognizer = Recognizer.load(info, device, progress)
        return self.recognizer

    def transcribe(self, audio: np.ndarray, sample_rate: int, language: str | None = None,
                   cancel: Any = None, progress: ProgressFn | None = None,
                   prefer: str | None = None) -> Transcript:
        language_code(language)  # a bad clip or language is refused before any model loads
        prepare(audio, sample_rate)
        recognizer = self.get(prefer, progress)
        return recognizer.transcribe(audio, sample_rate, language, cancel, progress)

    def unload(self) -> bool:
        """Drop the model (the caller collects garbage where it is safe); True if one was loaded."""
        had = self.recognizer is not None
        self.recognizer = None
        return had


def transcribe_file(path: Path | str, pool: AsrPool, language: str | None = None,
                    cancel: Any = None, progress: ProgressFn | None = None) -> Transcript:
    """Read any audio file (typed errors for missing, unreadable or too long) and transcribe."""
    from studio.audio.files import import_clip

    clip = import_clip(path, ASR_RATE, max_seconds=MAX_SECONDS)
    return pool.transcribe(clip.audio, clip.sample_rate, language, cancel, progress)
