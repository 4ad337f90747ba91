"""Whole-project operations the window offers beside create and delete: rename, duplicate,
and the block edits of the script view (text, speaker, split, join, move, pause, accept).

Each edit changes a loaded Project in memory; the caller saves it (ProjectStore.save), so
an undo stack can apply and revert edits with the same calls.
"""

from __future__ import annotations

import shutil

from studio.errors import InvalidInput
from studio.library import staging
from studio.library.ids import name_key
from studio.projects.errors import InvalidProjectName
from studio.projects.schema import MAX_TEXT, NARRATOR, PROJECT_FILE, Block, Project
from studio.projects.store import ProjectStore, clean_project_name

MAX_PAUSE_S = 60.0  # what project.json accepts after a block


def _free_name(store: ProjectStore, name: str, project_id: str | None = None) -> str:
    name = clean_project_name(name)
    for other in store.list().projects:
        if other.id != project_id and name_key(other.name) == name_key(name):
            raise InvalidProjectName(f"A project called {name!r} already exists. Choose "
                                     "another name.")
    return name


def rename(store: ProjectStore, project_id: str, name: str) -> Project:
    """Give a project a new display name (its folder, and so its id, stay)."""
    project = store.load(project_id)
    project.name = _free_name(store, name, project_id)
    store.save(project)
    return project


def duplicate(store: ProjectStore, project_id: str, name: str) -> Project:
    """A full copy (script, cast, lexicon, every take) under a new name; nothing is made
    when anything fails."""
    project = store.load(project_id)
    project.name = _free_name(store, name)
    source = store.path(project_id)
    with staging.staged(store.folder) as stage:
        for entry in source.iterdir():
            if entry.name == PROJECT_FILE or entry.name.startswith("."):
                continue
            if entry.is_dir():
                shutil.copytree(entry, stage / entry.name, symlinks=False)
            elif entry.is_file():
                shutil.copy2(entry, stage / entry.name)
        store.commit_staged(stage, project)
    return project


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A block needs some text; to remove a block, join it with the "
                           "one before.")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"A block holds at most {MAX_TEXT} characters; split it.")
    return text


def set_text(project: Project, block_id: str, text: str) -> str:
    """Replace a block's text; returns the text it had (its takes stay, now stale)."""
    block = project.block(block_id)
    old, block.text = block.text, _clean_text(text)
    return old


def set_speaker(project: Project, block_id: str, speaker: str) -> str:
    block = project.block(block_id)
    name = " ".join((speaker or "").split())
    if not name:
        raise InvalidInput("A block needs a speaker name.")
    old, block.speaker = block.speaker, name
    return old


def _locate(project: Project, block_id: str) -> tuple[list[Block], int]:
    for chapter in project.chapters:
        for k, block in enumerate(chapter.blocks):
            if block.id == block_id:
                return chapter.blocks, k
    raise KeyError(block_id)


def split(project: Project, block_id: str, at: int, new_id: str | None = None) -> str:
    """Split a block's text at character ``at``: the first part keeps the block (and its
    takes, now stale), the rest becomes a new block after it (with id ``new_id`` when
    given: a redo makes the same block again); returns the new block's id."""
    blocks, k = _locate(project, block_id)
    block = blocks[k]
    head, tail = block.text[:at].strip(), block.text[at:].strip()
    if not head or not tail:
        raise InvalidInput("Put the cursor inside the text, between two words, to split "
                           "a block there.")
    block.text = head
    new = Block(tail, speaker=block.speaker, instruct=block.instruct,
                language=block.language, pause_s=block.pause_s)
    if new_id:
        new.id = new_id
    blocks.insert(k + 1, new)
    return new.id


def join(project: Project, block_id: str) -> Block:
    """Join a block with the one after it (same chapter); returns the block removed, so
    the join can be undone with :func:`unjoin`."""
    blocks, k = _locate(project, block_id)
    if k + 1 >= len(blocks):
        raise InvalidInput("This is the chapter's last block; select the first of two "
                           "blocks to join them.")
    nxt = blocks.pop(k + 1)
    blocks[k].text = _clean_text(f"{blocks[k].text} {nxt.text}")
    return nxt


def unjoin(project: Project, block_id: str, removed: Block, text: str) -> None:
    """Undo :func:`join`: the first block's old text back and the removed block after it."""
    blocks, k = _locate(project, block_id)
    blocks[k].text = text
    blocks.insert(k + 1, removed)


