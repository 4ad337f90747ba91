"""How many segments to generate at once: as many as there are, up to what pays off and
what the memory left can hold.

On a CPU a generation step is bound by reading the weights, so a batch of rows costs much
less than the rows one after another. Measured on a 2-core machine with the 0.6B model
(bench/RESULTS.md, batch_bench's rows section; seconds of generation per second of audio):
exact 6.54 (1 row), 2.99 (4), 1.85 (8), 1.53 (12), 1.27 (16); fast 1.92, 0.65, 0.44, 0.40,
0.44. One round of 12 rows takes 31 % (exact) and 22 % (fast) less time than rounds of 8
and 4, and exact keeps gaining up to 16, so the default cap is 16 on a CPU as on a GPU; a
longer text goes in rounds of 16, and the memory left decides below that.

Memory grows per row by the talker's key/value cache (every layer keeps keys and values
for every token of the row's prompt and speech: 224 KiB a token for the 0.6B and 1.7B
models in fp32) and by the decoder's activations for one chunk (its upsampling stages hold
hundreds of channels at near the audio rate). Measured on the 0.6B model (bench/RESULTS.md,
batch_bench's memory section): peak memory grew by 43-69 MiB per row for rows of ~50
tokens decoded in 6-frame chunks, of which the cache is ~11 MiB: ~3.5 KiB per decoded
sample. ``row_bytes`` estimates a row from the model's configuration with those figures;
a batch may use half of the memory available when it starts.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

AUTO = 0  # choose from the segment count and memory
CPU_MAX = 16
GPU_MAX = 16
MEMORY_SHARE = 0.5
PROMPT_TOKENS = 160  # the prompt's tokens around a segment's text (generous)
# the decoder's activations for one row, per audio sample of a chunk (measured, above)
DECODE_BYTES_PER_SAMPLE = 3584


def row_bytes(model: Any, frames: int, chunk_frames: int = 12) -> int:
    """Memory one more row needs: its key/value cache for ``frames`` frames of speech and
    its share of a chunk's decode."""
    cfg = model.qwen.model.config.talker_config
    layers = int(cfg.num_hidden_layers)
    heads = int(cfg.num_key_value_heads)
    head_dim = int(getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads)
    width = 2 if model.device.dtype in ("bfloat16", "float16") else 4
    kv = layers * 2 * heads * head_dim * width * (PROMPT_TOKENS + frames)
    decode = chunk_frames * model.samples_per_frame * DECODE_BYTES_PER_SAMPLE
    return kv + decode


def available_bytes(device: str) -> int:
    """Memory free for new work on ``device`` (RAM for a CPU or Apple GPU)."""
    if device.startswith("cuda"):
        import torch

        free, _total = torch.cuda.mem_get_info(torch.device(device))
        return int(free)
    import psutil

    return int(psutil.virtual_memory().available)


def default_max(device: str) -> int:
    """Rows per batch when nothing else limits them."""
    return GPU_MAX if device.startswith("cuda") else CPU_MAX


def choose(model: Any, rows: int, requested: int = AUTO, frames: int = 400) -> int:
    """Rows per batch for ``rows`` waiting rows: ``requested`` (a setting) or the default
    cap, never more than the rows, never more than memory allows (at least 1)."""
    if rows <= 1:
        return 1
    device = model.device.device
    wanted = requested if requested and requested > 0 else default_max(device)
    size = min(wanted, rows)
    try:
        fits = int(available_bytes(device) * MEMORY_SHARE // max(row_bytes(model, frames), 1))
    except Exception as exc:  # no figure: stay with what was asked, the OOM error still tells
        log.debug("memory left unknown (%s)", exc)
        return max(1, size)
    if fits < size:
        log.info("batch of %d segments cut to %d: memory left", size, max(1, fits))
    return max(1, min(size, fits))
