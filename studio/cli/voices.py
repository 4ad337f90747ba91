"""`voice-studio voices ...` and `voice-studio clone`: the voice library from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studio.cli import output
from studio.errors import InvalidInput
from studio.library.schema import Provenance

COMMANDS = {"voices", "clone"}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    cl = sub.add_parser("clone", help="clone a voice from a clip and save it in your library")
    cl.add_argument("--ref", type=Path, required=True, help="the reference clip (5-15 s is best)")
    cl.add_argument("--ref-text", help="the exact words spoken in the clip (default: heard by "
                                       "a transcription model, and printed)")
    cl.add_argument("--name", help="a name for the new voice (any language)")
    cl.add_argument("--add-to", metavar="VOICE",
                    help="keep the clip as another take of this saved voice instead")
    cl.add_argument("--activate", action="store_true",
                    help="with --add-to: speak with the new take from now on")
    cl.add_argument("--language", "-l", default="Auto",
                    help="the language spoken in the clip (name or code); default Auto")
    cl.add_argument("--description", default="")
    cl.add_argument("--x-vector-only", action="store_true",
                    help="no transcript: clone the timbre only (less faithful)")
    cl.add_argument("--force", action="store_true",
                    help="save even if the clip fails the reference check")
    cl.add_argument("--i-have-consent", action="store_true", dest="consent",
                    help="confirm you have the right to use this voice (it is yours, or its "
                         "owner agreed); asked on a terminal, required otherwise")
    from studio.cli.transcribe import add_asr_args

    add_asr_args(cl, language=False)
    from studio.cli.engine import add_server_arg

    add_server_arg(cl)

    v = sub.add_parser("voices", help="list and manage saved voices")
    vs = v.add_subparsers(dest="voices_command", required=True)
    ls = vs.add_parser("list", help="saved voices (and built-in ones with --all)")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--all", action="store_true", help="include built-in voices and speakers")
    vs.add_parser("show", help="a voice's details").add_argument("id")
    rn = vs.add_parser("rename", help="give a voice a new name")
    rn.add_argument("id")
    rn.add_argument("name")
    vs.add_parser("delete", help="move a voice to the trash").add_argument("id")
    rs = vs.add_parser("restore", help="bring a deleted voice back")
    rs.add_argument("id", help="the trash id printed by delete, or the voice's old id")
    vs.add_parser("trash", help="list deleted voices")
    from studio.cli import takes

    takes.add_parsers(vs)
    ex = vs.add_parser("export", help="write a voice to one portable .zip file")
    ex.add_argument("id")
    ex.add_argument("file", type=Path)
    vs.add_parser("import", help="add a voice from an exported .zip file").add_argument(
        "file", type=Path)


def _library() -> Any:
    from studio.library import VoiceLibrary

    return VoiceLibrary()


def run(args: argparse.Namespace, extra: list) -> int:
    if args.command == "clone":
        return clone(args, extra)
    lib = _library()
    cmd = args.voices_command
    from studio.cli import takes

    if cmd in takes.COMMANDS:
        return takes.run(lib, args, extra)
    if cmd == "list":
        return _list(lib, args)
    if cmd == "show":
        entry = lib.get(args.id)
        data = entry.voice.to_dict()
        data["folder"] = str(entry.path)
        data["transcript"] = entry.transcript()  # the active take's
        data["takes"] = [t.id for t in entry.takes()]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if cmd == "rename":
        entry = lib.rename(args.id, args.name)
        print(f"{entry.id}\t{entry.name}")
        return 0
    if cmd == "delete":
        item = lib.delete(args.id)
        output.info(f"Moved {item.name or item.voice_id} to the trash. "
                    f"Restore it with: voice-studio voices restore {item.trash_id}")
        print(item.trash_id)
        return 0
    if cmd == "restore":
        entry = lib.restore(_trash_id(lib, args.id))
        print(f"{entry.id}\t{entry.name}")
        return 0
    if cmd == "trash":
        for item in lib.list_trash():
            print(f"{item.trash_id}\t{item.name or item.voice_id}\tdeleted {item.deleted:%Y-%m-%d %H:%M}")
        return 0
    if cmd == "export":
        print(lib.export_voice(args.id, args.file))
        return 0
    if cmd == "import":
        entry = lib.import_voice(args.file)
        print(f"{entry.id}\t{entry.name}")
        return 0
    raise InvalidInput(f"Unknown voices command {cmd!r}.")


def _trash_id(lib: Any, key: str) -> str:
    items = lib.list_trash()
    if any(i.trash_id == key for i in items):
        return key
    matches = sorted((i for i in items if i.voice_id == key), key=lambda i: i.deleted)
    if not matches:
        from studio.library.errors import VoiceNotFound

        raise VoiceNotFound(f"Nothing called {key!r} is in the trash. "
                            "'voice-studio voices trash' lists what can be restored.")
    return matches[-1].trash_id


def _list(lib: Any, args: argparse.Namespace) -> int:
    listing = lib.list()
    if args.all:
        from studio.library.anyvoice import all_voices

        refs = all_voices(lib)
        if args.json:
            print(json.dumps([dict(key=r.key, source=r.source, id=r.id, name=r.name,
                                   language=r.language, description=r.description)
                              for r in refs], indent=2, ensure_ascii=False))
        else:
            for r in refs:
                print(f"{r.key:<32} {r.name:<24} {r.language}")
        return 0
    if args.json:
        print(json.dumps({"voices": [dict(e.voice.to_dict(), folder=str(e.path))
                                     for e in listing.voices],
                          "damaged": [dict(id=d.id, path=str(d.path), reason=d.reason)
                                      for d in listing.damaged]}, indent=2, ensure_ascii=False))
        return 0
    if not listing.voices:
        output.info("No saved voices yet. Make one with 'voice-studio clone' or "
                    "'voice-studio design ... --save-as NAME'.")
    for e in listing.voices:
        print(f"{e.id:<28} {e.name:<28} {e.voice.kind:<9} {e.voice.language}")
    for d in listing.damaged:
        output.info(f"damaged: {d.path.name}: {d.reason}")
    return 0


def print_report(report: Any) -> None:
    marks = {"pass": "ok  ", "warn": "warn", "fail": "FAIL"}
    for item in report.items:
        output.info(f"  [{marks[item.status.value]}] {item.message}")
    if report.best_window:
        a, b = report.best_window
        output.info(f"  suggested window: {a:.1f}-{b:.1f} s")


def clone(args: argparse.Namespace, extra: list) -> int:
    from studio.audio.files import import_clip
    from studio.audio.reference_check import check_clip
    from studio.cli.engine import CliEngine
    from studio.engine.speak_request import PromptRequest

    if args.x_vector_only and args.ref_text:
        raise InvalidInput("Give either --ref-text or --x-vector-only, not both.")
    if bool(args.name) == bool(args.add_to):
        raise InvalidInput("Give --name for a new voice, or --add-to VOICE for another take "
                           "of a saved voice.")
    from studio.library.schema import known_language

    args.language = known_language(args.language)  # a typo fails before any model work
    lib = _library()
    target = lib.get(args.add_to) if args.add_to else None  # fails before any model work
    if target is None:
        lib.check_name_is_free(args.name)
    confirm_consent(args.consent)
    clip = import_clip(args.ref)
    report = check_clip(clip)
    output.info(f"Reference check for {args.ref.name}:")
    print_report(report)
    if not report.ok and not args.force:
        raise InvalidInput("The clip failed the reference check (see above). Record or choose "
                           "a better clip, or pass --force to save it anyway.")
    if not args.x_vector_only and not (args.ref_text or "").strip():
        args.ref_text = _hear(args, extra, clip)
    req = PromptRequest(clip.audio, clip.sample_rate, None if args.x_vector_only else args.ref_text,
                        args.x_vector_only)
    with CliEngine(args, extra) as engine:
        output.info("Building the voice prompt …" if not engine.remote else
                    f"Building the voice prompt on the {engine.server.label} …")
        prompt = engine.make_prompt(req)
    transcript = None if args.x_vector_only else args.ref_text
    if target is not None:
        entry = lib.add_take(target.id, prompt=prompt, audio=clip.audio,
                             sample_rate=clip.sample_rate, original=args.ref,
                             transcript=transcript, activate=args.activate)
        from studio.cli.takes import report_new_take

        return report_new_take(entry, args.activate)
    entry = lib.create(args.name, prompt=prompt, kind="cloned", audio=clip.audio,
                       sample_rate=clip.sample_rate, original=args.ref,
                       transcript=None if args.x_vector_only else args.ref_text,
                       language=args.language, description=args.description,
                       provenance=Provenance("imported", datetime.now(UTC),
                                             file=args.ref.name, consent=True, via="cli"))
    output.info(f"Saved {entry.name}. Speak with it: voice-studio speak \"Hello\" --voice {entry.id}")
    print(entry.id)
    return 0


CONSENT_QUESTION = ("Do you have the right to use this voice? It must be your own voice, or "
                    "its owner must have agreed to it being cloned. [y/N] ")


def confirm_consent(given: bool) -> None:
    """Cloning copies a real person's voice: the user confirms they may (--i-have-consent,
    or yes on a terminal); without a terminal to ask, the flag is required."""
    if given:
        return
    if not sys.stdin.isatty():
        raise InvalidInput("Cloning needs your confirmation that you have the right to use "
                           "this voice (it is yours, or its owner agreed). Pass "
                           "--i-have-consent to confirm it.")
    output.info(CONSENT_QUESTION.rstrip())
    answer = input("> ").strip().lower()
    if answer not in ("y", "yes"):
        raise InvalidInput("Not cloned: you did not confirm that you have the right to use "
                           "this voice.")


def _hear(args: argparse.Namespace, extra: list, clip: Any) -> str:
    """No --ref-text: a transcription model hears the words; they are printed and used."""
    from studio.cli.transcribe import asr_pool, transcribe_clip
    from studio.engine.errors import ModelNotFound

    pool = asr_pool(args, extra)
    try:
        pool.resolve()
    except ModelNotFound as exc:
        raise InvalidInput(
            "Cloning needs the exact words spoken in the clip. Pass them with --ref-text, "
            "download a transcription model to have them heard ('voice-studio models "
            "download whisper-small'), or use --x-vector-only (timbre only).") from exc
    language = None if args.language.strip().lower() == "auto" else args.language
    transcript = transcribe_clip(pool, clip.audio, clip.sample_rate, language)
    if transcript.empty:
        raise InvalidInput("No words were recognised in the clip. Pass them with --ref-text, "
                           "or use --x-vector-only (timbre only).")
    output.info(f"Transcript ({transcript.language_name}): {transcript.text}")
    output.info("  Not exactly what is said? Run again with --ref-text \"...\".")
    return transcript.text


def check_designed_voice(engine: Any, args: argparse.Namespace) -> None:
    """`design --save-as`, before the take: the name must be free, the language one the
    library keeps, and a Base model on disk (it makes the clone prompt), so nothing is
    generated for a voice that could not be saved."""
    from studio.library.schema import known_language

    known_language(args.language)
    _library().check_name_is_free(args.save_as)
    engine.require("base", "Saving a designed voice needs a Base model (it makes the voice "
                           "reusable), or design without --save-as.")


def save_designed_voice(engine: Any, args: argparse.Namespace, take: Any,
                        request: Any) -> None:
    """`design --save-as`: keep the voice the take drew and fixed (its clone prompt, made by
    a Base model from the designed sample) with its recipe, as the Design page keeps a
    candidate, so it can speak any text from then on. A take made by a server brings back
    its audio only: the prompt is then made from the whole take, on the server."""
    from studio.library.design_voices import save_designed

    voice = take.voice
    if voice is None and engine.remote and take.duration_s >= 3.0:
        voice = drawn_by_server(engine, take, request)
    seconds = voice.seconds if voice is not None else take.duration_s
    if voice is None or seconds < 3.0:
        raise InvalidInput(
            f"The designed sample is only {seconds:.1f} s long; a reusable voice needs at "
            "least 3 s of speech. Design again with a longer sample sentence (the take itself "
            "was kept).")
    lib = _library()
    lib.check_name_is_free(args.save_as)  # again: another process may have taken it since
    entry = save_designed(lib, args.save_as, voice, args.language or "auto", via="cli")
    output.info(f"Saved the designed voice {entry.name} ({entry.id}).")


def drawn_by_server(engine: Any, take: Any, request: Any) -> Any:
    """The voice of a design take a server made: a clone prompt of its audio and words."""
    from studio.engine.drawn_voice import DrawnVoice
    from studio.engine.speak_request import PromptRequest

    text = request.text.strip()
    output.info("Making the designed voice reusable (clone prompt from the server's Base "
                "model) …")
    prompt = engine.make_prompt(PromptRequest(take.audio, take.sample_rate, text or None,
                                              not text))
    return DrawnVoice(prompt, take.audio, take.sample_rate, request.instruct or "",
                      request.language, take.seed, take.model_name, request.sampling)
