"""Notices: audiences, approval without a second approver, approval races, languages."""

from __future__ import annotations

import asyncio

import pytest

from bot.transport import ApiCall, ApiError
from storage.notice_approvals import ApprovalRequest
from tests.harness import ADMIN_ID, BotHarness
from tests.test_notices import (
    add_person,
    confirm_data,
    notice_texts,
    service,
    settings,  # noqa: F401  (fast delivery, as there)
    settle,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_council_notice_reaches_the_council_and_the_secretariat(bot: BotHarness) -> None:
    await add_person(bot, "Member", 101, role="member")
    await add_person(bot, "Councillor", 102, role="council")
    await add_person(bot, "Secretary", 103, role="secretariat")
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice audience=council\nCouncil meets on Friday")
    assert "the council and the secretariat" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert notice_texts(bot, 101) == []
    assert notice_texts(bot, 102) == ["Council meets on Friday"]
    assert notice_texts(bot, 103) == ["Council meets on Friday"]
    assert "delivered: 3" in bot.texts_to(ADMIN_ID)[-1]  # the author is secretariat too


approval_required = pytest.mark.settings(notice_approval=2)


@approval_required
async def test_approval_with_no_other_reachable_secretariat_member_is_refused_up_front(
    bot: BotHarness,
) -> None:
    await add_person(bot, "Ann", 101)
    await add_person(bot, "Unbound", None, role="secretariat")
    await add_person(bot, "Blocked", 5002, role="secretariat", reachable=False)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nNeeds approval")
    [answer] = bot.texts_to(ADMIN_ID, calls)
    assert "no other secretariat member can approve" in answer and "Nothing was queued" in answer
    assert not any(call.callback_data() for call in calls)
    calls = await bot.send(admin, "/notice")  # the guided form does not start either
    assert "no other secretariat member can approve" in bot.texts_to(ADMIN_ID, calls)[0]
    assert await service_notices(bot) == []

    chinese = bot.user(ADMIN_ID, "Sec", "zh")
    await bot.people.set_language(1, "zh", bot.clock.now())
    calls = await bot.send(chinese, "/notice\n需要批准")
    assert "没有其他秘书处成员可以批准" in bot.texts_to(ADMIN_ID, calls)[0]


async def service_notices(bot: BotHarness) -> list[str]:
    rows = await bot.app.bot_data.db.fetchall("SELECT status FROM notices")
    return [row["status"] for row in rows]


@approval_required
async def test_approver_lost_between_preview_and_confirm_leaves_a_draft_and_says_so(
    bot: BotHarness,
) -> None:
    second = await add_person(bot, "Second", 5001, role="secretariat")
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nNeeds approval")
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.execute("UPDATE persons SET reachable = 0 WHERE id = ?", (second,))
    calls = await bot.tap(admin, confirm_data(calls))
    assert "Notice #1 was not queued" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert bot.api.sent(5001) == []
    assert await service_notices(bot) == ["draft"]

    # Telegram refuses the request (blocked, not yet known): the same, not a silent wait.
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.execute("UPDATE persons SET reachable = 1 WHERE id = ?", (second,))

    def refuse(call: ApiCall) -> None:
        if call.chat_id == 5001:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    bot.api.responders["sendMessage"] = refuse
    calls = await bot.tap(admin, "ntc:ok:1", message=bot.api.last_message_to(ADMIN_ID))
    assert "Notice #1 was not queued" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert await service_notices(bot) == ["draft"]
    bot.api.responders.pop("sendMessage")
    # The refusal marked the approver unreachable; unblocking tells the bot so.
    await bot.feed(bot.factory.my_chat_member(bot.user(5001, "Second"), "member"))
    calls = await bot.tap(admin, "ntc:ok:1", message=bot.api.last_message_to(ADMIN_ID))
    assert "waits for a second" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert await service_notices(bot) == ["pending_approval"]


@approval_required
async def test_simultaneous_approvals_name_the_notice_and_close_every_request(
    bot: BotHarness,
) -> None:
    await add_person(bot, "Second", 5001, role="secretariat")
    await add_person(bot, "Third", 5002, role="secretariat", language="zh")
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nNeeds approval")
    await bot.tap(admin, confirm_data(calls))
    second, third = bot.user(5001, "Second"), bot.user(5002, "Third")
    request_2, request_3 = bot.api.last_message_to(5001), bot.api.last_message_to(5002)
    await asyncio.gather(
        bot.tap(second, "ntc:apr:1", message=request_2),
        bot.tap(third, "ntc:apr:1", message=request_3),
    )
    await settle(bot)
    assert notice_texts(bot, 101) == ["Needs approval"]
    answers = [*bot.texts_to(5001), *bot.texts_to(5002)]
    assert not any("#0" in text for text in answers)
    handled = [text for text in answers if "已经处理" in text or "already been handled" in text]
    assert len(handled) == 1 and "#1" in handled[0]
    for chat_id in (5001, 5002):
        request = bot.api.messages[(chat_id, 1)]
        assert "reply_markup" not in request  # no button left to tap
    assert "Approved by" in bot.api.messages[(5001, 1)]["text"]
    assert "已由" in bot.api.messages[(5002, 1)]["text"]


@approval_required
async def test_rejection_and_cancellation_close_the_approval_requests(bot: BotHarness) -> None:
    await add_person(bot, "Second", 5001, role="secretariat")
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nFirst")
    await bot.tap(admin, confirm_data(calls))
    calls = await bot.tap(bot.user(5001, "Second"), "ntc:rej:1")
    assert "Notice #1 rejected" in bot.texts_to(5001, calls)[-1]
    assert "Rejected by Second" in bot.api.messages[(5001, 1)]["text"]
    assert "reply_markup" not in bot.api.messages[(5001, 1)]
    calls = await bot.tap(
        bot.user(5001, "Second"), "ntc:apr:1", message=bot.api.messages[(5001, 1)]
    )
    assert "Notice #1 has already been handled" in bot.texts_to(5001, calls)[-1]

    calls = await bot.send(admin, "/notice\nSecond")
    await bot.tap(admin, confirm_data(calls))
    request = bot.api.last_message_to(5001)
    assert request.get("reply_markup")
    await bot.send(admin, "/cancelnotice 2")
    closed = bot.api.messages[(5001, request["message_id"])]
    assert "reply_markup" not in closed and "cancelled" in closed["text"]


async def test_lang_option_follows_the_language_the_bot_speaks_to_each_person(
    bot: BotHarness,
) -> None:
    await add_person(bot, "Chose zh", 101, language="zh")
    await add_person(bot, "Chose en", 102, language="en")
    await add_person(bot, "App zh", 103, language=None)
    await add_person(bot, "App en", 104, language=None)
    await add_person(bot, "Never seen", 105, language=None)
    for user_id, app in ((103, "zh-hans"), (104, "de")):
        calls = await bot.send(bot.user(user_id, "X", app), "/help")
        spoken = bot.texts_to(user_id, calls)[0]
        assert ("帮助" in spoken or "命令" in spoken) == (app == "zh-hans")
    admin = bot.user(ADMIN_ID, "Sec")  # no language chosen, an English app
    calls = await bot.send(admin, "/notice lang=zh\n只给中文读者")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    calls = await bot.send(admin, "/notice lang=en\nEnglish readers only")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    calls = await bot.send(admin, "/notice\n给大家\n---\nTo everyone")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    for chat_id in (101, 105):  # chose Chinese; never heard from: the association's language
        assert notice_texts(bot, chat_id) == ["只给中文读者", "给大家"], chat_id
    assert notice_texts(bot, 103)[1:] == ["只给中文读者", "给大家"]  # after the /help answer
    assert notice_texts(bot, 104)[1:] == ["English readers only", "To everyone"]
    assert notice_texts(bot, 102) == ["English readers only", "To everyone"]
    assert "English readers only" in notice_texts(bot, ADMIN_ID)
    assert "只给中文读者" not in notice_texts(bot, ADMIN_ID)


async def test_the_app_language_noted_is_exported_and_erased_with_the_person(
    bot: BotHarness,
) -> None:
    person = await add_person(bot, "App zh", 103, language=None)
    await bot.send(bot.user(103, "X", "zh-hans"), "/help")
    await bot.send(bot.user(103, "X"), "/help")  # the app's language changed to English
    db = bot.app.bot_data.db
    rows = await db.fetchall("SELECT person_id, language FROM notice_client_languages")
    assert [tuple(row) for row in rows] == [(person, "en")]
    from bot.roster.privacy import erase_personal_data, personal_data_json

    data = bot.app.bot_data
    found = await bot.people.get(person)
    assert found is not None
    exported = await personal_data_json(data.db, data.personal_data, found, bot.clock.now())
    assert "notice_client_languages" in exported.decode()
    await erase_personal_data(data.db, data.personal_data, found, bot.clock.now())
    assert await db.fetchall("SELECT * FROM notice_client_languages") == []


def photo_with_caption(bot: BotHarness, caption: str) -> dict[str, object]:
    """A photo sent by the admin with `caption`, its /notice marked as Telegram marks it."""
    photo = [{"file_id": "ph1", "file_unique_id": "u1", "width": 10, "height": 10}]
    update = bot.factory.message(bot.user(ADMIN_ID, "Sec"), "", photo=photo, caption=caption)
    message = update["message"]
    del message["text"]
    message.pop("entities", None)
    message["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": 7}]
    return update


