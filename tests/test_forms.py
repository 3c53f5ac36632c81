"""Guided forms: /cancel and /skip always answer; another command leaves the form and runs."""

from __future__ import annotations

from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import confirmed_meeting, council


async def test_a_command_in_the_middle_of_a_form_leaves_it_and_runs(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/invite")
    texts = bot.texts_to(ADMIN_ID, await bot.send(admin, "/members"))
    assert texts[0] == "You left the form you were filling in; nothing from it was saved."
    assert texts[1].startswith("<b>Roster</b>")
    # The form is gone: a name typed now is a question, not a new roster entry.
    texts = bot.texts_to(ADMIN_ID, await bot.send(admin, "Li Hua"))
    assert not any("unit (organisation)" in text for text in texts)
    # One form for another: /newmeeting from inside /join's questions starts the new form.
    await bot.send(admin, "/invite")
    texts = bot.texts_to(ADMIN_ID, await bot.send(admin, "/newmeeting"))
    assert texts[-1].startswith("New meeting. What is its title?")


async def test_skip_at_a_step_that_cannot_be_skipped_stays_at_the_step(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/newmeeting")
    await bot.send(admin, "Council")
    [answer] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/skip"))
    assert answer.startswith("This step cannot be skipped.")
    [answer] = bot.texts_to(ADMIN_ID, await bot.send(admin, "soon"))
    assert "YYYY-MM-DD HH:MM" in answer  # still asking for the start time


async def test_cancel_and_skip_outside_a_form_say_there_is_nothing(bot: BotHarness) -> None:
    users = await council(bot, 1)
    await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/cancelmeeting")
    [answer] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/cancel"))
    assert answer == "There is nothing to cancel just now; nothing was changed."
    # A member asked for the reason of a No may send /cancel instead of a reason.
    await bot.tap(users[0], "rsvp:1:1:n", bot.api.messages[(100, 1)])
    [answer] = bot.texts_to(100, await bot.send(users[0], "/cancel"))
    assert "nothing to cancel" in answer
    [answer] = bot.texts_to(100, await bot.send(users[0], "/skip"))
    assert answer == "There is nothing to skip just now."
