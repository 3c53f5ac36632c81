"""Notices: composing, approving, scheduling, delivering and reporting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.notices.service import NoticeService
from bot.transport import ApiCall, ApiError
from storage.timestamps import to_db
from tests.harness import ADMIN_ID, BotHarness

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Fast delivery for tests."""
    return Settings(
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        broadcast_rate=1000,
    )


async def add_person(
    bot: BotHarness,
    name: str,
    telegram_id: int | None,
    *,
    role: str = "member",
    language: str | None = "en",
    unit: str = "",
    news: bool = True,
    reachable: bool = True,
) -> int:
    """A roster entry, as the roster import would store it."""
    now = to_db(bot.clock.now())
    async with bot.app.bot_data.db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO persons (name, unit, role, telegram_id, language, news_enabled,"
            " reachable, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, unit, role, telegram_id, language, int(news), int(reachable), now, now),
        )
    return int(cursor.lastrowid or 0)


def service(bot: BotHarness) -> NoticeService:
    return bot.app.bot_data.notices


async def settle(bot: BotHarness) -> None:
    """Wait for the running deliveries to finish."""
    tasks = list(service(bot).tasks.values())
    if tasks:
        await asyncio.wait_for(asyncio.gather(*tasks), 10)


def confirm_data(calls: list[ApiCall]) -> str:
    [data] = [d for call in calls for d in call.callback_data() if d.startswith("ntc:ok:")]
    return data


def notice_texts(bot: BotHarness, chat_id: int) -> list[str]:
    return [c.text for c in bot.api.sent(chat_id) if c.method in ("sendMessage", "sendPhoto")]


async def test_one_line_notice_previews_then_reaches_each_member_in_their_language(
    bot: BotHarness,
) -> None:
    await add_person(bot, "Ann", 101, language="en")
    await add_person(bot, "Li", 102, language="zh")
    await add_person(bot, "Bo", 103, language=None)
    await bot.send(bot.user(103, "Bo", "zh-hans"), "/help")  # no language chosen: the app's
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(
        admin, "/notice audience=all\n会议改到周五。\n---\nThe meeting moves to Friday."
    )
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "Preview of notice #1" in preview
    assert "会议改到周五" in preview and "moves to Friday" in preview
    assert any("Confirm" in label for c in calls for label in c.button_texts())
    assert notice_texts(bot, 101) == []

    calls = await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert notice_texts(bot, 101) == ["The meeting moves to Friday."]
    assert notice_texts(bot, 102) == ["会议改到周五。"]
    assert notice_texts(bot, 103)[1:] == ["会议改到周五。"]  # after the answer to /help
    report = bot.texts_to(ADMIN_ID)[-1]
    assert "delivered: 4" in report  # the admin is secretariat, so a recipient too


