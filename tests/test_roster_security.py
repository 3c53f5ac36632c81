"""Security: members typing secretariat commands or forging buttons are refused; nothing changes."""

from __future__ import annotations

import pytest

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import LINK, add_entry, send_document

REFUSAL = "Sorry, this is only for the secretariat."


async def snapshot(bot: BotHarness) -> list[tuple[object, ...]]:
    """Everything the roster could change, in one comparable value."""
    db = bot.app.bot_data.db
    rows: list[tuple[object, ...]] = []
    for table in ("persons", "audit_log", "applications", "invite_codes", "roster_uploads"):
        rows += [(table, *tuple(row)) for row in await db.fetchall(f"SELECT * FROM {table}")]
    return rows


@pytest.fixture
async def member(bot: BotHarness) -> dict[str, object]:
    await add_entry(bot, "Mallory", Role.MEMBER, "en", telegram_id=99)
    user = bot.user(99, "Mallory", "en")
    await bot.send(user, "/help")  # her menu is set before the snapshots are taken
    return user


@pytest.mark.parametrize(
    "command",
    [
        "/members",
        "/members 1",
        "/invite",
        "/invite council",
        "/invite 1",
        "/invite Eve | Evil Corp | secretariat",
    ],
)
async def test_member_typing_secretariat_commands_is_refused(
    bot: BotHarness, member: dict[str, object], command: str
) -> None:
    before = await snapshot(bot)
    calls = await bot.send(member, command)
    assert bot.texts_to(99, calls) == [REFUSAL]
    assert bot.texts_to(ADMIN_ID, calls) == []
    assert await snapshot(bot) == before


async def test_member_sending_a_roster_csv_is_refused(
    bot: BotHarness, member: dict[str, object]
) -> None:
    bot.api.add_file("evil", b"name,unit,role,telegram_id,language\nMallory,,secretariat,99,\n")
    before = await snapshot(bot)
    calls = await send_document(bot, member, "evil", "roster.csv")
    [answer] = bot.texts_to(99, calls)
    assert answer.startswith("roster.csv: I cannot read files or pictures, only text.")
    assert not [c for c in calls if c.method == "getFile"]  # not even downloaded
    assert await snapshot(bot) == before


async def forged_data(bot: BotHarness) -> list[str]:
    """Buttons a member might forge: promote herself, act on others, other uploads, junk."""
    admin_person = await bot.people.get_by_telegram_id(ADMIN_ID)
    mallory = await bot.people.get_by_telegram_id(99)
    other = await add_entry(bot, "Victim", Role.COUNCIL, telegram_id=98)
    assert admin_person is not None and mallory is not None
    guest = bot.user(97, "Applicant")
    await bot.send(guest, "/join")
    await bot.send(guest, "Applicant")
    await bot.send(guest, "-")
    bot.api.add_file("ok", b"name,unit,role,telegram_id,language\nNew,,member,,\n")
    await send_document(bot, bot.user(ADMIN_ID, "Sec"), "ok", "roster.csv")
    return [
        f"mb:r:{mallory.id}:secretariat",
        f"mb:r:{admin_person.id}:member",
        f"mb:X:{other.id}",
        f"mb:x:{other.id}",
        f"mb:i:{other.id}",
        f"mb:p:{other.id}",
        "mb:a:0",
        "mb:l:0",
        "ap:1:c",
        "ap:1:d",
        "ri:1:y",
        "ri:1:n",
        "iv:new:secretariat",
        "iv:link:council",
    ]


async def test_member_forging_secretariat_buttons_gets_a_refusal_and_nothing_changes(
    bot: BotHarness, member: dict[str, object]
) -> None:
    for data in await forged_data(bot):
        before = await snapshot(bot)
        calls = await bot.tap(member, data)
        assert bot.alerts(calls) == [REFUSAL], data
        assert [c for c in calls if c.method != "answerCallbackQuery"] == [], data
        assert await snapshot(bot) == before, data


@pytest.mark.parametrize(
    "data",
    [
        "mb:r:abc:member",
        "mb:r:1:guest",
        "mb:r:1:secretariat;DROP",
        "mb:q:1",
        "mb:l:-1",
        "mb:l:" + "9" * 90,
        "ap:x:m",
        "ap:1:z",
        "ap:99999:m",
        "ap:" + "1" * 80 + ":m",
        "ri:1:maybe",
        "ri:abc:y",
    ],
)
async def test_malformed_or_oversize_buttons_are_refused_even_for_the_secretariat(
    bot: BotHarness, data: str
) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/help")
    before = await snapshot(bot)
    calls = await bot.tap(admin, data)
    assert bot.alerts(calls) in (["This button is no longer valid."], ["此按钮已失效。"]), data
    assert await snapshot(bot) == before


