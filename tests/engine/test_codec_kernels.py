"""The streaming decoder's SnakeBeta gives the codec layer's own result."""

from __future__ import annotations

import copy

import torch

from studio.engine.codec_kernels import snake_beta


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


def test_snake_factors_follow_a_changed_or_cast_layer(tiny_pool):
    decoder = tiny_pool.get("custom_voice").qwen.model.speech_tokenizer.model.decoder
    snake = copy.deepcopy(next(m for m in decoder.modules() if type(m).__name__ == "SnakeBeta"))
    x = torch.randn(1, snake.in_features, 8)
    with torch.inference_mode():
        snake_beta(snake, x)
    with torch.no_grad():
        snake.alpha.add_(0.5)
    with torch.inference_mode():
        torch.testing.assert_close(snake_beta(snake, x), snake(x), rtol=1e-6, atol=1e-6)
        snake = snake.to(torch.bfloat16)
        assert snake_beta(snake, x.to(torch.bfloat16)).dtype == torch.bfloat16
