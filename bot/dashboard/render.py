"""The dashboard's pages as HTML: Jinja2 templates with autoescaping, in the reader's language."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.dashboard.catalog import text
from bot.dashboard.charts import answers_chart
from bot.dashboard.views import (
    OUTCOMES,
    ROSTER_PAGE_SIZE,
    ROSTER_ROLES,
    Home,
    MeetingBoard,
    NoticeReport,
    RosterPage,
)
from bot.i18n import format_datetime
from storage.knowledge_questions import PassedQuestion
from storage.notices import Notice
from storage.people import Language
from storage.roster import Reach

__all__ = ["NAV", "PageRenderer"]

NAV = (
    ("home", "/"),
    ("roster", "/roster"),
    ("meetings", "/meetings"),
    ("notices", "/notices"),
    ("questions", "/questions"),
)
EXCERPT = 140

_ENVIRONMENT = Environment(
    loader=PackageLoader("bot.dashboard", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class PageRenderer:
    """Renders one reader's pages under the dashboard's base path."""

    def __init__(self, base: str, timezone: ZoneInfo, language: Language) -> None:
        self.base = base
        self.timezone = timezone
        self.language = language

    def _render(self, template: str, page: str, heading: str, **values: Any) -> str:
        return _ENVIRONMENT.get_template(template).render(
            page=page,
            heading=heading,
            base=self.base,
            nav=NAV,
            language=self.language,
            refresh=values.pop("refresh", None),
            t=partial(text, self.language),
            when=self._when,
            clock=self._clock,
            excerpt=self._excerpt,
            **values,
        )

    def _when(self, moment: datetime) -> str:
        return format_datetime(moment, self.timezone, self.language)

    def _clock(self, moment: datetime) -> str:
        return moment.astimezone(self.timezone).strftime("%H:%M")

    def _excerpt(self, notice: Notice) -> str:
        body = " ".join(notice.text_for(self.language).split())
        return body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…"

    def home(self, home: Home) -> str:
        """The first page: a link to each of the others with its count."""
        return self._render("home.html", "home", text(self.language, "title"), home=home)

    def roster(self, roster: RosterPage, downloads: dict[str, str] | None) -> str:
        """The roster page: counts, the filter form, one page of entries, downloads."""
        query = self.roster_query(roster)
        previous = next_page = None
        if roster.offset > 0:
            previous = self._roster_link(query, max(roster.offset - ROSTER_PAGE_SIZE, 0))
        if roster.has_next:
            next_page = self._roster_link(query, roster.offset + ROSTER_PAGE_SIZE)
        return self._render(
            "roster.html",
            "roster",
            text(self.language, "nav_roster"),
            roster=roster,
            roles=ROSTER_ROLES,
            reaches=tuple(Reach),
            downloads=downloads,
            previous=previous,
            next=next_page,
        )

    @staticmethod
    def roster_query(roster: RosterPage) -> dict[str, str]:
        """The filter as query parameters (only those set)."""
        wanted = roster.wanted
        query = {
            "q": wanted.text,
            "role": wanted.role.value if wanted.role else "",
            "reach": wanted.reach.value if wanted.reach else "",
        }
        return {key: value for key, value in query.items() if value}

    def _roster_link(self, query: dict[str, str], offset: int) -> str:
        values = {**query, **({"offset": str(offset)} if offset else {})}
        return f"{self.base}/roster" + (f"?{urlencode(values)}" if values else "")

    def meetings(self, boards: list[MeetingBoard]) -> str:
        """The meetings to come, each with its counts and a link to its board."""
        return self._render(
            "meetings.html", "meetings", text(self.language, "nav_meetings"), boards=boards
        )

    def meeting(self, board: MeetingBoard) -> str:
        """One meeting's board: chart, quorum, who has not answered, waitlist."""
        return self._render(
            "meeting.html",
            "meetings",
            f"#{board.meeting.id} {board.meeting.title}",
            board=board,
            chart=Markup(answers_chart(board.tally, self.language)),
        )

    def notices(self, reports: list[NoticeReport]) -> str:
        """Notices being sent or scheduled, then the latest finished ones."""
        refresh = 3 if any(report.running for report in reports) else None
        return self._render(
            "notices.html",
            "notices",
            text(self.language, "nav_notices"),
            reports=reports,
            refresh=refresh,
        )

    def notice(self, report: NoticeReport) -> str:
        """One notice's progress (refreshing itself while it runs) or final report."""
        return self._render(
            "notice.html",
            "notices",
            text(self.language, "notice_heading", id=report.notice.id),
            report=report,
            outcomes=OUTCOMES,
            refresh=2 if report.running else None,
        )

    def questions(self, questions: list[PassedQuestion]) -> str:
        """Questions passed to the secretariat: waiting, then answered."""
        return self._render(
            "questions.html",
            "questions",
            text(self.language, "nav_questions"),
            waiting=[q for q in questions if q.waiting],
            answered=[q for q in questions if not q.waiting],
        )


def refusal_page(languages: tuple[Language, ...], key: str) -> str:
    """A refusal: nothing but the reason, in the reader's language (both when unknown)."""
    return _ENVIRONMENT.get_template("refused.html").render(
        title=" · ".join(text(language, "title") for language in languages),
        lines=[text(language, key) for language in languages],
    )


def shell_page(base: str) -> str:
    """The page Telegram opens: no data, only the script that fetches the page with the launch."""
    return _ENVIRONMENT.get_template("shell.html").render(base=base)
