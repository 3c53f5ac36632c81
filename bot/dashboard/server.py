"""The dashboard's web server, in the bot's own process and event loop (aiohttp).

Every page address first answers with a shell (no data) whose script reads Telegram's launch
data from the fragment and fetches the same address again with it in a header. That request
gets the page only when the signature holds, the launch is under an hour old and the person's
role, read from the database at that moment, is secretariat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from importlib.resources import files
from urllib.parse import quote

from aiohttp import web

from bot.clock import Clock
from bot.config import Settings
from bot.dashboard.launch import (
    LaunchRefused,
    LaunchUser,
    check_download_token,
    check_launch_data,
    download_token,
    sign_launch_data,
)
from bot.dashboard.render import PageRenderer, refusal_page, shell_page
from bot.dashboard.views import Views, parse_roster_filter
from bot.i18n import LANGUAGES, language_from_hint
from bot.roster.export import ExportFormat
from storage.database import Database
from storage.people import Language, PeopleRepository, Person, Role

__all__ = ["LAUNCH_HEADER", "DashboardServer", "DashboardStartError", "Reader"]

logger = logging.getLogger(__name__)

LAUNCH_HEADER = "X-Telegram-Init-Data"
_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Vary": LAUNCH_HEADER,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Nothing is loaded from anywhere but this server; pygal's SVG carries its own style.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
        " img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'"
    ),
}
_DOWNLOAD_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_STATIC_TYPES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}


class DashboardStartError(RuntimeError):
    """The server could not listen; the message names the variable to change."""


@dataclass(frozen=True)
class Reader:
    """A secretariat member reading the dashboard, in their language."""

    person: Person
    language: Language


PageHandler = Callable[[web.Request, Reader, PageRenderer], Awaitable[web.Response]]


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(
        text=body, status=status, content_type="text/html", headers=_SECURITY_HEADERS
    )


class DashboardServer:
    """Serves the dashboard under the path of ASSOC_WEBAPP_URL."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        key: bytes,
        operators: Collection[int] = frozenset(),
    ) -> None:
        self.settings = settings
        self._operators = operators
        self.base = settings.webapp_path
        self._db = db
        self._clock = clock
        self._key = key
        self._runner: web.AppRunner | None = None
        self.port = settings.webapp_port
        static = files("bot.dashboard") / "static"
        self._static = {name: (static / name).read_bytes() for name in _STATIC_TYPES}

    # -- lifecycle -------------------------------------------------------------------

    def web_app(self) -> web.Application:
        """The aiohttp application with every route."""
        app = web.Application()
        base = self.base
        app.router.add_get(base or "/", self._page(self._home))
        if base:
            app.router.add_get(f"{base}/", self._page(self._home))
        app.router.add_get(f"{base}/roster", self._page(self._roster))
        app.router.add_get(f"{base}/roster.csv", self._download)
        app.router.add_get(f"{base}/roster.xlsx", self._download)
        app.router.add_get(f"{base}/meetings", self._page(self._meetings))
        app.router.add_get(
            f"{base}/meetings/{{meeting_id:[1-9][0-9]{{0,9}}}}", self._page(self._meeting)
        )
        app.router.add_get(f"{base}/notices", self._page(self._notices))
        app.router.add_get(
            f"{base}/notices/{{notice_id:[1-9][0-9]{{0,9}}}}", self._page(self._notice)
        )
        app.router.add_get(f"{base}/questions", self._page(self._questions))
        app.router.add_get(f"{base}/static/{{name}}", self._static_file)
        return app

    async def start(self) -> None:
        """Listen on ASSOC_WEBAPP_LISTEN:ASSOC_WEBAPP_PORT in the running event loop."""
        runner = web.AppRunner(self.web_app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.webapp_listen, self.settings.webapp_port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise DashboardStartError(
                f"ASSOC_WEBAPP_PORT: cannot listen on {self.settings.webapp_listen}:"
                f"{self.settings.webapp_port} ({error.strerror or error})"
            ) from None
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple):
                self.port = int(address[1])
                break
        logger.info(
            "dashboard listening on %s:%s%s",
            self.settings.webapp_listen,
            self.port,
            self.base or "/",
        )

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def local_link(self, user: dict[str, object]) -> str:
        """A link to this server signed for `user` as Telegram would (the console's /dashboard)."""
        host = self.settings.webapp_listen
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        launch = sign_launch_data(self._key, user, self._clock.now())
        fragment = (
            f"tgWebAppData={quote(launch, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=unknown"
        )
        return f"http://{host}:{self.port}{self.base or ''}/#{fragment}"

    # -- authorisation ---------------------------------------------------------------

    async def _reader(self, launch: str) -> Reader | web.Response:
        """The secretariat member behind the launch data, or the refusal to answer with."""
        try:
            user = check_launch_data(launch, self._key, self._clock.now())
        except LaunchRefused as refused:
            logger.info("dashboard launch refused: %s", refused.reason)
            return _html(refusal_page(LANGUAGES, "refused_launch"), 401)
        return await self._secretariat(user.telegram_id, user)

    async def _secretariat(
        self, telegram_id: int, user: LaunchUser | None
    ) -> Reader | web.Response:
        person = await PeopleRepository(self._db).get_by_telegram_id(telegram_id)
        hint = language_from_hint(user.language_code if user else None)
        operator = person is not None and telegram_id in self._operators
        if person is None or (person.role is not Role.SECRETARIAT and not operator):
            logger.info("dashboard refused to telegram id %s (not secretariat)", telegram_id)
            language = person.language if person and person.language else hint
            return _html(refusal_page((language,), "refused"), 403)
        return Reader(person, person.language or hint)

    def _page(self, handler: PageHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def serve(request: web.Request) -> web.Response:
            launch = request.headers.get(LAUNCH_HEADER)
            if launch is None:
                return _html(shell_page(self.base))
            reader = await self._reader(launch)
            if isinstance(reader, web.Response):
                return reader
            renderer = PageRenderer(self.base, self.settings.timezone, reader.language)
            return await handler(request, reader, renderer)

        return serve

    # -- pages -----------------------------------------------------------------------

    def _views(self) -> Views:
        return Views(self._db)

    def _not_found(self, reader: Reader) -> web.Response:
        return _html(refusal_page((reader.language,), "not_found"), 404)

    async def _home(self, request: web.Request, reader: Reader, page: PageRenderer) -> web.Response:
        return _html(page.home(await self._views().home(self._clock.now())))

    async def _roster(
        self, request: web.Request, reader: Reader, page: PageRenderer
    ) -> web.Response:
        query = request.query
        wanted = parse_roster_filter(
            query.get("q", ""), query.get("role", ""), query.get("reach", "")
        )
        offset_text = query.get("offset", "0")
        offset = int(offset_text) if offset_text.isdigit() and len(offset_text) < 9 else 0
        roster = await self._views().roster(wanted, offset)
        downloads = None
        if reader.person.telegram_id is not None:
            token = download_token(self._key, reader.person.telegram_id, self._clock.now())
            filters = "&".join(
                f"{key}={quote(value, safe='')}" for key, value in page.roster_query(roster).items()
            )
            suffix = f"?token={token}" + (f"&{filters}" if filters else "")
            downloads = {
                "csv": f"{self.base}/roster.csv{suffix}",
                "xlsx": f"{self.base}/roster.xlsx{suffix}",
            }
        return _html(page.roster(roster, downloads))

    async def _meetings(
        self, request: web.Request, reader: Reader, page: PageRenderer
    ) -> web.Response:
        return _html(page.meetings(await self._views().meetings(self._clock.now())))

    async def _meeting(
        self, request: web.Request, reader: Reader, page: PageRenderer
    ) -> web.Response:
        board = await self._views().meeting(int(request.match_info["meeting_id"]))
        return self._not_found(reader) if board is None else _html(page.meeting(board))

    async def _notices(
        self, request: web.Request, reader: Reader, page: PageRenderer
    ) -> web.Response:
        return _html(page.notices(await self._views().notices()))

    async def _notice(
        self, request: web.Request, reader: Reader, page: PageRenderer
    ) -> web.Response:
        report = await self._views().notice(int(request.match_info["notice_id"]))
        return self._not_found(reader) if report is None else _html(page.notice(report))

    async def _questions(
        self, request: web.Request, reader: Reader, page: PageRenderer
    ) -> web.Response:
        return _html(page.questions(await self._views().questions()))

    # -- files -----------------------------------------------------------------------

    async def _static_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self._static:
            raise web.HTTPNotFound()
        return web.Response(
            body=self._static[name],
            content_type=_STATIC_TYPES[name],
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    async def _download(self, request: web.Request) -> web.Response:
        try:
            telegram_id = check_download_token(
                request.query.get("token", ""), self._key, self._clock.now()
            )
        except LaunchRefused as refused:
            logger.info("dashboard download refused: %s", refused.reason)
            return _html(refusal_page(LANGUAGES, "refused_launch"), 401)
        reader = await self._secretariat(telegram_id, None)
        if isinstance(reader, web.Response):
            return reader
        query = request.query
        wanted = parse_roster_filter(
            query.get("q", ""), query.get("role", ""), query.get("reach", "")
        )
        kind: ExportFormat = "xlsx" if request.path.endswith(".xlsx") else "csv"
        today = self._clock.now().astimezone(self.settings.timezone).date()
        roster_file = await self._views().roster_file(wanted, kind, today)
        return web.Response(
            body=roster_file.content,
            content_type=_DOWNLOAD_TYPES[kind],
            headers={
                **_SECURITY_HEADERS,
                "Content-Disposition": f'attachment; filename="{roster_file.filename}"',
            },
        )
