"""Projects on disk: ``<root>/projects/<id>/project.json`` and the audio of every take.

project.json is replaced atomically on every change, and each take's audio is written
atomically before project.json names it, so a kill at any moment leaves the project as it
was before the change or after it, never between; a take file that a kill left unnamed is
removed the next time the project is opened for rendering. A damaged project is listed with
the reason and never hides the others.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio import paths, safe_json
from studio.errors import InvalidInput, StudioError
from studio.fsutil import atomic_copy, atomic_write_json, atomic_write_text
from studio.library import staging
from studio.library.errors import StorageError, storage_errors
from studio.library.folder import sort_key
from studio.library.ids import clean_name, is_valid_id, name_key, slugify, unique_id
from studio.projects.errors import InvalidProjectName, ProjectDamaged, ProjectNotFound
from studio.projects.schema import (
    PROJECT_FILE,
    TAKES_DIR,
    Project,
    now,
    project_from_dict,
)

MAX_PROJECT_BYTES = 64 << 20
# the projects held open in memory in this process (live.py), by folder: reading one from
# disk first saves what its copy changed, so every reader here sees the newest state
OPEN_COPIES: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
LOCK_FILE = "render.lock"
COVER_TYPES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
MAX_COVER_BYTES = 20 << 20


@dataclass(frozen=True)
class DamagedProject:
    id: str
    path: Path
    reason: str


@dataclass(frozen=True)
class ProjectListing:
    projects: list[Project] = field(default_factory=list)  # sorted by name
    damaged: list[DamagedProject] = field(default_factory=list)


class ProjectStore:
    """Every operation on ``<root>/projects/`` goes through here."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else paths.root()
        self.folder = self.root / "projects"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            staging.sweep(self.folder)
        except OSError as exc:
            raise StorageError(
                f"The Voice Studio data folder {self.root} cannot be used: "
                f"{exc.strerror or exc}. Make it a folder you can write to, or set "
                f"{paths.HOME_ENV} to one.") from exc

    def path(self, project: Project | str) -> Path:
        return self.folder / (project if isinstance(project, str) else project.id)

    # -- reading ------------------------------------------------------------------------

    @storage_errors("read the projects")
    def list(self) -> ProjectListing:
        projects, damaged = [], []
        names = sorted(e.name for e in os.scandir(self.folder) if not e.name.startswith("."))
        for name in names:
            try:
                projects.append(self.load(name))
            except ProjectDamaged as exc:
                damaged.append(DamagedProject(name, self.folder / name, str(exc)))
        projects.sort(key=lambda p: (sort_key(p.name), p.id))
        return ProjectListing(projects, damaged)

    def load(self, project_id: str) -> Project:
        """Read and validate one project by id; raises ProjectDamaged with the reason."""
        folder = self.folder / project_id
        if not is_valid_id(project_id) or folder.is_symlink() or not folder.is_dir():
            raise ProjectDamaged("it is not a project folder")
        self.flush_open_copy(project_id)
        file = folder / PROJECT_FILE
        try:
            if file.stat().st_size > MAX_PROJECT_BYTES:
                raise ProjectDamaged(f"{PROJECT_FILE} is implausibly large")
            data = safe_json.loads(file.read_bytes())
        except FileNotFoundError as exc:
            raise ProjectDamaged(f"{PROJECT_FILE} is missing") from exc
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ProjectDamaged(f"{PROJECT_FILE} cannot be read ({exc})") from exc
        return project_from_dict(data, project_id)

    def open_copy(self, project_id: str, copy: Any) -> None:
        """Name ``copy`` (a LiveProject) as the project's copy held open in this process."""
        OPEN_COPIES[str(self.path(project_id))] = copy

    def flush_open_copy(self, project_id: str) -> None:
        """Save the changes of the project's open copy, if any (a failed save was reported
        to its owner, and the file is read as it is)."""
        copy = OPEN_COPIES.get(str(self.path(project_id)))
        if copy is not None and copy.dirty:
            with contextlib.suppress(StudioError):
                copy.flush()

    def get(self, name_or_id: str) -> Project:
        """By id, else by name (case-insensitive); a damaged one says why it cannot open."""
        key = (name_or_id or "").strip()
        if is_valid_id(key) and (self.folder / key).is_dir():
            try:
                return self.load(key)
            except ProjectDamaged as exc:
                raise ProjectDamaged(f"The project {key!r} cannot be opened: {exc}. Fix or "
                                     "delete its project.json.") from exc
        listing = self.list()
        for project in listing.projects:
            if name_key(project.name) == name_key(key):
                return project
        raise ProjectNotFound(f"There is no project called {key!r}. 'voice-studio project "
                              "list' shows the projects.")

    # -- writing ------------------------------------------------------------------------

    @storage_errors("create the project")
    def create(self, project: Project, cover: Path | None = None) -> Project:
        """Write a new project folder (staged, then renamed into place); returns it with
        its id. Nothing is created when anything fails."""
        project.name = clean_project_name(project.name)
        if any(name_key(p.name) == name_key(project.name) for p in self.list().projects):
            raise InvalidProjectName(f"A project called {project.name!r} already exists. "
                                     "Choose another name, or delete that project first.")
        cover_bytes = read_cover(cover) if cover is not None else None
        with staging.staged(self.folder) as stage:
            (stage / TAKES_DIR).mkdir()
            if cover_bytes is not None:
                project.cover = f"cover.{cover_kind(cover_bytes)}"
                (stage / project.cover).write_bytes(cover_bytes)

            self.commit_staged(stage, project)
        return project

    def commit_staged(self, stage: Path, project: Project) -> None:
        """Write ``project`` into the staged folder under a fresh id made from its name, and
        rename the folder into place (a new project, or a duplicate)."""

        def write(project_id: str) -> None:
            project.id = project_id
            atomic_write_json(stage / PROJECT_FILE, project.to_dict())

        staging.commit(stage, self.folder,
                       lambda: unique_id(slugify(project.name),
                                         lambda i: (self.folder / i).exists()), write)

    def save(self, project: Project) -> None:
        """Replace project.json atomically."""
        self.write_snapshot(project.id, self.snapshot(project))

    @staticmethod
    def snapshot(project: Project) -> dict[str, Any]:
        """What ``save`` writes, stamped now: a copy, so it may be written on another thread
        while the project changes."""
        project.updated = now()
        return project.to_dict()

    @storage_errors("save the project")
    def write_snapshot(self, project_id: str, data: dict[str, Any]) -> None:
        """Replace project.json with ``data`` atomically. Written compact: a 2,000-block
        book takes a fifth of the time that an indented file takes."""
        folder = self.path(project_id)
        if not folder.is_dir():
            raise ProjectNotFound(f"The project {data.get('name')!r} was deleted meanwhile.")
        atomic_write_text(folder / PROJECT_FILE, json.dumps(
            data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")

    @storage_errors("set the cover")
    def set_cover(self, project: Project, cover: Path) -> None:
        data = read_cover(cover)
        name = f"cover.{cover_kind(data)}"
        atomic_copy(cover, self.path(project) / name)
        project.cover = name
        self.save(project)

    @storage_errors("delete the project")
    def delete(self, name_or_id: str) -> Path:
        """Move the project folder into ``<root>/trash/``; returns where it went."""
        key = (name_or_id or "").strip()
        folder = self.folder / key if is_valid_id(key) and (self.folder / key).is_dir() \
            else self.path(self.get(key))
        trash = self.root / "trash"
        trash.mkdir(parents=True, exist_ok=True)
        dest = trash / f"project-{now():%Y%m%dT%H%M%S}-{folder.name}-{secrets.token_hex(3)}"
        if not staging.move_dir(folder, dest):
            raise StorageError(f"Could not move {folder} to the trash: {dest} exists.")
        return dest

    @storage_errors("restore the project")
    def restore(self, trashed: Path) -> str:
        """Move a folder :meth:`delete` put in the trash back; returns the project's id."""
        trash = (self.root / "trash").resolve()
        if trashed.resolve().parent != trash or not trashed.is_dir():
            raise StorageError(f"{trashed} is not a project in the trash.")
        project_id = trashed.name.split("-", 2)[2].rsplit("-", 1)[0]
        dest = self.folder / project_id
        if not is_valid_id(project_id) or dest.exists():
            raise StorageError(f"Could not restore the project: {dest} exists; move "
                               f"{trashed} back by hand under another name.")
        if not staging.move_dir(trashed, dest):
            raise StorageError(f"Could not restore the project: {dest} exists.")
        return project_id

    @contextlib.contextmanager
    def render_lock(self, project: Project) -> Iterator[None]:
        """One render of a project at a time (another would sweep this one's new takes).
        An OS lock on ``render.lock``: a killed process releases it by dying. Where there
        is no fcntl (Windows) renders are not locked."""
        try:
            import fcntl
        except ImportError:
            yield
            return
        with open(self.path(project) / LOCK_FILE, "a+b") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InvalidInput(f"{project.name} is being rendered by another process (a "
                                   "window or another command). Let it finish or stop it, "
                                   "then render again.") from None
            yield

    def render_running(self, project_id: str) -> bool:
        """Whether a render of the project holds its lock now (in any process)."""
        try:
            import fcntl
        except ImportError:
            return False
        try:
            with open(self.path(project_id) / LOCK_FILE, "rb") as fh:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        except OSError:
            return False
        return False

    def sweep_takes(self, project: Project) -> int:
        """Remove take files no take names (a kill between writing a take's audio and
        naming it in project.json) and temporary files a kill left; returns how many."""
        folder = self.path(project) / TAKES_DIR
        named = {t.file.split("/", 1)[1] for _c, b in project.blocks() for t in b.takes}
        removed = staging.sweep(self.path(project), stray_files_in_children=False)
        for entry in os.scandir(self.path(project)):
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_file(
                    follow_symlinks=False):  # atomic_open's, of project.json or another note
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return 0
        for entry in entries:
            if entry.name not in named and entry.is_file(follow_symlinks=False):
                try:
                    os.unlink(entry.path)
                    removed += 1
                except OSError:
                    pass
        return removed

    def remove_files(self, project: Project, files: list[str]) -> None:
        for rel in files:
            path = self.path(project) / rel
            if path.parent.name == TAKES_DIR and path.is_file():
                path.unlink()

    def copy_in(self, project: Project, src: Path, name: str) -> str:
        dest = self.path(project) / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        return name


def clean_project_name(name: object) -> str:
    """A project's display name: trimmed, NFC, 1-100 ordinary characters."""
    try:
        return clean_name(name)
    except InvalidInput as exc:
        text = str(exc).replace("A voice name", "A project name").replace(
            "A voice needs", "A project needs").replace("The voice name", "The project name")
        raise InvalidProjectName(text.replace("'Narrator'", "'My audiobook'")) from exc


def read_cover(path: Path) -> bytes:
    """A cover image's bytes (PNG or JPEG), or a clear error."""
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
        if size > MAX_COVER_BYTES:
            raise InvalidInput(f"The cover image {path.name} is {size >> 20} MB; use one "
                               f"under {MAX_COVER_BYTES >> 20} MB.")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInput(f"The cover image {path} does not exist.") from exc
    except IsADirectoryError as exc:
        raise InvalidInput(f"{path} is a folder; give a PNG or JPEG image.") from exc
    cover_kind(data, path.name)
    return data


def cover_kind(data: bytes, name: str = "the cover") -> str:
    for magic, kind in COVER_TYPES.items():
        if data.startswith(magic):
            return kind
    raise InvalidInput(f"{name} is not a PNG or JPEG image; audiobook players show only "
                       "those as covers.")
