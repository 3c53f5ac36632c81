"""The command list: which role sees which command, in menu order."""

from __future__ import annotations

from dataclasses import dataclass

from storage.people import Role

__all__ = ["COMMANDS", "CommandSpec", "commands_for"]


@dataclass(frozen=True)
class CommandSpec:
    """A command, the least role that may use it; its description is `commands.<name>`."""

    name: str
    role: Role


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", Role.GUEST),
    CommandSpec("help", Role.GUEST),
    CommandSpec("language", Role.GUEST),
    CommandSpec("mission", Role.GUEST),
    CommandSpec("articles", Role.GUEST),
    CommandSpec("article", Role.GUEST),
    CommandSpec("ask", Role.GUEST),
    CommandSpec("join", Role.GUEST),
    CommandSpec("meetings", Role.MEMBER),
    CommandSpec("settings", Role.GUEST),
    CommandSpec("mydata", Role.GUEST),
    CommandSpec("forgetme", Role.GUEST),
    CommandSpec("newmeeting", Role.SECRETARIAT),
    CommandSpec("meeting", Role.SECRETARIAT),
    CommandSpec("remind", Role.SECRETARIAT),
    CommandSpec("export", Role.SECRETARIAT),
    CommandSpec("cancelmeeting", Role.SECRETARIAT),
    CommandSpec("checkin", Role.SECRETARIAT),
    CommandSpec("minutes", Role.SECRETARIAT),
    CommandSpec("notice", Role.SECRETARIAT),
    CommandSpec("notices", Role.SECRETARIAT),
    CommandSpec("cancelnotice", Role.SECRETARIAT),
    CommandSpec("members", Role.SECRETARIAT),
    CommandSpec("invite", Role.SECRETARIAT),
    CommandSpec("questions", Role.SECRETARIAT),
    CommandSpec("dashboard", Role.SECRETARIAT),
)

_GUEST_ONLY = {"join"}


def commands_for(role: Role) -> list[CommandSpec]:
    """The commands a person with `role` may use, in menu order."""
    return [
        spec
        for spec in COMMANDS
        if role.at_least(spec.role) and (spec.name not in _GUEST_ONLY or role is Role.GUEST)
    ]
