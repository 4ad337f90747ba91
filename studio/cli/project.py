"""`voice-studio project ...`: long-form projects (studio/projects) from the command line.

Results go to stdout, progress and notes to stderr; errors are one line, exit codes as for
every command (README, "Command line").
"""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path
from typing import Any

from studio.cli import output
from studio.errors import InvalidInput


def add_parser(sub: argparse._SubParsersAction) -> None:
    from studio.cli import project_edit
    from studio.cli.transcribe import add_asr_args

    pr = sub.add_parser("project", help="long-form projects: scripts with a cast, rendered, "
                                        "checked by ear, exported")
    ps = pr.add_subparsers(dest="project_command", required=True, metavar="SUBCOMMAND")
    new = ps.add_parser("new", help="a new project, empty or imported from a file")
    new.add_argument("name")
    new.add_argument("--from", dest="source", type=Path, metavar="FILE",
                     help="import .txt, .md, .epub, .srt or .vtt")
    new.add_argument("--cast", action="append", default=[], metavar="NAME=VOICE",
                     help='who speaks a name, e.g. "Narrator=Ryan" (repeatable)')
    new.add_argument("--title", default="")
    new.add_argument("--author", default="")
    new.add_argument("--cover", type=Path, help="a PNG or JPEG for the audiobook's cover")
    ls = ps.add_parser("list", help="your projects (and damaged ones, with the reason)")
    ls.add_argument("--json", action="store_true")
    sh = ps.add_parser("show", help="a project's chapters, blocks and cast")
    sh.add_argument("name")
    sh.add_argument("--json", action="store_true")
    ps.add_parser("delete", help="move a project to the trash").add_argument("name")
    st = ps.add_parser("status", help="rendered / stale / flagged counts")
    st.add_argument("name")
    st.add_argument("--json", action="store_true")
    rd = ps.add_parser("render", help="render what is missing or stale")
    rd.add_argument("name")
    rd.add_argument("--chapter", type=int, metavar="N", help="only chapter N (from 1)")
    rd.add_argument("--blocks", metavar="A-B", help="only blocks A to B (numbers from "
                                                    "'project show'), or one block")
    rd.add_argument("--retries", type=int, metavar="N",
                    help="render a block the check flags again, up to N times, keeping the "
                         "best-matching take")
    rd.add_argument("--again", action="store_true",
                    help="render the chosen blocks even if they are up to date")
    rd.add_argument("--max-seconds", type=float, help="cap on each block's take (drafts)")
    rd.add_argument("--no-check", action="store_true", help="do not check takes by ear")
    add_asr_args(rd, language=False)
    from studio.cli.engine import add_server_arg

    add_server_arg(rd)  # the takes through the same engine as speak: here, or a server
    ex = ps.add_parser("export", help="one audio file (or one per chapter), with subtitles "
                                      "and stems")
    ex.add_argument("name")
    ex.add_argument("--format", required=True, choices=["m4b", "mp3", "wav", "flac"],
                    type=str.lower)
    ex.add_argument("--loudness", choices=["acx", "podcast", "ebu"], type=str.lower)
    ex.add_argument("--subtitles", choices=["srt", "vtt"], type=str.lower)
    ex.add_argument("--stems", action="store_true", help="one file per cast member too")
    ex.add_argument("--chapter", type=int, metavar="N", help="only chapter N")
    ex.add_argument("--per-chapter", action="store_true",
                    help="one file per chapter; -o is then a folder")
    ex.add_argument("--title")
    ex.add_argument("--author")
    ex.add_argument("--narrator", help="written as the composer tag, where players look")
    ex.add_argument("--year", help="four digits, such as 2024")
    ex.add_argument("--cover", type=Path)
    ex.add_argument("-o", "--out", type=Path, required=True, metavar="FILE")
    project_edit.add_parsers(ps)


def _store() -> Any:
    from studio.projects.store import ProjectStore

    return ProjectStore()


def _library() -> Any:
    from studio.library import VoiceLibrary

    return VoiceLibrary()


def _entries(project: Any) -> list:
    from studio.projects import lexicon

    return lexicon.merged(project.lexicon, lexicon.load_shared())


def run(args: argparse.Namespace, extra: list[Path]) -> int:
    cmd = args.project_command
    from studio.cli import project_edit

    if cmd in project_edit.COMMANDS:
        return project_edit.run(args)
    handler = {"new": _new, "list": _list, "show": _show, "delete": _delete,
               "status": _status, "render": _render, "export": _export}[cmd]
    return handler(args, extra)


def _new(args: argparse.Namespace, _extra: list[Path]) -> int:
    from studio.projects.create import new_project

    project = new_project(_store(), args.name, args.source, args.cast, _library(),
                          args.title, args.author, args.cover)
    blocks = len(project.blocks())
    output.info(f"Created {project.name}: {len(project.chapters)} chapter(s), {blocks} "
                f"block(s){', timed' if project.timed else ''}.")
    for member in project.cast:
        output.info(f"  {member.name}: {member.voice}")
    if len(project.cast) > 1:
        output.info(f"Recast a name with: voice-studio project cast \"{project.name}\" "
                    "\"NAME=VOICE\".")
    print(project.id)
    return 0


def _list(args: argparse.Namespace, _extra: list[Path]) -> int:
    listing = _store().list()
    if args.json:
        print(json.dumps(dict(projects=[dict(id=p.id, name=p.name, chapters=len(p.chapters),
                                             blocks=len(p.blocks())) for p in listing.projects],
                              damaged=[dict(id=d.id, path=str(d.path), reason=d.reason)
                                       for d in listing.damaged]), indent=2, ensure_ascii=False))
        return 0
    if not listing.projects and not listing.damaged:
        output.info("No projects yet. Make one with: voice-studio project new NAME --from FILE")
    for p in listing.projects:
        print(f"{p.id:<28} {p.name:<32} {len(p.chapters):>3} ch {len(p.blocks()):>5} blocks")
    for d in listing.damaged:
        output.info(f"damaged: {d.id}: {d.reason}")
    return 0


def _show(args: argparse.Namespace, _extra: list[Path]) -> int:
    from studio.projects import stale

    store, library = _store(), _library()
    project = store.get(args.name)
    if args.json:
        data = project.to_dict()
        data["folder"] = str(store.path(project))
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    entries = _entries(project)
    print(f"{project.name} ({project.id}){' - timed' if project.timed else ''}")
    for member in project.cast:
        print(f"  cast: {member.name} = {member.voice or '(not cast)'}")
    number = 0
    for k, chapter in enumerate(project.chapters, start=1):
        print(f"Chapter {k}: {chapter.title}")
        for block in chapter.blocks:
            number += 1
            state = stale.state(project, block, entries, library)
            take = block.chosen_take
            flag = " FLAGGED" if take and take.check and take.check.flagged else ""
            cue = (f" [{block.start_s:.2f}-{block.end_s:.2f}]" if block.start_s is not None
                   else "")
            text = block.text if len(block.text) <= 70 else block.text[:67] + "..."
            print(f"  {number:>4} {state:<7}{flag} {block.speaker}{cue}: {text}")
    for note in project.notes.values():
        output.info(f"note: {note}")
    return 0


def _delete(args: argparse.Namespace, _extra: list[Path]) -> int:
    where = _store().delete(args.name)
    output.info(f"Moved the project to the trash: {where}")
    print(where)
    return 0


def _status(args: argparse.Namespace, _extra: list[Path]) -> int:
    from studio.projects import stale

    store, library = _store(), _library()
    project = store.get(args.name)
    st = stale.status(project, _entries(project), library)
    if args.json:
        print(json.dumps(dict(st.to_dict(), notes=project.notes), indent=2, ensure_ascii=False))
        return 0
    print(f"blocks {st.blocks}  rendered {st.rendered}  stale {st.stale}  missing "
          f"{st.missing}  flagged {st.flagged}  unchecked {st.unchecked}"
          + (f"  overruns {st.overruns}" if project.timed else "")
          + f"  ({st.seconds / 60:.1f} min of audio)")
    if st.uncast:
        output.info(f"not cast yet: {', '.join(st.uncast)}")
    for note in project.notes.values():
        output.info(f"note: {note}")
    return 0


