"""Listening through a chapter: the chosen takes from one block to the chapter's end, one
buffer with each block's pause after it, and where each block starts (so a player can
follow the block being heard)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.audio.samplerate import SAMPLE_RATE
from studio.projects.audiofiles import read_audio
from studio.projects.errors import NotRendered
from studio.projects.schema import Block


def run_of(folder: Path, blocks: list[Block]) -> tuple[np.ndarray, list[tuple[str, float]]]:
    """The audio of ``blocks`` in order (those without a take are skipped) and the start
    time of each block played, as (block id, seconds)."""
    parts: list[np.ndarray] = []
    starts: list[tuple[str, float]] = []
    at = 0
    for block in blocks:
        take = block.chosen_take
        if take is None:
            continue
        audio = read_audio(folder / take.file).astype(np.float32)
        starts.append((block.id, at / SAMPLE_RATE))
        pause = np.zeros(int(round(block.pause_s * SAMPLE_RATE)), np.float32)
        parts += [audio, pause]
        at += len(audio) + len(pause)
    if not parts:
        raise NotRendered("Nothing from here on is rendered yet; render the chapter first.")
    return np.concatenate(parts), starts


def block_at(starts: list[tuple[str, float]], seconds: float) -> str | None:
    """The block heard at ``seconds`` into a run."""
    current = None
    for block_id, start in starts:
        if start > seconds:
            break
        current = block_id
    return current
