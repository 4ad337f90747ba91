"""A stateful streaming decoder for the 12 Hz codec: each frame is decoded exactly once.

qwen-tts decodes a whole clip at once (and long clips in 300-frame windows with 25 frames of
re-decoded left context). Re-decoding context for every small streaming chunk would cost
up to several times the decode work. The codec decoder is causal, so instead we keep its
state between chunks, the way a streaming vocoder does:

- causal convolutions (stride 1) keep their last ``kernel-1`` input samples;
- causal transposed convolutions keep the input frames their next outputs overlap with;
- the transformer keeps its key/value cache (sliding window 72), with positions continuing.

Everything else (quantizer lookup, SnakeBeta, LayerNorm, pointwise layers) works frame by
frame. The output equals the one-shot decode up to float rounding, for any chunking.

SnakeBeta is computed in a cheaper, equivalent form (codec_kernels.py): its parameters'
exponentials once per layer and no ``pow``, half its time on a CPU.
"""

from __future__ import annotations

from typing import Any

import torch

from studio.engine.codec_kernels import snake_beta

_CONV = "Qwen3TTSTokenizerV2CausalConvNet"
_TCONV = "Qwen3TTSTokenizerV2CausalTransConvNet"
_CONVNEXT = "Qwen3TTSTokenizerV2ConvNeXtBlock"
_RESIDUAL = "Qwen3TTSTokenizerV2DecoderDecoderResidualUnit"
_BLOCK = "Qwen3TTSTokenizerV2DecoderDecoderBlock"
_SNAKE = "SnakeBeta"


