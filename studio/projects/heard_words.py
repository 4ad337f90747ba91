"""Which words of a flagged block the check by ear heard differently, as character spans of
the block's text, so the script view can tint them the way the Clone page tints a transcript.

The check compared what the model read (the text through the lexicon) with what was heard;
the project keeps the heard text. The same comparison is run again here (milliseconds) and
its differing words are found in the block's text: where no lexicon entry changed the text
they are the same words; words a lexicon entry replaced are named only in the tooltip.
"""

from __future__ import annotations

from studio.asr.transcript_check import MATCH, compare, tokenize
from studio.asr.words import Word
from studio.projects import stale
from studio.projects.schema import Block, LexiconEntry

Span = tuple[int, int, str]  # start, end (characters of the block's text), status


def differing_spans(block: Block, entries: list[LexiconEntry]) -> list[Span]:
    """(start, end, "mismatch" | "missing") of the words of ``block.text`` heard otherwise
    in its chosen take; empty when the take is not flagged."""
    take = block.chosen_take
    check = take.check if take is not None else None
    if check is None or not check.flagged or check.note:
        return []
    heard = [Word(check.heard, 0.0, 0.0)] if check.heard.strip() else []
    spoken = stale.spoken(block, entries)
    result = compare(spoken, heard)
    if spoken == block.text:
        return [(w.start, w.end, w.status) for w in result.words if w.status != MATCH]
    problems = [(w.text, w.status) for w in result.words if w.status != MATCH]
    tokens = tokenize(block.text)
    spans: list[Span] = []
    at = 0
    for text, status in problems:
        parts = tokenize(text)
        norm = parts[0].norm if parts else text.casefold()
        for k in range(at, len(tokens)):
            if tokens[k].norm == norm:
                spans.append((tokens[k].start, tokens[k].end, status))
                at = k + 1
                break
    return spans


def heard_summary(block: Block) -> str:
    """The tooltip's words: what was heard, and the differences the check recorded."""
    take = block.chosen_take
    check = take.check if take is not None else None
    if check is None or not (check.differences or check.heard):
        return ""
    lines = []
    if check.flagged:
        lines.append(f"Flagged by the check by ear ({check.score:.0f}% of the words agree).")
    elif check.differences:
        lines.append(f"Accepted as it is ({check.score:.0f}% of the words agree).")
    if check.heard:
        lines.append(f"Heard: “{check.heard}”")
    if check.differences:
        lines.append("Differences: " + "; ".join(check.differences[:5]))
    return "\n".join(lines)
