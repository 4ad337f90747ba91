"""`voice-studio models list | download ID | path`."""

from __future__ import annotations

import argparse
import json

from studio import hub, paths
from studio.hub import catalog
from studio.humanize import human_bytes


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list, download or locate models")
    msub = p.add_subparsers(dest="models_command", required=True)
    ls = msub.add_parser("list", help="published models and what is on disk")
    ls.add_argument("--json", action="store_true")
    dl = msub.add_parser("download", help="download a published model (resumes if interrupted)")
    dl.add_argument("id", help="hub id or name, e.g. Qwen3-TTS-12Hz-0.6B-Base")
    msub.add_parser("path", help="print the models folder")


def run(args: argparse.Namespace, extra: list) -> int:
    if args.models_command == "path":
        print(paths.models_dir())
        return 0
    if args.models_command == "list":
        return _list(args, extra)
    from studio.cli.download import download

    return download(args.id)


def _list(args: argparse.Namespace, extra: list) -> int:
    found = [*hub.discover(extra=extra), *hub.discover(extra=extra, kind="asr")]
    by_name = {m.name.lower(): m for m in found}
    rows = []
    for entry in (*catalog.CATALOG, *catalog.ASR_CATALOG):
        local = by_name.pop(entry.folder_name.lower(), None)
        state = "not downloaded"
        if local is not None:
            state = "on disk" if local.usable else f"incomplete: {local.problem}"
        else:
            partial = hub.partial_state(entry.repo_id)
            if partial is not None and partial.done_bytes:
                state = partial.describe()
        rows.append(dict(id=entry.repo_id, kind=entry.kind, size=entry.size, state=state,
                         path=str(local.path) if local else None,
                         download=human_bytes(entry.download_bytes)))
    for m in by_name.values():  # other folders found on disk
        rows.append(dict(id=m.name, kind=m.kind, size=m.size,
                         state="on disk" if m.usable else f"incomplete: {m.problem}",
                         path=str(m.path), download=""))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"Models folder: {paths.models_dir()}")
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        print(f"  {r['id']:<{width}}  {r['kind']:<12}  {r['size']:<14}  {r['state']}"
              + (f"  ({r['download']})" if r["state"] == "not downloaded" else ""))
    return 0