async def test_another_secretariat_member_cannot_confirm_someone_elses_upload(
    bot: BotHarness,
) -> None:
    await add_entry(bot, "Second", Role.SECRETARIAT, "en", telegram_id=5001)
    bot.api.add_file("ok", b"name,unit,role,telegram_id,language\nNew,,member,,\n")
    await send_document(bot, bot.user(ADMIN_ID, "Sec"), "ok", "roster.csv")
    second = bot.user(5001, "Second", "en")
    await bot.send(second, "/help")
    before = await snapshot(bot)
    calls = await bot.tap(second, "ri:1:y")
    assert bot.alerts(calls) == ["This button is no longer valid."]
    assert await snapshot(bot) == before


@pytest.mark.parametrize("data", ["st:news:2", "st:lang:fr", "st:news:0:99", "fg:yes;99", "fg:"])
async def test_personal_buttons_with_forged_data_change_nothing(
    bot: BotHarness, member: dict[str, object], data: str
) -> None:
    await add_entry(bot, "Victim", Role.COUNCIL, telegram_id=98)
    before = await snapshot(bot)
    calls = await bot.tap(member, data)
    assert bot.alerts(calls) == ["This button is no longer valid."]
    assert await snapshot(bot) == before


async def test_demoted_secretariat_member_cannot_use_an_old_approval_button(
    bot: BotHarness,
) -> None:
    second = await add_entry(bot, "Second", Role.SECRETARIAT, "en", telegram_id=5001)
    guest = bot.user(97, "Applicant")
    await bot.send(guest, "/join")
    await bot.send(guest, "Applicant")
    await bot.send(guest, "-")
    card = bot.api.sent(5001, "sendMessage")[-1]
    await bot.tap(bot.user(ADMIN_ID, "Sec"), f"mb:R:{second.id}:member")
    user = bot.user(5001, "Second", "en")
    await bot.send(user, "/help")
    before = await snapshot(bot)
    calls = await bot.tap(user, card.callback_data()[0], message=bot.api.messages[(5001, 1)])
    assert bot.alerts(calls) == [REFUSAL]
    assert await snapshot(bot) == before


# Each step of a form a secretariat member started, taken after they lost the secretariat's
# rights: the sends before the demotion, then the step that must be refused.
_INVITE_STEPS = {
    "name": (["/invite"], "Eve"),
    "unit": (["/invite", "Eve"], "-"),
    "role": (["/invite", "Eve", "-"], "iv:new:member"),
    "secretariat confirmation": (["/invite Eve | Unit | secretariat"], "iv:sec"),
    "namesake added anyway": (["/invite Victim | Unit | council"], "iv:dup"),
}


@pytest.mark.parametrize("step", list(_INVITE_STEPS))
async def test_a_demoted_secretariat_member_cannot_finish_an_invite(
    bot: BotHarness, step: str
) -> None:
    second = await add_entry(bot, "Second", Role.SECRETARIAT, "en", telegram_id=5001)
    await add_entry(bot, "Victim", Role.COUNCIL, telegram_id=98)
    user = bot.user(5001, "Second", "en")
    before_demotion, refused = _INVITE_STEPS[step]
    for text in before_demotion:
        await bot.send(user, text)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, f"/members {second.id}")
    await bot.tap(admin, f"mb:R:{second.id}:member")
    before = await snapshot(bot)
    if refused.startswith("iv:"):
        calls = await bot.tap(user, refused)
        assert bot.alerts(calls) == [REFUSAL]
    else:
        calls = await bot.send(user, refused)
        assert bot.texts_to(5001, calls) == [REFUSAL]
    assert await snapshot(bot) == before


async def test_no_one_time_link_gives_the_secretariats_rights(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/invite")
    before = await snapshot(bot)
    calls = await bot.tap(admin, "iv:link:secretariat")
    assert bot.alerts(calls) == ["This button is no longer valid."]
    assert await snapshot(bot) == before


async def test_a_guest_who_joined_the_roster_mid_application_sends_none(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    calls = await bot.send(admin, "/invite Anna | Unit | member | en")
    [code] = LINK.findall("\n".join(bot.texts_to(ADMIN_ID, calls)))
    guest = bot.user(76, "Anna", "en")
    await bot.send(guest, "/join")
    await bot.send(guest, "Anna")
    await bot.send(guest, f"/start {code}")  # bound as a member before giving the unit
    calls = await bot.send(guest, "Unit")
    assert bot.texts_to(76, calls) == ["Cancelled. Nothing was changed."]
    assert bot.texts_to(ADMIN_ID, calls) == []
    assert await bot.app.bot_data.db.fetchall("SELECT * FROM applications") == []


async def test_a_removed_person_offers_no_second_removal(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    gone = await add_entry(bot, "Gone", Role.MEMBER, telegram_id=96)
    await bot.send(admin, f"/members {gone.id}")
    await bot.tap(admin, f"mb:X:{gone.id}")
    before = await snapshot(bot)
    calls = await bot.tap(admin, f"mb:x:{gone.id}")
    assert bot.alerts(calls) == ["This button is no longer valid."]
    assert [c for c in calls if c.method != "answerCallbackQuery"] == []
    assert await snapshot(bot) == before