def remove(project: Project, block_id: str) -> None:
    blocks, k = _locate(project, block_id)
    blocks.pop(k)


def insert(project: Project, chapter: int, after: str | None, text: str,
           block_id: str | None = None) -> str:
    """A new block in chapter ``chapter`` (0-based) after block ``after`` (first when None),
    spoken by the speaker of the block before it; returns its id."""
    blocks = project.chapters[chapter].blocks
    k = next((i + 1 for i, b in enumerate(blocks) if b.id == after), 0)
    speaker = blocks[k - 1].speaker if k else NARRATOR
    block = Block(_clean_text(text), speaker=speaker)
    if block_id:
        block.id = block_id
    blocks.insert(k, block)
    return block.id


def move_blocks(project: Project, block_ids: list[str], row: int) -> list[str]:
    """Move blocks of one chapter, in their order, to stand before the block now at ``row``
    (the chapter's end when past it); returns the chapter's old order for :func:`reorder`.
    Their takes go with them and stay fresh."""
    if not block_ids:
        return []
    blocks, _k = _locate(project, block_ids[0])
    old = [b.id for b in blocks]
    wanted = set(block_ids)
    if not wanted <= set(old):
        raise InvalidInput("Blocks of different chapters cannot be moved together.")
    row = max(0, min(row, len(blocks)))
    moving = [b for b in blocks if b.id in wanted]
    before = sum(1 for b in blocks[:row] if b.id in wanted)
    rest = [b for b in blocks if b.id not in wanted]
    at = row - before
    blocks[:] = rest[:at] + moving + rest[at:]
    return old


def reorder(project: Project, order: list[str]) -> None:
    """Put a chapter's blocks back in ``order`` (ids; blocks not named keep their place at
    the end): how a move is undone."""
    if not order:
        return
    blocks, _k = _locate(project, order[0])
    rank = {block_id: k for k, block_id in enumerate(order)}
    blocks.sort(key=lambda b: rank.get(b.id, len(rank)))


def move_to_chapter(project: Project, block_ids: list[str], chapter: int) -> dict[str, list[str]]:
    """Move blocks to the end of chapter ``chapter`` (0-based), in script order; returns the
    block order of every chapter touched, for :func:`restore_chapters`."""
    if not 0 <= chapter < len(project.chapters):
        raise InvalidInput(f"There is no chapter {chapter + 1}.")
    wanted = set(block_ids)
    touched = [c for c in project.chapters
               if c is project.chapters[chapter] or any(b.id in wanted for b in c.blocks)]
    before = {c.id: [b.id for b in c.blocks] for c in touched}
    moving = [b for _c, b in project.blocks() if b.id in wanted]
    if len(moving) != len(wanted):
        raise KeyError(next(iter(wanted - {b.id for b in moving})))
    for c in touched:
        c.blocks = [b for b in c.blocks if b.id not in wanted]
    project.chapters[chapter].blocks += moving
    return before


def restore_chapters(project: Project, orders: dict[str, list[str]]) -> None:
    """Give the chapters named in ``orders`` those blocks in that order (undoing a move)."""
    by_id = {b.id: b for _c, b in project.blocks()}
    named = {i for ids in orders.values() for i in ids}
    for c in project.chapters:
        if c.id in orders:
            c.blocks = [by_id[i] for i in orders[c.id] if i in by_id]
        else:
            c.blocks = [b for b in c.blocks if b.id not in named]


def set_pause(project: Project, block_id: str, seconds: float) -> float:
    """The silence after a block when the chapter is played and exported; returns the old
    one. Changing it leaves the block's take fresh (the pause is not in the take)."""
    if not 0.0 <= seconds <= MAX_PAUSE_S:
        raise InvalidInput(f"A pause lasts from 0 to {MAX_PAUSE_S:g} seconds.")
    block = project.block(block_id)
    old, block.pause_s = block.pause_s, round(float(seconds), 2)
    return old


def accept_take(project: Project, block_id: str, accepted: bool = True) -> None:
    """Keep a take the check by ear flagged, as it is (``accepted``), or flag it again (an
    undo). What was heard stays recorded."""
    take = project.block(block_id).chosen_take
    if take is None or take.check is None:
        raise InvalidInput("This block has no checked take to accept; render it first.")
    take.check.flagged = not accepted
