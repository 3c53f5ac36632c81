"""Receipts: the "Received / 收到" button, /notices ID, follow-ups, and the preview's counts."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from bot.config import Settings
from tests.harness import ADMIN_ID, BotHarness
from tests.test_notices import add_person, confirm_data, settle

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Fast delivery for tests."""
    return Settings(
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        broadcast_rate=1000,
    )


def copy_of(bot: BotHarness, chat_id: int, text: str) -> dict[str, object]:
    """The message holding the notice in a member's chat, as it stands after edits."""
    [message] = [
        m for (chat, _), m in bot.api.messages.items() if chat == chat_id and text in str(m)
    ]
    return message


def labels(message: dict[str, object]) -> list[str]:
    markup = message.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def send_ack_notice(bot: BotHarness, text: str = "Please confirm the date") -> list[str]:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, f"/notice ack=yes\n{text}")
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    return [preview]


async def test_receipt_button_records_once_and_marks_the_copy_done(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    await add_person(bot, "Bo", 102)
    [preview] = await send_ack_notice(bot)
    assert "Receipts: asked" in preview
    copy = copy_of(bot, 101, "Please confirm the date")
    assert labels(copy) == ["Received / 收到"]

    ann = bot.user(101, "Ann")
    calls = await bot.tap(ann, "ntc:ack:1", copy)
    assert bot.alerts(calls) == ["Thank you: your receipt of notice #1 is recorded."]
    assert labels(copy_of(bot, 101, "Please confirm the date")) == ["✅ Received / 已收到"]

    calls = await bot.tap(ann, "ntc:ack:1", copy)
    [alert] = bot.alerts(calls)
    assert "already confirmed notice #1" in alert and "nothing changed" in alert
    assert not [c for c in calls if c.method.startswith("edit")]
    rows = await bot.app.bot_data.db.fetchall("SELECT person_id FROM notice_receipts")
    assert len(rows) == 1

    stranger = bot.user(777, "Eve")
    calls = await bot.tap(stranger, "ntc:ack:1", copy)
    assert "not for you" in bot.alerts(calls)[0]


async def test_notice_without_receipts_has_no_button(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nNo receipt needed")
    assert "Receipts: not asked" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert labels(copy_of(bot, 101, "No receipt needed")) == []


async def test_final_report_and_notices_id_show_who_has_not_confirmed(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101, unit="Unit A")
    await add_person(bot, "Bo", 102, unit="Unit B")
    await add_person(bot, "Cy", 103, unit="Unit C")
    await add_person(bot, "Unbound", None)
    await send_ack_notice(bot)
    report = [t for t in bot.texts_to(ADMIN_ID) if "finished" in t][-1]
    assert "confirmed so far: 0 of 4" in report  # three members and the secretary
    await bot.tap(bot.user(101, "Ann"), "ntc:ack:1", copy_of(bot, 101, "Please confirm"))

    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notices 1")
    text = "\n".join(bot.texts_to(ADMIN_ID, calls))
    assert "delivered: 4" in text and "never started the bot: 1" in text
    assert "confirmed 1 of 4" in text
    assert "Bo — Unit B" in text and "Cy — Unit C" in text and "Ann — Unit A" not in text
    buttons = [label for call in calls for label in call.button_texts()]
    assert "Remind those who have not confirmed / 提醒未确认者" in buttons


async def test_reminder_goes_only_to_those_who_have_not_confirmed(bot: BotHarness) -> None:
    for n in range(3):
        await add_person(bot, f"M{n}", 101 + n)
    await send_ack_notice(bot, "Annual dues are due")
    await bot.tap(bot.user(101, "M0"), "ntc:ack:1", copy_of(bot, 101, "Annual dues"))
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notices 1")
    before = len(bot.api.calls)
    calls = await bot.tap(admin, "ntc:rmd:1")
    assert any("reminding the 3 people" in t for t in bot.texts_to(ADMIN_ID, calls))
    await settle(bot)
    follow_ups = [
        c
        for c in bot.api.calls[before:]
        if c.method == "sendMessage" and "Please confirm" in c.text
    ]
    assert sorted(int(c.chat_id or 0) for c in follow_ups) == [102, 103, ADMIN_ID]
    assert all("Annual dues are due" in c.text for c in follow_ups)
    assert all(c.callback_data() == ["ntc:ack:1"] for c in follow_ups)
    report = bot.texts_to(ADMIN_ID)[-1]
    assert "Follow-up to those who have not confirmed notice #1" in report
    assert "delivered: 3" in report

    # A tap on the follow-up confirms the notice itself.
    reminder = bot.api.last_message_to(102)
    await bot.tap(bot.user(102, "M1"), "ntc:ack:1", reminder)
    calls = await bot.send(admin, "/notices 1")
    assert "confirmed 2 of 4" in "\n".join(bot.texts_to(ADMIN_ID, calls))


async def test_long_list_of_unconfirmed_names_is_paged_under_telegrams_limit(
    bot: BotHarness,
) -> None:
    for n in range(300):
        await add_person(bot, f"Member number {n:03d} " + "名" * 10, 10_000 + n, unit="单位" * 5)
    await send_ack_notice(bot)
    calls = await bot.send(bot.user(ADMIN_ID, "Sec"), "/notices 1")
    pages = bot.texts_to(ADMIN_ID, calls)
    assert len(pages) >= 3
    assert all(len(page) < 4096 for page in pages)
    joined = "\n".join(pages)
    assert all(f"Member number {n:03d}" in joined for n in range(300))
    assert calls[-1].button_texts()[0].startswith("Remind those")


async def test_guided_form_asks_for_receipts(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice")
    await bot.tap(admin, "ntc:aud:all")
    calls = await bot.tap(admin, "ntc:cat:official")
    assert "Ask for receipts?" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, "ntc:rcp:yes")
    await bot.send(admin, "/skip")
    await bot.send(admin, "Guided with receipts")
    calls = await bot.send(admin, "now")
    assert "Receipts: asked" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert labels(copy_of(bot, 101, "Guided with receipts")) == ["Received / 收到"]


async def test_preview_counts_each_language_and_warns_of_a_missing_version(
    bot: BotHarness,
) -> None:
    await add_person(bot, "Ann", 101, language="en")
    await add_person(bot, "Li", 102, language="zh")
    await add_person(bot, "Wang", 103, language="zh")
    await add_person(bot, "Unbound", None, language="zh")
    admin = bot.user(ADMIN_ID, "Sec")  # secretariat, reads English
    calls = await bot.send(admin, "/notice\nThe hall is booked for Friday.")
    preview = html.unescape(bot.texts_to(ADMIN_ID, calls)[-1])
    assert "Recipients: 5 (Chinese 3, English 2)" in preview
    assert "1 cannot be reached" in preview
    assert "English only (no Chinese version)" in preview
    assert "no Chinese version: 3 Chinese readers will get the English text" in preview
    assert "each member's own" not in preview

    calls = await bot.send(admin, "/notice\n会堂周五已预订。\n---\nThe hall is booked.")
    preview = html.unescape(bot.texts_to(ADMIN_ID, calls)[-1])
    assert "each member's own" in preview and "⚠️" not in preview


async def test_impossible_day_past_time_and_bad_format_say_what_is_wrong(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice at=2026-02-30T09:00\nText")
    assert "there is no such day: 2026-02 has 28 days" in bot.texts_to(ADMIN_ID, calls)[0]
    calls = await bot.send(admin, "/notice at=2026-13-01T09:00\nText")
    assert "there is no month 13" in bot.texts_to(ADMIN_ID, calls)[0]
    calls = await bot.send(admin, "/notice at=2026-11-01T09:00\nText")
    assert "is in the past (now it is 2026-11-28 10:00)" in bot.texts_to(ADMIN_ID, calls)[0]
    calls = await bot.send(admin, "/notice at=tomorrow\nText")
    texts = bot.texts_to(ADMIN_ID, calls)
    assert "cannot read the time “tomorrow”" in texts[0]
    # Examples carry dates a week from today (the test clock says 2026-11-28), never past ones.
    assert "at=2026-12-05T09:00" in texts[0] and "at=2026-12-05T09:00" in texts[-1]
    assert "2026-12-01T09:00" not in texts[-1]


async def test_the_hints_own_format_with_a_space_is_accepted(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice at=2026-12-05 09:00 audience=council\nHall booked")
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "Preview of notice #1" in preview
    assert "Sat, 5 Dec 2026 09:00" in preview and "council" in preview
    assert "09:00 audience" not in preview  # the time is not taken for the text
    calls = await bot.send(admin, "/notice at=2026-12-05 09:00 Hall booked on one line")
    assert "Hall booked on one line" in bot.texts_to(ADMIN_ID, calls)[-1]


async def test_newmeeting_usage_example_is_dated_from_today(bot: BotHarness) -> None:
    calls = await bot.send(bot.user(ADMIN_ID, "Sec"), "/newmeeting Only a title")
    text = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "2026-12-05 14:30" in text and "2026-12-15" not in text


async def test_forgetme_erases_the_members_receipts(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    await send_ack_notice(bot)
    ann = bot.user(101, "Ann")
    await bot.tap(ann, "ntc:ack:1", copy_of(bot, 101, "Please confirm"))
    assert await bot.app.bot_data.db.fetchall("SELECT 1 FROM notice_receipts")
    await bot.send(ann, "/forgetme")
    await bot.tap(ann, "fg:ask")
    await bot.tap(ann, "fg:yes")
    assert await bot.app.bot_data.db.fetchall("SELECT 1 FROM notice_receipts") == []
