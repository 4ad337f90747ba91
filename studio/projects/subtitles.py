"""SRT and WebVTT from a mix's placements: each block's text at its times in the exported
audio. The text is the user's (never the lexicon's respelling). WebVTT gets per-word
timestamps (karaoke-style ``<00:00:01.200>`` tags) where the check by ear timed the words
and the block was read as written.
"""

from __future__ import annotations

from pathlib import Path

from studio.fsutil import atomic_write_text
from studio.projects.mix import Placement

FORMATS = ("srt", "vtt")


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt(placements: list[Placement]) -> str:
    cues = []
    for k, p in enumerate(placements, start=1):
        cues.append(f"{k}\n{_stamp(p.start_s, ',')} --> {_stamp(p.end_s, ',')}\n{p.text}\n")
    return "\n".join(cues)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _karaoke(p: Placement) -> str:
    """The text with a timestamp tag before each timed word after the first."""
    out: list[str] = []
    text, pos = p.text, 0
    for k, (word, start, _end) in enumerate(p.words):
        at = text.find(word, pos)
        if at < 0:
            return _escape(p.text)  # the words no longer match the text: plain cue
        out.append(_escape(text[pos:at]))
        if k > 0 and p.start_s < start < p.end_s:
            out.append(f"<{_stamp(start, '.')}>")
        out.append(_escape(word))
        pos = at + len(word)
    out.append(_escape(text[pos:]))
    return "".join(out)


def vtt(placements: list[Placement], speakers: bool = True) -> str:
    parts = ["WEBVTT\n"]
    named = speakers and len({p.speaker for p in placements}) > 1
    for p in placements:
        body = _karaoke(p) if p.words else _escape(p.text)
        if named:
            body = f"<v {p.speaker}>{body}"
        parts.append(f"{_stamp(p.start_s, '.')} --> {_stamp(p.end_s, '.')}\n{body}\n")
    return "\n".join(parts)


def write(path: Path, placements: list[Placement], fmt: str) -> Path:
    atomic_write_text(path, srt(placements) if fmt == "srt" else vtt(placements))
    return path
