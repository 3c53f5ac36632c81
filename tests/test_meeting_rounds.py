"""A round of invitations asked to run twice at once (a start-up resume meeting a new round)."""

from __future__ import annotations

import asyncio

from bot.transport import ApiCall
from storage.meetings import NewMeeting
from tests.harness import BotHarness
from tests.meetings_support import council, service
from tests.test_meeting_rounds_faults import invitations_to

MEMBERS = 40


async def test_a_round_run_twice_at_once_invites_each_once_and_both_see_it_finished(
    bot: BotHarness,
) -> None:
    await council(bot, MEMBERS)
    svc = service(bot)
    now = bot.clock.now()
    people = await svc.audience("council")
    creator = next(p for p in people if p.telegram_id == 100)
    draft = await svc.create_draft(
        NewMeeting(
            "Council", now.replace(year=now.year + 1), "Hall", now.replace(year=now.year + 1)
        ),
        creator,
    )
    ids = [p.id for p in people]
    async with bot.app.bot_data.db.transaction() as tx:
        assert await svc.repo.open_draft(tx, draft, ids, set(ids), now)
        round_id = await svc.rounds.repo.insert_invitations(tx, draft.id, "invitation", now)
    answered = asyncio.Event()  # Telegram holds its answers until this is set
    all_on_their_way = asyncio.Event()
    held = 0
    show = bot.api.show

    async def slow(call: ApiCall, result: object) -> None:
        nonlocal held
        if call.method == "sendMessage":
            held += "Invitation to meeting" in call.text
            if held == MEMBERS:
                all_on_their_way.set()
            await answered.wait()
        await show(call, result)

    bot.api.show = slow  # type: ignore[method-assign]
    first_run = asyncio.ensure_future(svc.rounds.run(round_id))
    await all_on_their_way.wait()  # every invitation is on its way, none answered yet
    assert sum(len(invitations_to(bot, 100 + n)) for n in range(MEMBERS)) == MEMBERS
    second_run = asyncio.ensure_future(svc.rounds.run(round_id))  # as a start-up resume would
    for _ in range(50):
        await asyncio.sleep(0)
    assert not second_run.done()  # it waits for the round to end, not reporting it half-done
    answered.set()
    first, second = await first_run, await second_run
    assert first == second
    assert first.sent == len(people)
    for n in range(MEMBERS):
        assert len(invitations_to(bot, 100 + n)) == 1
