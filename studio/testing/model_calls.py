"""Which real model did the work: counts of the calls the qwen-tts models receive.

The counters sit on the qwen-tts classes themselves and call straight through, so every
model (loaded before or during the test, on any thread) runs exactly as ever; a test reads
how many times each kind of model (``base``, ``voice_design``, ``custom_voice``) generated
speech or made a clone prompt. Nothing about the engine is replaced.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class ModelCalls:
    def __init__(self) -> None:
        self.generated: Counter[str] = Counter()  # kind -> model.generate calls
        self.prompts: Counter[str] = Counter()  # kind -> create_voice_clone_prompt calls
        self._lock = threading.Lock()

    def count(self, counter: Counter[str], kind: str) -> None:
        with self._lock:
            counter[kind] += 1

    def reset(self) -> None:
        with self._lock:
            self.generated.clear()
            self.prompts.clear()


def _counting(method: Callable[..., Any], counter: Counter[str], calls: ModelCalls,
              kind_of: Callable[[Any], str]) -> Callable[..., Any]:
    @functools.wraps(method)
    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.count(counter, kind_of(self))
        return method(self, *args, **kwargs)

    return counted


@contextmanager
def watch_models() -> Iterator[ModelCalls]:
    """Count model calls while the block runs."""
    from studio.engine.compat import import_qwen_tts

    qwen_tts = import_qwen_tts()
    from qwen_tts.core.models.modeling_qwen3_tts import Qwen3TTSForConditionalGeneration

    calls = ModelCalls()
    targets = [
        (Qwen3TTSForConditionalGeneration, "generate", calls.generated,
         lambda model: str(model.config.tts_model_type)),
        (qwen_tts.Qwen3TTSModel, "create_voice_clone_prompt", calls.prompts,
         lambda wrapper: str(wrapper.model.config.tts_model_type)),
    ]
    originals = [(cls, name, cls.__dict__[name]) for cls, name, _, _ in targets]
    for cls, name, counter, kind_of in targets:
        setattr(cls, name, _counting(cls.__dict__[name], counter, calls, kind_of))
    try:
        yield calls
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)
