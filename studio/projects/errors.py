"""Errors of the projects package; each message says what happened and what to do."""

from __future__ import annotations

from studio.errors import InvalidInput, NotFound, StudioError


class ProjectNotFound(NotFound):
    """No project with that name or id."""


class ProjectDamaged(StudioError):
    """A project folder whose project.json cannot be used; listed with the reason."""

    code = "project_damaged"


class ImportFailed(InvalidInput):
    """A file that cannot become a project (wrong format, empty, encrypted, too large)."""


class NotRendered(InvalidInput):
    """An export or check that needs takes which do not exist yet."""


class InvalidProjectName(InvalidInput):
    """A project name that is empty, too long or taken."""
