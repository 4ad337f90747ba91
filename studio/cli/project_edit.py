"""`voice-studio project cast|lexicon|set`: change a project's cast, lexicon and settings."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from studio.cli import output
from studio.errors import InvalidInput

COMMANDS = {"cast", "lexicon", "set"}


def add_parsers(ps: argparse._SubParsersAction) -> None:
    cs = ps.add_parser("cast", help="recast names: every block of a name follows")
    cs.add_argument("name")
    cs.add_argument("cast", nargs="+", metavar="NAME=VOICE")
    lx = ps.add_parser("lexicon", help="how words are said: add, remove, list")
    lx.add_argument("name", help="the project (its lexicon; --shared: the one for all)")
    lx.add_argument("action", choices=["add", "remove", "list"])
    lx.add_argument("word", nargs="?", help="the word, or a pattern with --regex")
    lx.add_argument("say", nargs="?", help="how to say it (a respelling)")
    lx.add_argument("--regex", action="store_true", help="WORD is a regular expression")
    lx.add_argument("--case-sensitive", action="store_true")
    lx.add_argument("--shared", action="store_true", help="the lexicon shared by all projects")
    st = ps.add_parser("set", help="a project's title, author, cover and render settings")
    st.add_argument("name")
    st.add_argument("--title")
    st.add_argument("--author")
    st.add_argument("--cover", type=Path, help="a PNG or JPEG")
    st.add_argument("--retries", type=int, help="default for 'render --retries'")
    st.add_argument("--min-score", type=float,
                    help="flag a take whose words agree less than this (0-100, default 85)")
    st.add_argument("--max-speedup", type=float,
                    help="timed projects: speed a long take up by at most this (1-4; 1 = never)")
    st.add_argument("--max-seconds", type=float,
                    help="cap on each block's take in seconds (0: no cap)")


def run(args: argparse.Namespace) -> int:
    from studio.projects.store import ProjectStore

    store = ProjectStore()
    project = store.get(args.name)
    handler = {"cast": _cast, "lexicon": _lexicon, "set": _set}[args.project_command]
    return handler(args, store, project)


def _cast(args: argparse.Namespace, store: Any, project: Any) -> int:
    from studio.library import VoiceLibrary
    from studio.projects import cast

    library = VoiceLibrary()
    for spec in args.cast:
        member = cast.recast(project, *cast.parse_spec(spec), library)
        print(f"{member.name}\t{member.voice}")
    store.save(project)
    return 0


def _lexicon(args: argparse.Namespace, store: Any, project: Any) -> int:
    from studio.projects import lexicon

    entries = lexicon.load_shared() if args.shared else project.lexicon
    if args.action == "list":
        own = {(e.pattern, e.regex) for e in project.lexicon}
        shown = entries if args.shared else lexicon.merged(project.lexicon, lexicon.load_shared())
        for e in shown:
            where = "project" if (e.pattern, e.regex) in own and not args.shared else "shared"
            flags = ",".join(f for f, on in (("regex", e.regex), ("case", e.case_sensitive)) if on)
            print(f"{e.pattern}\t{e.say}\t{where}{(' ' + flags) if flags else ''}")
        return 0
    if args.action == "add":
        if not args.word or not args.say:
            raise InvalidInput("lexicon add takes the word and how to say it, e.g. "
                               "lexicon \"My book\" add Nguyen Win.")
        entries = lexicon.add(entries, lexicon.new_entry(args.word, args.say, args.regex,
                                                         args.case_sensitive))
    else:
        if not args.word:
            raise InvalidInput("lexicon remove takes the word to remove.")
        entries = lexicon.remove(entries, args.word)
    if args.shared:
        lexicon.save_shared(entries)
    else:
        project.lexicon = entries
        store.save(project)
    output.info("Blocks that contain it are now stale; 'project render' brings them up to "
                "date." if args.action == "add" else "Removed.")
    return 0


def _set(args: argparse.Namespace, store: Any, project: Any) -> int:
    s = project.settings
    if args.retries is not None:
        if not 0 <= args.retries <= 10:
            raise InvalidInput("--retries must be from 0 to 10.")
        s.retries = args.retries
    if args.min_score is not None:
        if not 0 <= args.min_score <= 100:
            raise InvalidInput("--min-score must be from 0 to 100.")
        s.min_score = args.min_score
    if args.max_speedup is not None:
        if not 1.0 <= args.max_speedup <= 4.0:
            raise InvalidInput("--max-speedup must be from 1 (never) to 4.")
        s.max_speedup = args.max_speedup
    if args.max_seconds is not None:
        if args.max_seconds < 0:
            raise InvalidInput("--max-seconds must be 0 (no cap) or more.")
        s.max_seconds = args.max_seconds or None
    for key in ("title", "author"):
        if getattr(args, key) is not None:
            setattr(project, key, " ".join(getattr(args, key).split()))
    if args.cover is not None:
        store.set_cover(project, args.cover.expanduser())
    store.save(project)
    output.info(f"{project.name}: title {project.title or '-'}, author {project.author or '-'}, "
                f"retries {s.retries}, min score {s.min_score:g}, max speed-up "
                f"{s.max_speedup:g}, max seconds {s.max_seconds or '-'}")
    return 0
