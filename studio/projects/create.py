"""A new project: its content imported (or empty), its cast resolved, then written once.

Everything that can fail (the file, every cast voice, the cover, the name) is checked before
the project folder is created, so a failure creates nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.projects import cast
from studio.projects.imports import read_file
from studio.projects.schema import DEFAULT_VOICE, NARRATOR, CastMember, Project
from studio.projects.store import ProjectStore, clean_project_name, read_cover


def new_project(store: ProjectStore, name: str, source: Path | None = None,
                cast_specs: list[str] = (), library: Any = None, title: str = "",
                author: str = "", cover: Path | None = None) -> Project:
    name = clean_project_name(name)
    specs = [cast.parse_spec(s) for s in cast_specs]
    if cover is not None:
        read_cover(cover)
    project = Project(id="", name=name, title=title, author=author)
    if source is not None:
        imported = read_file(source, {n for n, _v in specs})
        project.chapters = imported.chapters
        project.timed = imported.timed
        project.title = title or imported.title
        project.author = author or imported.author
        speakers = sorted(imported.speakers)
    else:
        speakers = []
    if not any(n.casefold() == NARRATOR.casefold() for n, _v in specs):
        cast.recast(project, NARRATOR, DEFAULT_VOICE, library)
    for member, voice in specs:
        cast.recast(project, member, voice, library)
    auto_cast(project, speakers)
    return store.create(project, cover)


def auto_cast(project: Project, speakers: list[str]) -> list[CastMember]:
    """Give every script name without a voice a preset speaker no one else in the cast has
    (native English speakers first, then the others in the order the presets list them),
    so a script renders with distinct voices at once; recasting is one command. Returns
    the members cast here."""
    from studio.library.presets import load_presets

    used = {m.voice for m in project.cast}
    presets = sorted(load_presets().speakers, key=lambda s: not s.language.startswith("English"))
    free = [f"speaker:{s.name}" for s in presets]
    free = [v for v in free if v not in used] or free or [DEFAULT_VOICE]
    made = []
    for speaker in speakers:
        if project.member(speaker) is None:
            made.append(CastMember(speaker, free[len(made) % len(free)]))
            project.cast.append(made[-1])
    return made
