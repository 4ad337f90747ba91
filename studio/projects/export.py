"""Export a project: one file (or one per chapter) with its loudness set, subtitles and stems.

Everything comes from one mix (mix.py), so the file, its chapter markers, its subtitles and
its stems agree on where every block is. The loudness preset's gain is per sample and is
applied to the stems too, so the stems still add up to the mix. The figures reported are
measured on the file as written (decoded again for M4B and MP3).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.errors import InvalidInput
from studio.projects import export_container, loudness, subtitles
from studio.projects.export_container import Tags
from studio.projects.loudness import Measured
from studio.projects.mix import Mix, assemble
from studio.projects.schema import LexiconEntry, Project
from studio.projects.store import ProjectStore, read_cover

EXTENSIONS = {"m4b": ".m4b", "mp3": ".mp3", "wav": ".wav", "flac": ".flac"}


@dataclass
class ExportOptions:
    fmt: str
    out: Path  # a file; with ``per_chapter``, a folder
    loudness: str | None = None  # acx | podcast | ebu
    subtitles: str | None = None  # srt | vtt
    stems: bool = False
    chapter: int | None = None  # 1-based: export only this chapter
    per_chapter: bool = False
    title: str | None = None
    author: str | None = None
    narrator: str | None = None
    year: str | None = None
    cover: Path | None = None  # None: the project's own cover, if it has one
    use_cover: bool = True  # False: no cover at all, not even the project's


Report = Callable[[float, str], None]  # how far (0-1) and what; raising Cancelled stops it


@dataclass
class ExportedFile:
    path: Path
    seconds: float
    measured: Measured
    subtitles: Path | None = None
    stems: list[Path] = field(default_factory=list)


@dataclass
class ExportResult:
    files: list[ExportedFile] = field(default_factory=list)
    preset: loudness.Preset | None = None
    stale: int = 0
    overruns: list[str] = field(default_factory=list)


def check_options(project: Project, opts: ExportOptions) -> None:
    """Every option checked before any audio is read."""
    if opts.fmt not in EXTENSIONS:
        raise InvalidInput(f"Export as {', '.join(EXTENSIONS)}, not {opts.fmt!r}.")
    if opts.loudness is not None:
        loudness.preset(opts.loudness)
    if opts.subtitles is not None and opts.subtitles not in subtitles.FORMATS:
        raise InvalidInput(f"Subtitles are srt or vtt, not {opts.subtitles!r}.")
    if opts.chapter is not None and not 1 <= opts.chapter <= len(project.chapters):
        raise InvalidInput(f"There is no chapter {opts.chapter}; the project has "
                           f"{len(project.chapters)}.")
    if opts.per_chapter and opts.chapter is not None:
        raise InvalidInput("Give --chapter N or --per-chapter, not both.")
    if opts.per_chapter:
        if opts.out.exists() and not opts.out.is_dir():
            raise InvalidInput(f"With --per-chapter, -o is a folder; {opts.out} is a file.")
    elif opts.out.is_dir():
        raise InvalidInput(f"{opts.out} is a folder; give a file name such as book"
                           f"{EXTENSIONS[opts.fmt]} (or --per-chapter for a file per chapter).")
    elif opts.out.suffix.lower() != EXTENSIONS[opts.fmt]:
        raise InvalidInput(f"The file name {opts.out.name} does not end in "
                           f"{EXTENSIONS[opts.fmt]}, the format chosen with --format.")
    if opts.cover is not None:
        read_cover(opts.cover)
    if opts.year and not re.fullmatch(r"\d{4}", opts.year.strip()):
        raise InvalidInput(f"The year is four digits, such as 2024, not {opts.year!r}.")


def _tags(store: ProjectStore, project: Project, opts: ExportOptions, mix: Mix,
          title: str) -> Tags:
    cover = None
    if not opts.use_cover:
        cover = None
    elif opts.cover is not None:
        cover = read_cover(opts.cover)
    elif project.cover:
        cover = (store.path(project) / project.cover).read_bytes()
    book = opts.title or project.title or project.name
    return Tags(title=title or book, author=opts.author or project.author, album=book,
                chapters=mix.chapters, cover=cover,
                narrator=(opts.narrator or project.narrator).strip(),
                year=(opts.year or project.year).strip())


def decoded(path: Path, fmt: str) -> np.ndarray:
    """The samples of an exported file, as a player decodes them."""
    if fmt in ("wav", "flac"):
        import soundfile as sf

        return sf.read(str(path), dtype="float32")[0]
    import av

    with av.open(str(path)) as f:
        parts = [frame.to_ndarray().reshape(-1) for frame in f.decode(audio=0)]
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text, flags=re.UNICODE).strip("-")[:60] or "part"


def _one(store: ProjectStore, project: Project, opts: ExportOptions, mix: Mix, path: Path,
         title: str, result: ExportResult, report: Report) -> ExportedFile:
    gain: np.ndarray | float = 1.0
    if result.preset is not None:
        gain = loudness.gain_for(mix.audio, mix.sample_rate, result.preset)
    audio = (mix.audio * gain).astype(np.float32)
    report(0.0, f"Writing {path.name}")
    export_container.write(path, audio, mix.sample_rate, opts.fmt,
                           _tags(store, project, opts, mix, title),
                           lambda f: report(f, f"Encoding {path.name}"))
    heard = decoded(path, opts.fmt)
    done = ExportedFile(path, len(audio) / mix.sample_rate,
                        loudness.measure(heard, mix.sample_rate))
    if opts.subtitles:
        done.subtitles = subtitles.write(path.with_suffix(f".{opts.subtitles}"),
                                         mix.placements, opts.subtitles)
    if opts.stems:
        for speaker in mix.speakers():
            report(1.0, f"Writing the stem of {speaker}")
            stem = (mix.stem(speaker) * gain).astype(np.float32)
            stem_path = path.with_name(f"{path.stem}.{_slug(speaker)}{path.suffix}")
            export_container.write(stem_path, stem, mix.sample_rate, opts.fmt,
                                   Tags(title=f"{title} ({speaker})", author=opts.author
                                        or project.author))
            done.stems.append(stem_path)
    return done


def export(store: ProjectStore, project: Project, opts: ExportOptions, entries: list[LexiconEntry],
           library: Any, report: Report | None = None) -> ExportResult:
    """Export as ``opts`` says. ``report`` hears the progress; a Cancelled error it raises
    stops the export between two chunks, and the file being written is left out entirely
    (files already finished, with --per-chapter, are kept whole)."""
    opts.fmt = opts.fmt.lower()
    check_options(project, opts)
    folder = store.path(project)
    result = ExportResult(preset=loudness.preset(opts.loudness) if opts.loudness else None)
    book = opts.title or project.title or project.name
    if opts.per_chapter:
        opts.out.mkdir(parents=True, exist_ok=True)
        groups = [[i] for i in range(len(project.chapters))]
    else:
        groups = [[opts.chapter - 1] if opts.chapter else list(range(len(project.chapters)))]
    tell: Report = report or (lambda _f, _m: None)
    tell(0.0, "Reading the takes")
    mixes = [assemble(project, folder, entries, library, g) for g in groups]  # all or nothing
    for n, (group, mix) in enumerate(zip(groups, mixes, strict=True)):
        result.stale += mix.stale
        result.overruns += mix.overruns
        if opts.per_chapter:
            k = group[0]
            title = mix.chapters[0][0]
            path = opts.out / f"{k + 1:02d} {_slug(title)}{EXTENSIONS[opts.fmt]}"
        else:
            title = mix.chapters[0][0] if opts.chapter else book
            path = opts.out

        def step(f: float, what: str, n: int = n) -> None:
            tell((n + f) / len(groups), what)

        result.files.append(_one(store, project, opts, mix, path, title, result, step))
    tell(1.0, "Done")
    return result


def remember_tags(store: ProjectStore, project_id: str, opts: ExportOptions) -> Project:
    """Keep the tags and cover of an export in the project, so the next export (and the
    command line's) starts from them; the project as it is on disk now is changed."""
    fresh = store.load(project_id)
    fresh.title, fresh.author = opts.title or "", opts.author or ""
    fresh.narrator, fresh.year = (opts.narrator or "").strip(), (opts.year or "").strip()
    if not opts.use_cover:
        fresh.cover = None
    elif opts.cover is not None and (fresh.cover is None or opts.cover.resolve()
                                     != (store.path(fresh) / fresh.cover).resolve()):
        store.set_cover(fresh, opts.cover)  # copied into the project folder
    store.save(fresh)
    return fresh
