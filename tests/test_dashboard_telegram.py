"""The dashboard from Telegram's side: settings, menu button, /dashboard, console link, process."""

from __future__ import annotations

import io
import re
import signal
import socket
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bot.app import build_application, on_shutdown, on_startup
from bot.commands import commands_for
from bot.config import ConfigError, Settings
from bot.console import run_console
from bot.dashboard.launch import launch_key
from bot.dashboard.server import LAUNCH_HEADER
from handlers.dashboard import MENU_BUTTON_JOB
from storage.people import Role
from tests.dashboard_support import dashboard_settings, fetch, launch
from tests.harness import ADMIN_ID, BotHarness, RecordingBotApi
from tests.http_bot_api import TOKEN, serve_bot_api
from tests.meetings_support import add_person
from tests.test_run_modes import free_port, start_bot


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The dashboard switched on."""
    return dashboard_settings(tmp_path)


def env(tmp_path: Path, **values: str) -> Settings:
    return Settings.from_env(
        {"ASSOC_DB_PATH": str(tmp_path / "x.sqlite3"), **values}, dotenv_path=tmp_path / ".env"
    )


def test_the_dashboard_settings_default_to_this_machine_port_8080(tmp_path: Path) -> None:
    settings = env(tmp_path, ASSOC_WEBAPP_URL="https://bot.example.org/assoc/dash/")
    assert (settings.webapp_listen, settings.webapp_port) == ("127.0.0.1", 8080)
    assert settings.webapp_path == "/assoc/dash"
    assert env(tmp_path).webapp_url is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ASSOC_WEBAPP_URL", "http://bot.example.org/dash"),
        ("ASSOC_WEBAPP_URL", "bot.example.org/dash"),
        ("ASSOC_WEBAPP_URL", "https://bot.example.org/dash?x=1"),
        ("ASSOC_WEBAPP_URL", "https:///dash"),
        ("ASSOC_WEBAPP_PORT", "0"),
        ("ASSOC_WEBAPP_PORT", "http"),
        ("ASSOC_WEBAPP_LISTEN", "not an address!"),
    ],
)
def test_bad_dashboard_settings_name_their_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        env(tmp_path, **{variable: value})
    assert raised.value.variable == variable


def test_the_dashboard_cannot_share_the_webhooks_port(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        env(
            tmp_path,
            ASSOC_WEBHOOK_URL="https://bot.example.org/telegram",
            ASSOC_WEBHOOK_PORT="8443",
            ASSOC_WEBAPP_URL="https://bot.example.org/dash",
            ASSOC_WEBAPP_PORT="8443",
        )
    assert raised.value.variable == "ASSOC_WEBAPP_PORT"


async def test_nothing_is_served_without_the_dashboard_address(tmp_path: Path) -> None:
    app = build_application(Settings(db_path=tmp_path / "db.sqlite3"), request=RecordingBotApi())
    async with app:
        await on_startup(app)
        try:
            assert app.bot_data.dashboard is None
        finally:
            await on_shutdown(app)


def menu_buttons(bot: BotHarness) -> dict[int, dict[str, object]]:
    """The last menu button set per chat."""
    return {
        int(call.params["chat_id"]): call.params["menu_button"]
        for call in bot.api.calls
        if call.method == "setChatMenuButton"
    }


async def run_menu_job(bot: BotHarness) -> None:
    assert bot.app.job_queue is not None
    [job] = bot.app.job_queue.get_jobs_by_name(MENU_BUTTON_JOB)
    await job.run(bot.app)


async def test_the_secretariat_gets_the_menu_button_and_members_never(bot: BotHarness) -> None:
    await add_person(bot, "Member Wu", "member", 7001)
    await add_person(bot, "Council Li", "council", 7002)
    await add_person(bot, "Sec Zhang", "secretariat", 7003, language="zh")
    await run_menu_job(bot)
    buttons = menu_buttons(bot)
    assert set(buttons) == {ADMIN_ID, 7003}
    assert buttons[ADMIN_ID] == {
        "type": "web_app",
        "text": "看板",  # the admin has no language yet: Chinese
        "web_app": {"url": "https://bot.example.org/dash"},
    }
    assert buttons[7003]["text"] == "看板"
    bot.api.calls.clear()
    await run_menu_job(bot)
    assert menu_buttons(bot) == {}  # set once


async def test_leaving_the_secretariat_gives_the_ordinary_menu_button_back(
    bot: BotHarness,
) -> None:
    person_id = await add_person(bot, "Sec Zhang", "secretariat", 7003)
    await run_menu_job(bot)
    await bot.roster.change_role(person_id, Role.MEMBER, None, bot.clock.now(), "demote")
    bot.api.calls.clear()
    await run_menu_job(bot)
    assert menu_buttons(bot) == {7003: {"type": "default"}}


async def test_dashboard_opens_the_mini_app_for_the_secretariat_only(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    [call] = [c for c in await bot.send(admin, "/dashboard") if c.method == "sendMessage"]
    [[button]] = call.params["reply_markup"]["inline_keyboard"]
    assert button == {"text": "Dashboard", "web_app": {"url": "https://bot.example.org/dash"}}
    await add_person(bot, "Member Wu", "member", 7001)
    member = bot.user(7001, "Wu", "en")
    [refusal] = [c for c in await bot.send(member, "/dashboard") if c.method == "sendMessage"]
    assert "only for the secretariat" in refusal.text
    assert "reply_markup" not in refusal.params or not refusal.params["reply_markup"]


async def test_the_secretariat_menu_lists_dashboard_and_the_members_does_not(
    bot: BotHarness,
) -> None:
    assert "dashboard" in [spec.name for spec in commands_for(Role.SECRETARIAT)]
    assert "dashboard" not in [spec.name for spec in commands_for(Role.COUNCIL)]
    assert "dashboard" not in [spec.name for spec in commands_for(Role.MEMBER)]


async def test_the_console_prints_a_signed_local_link_that_opens_the_dashboard(
    tmp_path: Path,
) -> None:
    settings = Settings(
        db_path=tmp_path / "db.sqlite3",
        webapp_url="http://127.0.0.1/dash",
        webapp_port=free_port(),
    )
    out = io.StringIO()

    class Lines(io.StringIO):
        """Console input that opens the printed link before the console closes."""

        def readline(self, size: int | None = -1) -> str:
            line = super().readline()
            if not line and "tgWebAppData" in out.getvalue():
                opened.append(open_link(out.getvalue()))
            return line

    opened: list[tuple[int, str]] = []
    await run_console(settings, Lines("/dashboard\n"), out)
    link = re.search(r"http://127\.0\.0\.1:\d+/dash/#\S+", out.getvalue())
    assert link is not None
    fields = parse_qs(urlsplit(link.group(0)).fragment)
    assert "tgWebAppVersion" in fields
    launch_data = fields["tgWebAppData"][0]
    assert '"id":1' in unquote(launch_data)  # the console user
    [(status, html)] = opened
    assert status == 200
    assert "名册" in html  # the console user reads Chinese


def open_link(output: str) -> tuple[int, str]:
    """GET the printed link's page as its script does (on the console's input thread)."""
    link = re.findall(r"http://127\.0\.0\.1:\d+/dash/#\S+", output)[-1]
    address, fragment = link.split("#", 1)
    launch_data = parse_qs(fragment)["tgWebAppData"][0]
    request = urllib.request.Request(address, headers={LAUNCH_HEADER: launch_data})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status), response.read().decode()


def test_a_busy_dashboard_port_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_bot(
            tmp_path,
            "console",
            ASSOC_WEBAPP_URL="http://127.0.0.1/dash",
            ASSOC_WEBAPP_PORT=str(port),
        )
        stdout, stderr = process.communicate("", timeout=60)
    assert process.returncode == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "ASSOC_WEBAPP_PORT" in lines[0], stderr
    assert "Traceback" not in stderr + stdout


def test_the_running_bot_serves_the_dashboard_in_its_own_process(tmp_path: Path) -> None:
    port = free_port()
    with serve_bot_api() as api:
        process = start_bot(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{api.port}/bot",
            ASSOC_ADMIN_IDS="5151",
            ASSOC_WEBAPP_URL="https://bot.example.org/dash",
            ASSOC_WEBAPP_PORT=str(port),
        )
        try:
            button = api.wait_for("setChatMenuButton")
            base = f"http://127.0.0.1:{port}/dash"
            with urllib.request.urlopen(base, timeout=10) as response:
                shell = response.read().decode()
            signed = launch(5151, datetime.now(UTC), key=launch_key(TOKEN))
            request = urllib.request.Request(f"{base}/roster", headers={LAUNCH_HEADER: signed})
            with urllib.request.urlopen(request, timeout=10) as response:
                roster = response.read().decode()
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert button.chat_id == 5151
    assert 'id="app"' in shell and "Roster" not in shell
    assert "Roster" in roster  # no language chosen: the launch says the app is English
    assert process.returncode == 0, stderr
    assert TOKEN not in stderr


async def test_a_launch_signed_for_another_bot_is_refused_by_the_running_server(
    bot: BotHarness,
) -> None:
    page = await fetch(bot, "/dash/roster", launch(ADMIN_ID, bot.clock.now(), key=b"x" * 32))
    assert page.status == 401
