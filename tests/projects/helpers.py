"""Builders for the project tests: files to import, projects, a recording engine, a hearer."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from studio.asr.transcript_check import tokenize
from studio.asr.words import Transcript, Word
from studio.projects.schema import Block, Chapter, Project
from studio.projects.store import ProjectStore


def png(width: int = 4, height: int = 3) -> bytes:
    raw = b"".join(b"\x00" + b"\xc0\x40\x20" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_epub(path: Path, chapters: list[tuple[str, list[str]]], title: str = "A Book",
              author: str = "Ann Author") -> Path:
    """An EPUB written with ebooklib: each chapter a page with a heading, paragraphs and an
    image (which the import must drop)."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title(title)
    book.set_language("en")
    book.add_author(author)
    image = epub.EpubItem(uid="img", file_name="images/p.png", media_type="image/png",
                          content=png())
    book.add_item(image)
    pages = []
    for k, (heading, paragraphs) in enumerate(chapters, start=1):
        page = epub.EpubHtml(title=heading, file_name=f"ch{k}.xhtml", lang="en")
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        page.content = (f"<html><body><h1>{heading}</h1><img src='images/p.png' alt='a "
                        f"picture'/><script>var x = 1;</script>{body}</body></html>")
        book.add_item(page)
        pages.append(page)
    book.toc = pages
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *pages]
    epub.write_epub(str(path), book)
    return path


def make_project(store: ProjectStore, texts: list[list[str]] | list[str], name: str = "Book",
                 cast: dict[str, str] | None = None, max_seconds: float = 0.4,
                 speakers: list[list[str]] | None = None) -> Project:
    """A project with chapters of blocks (``texts``: one list per chapter, or one chapter)."""
    from studio.projects.schema import CastMember

    groups = texts if texts and isinstance(texts[0], list) else [texts]
    chapters = []
    for k, group in enumerate(groups):
        who = speakers[k] if speakers else ["Narrator"] * len(group)
        chapters.append(Chapter(f"Chapter {k + 1}",
                                [Block(t, speaker=s) for t, s in zip(group, who, strict=True)]))
    members = [CastMember(n, v) for n, v in (cast or {"Narrator": "speaker:ryan"}).items()]
    project = Project(id="", name=name, chapters=chapters, cast=members)
    project.settings.max_seconds = max_seconds
    return store.create(project)


class RecordingEngine:
    """The real engine, noting every request it is asked to speak (what the model reads)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.requests: list[Any] = []

    def stream(self, request: Any) -> Any:
        self.requests.append(request)
        return self.engine.stream(request)


def heard(text: str, seconds: float = 1.0) -> Transcript:
    """A transcript that hears ``text`` exactly, its words spread over ``seconds``."""
    words = [t.text for t in tokenize(text)]
    step = seconds / max(1, len(words))
    return Transcript(text, "en", tuple(Word(w, k * step, (k + 1) * step)
                                        for k, w in enumerate(words)), seconds)


class KnownAudioHearer:
    """A fake recognizer that "hears" the text a take was made from, recognising the take
    by its samples (as read back from its file); anything else it hears as ``unknown``."""

    def __init__(self) -> None:
        self.known: dict[bytes, str] = {}
        self.unknown = "mumble mumble"

    @staticmethod
    def key(audio: np.ndarray) -> bytes:
        return np.round(np.asarray(audio, np.float64) * 1000).astype(np.int32).tobytes()

    def learn(self, audio: np.ndarray, text: str) -> None:
        self.known[self.key(audio)] = text

    def transcribe(self, audio: np.ndarray, sample_rate: int,
                   language: str | None = None) -> Transcript:
        text = self.known.get(self.key(audio), self.unknown)
        return heard(text, len(audio) / sample_rate)
