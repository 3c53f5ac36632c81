"""The one messaging helper: 429s waited out, unchanged edits done, refusals recorded once."""

from __future__ import annotations

import pytest
from telegram.error import RetryAfter

from bot.transport import ApiCall, ApiError
from tests.harness import BotHarness
from tests.meetings_support import add_person

# PTB's own RetryAfter warns about its retry_after type while it is built.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

OVER_LIMIT = ApiError(429, "Too Many Requests: retry after 3", retry_after=3)


@pytest.fixture
def waits(bot: BotHarness) -> list[float]:
    """The waits the messenger asked for (recorded, not slept)."""
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)

    bot.app.bot_data.messenger.sleep = sleep
    return asked


def fail_first(times: int, error: ApiError) -> object:
    """A responder that answers `error` the first `times` calls, then succeeds."""
    left = [times]

    def respond(call: ApiCall) -> None:
        if left[0] > 0:
            left[0] -= 1
            raise error

    return respond


async def test_a_send_told_to_wait_is_sent_after_the_wait(
    bot: BotHarness, waits: list[float]
) -> None:
    bot.api.responders["sendMessage"] = fail_first(1, OVER_LIMIT)
    message = await bot.app.bot_data.messenger.send(77, "hello")
    assert message is not None
    assert [call.text for call in bot.api.sent(77)] == ["hello", "hello"]
    assert waits == [3.0]


async def test_a_second_wait_in_a_row_is_raised(bot: BotHarness, waits: list[float]) -> None:
    bot.api.responders["sendMessage"] = fail_first(2, OVER_LIMIT)
    with pytest.raises(RetryAfter):
        await bot.app.bot_data.messenger.send(77, "hello")


async def test_an_edit_that_changes_nothing_counts_as_done(bot: BotHarness) -> None:
    bot.api.responders["editMessageText"] = fail_first(
        1, ApiError(400, "Bad Request: message is not modified")
    )
    assert await bot.app.bot_data.messenger.edit_text(77, 1, "same") is True


async def test_an_edit_told_to_wait_is_made_after_the_wait(
    bot: BotHarness, waits: list[float]
) -> None:
    bot.api.responders["editMessageText"] = fail_first(1, OVER_LIMIT)
    assert await bot.app.bot_data.messenger.edit_text(77, 1, "new") is True
    assert len(bot.api.sent(77, "editMessageText")) == 2
    assert waits == [3.0]


@pytest.mark.parametrize(
    ("description", "code", "never_started"),
    [
        ("Forbidden: bot was blocked by the user", 403, 0),
        ("Forbidden: bot can't initiate conversation with a user", 403, 1),
        ("Bad Request: chat not found", 400, 1),
    ],
)
async def test_a_refused_chat_is_recorded_unreachable_with_its_reason(
    bot: BotHarness, description: str, code: int, never_started: int
) -> None:
    person = await add_person(bot, "Anna", telegram_id=81)
    bot.api.responders["sendMessage"] = fail_first(1, ApiError(code, description))
    assert await bot.app.bot_data.messenger.send(81, "hello") is None
    row = await bot.app.bot_data.db.fetchone(
        "SELECT reachable, never_started FROM persons WHERE id = ?", (person,)
    )
    assert row is not None and tuple(row) == (0, never_started)


async def test_another_error_is_raised_and_records_nothing(bot: BotHarness) -> None:
    person = await add_person(bot, "Anna", telegram_id=81)
    bot.api.responders["sendMessage"] = fail_first(1, ApiError(400, "Bad Request: can't parse"))
    with pytest.raises(Exception, match="parse"):
        await bot.app.bot_data.messenger.send(81, "hello")
    row = await bot.app.bot_data.db.fetchone(
        "SELECT reachable FROM persons WHERE id = ?", (person,)
    )
    assert row is not None and row[0] == 1


async def test_blocking_and_unblocking_update_the_person_and_the_notices_note(
    bot: BotHarness,
) -> None:
    person = await add_person(bot, "Anna", telegram_id=82)
    user = bot.user(82, "Anna")
    db = bot.app.bot_data.db
    await bot.feed(bot.factory.my_chat_member(user, "kicked"))
    row = await db.fetchone("SELECT reachable FROM persons WHERE id = ?", (person,))
    note = await db.fetchone("SELECT state FROM notice_unreachable WHERE person_id = ?", (person,))
    assert row is not None and row[0] == 0
    assert note is not None and note[0] == "blocked"
    await bot.feed(bot.factory.my_chat_member(user, "member"))
    row = await db.fetchone("SELECT reachable FROM persons WHERE id = ?", (person,))
    assert row is not None and row[0] == 1
    assert await db.fetchall("SELECT * FROM notice_unreachable") == []
