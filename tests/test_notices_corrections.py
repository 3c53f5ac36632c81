"""Corrections and recalls of delivered notices, and the channel copy."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_application, on_shutdown, on_startup
from bot.config import Settings
from bot.notices.service import NoticeService
from bot.transport import ApiCall, ApiError
from tests.harness import ADMIN_ID, BotHarness
from tests.test_notices import add_person, confirm_data, service, settle

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

CHANNEL = "-1001234567890"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Fast delivery for tests, and the association's channel."""
    return Settings(
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        broadcast_rate=1000,
        notice_channel=CHANNEL,
    )


def like_telegram(bot: BotHarness, edits: Counter[tuple[int, int]], marker: str) -> None:
    """Edits as Telegram answers them: an edit to the same text is refused as not modified.

    `edits` counts the edits that changed a copy of the notice (its text holds `marker`).
    """

    def edit(call: ApiCall) -> None:
        key = (int(call.chat_id or 0), int(call.params["message_id"]))
        stored = bot.api.messages.get(key, {})
        if stored.get("text") == call.params.get("text"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message")
        if marker in str(call.params.get("text")):
            edits[key] += 1

    bot.api.responders["editMessageText"] = edit


def texts_shown(bot: BotHarness, chat_ids: list[int], marker: str) -> dict[int, str]:
    """What each member's copy of the notice shows now (after edits)."""
    shown = {}
    for (chat, _), message in bot.api.messages.items():
        if chat in chat_ids and str(message.get("text", "")).startswith(marker):
            shown[chat] = str(message["text"])
    return shown


async def deliver(bot: BotHarness, text: str, options: str = "") -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, f"/notice {options}\n{text}")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)


async def correct(bot: BotHarness, command: str) -> list[ApiCall]:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, command)
    return await bot.tap(admin, confirm_data(calls))


async def test_correction_edits_every_delivered_copy_and_keeps_the_receipt_button(
    bot: BotHarness,
) -> None:
    members = [101, 102, 103]
    for chat in members:
        await add_person(bot, f"M{chat}", chat)
    await deliver(bot, "Meeting on Friday at 9", "ack=yes")
    await bot.tap(bot.user(101, "M101"), "ntc:ack:1", bot.api.last_message_to(101))
    edits: Counter[tuple[int, int]] = Counter()
    like_telegram(bot, edits, "Meeting on Friday")

    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice 1 edit\nMeeting on Friday at 10")
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "Correction of notice #1" in preview and "Meeting on Friday at 10" in preview
    assert "4 delivered copies will be edited; 0 not sent yet" in preview
    assert not edits  # nothing is edited before Confirm
    calls = await bot.tap(admin, confirm_data(calls))
    started = bot.texts_to(ADMIN_ID, calls)
    assert any("editing 4 delivered copies of notice #1" in text for text in started)
    await settle(bot)

    shown = texts_shown(bot, members, "Meeting on Friday")
    assert shown == {chat: "Meeting on Friday at 10" for chat in members}
    assert sorted(edits.values()) == [1, 1, 1, 1]
    marks = {
        int(c.chat_id or 0): c.button_texts()
        for c in bot.api.calls
        if c.method == "editMessageText" and c.chat_id in members
    }
    assert marks[101] == ["✅ Received / 已收到"] and marks[102] == ["Received / 收到"]
    report = bot.texts_to(ADMIN_ID)[-1]
    assert "Correction #2 of notice #1 finished (4 copies)" in report and "edited: 4" in report


