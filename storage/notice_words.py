"""The words of notices: statuses, audiences, categories, kinds, and the roles an audience means."""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ACTIVE_STATUSES",
    "AUDIENCE_ROLES",
    "TERMINAL_STATES",
    "Audience",
    "Category",
    "MediaKind",
    "NoticeKind",
    "NoticeStatus",
]

Audience = Literal["all", "council", "secretariat"]
NoticeStatus = Literal[
    "draft", "pending_approval", "scheduled", "sending", "done", "cancelled", "missed", "rejected"
]
Category = Literal["official", "news"]  # news can be muted in /settings; official cannot
NoticeKind = Literal["notice", "reminder", "edit", "recall"]  # an action on `parent_id`
MediaKind = Literal["photo", "document"]
AUDIENCE_ROLES: dict[str, tuple[str, ...]] = {
    "all": ("member", "council", "secretariat"),
    "council": ("council", "secretariat"),  # as for meetings: the secretariat sits on the council
    "secretariat": ("secretariat",),
}
ACTIVE_STATUSES: tuple[NoticeStatus, ...] = ("pending_approval", "scheduled", "sending")
TERMINAL_STATES = ("sent", "unconfirmed", "blocked", "never_started", "failed", "cancelled")
