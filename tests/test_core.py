"""/start, /help, /language, unknown commands and the error handler."""

from __future__ import annotations

from telegram.ext import CommandHandler

from tests.harness import ADMIN_ID, BotHarness


async def test_start_welcomes_a_guest_in_the_language_of_their_telegram(bot: BotHarness) -> None:
    guest = bot.user(42, "Li", "zh-hans")
    calls = await bot.send(guest, "/start")
    [text] = bot.texts_to(42, calls)
    assert "Li，您好" in text
    assert "/mission" in text
    assert "示范文本" in text


async def test_help_lists_only_the_commands_of_the_callers_role(bot: BotHarness) -> None:
    guest = bot.user(42, "Ann")
    [guest_help] = bot.texts_to(42, await bot.send(guest, "/help"))
    assert "/join" in guest_help
    assert "/newmeeting" not in guest_help
    assert "guest" in guest_help

    admin = bot.user(ADMIN_ID, "Sec")
    [admin_help] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/help"))
    assert "/newmeeting" in admin_help
    assert "/notice " in admin_help
    assert "/join" not in admin_help


async def test_language_switch_changes_later_answers(bot: BotHarness) -> None:
    user = bot.user(42, "Ann", "en")
    calls = await bot.send(user, "/language")
    [choice] = [call for call in calls if call.method == "sendMessage"]
    assert choice.button_texts() == ["中文", "English"]

    calls = await bot.tap(user, choice.callback_data()[0])
    assert "语言已设为中文" in bot.texts_to(42, calls)[0]
    [help_text] = bot.texts_to(42, await bot.send(user, "/help"))
    assert "命令列表" in help_text

    await bot.tap(user, "lang:en")
    [help_text] = bot.texts_to(42, await bot.send(user, "/help"))
    assert help_text.startswith("<b>Commands</b>")


async def test_forged_language_button_is_refused_without_change(bot: BotHarness) -> None:
    user = bot.user(42, "Ann", "en")
    await bot.send(user, "/language")
    calls = await bot.tap(user, "lang:fr")
    assert bot.alerts(calls) == ["This button is no longer valid."]
    person = await bot.people.get_by_telegram_id(42)
    assert person is not None and person.language is None


async def test_unknown_command_points_to_help(bot: BotHarness) -> None:
    calls = await bot.send(bot.user(42), "/frobnicate")
    assert bot.texts_to(42, calls) == [
        "I do not know that command. Send /help to see what you can do."
    ]


async def test_handler_error_apologises_and_alerts_secretariat_once_a_minute(
    bot: BotHarness,
) -> None:
    async def broken(update: object, context: object) -> None:
        raise RuntimeError("boom")

    bot.app.add_handler(CommandHandler("broken", broken), group=-1)
    bot.errors_expected = True
    user = bot.user(42, "Ann")

    calls = await bot.send(user, "/broken")
    assert "something went wrong" in bot.texts_to(42, calls)[0]
    [alert] = bot.texts_to(ADMIN_ID, calls)
    assert "RuntimeError: boom" in alert

    calls = await bot.send(user, "/broken")
    assert bot.texts_to(ADMIN_ID, calls) == []
    bot.clock.advance(seconds=61)
    calls = await bot.send(user, "/broken")
    assert len(bot.texts_to(ADMIN_ID, calls)) == 1
    assert len(bot.errors) == 3


async def test_unknown_button_is_answered_as_no_longer_valid(bot: BotHarness) -> None:
    user = bot.user(42, "Ann", "en")
    await bot.send(user, "/help")
    calls = await bot.tap(user, "zz:unknown:1")
    assert bot.alerts(calls) == ["This button is no longer valid."]


async def test_a_nameless_admin_takes_their_telegram_name_once(bot: BotHarness) -> None:
    people = bot.people
    admin = await people.get_by_telegram_id(ADMIN_ID)
    assert admin is not None and admin.name == ""  # made from ASSOC_ADMIN_IDS at start-up
    await bot.send(bot.user(ADMIN_ID, "Zhang Wei"), "/help")
    admin = await people.get_by_telegram_id(ADMIN_ID)
    assert admin is not None and admin.name == "Zhang Wei"
    await bot.send(bot.user(ADMIN_ID, "Someone Else"), "/help")
    admin = await people.get_by_telegram_id(ADMIN_ID)
    assert admin is not None and admin.name == "Zhang Wei"


async def test_the_guest_welcome_promises_nothing_a_guest_does_not_get(bot: BotHarness) -> None:
    [text] = bot.texts_to(90, await bot.send(bot.user(90, "Ivan", "en"), "/start"))
    assert "answer meeting invitations" not in text and "/join" in text
