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
    for speaker in speakers:
        if project.member(speaker) is None:
            project.cast.append(CastMember(speaker, None))
    return store.create(project, cover)
