"""Binding with /start CODE, /invite, guests' /join and the secretariat's one-tap decision."""

from __future__ import annotations

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import LINK, add_entry, only_message, person_of


async def invite_code(bot: BotHarness, text: str) -> str:
    """Create a link with /invite as the admin and return its code."""
    calls = await bot.send(bot.user(ADMIN_ID, "Sec", "en"), text)
    [code] = LINK.findall(only_message(calls, ADMIN_ID).text)
    return str(code)


async def test_start_with_code_binds_and_greets_by_name_in_the_entrys_language(
    bot: BotHarness,
) -> None:
    code = await invite_code(bot, "/invite 李华 | 云南大学 | council | zh")
    user = bot.user(61, "Hua", "en")
    calls = await bot.send(user, f"/start {code}")
    text = only_message(calls, 61).text
    assert text.startswith("李华，欢迎您！")
    assert "理事" in text and "/meetings" in text
    person = await person_of(bot, 61)
    assert (person.name, person.unit, person.role, person.language) == (
        "李华",
        "云南大学",
        Role.COUNCIL,
        "zh",
    )
    [menu] = [c for c in calls if c.method == "setMyCommands"]
    assert menu.params["scope"] == {"type": "chat", "chat_id": 61}
    names = [command["command"] for command in menu.params["commands"]]
    assert "meetings" in names and "join" not in names and "members" not in names
    assert menu.params["commands"][0]["description"] == "开始，或绑定邀请"


async def test_guest_who_talked_before_binds_and_keeps_one_row(bot: BotHarness) -> None:
    code = await invite_code(bot, "/invite Anna | Friendship Society | member")
    user = bot.user(62, "Anna", "en")
    await bot.send(user, "/start")
    assert (await person_of(bot, 62)).role is Role.GUEST
    calls = await bot.send(user, f"/start {code}")
    assert only_message(calls, 62).text.startswith("Welcome, Anna! Your Telegram account is now")
    person = await person_of(bot, 62)
    assert (person.name, person.role, person.language) == ("Anna", Role.MEMBER, "en")
    row = await bot.app.bot_data.db.fetchone("SELECT COUNT(*) FROM persons WHERE name = 'Anna'")
    assert row is not None and row[0] == 1


async def test_wrong_used_and_expired_codes_say_so_and_change_nothing(bot: BotHarness) -> None:
    code = await invite_code(bot, "/invite Anna | Unit | member | en")
    first, second = bot.user(63, "Anna"), bot.user(64, "Mallory")
    await bot.send(first, f"/start {code}")

    calls = await bot.send(second, f"/start {code}")
    assert "already been used" in only_message(calls, 64).text
    calls = await bot.send(second, "/start AAAAAAAAAAAAAAAA")
    assert "not valid" in only_message(calls, 64).text
    calls = await bot.send(second, "/start <b>" + "x" * 80)
    assert "not valid" in only_message(calls, 64).text

    late = await invite_code(bot, "/invite Late | Unit | member | en")
    bot.clock.advance(days=31)
    calls = await bot.send(second, f"/start {late}")
    assert "expired" in only_message(calls, 64).text
    assert await bot.people.get_by_telegram_id(64) is None
    assert (await person_of(bot, 63)).name == "Anna"


async def test_reopening_your_own_link_greets_again(bot: BotHarness) -> None:
    code = await invite_code(bot, "/invite Anna | Unit | member | en")
    user = bot.user(65, "Anna")
    await bot.send(user, f"/start {code}")
    calls = await bot.send(user, f"/start {code}")
    assert only_message(calls, 65).text.startswith("Welcome, Anna!")


async def test_role_link_makes_its_first_user_council(bot: BotHarness) -> None:
    code = await invite_code(bot, "/invite council")
    user = bot.user(66, "Zhou", "zh-hans")
    calls = await bot.send(user, f"/start {code}")
    assert "理事" in only_message(calls, 66).text
    assert (await person_of(bot, 66)).role is Role.COUNCIL
    calls = await bot.send(bot.user(67, "Other"), f"/start {code}")
    assert "already been used" in only_message(calls, 67).text


async def test_invite_for_an_existing_unbound_entry_renews_its_link(bot: BotHarness) -> None:
    entry = await add_entry(bot, "Qian")
    old = await invite_code(bot, f"/invite {entry.id}")
    new = await invite_code(bot, f"/invite {entry.id}")
    assert old != new
    calls = await bot.send(bot.user(68), f"/start {old}")
    assert "not valid" in only_message(calls, 68).text
    calls = await bot.send(bot.user(68), f"/start {new}")
    assert "Qian" in only_message(calls, 68).text


