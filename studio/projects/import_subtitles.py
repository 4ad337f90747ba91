"""SRT and WebVTT into a timed project: each cue a block carrying its start and end.

For dubbing: every block's audio is later placed at its cue's start. Formatting tags are
dropped; a WebVTT voice span (``<v Alice>``) names the block's speaker.
"""

from __future__ import annotations

import re

from studio.projects.errors import ImportFailed
from studio.projects.schema import NARRATOR, Block, Chapter

_SRT_TIME = re.compile(
    r"^\s*(\d{1,3}):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d{1,3}):(\d{2}):(\d{2})[,.](\d{1,3})")
_VTT_TIME = re.compile(
    r"^\s*((?:\d{1,3}:)?\d{2}:\d{2}\.\d{3})\s*-->\s*((?:\d{1,3}:)?\d{2}:\d{2}\.\d{3})")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000.0


def _vtt_seconds(stamp: str) -> float:
    parts = stamp.split(":")
    h = parts[0] if len(parts) == 3 else "0"
    m, rest = parts[-2], parts[-1]
    s, ms = rest.split(".")
    return _seconds(h, m, s, ms)


def _cue(text_lines: list[str], start: float, end: float, where: str) -> Block | None:
    raw = " ".join(x.strip() for x in text_lines if x.strip())
    voice = _VOICE.search(raw)
    text = " ".join(_TAG.sub("", raw).split())
    if not text:
        return None
    if end <= start:
        raise ImportFailed(f"{where} ends before it starts ({start:.3f} s -> {end:.3f} s); "
                           "fix its times.")
    speaker = " ".join(voice.group(1).split()) if voice else NARRATOR
    return Block(text, speaker=speaker, pause_s=0.0, start_s=round(start, 3),
                 end_s=round(end, 3))


def _groups(text: str) -> list[list[str]]:
    out, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line)
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def srt_chapters(text: str, title: str) -> list[Chapter]:
    blocks: list[Block] = []
    for group in _groups(text):
        k = next((i for i, line in enumerate(group) if _SRT_TIME.match(line)), None)
        if k is None or k > 1:
            raise ImportFailed(f"This is not an SRT file: the cue starting {group[0][:40]!r} "
                               "has no '00:00:01,000 --> 00:00:02,000' time line.")
        m = _SRT_TIME.match(group[k])
        assert m is not None
        start, end = _seconds(*m.groups()[:4]), _seconds(*m.groups()[4:])
        block = _cue(group[k + 1:], start, end, f"The cue at {group[k].strip()}")
        if block is not None:
            blocks.append(block)
    return [Chapter(title, blocks)] if blocks else []


def vtt_chapters(text: str, title: str) -> list[Chapter]:
    text = text.lstrip("\ufeff")
    if not re.match(r"WEBVTT(?:[ \t].*)?$", text.splitlines()[0] if text else ""):
        raise ImportFailed("This is not a WebVTT file: it must start with the line 'WEBVTT'.")
    blocks: list[Block] = []
    for group in _groups(text)[1:]:
        if group[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        k = next((i for i, line in enumerate(group) if _VTT_TIME.match(line)), None)
        if k is None or k > 1:
            raise ImportFailed(f"This WebVTT file has a cue without a time line near "
                               f"{group[0][:40]!r} (expected '00:01.000 --> 00:02.000').")
        m = _VTT_TIME.match(group[k])
        assert m is not None
        block = _cue(group[k + 1:], _vtt_seconds(m.group(1)), _vtt_seconds(m.group(2)),
                     f"The cue at {group[k].strip()}")
        if block is not None:
            blocks.append(block)
    return [Chapter(title, blocks)] if blocks else []
