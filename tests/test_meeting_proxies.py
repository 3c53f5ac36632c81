"""Proxies: `proxies=N`, "Entrust someone" after a No, declining, and the count in the room."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.console import html_to_text
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import (
    FORM,
    checkin_payload,
    confirmed_meeting,
    council,
    invitation_of,
    service,
    tap,
)

STARTS = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)


async def proxy_rows(bot: BotHarness, meeting_id: int) -> list[tuple[int, int]]:
    rows = await bot.app.bot_data.db.fetchall(
        "SELECT person_id, holder_id FROM meeting_proxies WHERE meeting_id = ? ORDER BY 1",
        (meeting_id,),
    )
    return [(row[0], row[1]) for row in rows]


async def test_no_offers_entrust_someone_and_the_holder_is_told(bot: BotHarness) -> None:
    ann, bob, cai = await council(bot, 3)
    meeting = await confirmed_meeting(bot, f"{FORM} | proxies=1")
    ids = {i.name: i.person_id for i in await service(bot).repo.invitees(meeting.id)}
    await tap(bot, bob, f"rsvp:{meeting.id}:1:y", invitation_of(bot, bob["id"]))
    calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, ann["id"]))
    [offer] = [
        c for c in calls if c.chat_id == ann["id"] and "Entrust someone" in str(c.button_texts())
    ]
    assert offer.callback_data() == [f"proxylist:{meeting.id}"]
    calls = await bot.tap(ann, f"proxylist:{meeting.id}")
    [listing] = [c for c in calls if c.method == "editMessageText"]
    assert listing.button_texts() == ["Member 001"]  # only those who said Yes, not oneself
    calls = await bot.tap(ann, listing.callback_data()[0])
    assert "Member 001 now holds your proxy" in bot.alerts(calls)[0]
    [told] = bot.texts_to(bob["id"], calls)
    assert "Member 000 cannot come to meeting #1" in told
    assert await proxy_rows(bot, meeting.id) == [(ids["Member 000"], ids["Member 001"])]
    [view] = bot.texts_to(ADMIN_ID, await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id}"))
    giver, holder = ids["Member 000"], ids["Member 001"]
    assert f"Member 000 [id {giver}] → held by Member 001 [id {holder}]" in html_to_text(view)

    # Bob holds one already (the limit): Cai, answering No, finds nobody to entrust.
    await tap(bot, cai, f"rsvp:{meeting.id}:1:n", invitation_of(bot, cai["id"]))
    calls = await bot.tap(cai, f"proxylist:{meeting.id}")
    [edit] = [c for c in calls if c.method == "editMessageText"]
    assert "no council member who said Yes" in edit.text and edit.button_texts() == []
    calls = await bot.tap(cai, f"proxy:{meeting.id}:{ids['Member 001']}")  # forged: refused
    assert "as many proxies as meeting #1 allows" in bot.alerts(calls)[0]

    # In the room: Bob present with Ann's proxy.
    payload = await checkin_payload(bot, meeting.id)
    bot.clock.set(STARTS)
    await bot.send(bob, f"/start {payload}")
    [view] = bot.texts_to(ADMIN_ID, await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id}"))
    assert "Present 1 + 1 proxies = 2 of 4; quorum 3 not reached" in view


async def test_the_holder_may_decline_and_the_giver_is_told(bot: BotHarness) -> None:
    ann, bob = await council(bot, 2)
    meeting = await confirmed_meeting(bot, f"{FORM} | proxies=2")
    ids = {i.name: i.person_id for i in await service(bot).repo.invitees(meeting.id)}
    await tap(bot, bob, f"rsvp:{meeting.id}:1:y", invitation_of(bot, bob["id"]))
    await tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, ann["id"]))
    await bot.tap(ann, f"proxy:{meeting.id}:{ids['Member 001']}")
    told = bot.api.last_message_to(bob["id"])
    calls = await bot.tap(ann, f"proxyno:{meeting.id}:{ids['Member 000']}", told)
    assert "You do not hold this proxy" in bot.alerts(calls)[0]  # the giver cannot decline
    calls = await bot.tap(bob, f"proxyno:{meeting.id}:{ids['Member 000']}", told)
    assert "You declined" in bot.alerts(calls)[0]
    assert "Member 001 declined your proxy" in bot.texts_to(ann["id"], calls)[0]
    assert await proxy_rows(bot, meeting.id) == []


async def test_a_proxy_lapses_when_the_giver_comes_or_the_holder_does_not(bot: BotHarness) -> None:
    ann, bob = await council(bot, 2)
    meeting = await confirmed_meeting(bot, f"{FORM} | proxies=1")
    ids = {i.name: i.person_id for i in await service(bot).repo.invitees(meeting.id)}
    await tap(bot, bob, f"rsvp:{meeting.id}:1:y", invitation_of(bot, bob["id"]))
    await tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, ann["id"]))
    await bot.tap(ann, f"proxy:{meeting.id}:{ids['Member 001']}")
    assert len(await proxy_rows(bot, meeting.id)) == 1
    calls = await tap(bot, bob, f"rsvp:{meeting.id}:1:m", invitation_of(bot, bob["id"]))
    assert await proxy_rows(bot, meeting.id) == []
    assert any("your proxy lapsed" in text for text in bot.texts_to(ann["id"], calls))


async def test_proxies_need_a_no_and_proxies_allowed(bot: BotHarness) -> None:
    ann, bob = await council(bot, 2)
    plain = await confirmed_meeting(bot)
    await tap(bot, bob, f"rsvp:{plain.id}:1:y", invitation_of(bot, bob["id"]))
    calls = await tap(bot, ann, f"rsvp:{plain.id}:1:n", invitation_of(bot, ann["id"]))
    assert not any("Entrust" in str(c.button_texts()) for c in calls)  # proxies=0: none
    calls = await bot.tap(ann, f"proxy:{plain.id}:3")
    assert bot.alerts(calls) == ["This button is not valid for you."]
    allowed = await confirmed_meeting(bot, "Second | 2026-12-16 14:30 | Hall | proxies=1")
    await tap(bot, bob, f"rsvp:{allowed.id}:1:y", bot.api.last_message_to(bob["id"]))
    calls = await bot.tap(ann, f"proxy:{allowed.id}:3")  # Ann has not said No
    assert "Only someone who answered No" in bot.alerts(calls)[0]
    for bad in ("proxy:x:1", f"proxy:{allowed.id}", f"proxylist:{allowed.id}:3", "proxyno:1:0"):
        calls = await bot.tap(ann, bad)
        assert bot.alerts(calls) == ["This button is not valid for you."], bad
    assert await proxy_rows(bot, allowed.id) == []


async def test_proxies_option_is_checked(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID)
    for bad in ("proxies=-1", "proxies=x", "proxies=101", "proxies=1 | proxies=2"):
        [text] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/newmeeting {FORM} | {bad}"))
        assert "Usage:" in text, bad
    [preview] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/newmeeting {FORM} | proxies=2"))
    assert "may hold up to 2" in preview
