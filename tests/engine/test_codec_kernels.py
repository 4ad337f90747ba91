"""The streaming decoder's cheaper layer forms give the layers' own results."""

from __future__ import annotations

import copy

import pytest
import torch

from studio.engine.codec_kernels import polyphase_transposed_conv, snake_beta


@pytest.mark.parametrize(("stride", "kernel"), [(8, 16), (3, 6), (2, 4), (5, 7), (4, 4)])
def test_phases_equal_the_transposed_convolution(stride, kernel):
    torch.manual_seed(stride * 10 + kernel)
    conv = torch.nn.ConvTranspose1d(6, 5, kernel, stride=stride).double()
    x = torch.randn(3, 6, 20, dtype=torch.float64)
    context = -(-kernel // stride) - 1
    whole = conv(x)[..., : x.shape[-1] * stride]  # the causal module cuts k - s at the right
    got = polyphase_transposed_conv(conv, x)
    assert got.shape == (3, 5, (20 - context) * stride)
    torch.testing.assert_close(got, whole[..., context * stride:], rtol=0, atol=1e-12)


def test_phase_weights_follow_a_changed_or_cast_layer():
    conv = torch.nn.ConvTranspose1d(4, 4, 6, stride=3)
    x = torch.randn(1, 4, 9)
    polyphase_transposed_conv(conv, x)
    with torch.no_grad():
        conv.weight.mul_(2)
    torch.testing.assert_close(polyphase_transposed_conv(conv, x), conv(x)[..., 3:27])
    conv = conv.to(torch.bfloat16)
    got = polyphase_transposed_conv(conv, x.to(torch.bfloat16))
    assert got.dtype == torch.bfloat16


def test_snake_equals_the_codec_layer(tiny_pool):
    decoder = tiny_pool.get("custom_voice").qwen.model.speech_tokenizer.model.decoder
    snake = copy.deepcopy(next(m for m in decoder.modules() if type(m).__name__ == "SnakeBeta"))
    torch.manual_seed(0)
    with torch.no_grad():
        snake.alpha.copy_(torch.randn_like(snake.alpha) * 0.3)
        snake.beta.copy_(torch.randn_like(snake.beta) * 0.3)
    x = torch.randn(2, snake.in_features, 50)
    with torch.inference_mode():
        torch.testing.assert_close(snake_beta(snake, x), snake(x), rtol=1e-6, atol=1e-6)
