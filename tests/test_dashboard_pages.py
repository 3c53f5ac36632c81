"""Dashboard pages as the secretariat reads them: roster, meetings, notices, questions."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from openpyxl import load_workbook

from bot.config import Settings
from storage.knowledge_questions import QuestionRepository
from storage.notices import NoticeRepository
from tests.dashboard_support import dashboard_settings, fetch, launch, record_send, server_of
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import add_person, checkin_payload, confirmed_meeting, council, tap
from tests.test_notices_receipts import copy_of, send_ack_notice

# The meeting form's start: 2026-12-15 14:30 in Shanghai, 06:30 UTC.
STARTS = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The dashboard switched on."""
    return dashboard_settings(tmp_path)


async def roster(bot: BotHarness) -> None:
    """A small roster: council and members, one blocked, one never started, one formula."""
    await add_person(bot, "Li Hua", "council", 81, unit="Yunnan University")
    await add_person(bot, "Wang Fang", "member", 82, unit="Kunming Foreign Affairs Office")
    await add_person(bot, "Chen Jie", "member", None, unit="Yunnan University")
    await add_person(bot, '=HYPERLINK("http://x")', "member", None, unit="+86 unit")
    await bot.people.set_reachable_by_telegram_id(82, False, bot.clock.now())


def names(html: str) -> list[str]:
    """The names in the roster table, in order."""
    return re.findall(r"<tr class=\"reach-[a-z_]+\"><td>([^<]*)</td>", html)


async def admin_page(bot: BotHarness, path: str, language: str = "en") -> str:
    page = await fetch(bot, path, launch(ADMIN_ID, bot.clock.now(), language))
    assert page.status == 200, page.text
    return page.text


async def test_the_first_page_links_to_every_page_at_its_own_address(bot: BotHarness) -> None:
    await roster(bot)
    html = await admin_page(bot, "/dash")
    for path in ("/dash/roster", "/dash/meetings", "/dash/notices", "/dash/questions"):
        assert f'data-nav href="{path}"' in html
    assert "5 on the roster" in html  # the admin and four entries


async def test_the_roster_counts_roles_and_reach(bot: BotHarness) -> None:
    await roster(bot)
    html = await admin_page(bot, "/dash/roster")
    council_row = re.search(r"<tr><th>Council</th>(.*?)</tr>", html)
    member_row = re.search(r"<tr><th>Member</th>(.*?)</tr>", html)
    assert council_row and member_row
    assert re.findall(r"<td>(\d+)</td>", council_row.group(1)) == ["1", "1", "0", "0"]
    assert re.findall(r"<td>(\d+)</td>", member_row.group(1)) == ["3", "0", "1", "2"]
    assert "5 matching" in html


async def test_the_roster_is_searched_by_name_or_unit_and_filtered(bot: BotHarness) -> None:
    await roster(bot)
    assert names(await admin_page(bot, "/dash/roster?q=wang")) == ["Wang Fang"]
    assert names(await admin_page(bot, "/dash/roster?q=Yunnan+University")) == [
        "Li Hua",
        "Chen Jie",
    ]
    assert names(await admin_page(bot, "/dash/roster?role=council")) == ["Li Hua"]
    assert names(await admin_page(bot, "/dash/roster?reach=blocked")) == ["Wang Fang"]
    never = await admin_page(bot, "/dash/roster?reach=never_started&q=yunnan")
    assert names(never) == ["Chen Jie"]
    assert "1 matching" in never
    assert names(await admin_page(bot, "/dash/roster?q=%25")) == []  # % is a character


async def test_the_roster_shows_fifty_entries_a_page_with_links_on(bot: BotHarness) -> None:
    for index in range(120):
        await add_person(bot, f"Member {index:03d}", "member", None, unit="Unit")
    first = await admin_page(bot, "/dash/roster?role=member")
    assert len(names(first)) == 50
    assert "Entries 1-50 of 120" in first
    assert 'href="/dash/roster?role=member&amp;offset=50"' in first
    last = await admin_page(bot, "/dash/roster?role=member&offset=100")
    assert names(last)[-1] == "Member 119"
    assert "Entries 101-120 of 120" in last
    assert "Next" not in last


