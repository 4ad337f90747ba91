"""The take history: every take made in the window (and listed by ``voice-studio history``),
kept per user on disk, so it survives a restart. Qt-free; see store.py."""

from studio.history.record import HistoryTake
from studio.history.store import DEFAULT_KEEP_DAYS, DEFAULT_MAX_MB, HistoryError, HistoryStore

__all__ = ["DEFAULT_KEEP_DAYS", "DEFAULT_MAX_MB", "HistoryError", "HistoryTake", "HistoryStore"]