async def caption_answer(bot: BotHarness, caption: str) -> list[str]:
    before = len(bot.api.calls)
    await bot.feed(photo_with_caption(bot, caption))
    return bot.texts_to(ADMIN_ID, bot.api.calls[before:])


async def test_photo_caption_with_the_text_below_the_options(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    caption = "/notice audience=all\nPhotos of the annual meeting\nSee you next year"
    update = photo_with_caption(bot, caption)
    bold = caption.index("annual")
    update["message"]["caption_entities"].append({"type": "bold", "offset": bold, "length": 6})
    before = len(bot.api.calls)
    await bot.feed(update)
    calls = bot.api.calls[before:]
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "With a photo" in preview and "the <b>annual</b> meeting" in preview
    await bot.tap(bot.user(ADMIN_ID, "Sec"), confirm_data(calls))
    await settle(bot)
    [sent] = bot.api.sent(101, "sendPhoto")
    assert sent.params["photo"] == "ph1"
    assert sent.text == "Photos of the <b>annual</b> meeting\nSee you next year"


async def test_photo_caption_without_text_gets_usage_and_example(bot: BotHarness) -> None:
    for caption in ("/notice audience=all", "/notice audience=council lang=en", "/notice"):
        answer = await caption_answer(bot, caption)
        assert "goes in the caption" in answer[0], caption
        assert "Usage: /notice" in answer[1] and "Example:" in answer[1], caption
    assert await service_notices(bot) == []
    await bot.people.set_language(1, "zh", bot.clock.now())
    answer = await caption_answer(bot, "/notice audience=all")
    assert "说明" in answer[0] and "/notice" in answer[1]


async def test_text_on_the_command_line_itself_is_the_notice(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    answer = await caption_answer(bot, "/notice audience=council The hall is booked")
    assert "With a photo" in answer[-1] and "the council" in answer[-1]
    assert "The hall is booked" in answer[-1]
    answer = await caption_answer(bot, "/notice Meeting photos\nmore below")
    assert "Meeting photos\nmore below" in answer[-1]
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, '/notice cron="0 9 * * 1" Weekly reminder')
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "every Monday at 09:00" in preview and "Weekly reminder" in preview
    calls = await bot.send(admin, "/notice audiense=all Typo in an option")
    assert "I cannot read this option: audiense=all" in bot.texts_to(ADMIN_ID, calls)[0]
    assert await service_notices(bot) == ["draft", "draft", "draft"]  # nothing sent unconfirmed


@approval_required
async def test_a_decision_made_while_requests_go_out_closes_the_later_ones_too(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_person(bot, "Second", 5001, role="secretariat")
    await add_person(bot, "Third", 5002, role="secretariat")
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nQuick decision")
    repo = service(bot).stores.approvals
    record = repo.add_approval_request

    async def record_after_a_fast_approval(notice_id: int, request: ApprovalRequest) -> None:
        if request.person_id == 3:  # Third's request is out; Second approves before it is noted
            await bot.tap(bot.user(5001, "Second"), "ntc:apr:1")
        await record(notice_id, request)

    monkeypatch.setattr(repo, "add_approval_request", record_after_a_fast_approval)
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    for chat_id in (5001, 5002):
        assert "reply_markup" not in bot.api.messages[(chat_id, 1)], chat_id
    assert "already been handled" in bot.api.messages[(5002, 1)]["text"]
    author = bot.texts_to(ADMIN_ID)
    assert any("approved by Second" in t for t in author)
    assert not any("waits for" in t for t in author)
