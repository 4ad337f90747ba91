"""A block's takes: choosing which one is heard and exported, hearing two of them one after
the other, and the short line a cast member's voice is previewed with.

A render never replaces a take: every new one is added to the block (render.py), so a
regenerate with a new seed keeps the earlier takes to go back to. Choosing only names
another take; no audio file is touched.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from studio.audio.samplerate import SAMPLE_RATE
from studio.errors import InvalidInput
from studio.projects.audiofiles import read_audio
from studio.projects.schema import BlockTake, Project

COMPARE_GAP_S = 0.6  # silence between A and B: long enough to hear where one ends
SAMPLE_CHARS = 120
SAMPLE_LINE = "Hello, this is how I sound when I read your story."


def choose(project: Project, block_id: str, take_id: str) -> BlockTake:
    """Make ``take_id`` the take of ``block_id`` that listening and export use."""
    block = project.block(block_id)
    take = next((t for t in block.takes if t.id == take_id), None)
    if take is None:
        raise InvalidInput("That take is no longer kept for this block; choose another one.")
    block.chosen = take.id
    return take


def compare_run(folder: Path, a: BlockTake, b: BlockTake,
                gap_s: float = COMPARE_GAP_S) -> tuple[np.ndarray, float]:
    """Take ``a``, a short silence, then take ``b``: one buffer to play, and the time at
    which ``b`` starts (so a player can say which one is heard)."""
    first = read_audio(folder / a.file).astype(np.float32)
    second = read_audio(folder / b.file).astype(np.float32)
    gap = np.zeros(int(round(gap_s * SAMPLE_RATE)), np.float32)
    return np.concatenate([first, gap, second]), (len(first) + len(gap)) / SAMPLE_RATE


def differing_spans(take: BlockTake) -> list[tuple[float, float]]:
    """Where in ``take`` the words the check by ear heard differently are (seconds), so a
    waveform can tint them; empty when the take was not checked or nothing differed."""
    check = take.check
    if check is None or not check.flagged:
        return []
    wanted = {m.group(1).casefold() for d in check.differences
              if not d.endswith("(heard, not in the text)")
              for m in [re.match(r"“([^”]+)”", d)] if m}
    return [(start, end) for word, start, end in check.words if word.casefold() in wanted]


def sample_line(project: Project | None, name: str) -> str:
    """What a cast member's voice is previewed with: the first sentence the name speaks in
    the script (what the user will hear it say), else a short stock line."""
    if project is not None:
        key = name.casefold()
        for _c, block in project.blocks():
            if block.speaker.casefold() == key and block.text.strip():
                first = re.split(r"(?<=[.!?…])\s+", block.text.strip(), maxsplit=1)[0]
                if len(first) > SAMPLE_CHARS:
                    cut = first[:SAMPLE_CHARS].rsplit(" ", 1)[0]
                    first = cut + "…"
                return first
    return SAMPLE_LINE
