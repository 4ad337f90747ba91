"""Folder-level atomicity: build in a hidden sibling, fsync it all, rename into place.

A rename within one file system is atomic, so a reader sees either nothing or the whole
folder. Hidden work folders are named ``.<tag>-<pid>-<random>``; one left by a process that
died (or older than a day, in case the pid was reused) is removed by :func:`sweep`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from studio.fsutil import fsync_dir, fsync_tree

_WORK_RE = re.compile(r"\.(tmp|del)-(\d+)-[0-9a-f]+")
_TMP_FILE_RE = re.compile(r"\..+\.tmp")  # what studio.fsutil.atomic_open leaves on a kill
STALE_SECONDS = 24 * 3600


def new_work_dir(parent: Path, tag: str = "tmp") -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    path = parent / f".{tag}-{os.getpid()}-{secrets.token_hex(6)}"
    path.mkdir()
    return path


@contextlib.contextmanager
def staged(parent: Path) -> Iterator[Path]:
    """A hidden work folder in ``parent``, removed on error (and gone once committed)."""
    path = new_work_dir(parent)
    try:
        yield path
    finally:
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)


def commit(stage: Path, parent: Path, choose: Callable[[], str],
           prepare: Callable[[str], None] = lambda _name: None) -> str:
    """Rename ``stage`` to ``parent/<name>``; if a racer took the name, choose again.

    ``choose`` proposes a free name; ``prepare(name)`` writes whatever in the stage depends
    on it (voice.json's id) before everything is fsynced and the folder renamed.
    """
    for _attempt in range(50):
        name = choose()
        prepare(name)
        fsync_tree(stage)
        if _rename_dir(stage, parent / name):
            fsync_dir(parent)
            return name
    raise OSError(errno.EEXIST, f"could not find a free folder name in {parent}")


def move_dir(src: Path, dest: Path) -> bool:
    """Atomically rename a folder; False if ``dest`` already exists."""
    ok = _rename_dir(src, dest)
    if ok:
        fsync_dir(dest.parent)
        if src.parent != dest.parent:
            fsync_dir(src.parent)
    return ok


def _rename_dir(src: Path, dest: Path) -> bool:
    if dest.exists() or dest.is_symlink():
        return False
    try:
        os.rename(src, dest)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) or isinstance(exc, FileExistsError):
            return False
        raise
    return True


def discard(path: Path) -> None:
    """Remove a folder so that no half-deleted copy is ever visible under its name."""
    if not path.exists():
        return
    work = path.parent / f".del-{os.getpid()}-{secrets.token_hex(6)}"
    try:
        os.rename(path, work)
    except FileNotFoundError:
        return
    fsync_dir(path.parent)
    shutil.rmtree(work, ignore_errors=True)


def sweep(parent: Path, stray_files_in_children: bool = False) -> int:
    """Remove work folders left by dead processes; returns how many things were removed."""
    removed = 0
    try:
        entries = list(os.scandir(parent))
    except FileNotFoundError:
        return 0
    for entry in entries:
        match = _WORK_RE.fullmatch(entry.name)
        if match and _is_stale(int(match.group(2)), entry):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
        elif stray_files_in_children and not entry.name.startswith("."):
            removed += _remove_stray_files(Path(entry.path))
            takes = Path(entry.path) / "takes"  # a voice's takes (library/takes.py)
            if takes.is_dir() and not takes.is_symlink():
                removed += sweep(takes, stray_files_in_children=True)
    return removed


def _remove_stray_files(folder: Path) -> int:
    """atomic_open's temporary files inside a voice folder, left by a kill mid-write."""
    removed = 0
    try:
        names = [e.name for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    except (NotADirectoryError, FileNotFoundError, PermissionError):
        return 0
    for name in names:
        if _TMP_FILE_RE.fullmatch(name):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)
                removed += 1
    return removed


def _is_stale(pid: int, entry: os.DirEntry) -> bool:
    try:
        age = time.time() - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    if age > STALE_SECONDS:
        return True
    return pid != os.getpid() and not pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """Whether a process exists (POSIX); elsewhere assume yes and rely on the age limit."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
