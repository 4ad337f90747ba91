"""Which blocks need rendering: missing (no chosen take) or stale (changed since it).

A block's fingerprint covers everything that decides its audio: its text, what the model
reads (the text through the lexicon, so a lexicon entry that touches the block counts and one
that does not, does not), its speaker and that speaker's voice (a saved voice's active
take, a kept design reference), its instruction and language. A chosen take made with
another fingerprint is stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from studio.audio.samplerate import SAMPLE_RATE
from studio.projects import cast, lexicon
from studio.projects.schema import Block, LexiconEntry, Project

MISSING, STALE, FRESH = "missing", "stale", "fresh"



def spoken(block: Block, entries: list[LexiconEntry]) -> str:
    """What the model reads for ``block`` (``entries``: lexicon.merged)."""
    return lexicon.apply(block.text, entries)


def fingerprint(project: Project, block: Block, entries: list[LexiconEntry],
                library: Any) -> str:
    member = project.member(block.speaker)
    voice = cast.identity(member, library) if member is not None else "uncast"
    parts = [block.text, spoken(block, entries), block.speaker.casefold(), voice,
             block.instruct.strip(), block.language.strip().lower()]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]


def state(project: Project, block: Block, entries: list[LexiconEntry], library: Any) -> str:
    take = block.chosen_take
    if take is None:
        return MISSING
    return FRESH if take.fingerprint == fingerprint(project, block, entries, library) else STALE


def overrun_s(project: Project, block: Block) -> float:
    """Timed projects: how far the chosen take runs past its cue even at the allowed
    speed-up (0 when it fits)."""
    take = block.chosen_take
    if not project.timed or take is None or block.start_s is None or block.end_s is None:
        return 0.0
    cue = max(block.end_s - block.start_s, 1e-3)
    fitted = take.samples / SAMPLE_RATE / project.settings.max_speedup
    return max(0.0, fitted - cue)


@dataclass
class Status:
    blocks: int = 0
    rendered: int = 0  # a chosen take that is up to date
    stale: int = 0
    missing: int = 0
    flagged: int = 0  # chosen takes the check by ear flagged
    unchecked: int = 0  # chosen takes the check by ear did not hear
    overruns: int = 0  # timed: chosen takes longer than their cue
    uncast: list[str] = field(default_factory=list)
    seconds: float = 0.0  # audio of the chosen takes

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def status(project: Project, entries: list[LexiconEntry], library: Any) -> Status:
    st = Status()
    for _chapter, block in project.blocks():
        st.blocks += 1
        which = state(project, block, entries, library)
        st.rendered += which == FRESH
        st.stale += which == STALE
        st.missing += which == MISSING
        take = block.chosen_take
        if take is not None:
            st.seconds += take.samples / SAMPLE_RATE
            if take.check is None or take.check.note:
                st.unchecked += 1
            elif take.check.flagged:
                st.flagged += 1
            st.overruns += overrun_s(project, block) > 0
        member = project.member(block.speaker)
        if (member is None or not member.voice) and block.speaker not in st.uncast:
            st.uncast.append(block.speaker)
    return st
