"""Role changes by the secretariat: which ones ask first, and how the audit log names them."""

from __future__ import annotations

from storage.people import Role

__all__ = ["audit_action", "needs_confirmation", "touches_secretariat"]


def touches_secretariat(old: Role | None, new: Role) -> bool:
    """True when someone gains or loses the secretariat's rights (`old` None: a new entry)."""
    return old is not new and Role.SECRETARIAT in (old, new)


def needs_confirmation(old: Role, new: Role) -> bool:
    """True for a change to or from the secretariat (its rights over the roster, meetings and
    notices) and for a removal from the roster: one tap must not do either."""
    return Role.SECRETARIAT in (old, new) or new is Role.GUEST


def audit_action(old: Role | None, new: Role) -> str:
    """The audit log's name for a role change (`roster.audit_<action>` in the catalogs)."""
    if new is Role.GUEST:
        return "removed"
    if new is Role.SECRETARIAT:
        return "secretariat_granted"
    if old is Role.SECRETARIAT:
        return "secretariat_revoked"
    return "role_changed"
