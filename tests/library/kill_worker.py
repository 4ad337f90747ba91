"""The victim of the kill test: edits a voice library in a loop until it is SIGKILLed.

Every operation a user can trigger is in the mix, so a kill lands inside each kind of
write: staging a new voice, replacing voice.json, moving to and from the trash, purging,
importing, promoting a preview, adding, switching and removing takes.
"""

from __future__ import annotations

import os
import random
import traceback
from pathlib import Path

from studio.errors import StudioError
from studio.library import VoiceLibrary
from tests.library.helpers import make_prompt, tone

NAMES = ("Alice", "Émile", "日本の声", "Zoë", "Ωmega", "Bob", "ÅSA", "Ñandú")
MAX_VOICES = 8
MAX_TRASH = 5


def run(home: Path, seed: int) -> None:
    """Loop forever; an unexpected error is written to ``worker-error.txt`` for the parent."""
    try:
        _loop(home, seed)
    except BaseException:
        (home.parent / "worker-error.txt").write_text(traceback.format_exc())
        raise


def _loop(home: Path, seed: int) -> None:
    rng = random.Random(seed)
    lib = VoiceLibrary(home)
    seed_zip = home.parent / "seed.voice.zip"
    original = home.parent / "original.mp3"
    progress = os.open(home.parent / "ops.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    n = 0
    while True:
        n += 1
        voices = lib.list().voices
        trash = lib.list_trash()
        ops = ["create", "create", "preview", "rename", "describe", "tags", "duplicate",
               "delete", "restore", "import", "take", "take", "activate", "untake"]
        op = rng.choice(ops)
        if len(voices) >= MAX_VOICES:
            op = "delete"
        elif len(trash) >= MAX_TRASH:
            op = "purge"
        name = f"{rng.choice(NAMES)} {seed}-{n}"
        some = rng.choice(voices).id if voices else None
        try:
            if op == "create":
                lib.create(name, prompt=make_prompt(n, text=f"Words {n}."),
                           audio=tone(rng.uniform(0.5, 2.0), freq=rng.uniform(100, 400)),
                           sample_rate=24_000, original=original if n % 2 else None,
                           description="x" * rng.randint(0, 500))
            elif op == "preview":
                item = lib.previews.add_audio(tone(1.0), 24_000, kind="import",
                                              original=original)
                lib.create(name, prompt=make_prompt(n), preview=item, kind="designed",
                           recipe={"instruct": "A deep voice.", "seed": n})
            elif op == "rename" and some:
                lib.rename(some, name)
            elif op == "describe" and some:
                lib.describe(some, f"Description {n} " * rng.randint(1, 50))
            elif op == "tags" and some:
                lib.update(some, tags=[f"t{n}", "warm"], language="French")
            elif op == "duplicate" and some:
                lib.duplicate(some, name)
            elif op == "delete" and some:
                lib.delete(some)
            elif op == "restore" and trash:
                lib.restore(rng.choice(trash).trash_id)
            elif op == "purge" and trash:
                lib.purge(trash[-1].trash_id)
            elif op == "import":
                lib.import_voice(seed_zip, name=name)
            elif op == "take" and some:
                lib.add_take(some, prompt=make_prompt(n, text=f"Take {n}."),
                             audio=tone(rng.uniform(0.5, 1.5)), sample_rate=24_000,
                             activate=rng.random() < 0.5)
            elif op in ("activate", "untake") and some:
                takes = lib.get(some).takes()
                take = rng.choice(takes)
                if op == "activate":
                    lib.set_active_take(some, take.id)
                else:
                    lib.remove_take(some, take.id)
        except StudioError:
            pass
        os.write(progress, f"{op}\n".encode())
