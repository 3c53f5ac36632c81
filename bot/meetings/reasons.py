"""The reason given with a No: asked once after the No, taken from the reply to the question."""

from __future__ import annotations

from collections.abc import Callable

from telegram import ForceReply

from bot.i18n import t
from bot.messaging import Messenger
from storage.meeting_answers import AnswerRepository
from storage.meeting_rows import Invitee, Meeting

__all__ = ["MAX_REASON", "NoReasons"]

MAX_REASON = 500


class NoReasons:
    """Asks for the reason of a No and stores the reply as the answer's note."""

    def __init__(
        self, answers: AnswerRepository, messenger: Messenger, changed: Callable[[int], None]
    ) -> None:
        self._answers = answers
        self._messenger = messenger
        self._changed = changed  # the meeting's summary is to be redrawn

    async def store(self, telegram_id: int, prompt_id: int, text: str) -> tuple[int, bool] | None:
        """A reply to the reason question: (meeting id, stored); None when it asked nothing.

        Not stored once the answer is no longer No.
        """
        found = await self._answers.find_reason_prompt(telegram_id, prompt_id)
        if found is None:
            return None
        meeting_id, person_id = found
        stored = await self._answers.set_note(meeting_id, person_id, text.strip()[:MAX_REASON])
        if stored:
            self._changed(meeting_id)
        return meeting_id, stored

    async def ask(self, meeting: Meeting, invitee: Invitee) -> None:
        """After a No, ask for an optional reason (a reply to the question is the reason)."""
        if invitee.telegram_id is None:
            return
        language = invitee.language
        message = await self._messenger.send(
            invitee.telegram_id,
            t(language, "meetings.reason_prompt", id=meeting.id),
            ForceReply(selective=True, input_field_placeholder=t(language, "meetings.reason_hint")),
        )
        if message is not None:
            await self._answers.set_reason_prompt(meeting.id, invitee.person_id, message.message_id)
