"""Sampling for a batch where every row keeps its own seed and sampling options.

qwen-tts's ``generate`` takes one set of sampling options for the whole batch and draws
every token from torch's one global random generator, so a row's draws would depend on
which other rows share its batch. Here each row draws from a generator of its own, with
its own temperature, top-k, top-p, repetition penalty and greedy choice:

- the talker: qwen-tts's generate runs with ``do_sample=False`` and no repetition penalty,
  and :class:`RowSampler` is appended to Hugging Face's logits processors (after the ones
  qwen-tts asks for: suppressed control tokens, the two-frame minimum). It applies each
  row's penalty and warpers (the same processor classes, in generate()'s order), picks
  the row's token (argmax, or a draw from the row's generator) and returns scores where
  only that token is finite, so greedy selection takes exactly it;
- the code predictor: the fast loop (fastpath.py) asks :meth:`RowSampler.pick_sub` for
  the 15 inner codes of every row, with the row's sub-talker options and generator.

A greedy row therefore makes the same choices as qwen-tts's own greedy path. A sampled
row depends on its seed only, not on its batch (up to float rounding of batched matmuls).

A row that has ended (its end of speech, its cap, its take cancelled) is told with
:meth:`RowSampler.end`: Hugging Face's generate keeps computing it until every row has
ended, but the code predictor (15 inner steps per frame, most of a frame's cost) then runs
for the live rows only, and nothing is drawn for the ended ones.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RowOptions:
    """One row's sampling, as qwen-tts's merged generate kwargs name them."""

    seed: int
    do_sample: bool = True
    top_k: int | None = 50
    top_p: float | None = 1.0
    temperature: float | None = 0.9
    repetition_penalty: float | None = 1.05
    subtalker_dosample: bool = True
    subtalker_top_k: int | None = 50
    subtalker_top_p: float | None = 1.0
    subtalker_temperature: float | None = 0.9

    @classmethod
    def from_kwargs(cls, seed: int, kwargs: dict[str, Any]) -> RowOptions:
        names = [f for f in cls.__dataclass_fields__ if f != "seed"]
        return cls(seed, **{n: kwargs[n] for n in names if n in kwargs})


def _warpers(temperature: float | None, top_k: int | None, top_p: float | None) -> list[Any]:
    """generate()'s own warper list for sampling, same order and conditions."""
    from transformers.generation.logits_process import (
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    out: list[Any] = []
    if temperature is not None and temperature != 1.0:
        out.append(TemperatureLogitsWarper(temperature))
    if top_k is not None and top_k != 0:
        out.append(TopKLogitsWarper(top_k=top_k, min_tokens_to_keep=1))
    if top_p is not None and top_p < 1.0:
        out.append(TopPLogitsWarper(top_p=top_p, min_tokens_to_keep=1))
    return out


class RowSampler:
    """A Hugging Face logits processor (the talker) and the code predictor's picker."""

    def __init__(self, rows: Sequence[RowOptions], device: Any) -> None:
        import torch
        from transformers.generation.logits_process import RepetitionPenaltyLogitsProcessor

        self.rows = list(rows)
        self._torch = torch
        self._generators = [torch.Generator(device=device).manual_seed(int(r.seed))
                            for r in self.rows]
        self._talker = [_warpers(r.temperature, r.top_k, r.top_p) if r.do_sample else []
                        for r in self.rows]
        self._sub = [_warpers(r.subtalker_temperature, r.subtalker_top_k, r.subtalker_top_p)
                     if r.subtalker_dosample else [] for r in self.rows]
        self._penalty = [RepetitionPenaltyLogitsProcessor(penalty=r.repetition_penalty)
                         if r.repetition_penalty not in (None, 1.0) else None for r in self.rows]
        self.ended: set[int] = set()

    def end(self, row: int) -> None:
        """Row ``row`` needs no more codes: its frames are no longer listened to."""
        self.ended.add(row)

    def live_rows(self) -> list[int]:
        return [row for row in range(len(self.rows)) if row not in self.ended]

    def _draw(self, row: int, scores: Any, warpers: list[Any], ids: Any, sample: bool) -> int:
        torch = self._torch
        for warper in warpers:
            scores = warper(ids, scores)
        if not sample:
            return int(torch.argmax(scores, dim=-1)[0])
        probs = torch.nn.functional.softmax(scores, dim=-1)
        return int(torch.multinomial(probs, 1, generator=self._generators[row])[0, 0])

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """The talker's step: one token per row; returns scores that select exactly it."""
        torch = self._torch
        chosen = []
        for row in range(scores.shape[0]):
            ids, s = input_ids[row:row + 1], scores[row:row + 1]
            if row in self.ended:  # any token does; argmax draws nothing from its generator
                chosen.append(int(torch.argmax(s, dim=-1)[0]))
                continue
            if self._penalty[row] is not None:
                s = self._penalty[row](ids, s)
            chosen.append(self._draw(row, s, self._talker[row], ids,
                                     self.rows[row].do_sample))
        out = torch.full_like(scores, -float("inf"))
        out[torch.arange(scores.shape[0]), torch.tensor(chosen, device=scores.device)] = 0.0
        return out

    def pick_sub(self, tokens: Any, scores: Any, rows: Sequence[int] | None = None) -> Any:
        """The code predictor's step: (B, V) float scores -> (B,) codes. ``rows``: the batch
        rows that the B scores belong to (all rows when None)."""
        torch = self._torch
        rows = range(scores.shape[0]) if rows is None else rows
        chosen = [self._draw(row, scores[i:i + 1], self._sub[row], tokens[i:i + 1],
                             self.rows[row].subtalker_dosample)
                  for i, row in enumerate(rows)]
        return torch.tensor(chosen, dtype=torch.long, device=scores.device)


@contextlib.contextmanager
def sampling_rows(talker: Any, sampler: RowSampler) -> Iterator[None]:
    """While inside: the talker's generate() gets ``sampler`` as a logits processor, and the
    fast code predictor samples through it (qwen-tts passes neither through)."""
    from transformers.generation.logits_process import LogitsProcessorList

    from studio.engine.fastpath import FastCodePredictor

    original = talker.generate

    def generate(*args: Any, **kwargs: Any) -> Any:
        return original(*args, logits_processor=LogitsProcessorList([sampler]), **kwargs)

    talker.generate = generate
    try:
        with FastCodePredictor.rows(talker, sampler):
            yield
    finally:
        del talker.generate
