"""The test harness: the real Application on a temporary database, behind a recording fake."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot.clock import FixedClock
from bot.context import BotApplication
from bot.transport import ApiCall, LocalBotApi, UpdateFactory
from storage.people import PeopleRepository
from storage.roster import RosterRepository

__all__ = ["ADMIN_ID", "BotHarness", "RecordingBotApi"]

ADMIN_ID = 5000


class RecordingBotApi(LocalBotApi):
    """The fake Telegram the tests talk through; it records every call."""


@dataclass
class BotHarness:
    """Drives the real Application with updates and reads what it sent."""

    app: BotApplication
    api: RecordingBotApi
    clock: FixedClock
    errors: list[BaseException] = field(default_factory=list)
    errors_expected: bool = False
    factory: UpdateFactory = field(default_factory=UpdateFactory)

    @property
    def people(self) -> PeopleRepository:
        """The persons as stored: to set a test up and to read back what the bot wrote."""
        return PeopleRepository(self.app.bot_data.db)

    @property
    def roster(self) -> RosterRepository:
        """The roster as stored (entries, roles, audit log), for the same purposes."""
        return RosterRepository(self.app.bot_data.db)

    def user(self, user_id: int, name: str = "User", language: str = "en") -> dict[str, Any]:
        """A Telegram user to send updates as."""
        return self.factory.user(user_id, name, language)

    async def feed(self, payload: dict[str, Any]) -> None:
        """Process one raw update through the Application."""
        await self.app.process_update(Update.de_json(payload, self.app.bot))

    async def feed_and_collect(self, payload: dict[str, Any]) -> list[ApiCall]:
        """Process one raw update; return the calls the bot made in answer."""
        before = len(self.api.calls)
        await self.feed(payload)
        return self.api.calls[before:]

    async def send(self, user: dict[str, Any], text: str) -> list[ApiCall]:
        """Send `text` as `user`; return the calls the bot made in answer."""
        before = len(self.api.calls)
        await self.feed(self.factory.message(user, text))
        return self.api.calls[before:]

    async def tap(
        self, user: dict[str, Any], data: str, message: dict[str, Any] | None = None
    ) -> list[ApiCall]:
        """Tap a button with `data` (under `message`, default the user's last one)."""
        if message is None:
            message = self.api.last_message_to(user["id"])
        before = len(self.api.calls)
        await self.feed(self.factory.callback(user, data, message))
        return self.api.calls[before:]

    def texts_to(self, chat_id: int, calls: list[ApiCall] | None = None) -> list[str]:
        """The texts of messages sent or edited in a chat (optionally among `calls`)."""
        pool = self.api.calls if calls is None else calls
        return [
            call.text
            for call in pool
            if call.chat_id == chat_id and call.method.startswith(("send", "edit"))
        ]

    def alerts(self, calls: list[ApiCall]) -> list[str]:
        """The texts of callback answers among `calls`."""
        return [
            str(call.params.get("text", ""))
            for call in calls
            if call.method == "answerCallbackQuery"
        ]
