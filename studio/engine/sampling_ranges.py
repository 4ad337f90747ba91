"""The sampling options every front end takes, their ranges, and the one check of them.

The command line (before any model loads), the API server (in its request schemas and at
``serve`` start) and the window (its spin boxes) all use these numbers and this check, so a
value one of them takes the others take too, and a NaN, an infinity or a seed no random
generator holds is refused with the option's name instead of failing inside the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from studio.engine.options import Sampling
from studio.errors import InvalidInput


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    whole: bool = False  # a whole number (seed, top-k)
    above_low: bool = False  # ``low`` itself is not allowed

    def problem(self, value: object) -> str | None:
        """Why ``value`` is refused, or None."""
        kind = "a whole number" if self.whole else "a number"
        if isinstance(value, bool) or not isinstance(value, int if self.whole else int | float):
            return f"must be {kind} {self.text()}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be a finite number {self.text()} (got {value})"
        if value < self.low or self.above_low and value == self.low or value > self.high:
            return f"must be {kind} {self.text()} (got {_shown(value)})"
        return None

    def text(self) -> str:
        if self.above_low:
            return f"above {_num(self.low)} and at most {_num(self.high)}"
        return f"from {_num(self.low)} to {_num(self.high)}"


def _num(value: float) -> str:
    """2147483646, 0.05, 1e+308: integers in full, other numbers short."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _shown(value: float) -> str:
    if isinstance(value, int) and abs(value) >= 10**15:
        return f"a number of {len(str(abs(value)))} digits"
    return _num(value)


SEED = Range(0, 2**31 - 2, whole=True)
MAX_SECONDS = 3600.0  # an hour of audio in one take

RANGES: dict[str, Range] = {
    "seed": SEED,
    "temperature": Range(0.05, 2.0),
    "top_k": Range(1, 2048, whole=True),
    "top_p": Range(0.05, 1.0),
    "repetition_penalty": Range(1.0, 2.0),
    "max_seconds": Range(0.0, MAX_SECONDS, above_low=True),
}


def problem(name: str, value: object) -> str | None:
    """Why option ``name`` cannot be ``value`` (None: it can, or it was not given)."""
    return None if value is None else RANGES[name].problem(value)


def check(name: str, value: object, label: Callable[[str], str] = str) -> None:
    """Raise InvalidInput naming the option (as ``label`` spells it) if ``value`` is out of
    range."""
    reason = problem(name, value)
    if reason:
        raise InvalidInput(f"{label(name)} {reason}.")


def checked_sampling(label: Callable[[str], str] = str, *, seed: int | None = None,
                     temperature: float | None = None, top_k: int | None = None,
                     top_p: float | None = None, repetition_penalty: float | None = None,
                     max_seconds: float | None = None) -> Sampling:
    """A Sampling from options a person or a client gave, every one checked first."""
    given = dict(seed=seed, temperature=temperature, top_k=top_k, top_p=top_p,
                 repetition_penalty=repetition_penalty, max_seconds=max_seconds)
    for name, value in given.items():
        check(name, value, label)
    return Sampling(**given)  # type: ignore[arg-type]