async def test_roster_downloads_follow_the_filter_and_neutralise_formulas(
    bot: BotHarness,
) -> None:
    await roster(bot)
    html = await admin_page(bot, "/dash/roster?q=unit")
    links = re.findall(r'data-download href="([^"]+)"', html)
    assert len(links) == 2
    csv_link, xlsx_link = (link.replace("&amp;", "&") for link in links)
    page = await fetch(bot, csv_link)
    assert page.status == 200
    assert 'filename="roster-2026-11-28.csv"' in page.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(page.text.lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == ['\'=HYPERLINK("http://x")']
    assert rows[0]["unit"] == "'+86 unit"
    url = f"http://127.0.0.1:{server_of(bot).port}{xlsx_link}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        content = await response.read()
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["id", "name", "unit"]
    assert [row[1] for row in values[1:]] == ['\'=HYPERLINK("http://x")']


async def test_a_download_link_stops_working_for_someone_no_longer_secretariat(
    bot: BotHarness,
) -> None:
    await roster(bot)
    html = await admin_page(bot, "/dash/roster")
    link = re.findall(r'data-download href="([^"]+)"', html)[0].replace("&amp;", "&")
    admin = await bot.people.get_by_telegram_id(ADMIN_ID)
    assert admin is not None
    await bot.roster.change_role(admin.id, admin.role.MEMBER, None, bot.clock.now(), "demote")
    page = await fetch(bot, link)
    assert page.status == 403
    assert "Li Hua" not in page.text


async def test_the_meeting_board_charts_answers_with_the_quorum_line(bot: BotHarness) -> None:
    users = await council(bot, 5)
    meeting = await confirmed_meeting(bot)
    version = meeting.version
    await tap(bot, users[0], f"rsvp:{meeting.id}:{version}:y", bot.api.messages[(100, 1)])
    await tap(bot, users[1], f"rsvp:{meeting.id}:{version}:y", bot.api.messages[(101, 1)])
    await tap(bot, users[2], f"rsvp:{meeting.id}:{version}:n", bot.api.messages[(102, 1)])
    listing = await admin_page(bot, "/dash/meetings")
    assert f'href="/dash/meetings/{meeting.id}"' in listing
    assert "Yes 2 · No 1 · Maybe 0 · No answer 3" in listing

    html = await admin_page(bot, f"/dash/meetings/{meeting.id}")
    chart = re.search(r'<figure class="chart">(<svg.*?</svg>)</figure>', html, re.S)
    assert chart is not None
    assert "<script" not in chart.group(1)
    assert all(label in chart.group(1) for label in ("Yes", "No", "Maybe", "No answer"))
    # 6 invited (5 council and the secretariat admin): two thirds is 4; 2 say Yes.
    assert "Quorum: 2 expected present of 4 required" in html
    assert "Quorum not reached: 2 more needed" in html
    assert 'class="major guide line"' in chart.group(1)  # the quorum drawn across the bars
    not_answered = html.split("Not answered (3)")[1].split("</ul>")[0]
    assert "Member 003" in not_answered and "Member 004" in not_answered
    assert "Member 000" not in not_answered


async def test_the_meeting_board_reads_in_chinese_for_a_chinese_reader(bot: BotHarness) -> None:
    await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    admin = await bot.people.get_by_telegram_id(ADMIN_ID)
    assert admin is not None
    await bot.people.set_language(admin.id, "zh", bot.clock.now())
    html = await admin_page(bot, f"/dash/meetings/{meeting.id}", "en")
    assert "法定人数：预计出席 0 人，需要 2 人" in html
    assert "参加" in html and "未答复" in html
    assert 'data-lang="zh"' in html


async def test_on_the_day_the_board_shows_who_is_present_and_walk_ins_apart(
    bot: BotHarness,
) -> None:
    users = await council(bot, 5)  # with the admin: 6 invited, quorum 2/3 = 4
    await add_person(bot, "Plain Member", "member", 300, unit="Dali Office")
    meeting = await confirmed_meeting(bot)
    before = await admin_page(bot, f"/dash/meetings/{meeting.id}")
    assert "On the day" not in before  # nobody checked in yet
    payload = await checkin_payload(bot, meeting.id)
    bot.clock.set(STARTS)
    await bot.send(users[0], f"/start {payload}")
    bot.clock.set(STARTS + timedelta(minutes=7))
    await bot.send(users[1], f"/start {payload}")
    await bot.send(bot.user(300, "Plain"), f"/start {payload}")

    html = await admin_page(bot, f"/dash/meetings/{meeting.id}")
    assert "Present 2 of 6 · quorum 4 not reached: 2 more needed" in html
    present = html.split("Present (2)")[1].split("</ul>")[0]
    assert "Member 000 <small>Member 000 Unit</small> <time>checked in at 14:30</time>" in present
    assert "Member 001" in present and "checked in at 14:37" in present  # Shanghai, not UTC
    assert "Plain Member" not in present and "Member 002" not in present
    walk_ins = html.split("Walk-ins, not invited, not counted (1)")[1].split("</ul>")[0]
    assert "Plain Member <small>Dali Office</small> <time>checked in at 14:37</time>" in walk_ins
    listing = await admin_page(bot, "/dash/meetings")
    assert "Present 2 of 6 · quorum 4 not reached: 2 more needed" in listing

    for user in users[2:4]:
        await bot.send(user, f"/start {payload}")
    html = await admin_page(bot, f"/dash/meetings/{meeting.id}")
    assert "Present 4 of 6 · quorum 4 reached" in html
    admin = await bot.people.get_by_telegram_id(ADMIN_ID)
    assert admin is not None
    await bot.people.set_language(admin.id, "zh", bot.clock.now())
    chinese = await admin_page(bot, f"/dash/meetings/{meeting.id}")
    assert "已到场 4 人，共邀请 6 人 · 法定人数 4 人，已达到" in chinese
    assert "已到场（4）" in chinese and "14:30 签到" in chinese
    assert "未受邀到场，不计入（1）" in chinese


async def test_an_unknown_meeting_or_notice_is_not_found(bot: BotHarness) -> None:
    launch_data = launch(ADMIN_ID, bot.clock.now())
    for path in ("/dash/meetings/999", "/dash/notices/999"):
        page = await fetch(bot, path, launch_data)
        assert page.status == 404


async def delivering_notice(bot: BotHarness, recipients: int) -> int:
    """A notice to everyone, its delivery started: every recipient pending."""
    for index in range(recipients):
        await add_person(bot, f"Reader {index:02d}", "member", 300 + index)
    repository = NoticeRepository(bot.app.bot_data.db)
    now = bot.clock.now()
    notice = await repository.create(
        author_person_id=1,
        author_chat_id=ADMIN_ID,
        audience="all",
        language=None,
        category="official",
        text_zh="会议通知",
        text_en="The council meets on Friday.",
        media_kind=None,
        media_file_id=None,
        due_at=now,
        recurrence=None,
        now=now,
        status="scheduled",
    )
    delivery = await repository.start_delivery(notice, now, None, now)
    assert delivery is not None
    return delivery


async def test_a_running_notice_shows_progress_and_refreshes_itself(bot: BotHarness) -> None:
    notice_id = await delivering_notice(bot, 4)
    await record_send(bot, notice_id, 300, "sent")
    html = await admin_page(bot, f"/dash/notices/{notice_id}")
    assert "Being sent" in html
    assert "1 of 5 handled" in html  # four readers and the admin
    assert 'data-refresh="2"' in html
    assert "The council meets on Friday." in html
    listing = await admin_page(bot, "/dash/notices")
    assert f'href="/dash/notices/{notice_id}"' in listing and "data-refresh" in listing


async def test_a_finished_notice_shows_the_report_and_whom_to_phone(bot: BotHarness) -> None:
    notice_id = await delivering_notice(bot, 3)
    outcomes = {ADMIN_ID: "sent", 300: "sent", 301: "blocked", 302: "failed"}
    for telegram_id, state in outcomes.items():
        await record_send(bot, notice_id, telegram_id, state)
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.execute("UPDATE notices SET status = 'done' WHERE id = ?", (notice_id,))
    html = await admin_page(bot, f"/dash/notices/{notice_id}")
    assert "data-refresh" not in html
    assert "4 of 4 handled" in html
    report = dict(re.findall(r'<tr class="outcome-(\w+)"><th>[^<]*</th><td>(\d+)</td>', html))
    assert report["sent"] == "2" and report["blocked"] == "1" and report["failed"] == "1"
    phone = html.split("Not reached: phone them (2)")[1]
    assert "Reader 01" in phone and "Reader 02" in phone and "Reader 00" not in phone


async def test_a_notice_with_receipts_shows_who_has_not_confirmed(bot: BotHarness) -> None:
    await add_person(bot, "Ann", "member", 101, unit="Unit A")
    await add_person(bot, "Bo", "member", 102, unit="Unit <B>")
    await add_person(bot, "Cy", "member", 103, unit="Unit C")
    await add_person(bot, "Unbound", "member", None)
    await send_ack_notice(bot)
    await bot.tap(bot.user(101, "Ann"), "ntc:ack:1", copy_of(bot, 101, "Please confirm"))

    html = await admin_page(bot, "/dash/notices/1")
    assert "Confirmed 1 of 4" in html  # three members and the secretary
    unconfirmed = html.split("Not confirmed yet (3)")[1].split("</ul>")[0]
    assert "Bo <small>Unit &lt;B&gt;</small>" in unconfirmed  # escaped
    assert "Cy <small>Unit C</small>" in unconfirmed
    assert "Ann" not in unconfirmed and "Unbound" not in unconfirmed
    listing = await admin_page(bot, "/dash/notices")
    assert "Confirmed 1 of 4" in listing

    admin = await bot.people.get_by_telegram_id(ADMIN_ID)
    assert admin is not None
    await bot.people.set_language(admin.id, "zh", bot.clock.now())
    chinese = await admin_page(bot, "/dash/notices/1")
    assert "已确认 1 人，共 4 人" in chinese and "尚未确认（3）" in chinese


async def test_a_notice_without_receipts_shows_no_receipt_count(bot: BotHarness) -> None:
    notice_id = await delivering_notice(bot, 2)
    await record_send(bot, notice_id, 300, "sent")
    html = await admin_page(bot, f"/dash/notices/{notice_id}")
    assert "Confirmed" not in html and "Not confirmed yet" not in html


async def test_questions_passed_to_the_secretariat_show_waiting_and_answered(
    bot: BotHarness,
) -> None:
    await add_person(bot, "Asker Zhou", "member", 401)
    questions = QuestionRepository(bot.app.bot_data.db)
    now = bot.clock.now()
    waiting = await questions.add(401, "en", "Can my <b>company</b> join?", now)
    await questions.mark_sent(waiting, 401)
    answered = await questions.add(401, "en", "When are dues paid?", now + timedelta(minutes=1))
    await questions.mark_sent(answered, 401)
    admin = await bot.people.get_by_telegram_id(ADMIN_ID)
    assert admin is not None
    await questions.answer(answered, "Each March.", admin.id, now + timedelta(hours=1))
    offered = await questions.add(401, "en", "Not passed on", now)
    assert offered
    html = await admin_page(bot, "/dash/questions")
    waiting_part, answered_part = html.split("Answered (1)")
    assert "Waiting for an answer (1)" in waiting_part
    assert "Can my &lt;b&gt;company&lt;/b&gt; join?" in waiting_part  # escaped
    assert "Asker Zhou" in waiting_part
    assert "When are dues paid?" in answered_part and "Each March." in answered_part
    assert "Not passed on" not in html


async def test_pages_load_nothing_from_elsewhere(bot: BotHarness) -> None:
    await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    paths = ["/dash", "/dash/roster", f"/dash/meetings/{meeting.id}", "/dash/notices"]
    for path in paths:
        for html in (await admin_page(bot, path), (await fetch(bot, path)).text):
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path
            assert "@import" not in html