async def test_guided_invite_asks_name_unit_and_role_and_can_be_cancelled(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    calls = await bot.send(admin, "/invite")
    ask = only_message(calls, ADMIN_ID)
    assert ask.button_texts() == ["Link for a member", "Link for a council member"]
    await bot.send(admin, "Sun Li")
    calls = await bot.send(admin, "-")
    roles = only_message(calls, ADMIN_ID)
    calls = await bot.tap(admin, roles.callback_data()[1])
    text = "\n".join(bot.texts_to(ADMIN_ID, calls))
    assert "Sun Li (council member)" in text and LINK.search(text)

    await bot.send(admin, "/invite")
    calls = await bot.send(admin, "/cancel")
    assert bot.texts_to(ADMIN_ID, calls) == ["Cancelled. Nothing was changed."]
    calls = await bot.send(admin, "/invite nonsense")
    assert "Usage: /invite member" in bot.texts_to(ADMIN_ID, calls)[0]


async def speaks_english(bot: BotHarness) -> None:
    """The admin chose English."""
    await bot.send(bot.user(ADMIN_ID, "Sec", "en"), "/language")
    await bot.tap(bot.user(ADMIN_ID, "Sec", "en"), "lang:en")


async def apply(bot: BotHarness, user_id: int, name: str, unit: str, language: str = "en") -> None:
    user = bot.user(user_id, name, language)
    await bot.send(user, "/join")
    await bot.send(user, name)
    await bot.send(user, unit)


async def test_join_goes_to_every_secretariat_member_and_the_first_tap_wins(
    bot: BotHarness,
) -> None:
    second = await add_entry(bot, "Second Sec", Role.SECRETARIAT, "zh", telegram_id=5001)
    await speaks_english(bot)
    guest = bot.user(70, "Ivan", "en")
    calls = await bot.send(guest, "/join")
    assert "full name" in only_message(calls, 70).text
    await bot.send(guest, "Ivan Petrov")
    calls = await bot.send(guest, "Moscow Friendship House")
    assert "gone to the secretariat" in only_message(calls, 70).text
    card_en = only_message(calls, ADMIN_ID)
    card_zh = only_message(calls, 5001)
    assert card_en.button_texts() == ["Approve as member", "Approve as council", "Decline"]
    assert card_zh.button_texts() == ["批准为会员", "批准为理事", "拒绝"]
    assert "Ivan Petrov" in card_en.text and "Moscow Friendship House" in card_en.text

    admin = bot.user(ADMIN_ID, "Sec", "en")
    calls = await bot.tap(admin, card_en.callback_data()[1])
    assert "approved your application" in only_message(calls, 70).text
    assert (await person_of(bot, 70)).role is Role.COUNCIL
    edited = {c.chat_id: c.text for c in calls if c.method == "editMessageText"}
    assert "Approved as council member by Sec" in edited[ADMIN_ID]
    assert "已由Sec批准为理事" in edited[5001]
    assert bot.api.last_message_to(5001).get("reply_markup") is None

    late = await bot.tap(
        bot.user(5001, second.name, "zh"),
        card_zh.callback_data()[2],
        message=bot.api.last_message_to(5001),
    )
    assert bot.alerts(late) == ["此申请已有决定。"]
    assert (await person_of(bot, 70)).role is Role.COUNCIL
    log = await bot.app.bot_data.db.fetchall("SELECT action FROM audit_log")
    assert [row["action"] for row in log].count("application_council") == 1


async def test_declined_applicant_is_told_in_their_language(bot: BotHarness) -> None:
    await apply(bot, 71, "王芳", "昆明学院", "zh-hans")
    card = bot.api.sent(ADMIN_ID, "sendMessage")[-1]
    calls = await bot.tap(bot.user(ADMIN_ID, "Sec", "en"), card.callback_data()[2])
    assert "秘书处未批准您的申请" in only_message(calls, 71).text
    assert (await person_of(bot, 71)).role is Role.GUEST


async def test_join_can_be_cancelled_and_cannot_be_sent_twice(bot: BotHarness) -> None:
    guest = bot.user(72, "Eve", "en")
    await bot.send(guest, "/join")
    calls = await bot.send(guest, "/cancel")
    assert bot.texts_to(72, calls) == ["Cancelled. Nothing was changed."]
    assert bot.texts_to(ADMIN_ID, calls) == []
    await apply(bot, 72, "Eve", "-")
    calls = await bot.send(guest, "/join")
    assert "waiting for the secretariat" in only_message(calls, 72).text
    member = await add_entry(bot, "Mem", telegram_id=73)
    calls = await bot.send(bot.user(73, member.name), "/join")
    assert "already on the roster" in only_message(calls, 73).text


async def test_expiry_is_thirty_days(bot: BotHarness) -> None:
    code = await invite_code(bot, "/invite Anna | Unit | member | en")
    bot.clock.advance(days=29, hours=23)
    calls = await bot.send(bot.user(74), f"/start {code}")
    assert "Anna" in only_message(calls, 74).text


async def test_a_guest_with_a_pending_application_who_binds_withdraws_it(bot: BotHarness) -> None:
    await apply(bot, 75, "Anna", "-")
    card = bot.api.sent(ADMIN_ID, "sendMessage")[-1]
    code = await invite_code(bot, "/invite Anna | Friendship Society | member | en")
    await bot.send(bot.user(75, "Anna"), f"/start {code}")
    calls = await bot.tap(
        bot.user(ADMIN_ID, "Sec"), card.callback_data()[1], message=bot.api.messages[(ADMIN_ID, 1)]
    )
    assert bot.alerts(calls) == ["This application has already been decided."]
    # The admin chose no language and has since written from an English app.
    assert "joined by an invitation" in bot.api.messages[(ADMIN_ID, 1)]["text"]
    person = await person_of(bot, 75)
    assert (person.role, person.unit) == (Role.MEMBER, "Friendship Society")
