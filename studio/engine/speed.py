"""Speed versus fidelity: CPU thread counts and the optional fast modes.

"exact" (the default) runs the model as published: the same codes as stock qwen-tts for the
same seed. "fast" trades a little fidelity for speed: on a CPU the talker's and code
predictor's Linear layers run as dynamic int8 (about 3x faster here) and the codec decoder
in bfloat16 (about 2x); on a GPU the decoder runs in bfloat16 too (the talker already is).
The numeric difference of each mode is measured by bench/speed_bench.py.
"""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)

EXACT, FAST = "exact", "fast"
SPEEDS = (EXACT, FAST)
LABELS = {EXACT: "Exact (as published)", FAST: "Fast (int8/bf16, slightly different)"}


def cpu_threads(requested: int = 0) -> int:
    """Intra-op threads for the generating thread: all cores but one (for the decoder thread
    and the GUI), at most 8; batch-1 generation is bound by memory bandwidth, and more
    threads than free cores make every step wait on the slowest (measured: 4x slower with 2
    threads on a busy 2-core machine)."""
    if requested and requested > 0:
        return int(requested)
    cores = os.cpu_count() or 2
    return max(1, min(cores - 1, 8))


def decoder_threads(generator_threads: int) -> int:
    cores = os.cpu_count() or 2
    return max(1, min(cores - generator_threads, 4))


def apply(qwen: Any, device: str, speed: str) -> str:
    """Turn a freshly loaded model into ``speed`` mode; returns what was done, for the log."""
    if speed == EXACT:
        return "exact"
    if speed != FAST:
        raise ValueError(f"unknown speed mode {speed!r}; expected one of {SPEEDS}")
    import warnings

    import torch

    model = qwen.model
    done = []
    if device == "cpu":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # quantize_dynamic's deprecation notice
            torch.ao.quantization.quantize_dynamic(model.talker, {torch.nn.Linear},
                                                   dtype=torch.qint8, inplace=True)
        done.append("int8 talker")
    model.speech_tokenizer.model.decoder.to(torch.bfloat16)
    done.append("bf16 decoder")
    log.info("fast mode: %s", ", ".join(done))
    return ", ".join(done)
