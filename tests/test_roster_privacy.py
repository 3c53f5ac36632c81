"""/settings, /mydata as a JSON document, /forgetme erasing personal data but keeping counts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.transport import ApiCall
from storage.database import Database, Transaction
from storage.people import Person, Role
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import confirmed_meeting
from tests.roster_helpers import add_entry, only_message, person_of


def invitation_of(bot: BotHarness, chat_id: int, meeting_id: int) -> dict[str, Any]:
    """The invitation to a meeting sent to a chat."""
    return next(
        message
        for message in bot.api.messages.values()
        if message["chat"]["id"] == chat_id and f"rsvp:{meeting_id}:" in str(message)
    )


async def test_settings_show_subscriptions_and_toggle_news_but_never_official(
    bot: BotHarness,
) -> None:
    await add_entry(bot, "Li Hua", Role.COUNCIL, "en", telegram_id=91)
    user = bot.user(91, "Li")
    screen = only_message(await bot.send(user, "/settings"), 91)
    assert "News notices: on" in screen.text
    assert "Official notices always reach you" in screen.text
    assert "notices to the council" in screen.text
    assert screen.button_texts() == ["Turn news off", "中文"]

    calls = await bot.tap(user, "st:news:0")
    [edited] = [c for c in calls if c.method == "editMessageText"]
    assert "News notices: off" in edited.text and "Turn news on" in edited.button_texts()
    assert not (await person_of(bot, 91)).news_enabled

    calls = await bot.tap(user, "st:lang:zh")
    [edited] = [c for c in calls if c.method == "editMessageText"]
    assert "新闻通知：关" in edited.text and "正式通知总会送达" in edited.text
    assert any(c.method == "setMyCommands" for c in calls)


async def test_guest_settings_say_guests_get_no_notices(bot: BotHarness) -> None:
    screen = only_message(await bot.send(bot.user(92, "G"), "/settings"), 92)
    assert "guests get no notices" in screen.text


def document_of(calls: list[ApiCall]) -> dict[str, Any]:
    [call] = [c for c in calls if c.method == "sendDocument"]
    [(name, content)] = call.files.values()
    assert name.endswith(".json")
    parsed: dict[str, Any] = json.loads(content)
    return parsed


async def make_feature_table(bot: BotHarness, person_id: int) -> None:
    """A table shaped like another feature's per-person records (answers with notes)."""
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE sample_answers (meeting_id INTEGER, person_id INTEGER,"
            " response TEXT NOT NULL, note TEXT, chat_id INTEGER)"
        )
        await tx.execute(
            "INSERT INTO sample_answers VALUES (1, ?, 'no', 'travelling to Hanoi', 91)",
            (person_id,),
        )


async def test_mydata_sends_entry_and_every_record_about_the_person(bot: BotHarness) -> None:
    person = await add_entry(bot, "Li Hua", Role.COUNCIL, "en", telegram_id=91, unit="YNU")
    await make_feature_table(bot, person.id)

    async def export(db: Database, who: Person) -> dict[str, Any]:
        return {"sample_feature": {"person": who.id}}

    bot.app.bot_data.personal_data.exporters.append(export)
    calls = await bot.send(bot.user(91, "Li"), "/mydata")
    document = document_of(calls)
    assert document["entry"]["name"] == "Li Hua"
    assert document["entry"]["unit"] == "YNU"
    assert document["entry"]["role"] == "council"
    assert document["other_records"]["sample_answers"][0]["note"] == "travelling to Hanoi"
    assert document["sample_feature"] == {"person": person.id}


