"""`voice-studio transcribe FILE`: the words of a clip, heard by a Whisper model.

The transcript goes to stdout (with ``--json``: language and timed words too), so it can be
piped into ``clone --ref-text``; what is happening goes to stderr.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from studio.cli import output


def add_parser(sub: argparse._SubParsersAction) -> None:
    tr = sub.add_parser("transcribe", help="write down the words spoken in a clip (Whisper)")
    tr.add_argument("file", type=Path, help="the clip: WAV, FLAC, OGG, MP3...")
    add_asr_args(tr)
    tr.add_argument("--json", action="store_true",
                    help="print text, language and words with start and end times as JSON")


def add_asr_args(parser: argparse.ArgumentParser, language: bool = True) -> None:
    if language:
        parser.add_argument("--language", "-l", default="auto",
                            help="the language spoken (name or code, e.g. English or en); "
                                 "default: detected")
    parser.add_argument("--asr-model", metavar="NAME_OR_DIR",
                        help="the transcription model: a folder name in the models folder or "
                             "a path (default: the Model manager's choice, else whisper-small)")


def asr_pool(args: argparse.Namespace, extra: list) -> Any:
    """An AsrPool for this run: --model folders are searched too; the GUI's role is the default."""
    from studio.asr.transcribe import AsrPool
    from studio.settings import Settings

    prefer = args.asr_model or Settings.load().roles.get("asr") or None
    folders = list(extra)
    if args.asr_model and Path(args.asr_model).expanduser().is_dir():
        folders.append(Path(args.asr_model).expanduser())
        prefer = str(Path(args.asr_model).expanduser())
    return AsrPool(device=args.device, dtype=args.dtype, extra=folders, prefer=prefer)


def transcribe_clip(pool: Any, audio: Any, sample_rate: int, language: str | None) -> Any:
    """Load the model (saying which), transcribe, and free the model again."""
    import gc

    info = pool.resolve()
    output.info(f"Transcribing with {info.name} …")
    line = output.ProgressLine()
    try:
        return pool.transcribe(audio, sample_rate, language,
                               progress=lambda _f, message: line.update(message))
    finally:
        line.done()
        if pool.unload():
            gc.collect()


def run(args: argparse.Namespace, extra: list) -> int:
    from studio.asr.transcribe import ASR_RATE, MAX_SECONDS
    from studio.asr.words import language_code
    from studio.audio.files import import_clip

    language_code(args.language)  # a typo fails before the file or the model is read
    clip = import_clip(args.file, ASR_RATE, max_seconds=MAX_SECONDS)
    transcript = transcribe_clip(asr_pool(args, extra), clip.audio, clip.sample_rate,
                                 args.language)
    if args.json:
        print(json.dumps(transcript.to_dict(), indent=2, ensure_ascii=False))
        return 0
    if transcript.empty:
        output.info("No words were recognised in the clip.")
        return 0
    how = "detected" if transcript.language_detected else "given"
    output.info(f"Language: {transcript.language_name} ({how}); {len(transcript.words)} words.")
    print(transcript.text)
    return 0
