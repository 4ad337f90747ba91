"""Text preparation: long-text segmentation and the runaway-guard frame budget.

Qwen3-TTS drifts and sometimes never stops on very long inputs; it is at its best on a
few sentences at a time. Long text is split at sentence boundaries into segments of
bounded length, generated in order and streamed as one take.
"""

from __future__ import annotations

import math
import re
import unicodedata

# Sentence ends: Latin and CJK punctuation, optionally followed by closing quotes/brackets.
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？；;])[\"'”’)\]」』]*\s+|(?<=[。！？；])|\n\s*\n|\n")
_CLAUSE_END = re.compile(r"(?<=[,，、:：;；—–])\s*")

MAX_SEGMENT_CHARS = 220  # Latin-script characters per segment
MAX_SEGMENT_CJK = 90  # CJK characters weigh more: one syllable each
# Made in parallel (a batch), sentences are segments of their own: more rows, each shorter.
# Only fragments this short are packed with their neighbours ("Yes. I see.").
SENTENCE_PACK_CHARS = 40
PAUSE_SECONDS = 0.28  # silence between segments
PARAGRAPH_PAUSE_SECONDS = 0.55


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF  # hangul
        or 0xF900 <= code <= 0xFAFF
    )


def _wide(ch: str) -> bool:
    """CJK characters and full-width punctuation: no space is written after them."""
    return is_cjk(ch) or unicodedata.east_asian_width(ch) in "WF"


def _join(left: str, right: str) -> str:
    return f"{left}{'' if _wide(left[-1]) else ' '}{right}"


def weight(text: str) -> float:
    """Length in 'Latin characters': a CJK character counts as ~2.4."""
    return sum(MAX_SEGMENT_CHARS / MAX_SEGMENT_CJK if is_cjk(c) else 1.0 for c in text)


def normalise(text: str) -> str:
    """NFC, unify line ends, drop control characters, collapse runs of spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _split_long(sentence: str, limit: float) -> list[str]:
    """Split one over-long sentence at clause marks, then at spaces, then hard."""
    if weight(sentence) <= limit:
        return [sentence]
    parts = [p for p in _CLAUSE_END.split(sentence) if p.strip()]
    if len(parts) == 1:
        parts = sentence.split(" ") if " " in sentence else list(sentence)
    out: list[str] = []
    cur = ""
    for part in parts:
        part = part.strip()
        cand = _join(cur, part) if cur else part
        if weight(cand) <= limit or not cur:
            cur = cand
        else:
            out.append(cur)
            cur = part
    if cur:
        out.append(cur)
    # a single word longer than the limit: cut it hard
    return [piece for chunk in out for piece in _hard_cut(chunk, limit)]


def _hard_cut(text: str, limit: float) -> list[str]:
    if weight(text) <= limit:
        return [text]
    out, cur = [], ""
    for ch in text:
        if weight(cur + ch) > limit:
            out.append(cur)
            cur = ""
        cur += ch
    return out + ([cur] if cur else [])


def segment(text: str, limit: float = MAX_SEGMENT_CHARS,
            pack: float | None = None) -> list[tuple[str, float]]:
    """Split ``text`` into (segment, pause-after-seconds) pairs, packing sentences together
    up to ``pack`` (default ``limit``) and cutting longer ones at ``limit``."""
    pack = limit if pack is None else min(pack, limit)
    text = normalise(text)
    if not text:
        return []
    segments: list[tuple[str, float]] = []
    for paragraph in re.split(r"\n\s*\n", text):
        sentences = [s.strip() for s in _SENTENCE_END.split(paragraph) if s and s.strip()]
        pieces = [piece for s in sentences for piece in _split_long(s, limit)]
        cur = ""
        for piece in pieces:
            cand = _join(cur, piece) if cur else piece
            if cur and (weight(cand) > limit or weight(cur) >= pack):
                segments.append((cur, PAUSE_SECONDS))
                cur = piece
            else:
                cur = cand
        if cur:
            segments.append((cur, PAUSE_SECONDS))
        if segments:
            last, _ = segments[-1]
            segments[-1] = (last, PARAGRAPH_PAUSE_SECONDS)
    text_segments = [(s, p) for s, p in segments if any(c.isalnum() for c in s)]
    if text_segments:
        last, _ = text_segments[-1]
        text_segments[-1] = (last, 0.0)
    return text_segments


def expected_seconds(text: str) -> float:
    """A generous guess of how long ``text`` takes to say (slow speech)."""
    secs = 0.0
    for ch in text:
        if is_cjk(ch) or ch.isdigit():  # a digit: "2025" is "twenty twenty-five"
            secs += 0.30
        elif ch.isalnum():
            secs += 0.085
        elif ch in ",;:，、；：":
            secs += 0.25
        elif ch in ".!?。！？…":
            secs += 0.4
        else:
            secs += 0.03
    return secs


def expected_take_seconds(text: str, max_frames: int | None = None,
                          frame_rate: float = 12.5, pack: float | None = None) -> float:
    """A generous guess of a whole take's length, pauses included, for playback to plan by;
    ``max_frames`` (a per-segment cap) bounds it; ``pack`` as for :func:`segment`."""
    segments = segment(text, pack=pack)
    guess = sum(expected_seconds(s) + p for s, p in segments)
    if max_frames:
        guess = min(guess, len(segments) * max_frames / frame_rate)
    return guess


def frame_budget(text: str, frame_rate: float = 12.5) -> int:
    """The runaway guard: frames a segment may take before generation is stopped.

    Twice a slow reading plus three seconds: a take that never emits end-of-speech stops on
    its own instead of babbling for the model's 8192-frame maximum (11 minutes).
    """
    return max(int(math.ceil((3.0 + 2.0 * expected_seconds(text)) * frame_rate)), 25)
