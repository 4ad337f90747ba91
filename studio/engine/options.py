"""The options of a generation (sampling, streaming), plain data shared by every caller;
what it returns is a :class:`~studio.engine.take.Take`."""

from __future__ import annotations

from dataclasses import dataclass

from studio.engine import stream


@dataclass(frozen=True)
class Sampling:
    """Sampling options. None means the model's own default (its generation_config.json)."""

    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    repetition_penalty: float | None = None
    max_frames: int | None = None  # a hard cap on length, in codec frames (12.5 per second)
    seed: int | None = None  # None: a fresh random seed, reported in the take
    greedy: bool = False  # deterministic argmax decoding (tests, A/B comparisons)

    def generate_kwargs(self) -> dict[str, object]:
        kw: dict[str, object] = {}
        if self.greedy:
            kw.update(do_sample=False, subtalker_dosample=False)
        for name in ("temperature", "top_k", "top_p", "repetition_penalty"):
            value = getattr(self, name)
            if value is not None:
                kw[name] = value
        return kw


@dataclass(frozen=True)
class Streaming:
    """How a take is produced while it streams: chunking, overlap, segments at once."""

    enabled: bool = True  # False: decode once at the end of each segment (one-shot)
    first_chunk: int = stream.DEFAULT_FIRST_CHUNK
    chunks: tuple[int, ...] = stream.DEFAULT_CHUNKS
    left_context: int = stream.DEFAULT_LEFT_CONTEXT
    overlap: bool = True  # decode on a second thread while the talker generates
    # segments generated at once (batch_takes.py): 0 chooses from the segment count and the
    # memory left (batch_size.py); 1 makes them one after another, exactly as qwen-tts would
    batch: int = 0
