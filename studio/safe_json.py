"""JSON from outside the program (voice files, imports, request bodies), parsed with limits.

Python's parser recurses once per nested array or object, so ``[`` repeated 200,000 times
ends in a RecursionError deep inside whoever parsed it. Here that error is caught at the
parse and the nesting of what parsed is measured (without recursion) and refused above
``MAX_DEPTH``. ``NaN``, ``Infinity`` and numbers too large for a float are refused too: they
are not JSON (RFC 8259), and every number a voice or a request holds must be finite.

Every refusal is a ValueError, which the callers already catch for malformed JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32  # arrays and objects inside each other; what the app writes stays under 5


class JsonTooDeep(ValueError):
    """Arrays or objects nested deeper than the limit."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` levels in ``value`` (walked one
    level at a time, so without recursion)."""
    level, containers = 1, [value] if type(value) in (dict, list) else []
    while containers:
        if level > limit:
            return True
        containers = [c for v in containers for c in (v.values() if type(v) is dict else v)
                      if type(c) in (dict, list)]
        level += 1
    return False


def loads(data: bytes | bytearray | str, max_depth: int = MAX_DEPTH,
          finite: bool = True) -> Any:
    """``json.loads`` that refuses deep nesting and non-finite numbers with a ValueError.

    ``finite=False`` lets NaN and Infinity through, for files written by other tools that
    may hold them (a model's config.json)."""
    text = data if isinstance(data, str) else bytes(data).decode("utf-8")
    checks: dict[str, Any] = dict(parse_float=_finite, parse_constant=_no_constant) if finite \
        else {}
    try:
        value = json.loads(text, **checks)
    except RecursionError:
        raise JsonTooDeep(f"arrays or objects nested more than {max_depth} levels deep") from None
    if text.count("[") + text.count("{") > max_depth and deeper_than(value, max_depth):
        raise JsonTooDeep(f"arrays or objects nested more than {max_depth} levels deep")
    return value
