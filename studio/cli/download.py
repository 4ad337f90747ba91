"""`voice-studio models download ID`: a progress line, Ctrl+C pauses (run again to resume)."""

from __future__ import annotations

import threading

from studio.cli import output
from studio.engine.sizes import human_bytes


def download(model_id: str) -> int:
    from studio.engine import download as dl

    cancel = threading.Event()
    line = output.ProgressLine()
    plan = dl.plan(model_id)
    if plan.installed:
        print(plan.target)
        return 0
    output.info(f"Downloading {dl.resolve_repo_id(model_id)}: "
                f"{human_bytes(plan.remaining_bytes)} to fetch"
                + (f" ({human_bytes(plan.have_bytes)} already here)" if plan.have_bytes else "")
                + f" into {plan.target.parent}")

    def progress(p: dl.DownloadProgress) -> None:
        line.update(p.describe(), force=p.state in (dl.DONE, dl.CANCELLED, dl.FAILED))

    try:
        path = dl.download(model_id, progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        line.done("Paused. Run the same command again to resume.")
        return 130
    line.done()
    print(path)
    return 0
