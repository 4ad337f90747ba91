"""Plain text and Markdown into chapters of blocks, and script lines into a cast.

Plain text: blank lines split blocks, one chapter. Markdown: every heading starts a chapter
(and is its first block: audiobooks read chapter titles aloud), markup is dropped (emphasis,
code marks, links keep their text, images and HTML go). Script lines written ``Name: words``
become blocks spoken by ``Name`` when that name starts at least two lines, or is cast
already, so a stray "Note: ..." stays narration.
"""

from __future__ import annotations

import re
from collections import Counter

from studio.projects.schema import NARRATOR, Block, Chapter

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_SPEAKER = re.compile(r"^\s*([^\W\d_][\w'’.\-]*(?: [^\W\d_][\w'’.\-]*){0,2})\s*:\s+(\S.*)$")


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, lines kept (script detection reads them)."""
    out, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            out.append("\n".join(cur))
            cur = []
    if cur:
        out.append("\n".join(cur))
    return out


def join_lines(text: str) -> str:
    return " ".join(text.split())


def plain_chapters(text: str, title: str) -> list[Chapter]:
    blocks = [Block(p) for p in paragraphs(text)]
    return [Chapter(title, blocks)] if blocks else []


def strip_inline(text: str) -> str:
    """Markdown inline markup to the words it shows."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"\[([^\]]*)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = re.sub(r"`+([^`]*)`+", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)([*_])(\S(?:.*?\S)?)\1(?!\w)", r"\2", text)
    text = re.sub(r"~~(.+?)~~", r"\1", text)
    return text


def markdown_chapters(text: str, title: str) -> list[Chapter]:
    chapters: list[Chapter] = []
    current = Chapter(title)
    lines = text.splitlines()
    para: list[str] = []
    fenced = False

    def flush() -> None:
        words = [strip_inline(x) for x in para]
        body = "\n".join(w.rstrip() for w in words if w.strip())
        if body.strip():
            current.blocks.append(Block(body))
        para.clear()

    for k, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            flush()
            continue
        if fenced:
            continue  # code is not read aloud
        heading = _HEADING.match(line)
        nxt = lines[k + 1] if k + 1 < len(lines) else ""
        if heading is None and line.strip() and _SETEXT.match(nxt) and not para:
            heading_text = line.strip()
        elif heading is not None:
            heading_text = heading.group(2)
        else:
            heading_text = None
        if heading_text is not None:
            flush()
            if current.blocks:
                chapters.append(current)
            name = join_lines(strip_inline(heading_text))
            current = Chapter(name, [Block(name)] if name else [])
            continue
        if _SETEXT.match(line) and not para and k > 0 and lines[k - 1].strip():
            continue  # the underline of a setext heading
        if not line.strip() or _RULE.match(line):
            flush()
            continue
        line = re.sub(r"^\s{0,3}>\s?", "", line)  # block quotes are read as text
        if _LIST.match(line):
            flush()
            line = _LIST.sub("", line)
        para.append(line)
    flush()
    if current.blocks:
        chapters.append(current)
    return chapters


def cast_script(chapters: list[Chapter], known: set[str]) -> set[str]:
    """Turn ``Name: words`` lines into blocks spoken by Name; returns the names found.

    A paragraph whose lines all start with a speaker becomes one block per line; a name
    counts when it starts two or more lines, or is in ``known`` (case-insensitive)."""
    counts: Counter[str] = Counter()
    for chapter in chapters:
        for block in chapter.blocks:
            for line in block.text.splitlines():
                m = _SPEAKER.match(line)
                if m:
                    counts[m.group(1)] += 1
    known_keys = {k.casefold() for k in known}
    names = {n for n, c in counts.items() if c >= 2 or n.casefold() in known_keys}
    names.discard(NARRATOR)
    for chapter in chapters:
        out: list[Block] = []
        for block in chapter.blocks:
            lines = block.text.splitlines()
            matches = [_SPEAKER.match(x) for x in lines]
            if all(m is not None and m.group(1) in names for m in matches):
                out += [Block(join_lines(m.group(2)), speaker=m.group(1), pause_s=block.pause_s)
                        for m in matches if m is not None]
            else:
                block.text = join_lines(block.text)
                out.append(block)
        chapter.blocks = out
    return names


def speaker_prefix(text: str) -> tuple[str, str] | None:
    """``"Alice: Hello."`` -> ("Alice", "Hello."): a script line's speaker and words, or
    None when the text does not start with a name and a colon."""
    m = _SPEAKER.match(text or "")
    return (m.group(1), m.group(2).strip()) if m else None
