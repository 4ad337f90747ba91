"""`voice-studio speak` and `voice-studio design`: text in, audio out (file, speakers, or both)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from studio.audio.samplerate import SAMPLE_RATE
from studio.cli import output
from studio.cli.engine import CliEngine
from studio.cli.sink import TakeSink
from studio.engine.drawn_voice import FRESH
from studio.engine.options import Sampling, Streaming
from studio.engine.sampling_ranges import MAX_SECONDS, checked_sampling
from studio.engine.speak_request import (
    CLONE,
    DESIGN,
    PRESET,
    PromptRequest,
    SpeakRequest,
)
from studio.engine.take import Take
from studio.errors import InvalidInput


def add_sampling_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sampling")
    g.add_argument("--seed", type=int, help="repeatable output: the same seed gives the same take")
    g.add_argument("--temperature", type=float)
    g.add_argument("--top-k", type=int)
    g.add_argument("--top-p", type=float)
    g.add_argument("--repetition-penalty", type=float)
    g.add_argument("--max-seconds", type=float,
                   help=f"hard cap on the length of the audio (at most {MAX_SECONDS:g})")


def add_output_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output")
    g.add_argument("--out", "-o", type=Path,
                   help="audio file to write (.wav .flac .ogg, .mp3 where supported)")
    g.add_argument("--play", action="store_true", help="play through the speakers")
    g.add_argument("--stream", action="store_true",
                   help="write/play chunks as they are generated instead of at the end")
    g.add_argument("--language", "-l", default=None,
                   help="e.g. English, Chinese, ja; default auto (a saved voice: its language)")


def add_batch_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--batch", type=int, default=0, metavar="N",
                   help="sentences generated at once: 0 (default) chooses from their number "
                        "and the memory left; 1 makes them one after another, exactly as "
                        "qwen-tts does (the same audio as stock qwen-tts for a seed)")


def batch_from(args: argparse.Namespace) -> int:
    batch = int(getattr(args, "batch", 0) or 0)
    if batch < 0:
        raise InvalidInput("--batch must be 0 (automatic) or more.")
    return batch


def read_text(value: str) -> str:
    if value == "-":
        return sys.stdin.read()
    return value


def option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def sampling_from(args: argparse.Namespace) -> Sampling:
    """The sampling options, checked as the server and the window check them."""
    return checked_sampling(option_name, seed=args.seed, temperature=args.temperature,
                            top_k=args.top_k, top_p=args.top_p,
                            repetition_penalty=args.repetition_penalty,
                            max_seconds=args.max_seconds)


def build_request(args: argparse.Namespace, engine: CliEngine) -> SpeakRequest:
    text = read_text(args.text)
    sampling = sampling_from(args)
    language = args.language or "auto"
    if args.command == "design":  # --save-as: the take fixes the voice it draws, to keep it
        keeper = FRESH if getattr(args, "save_as", None) else None
        return SpeakRequest(text, DESIGN, language, instruct=args.instruct, sampling=sampling,
                            keeper=keeper)
    chosen = [x for x in (args.speaker, args.ref, getattr(args, "voice", None)) if x]
    if len(chosen) != 1:
        raise InvalidInput("Choose one voice: --speaker NAME (a preset speaker), --voice NAME "
                           "(a saved voice) or --ref FILE (clone a clip).")
    if args.speaker:
        return SpeakRequest(text, PRESET, language, instruct=args.instruct,
                            speaker=args.speaker, sampling=sampling)
    if args.instruct:
        raise InvalidInput("--instruct works with preset speakers (1.7B CustomVoice) and "
                           "voice design; cloned and saved voices cannot take instructions.")
    if args.ref:
        prompt = prompt_from_file(engine, Path(args.ref), args.ref_text, args.x_vector_only)
        return SpeakRequest(text, CLONE, language, prompt=prompt, sampling=sampling)
    from studio.library import VoiceLibrary
    from studio.library.anyvoice import resolve

    library = VoiceLibrary()  # no --language: the saved voice's own
    ref = resolve(args.voice, library)
    if getattr(args, "new_voice", False):
        draw_new_voice(ref, library)
    return ref.request(text, library, language=args.language, sampling=sampling)


def draw_new_voice(ref: Any, library: Any) -> None:
    """`--new-voice`: forget the speaker a built-in design voice keeps; this take draws
    (and keeps) another."""
    from studio.library.anyvoice import DESIGN_PRESET
    from studio.library.design_voices import DesignVoiceStore

    if ref.source != DESIGN_PRESET:
        raise InvalidInput(f"--new-voice works with built-in design voices; {ref.name!r} "
                           "keeps the voice it was made with.")
    DesignVoiceStore(library.root).forget(ref.id)
    output.info(f"Drawing a new {ref.name}; it is kept for the next takes.")


def prompt_from_file(engine: CliEngine, path: Path, ref_text: str | None,
                     x_vector_only: bool) -> Any:
    from studio.engine.reference import load_reference

    if ref_text and x_vector_only:
        raise InvalidInput("Give either --ref-text or --x-vector-only, not both.")
    audio, sr = load_reference(path)
    output.info(f"Building the voice prompt from {path.name} ...")
    return engine.make_prompt(PromptRequest(audio, sr, ref_text, x_vector_only))


def run_take(engine: CliEngine, request: SpeakRequest, out: Path | None, play: bool,
             stream: bool, batch: int = 0) -> Take:
    """Generate, writing/playing as chunks arrive (stream) or at the end; Ctrl+C keeps what
    was made so far. ``batch``: sentences generated at once (0: automatic)."""
    if out is None and not play:
        out = Path(time.strftime("voice-studio-%Y%m%d-%H%M%S.wav"))
    request = SpeakRequest(**{**request.__dict__,
                              "streaming": Streaming(enabled=True, batch=batch)})
    from studio.audio.forecast import ProgressBox
    from studio.engine import text as textmod

    expected = textmod.expected_take_seconds(request.text, request.sampling.max_frames,
                                             max_seconds=request.sampling.max_seconds)
    growth = ProgressBox()
    sink = TakeSink(out, play=play, live=stream, expected_s=expected, progress=growth)
    sink.open()
    progress = output.ProgressLine()
    started = time.monotonic()
    ts = engine.stream(request, growth)
    samples = 0
    take: Take | None = None
    try:
        try:
            for chunk in ts:
                samples += len(chunk)
                sink.add(chunk)
                elapsed = time.monotonic() - started
                progress.update(f"generating: {samples / SAMPLE_RATE:.1f} s of audio in {elapsed:.1f} s")
        except KeyboardInterrupt:
            ts.cancel()
            output.info("\nStopping ...")
            for chunk in ts:
                sink.add(chunk)
        take = ts.result()
    except BaseException:
        ts.cancel()  # a failed write (a full disk) stops the generation too
        raise
    finally:
        progress.done()
        sink.close(take)
    speed = take.duration_s / take.elapsed_s if take.elapsed_s else float("nan")
    first = f", first audio after {take.first_chunk_s:.2f} s" if take.first_chunk_s else ""
    output.info(f"{take.duration_s:.2f} s of audio in {take.elapsed_s:.1f} s "
                f"({speed:.2f}x real time{first}); seed {take.seed}")
    if take.message:
        output.info(take.message)
    for note in take.notes:
        output.info(note + (f" Get one with: voice-studio models download "
                            f"{take.download_hint.split('/')[-1]}" if take.download_hint else ""))
    if sink.path is not None:
        print(sink.path)
    return take


def cmd_speak(args: argparse.Namespace, engine: CliEngine) -> int:
    batch = batch_from(args)
    request = build_request(args, engine)
    saving = bool(getattr(args, "save_as", None))
    if saving:  # a clash or a missing Base model is found before the take, not after it
        from studio.cli.voices import check_designed_voice

        check_designed_voice(engine, args)
    take = run_take(engine, request, args.out, args.play, args.stream, batch)
    if saving:
        from studio.cli.voices import save_designed_voice

        save_designed_voice(engine, args, take, request)
    return 0 if take.audio.size or take.stop_reason == "cancelled" else 1

