"""`voice-studio models download ID`: a progress line, Ctrl+C pauses (run again to resume)."""

from __future__ import annotations

import threading

from studio.cli import output
from studio.humanize import human_bytes


def download(model_id: str) -> int:
    from studio import hub

    cancel = threading.Event()
    line = output.ProgressLine()
    plan = hub.plan(model_id)
    if plan.installed:
        print(plan.target)
        return 0
    output.info(f"Downloading {hub.resolve_repo_id(model_id)}: "
                f"{human_bytes(plan.remaining_bytes)} to fetch"
                + (f" ({human_bytes(plan.have_bytes)} already here)" if plan.have_bytes else "")
                + f" into {plan.target.parent}")

    def progress(p: hub.DownloadProgress) -> None:
        line.update(p.describe(), force=p.state in (hub.DONE, hub.CANCELLED, hub.FAILED))

    try:
        path = hub.download(model_id, progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        line.done("Paused. Run the same command again to resume.")
        return 130
    line.done()
    print(path)
    return 0
