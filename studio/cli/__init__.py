"""The command line: the same core as the window, no Qt."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio import __version__
from studio.cli import output
from studio.engine.models import DTYPES, check_device_names, check_model_folder


def build_parser() -> argparse.ArgumentParser:
    from studio.cli import history, models, project, serve, speak, transcribe, voices
    from studio.cli.engine import add_server_arg

    parser = argparse.ArgumentParser(
        prog="voice-studio",
        description="Design, clone and stream voices locally with Qwen3-TTS. "
                    "Run without arguments to open the studio window.")
    parser.add_argument("--version", action="version", version=f"voice-studio {__version__}")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda (or cuda:N) or mps")
    parser.add_argument("--dtype", default=None, choices=list(DTYPES), type=str.lower,
                        help="precision: auto (bfloat16 on CUDA, else float32), float32, "
                             "bfloat16 or float16")
    parser.add_argument("--speed", default="exact", choices=["exact", "fast"],
                        help="fast: int8/bf16, about 3x quicker on a CPU, slightly different audio")
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads for generation (default: all cores but one)")
    parser.add_argument("--model", action="append", type=Path, default=[], metavar="DIR",
                        help="use a model folder you already have (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sp = sub.add_parser("speak", help="speak text with a preset speaker, a saved voice or a clip")
    sp.add_argument("text", help="the text, or - to read standard input")
    who = sp.add_argument_group("voice")
    who.add_argument("--speaker", help="a preset speaker (CustomVoice model), e.g. Ryan")
    who.add_argument("--voice", help="a saved voice, a built-in design voice or a preset "
                                     "speaker: its name or id ('voice-studio voices list')")
    who.add_argument("--ref", type=Path, help="clone this reference clip")
    who.add_argument("--ref-text", help="the exact words spoken in --ref")
    who.add_argument("--x-vector-only", action="store_true",
                     help="clone from the timbre alone, without a transcript (less faithful)")
    sp.add_argument("--instruct", help="speaking style (1.7B CustomVoice only)")
    sp.add_argument("--new-voice", action="store_true",
                    help="with a built-in design voice: draw a new speaker from its description "
                         "and keep it, instead of the one kept")
    speak.add_output_args(sp)
    speak.add_sampling_args(sp)
    speak.add_batch_arg(sp)
    add_server_arg(sp)

    ds = sub.add_parser("design", help="speak text in a voice described in words")
    ds.add_argument("text", help="the text, or - to read standard input")
    ds.add_argument("--instruct", "-i", required=True, help="describe the voice")
    ds.add_argument("--save-as", metavar="NAME", help="keep the voice in your library")
    speak.add_output_args(ds)
    speak.add_sampling_args(ds)
    speak.add_batch_arg(ds)
    add_server_arg(ds)

    models.add_parser(sub)
    voices.add_parsers(sub)
    history.add_parser(sub)
    transcribe.add_parser(sub)
    serve.add_parser(sub)
    project.add_parser(sub)
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    output.setup_logging(args.verbose)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return dispatch(args)
    except KeyboardInterrupt:
        output.info("Interrupted.")
        return 130
    except Exception as exc:  # the CLI's boundary: one clear line, never a traceback
        return output.error(exc)


def dispatch(args: argparse.Namespace) -> int:
    from studio.cli import models, voices

    check_device_names(args.device, args.dtype)  # a typo fails before any model is found
    extra = [p.expanduser() for p in args.model]
    check_model_folders(extra)
    if args.command == "models":
        return models.run(args, extra)
    if args.command == "history":
        from studio.cli import history

        return history.run(args)
    if args.command in voices.COMMANDS:
        return voices.run(args, extra)
    if args.command == "transcribe":
        from studio.cli import transcribe

        return transcribe.run(args, extra)
    if args.command == "project":
        from studio.cli import project

        return project.run(args, extra)
    if args.command == "serve":
        from studio.cli import serve

        return serve.run(args, extra)
    from studio.cli import speak
    from studio.cli.engine import CliEngine

    speak.sampling_from(args)  # a bad option is refused before any model loads

    with CliEngine(args, extra) as engine:
        return speak.cmd_speak(args, engine)


def check_model_folders(folders: list[Path]) -> None:
    """Every ``--model DIR`` must be a model folder (or a folder of them): a typo would
    otherwise be skipped in silence and another model used instead."""
    from studio.hub import discover

    for folder in folders:
        if folder.is_dir() and discover([], extra=[folder], kind="asr"):
            continue  # a transcription model: clone and transcribe search --model folders too
        check_model_folder(folder)