def _blocks(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    a, sep, b = text.partition("-")
    try:
        first, last = int(a), int(b) if sep else int(a)
    except ValueError:
        raise InvalidInput(f"--blocks takes a number or a range such as 3-7, not {text!r}.") \
            from None
    if first < 1 or last < first:
        raise InvalidInput(f"--blocks {text}: give a range from low to high, from 1.")
    return first, last


def _checker(args: argparse.Namespace, extra: list[Path], min_score: float) -> Any:
    from studio.projects import earcheck

    if args.no_check:
        return None
    from studio.cli.transcribe import asr_pool

    pool = asr_pool(args, extra)
    if not earcheck.available(pool):
        return None
    output.info(f"Checking takes by ear with {pool.resolve().name}.")
    return earcheck.EarCheck(pool, min_score)


def _render(args: argparse.Namespace, extra: list[Path]) -> int:
    from studio.cli.engine import CliEngine
    from studio.humanize import human_duration
    from studio.projects import lexicon, render

    if args.retries is not None and not 0 <= args.retries <= 10:
        raise InvalidInput("--retries must be from 0 to 10.")
    if args.max_seconds is not None and args.max_seconds <= 0:
        raise InvalidInput("--max-seconds must be more than 0.")
    store, library = _store(), _library()
    project = store.get(args.name)
    shared = lexicon.load_shared()
    ids = render.select(project, lexicon.merged(project.lexicon, shared), library, args.chapter,
                        _blocks(args.blocks), args.again)
    if not ids:
        output.info("Nothing to render: every block is up to date.")
        return 0
    render.check_cast(project, ids, library)
    checker = _checker(args, extra, project.settings.min_score)
    line = output.ProgressLine()

    def progress(p: render.Progress) -> None:
        eta = f", about {human_duration(p.eta_s)} left" if p.eta_s else ""
        line.update(f"rendering {p.label}{eta}", force=True)

    output.info(f"Rendering {len(ids)} block(s) of {project.name} ...")
    with CliEngine(args, extra) as engine:
        renderer = render.Renderer(store, project.id, engine, library, checker, shared,
                                   progress, args.max_seconds)
        report = _run_interruptibly(renderer, ids, args.retries)
    line.done()
    output.info(f"Rendered {report.rendered} block(s) ({report.takes} take(s), "
                f"{report.seconds:.1f} s of audio).")
    if not report.checked:
        output.info("Takes were not checked by ear (no speech recognition model; "
                    "'voice-studio models download whisper-small').")
    for flagged in report.flagged:
        output.info(f"flagged {flagged}")
    for failed in report.failed:
        output.info(f"failed {failed}")
    if report.cancelled:
        output.info("Stopped. Every finished block is kept; render again to continue.")
        return 130
    return 0


def _run_interruptibly(renderer: Any, ids: list[str], retries: int | None) -> Any:
    """Render on a worker thread so Ctrl+C can cancel it and still keep what is finished."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["report"] = renderer.run(ids, retries)
        except BaseException as exc:  # handed to the main thread
            box["error"] = exc

    thread = threading.Thread(target=work, name="project-render", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.2)
    except KeyboardInterrupt:
        output.info("\nStopping after the current block is cancelled ...")
        renderer.cancel()
        thread.join()
    if "error" in box:
        raise box["error"]
    return box["report"]


def _export(args: argparse.Namespace, _extra: list[Path]) -> int:
    from studio.projects.export import ExportOptions, export

    store, library = _store(), _library()
    project = store.get(args.name)
    opts = ExportOptions(args.format, args.out.expanduser(), args.loudness, args.subtitles,
                         args.stems, args.chapter, args.per_chapter, title=args.title,
                         author=args.author, narrator=args.narrator, year=args.year,
                         cover=args.cover)
    output.info(f"Exporting {project.name} as {args.format.upper()} ...")
    result = export(store, project, opts, _entries(project), library)
    if result.stale:
        output.info(f"note: {result.stale} block(s) changed since their take; render again "
                    "to bring them up to date.")
    for overrun in result.overruns:
        output.info(f"overrun: block {overrun}")
    for f in result.files:
        target = f" (target {result.preset.describe()})" if result.preset else ""
        output.info(f"{f.path.name}: {f.seconds / 60:.1f} min; measured "
                    f"{f.measured.describe()}{target}")
        print(f.path)
        if f.subtitles:
            print(f.subtitles)
        for stem in f.stems:
            print(stem)
    return 0