async def test_forgetme_needs_two_confirmations_then_erases_and_keeps_counts(
    bot: BotHarness,
) -> None:
    person = await add_entry(bot, "Li Hua", Role.COUNCIL, "en", telegram_id=91, unit="YNU")
    await make_feature_table(bot, person.id)
    erased: list[int] = []

    async def erase(tx: Transaction, who: Person, now: datetime) -> None:
        erased.append(who.id)

    bot.app.bot_data.personal_data.erasers.append(erase)
    user = bot.user(91, "Li")
    ask = only_message(await bot.send(user, "/forgetme"), 91)
    assert ask.button_texts() == ["Erase my data", "Keep my data"]
    calls = await bot.tap(user, "fg:ask")
    [sure] = [c for c in calls if c.method == "editMessageText"]
    assert "Are you sure?" in sure.text
    assert (await person_of(bot, 91)).name == "Li Hua"

    calls = await bot.tap(user, "fg:yes")
    [done] = [c for c in calls if c.method == "editMessageText"]
    assert "has been erased" in done.text
    assert erased == [person.id]
    assert await bot.people.get_by_telegram_id(91) is None
    row = await bot.people.get(person.id)
    assert row is not None
    assert (row.name, row.unit, row.telegram_id, row.role) == ("", "", None, Role.COUNCIL)
    answer = await bot.app.bot_data.db.fetchone("SELECT * FROM sample_answers")
    assert answer is not None
    assert (answer["response"], answer["note"], answer["chat_id"]) == ("no", None, None)
    assert any(c.method == "deleteMyCommands" for c in calls)


async def test_keeping_data_erases_nothing(bot: BotHarness) -> None:
    await add_entry(bot, "Li Hua", telegram_id=91)
    user = bot.user(91, "Li")
    await bot.send(user, "/forgetme")
    calls = await bot.tap(user, "fg:no")
    assert "Nothing was erased." in bot.texts_to(91, calls)
    assert (await person_of(bot, 91)).name == "Li Hua"


async def test_an_erased_council_member_leaves_audiences_and_quorums_of_meetings_to_come(
    bot: BotHarness,
) -> None:
    li = await add_entry(bot, "Li Hua", Role.COUNCIL, "en", telegram_id=91)
    await add_entry(bot, "Bo", Role.COUNCIL, "en", telegram_id=92)
    await add_entry(bot, "Chen", Role.COUNCIL, "en", telegram_id=93)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    held = await confirmed_meeting(bot, "Held | 2026-11-30 10:00 | Hall")
    coming = await confirmed_meeting(bot, "Coming | 2026-12-20 10:00 | Hall")
    user = bot.user(91, "Li")
    for meeting in (held, coming):
        await bot.tap(user, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 91, meeting.id))
    view = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {coming.id}"))[0]
    assert "Yes 1 · No 0 · Maybe 0 · No answer 3 (of 4 invited)" in view
    assert "expected present 1 / required 3" in view

    bot.clock.advance(days=3)  # the first meeting has been held
    await bot.send(user, "/forgetme")
    await bot.tap(user, "fg:ask")
    await bot.tap(user, "fg:yes")

    assert await bot.people.get_by_telegram_id(91) is None
    # A meeting still to come no longer counts them: 3 invited, 2 required, nobody expected.
    view = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {coming.id}"))[0]
    assert "Yes 0 · No 0 · Maybe 0 · No answer 3 (of 3 invited)" in view
    assert "expected present 0 / required 2" in view
    # The meeting already held keeps its anonymous counts.
    view = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {held.id}"))[0]
    assert "Yes 1 · No 0 · Maybe 0 · No answer 3 (of 4 invited)" in view
    # A new council meeting neither invites nor counts them.
    later = await confirmed_meeting(bot, "Later | 2026-12-28 10:00 | Hall")
    invitees = await bot.app.bot_data.db.fetchall(
        "SELECT person_id FROM invitations WHERE meeting_id = ?", (later.id,)
    )
    assert li.id not in [row["person_id"] for row in invitees] and len(invitees) == 3
    # No invitation link can be made for the erased entry.
    calls = await bot.send(admin, f"/invite {li.id}")
    assert bot.texts_to(ADMIN_ID, calls) == [f"There is no roster entry #{li.id}."]
    assert "t.me" not in "".join(bot.texts_to(ADMIN_ID, calls))