async def test_guided_correction_asks_for_the_text_then_previews(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    await deliver(bot, "Dues: 100 yuan")
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice 1 edit")
    assert "Send the corrected text of notice #1" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(admin, "Dues: 120 yuan")
    assert "Dues: 120 yuan" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert texts_shown(bot, [101], "Dues") == {101: "Dues: 120 yuan"}


async def test_copies_telegram_no_longer_lets_the_bot_edit_are_reported(bot: BotHarness) -> None:
    for chat in (101, 102):
        await add_person(bot, f"M{chat}", chat, unit="Unit")

    def refuse(call: ApiCall) -> None:
        if call.chat_id == 102:
            raise ApiError(400, "Bad Request: message can't be edited")

    await deliver(bot, "Venue: hall A")
    bot.api.responders["editMessageText"] = refuse
    await correct(bot, "/notice 1 edit\nVenue: hall B")
    await settle(bot)
    report = bot.texts_to(ADMIN_ID)[-1]
    assert "edited: 2" in report and "Telegram no longer lets the bot edit: 1" in report
    calls = await bot.tap(bot.user(ADMIN_ID, "Sec"), "ntc:unr:2", bot.api.last_message_to(ADMIN_ID))
    assert any("M102" in t for t in bot.texts_to(ADMIN_ID, calls))


async def test_correction_of_a_scheduled_notice_sends_the_new_text(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice at=2026-11-29T09:00\nOld text")
    await bot.tap(admin, confirm_data(calls))
    await correct(bot, "/notice 1 edit\nNew text")
    await settle(bot)
    bot.clock.set(bot.clock.now() + timedelta(days=1))
    await service(bot).fire(1, (await service(bot).repo.get(1)).due_at)  # type: ignore[union-attr]
    await settle(bot)
    sent = [c.text for c in bot.api.calls if c.method == "sendMessage" and c.chat_id == 101]
    assert sent == ["New text"]


async def test_correction_during_a_delivery_reaches_everyone_with_the_new_text(
    bot: BotHarness,
) -> None:
    members = list(range(10_000, 10_300))
    for chat in members:
        await add_person(bot, f"M{chat}", chat)
    edits: Counter[tuple[int, int]] = Counter()
    like_telegram(bot, edits, "Gala at")
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nGala at 18:00")
    await bot.tap(admin, confirm_data(calls))  # the delivery runs on while we correct
    await correct(bot, "/notice 1 edit\nGala at 19:00")
    await settle(bot)
    await settle(bot)
    shown = texts_shown(bot, members, "Gala at")
    assert shown == {chat: "Gala at 19:00" for chat in members}
    assert all(count == 1 for count in edits.values())
    sent_new = [c for c in bot.api.calls if c.method == "sendMessage" and c.text == "Gala at 19:00"]
    assert 0 < len(sent_new) < len(members)  # the correction landed mid-delivery


async def test_crash_in_the_middle_of_a_correction_edits_nobody_twice_and_nobody_is_left_out(
    bot: BotHarness, settings: Settings
) -> None:
    members = list(range(20_000, 20_120))
    for chat in members:
        await add_person(bot, f"M{chat}", chat)
    await deliver(bot, "Assembly in room 1")
    edits: Counter[tuple[int, int]] = Counter()
    like_telegram(bot, edits, "Assembly in room")
    svc = service(bot)
    edit_calls = bot.api.responders["editMessageText"]

    def crash_after_forty(call: ApiCall) -> None:
        edit_calls(call)
        if sum(edits.values()) == 40:
            svc.tasks[2].cancel()  # the process dies here: no outcome written after this

    bot.api.responders["editMessageText"] = crash_after_forty
    await correct(bot, "/notice 1 edit\nAssembly in room 2")
    task = svc.tasks.get(2)
    if task is not None:
        with pytest.raises(BaseException):  # noqa: B017 - cancelled like a killed process
            await task
    rows = await bot.app.bot_data.db.fetchall(
        "SELECT state, COUNT(*) AS n FROM notice_outbox WHERE notice_id = 2 GROUP BY state"
    )
    at_crash = {row["state"]: row["n"] for row in rows}
    assert at_crash.get("pending", 0) > 0 and at_crash.get("sent", 0) > 0
    bot.api.responders["editMessageText"] = edit_calls

    # A new process on the same database and the same Telegram.
    await on_shutdown(bot.app)
    restarted = build_application(settings, request=bot.api, clock=bot.clock)
    async with restarted:
        await on_startup(restarted)
        try:
            again: NoticeService = restarted.bot_data.notices
            await again.resume()
            for pending in list(again.tasks.values()):
                await pending
        finally:
            await on_shutdown(restarted)
    await on_startup(bot.app)  # the fixture shuts the first one down again

    shown = texts_shown(bot, [*members, ADMIN_ID], "Assembly in room")
    assert shown == {chat: "Assembly in room 2" for chat in [*members, ADMIN_ID]}
    assert sorted(set(edits.values())) == [1]  # no copy changed twice
    assert len(edits) == len(members) + 1  # and none left out
    report = [t for t in bot.texts_to(ADMIN_ID) if "Correction #2" in t][-1]
    assert "edited: 121" in report


async def test_recall_deletes_copies_within_48_hours_and_reports_the_others(
    bot: BotHarness,
) -> None:
    for chat in (101, 102, 103):
        await add_person(bot, f"M{chat}", chat)
    await deliver(bot, "Wrong notice")
    old = bot.clock.now() - timedelta(hours=49)
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.execute(
            "UPDATE notice_outbox SET sent_at = ? WHERE chat_id = 103",
            (old.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),),
        )

    def refuse(call: ApiCall) -> None:
        if call.chat_id == 102:
            raise ApiError(400, "Bad Request: message can't be deleted for everyone")

    bot.api.responders["deleteMessage"] = refuse
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice 1 recall")
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "Recall of notice #1" in preview
    assert "3 delivered copies will be deleted; 1 are older than 48 hours" in preview
    assert not [c for c in bot.api.calls if c.method == "deleteMessage"]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    deleted = sorted(int(c.chat_id or 0) for c in bot.api.calls if c.method == "deleteMessage")
    assert deleted == [101, 102, ADMIN_ID]  # the 49-hour-old copy is not even tried
    report = bot.texts_to(ADMIN_ID)[-1]
    assert "deleted: 2" in report and "could not be deleted" in report and ": 2" in report


async def test_recall_stops_a_running_delivery_first(bot: BotHarness) -> None:
    members = list(range(30_000, 30_300))
    for chat in members:
        await add_person(bot, f"M{chat}", chat)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nSent by mistake")
    await bot.tap(admin, confirm_data(calls))
    await correct(bot, "/notice 1 recall")
    await settle(bot)
    await settle(bot)
    sends = [c for c in bot.api.calls if c.method == "sendMessage" and c.text == "Sent by mistake"]
    deletes = [c for c in bot.api.calls if c.method == "deleteMessage"]
    assert 0 < len(sends) < len(members) + 1  # stopped part-way
    assert sorted(int(c.chat_id or 0) for c in deletes) == sorted(
        int(c.chat_id or 0) for c in sends
    )
    last_send = max(i for i, c in enumerate(bot.api.calls) if c in sends)
    first_delete = min(i for i, c in enumerate(bot.api.calls) if c.method == "deleteMessage")
    assert last_send < first_delete
    notice = await service(bot).repo.get(1)
    assert notice is not None and notice.status == "cancelled"


async def test_channel_copy_is_posted_once_without_a_receipt_button(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice channel=yes ack=yes\nOpen day on Sunday")
    assert f"Also posted to {CHANNEL}" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    await service(bot).resume()  # a restart after the post does not post again
    await settle(bot)
    posts = [c for c in bot.api.calls if c.chat_id == int(CHANNEL) and c.method == "sendMessage"]
    assert len(posts) == 1 and posts[0].text == "Open day on Sunday"
    assert posts[0].button_texts() == []
    member_copy = [c for c in bot.api.calls if c.chat_id == 101 and c.method == "sendMessage"]
    assert member_copy[0].button_texts() == ["Received / 收到"]
    report = bot.texts_to(ADMIN_ID)[-1]
    assert "(3 recipients)" in report and "confirmed so far: 0 of 2" in report

    await correct(bot, "/notice 1 edit\nOpen day on Saturday")
    await settle(bot)
    edited = [c for c in bot.api.calls if c.method == "editMessageText"]
    assert int(CHANNEL) in {int(c.chat_id or 0) for c in edited}


async def test_channel_yes_without_a_channel_is_refused(tmp_path: Path) -> None:
    plain = Settings(db_path=tmp_path / "x.sqlite3", admin_ids=frozenset({ADMIN_ID}))
    from bot.clock import FixedClock
    from tests.conftest import START
    from tests.harness import RecordingBotApi

    api = RecordingBotApi()
    app = build_application(plain, request=api, clock=FixedClock(START))
    harness = BotHarness(app=app, api=api, clock=FixedClock(START))
    async with app:
        await on_startup(app)
        try:
            calls = await harness.send(harness.user(ADMIN_ID, "Sec"), "/notice channel=yes\nHi")
        finally:
            await on_shutdown(app)
    assert "set ASSOC_NOTICE_CHANNEL" in harness.texts_to(ADMIN_ID, calls)[0]
    assert not any("Confirm" in label for c in calls for label in c.button_texts())


async def test_guided_form_asks_whether_to_post_to_the_channel(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice")
    await bot.tap(admin, "ntc:aud:all")
    await bot.tap(admin, "ntc:cat:official")
    calls = await bot.tap(admin, "ntc:rcp:no")
    assert f"Post it to {CHANNEL} as well?" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, "ntc:chn:yes")
    await bot.send(admin, "/skip")
    await bot.send(admin, "Open day")
    calls = await bot.send(admin, "now")
    assert f"Also posted to {CHANNEL}" in bot.texts_to(ADMIN_ID, calls)[-1]
