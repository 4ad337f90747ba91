"""What the user chose in the Model manager that outlives it: the model folders they added
and which model serves each role. Both live in the settings (saved at once) and in the
model pool (one assignment each: the inference thread only reads them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from studio import paths
from studio.ui.context import AppContext
from studio.ui.dialogs.model_panels import check_folder

Say = Callable[[str, str], None]  # text, level


class ModelChoices:
    def __init__(self, ctx: AppContext, say: Say) -> None:
        self.ctx, self.say = ctx, say

    def extra_for(self, path: Path) -> Path | None:
        """The added folder that ``path`` comes from (itself or its parent), if any."""
        real = path.resolve()
        for extra in self.ctx.pool.extra:
            if Path(extra).resolve() in (real, real.parent):
                return Path(extra)
        return None

    def add_folder(self, folder: Path) -> bool | None:
        """Validate ``folder`` (a model, or a folder of models) and use it: True when it was
        added, None when it was already there, False (after saying why) when refused."""
        folder, usable, problem = check_folder(folder)
        if problem:
            self.say(problem, "error")
            return False
        real = folder.resolve()
        known = {Path(p).resolve() for p in self.ctx.settings.model_folders}
        known |= {Path(p).resolve() for p in self.ctx.pool.extra}
        names = ", ".join(m.name for m in usable)
        if real in known or real.parent == paths.models_dir().resolve():
            self.say(f"{names} is already in the list.", "info")
            return None
        self.ctx.settings.model_folders = [*self.ctx.settings.model_folders, str(real)]
        self.ctx.pool.extra = [*self.ctx.pool.extra, real]
        self.save()
        self.say(f"Added {names}. Its files stay where they are.", "info")
        return True

    def remove_folder(self, folder: Path) -> None:
        real = folder.resolve()
        self.ctx.settings.model_folders = [p for p in self.ctx.settings.model_folders
                                           if Path(p).resolve() != real]
        self.ctx.pool.extra = [p for p in self.ctx.pool.extra if Path(p).resolve() != real]
        self.save()

    def set_role(self, kind: str, path: str) -> None:
        roles = dict(self.ctx.settings.roles)
        if path:
            roles[kind] = path
        else:
            roles.pop(kind, None)
        self.apply_roles(roles)

    def forget_model(self, path: Path) -> None:
        """A deleted model serves no role any more."""
        roles = {k: v for k, v in self.ctx.settings.roles.items() if Path(v) != path}
        if roles != self.ctx.settings.roles:
            self.apply_roles(roles)

    def apply_roles(self, roles: dict[str, str]) -> None:
        self.ctx.settings.roles = roles
        self.ctx.pool.roles = dict(roles)
        self.save()

    def save(self) -> None:
        try:
            self.ctx.settings.save()
        except OSError as exc:
            self.say(f"Could not save the settings: {exc}", "error")
