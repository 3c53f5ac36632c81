"""/members: counts, unreachable people, applications, role changes, removal, audit log."""

from __future__ import annotations

import io
from pathlib import Path

from bot.config import Settings
from bot.roster.cli import import_file
from bot.transport import ApiCall, ApiError
from handlers.roster import MENU_SYNC_JOB
from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import add_entry, only_message, person_of


async def english_admin(bot: BotHarness) -> dict[str, object]:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/language")
    await bot.tap(admin, "lang:en")
    return admin


async def test_members_shows_counts_unbound_unreachable_and_pending(bot: BotHarness) -> None:
    admin = await english_admin(bot)
    await add_entry(bot, "Li Hua", Role.COUNCIL, telegram_id=81)
    anna = await add_entry(bot, "Anna", Role.MEMBER, telegram_id=82)
    not_yet = await add_entry(bot, "Not Yet", Role.MEMBER)
    await bot.feed(bot.factory.my_chat_member(bot.user(82, "Anna"), "kicked"))
    guest = bot.user(83, "Ivan")
    await bot.send(guest, "/join")
    await bot.send(guest, "Ivan")
    await bot.send(guest, "-")

    calls = await bot.send(admin, "/members")
    texts = bot.texts_to(ADMIN_ID, calls)
    overview = texts[0]
    assert "secretariat: 1 — 1 reachable, 0 blocked the bot, 0 never started" in overview
    assert "council member: 1 — 1 reachable, 0 blocked the bot, 0 never started" in overview
    assert "member: 2 — 0 reachable, 1 blocked the bot, 1 never started" in overview
    assert f"Blocked the bot: 1 — Anna (#{anna.id})" in overview
    assert f"Never started the bot: 1 — Not Yet (#{not_yet.id})" in overview
    assert "Pending applications: 1" in overview
    assert "Application #1" in texts[1]


async def test_members_counts_an_account_that_never_started_the_bot_apart_from_blocked(
    bot: BotHarness,
) -> None:
    admin = await english_admin(bot)
    # Bound by the roster import, but never opened the bot: Telegram refuses a first message.
    wang = await add_entry(bot, "Wang", Role.MEMBER, telegram_id=84)
    anna = await add_entry(bot, "Anna", Role.MEMBER, telegram_id=82)

    def refuse(call: ApiCall) -> None:
        if call.chat_id == 84:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if call.chat_id == 82:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    bot.api.responders["sendMessage"] = refuse
    await bot.tap(admin, f"mb:r:{wang.id}:council")
    await bot.tap(admin, f"mb:r:{anna.id}:council")
    bot.api.responders.pop("sendMessage")
    assert not (await person_of(bot, 84)).reachable

    # A notice found the chat missing (recorded the way notice delivery records it).
    gone = await add_entry(bot, "Gone", Role.MEMBER, telegram_id=85)
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.execute("UPDATE persons SET reachable = 0 WHERE id = ?", (gone.id,))
        await tx.execute(
            "INSERT INTO notice_unreachable (person_id, state, at) VALUES (?, 'never_started', ?)",
            (gone.id, "2026-11-28T02:00:00+00:00"),
        )

    overview = bot.texts_to(ADMIN_ID, await bot.send(admin, "/members"))[0]
    assert "council member: 2 — 0 reachable, 1 blocked the bot, 1 never started" in overview
    assert "member: 1 — 0 reachable, 0 blocked the bot, 1 never started" in overview
    assert f"Blocked the bot: 1 — Anna (#{anna.id})" in overview
    assert f"Never started the bot: 2 — Wang (#{wang.id}), Gone (#{gone.id})" in overview

    card = only_message(await bot.send(admin, f"/members {wang.id}"), ADMIN_ID)
    assert "linked, but has never started the bot" in card.text
    card = only_message(await bot.send(admin, f"/members {anna.id}"), ADMIN_ID)
    assert "linked, but has blocked the bot" in card.text

    # Starting the bot makes them reachable again.
    await bot.feed(bot.factory.my_chat_member(bot.user(84, "Wang"), "member"))
    overview = bot.texts_to(ADMIN_ID, await bot.send(admin, "/members"))[0]
    assert "council member: 2 — 1 reachable, 1 blocked the bot, 0 never started" in overview


async def test_blocking_and_unblocking_the_bot_marks_reachability(bot: BotHarness) -> None:
    await add_entry(bot, "Anna", telegram_id=82)
    user = bot.user(82, "Anna")
    await bot.feed(bot.factory.my_chat_member(user, "kicked"))
    assert not (await person_of(bot, 82)).reachable
    await bot.feed(bot.factory.my_chat_member(user, "member"))
    assert (await person_of(bot, 82)).reachable


