"""`voice-studio history list | export | delete`: the takes made in the window.

The take history (studio.history) is the window's list of takes, kept on disk. It is
``history`` and not ``takes`` on purpose: ``voice-studio voices takes`` already names a
saved voice's *reference* takes (the clips it was cloned from), a different thing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from studio.cli import output


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="the takes generated in the window (list, export, "
                                       "delete)")
    hs = p.add_subparsers(dest="history_command", required=True)
    ls = hs.add_parser("list", help="the takes, newest first")
    ls.add_argument("--voice", help="only this voice's takes (its name or key)")
    ls.add_argument("--limit", type=int, default=0, help="at most this many (0: all)")
    ls.add_argument("--json", action="store_true")
    ex = hs.add_parser("export", help="write a take to an audio file (WAV, FLAC, OGG, MP3)")
    ex.add_argument("id", help="the take's id, or the start of it")
    ex.add_argument("file", type=Path, help="the file (its extension decides the format), "
                                            "or a folder")
    ex.add_argument("--format", choices=["wav", "flac", "ogg", "mp3"], type=str.lower,
                    help="the format, whatever the file's extension")
    rm = hs.add_parser("delete", help="delete takes and their audio files")
    rm.add_argument("ids", nargs="+", metavar="ID", help="the takes' ids (or their starts)")


def run(args: argparse.Namespace) -> int:
    from studio.history import HistoryStore

    store = HistoryStore()
    cmd = args.history_command
    if cmd == "export":
        print(store.export(args.id, args.file, args.format))
        return 0
    if cmd == "delete":
        takes = [store.get(i) for i in args.ids]  # every id checked before anything goes
        for take in takes:
            store.delete(take.id)
            output.info(f"Deleted {take.id} ({take.voice_name}: {_short(take.text)}).")
        return 0
    takes = store.list()
    if args.voice:
        wanted = args.voice.strip().casefold()
        takes = [t for t in takes if wanted in (t.voice_key.casefold(),
                                               t.voice_name.removesuffix(" · fast").casefold())]
    if args.limit > 0:
        takes = takes[:args.limit]
    if args.json:
        print(json.dumps([dict(t.to_dict(), audio=str(t.audio_path)) for t in takes],
                         indent=2, ensure_ascii=False))
        return 0
    if not takes:
        output.info("No takes yet: takes generated in the window (Speak) are kept here.")
    for t in takes:
        when = t.created.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"{t.id}  {when}  {t.voice_name[:20]:<20} seed {t.seed:<10} "
              f"{t.duration_s:5.1f} s  {_short(t.text)}")
    for name, reason in store.problems.items():
        output.info(f"skipped {name}: {reason}")
    return 0


def _short(text: str, width: int = 50) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
