"""A new voice's or take's reference clip, from exactly one of three sources: samples, a
file, or an unsaved clip (whose file is promoted, not copied).

A voice and a take keep the same files (reference.wav, transcript.txt, prompt.safetensors
and the import as it came), so both are written here, into the staged folder that
becomes the voice or the take when it is renamed into place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.engine import prompts
from studio.engine.prompts import VoicePrompt
from studio.errors import InvalidInput, StudioError
from studio.library import refaudio
from studio.library.previews import PreviewArea, PreviewItem
from studio.library.schema import PROMPT_FILE, REFERENCE_FILE, TRANSCRIPT_FILE


@dataclass(frozen=True)
class WrittenClip:
    """What the metadata records about a clip just written."""

    seconds: float
    original_file: str | None  # "original.mp3", when the import was kept
    original_name: str | None  # its name on the user's disk


def prompt_bytes(prompt: bytes | VoicePrompt, owner: str) -> tuple[bytes, VoicePrompt]:
    """The bytes to store and the parsed prompt; refuses anything from_bytes refuses.
    ``owner`` ("voice", "take") names what needs the prompt in the message."""
    if isinstance(prompt, VoicePrompt):
        blob = prompts.to_bytes(prompt)
    elif isinstance(prompt, bytes | bytearray | memoryview):
        blob = bytes(prompt)
    else:
        raise InvalidInput(f"A {owner} needs its voice prompt (made by the cloning model).")
    return blob, prompts.from_bytes(blob)


def check_one_source(audio: np.ndarray | None, reference: Path | str | None,
                     preview: PreviewItem | str | None, clip: str) -> None:
    """Exactly one source must be given; ``clip`` names it ("the reference clip")."""
    if sum(x is not None for x in (audio, reference, preview)) != 1:
        raise InvalidInput(f"Give {clip} exactly one way: audio samples, a file, or an "
                           "unsaved clip.")


def unsaved_clip(previews: PreviewArea, preview: PreviewItem | str | None) -> PreviewItem | None:
    """The unsaved clip given as an item or its id, read afresh (None when not given)."""
    if preview is None:
        return None
    return previews.get(preview.id if isinstance(preview, PreviewItem) else preview)


def write_clip(stage: Path, previews: PreviewArea, *, audio: np.ndarray | None,
               sample_rate: int | None, reference: Path | str | None,
               item: PreviewItem | None, original: Path | str | None, transcript: str,
               blob: bytes, audio_name: str) -> WrittenClip:
    """Write the clip (from the one source given), the kept import, the transcript and the
    prompt into ``stage``. ``audio_name`` ("the reference audio") is for the message when
    samples come without their rate."""
    if audio is not None:
        if sample_rate is None:
            raise InvalidInput(f"Give the sample rate of {audio_name}.")
        seconds = refaudio.write(stage / REFERENCE_FILE, audio, sample_rate)
    elif item is not None:
        seconds = take_unsaved_clip(previews, item, stage / REFERENCE_FILE)
    else:
        seconds = refaudio.store_file(Path(reference), stage / REFERENCE_FILE)  # type: ignore[arg-type]
    original_file, original_name = refaudio.keep_original(
        stage, original, item.original if item else None, item.original_name if item else None)
    (stage / TRANSCRIPT_FILE).write_text(transcript, encoding="utf-8")
    (stage / PROMPT_FILE).write_bytes(blob)
    return WrittenClip(seconds, original_file, original_name)


def take_unsaved_clip(previews: PreviewArea, item: PreviewItem, dest: Path) -> float:
    """Link the clip in as-is when it already is a reference WAV, else convert it. The item
    stays until the caller removes it after committing, so a crash in between loses nothing."""
    try:
        fits = refaudio.is_reference_format(item.path)
    except StudioError:
        fits = False
    if fits:
        previews.promote(item.id, dest, keep=True)
        return refaudio.check(dest)
    return refaudio.store_file(item.path, dest)