async def test_role_change_tells_the_person_updates_their_menu_and_is_logged(
    bot: BotHarness,
) -> None:
    admin = await english_admin(bot)
    anna = await add_entry(bot, "Anna", telegram_id=82)
    calls = await bot.send(admin, f"/members {anna.id}")
    card = only_message(calls, ADMIN_ID)
    assert "Anna" in card.text and "Role: member" in card.text
    assert f"mb:r:{anna.id}:council" in card.callback_data()

    calls = await bot.tap(admin, f"mb:r:{anna.id}:council")
    assert "you are now a council member" in only_message(calls, 82).text
    [menu] = [c for c in calls if c.method == "setMyCommands"]
    assert menu.params["scope"] == {"type": "chat", "chat_id": 82}
    assert (await person_of(bot, 82)).role is Role.COUNCIL

    calls = await bot.tap(admin, "mb:a:0")
    [log] = [c.text for c in calls if c.method == "editMessageText"]
    assert "role changed · Anna member&gt;council" in log
    assert "Sec" in log


async def test_remove_asks_first_then_makes_a_guest(bot: BotHarness) -> None:
    admin = await english_admin(bot)
    anna = await add_entry(bot, "Anna", telegram_id=82)
    await bot.send(bot.user(82, "Anna"), "/help")
    calls = await bot.tap(admin, f"mb:x:{anna.id}")
    [ask] = [c for c in calls if c.method == "editMessageText"]
    assert "Remove Anna from the roster?" in ask.text
    assert (await person_of(bot, 82)).role is Role.MEMBER
    calls = await bot.tap(admin, f"mb:X:{anna.id}")
    assert "removed you" in only_message(calls, 82).text
    assert (await person_of(bot, 82)).role is Role.GUEST
    [menu] = [c for c in calls if c.method == "setMyCommands"]
    assert "join" in [command["command"] for command in menu.params["commands"]]


async def test_secretariat_cannot_change_their_own_role(bot: BotHarness) -> None:
    admin = await english_admin(bot)
    me = await person_of(bot, ADMIN_ID)
    calls = await bot.tap(admin, f"mb:r:{me.id}:member")
    assert bot.alerts(calls) == ["You cannot change your own role; ask another secretariat member."]
    assert (await person_of(bot, ADMIN_ID)).role is Role.SECRETARIAT


async def test_roster_list_pages_and_opens_a_card(bot: BotHarness) -> None:
    admin = await english_admin(bot)
    for number in range(12):
        await add_entry(bot, f"Person {number:02d}")
    await bot.send(admin, "/members")
    calls = await bot.tap(admin, "mb:l:0")
    [page] = [c for c in calls if c.method == "editMessageText"]
    assert len(page.button_texts()) == 11  # ten people and the next-page arrow
    assert page.callback_data()[-1] == "mb:l:10"
    calls = await bot.tap(admin, "mb:l:10")
    [page] = [c for c in calls if c.method == "editMessageText"]
    assert page.button_texts()[-1] == "◀"
    calls = await bot.tap(admin, page.callback_data()[0])
    [card] = [c for c in calls if c.method == "editMessageText"]
    assert "Person" in card.text and "not linked yet" in card.text
    assert "New invite link" in card.button_texts()


async def test_menus_follow_language_changes_and_are_set_at_start_up(bot: BotHarness) -> None:
    assert bot.app.job_queue is not None
    [menu_job] = bot.app.job_queue.get_jobs_by_name(MENU_SYNC_JOB)
    await menu_job.run(bot.app)
    startup = [c for c in bot.api.calls if c.method == "setMyCommands"]
    scopes = [(c.params["scope"]["type"], c.params.get("language_code")) for c in startup]
    assert ("default", None) in scopes and ("default", "zh") in scopes
    assert ("chat", "zh") in scopes  # the admin, language not yet known: both variants
    await add_entry(bot, "Anna", language="en", telegram_id=82)
    user = bot.user(82, "Anna")
    calls = await bot.send(user, "/help")
    [menu] = [c for c in calls if c.method == "setMyCommands"]
    assert menu.params["commands"][0]["description"] == "start, or bind your invitation"
    calls = await bot.send(user, "/help")
    assert [c for c in calls if c.method == "setMyCommands"] == []
    await bot.send(user, "/language")
    calls = await bot.tap(user, "lang:zh")
    [menu] = [c for c in calls if c.method == "setMyCommands"]
    assert menu.params["commands"][0]["description"] == "开始，或绑定邀请"