async def test_formatting_of_the_author_is_kept(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    body = "Please read the agenda carefully"
    text = f"/notice audience=council lang=en\n{body}"
    head = len("/notice audience=council lang=en") + 1
    entities = [
        {"type": "bot_command", "offset": 0, "length": 7},
        {"type": "bold", "offset": head + 16, "length": 6},
        {"type": "text_link", "offset": head + 12, "length": 3, "url": "https://example.org/a"},
    ]
    before = len(bot.api.calls)
    await bot.feed(bot.factory.message(admin, text, entities=entities))
    calls = bot.api.calls[before:]
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert 'read <a href="https://example.org/a">the</a> <b>agenda</b> carefully' in preview


async def test_report_counts_blocked_never_started_failed_and_lists_them(bot: BotHarness) -> None:
    await add_person(bot, "Ok", 101)
    await add_person(bot, "Blocker", 102, unit="Unit B")
    await add_person(bot, "Gone", 103, unit="Unit C")
    await add_person(bot, "Unbound", None, unit="Unit D")
    await add_person(bot, "Broken", 105)
    await add_person(bot, "Muted", 106, news=False)

    def respond(call: ApiCall) -> None:
        if call.chat_id == 102:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if call.chat_id == 103:
            raise ApiError(400, "Bad Request: chat not found")
        if call.chat_id == 105:
            raise ApiError(400, "Bad Request: message is too long")

    bot.api.responders["sendMessage"] = respond
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice category=news\nNews of the week")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert notice_texts(bot, 106) == []
    report_call = bot.api.sent(ADMIN_ID)[-1]
    assert "delivered: 2" in report_call.text  # Ok and the admin
    assert "blocked the bot: 1" in report_call.text
    assert "never started the bot: 2" in report_call.text
    assert "failed: 1" in report_call.text
    [button] = report_call.callback_data()
    calls = await bot.tap(admin, button)
    listing = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "Blocker — Unit B (blocked the bot)" in listing
    assert "Unbound — Unit D (never started the bot)" in listing
    assert "Gone — Unit C (never started the bot)" in listing
    people = bot.people
    blocker = await people.get_by_telegram_id(102)
    assert blocker is not None and not blocker.reachable

    # Later notices skip the blocked person without trying.
    bot.api.responders.pop("sendMessage")
    calls = await bot.send(admin, "/notice\nSecond")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert [c.text for c in bot.api.sent(102)] == ["News of the week"]


async def test_timed_out_send_counts_as_uncertain_and_is_not_retried(bot: BotHarness) -> None:
    await add_person(bot, "Slow", 101)
    from telegram.error import TimedOut

    def respond(call: ApiCall) -> None:
        if call.chat_id == 101:
            raise TimedOut()

    bot.api.responders["sendMessage"] = respond
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nHello")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert len(bot.api.sent(101)) == 1
    report = bot.texts_to(ADMIN_ID)[-1]
    assert "delivered: 1" in report and "not sent again): 1" in report


async def test_guided_notice_with_photo_and_two_versions(bot: BotHarness) -> None:
    await add_person(bot, "Li", 102, language="zh")
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice")
    await bot.tap(admin, "ntc:aud:all")
    await bot.tap(admin, "ntc:cat:official")
    await bot.tap(admin, "ntc:rcp:no")
    photo = [{"file_id": "ph1", "file_unique_id": "u1", "width": 10, "height": 10}]
    update = bot.factory.message(admin, "", photo=photo, caption="年会照片")
    del update["message"]["text"]
    await bot.feed(update)
    await bot.send(admin, "Photos of the annual meeting")
    calls = await bot.send(admin, "now")
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "With a photo" in preview and "年会照片" in preview
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    [sent] = bot.api.sent(102, "sendPhoto")
    assert sent.params["photo"] == "ph1" and sent.text == "年会照片"


async def test_guided_form_can_be_cancelled(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice")
    calls = await bot.send(admin, "/cancel")
    assert "nothing was sent" in bot.texts_to(ADMIN_ID, calls)[-1]


@pytest.mark.settings(notice_approval=2)
async def test_second_secretariat_member_must_approve(bot: BotHarness, tmp_path: Path) -> None:
    await add_person(bot, "Second", 5001, role="secretariat")
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nNeeds approval")
    calls = await bot.tap(admin, confirm_data(calls))
    assert "waits for a second" in bot.texts_to(ADMIN_ID, calls)[-1]
    [request] = [c for c in calls if c.chat_id == 5001]
    assert notice_texts(bot, 101) == []
    calls = await bot.tap(admin, "ntc:apr:1", message=bot.api.last_message_to(ADMIN_ID))
    assert "another secretariat member" in bot.texts_to(ADMIN_ID, calls)[-1]
    second = bot.user(5001, "Second")
    await bot.tap(second, request.callback_data()[0])
    await settle(bot)
    assert notice_texts(bot, 101) == ["Needs approval"]


async def test_bad_input_and_non_secretariat_are_refused(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice audience=everyone\nText")
    assert any("Usage:" in text for text in bot.texts_to(ADMIN_ID, calls))
    calls = await bot.send(admin, "/notice at=2020-01-01T09:00\nText")
    assert "is in the past" in bot.texts_to(ADMIN_ID, calls)[0]
    calls = await bot.send(admin, "/cancelnotice abc")
    assert "Usage:" in bot.texts_to(ADMIN_ID, calls)[0]
    member = bot.user(101, "Ann")
    calls = await bot.send(member, "/notice\nHi")
    assert "only for the secretariat" in bot.texts_to(101, calls)[0]


async def test_blocking_and_restarting_the_bot_updates_reachability(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    user = bot.user(101, "Ann")
    blocked = bot.factory.my_chat_member(user, "kicked")
    blocked["my_chat_member"]["new_chat_member"]["until_date"] = 0
    await bot.feed(blocked)
    person = await bot.people.get_by_telegram_id(101)
    assert person is not None and not person.reachable
    restarted = bot.factory.my_chat_member(user, "member")
    restarted["my_chat_member"]["old_chat_member"]["until_date"] = 0
    await bot.feed(restarted)
    person = await bot.people.get_by_telegram_id(101)
    assert person is not None and person.reachable


async def test_network_errors_before_sending_are_retried_with_backoff(bot: BotHarness) -> None:
    await add_person(bot, "Flaky", 101)
    await add_person(bot, "Down", 102)
    failures = {101: 1}

    def respond(call: ApiCall) -> None:
        if call.chat_id == 101 and failures[101]:
            failures[101] -= 1
            raise httpx.ConnectError("Connection refused")
        if call.chat_id == 102:
            raise httpx.ConnectError("Connection refused")

    bot.api.responders["sendMessage"] = respond
    service(bot).backoff = 0.01
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nRetry me")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert len(bot.api.sent(101)) == 2
    assert len(bot.api.sent(102)) == 5  # MAX_ATTEMPTS, then failed with the reason
    counts = await service(bot).outbox.counts(1)
    assert counts == {"sent": 2, "failed": 1}
    [failed] = await service(bot).outbox.unreachable(1)
    assert "Connection refused" in failed.reason


async def test_guided_notice_skipping_chinese_scheduled_for_later(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice")
    await bot.tap(admin, "ntc:aud:council")
    await bot.tap(admin, "ntc:cat:news")
    await bot.tap(admin, "ntc:rcp:no")
    calls = await bot.send(admin, "/skip")
    assert "English version" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(admin, "Council news")
    assert "When?" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(admin, "next week")
    assert "YYYY-MM-DD HH:MM" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(admin, "2026-11-28 18:00")
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "the council" in preview and "news" in preview and "Council news" in preview
    calls = await bot.tap(admin, confirm_data(calls))
    assert "scheduled: Sat, 28 Nov 2026 18:00" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(admin, "/cancelnotice #1")
    assert "Notice #1 cancelled" in bot.texts_to(ADMIN_ID, calls)[-1]
    queue = bot.app.job_queue
    assert queue is not None
    assert all(job.removed for job in queue.get_jobs_by_name("notice-1"))


async def test_one_line_notice_with_a_document(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    update = bot.factory.document(admin, "doc7", "agenda.pdf", caption="/notice\nThe agenda")
    update["message"]["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": 7}]
    before = len(bot.api.calls)
    await bot.feed(update)
    calls = bot.api.calls[before:]
    assert "With a document" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    [sent] = bot.api.sent(101, "sendDocument")
    assert sent.params["document"] == "doc7" and sent.text == "The agenda"


async def test_bare_cancelnotice_offers_the_active_notices(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/cancelnotice")
    assert "No notice is scheduled" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(admin, "/notice at=2026-12-24T09:00\nSeason's greetings")
    await bot.tap(admin, confirm_data(calls))
    calls = await bot.send(admin, "/cancelnotice")
    [offer] = [c for c in calls if c.callback_data()]
    assert offer.callback_data() == ["ntc:cx:1"]
    assert "Season's greetings" in offer.button_texts()[0]
    calls = await bot.tap(admin, "ntc:cx:1")
    assert "Notice #1 cancelled" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.tap(admin, "ntc:cx:1")
    assert "nothing to cancel" in bot.texts_to(ADMIN_ID, calls)[-1]
    intruder = bot.user(101, "Ann")
    calls = await bot.tap(intruder, "ntc:cx:1", message=bot.api.last_message_to(ADMIN_ID))
    assert "only for the secretariat" in bot.alerts(calls)[0]


async def test_author_sees_progress_edited_while_sending(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.notices.author_reports.PROGRESS_EVERY", 0.05)
    for n in range(119):
        await add_person(bot, f"M{n}", 1000 + n)
    svc = service(bot)
    svc.limiter.interval = 1 / 100
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nProgress please")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    edits = [c.text for c in bot.api.sent(ADMIN_ID, "editMessageText")]
    assert len(edits) >= 2
    assert all("Notice #1:" in text and "/120 done" in text and "/s" in text for text in edits)
    assert "120/120 done" in edits[-1]
    assert any("left" in text and "…" not in text for text in edits)
