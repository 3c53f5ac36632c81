"""What the bot says about a file it does not read: what it takes, or what to do instead."""

from __future__ import annotations

from bot.i18n import Html, t
from storage.people import Language, Role

__all__ = ["ATTACHMENT_KINDS", "unread_file_answer"]

# Kinds of attachment with a word of their own in the catalogs (`core.file_<kind>`).
ATTACHMENT_KINDS = ("photo", "video", "audio", "voice", "sticker", "animation", "video_note")


def unread_file_answer(language: Language, role: Role, kind: str, name: str | None) -> str:
    """The answer to a file or attachment no feature took.

    The secretariat is told which files the bot takes (rosters, the Articles, notices with an
    attachment); anyone else that the bot reads text and how to reach the secretariat.
    """
    if name:
        what = Html(t(language, "core.file_named", name=name[:80]))
    else:
        what = Html(t(language, f"core.file_{kind if kind in ATTACHMENT_KINDS else 'other'}"))
    key = "core.file_not_taken" if role.at_least(Role.SECRETARIAT) else "core.file_member"
    return t(language, key, what=what)
