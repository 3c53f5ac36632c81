"""Roster CSV import: command line and upload, idempotent, bad rows by line, invite links."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.config import Settings
from bot.roster.cli import import_file
from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import LINK, add_entry, send_document

GOOD = (
    "name,unit,role,telegram_id,language\n"
    "Li Hua,Yunnan University,council,,zh\n"
    "Anna Smith,Friendship Society,member,,en\n"
    "Wang Fang,,member,777,\n"
)


async def cli(
    settings: Settings, file: str, out: io.StringIO, err: io.StringIO | None = None
) -> int:
    return await import_file(settings, file, out, err or io.StringIO())


def write(tmp_path: Path, text: str, name: str = "roster.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


async def test_cli_import_adds_entries_and_prints_a_link_per_unbound_entry(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    out = io.StringIO()
    assert await cli(settings, write(tmp_path, GOOD), out) == 0
    text = out.getvalue()
    assert "3 new, 0 updated, 0 unchanged, 0 rejected." in text
    links = LINK.findall(text)
    assert len(links) == 2  # Wang Fang has a Telegram id already
    assert "Li Hua\tYunnan University\tcouncil\thttps://t.me/youxie_bot?start=" in text

    council = await bot.people.list_by_roles((Role.COUNCIL,))
    assert [(p.name, p.unit, p.language, p.telegram_id) for p in council] == [
        ("Li Hua", "Yunnan University", "zh", None)
    ]
    [member] = [p for p in await bot.people.list_by_roles((Role.MEMBER,)) if p.telegram_id]
    assert (member.name, member.telegram_id) == ("Wang Fang", 777)


async def test_cli_import_is_idempotent_and_updates_changed_rows(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    first, second = io.StringIO(), io.StringIO()
    path = write(tmp_path, GOOD)
    await cli(settings, path, first)
    assert await cli(settings, path, second) == 0
    assert "0 new, 0 updated, 3 unchanged, 0 rejected." in second.getvalue()
    assert LINK.findall(first.getvalue()) == LINK.findall(second.getvalue())

    changed = GOOD.replace(
        "Anna Smith,Friendship Society,member", "Anna Smith,Friendship Society,council"
    )
    third = io.StringIO()
    await cli(settings, write(tmp_path, changed, "b.csv"), third)
    assert "0 new, 1 updated, 2 unchanged" in third.getvalue()
    rows = await bot.app.bot_data.db.fetchall("SELECT name, role FROM persons WHERE name != ''")
    assert sorted((r["name"], r["role"]) for r in rows) == [
        ("Anna Smith", "council"),
        ("Li Hua", "council"),
        ("Wang Fang", "member"),
    ]


async def test_bad_rows_are_reported_by_line_and_good_rows_still_import(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    text = (
        "name,unit,role,telegram_id,language\n"
        "Li Hua,Yunnan University,council,,zh\n"
        ",No Name,member,,\n"
        "Boss,Acme,boss,,\n"
        "Zhao,Acme,member,12x,\n"
        "Qian,Acme,member,,fr\n"
        "Li Hua,Yunnan University,member,,\n"
        "Sun,Acme,member\n"
        "\n"
        "Zhou,Acme,member,,en\n"
        "Zero,Acme,member,0,en\n"
        "Minus,Acme,member,-5,en\n"
        "Huge,Acme,member,9999999999999999,en\n"
    )
    out, err = io.StringIO(), io.StringIO()
    assert await cli(settings, write(tmp_path, text), out, err) == 1
    errors = err.getvalue()
    assert ":3: the name is empty" in errors
    assert ':4: role "boss" is not member, council or secretariat' in errors
    assert ':5: telegram_id "12x" is not a number' in errors
    assert ':6: language "fr" is not zh or en' in errors
    assert ":7: the same name and unit are already on line 2" in errors
    assert ":8: expected 5 columns, found 3" in errors
    assert ":11: telegram_id 0 is not a Telegram account (ids run from 1 to" in errors
    assert ':12: telegram_id "-5" is not a number' in errors
    assert ":13: telegram_id 9999999999999999 is not a Telegram account" in errors
    assert "2 new, 0 updated, 0 unchanged, 9 rejected." in out.getvalue()
    rows = await bot.app.bot_data.db.fetchall(
        "SELECT name FROM persons WHERE role != 'secretariat'"
    )
    assert sorted(r["name"] for r in rows) == ["Li Hua", "Zhou"]


async def test_a_file_without_the_columns_imports_nothing(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    err = io.StringIO()
    assert await cli(settings, write(tmp_path, "name,role\nA,member\n"), io.StringIO(), err) == 2
    assert "missing: unit." in err.getvalue()
    assert await cli(settings, str(tmp_path / "nope.csv"), io.StringIO()) == 2
    row = await bot.app.bot_data.db.fetchone("SELECT COUNT(*) FROM persons")
    assert row is not None and row[0] == 1  # only the admin


async def test_excel_gb18030_csv_with_chinese_roles_imports(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    text = "name,unit,role,telegram_id,language\r\n李华,云南大学,理事,,中文\r\n"
    out = io.StringIO()
    assert await cli(settings, write(tmp_path, text, encoding="gb18030"), out) == 0
    person = (await bot.people.list_by_roles((Role.COUNCIL,)))[0]
    assert (person.name, person.unit, person.language) == ("李华", "云南大学", "zh")


async def test_secretariat_sends_the_csv_sees_a_preview_and_confirms(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("f1", (GOOD + "Bad,,boss,,\n").encode())
    calls = await send_document(bot, admin, "f1", "roster.csv")
    [preview] = [c for c in calls if c.method == "sendMessage"]
    assert "3 new, 0 updated, 0 unchanged, 1 rejected" in preview.text
    assert 'Row 5: role "boss"' in preview.text
    assert preview.button_texts() == ["Confirm import", "Cancel"]
    assert await bot.people.list_by_roles((Role.COUNCIL,)) == []

    calls = await bot.tap(admin, preview.callback_data()[0])
    texts = "\n".join(bot.texts_to(ADMIN_ID, calls))
    assert "Roster imported" in texts and "3 new" in texts
    assert len(LINK.findall(texts)) == 2
    assert len(await bot.people.list_by_roles((Role.COUNCIL,))) == 1

    again = await bot.tap(admin, preview.callback_data()[0])
    assert bot.alerts(again) == ["This button is no longer valid."]


async def test_cancelled_upload_changes_nothing(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("f1", GOOD.encode())
    calls = await send_document(bot, admin, "f1", "roster.csv")
    [preview] = [c for c in calls if c.method == "sendMessage"]
    calls = await bot.tap(admin, preview.callback_data()[1])
    assert "Import cancelled" in bot.texts_to(ADMIN_ID, calls)[-1]
    row = await bot.app.bot_data.db.fetchone("SELECT COUNT(*) FROM persons")
    assert row is not None and row[0] == 1


async def test_binary_upload_is_refused_politely(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("f1", b"\xff\xfe\x00\x81\x82" * 10)
    calls = await send_document(bot, admin, "f1", "roster.csv")
    assert "could not read this file" in bot.texts_to(ADMIN_ID, calls)[0]


async def test_reimporting_a_removed_member_restores_the_same_entry(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD)
    await cli(settings, path, io.StringIO())
    await cli(
        settings,
        write(tmp_path, GOOD.replace("Wang Fang,,", "Wang Fang,Kunming,"), "k.csv"),
        io.StringIO(),
    )
    people = bot.people
    [wang] = [p for p in await people.list_by_roles((Role.MEMBER,)) if p.telegram_id == 777]
    await bot.roster.change_role(wang.id, Role.GUEST, None, bot.clock.now(), "removed")
    out = io.StringIO()
    await cli(
        settings,
        write(
            tmp_path,
            "name,unit,role,telegram_id,language\nWang Fang,Kunming,member,,\n",
            "again.csv",
        ),
        out,
    )
    assert "0 new, 1 updated" in out.getvalue()
    again = await people.get(wang.id)
    assert again is not None and again.role is Role.MEMBER and again.telegram_id == 777


async def test_a_guest_who_named_themselves_like_an_entry_is_not_matched(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    await bot.send(bot.user(501, "Zhang Xiaoming"), "/start")
    out = io.StringIO()
    text = "name,unit,role,telegram_id,language\nZhang Xiaoming,,council,,zh\n"
    await cli(settings, write(tmp_path, text), out)
    assert "1 new" in out.getvalue()
    guest = await bot.people.get_by_telegram_id(501)
    assert guest is not None and guest.role is Role.GUEST


async def test_uploaded_rosters_are_not_kept_after_use_or_after_a_day(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("f1", GOOD.encode())
    calls = await send_document(bot, admin, "f1", "roster.csv")
    [preview] = [c for c in calls if c.method == "sendMessage"]
    await bot.tap(admin, preview.callback_data()[0])
    bot.clock.advance(hours=1)
    await send_document(bot, admin, "f1", "roster.csv")
    bot.clock.advance(days=2)
    await send_document(bot, admin, "f1", "roster.csv")
    rows = await bot.app.bot_data.db.fetchall("SELECT status, content FROM roster_uploads")
    assert [(r["status"], r["content"] == "") for r in rows] == [
        ("imported", True),
        ("cancelled", True),
        ("pending", False),
    ]


async def test_a_preview_confirmed_after_an_hour_has_expired_and_changes_nothing(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("f1", GOOD.encode())
    calls = await send_document(bot, admin, "f1", "roster.csv")
    [preview] = [c for c in calls if c.method == "sendMessage"]
    assert "Confirm within 60 minutes" in preview.text

    bot.clock.advance(hours=1, seconds=1)
    calls = await bot.tap(admin, preview.callback_data()[0])
    assert bot.alerts(calls) == [
        "This preview has expired (60 minutes). Nothing was imported; send the file again."
    ]
    assert [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert [c for c in calls if c.method == "sendMessage"] == []
    row = await bot.app.bot_data.db.fetchone("SELECT COUNT(*) FROM persons")
    assert row is not None and row[0] == 1
    rows = await bot.app.bot_data.db.fetchall("SELECT status, content FROM roster_uploads")
    assert [(r["status"], r["content"]) for r in rows] == [("cancelled", "")]

    again = await bot.tap(admin, preview.callback_data()[0])
    assert bot.alerts(again) == ["This button is no longer valid."]


async def test_a_preview_confirmed_within_the_hour_imports(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("f1", GOOD.encode())
    calls = await send_document(bot, admin, "f1", "roster.csv")
    [preview] = [c for c in calls if c.method == "sendMessage"]
    bot.clock.advance(minutes=59)
    calls = await bot.tap(admin, preview.callback_data()[0])
    assert "Roster imported" in "\n".join(bot.texts_to(ADMIN_ID, calls))


@pytest.mark.parametrize(
    ("content", "preview_says"),
    [
        # An open quote: the rows from there on cannot be read, and the preview says where.
        (
            b'name,unit,role\n"Li Hua,Unit,member\nAnna,Unit,member\n',
            "Row 2: the CSV cannot be read from here on",
        ),
        # Without telegram_id and language columns.
        (b"name,unit,role\nLi Hua,Unit,member\n", "1 new, 0 updated, 0 unchanged, 0 rejected"),
    ],
)
async def test_the_preview_of_an_uploaded_roster(
    bot: BotHarness, content: bytes, preview_says: str
) -> None:
    bot.api.add_file("f", content)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    preview = bot.texts_to(ADMIN_ID, await send_document(bot, admin, "f", "roster.csv"))[0]
    assert preview_says in preview


async def test_an_import_leaves_the_language_a_person_chose(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    anna = await add_entry(bot, "Anna", Role.MEMBER, "en", telegram_id=82, unit="Unit")
    bot.api.add_file("zh", b"name,unit,role,telegram_id,language\nAnna,Unit,member,82,zh\n")
    calls = await send_document(bot, admin, "zh", "roster.csv")
    assert "0 new, 0 updated, 1 unchanged" in bot.texts_to(ADMIN_ID, calls)[0]
    await bot.tap(
        admin,
        bot.api.last_message_to(ADMIN_ID)["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
    )
    person = await bot.people.get(anna.id)
    assert person is not None and person.language == "en"
