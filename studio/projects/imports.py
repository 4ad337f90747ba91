"""Read a file into a project's content, or fail with one clear error and create nothing.

Formats by extension: ``.txt`` (blank lines split blocks), ``.md``/``.markdown`` (headings
are chapters), ``.epub`` (its chapters), ``.srt``/``.vtt`` (each cue a timed block). A file
that is not that format, empty, encrypted or implausibly large is refused before anything is
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studio.projects import import_subtitles, import_text
from studio.projects.errors import ImportFailed
from studio.projects.schema import MAX_TEXT, Chapter

MAX_TEXT_BYTES = 20 << 20  # about 3 million words: longer than any book
MAX_EPUB_BYTES = 200 << 20
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".epub": "epub", ".srt": "srt", ".vtt": "vtt"}


@dataclass
class Imported:
    chapters: list[Chapter]
    timed: bool = False
    title: str = ""
    author: str = ""
    speakers: set[str] = field(default_factory=set)  # script names cast from ``Name:`` lines

    @property
    def block_count(self) -> int:
        return sum(len(c.blocks) for c in self.chapters)


def read_file(path: Path | str, known_speakers: set[str] | None = None) -> Imported:
    path = Path(path).expanduser()
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ImportFailed(f"{path.name}: Voice Studio imports .txt, .md, .epub, .srt and .vtt "
                           "files. Save the text in one of those formats.")
    if path.is_dir():
        raise ImportFailed(f"{path} is a folder; give a file.")
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ImportFailed(f"The file {path} does not exist.") from exc
    limit = MAX_EPUB_BYTES if kind == "epub" else MAX_TEXT_BYTES
    if size > limit:
        raise ImportFailed(f"{path.name} is {size / 2**20:.0f} MB, more than the "
                           f"{limit >> 20} MB a project imports. Split it into parts.")
    if size == 0:
        raise ImportFailed(f"{path.name} is empty.")
    title = path.stem.replace("_", " ").strip() or "Chapter 1"
    if kind == "epub":
        from studio.projects.import_epub import epub_chapters

        chapters, book_title, author = epub_chapters(path)
        result = Imported(chapters, title=book_title, author=author)
    else:
        text = _decode(path)
        if kind == "srt":
            result = Imported(import_subtitles.srt_chapters(text, title), timed=True)
        elif kind == "vtt":
            result = Imported(import_subtitles.vtt_chapters(text, title), timed=True)
        elif kind == "markdown":
            result = Imported(import_text.markdown_chapters(text, title))
        else:
            result = Imported(import_text.plain_chapters(text, title))
    if not result.timed:
        result.speakers = import_text.cast_script(result.chapters, known_speakers or set())
    else:
        result.speakers = {b.speaker for c in result.chapters for b in c.blocks} - {"Narrator"}
    if result.block_count == 0:
        raise ImportFailed(f"{path.name} holds no text to read.")
    for chapter in result.chapters:
        for block in chapter.blocks:
            if len(block.text) > MAX_TEXT:
                raise ImportFailed(f"{path.name} has a paragraph of {len(block.text)} "
                                   f"characters; split it (blank lines) into paragraphs of "
                                   f"at most {MAX_TEXT}.")
    return result


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFailed(f"{path.name} is damaged UTF-16 text.") from exc
    if b"\x00" in data[:65536]:
        raise ImportFailed(f"{path.name} is not a text file (it holds binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path.name} is not UTF-8 text; save it as UTF-8 and import "
                           "again.") from exc
