"""Lay a project's chosen takes on one timeline: the audio export writes, with where every
block and chapter sits in it (subtitles, chapter markers and stems are made from the same
placements, so they agree with the audio sample for sample).

Read projects: blocks follow each other with their pause after them, chapters are separated
by a gap, and the file starts and ends with a little room (ACX asks for 0.5-1 s at the head
and 1-5 s at the tail). Timed projects: every block starts at its cue; a take longer than
its cue is sped up (tempo only, pitch kept) by at most the project's ``max_speedup``, and
what still overruns is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.audio.samplerate import SAMPLE_RATE
from studio.audio.tempo import change_tempo
from studio.projects import stale
from studio.projects.audiofiles import read_audio
from studio.projects.errors import NotRendered
from studio.projects.schema import Block, Chapter, LexiconEntry, Project

LEAD_S = 0.5
TAIL_S = 1.5
CHAPTER_GAP_S = 2.0


@dataclass(frozen=True)
class Placement:
    block_id: str
    number: int  # 1-based across the project
    chapter: int  # index into Mix.chapters
    speaker: str
    text: str  # as the user wrote it (never the lexicon's respelling)
    start: int  # samples
    end: int
    words: tuple[tuple[str, float, float], ...] = ()  # absolute seconds, when the text was read as written

    @property
    def start_s(self) -> float:
        return self.start / SAMPLE_RATE

    @property
    def end_s(self) -> float:
        return self.end / SAMPLE_RATE


@dataclass
class Mix:
    audio: np.ndarray
    sample_rate: int
    placements: list[Placement]
    chapters: list[tuple[str, float, float]]  # title, start s, end s
    block_audio: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # as placed
    stale: int = 0  # blocks exported from takes made before a change
    overruns: list[str] = field(default_factory=list)  # "#4 runs 0.8 s past its cue"

    def stem(self, speaker: str) -> np.ndarray:
        """The timeline with only ``speaker``'s blocks (silence where others speak)."""
        out = np.zeros_like(self.audio)
        for p in self.placements:
            if p.speaker == speaker:
                out[p.start:p.end] += self.block_audio[p.block_id]
        return out

    def speakers(self) -> list[str]:
        seen: list[str] = []
        for p in self.placements:
            if p.speaker not in seen:
                seen.append(p.speaker)
        return seen


def _fit(block: Block, audio: np.ndarray, max_speedup: float) -> tuple[np.ndarray, float]:
    """A timed block's audio sped up to fit its cue where allowed; the factor used."""
    assert block.start_s is not None and block.end_s is not None
    cue = int(round((block.end_s - block.start_s) * SAMPLE_RATE))
    if len(audio) <= cue or max_speedup <= 1.0 or cue <= 0:
        return audio, 1.0
    factor = min(len(audio) / cue, max_speedup)
    return change_tempo(audio, SAMPLE_RATE, factor), factor


def assemble(project: Project, folder: Path, entries: list[LexiconEntry], library: object,
             chapters: list[int] | None = None) -> Mix:
    """The mix of ``chapters`` (0-based indices; default all). Every block needs a take."""
    wanted = [(i, c) for i, c in enumerate(project.chapters)
              if chapters is None or i in chapters]
    numbers = {b.id: n for n, (_c, b) in enumerate(project.blocks(), start=1)}
    missing = [numbers[b.id] for _i, c in wanted for b in c.blocks if b.chosen_take is None]
    if missing:
        shown = ", ".join(f"#{n}" for n in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise NotRendered(f"{len(missing)} block(s) have no take yet ({shown}). Render them "
                          f"first: voice-studio project render \"{project.name}\".")
    pieces: list[tuple[int, np.ndarray]] = []
    placements: list[Placement] = []
    marks: list[tuple[str, float, float]] = []
    cache: dict[str, np.ndarray] = {}
    overruns: list[str] = []
    stale_count = 0
    cursor = int(LEAD_S * SAMPLE_RATE) if not project.timed else 0
    for k, (_index, chapter) in enumerate(wanted):
        chapter_start = 0 if k == 0 else cursor
        if k > 0 and not project.timed:
            cursor += int(CHAPTER_GAP_S * SAMPLE_RATE)
        for block in chapter.blocks:
            take = block.chosen_take
            assert take is not None
            stale_count += stale.state(project, block, entries, library) == stale.STALE
            audio = read_audio(folder / take.file)
            factor = 1.0
            if project.timed and block.start_s is not None:
                audio, factor = _fit(block, audio, project.settings.max_speedup)
                start = int(round(block.start_s * SAMPLE_RATE))
                over = len(audio) / SAMPLE_RATE - (block.end_s - block.start_s)  # type: ignore[operator]
                if over > 1e-3:
                    overruns.append(f"#{numbers[block.id]} runs {over:.2f} s past its cue")
            else:
                start = cursor
            end = start + len(audio)
            words = _words(block, take.check.words if take.check else [], entries,
                           start / SAMPLE_RATE, factor)
            placements.append(Placement(block.id, numbers[block.id], k, block.speaker,
                                        block.text, start, end, words))
            cache[block.id] = audio
            pieces.append((start, audio))
            cursor = max(cursor, end + int(round(block.pause_s * SAMPLE_RATE)))
        marks.append((_title(chapter, k), chapter_start / SAMPLE_RATE, 0.0))
    total = max([s + len(a) for s, a in pieces] + [cursor]) + int(TAIL_S * SAMPLE_RATE)
    mixed = np.zeros(total, dtype=np.float32)
    for start, audio in pieces:
        mixed[start:start + len(audio)] += audio
    ends = [m[1] for m in marks[1:]] + [total / SAMPLE_RATE]
    marks = [(t, s, e) for (t, s, _), e in zip(marks, ends, strict=True)]
    return Mix(mixed, SAMPLE_RATE, placements, marks, cache, stale_count, overruns)


def _title(chapter: Chapter, k: int) -> str:
    return chapter.title.strip() or f"Chapter {k + 1}"


def _words(block: Block, words: list[tuple[str, float, float]], entries: list[LexiconEntry],
           offset: float, factor: float) -> tuple[tuple[str, float, float], ...]:
    """Word times for karaoke subtitles, only where the model read the text as written
    (a respelling changes the words, and subtitles show the user's words)."""
    if not words or stale.spoken(block, entries) != block.text:
        return ()
    return tuple((w, offset + a / factor, offset + b / factor) for w, a, b in words)