class StreamingCodecDecoder:
    """Feed code frames in order with :meth:`decode`; get exactly their audio back."""

    def __init__(self, decoder: Any, *, rewritten: bool = True) -> None:
        """``rewritten=False`` runs the codec's own SnakeBeta (benchmarks compare)."""
        from transformers.cache_utils import DynamicCache

        self.d = decoder
        self.rewritten = rewritten
        self._state: dict[int, torch.Tensor] = {}
        self._cache = DynamicCache(config=decoder.pre_transformer.config)
        self._pos = 0
        self.frames = 0

    def fork(self, decoder: Any = None) -> StreamingCodecDecoder:
        """An independent decoder that continues from this one's state (for cached warm-ups).

        ``decoder`` is the codec to go on with; it is needed where this one was detached.
        """
        import copy

        twin = StreamingCodecDecoder.__new__(StreamingCodecDecoder)
        twin.d = self.d if decoder is None else decoder
        twin.rewritten = self.rewritten
        if twin.d is None:
            raise ValueError("a detached decoder state needs the codec decoder to fork with")
        twin._state = dict(self._state)  # tensors are replaced, never modified in place
        twin._cache = copy.deepcopy(self._cache)
        twin._pos = self._pos
        twin.frames = self.frames
        return twin

    @property
    def position(self) -> int:
        """Frames this decoder has taken in (its transformer's next position)."""
        return self._pos

    @classmethod
    def stack(cls, rows: list[StreamingCodecDecoder], decoder: Any) -> StreamingCodecDecoder:
        """One decoder over several rows (batch dimension) at the same position, so a batch's
        frames are decoded in one call. A row that has decoded nothing yet has zero state."""
        if len({row._pos for row in rows}) != 1:
            raise ValueError("rows to stack must be at the same position")
        out = cls(decoder, rewritten=rows[0].rewritten)
        out._pos = rows[0]._pos
        out.frames = rows[0].frames
        if out._pos == 0:
            return out
        for key in rows[0]._state:
            out._state[key] = torch.cat([row._state[key] for row in rows], dim=0)
        import copy

        caches = [row._cache for row in rows]
        out._cache = copy.deepcopy(caches[0])  # layer kinds, window, lengths: as the rows'
        for layer, mine in enumerate(out._cache.layers):
            if getattr(mine, "is_initialized", True) and mine.keys is not None:
                mine.keys = torch.cat([c.layers[layer].keys for c in caches], dim=0)
                mine.values = torch.cat([c.layers[layer].values for c in caches], dim=0)
        return out

    def select(self, rows: list[int]) -> None:
        """Keep only these rows of the batch (the others' takes have ended)."""
        index = torch.tensor(rows, dtype=torch.long)
        for key, value in self._state.items():
            self._state[key] = value.index_select(0, index.to(value.device))
        self._cache.batch_select_indices(index)

    def detach(self) -> StreamingCodecDecoder:
        """Drop the reference to the codec, keeping only the state: a cache of warm-ups must
        not keep an unloaded model's codec alive. Resume with ``fork(decoder)``."""
        self.d = None
        return self

    @torch.inference_mode()
    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """codes: (1, Q, T) long -> waveform (1, 1, T * upsample), clamped to [-1, 1]."""
        d = self.d
        t = codes.shape[-1]
        hidden = d.quantizer.decode(codes)
        hidden = self._conv(d.pre_conv, hidden).transpose(1, 2)
        positions = torch.arange(self._pos, self._pos + t, device=hidden.device)
        hidden = d.pre_transformer(inputs_embeds=hidden, past_key_values=self._cache,
                                   use_cache=True, cache_position=positions).last_hidden_state
        self._pos += t
        hidden = hidden.permute(0, 2, 1)
        for blocks in d.upsample:
            for block in blocks:
                hidden = self._apply(block, hidden)
        for block in d.decoder:
            hidden = self._apply(block, hidden)
        self.frames += t
        return hidden.clamp(min=-1, max=1)

    # --- stateful pieces -------------------------------------------------------------------

    def _apply(self, module: Any, x: torch.Tensor) -> torch.Tensor:
        name = type(module).__name__
        if name == _CONV:
            return self._conv(module, x)
        if name == _TCONV:
            return self._tconv(module, x)
        if name == _CONVNEXT:
            return self._convnext(module, x)
        if name == _RESIDUAL:
            y = self._conv(module.conv1, self._apply(module.act1, x))
            return self._conv(module.conv2, self._apply(module.act2, y)) + x
        if name == _BLOCK:
            for block in module.block:
                x = self._apply(block, x)
            return x
        if name == _SNAKE and self.rewritten:
            return snake_beta(module, x)
        return module(x)  # stateless

    def _conv(self, module: Any, x: torch.Tensor) -> torch.Tensor:
        """Causal conv, stride 1: prepend the previous ``padding`` input samples."""
        pad = module.padding
        if module.stride != 1:  # pragma: no cover - not in this codec
            raise NotImplementedError("strided causal conv")
        if pad == 0:
            return module.conv(x)
        prev = self._state.get(id(module))
        if prev is None:
            prev = x.new_zeros(x.shape[0], x.shape[1], pad)
        full = torch.cat([prev, x], dim=-1)
        self._state[id(module)] = full[..., -pad:]
        return module.conv(full)

    def _tconv(self, module: Any, x: torch.Tensor) -> torch.Tensor:
        """Causal transposed conv (kernel k, stride s, right trim k - s): output block j
        depends on input frames j-m..j with m = ceil(k/s) - 1, so keep the last m frames
        and drop their output blocks."""
        stride = module.conv.stride[0]
        kernel = module.conv.kernel_size[0]
        if module.right_pad != kernel - stride:  # pragma: no cover - not in this codec
            raise NotImplementedError("unexpected transposed conv padding")
        keep = -(-kernel // stride) - 1
        full = x
        if keep:
            prev = self._state.get(id(module))
            if prev is None:
                prev = x.new_zeros(x.shape[0], x.shape[1], keep)
            full = torch.cat([prev, x], dim=-1)
            self._state[id(module)] = full[..., -keep:]
        y = module.conv(full)
        return y[..., keep * stride:(keep + x.shape[-1]) * stride].contiguous()

    def _convnext(self, module: Any, x: torch.Tensor) -> torch.Tensor:
        h = self._conv(module.dwconv, x).permute(0, 2, 1)
        h = module.pwconv2(module.act(module.pwconv1(module.norm(h))))
        return x + (module.gamma * h).permute(0, 2, 1)
