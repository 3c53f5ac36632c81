"""Scheduled notices: fired at their time, kept over a restart, missed ones, repeats."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from tests.harness import ADMIN_ID, BotHarness
from tests.test_notices import add_person, confirm_data, notice_texts, service, settle

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast delivery, as in the other notice tests."""
    return replace(settings, broadcast_rate=1000)


async def test_scheduled_notice_fires_at_its_time_and_survives_restart(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    # 2026-11-28 02:00 UTC is 10:00 in Kunming; schedule for 11:30 local.
    calls = await bot.send(admin, "/notice at=2026-11-28T11:30\nLater today")
    assert "Sat, 28 Nov 2026 11:30" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.tap(admin, confirm_data(calls))
    assert "scheduled" in bot.texts_to(ADMIN_ID, calls)[-1]
    queue = bot.app.job_queue
    assert queue is not None
    [job] = queue.get_jobs_by_name("notice-1")
    assert job.job.misfire_grace_time == 6 * 3600
    assert job.job.trigger.run_date == datetime(2026, 11, 28, 3, 30, tzinfo=UTC)

    bot.clock.advance(hours=1, minutes=31)
    await job.run(bot.app)
    await settle(bot)
    assert notice_texts(bot, 101) == ["Later today"]
    await job.run(bot.app)  # a second firing finds the row no longer scheduled
    await settle(bot)
    assert notice_texts(bot, 101) == ["Later today"]


async def test_notice_missed_while_down_is_sent_once_within_grace_else_reported(
    bot: BotHarness,
) -> None:
    await add_person(bot, "Ann", 101)
    repo = service(bot).repo
    now = bot.clock.now()
    for hours_late, text in ((2, "Recent"), (7, "Stale")):
        notice = await repo.create(
            author_person_id=1,
            author_chat_id=ADMIN_ID,
            author_language="en",
            audience="all",
            language=None,
            category="official",
            text_zh=None,
            text_en=text,
            media_kind=None,
            media_file_id=None,
            due_at=now - timedelta(hours=hours_late),
            recurrence=None,
            now=now,
            status="scheduled",
        )
        assert notice.status == "scheduled"
    await service(bot).resume()
    await service(bot).resume()
    await settle(bot)
    assert notice_texts(bot, 101) == ["Recent"]
    assert any("was not sent" in text for text in bot.texts_to(ADMIN_ID))
    stale = await repo.get(2)
    assert stale is not None and stale.status == "missed"


async def test_recurring_notice_is_shown_in_words_and_repeats(bot: BotHarness) -> None:
    await add_person(bot, "Ann", 101)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, '/notice cron="0 9 * * 1-5"\nDaily briefing')
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "every weekday (Monday to Friday) at 09:00" in preview
    assert "next: Mon, 30 Nov 2026 09:00" in preview
    await bot.tap(admin, confirm_data(calls))
    svc = service(bot)
    first = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    bot.clock.set(first + timedelta(seconds=5))
    await svc.fire(1, first)
    await settle(bot)
    assert notice_texts(bot, 101) == ["Daily briefing"]
    template = await svc.repo.get(1)
    assert template is not None and template.status == "scheduled"
    assert template.due_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    calls = await bot.send(admin, "/notices")
    overview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "#1 · scheduled" in overview and "#2 · sent 2/2" in overview
