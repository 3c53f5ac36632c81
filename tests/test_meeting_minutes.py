"""Minutes: `/minutes ID [to=present]`, then a document or text, through the notice delivery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.console import html_to_text
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import checkin_payload, confirmed_meeting, council

STARTS = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)


async def settle(bot: BotHarness) -> None:
    """Wait for the running deliveries to finish."""
    tasks = list(bot.app.bot_data.notices.tasks.values())
    if tasks:
        await asyncio.wait_for(asyncio.gather(*tasks), 10)


def confirm_data(bot: BotHarness) -> str:
    [data] = [
        d
        for call in reversed(bot.api.calls)
        for d in call.callback_data()
        if d.startswith("mtgmin:")
    ][:1]
    return data


async def test_text_minutes_reach_everyone_invited_after_confirm_with_a_report(
    bot: BotHarness,
) -> None:
    ann, bob = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec")
    [ask] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/minutes {meeting.id}"))
    assert "send them now as a document" in ask
    calls = await bot.send(admin, "Decided: budget <approved> & filed.")
    [preview] = bot.texts_to(ADMIN_ID, calls)
    assert "to 3 people (everyone invited)" in preview
    assert bot.texts_to(ann["id"], calls) == []  # nothing before Confirm
    calls = await bot.tap(admin, confirm_data(bot))
    assert "to 3 people as notice #" in bot.texts_to(ADMIN_ID, calls)[-1]
    await settle(bot)
    for user in (ann, bob):
        [minutes] = [t for t in bot.texts_to(user["id"]) if "Minutes of meeting" in t]
        assert "Minutes of meeting #1: Council meeting" in minutes
        assert "Decided: budget &lt;approved&gt; &amp; filed." in minutes
    report = "\n".join(bot.texts_to(ADMIN_ID))
    assert "3" in report and "delivered" in report.lower()
    again = await bot.tap(admin, confirm_data(bot))
    assert bot.alerts(again) == ["These minutes have already been sent."]
    await settle(bot)
    assert sum("Minutes of meeting" in t for t in bot.texts_to(ann["id"])) == 1
    [view] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id}"))
    assert "Minutes (1)" in html_to_text(view)
    assert "to everyone invited: 3 of 3 delivered" in html_to_text(view)


async def test_minutes_of_a_meeting_cancelled_after_the_preview_are_not_sent(
    bot: BotHarness,
) -> None:
    ann, _ = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, f"/minutes {meeting.id}")
    await bot.send(admin, "Decided: budget approved.")
    confirm = confirm_data(bot)
    [ask] = [c for c in await bot.send(admin, f"/cancelmeeting {meeting.id}") if c.callback_data()]
    await bot.tap(admin, ask.callback_data()[0])
    calls = await bot.tap(admin, confirm)
    assert bot.alerts(calls) == [f"Meeting #{meeting.id} is no longer open."]
    await settle(bot)
    assert not any("Minutes of meeting" in text for text in bot.texts_to(ann["id"]))
    assert await bot.app.bot_data.db.fetchall("SELECT * FROM notice_outbox") == []


async def test_document_minutes_to_those_present_only(bot: BotHarness) -> None:
    ann, bob = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    payload = await checkin_payload(bot, meeting.id)
    bot.clock.set(STARTS)
    await bot.send(ann, f"/start {payload}")
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, f"/minutes {meeting.id} to=present")
    document = bot.factory.message(admin, "")
    document["message"].pop("text", None)
    document["message"]["document"] = {
        "file_id": "minutes-file",
        "file_unique_id": "u-minutes",
        "file_name": "minutes.pdf",
    }
    document["message"]["caption"] = "Signed copy"
    await bot.feed(document)
    [preview] = [t for t in bot.texts_to(ADMIN_ID) if "Send the minutes" in t]
    assert "to 1 person (those present)" in preview
    await bot.tap(admin, confirm_data(bot))
    await settle(bot)
    [sent] = [c for c in bot.api.calls if c.method == "sendDocument" and c.chat_id == ann["id"]]
    assert sent.params["document"] == "minutes-file" and "Signed copy" in sent.text
    assert not [c for c in bot.api.calls if c.method == "sendDocument" and c.chat_id == bob["id"]]


async def test_minutes_refuse_bad_input_and_members(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec")
    [usage] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/minutes {meeting.id} to=all"))
    assert "Usage:" in usage and "/minutes 3 to=present" in usage
    [nobody] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/minutes {meeting.id} to=present"))
    assert "nobody is recorded present yet" in nobody
    [refused] = bot.texts_to(ann["id"], await bot.send(ann, f"/minutes {meeting.id}"))
    assert "only for the secretariat" in refused
    calls = await bot.tap(ann, f"mtgmin:{meeting.id}:1:i")
    assert "only for the secretariat" in bot.alerts(calls)[0]
    await bot.send(admin, f"/minutes {meeting.id}")
    [too_long] = bot.texts_to(ADMIN_ID, await bot.send(admin, "x" * 4090))
    assert "too long" in too_long
    [cancelled] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/cancel"))
    assert "nothing was created" in cancelled
    rows = await bot.app.bot_data.db.fetchall("SELECT COUNT(*) FROM notice_outbox")
    assert rows[0][0] == 0


async def test_bare_minutes_offers_the_meetings(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/minutes")
    [pick] = [c for c in calls if c.callback_data()]
    assert pick.callback_data() == [f"mtgpick:m:{meeting.id}"]
    calls = await bot.tap(admin, pick.callback_data()[0])
    assert "send them now as a document" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(admin, "Short minutes")
    assert "Send the minutes of meeting #1" in bot.texts_to(ADMIN_ID, calls)[-1]


async def test_another_command_leaves_the_minutes_waiting(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, f"/minutes {meeting.id}")
    texts = bot.texts_to(ADMIN_ID, await bot.send(admin, "/meetings"))
    assert "You left the form" in texts[0] and len(texts) >= 2  # then /meetings answers
    calls = await bot.send(admin, "What is the mission?")
    assert not any("Send the minutes" in t for t in bot.texts_to(ADMIN_ID, calls))
