"""`voice-studio voices ...` and `voice-studio clone`: the voice library from the command line."""

from __future__ import annotations

import argparse
from typing import Any

COMMANDS = {"voices", "clone"}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Filled in with the voice library."""


def run(args: argparse.Namespace, extra: list) -> int:
    raise NotImplementedError


def load_voice_prompt(name_or_id: str) -> Any:
    raise NotImplementedError


def save_designed_voice(engine: Any, args: argparse.Namespace, take: Any) -> None:
    raise NotImplementedError
