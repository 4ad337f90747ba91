"""Changing where takes are made while the window runs: Settings > Engine applies a new
choice here, and a server that fails a take is answered with an offer to make the takes
on this computer instead (what arrived from the server stays with its page)."""

from __future__ import annotations

import logging

from studio.remote.choice import LOCAL, EngineChoice, backend_for
from studio.ui.context import AppContext
from studio.ui.widgets.notice import NoticeBar

log = logging.getLogger(__name__)
SWITCH = "Use this computer"


def apply_choice(ctx: AppContext, choice: EngineChoice) -> None:
    """Store ``choice`` in the settings and make the next takes with it (a server's URL is
    checked here: a bad one raises InvalidInput before anything changes)."""
    backend = backend_for(choice, ctx.pool)
    choice.store(ctx.settings)
    ctx.inference.use_backend(backend)


def use_this_computer(ctx: AppContext, notice: NoticeBar) -> None:
    chosen = EngineChoice.from_settings(ctx.settings)
    apply_choice(ctx, EngineChoice(LOCAL, chosen.url, chosen.token, chosen.omni_urls,
                                   chosen.omni_token))  # the server stays filled in
    try:
        ctx.settings.save()
    except OSError as exc:
        log.warning("could not save settings: %s", exc)
    notice.show_message("Takes are made on this computer now. Settings > Engine switches "
                        "back to the server.", "info")


def offer_this_computer(ctx: AppContext, notice: NoticeBar) -> None:
    """When a server fails a take, say what happened, with a button to make takes here."""
    ctx.inference.remote_trouble.connect(
        lambda message: notice.show_message(
            message, "error", action=(SWITCH, lambda: use_this_computer(ctx, notice))))
