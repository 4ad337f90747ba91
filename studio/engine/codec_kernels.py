"""Cheaper equivalent forms of two codec-decoder layers, for the streaming decoder.

Both give the layer's result up to float rounding (the sums are taken in another order);
tests/engine/test_codec_kernels.py compares them with the layers themselves.

- A transposed convolution (stride s, kernel k) is s ordinary convolutions, one per output
  phase, over the input with ``ceil(k/s) - 1`` frames of left context: output sample
  ``t*s + r`` is ``sum_j x[t-j] . W[:, :, j*s + r]``. Stacking the phases as output channels
  makes it one ``conv1d`` that oneDNN runs on its fast path; on this CPU PyTorch's own
  transposed convolution took 4-5x longer for the same sums.
- SnakeBeta (``x + sin(a x)^2 / b``) computes ``exp`` of its parameters on every call and
  squares with ``pow``, which is slow on CPU; here the parameters are turned into factors
  once per layer and dtype, and the square is a multiply done in place.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
import torch.nn.functional as F

_PHASE_WEIGHTS: weakref.WeakKeyDictionary[Any, tuple[Any, ...]] = weakref.WeakKeyDictionary()
_SNAKE_FACTORS: weakref.WeakKeyDictionary[Any, tuple[Any, ...]] = weakref.WeakKeyDictionary()


def _key(tensor: torch.Tensor) -> tuple[Any, ...]:
    """What prepared weights depend on: a layer moved or cast needs them made again."""
    return (tensor.dtype, tensor.device, tensor._version, tensor.data_ptr())


def phase_weights(conv: torch.nn.ConvTranspose1d) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The (C_out * s, C_in, m + 1) weight of the phase convolution, and its bias per phase."""
    cached = _PHASE_WEIGHTS.get(conv)
    if cached is not None and cached[0] == _key(conv.weight):
        return cached[1], cached[2]
    stride, kernel = conv.stride[0], conv.kernel_size[0]
    if conv.groups != 1 or conv.dilation[0] != 1 or conv.padding[0] != 0:
        raise NotImplementedError("only plain transposed convolutions are rewritten")
    taps = -(-kernel // stride)  # m + 1
    w = conv.weight.detach()  # (C_in, C_out, k)
    padded = F.pad(w, (0, taps * stride - kernel))  # (C_in, C_out, taps * s)
    # [ci, co, j*s + r] -> [co, r, ci, j], then j reversed (conv1d correlates)
    phases = padded.reshape(w.shape[0], w.shape[1], taps, stride).permute(1, 3, 0, 2)
    weight = phases.flip(-1).reshape(w.shape[1] * stride, w.shape[0], taps).contiguous()
    bias = None
    if conv.bias is not None:
        bias = conv.bias.detach().repeat_interleave(stride).contiguous()
    _PHASE_WEIGHTS[conv] = (_key(conv.weight), weight, bias)
    return weight, bias


def polyphase_transposed_conv(conv: torch.nn.ConvTranspose1d, x: torch.Tensor) -> torch.Tensor:
    """The causal part of ``conv(x)``: for input (B, C_in, T) whose first ``m`` frames are
    context, the outputs of the last ``T - m`` frames, (B, C_out, (T - m) * s)."""
    weight, bias = phase_weights(conv)
    stride = conv.stride[0]
    y = F.conv1d(x, weight, bias)  # (B, C_out * s, T - m)
    batch, _, frames = y.shape
    return y.reshape(batch, -1, stride, frames).transpose(2, 3).reshape(batch, -1, frames * stride)


def snake_factors(snake: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """(exp(alpha), 1 / (exp(beta) + eps)) shaped (1, C, 1), as SnakeBeta computes them."""
    cached = _SNAKE_FACTORS.get(snake)
    if cached is not None and cached[0] == (_key(snake.alpha), _key(snake.beta)):
        return cached[1], cached[2]
    alpha = torch.exp(snake.alpha.detach().unsqueeze(0).unsqueeze(-1))
    beta = torch.exp(snake.beta.detach().unsqueeze(0).unsqueeze(-1))
    inverse = 1.0 / (beta + snake.no_div_by_zero)
    _SNAKE_FACTORS[snake] = ((_key(snake.alpha), _key(snake.beta)), alpha, inverse)
    return alpha, inverse


def snake_beta(snake: Any, x: torch.Tensor) -> torch.Tensor:
    """``snake(x)`` with two fewer passes over the signal and no ``pow``."""
    alpha, inverse = snake_factors(snake)
    wave = x * alpha
    wave.sin_()
    wave.mul_(wave)
    return torch.addcmul(x, wave, inverse)
