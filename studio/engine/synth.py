"""The speaking operations: voice design, preset speaker, clone prompt, clone.

Each builds qwen-tts' own inputs (through the wrapper's helpers, so prompts are exactly
what stock qwen-tts builds), calls the model's ``generate`` itself with the frame tap of
``stream.py`` attached, and decodes as it goes. Long text is generated segment by segment
and streamed as one take. Call from the thread that owns the model.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.audio.forecast import ProgressBox
from studio.engine import batch_size, batch_takes
from studio.engine import text as textmod
from studio.engine.errors import (
    EmptyText,
    InvalidInput,
    MissingTranscript,
    OutOfMemory,
    UnknownLanguage,
    UnknownSpeaker,
    WrongModelKind,
)
from studio.engine.models import LoadedModel
from studio.engine.options import Sampling, Streaming
from studio.engine.prompts import PromptShape, VoicePrompt
from studio.engine.reference import prepare_reference
from studio.engine.speed import decoder_threads
from studio.engine.stream import (
    CancelToken,
    DecodeThread,
    FrameTap,
    IncrementalDecoder,
    StopGeneration,
    decode_whole,
)
from studio.engine.take import CANCELLED, COMPLETE, MAX_LENGTH, RUNAWAY, Take
from studio.hub.catalog import LANGUAGE_CODES

log = logging.getLogger(__name__)

ChunkFn = Callable[[np.ndarray], None]
Text = str | Sequence[tuple[str, float]]  # text, or text already split into (segment, pause)


@dataclass
class _Segment:
    text: str
    pause_s: float
    inputs: dict[str, Any]  # keyword arguments for model.generate
    context: Any = None  # codes decoded before this segment (reference codes)


class Synthesizer:
    """Operations on one loaded model."""

    def __init__(self, model: LoadedModel) -> None:
        self.model = model
        self._qwen = model.qwen
        # who generates a prepared take instead of this object (a server gathering a batch)
        self.runner: Callable[[batch_takes.TakePlan], Take] | None = None
        self.progress: ProgressBox | None = None  # where a batched take reports its progress

    # --- validation -------------------------------------------------------------

    def _need(self, kind: str, operation: str) -> None:
        if self.model.info.kind != kind:
            raise WrongModelKind(operation, kind, self.model.info.kind)

    def language(self, language: str | None) -> str:
        """Normalise a language name or code; raise UnknownLanguage with the choices."""
        lang = (language or "auto").strip().lower()
        lang = LANGUAGE_CODES.get(lang, lang)
        supported = [str(x).lower() for x in self._qwen.model.get_supported_languages()]
        if lang not in supported:
            raise UnknownLanguage(language or "", sorted(s.title() for s in supported))
        return lang

    def speaker(self, name: str) -> str:
        key = (name or "").strip().lower().replace(" ", "_")
        supported = sorted(str(s).lower() for s in self._qwen.model.get_supported_speakers())
        if key not in supported:
            raise UnknownSpeaker(name, supported)
        return key

    @staticmethod
    def _text(text: Text, streaming: Streaming) -> list[tuple[str, float]]:
        if not isinstance(text, str):
            segments = list(text)
        else:
            segments = textmod.segment(text or "", pack=batch_takes.pack_for(streaming))
        if not segments:
            raise EmptyText()
        return segments

    # --- public operations ----------------------------------------------------------

    def design(self, text: Text, instruct: str, language: str | None = "auto",
               sampling: Sampling = Sampling(), streaming: Streaming = Streaming(),
               on_chunk: ChunkFn | None = None, cancel: CancelToken | None = None) -> Take:
        """Speak ``text`` in a voice described by ``instruct`` (VoiceDesign model)."""
        self._need("voice_design", "Voice design")
        if not (instruct or "").strip():
            raise InvalidInput("Describe the voice first, e.g. 'A warm, low female voice, "
                               "speaking slowly and calmly'.")
        lang = self.language(language)
        instruct_ids = [self._tokens(self._qwen._build_instruct_text(instruct.strip()))]
        segments = [
            _Segment(seg, pause, dict(input_ids=[self._tokens(self._qwen._build_assistant_text(seg))],
                                      instruct_ids=instruct_ids, languages=[lang],
                                      non_streaming_mode=True))
            for seg, pause in self._text(text, streaming)
        ]
        return self._take(segments, sampling, streaming, on_chunk, cancel)

    def preset(self, text: str, speaker: str, language: str | None = "auto",
               instruct: str | None = None, sampling: Sampling = Sampling(),
               streaming: Streaming = Streaming(), on_chunk: ChunkFn | None = None,
               cancel: CancelToken | None = None) -> Take:
        """Speak ``text`` with one of the CustomVoice model's preset speakers."""
        self._need("custom_voice", "Preset speakers")
        spk = self.speaker(speaker)
        lang = self.language(language)
        instruct = (instruct or "").strip()
        if instruct and not self.model.info.supports_instruct:
            raise InvalidInput(
                "The 0.6B CustomVoice model cannot follow style instructions. Clear the "
                "instruction, or use the 1.7B CustomVoice model."
            )
        instruct_ids = [self._tokens(self._qwen._build_instruct_text(instruct)) if instruct else None]
        segments = [
            _Segment(seg, pause, dict(input_ids=[self._tokens(self._qwen._build_assistant_text(seg))],
                                      instruct_ids=instruct_ids, languages=[lang], speakers=[spk],
                                      non_streaming_mode=True))
            for seg, pause in self._text(text, streaming)
        ]
        return self._take(segments, sampling, streaming, on_chunk, cancel)

    def prompt_shape(self) -> PromptShape:
        cfg = self._qwen.model.config
        codec_cfg = self._qwen.model.speech_tokenizer.model.config.decoder_config
        return PromptShape(
            speaker_dim=int(cfg.speaker_encoder_config.enc_dim),
            num_code_groups=int(cfg.talker_config.num_code_groups),
            codebook_size=int(codec_cfg.codebook_size),
            tokenizer=str(cfg.tokenizer_type or "qwen3_tts_tokenizer_12hz"),
        )

    def make_prompt(self, audio: np.ndarray, sample_rate: int, transcript: str | None,
                    x_vector_only: bool = False) -> VoicePrompt:
        """Build a clone prompt from a reference clip (any rate, mono or stereo)."""
        self._need("base", "Cloning")
        transcript = (transcript or "").strip()
        if not x_vector_only and not transcript:
            raise MissingTranscript()
        wav = prepare_reference(audio, sample_rate, self.model.sample_rate)
        import torch

        try:
            with torch.inference_mode():
                items = self._qwen.create_voice_clone_prompt(
                    ref_audio=(wav, self.model.sample_rate),
                    ref_text=None if x_vector_only else transcript,
                    x_vector_only_mode=x_vector_only)
        except torch.OutOfMemoryError as exc:
            raise OutOfMemory(self.model.device.device) from exc
        item = items[0]
        code = None if x_vector_only else item.ref_code.detach().cpu().numpy().astype(np.int64)
        emb = item.ref_spk_embedding.detach().float().cpu().numpy().astype(np.float32)
        return VoicePrompt(emb, code, None if x_vector_only else transcript, self.prompt_shape(),
                           self.model.info.name)

    def clone(self, text: Text, prompt: VoicePrompt, language: str | None = "auto",
              sampling: Sampling = Sampling(), streaming: Streaming = Streaming(),
              on_chunk: ChunkFn | None = None, cancel: CancelToken | None = None) -> Take:
        """Speak ``text`` in the voice of ``prompt`` (Base model)."""
        self._need("base", "Cloning")
        prompt.check_compatible(self.prompt_shape(), self.model.info.name)
        lang = self.language(language)
        import torch

        device = self._qwen.device
        ref_code = None
        if prompt.ref_code is not None:
            ref_code = torch.from_numpy(prompt.ref_code).to(device)
        emb = torch.from_numpy(prompt.spk_embedding).to(device)
        vc = dict(ref_code=[ref_code], ref_spk_embedding=[emb],
                  x_vector_only_mode=[prompt.x_vector_only], icl_mode=[not prompt.x_vector_only])
        ref_ids = [None]
        if not prompt.x_vector_only:
            ref_ids = [self._tokens(self._qwen._build_ref_text(prompt.ref_text or ""))]
        segments = [
            _Segment(seg, pause, dict(input_ids=[self._tokens(self._qwen._build_assistant_text(seg))],
                                      ref_ids=ref_ids, voice_clone_prompt=vc, languages=[lang],
                                      non_streaming_mode=False),
                     context=ref_code)
            for seg, pause in self._text(text, streaming)
        ]
        return self._take(segments, sampling, streaming, on_chunk, cancel)

    # --- the generation loop -----------------------------------------------------------

    def _tokens(self, text: str) -> Any:
        return self._qwen._tokenize_texts([text])[0]

    def _take(self, segments: list[_Segment], sampling: Sampling, streaming: Streaming,
              on_chunk: ChunkFn | None, cancel: CancelToken | None) -> Take:
        plan = batch_takes.TakePlan(
            self.model, [batch_takes.Segment(s.text, s.pause_s, s.inputs, s.context)
                         for s in segments], sampling, streaming, on_chunk, cancel, self.progress)
        if self.runner is not None:
            return self.runner(plan)
        size = batch_size.choose(self.model, len(segments), streaming.batch)
        if size > 1:
            return batch_takes.run([plan], size)[0]
        import torch

        sr = self.model.sample_rate
        if self.model.device.device == "cpu":
            torch.set_num_threads(self.model.device.threads)  # this thread's pool (speed.py)
        seed = sampling.seed if sampling.seed is not None else secrets.randbelow(2**31 - 1)
        torch.manual_seed(seed)
        started = time.monotonic()
        pieces: list[np.ndarray] = []
        first: list[float] = []
        total_frames = 0
        reason = COMPLETE
        # max_seconds caps the take as a whole: each segment gets the frames still left,
        # and the audio is cut at the exact sample
        limit = None if sampling.max_seconds is None else max(1, round(sampling.max_seconds * sr))
        emitted = [0]

        def emit(audio: np.ndarray) -> None:
            if limit is not None:
                audio = audio[: max(0, limit - emitted[0])]
            if not len(audio):
                return
            emitted[0] += len(audio)
            if not first:
                first.append(time.monotonic() - started)
            pieces.append(audio)
            if on_chunk is not None:
                on_chunk(audio)

        spf = self.model.samples_per_frame
        for index, seg in enumerate(segments):
            left = None if limit is None else limit - emitted[0]
            if left is not None and left <= 0:
                reason = MAX_LENGTH
                break
            budget = None if left is None else -(-left // spf)
            frames, seg_reason = self._segment(seg, sampling, streaming, emit, cancel, budget)
            total_frames += frames
            if seg_reason != COMPLETE:
                reason = seg_reason
            if seg_reason in (CANCELLED, RUNAWAY) or (cancel is not None and cancel.cancelled):
                reason = CANCELLED if cancel is not None and cancel.cancelled else seg_reason
                break
            if index < len(segments) - 1 and seg.pause_s > 0:
                emit(np.zeros(int(round(seg.pause_s * sr)), dtype=np.float32))
        audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        take = Take(audio=audio, sample_rate=sr, seed=seed, stop_reason=reason,
                    frames=total_frames, segments=len(segments),
                    elapsed_s=time.monotonic() - started,
                    first_chunk_s=first[0] if first else None, model_name=self.model.info.name)
        return take

    def _segment(self, seg: _Segment, sampling: Sampling, streaming: Streaming,
                 emit: ChunkFn, cancel: CancelToken | None,
                 budget: int | None = None) -> tuple[int, str]:
        """Generate one segment of at most ``budget`` frames (what the take has left);
        returns (frames, stop reason)."""
        import torch

        qwen = self._qwen
        guard = textmod.frame_budget(seg.text, self.model.frame_rate)
        caps = [int(c) for c in (sampling.max_frames, budget) if c is not None]
        cap = min([guard, *caps])
        # qwen-tts: max_new_tokens=N yields at most N-1 frames (the last token is never fed)
        kwargs = qwen._merge_generate_kwargs(max_new_tokens=cap + 1, **sampling.generate_kwargs())
        spf = self.model.samples_per_frame
        frames: list[Any] = []
        decoder = None
        if streaming.enabled:
            decoder = IncrementalDecoder(
                qwen.model.speech_tokenizer.model.decoder, spf, context=seg.context,
                first_chunk=streaming.first_chunk, chunks=streaming.chunks,
                left_context=streaming.left_context)
        threaded = None
        if decoder is not None and streaming.overlap:
            on_cpu = self.model.device.device == "cpu"
            threaded = DecodeThread(decoder, decoder_threads(self.model.device.threads)
                                    if on_cpu else None)

        def poll() -> None:  # between steps, on this thread: hand decoded chunks on
            if threaded is not None:
                for chunk in threaded.ready():
                    emit(chunk)

        def on_frame(frame: Any) -> None:
            frames.append(frame.detach().clone())
            if threaded is not None:
                threaded.push(frames[-1])
            elif decoder is not None:
                chunk = decoder.push(frames[-1])
                if chunk is not None:
                    emit(chunk)

        reason = COMPLETE
        try:
            with torch.inference_mode(), FrameTap(qwen.model.talker, on_frame, cancel, poll):
                qwen.model.generate(**seg.inputs, **kwargs)
        except StopGeneration:
            reason = CANCELLED
        except torch.OutOfMemoryError as exc:
            raise OutOfMemory(self.model.device.device) from exc
        finally:
            if threaded is not None:
                for chunk in threaded.finish():  # the rest of the audio, in order
                    emit(chunk)
        if reason != CANCELLED and len(frames) >= cap:
            reason = MAX_LENGTH if caps and cap == min(caps) else RUNAWAY
        if threaded is None and decoder is not None:
            rest = decoder.flush()
            if rest is not None:
                emit(rest)
        elif decoder is None and frames:
            emit(decode_whole(self.model, frames, seg.context))
        return len(frames), reason