async def test_deciding_from_members_updates_every_copy_of_the_request(bot: BotHarness) -> None:
    admin = await english_admin(bot)
    guest = bot.user(83, "Ivan")
    await bot.send(guest, "/join")
    await bot.send(guest, "Ivan")
    await bot.send(guest, "-")
    calls = await bot.send(admin, "/members")
    copy = [c for c in calls if c.method == "sendMessage"][1]
    calls = await bot.tap(admin, copy.callback_data()[0])
    edited = [c for c in calls if c.method == "editMessageText" and c.chat_id == ADMIN_ID]
    assert len(edited) == 2
    assert all("Approved as member by Sec" in c.text for c in edited)
    assert (await person_of(bot, 83)).role is Role.MEMBER


async def test_bad_arguments_answer_with_usage_and_example(bot: BotHarness) -> None:
    admin = await english_admin(bot)
    for text in [
        "/members 99999999999",
        "/members 1 2",
        "/invite Li | Unit | boss",
        "/invite Li | U | member | fr",
        "/invite | Unit | member",
        "/invite secretariat",
    ]:
        calls = await bot.send(admin, text)
        [answer] = bot.texts_to(ADMIN_ID, calls)
        assert answer.startswith("Usage: /"), text
        assert "Example: <code>/" in answer, text
    row = await bot.app.bot_data.db.fetchone("SELECT COUNT(*) FROM persons")
    assert row is not None and row[0] == 1


def menu_chat(call: ApiCall) -> object:
    """The chat whose menu a setMyCommands call sets."""
    scope = call.params.get("scope") or {}
    return scope.get("chat_id") if isinstance(scope, dict) else None


async def test_running_bot_updates_menus_after_a_command_line_import(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    assert bot.app.job_queue is not None
    await add_entry(bot, "Anna", Role.MEMBER, language="en", telegram_id=82)
    await add_entry(bot, "Bob", Role.MEMBER, language="en", telegram_id=83)
    await add_entry(bot, "Cleo", Role.MEMBER, language="en", telegram_id=84)
    [menu_job] = bot.app.job_queue.get_jobs_by_name(MENU_SYNC_JOB)
    await menu_job.run(bot.app)  # start-up: every stale menu is set
    assert {menu_chat(c) for c in bot.api.calls if c.method == "setMyCommands"} >= {82, 83, 84}

    # `run_bot.py roster import` on the same database while the bot runs.
    csv = tmp_path / "roster.csv"
    csv.write_text(
        "name,unit,role,telegram_id,language\n"
        "Anna,Unit,council,82,zh\n"
        "Bob,Unit,secretariat,83,en\n"
        "Cleo,Unit,member,84,en\n"
    )
    out = io.StringIO()
    assert await import_file(settings, str(csv), out, io.StringIO(), confirm_secretariat=True) == 0
    assert "0 new, 2 updated, 1 unchanged" in out.getvalue()

    before = len(bot.api.calls)
    [menu_job] = bot.app.job_queue.get_jobs_by_name(MENU_SYNC_JOB)
    await menu_job.run(bot.app)
    menus = [c for c in bot.api.calls[before:] if c.method == "setMyCommands"]
    by_chat = {menu_chat(c): c.params["commands"] for c in menus}
    assert set(by_chat) == {82, 83}
    # Anna is on Telegram: her language stays hers (en); her new role shows in her menu.
    assert by_chat[82][0]["description"] == "start, or bind your invitation"
    assert "members" in [command["command"] for command in by_chat[83]]

    before = len(bot.api.calls)
    await menu_job.run(bot.app)  # nothing left to do
    assert [c for c in bot.api.calls[before:] if c.method == "setMyCommands"] == []


async def test_members_searches_by_name_or_unit(bot: BotHarness) -> None:
    wang = await add_entry(bot, "王芳", Role.COUNCIL, "zh", unit="昆明市外办")
    li = await add_entry(bot, "Li Hua", Role.MEMBER, unit="Yunnan University")
    admin = bot.user(ADMIN_ID, "Sec", "en")
    [found] = [c for c in await bot.send(admin, "/members 外办") if c.method == "sendMessage"]
    assert "matching “外办” (1)" in found.text
    assert found.callback_data() == [f"mb:p:{wang.id}"]
    [found] = [c for c in await bot.send(admin, "/members yunnan") if c.method == "sendMessage"]
    assert found.callback_data() == [f"mb:p:{li.id}"]
    [none] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/members Nobody"))
    assert none == "No one on the roster has “Nobody” in their name or unit."


async def test_a_card_names_the_persons_language_in_the_readers_language(
    bot: BotHarness,
) -> None:
    li = await add_entry(bot, "李华", Role.MEMBER, "zh", unit="云大")
    zh_admin = bot.user(ADMIN_ID, "Sec", "zh")
    await bot.send(zh_admin, "/language")
    await bot.tap(zh_admin, "lang:zh")
    [card] = bot.texts_to(ADMIN_ID, await bot.send(zh_admin, f"/members {li.id}"))
    assert "语言：中文" in card
