"""Any change to or from the secretariat asks first and is written to the audit log."""

from __future__ import annotations

import io
from pathlib import Path

from bot.config import Settings
from bot.roster.cli import import_file
from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import LINK, add_entry, send_document

ROWS = (
    "name,unit,role,telegram_id,language\n"
    "Li Hua,Yunnan University,secretariat,,zh\n"
    "Anna Smith,Friendship Society,member,,en\n"
)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


async def names_with_role(bot: BotHarness, role: Role) -> list[str]:
    """The named people with that role (the configured admin starts out nameless)."""
    return [p.name for p in await bot.people.list_by_roles((role,)) if p.name]


async def audit_actions(bot: BotHarness) -> list[str]:
    rows = await bot.app.bot_data.db.fetchall("SELECT action FROM audit_log ORDER BY id")
    return [row[0] for row in rows]


async def test_cli_import_holds_back_a_new_secretariat_row_without_confirmation(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert await import_file(settings, write(tmp_path, ROWS), out, err) == 1
    assert "roster.csv:2: Li Hua (Yunnan University) would become secretariat" in err.getvalue()
    assert "--confirm-secretariat" in err.getvalue()
    assert "1 new, 0 updated" in out.getvalue()
    assert await names_with_role(bot, Role.SECRETARIAT) == []
    assert await names_with_role(bot, Role.MEMBER) == ["Anna Smith"]


async def test_cli_import_with_the_flag_makes_secretariat_and_audits_it(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    out = io.StringIO()
    path = write(tmp_path, ROWS)
    assert await import_file(settings, path, out, io.StringIO(), confirm_secretariat=True) == 0
    assert "2 new, 0 updated" in out.getvalue()
    assert await names_with_role(bot, Role.SECRETARIAT) == ["Li Hua"]
    assert "secretariat_granted" in await audit_actions(bot)


async def test_cli_import_asks_at_a_terminal_and_only_yes_applies(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    questions: list[str] = []

    def say_no(question: str) -> bool:
        questions.append(question)
        return False

    path = write(tmp_path, ROWS)
    assert await import_file(settings, path, io.StringIO(), io.StringIO(), ask=say_no) == 1
    assert questions == ["Apply these 1 secretariat change(s)? [y/N] "]
    assert await names_with_role(bot, Role.SECRETARIAT) == []

    code = await import_file(settings, path, io.StringIO(), io.StringIO(), ask=lambda _: True)
    assert code == 0
    assert await names_with_role(bot, Role.SECRETARIAT) == ["Li Hua"]


async def test_cli_import_that_removes_the_secretariat_role_asks_first(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    await add_entry(bot, "Zhao Lei", Role.SECRETARIAT, unit="Office")
    text = "name,unit,role\nZhao Lei,Office,council\n"
    err = io.StringIO()
    assert await import_file(settings, write(tmp_path, text), io.StringIO(), err) == 1
    assert "Zhao Lei (Office) would no longer be secretariat (now council)" in err.getvalue()
    assert await names_with_role(bot, Role.SECRETARIAT) == ["Zhao Lei"]

    path = write(tmp_path, text)
    assert await import_file(settings, path, io.StringIO(), err, confirm_secretariat=True) == 0
    assert await names_with_role(bot, Role.COUNCIL) == ["Zhao Lei"]
    assert "secretariat_revoked" in await audit_actions(bot)


async def test_uploaded_roster_preview_names_secretariat_changes_before_confirm(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("f1", ROWS.encode())
    calls = await send_document(bot, admin, "f1", "roster.csv")
    [preview] = [c for c in calls if c.method == "sendMessage"]
    assert "These rows change who is secretariat" in preview.text
    assert "Row 2: Li Hua (Yunnan University) becomes secretariat." in preview.text
    assert "Li Hua" not in await names_with_role(bot, Role.SECRETARIAT)

    await bot.tap(admin, preview.callback_data()[0])
    assert "Li Hua" in await names_with_role(bot, Role.SECRETARIAT)
    assert "secretariat_granted" in await audit_actions(bot)


async def test_invite_as_secretariat_asks_before_adding_the_entry(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    calls = await bot.send(admin, "/invite Li Hua | Yunnan University | secretariat")
    [ask] = [c for c in calls if c.method == "sendMessage"]
    assert "Add Li Hua (Yunnan University) as secretariat?" in ask.text
    assert ask.button_texts() == ["Yes, add as secretariat"]
    assert LINK.search(ask.text) is None
    assert "Li Hua" not in await names_with_role(bot, Role.SECRETARIAT)

    calls = await bot.tap(admin, ask.callback_data()[0])
    assert LINK.search("\n".join(bot.texts_to(ADMIN_ID, calls)))
    assert "Li Hua" in await names_with_role(bot, Role.SECRETARIAT)
    assert "entry_added" in await audit_actions(bot)


async def test_guided_invite_with_the_secretariat_button_asks_too(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/invite")
    await bot.send(admin, "Li Hua")
    calls = await bot.send(admin, "Yunnan University")
    [roles] = [c for c in calls if c.method == "sendMessage"]
    secretariat = roles.callback_data()[roles.button_texts().index("secretariat")]
    calls = await bot.tap(admin, secretariat)
    assert "as secretariat?" in "\n".join(bot.texts_to(ADMIN_ID, calls))
    assert "Li Hua" not in await names_with_role(bot, Role.SECRETARIAT)


async def test_a_secretariat_confirmation_without_a_pending_invite_adds_nobody(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/help")
    calls = await bot.tap(admin, "iv:sec")
    assert any(c.method == "answerCallbackQuery" for c in calls)
    row = await bot.app.bot_data.db.fetchone("SELECT COUNT(*) FROM persons")
    assert row is not None and row[0] == 1  # the admin alone
