"""The dashboard in headless Chromium, opened as Telegram opens it: launch data in the fragment."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest

from bot.config import Settings
from storage.people import Role
from tests.dashboard_support import dashboard_settings, launch, record_send, server_of
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import add_person, confirmed_meeting, council, tap
from tests.test_dashboard_pages import delivering_notice

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=412,900",  # a phone's width
)
SCREENSHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")  # a folder to save the README's pictures
T = TypeVar("T")


def _browser_missing() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return "headless Chromium is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module; in CI a missing browser fails instead of skipping."""
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dashboard-chromium-")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The dashboard switched on."""
    return dashboard_settings(tmp_path)


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking WebDriver call on a thread while the event loop serves the page."""
    return await asyncio.to_thread(function, *args)


def telegram_url(bot: BotHarness, path: str, launch_data: str) -> str:
    """The address as Telegram opens it: launch data urlencoded in the fragment."""
    fragment = (
        f"tgWebAppData={quote(launch_data, safe='')}&tgWebAppVersion=8.0"
        "&tgWebAppPlatform=android&tgWebAppThemeParams=%7B%22bg_color%22%3A%22%23ffffff%22%7D"
    )
    return f"http://127.0.0.1:{server_of(bot).port}{path}#{fragment}"


async def open_page(browser: Any, url: str, page: str) -> Any:
    """Load `url` and wait until the script has shown the page named `page`."""
    await off_loop(browser.get, url)
    return await wait_for(browser, f'[data-page="{page}"]')


async def wait_for(browser: Any, selector: str, text: str | None = None) -> Any:
    """Wait (up to 10 s) for an element, optionally containing `text`."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 10, poll_frequency=0.1)
    if text is not None:
        located = (By.CSS_SELECTOR, selector)
        await off_loop(wait.until, expected_conditions.text_to_be_present_in_element(located, text))
    return await off_loop(
        wait.until, expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector))
    )


async def screenshot(browser: Any, name: str) -> None:
    """Save the README's picture when asked to (DASHBOARD_SCREENSHOTS=folder)."""
    png = await off_loop(browser.get_screenshot_as_png)
    assert png.startswith(b"\x89PNG")
    if SCREENSHOTS:
        Path(SCREENSHOTS, name).write_bytes(png)


async def test_a_secretary_opens_the_dashboard_and_follows_links_to_the_roster(
    bot: BotHarness, browser: Any
) -> None:
    await add_person(bot, "Li Hua", "council", 81, unit="Yunnan University")
    await add_person(bot, "Wang Fang", "member", 82, unit="Kunming Foreign Affairs Office")
    url = telegram_url(bot, "/dash", launch(ADMIN_ID, bot.clock.now()))
    await open_page(browser, url, "home")
    link = await wait_for(browser, 'a[href^="/dash/roster#tgWebAppData="]')
    await off_loop(link.click)
    await wait_for(browser, '[data-page="roster"] table.roster', "Wang Fang")
    assert "/dash/roster" in browser.current_url and "#tgWebAppData=" in browser.current_url
    body = browser.find_element("css selector", "main").text
    assert "Li Hua" in body and "Yunnan University" in body
    search = browser.find_element("css selector", 'input[name="q"]')
    await off_loop(search.send_keys, "Kunming")
    await off_loop(browser.find_element("css selector", "form.filter button").click)
    await wait_for(browser, "p.matching", "1 matching")
    assert "q=Kunming" in browser.current_url
    assert "Li Hua" not in browser.find_element("css selector", "table.roster").text
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= browser.execute_script("return window.innerWidth")  # fits a phone


async def test_a_meeting_board_opened_directly_shows_the_chart_and_quorum(
    bot: BotHarness, browser: Any
) -> None:
    users = await council(bot, 5)
    meeting = await confirmed_meeting(bot)
    for index, answer in enumerate("yyynm"):
        message = bot.api.messages[(100 + index, 1)]
        await tap(bot, users[index], f"rsvp:{meeting.id}:{meeting.version}:{answer}", message)
    url = telegram_url(bot, f"/dash/meetings/{meeting.id}", launch(ADMIN_ID, bot.clock.now()))
    await open_page(browser, url, "meetings")
    chart = await wait_for(browser, "figure.chart svg")
    assert chart.size["width"] > 200
    text = browser.find_element("css selector", "main").text
    assert "Quorum: 3 expected present of 4 required" in text
    assert "Not answered (1)" in text
    await screenshot(browser, "meeting-board.png")
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    origin = f"http://127.0.0.1:{server_of(bot).port}/"
    assert resources and all(name.startswith(origin) for name in resources)


async def test_a_notice_report_refreshes_by_itself_while_sending(
    bot: BotHarness, browser: Any
) -> None:
    notice_id = await delivering_notice(bot, 6)
    url = telegram_url(bot, f"/dash/notices/{notice_id}", launch(ADMIN_ID, bot.clock.now()))
    await open_page(browser, url, "notices")
    await wait_for(browser, "span.progress", "0 of 7 handled")
    states = ["sent", "sent", "sent", "sent", "blocked", "never_started", "sent"]
    for telegram_id, state in zip([ADMIN_ID, *range(300, 306)], states, strict=True):
        await record_send(bot, notice_id, telegram_id, state)
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.execute("UPDATE notices SET status = 'done' WHERE id = ?", (notice_id,))
    await wait_for(browser, "span.progress", "7 of 7 handled")  # no reload by the test
    text = browser.find_element("css selector", "main").text
    assert "Sent" in text and "Not reached: phone them (2)" in text
    await screenshot(browser, "notice-report.png")


async def test_a_member_is_refused_and_sees_nothing_of_the_roster(
    bot: BotHarness, browser: Any
) -> None:
    await add_person(bot, "Member Wu", "member", 7001)
    await add_person(bot, "Hidden Name", "member", None, unit="Hidden Unit")
    url = telegram_url(bot, "/dash/roster", launch(7001, bot.clock.now()))
    await open_page(browser, url, "refused")
    source = browser.page_source
    assert "Only the secretariat can open this dashboard." in source
    assert "Hidden Name" not in source and "Hidden Unit" not in source


async def test_stale_or_missing_launch_data_is_refused_in_the_browser(
    bot: BotHarness, browser: Any
) -> None:
    await add_person(bot, "Hidden Name", "member", None)
    stale = launch(ADMIN_ID, bot.clock.now() - timedelta(hours=2))
    await open_page(browser, telegram_url(bot, "/dash/roster", stale), "refused")
    assert "more than an hour old" in browser.page_source
    assert "Hidden Name" not in browser.page_source
    await off_loop(browser.execute_script, "sessionStorage.clear()")
    bare = f"http://127.0.0.1:{server_of(bot).port}/dash/roster"
    await open_page(browser, bare, "refused")
    assert "menu button" in browser.page_source and "Hidden Name" not in browser.page_source


async def test_a_secretary_demoted_while_the_page_is_open_is_refused_on_the_next_page(
    bot: BotHarness, browser: Any
) -> None:
    person_id = await add_person(bot, "Sec Two", "secretariat", 7100)
    await add_person(bot, "Hidden Name", "member", None)
    url = telegram_url(bot, "/dash", launch(7100, bot.clock.now()))
    await open_page(browser, url, "home")
    await bot.roster.change_role(person_id, Role.MEMBER, None, bot.clock.now(), "demote")
    link = await wait_for(browser, 'a[href^="/dash/roster#"]')
    await off_loop(link.click)
    await wait_for(browser, '[data-page="refused"]')
    assert "Hidden Name" not in browser.page_source
