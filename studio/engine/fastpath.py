"""The code predictor's 15 inner steps without Hugging Face generate()'s generic machinery.

For every codec frame the talker asks its code predictor for the 15 remaining codebooks by
calling ``generate()``, which per step re-prepares inputs, re-derives masks, checks stopping
criteria and, here, records every layer's hidden states it never uses. This loop makes the
same model calls with the same inputs (attention mask, positions, cache), applies the same
logits warpers in the same order and draws from the same random generator, so the codes are
identical to stock qwen-tts bit for bit (tested); it only skips the overhead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any


class FastCodePredictor:
    """Installed as ``talker.code_predictor.generate`` (an instance attribute)."""

    def __init__(self, predictor: Any) -> None:
        self.predictor = predictor
        self.sampler: Any = None  # a row_sampler.RowSampler while a batch samples per row

    @classmethod
    def install(cls, talker: Any) -> None:
        predictor = talker.code_predictor
        if not isinstance(predictor.__dict__.get("generate"), cls):
            predictor.generate = cls(predictor)

    @classmethod
    @contextlib.contextmanager
    def disabled(cls, talker: Any) -> Iterator[None]:
        """Run stock generate() meanwhile (benchmarks and the equality tests compare)."""
        predictor = talker.code_predictor
        mine = predictor.__dict__.pop("generate", None)
        try:
            yield
        finally:
            if mine is not None:
                predictor.generate = mine

    @classmethod
    @contextlib.contextmanager
    def rows(cls, talker: Any, sampler: Any) -> Iterator[None]:
        """Sample every row's codes through ``sampler`` meanwhile (row_sampler.py)."""
        cls.install(talker)
        mine = talker.code_predictor.__dict__["generate"]
        mine.sampler = sampler
        try:
            yield
        finally:
            mine.sampler = None

    def __call__(self, inputs_embeds: Any, max_new_tokens: int, do_sample: bool = True,
                 top_p: float | None = None, top_k: int | None = None,
                 temperature: float | None = None, **_ignored: Any) -> Any:
        from transformers.generation.logits_process import (
            TemperatureLogitsWarper,
            TopKLogitsWarper,
            TopPLogitsWarper,
        )

        warpers: list[Any] = []
        if do_sample:  # the order and conditions of generate()'s own warper list
            if temperature is not None and temperature != 1.0:
                warpers.append(TemperatureLogitsWarper(temperature))
            if top_k is not None and top_k != 0:
                warpers.append(TopKLogitsWarper(top_k=top_k, min_tokens_to_keep=1))
            if top_p is not None and top_p < 1.0:
                warpers.append(TopPLogitsWarper(top_p=top_p, min_tokens_to_keep=1))
        live = None if self.sampler is None else self.sampler.live_rows()
        if live is not None and len(live) < inputs_embeds.shape[0]:
            return self._live_only(inputs_embeds, live, max_new_tokens, warpers, do_sample)
        return SimpleNamespace(sequences=self._codes(inputs_embeds, max_new_tokens, warpers,
                                                     do_sample, None))

    def _live_only(self, inputs_embeds: Any, live: list[int], max_new_tokens: int,
                   warpers: list[Any], do_sample: bool) -> Any:
        """Codes for the live rows; an ended row gets zeros (never listened to)."""
        import torch

        batch = inputs_embeds.shape[0]
        tokens = torch.zeros(batch, max_new_tokens, dtype=torch.long, device=inputs_embeds.device)
        if live:
            index = torch.tensor(live, dtype=torch.long, device=inputs_embeds.device)
            tokens[index] = self._codes(inputs_embeds.index_select(0, index), max_new_tokens,
                                        warpers, do_sample, live)
        return SimpleNamespace(sequences=tokens)

    def _codes(self, inputs_embeds: Any, max_new_tokens: int, warpers: list[Any],
               do_sample: bool, rows: list[int] | None) -> Any:
        import torch
        from transformers.cache_utils import DynamicCache

        model = self.predictor
        device = inputs_embeds.device
        batch, length = inputs_embeds.shape[:2]
        cache = DynamicCache(config=model.config)
        mask = torch.ones(batch, length, dtype=torch.long, device=device)
        positions = torch.arange(length, device=device)
        out = model(inputs_embeds=inputs_embeds, attention_mask=mask,
                    position_ids=positions.unsqueeze(0).expand(batch, -1), past_key_values=cache,
                    use_cache=True, cache_position=positions, return_dict=True)
        steps = out.generation_steps
        tokens = torch.empty(batch, 0, dtype=torch.long, device=device)
        for i in range(max_new_tokens):
            scores = out.logits[:, -1, :].to(copy=True, dtype=torch.float32, device=device)
            nxt = self._pick(tokens, scores, warpers, do_sample, rows)
            tokens = torch.cat([tokens, nxt[:, None]], dim=-1)
            if i == max_new_tokens - 1:
                break
            mask = torch.cat([mask, mask.new_ones((batch, 1))], dim=-1)
            pos = torch.tensor([length + i], device=device)
            out = model(input_ids=nxt[:, None], attention_mask=mask,
                        position_ids=pos.unsqueeze(0).expand(batch, -1), past_key_values=cache,
                        use_cache=True, cache_position=pos, generation_steps=steps,
                        return_dict=True)
            steps = out.generation_steps
        return tokens

    def _pick(self, tokens: Any, scores: Any, warpers: list[Any], do_sample: bool,
              rows: list[int] | None) -> Any:
        import torch

        if self.sampler is not None:  # each row its own options and generator
            return self.sampler.pick_sub(tokens, scores, rows)
        for warper in warpers:
            scores = warper(tokens, scores)
        if do_sample:
            probs = torch.nn.functional.softmax(scores, dim=-1)
            return torch.multinomial(probs, num_samples=1).squeeze(1)
        return torch.argmax(scores, dim=-1)
