"""`voice-studio voices takes | use-take | remove-take | combine-takes`: a voice's takes.

New takes come from ``voice-studio clone --ref FILE --add-to VOICE`` (the clone path, so
the clip is checked, transcribed if needed and turned into a prompt the same way), or from
joining takes already kept (``combine-takes``: a new take; the ones joined stay as they are).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from studio.cli import output

COMMANDS = {"takes", "use-take", "remove-take", "combine-takes"}


def add_parsers(vs: argparse._SubParsersAction) -> None:
    tk = vs.add_parser("takes", help="a voice's reference takes (✓ = the one that speaks)")
    tk.add_argument("id")
    tk.add_argument("--json", action="store_true")
    use = vs.add_parser("use-take", help="speak with another take of a voice from now on")
    use.add_argument("id")
    use.add_argument("take", help="the take's number or id, e.g. 2 or take-2")
    rm = vs.add_parser("remove-take", help="delete a take (not the first, not the active one)")
    rm.add_argument("id")
    rm.add_argument("take")
    cb = vs.add_parser("combine-takes", help="join two or more takes into one longer "
                       "reference, kept as a new take (up to 30 s in all)")
    cb.add_argument("id")
    cb.add_argument("takes", nargs="+", help="the takes' numbers or ids, e.g. 1 3")
    cb.add_argument("--activate", action="store_true",
                    help="speak with the combined take from now on")


def take_id(text: str) -> str:
    text = text.strip().lower()
    return f"take-{text}" if text.isdigit() else text


def run(lib: Any, args: argparse.Namespace, extra: list) -> int:
    cmd = args.voices_command
    if cmd == "combine-takes":
        return combine(lib, args, extra)
    if cmd == "use-take":
        entry = lib.set_active_take(args.id, take_id(args.take))
        output.info(f"{entry.name} now speaks with take {take_id(args.take).split('-')[1]}.")
        return 0
    if cmd == "remove-take":
        entry = lib.remove_take(args.id, take_id(args.take))
        output.info(f"Removed take {take_id(args.take).split('-')[1]} of {entry.name}.")
        return 0
    entry = lib.get(args.id)
    takes = entry.takes()
    if args.json:
        rows = []
        for t in takes:
            row = dict(id=t.id, label=t.label, active=t.active, seconds=t.reference_seconds,
                       x_vector_only=t.x_vector_only, problem=t.problem,
                       reference=str(t.reference_path), original_name=t.original_name,
                       original=str(t.original_path) if t.original_path else None)
            row["transcript"] = t.transcript() if t.problem is None else None
            rows.append(row)
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for t in takes:
        words = t.transcript().strip() if t.problem is None else f"(damaged: {t.problem})"
        print(f"{'✓' if t.active else ' '} {t.id:<8} {t.reference_seconds:5.1f} s  "
              f"{t.label or '-':<16} {words[:60]}")
    return 0


def combine(lib: Any, args: argparse.Namespace, extra: list) -> int:
    """Join the takes, build the prompt from the joined clip, keep it as a new take."""
    from studio.audio.samplerate import SAMPLE_RATE
    from studio.engine.engine_thread import EngineThread
    from studio.engine.pool import ModelPool
    from studio.engine.speak_request import PromptRequest, make_prompt
    from studio.library.combine import combine_takes

    entry = lib.get(args.id)
    joined = combine_takes(entry, [take_id(t) for t in args.takes])  # fails before the model
    output.info(f"{joined.label}: {joined.seconds:.1f} s. Building the voice prompt …")
    pool = ModelPool(device=args.device, dtype=args.dtype, extra=extra, threads=args.threads)
    req = PromptRequest(joined.audio, SAMPLE_RATE, joined.transcript, False)
    with EngineThread(pool) as engine:
        prompt = engine.call(lambda p: make_prompt(p, req)).result()
    entry = lib.add_take(entry.id, prompt=prompt, audio=joined.audio, sample_rate=SAMPLE_RATE,
                         transcript=joined.transcript, label=joined.label,
                         activate=args.activate)
    return report_new_take(entry, args.activate)


def report_new_take(entry: Any, activated: bool) -> int:
    """Say where the take went and how to speak with it; its id on stdout for scripts."""
    take = entry.takes()[-1]
    output.info(f"Added {take.title} to {entry.name}"
                + (", and it speaks from now on." if activated else
                   f". Speak with it: voice-studio voices use-take {entry.id} {take.number}"))
    print(take.id)
    return 0
