"""User-facing errors shared by every core package.

Each error carries a message written for the person using the app: what went wrong and
what to do about it. The GUI, the command line and the API server show ``str(error)``
and never a traceback.
"""

from __future__ import annotations

import errno


class StudioError(Exception):
    """Base of every error a user can cause or fix."""

    #: short machine-readable kind, used by the CLI exit code and the API's JSON errors
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(StudioError):
    """Text, option or file that cannot be used as given."""

    code = "invalid_input"


class NotFound(StudioError):
    """A voice, model, speaker or file that does not exist."""

    code = "not_found"


class DeviceUnavailable(StudioError):
    """An audio device or accelerator that is missing or refuses to open."""

    code = "device_unavailable"


class DiskFull(StudioError, OSError):
    """A write that ran out of space (or quota). Also an OSError with ``errno.ENOSPC``, so
    code that handles any failed write handles this one too. Built by
    ``studio.fsutil.disk_full``, which says how much room is left and where."""

    code = "disk_full"

    def __init__(self, message: str, folder: str = "") -> None:
        OSError.__init__(self, errno.ENOSPC, message)
        self.message = message
        self.folder = folder  # where the write went


class Cancelled(StudioError):
    """Raised only where a cancelled operation has nothing to return (e.g. a load)."""

    code = "cancelled"

    def __init__(self) -> None:
        super().__init__("Cancelled.")
