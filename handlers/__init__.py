"""Thin Telegram adapters, one module per feature; `register` wires them in order."""

from __future__ import annotations

from bot.context import BotApplication

__all__ = ["register"]


def register(app: BotApplication) -> None:
    """Add every feature's handlers in order; catch-alls last."""
    from handlers import (
        core,
        dashboard,
        errors,
        files,
        forms,
        knowledge,
        meetings,
        notices,
        roster,
    )

    core.register(app)
    files.register(app)
    meetings.register_checkin_start(app)
    roster.register(app)
    meetings.register(app)
    notices.register(app)
    dashboard.register(app)
    knowledge.register(app)
    errors.register(app)
    knowledge.register_fallbacks(app)
    files.register_fallbacks(app)
    forms.register_fallbacks(app)
    core.register_fallbacks(app)
