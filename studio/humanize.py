"""Byte counts and durations as people read them: one format for the CLI, the UI and messages."""

from __future__ import annotations


def human_duration(seconds: float) -> str:
    """'45 s', '12 min', '1 h 05 min': for times left and speeds."""
    s = int(seconds + 0.5)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def human_bytes(n: float) -> str:
    """'512 B', '1.5 MB', '4.5 GB': decimal units, as disks and the hub count them."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover
