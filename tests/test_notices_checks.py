"""Who may act on a notice, and which notices each action accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from storage.people import Role
from storage.roster import RosterRepository
from tests.harness import ADMIN_ID, BotHarness
from tests.test_notices import add_person, confirm_data, service, settle

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

UNKNOWN = "There is no sent or scheduled notice #{id}. /notices lists them."
NOT_ALLOWED = "only for the secretariat"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Fast delivery for tests."""
    return Settings(
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        broadcast_rate=1000,
    )


async def _sent(bot: BotHarness, options: str, text: str) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, f"/notice {options}\n{text}")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)


async def _status(bot: BotHarness, notice_id: int) -> str:
    notice = await service(bot).lookup.notice(notice_id)
    assert notice is not None
    return notice.status


async def test_a_draft_is_neither_shown_nor_corrected_nor_recalled(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice\nNot confirmed yet")
    for command in ("/notices 1", "/notice 1 edit\nNew text", "/notice 1 recall"):
        calls = await bot.send(admin, command)
        assert bot.texts_to(ADMIN_ID, calls) == [UNKNOWN.format(id=1)], command
    assert await _status(bot, 1) == "draft"
    assert bot.texts_to(101) == []


@pytest.mark.settings(notice_approval=2)
async def test_a_rejected_notice_cannot_be_corrected(bot: BotHarness) -> None:
    await add_person(bot, "Second", 5001, role="secretariat")
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nRejected text")
    await bot.tap(admin, confirm_data(calls))
    await bot.tap(bot.user(5001, "Second"), "ntc:rej:1")
    calls = await bot.send(admin, "/notice 1 edit\nBetter text")
    assert bot.texts_to(ADMIN_ID, calls) == [UNKNOWN.format(id=1)]


async def test_a_follow_up_is_not_itself_corrected(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    await _sent(bot, "ack=yes", "Please confirm the date")
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notices 1")
    await bot.tap(admin, "ntc:rmd:1")
    await settle(bot)
    calls = await bot.send(admin, "/notice 2 edit\nOther text")
    assert bot.texts_to(ADMIN_ID, calls) == [UNKNOWN.format(id=2)]


async def test_no_follow_up_for_a_notice_without_receipts(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    await _sent(bot, "", "No receipts asked")
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notices 1")
    calls = await bot.tap(admin, "ntc:rmd:1")
    assert bot.texts_to(ADMIN_ID, calls) == ["This button is no longer valid."]
    await settle(bot)
    assert [c for c in bot.api.calls if c.chat_id == 101 and "Please confirm" in c.text] == []


async def test_one_follow_up_at_a_time(bot: BotHarness) -> None:
    members = list(range(30_000, 30_300))
    for chat in members:
        await add_person(bot, f"M{chat}", chat)
    await _sent(bot, "ack=yes", "Please confirm the date")
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notices 1")
    await bot.tap(admin, "ntc:rmd:1")
    calls = await bot.tap(admin, "ntc:rmd:1")
    assert "A follow-up to notice #1 is being sent already." in bot.texts_to(ADMIN_ID, calls)
    await settle(bot)
    first = [c for c in bot.api.calls if c.chat_id == members[0] and "Please confirm" in c.text]
    assert len(first) == 2  # the notice and one follow-up


async def test_notice_buttons_and_commands_are_for_the_secretariat_only(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin, member = bot.user(ADMIN_ID, "Sec"), bot.user(101, "Ann")
    calls = await bot.send(admin, "/notice at=2099-01-01T09:00\nLater")
    await bot.tap(admin, confirm_data(calls))
    preview = bot.api.last_message_to(ADMIN_ID)
    for data in ("ntc:cx:1", "ntc:unr:1", "ntc:rmd:1", "ntc:ok:1", "ntc:no:1", "ntc:apr:1"):
        calls = await bot.tap(member, data, preview)
        [alert] = bot.alerts(calls)
        assert NOT_ALLOWED in alert, data
    for command in ("/notices", "/notices 1", "/cancelnotice 1", "/cancelnotice"):
        [refusal] = bot.texts_to(101, await bot.send(member, command))
        assert NOT_ALLOWED in refusal, command
    assert await _status(bot, 1) == "scheduled"


async def test_guided_form_refuses_one_no_longer_in_the_secretariat(bot: BotHarness) -> None:
    person_id = await add_person(bot, "Second", 5001, role="secretariat")
    second = bot.user(5001, "Second")
    await bot.send(second, "/notice")
    await RosterRepository(bot.app.bot_data.db).change_role(
        person_id, Role.MEMBER, None, bot.clock.now(), "demote"
    )
    calls = await bot.tap(second, "ntc:aud:all")
    [alert] = bot.alerts(calls)
    assert NOT_ALLOWED in alert
    assert bot.texts_to(5001, calls) == []


async def test_a_button_for_no_notice_is_invalid(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/start")
    for data in ("ntc:cx:99", "ntc:ok:99", "ntc:xx:1"):
        calls = await bot.tap(admin, data)
        assert bot.alerts(calls) == ["This button is no longer valid."], data


async def test_no_receipt_is_recorded_for_a_notice_that_asked_for_none(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    await _sent(bot, "", "No receipts asked")
    calls = await bot.tap(bot.user(101, "Ann"), "ntc:ack:1")
    assert bot.alerts(calls) == [
        "This button is not for you, or the notice no longer asks for receipts."
    ]
    assert await bot.app.bot_data.db.fetchall("SELECT * FROM notice_receipts") == []


async def test_a_delivered_notice_cannot_be_cancelled(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    await _sent(bot, "", "Already out")
    calls = await bot.send(bot.user(ADMIN_ID, "Sec"), "/cancelnotice 1")
    assert bot.texts_to(ADMIN_ID, calls) == [
        "Notice #1 is not scheduled or being sent; nothing to cancel."
    ]
    assert await _status(bot, 1) == "done"


async def test_only_the_author_confirms_or_cancels_a_draft(bot: BotHarness) -> None:
    await add_person(bot, "Second", 5001, role="secretariat")
    admin, second = bot.user(ADMIN_ID, "Sec"), bot.user(5001, "Second")
    await bot.send(admin, "/notice at=2099-01-01T09:00\nMine to send")
    await bot.send(second, "/start")
    for data in ("ntc:ok:1", "ntc:no:1"):  # a copy of the author's buttons
        calls = await bot.tap(second, data)
        assert bot.texts_to(5001, calls) == ["Notice #1 has already been handled."], data
    assert await _status(bot, 1) == "draft"


async def test_confirm_or_cancel_again_on_a_scheduled_notice_says_it_was_handled(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice at=2099-01-01T09:00\nLater")
    preview = bot.api.last_message_to(ADMIN_ID)
    await bot.tap(admin, confirm_data(calls), preview)
    for data in ("ntc:ok:1", "ntc:no:1"):
        calls = await bot.tap(admin, data, preview)
        assert bot.texts_to(ADMIN_ID, calls) == ["Notice #1 has already been handled."], data
    assert await _status(bot, 1) == "scheduled"


@pytest.mark.settings(notice_approval=2)
async def test_a_decided_notice_takes_no_more_decisions(bot: BotHarness) -> None:
    await add_person(bot, "Second", 5001, role="secretariat")
    admin, second = bot.user(ADMIN_ID, "Sec"), bot.user(5001, "Second")
    calls = await bot.send(admin, "/notice\nRejected text")
    await bot.tap(admin, confirm_data(calls))
    request = bot.api.last_message_to(5001)
    await bot.tap(second, "ntc:rej:1", request)
    calls = await bot.tap(admin, "ntc:apr:1")  # the author, with a copy of the buttons
    assert bot.texts_to(ADMIN_ID, calls) == ["Notice #1 has already been handled."]
    assert await _status(bot, 1) == "rejected"
