"""Dashboard security: only the secretariat's signed, fresh launch data opens a page."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.dashboard import launch as launch_module
from bot.dashboard.launch import (
    LaunchRefused,
    check_download_token,
    check_launch_data,
    download_token,
    launch_key,
)
from storage.database import Database
from storage.people import Role
from storage.timestamps import to_db
from tests.conftest import START
from tests.dashboard_support import KEY, dashboard_settings, fetch, launch, served_alone
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import add_person

MEMBER_ID = 7001
COUNCIL_ID = 7002
GUEST_ID = 7003
SECRET_NAME = "Zhao Secretname"
SECRET_UNIT = "Hidden Unit Ltd"
PAGES = ("/dash", "/dash/roster", "/dash/meetings", "/dash/notices", "/dash/questions")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The dashboard switched on."""
    return dashboard_settings(tmp_path)


ROSTER = [
    (SECRET_NAME, SECRET_UNIT, "member", None),
    ("Member Wu", "", "member", MEMBER_ID),
    ("Council Li", "", "council", COUNCIL_ID),
    ("Guest", "", "guest", GUEST_ID),
    ("Sec", "", "secretariat", ADMIN_ID),
]


async def seed(db: Database, now: datetime) -> None:
    """A roster with a name that must never leak, a member, a council member and a guest."""
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT OR IGNORE INTO persons (name, unit, role, telegram_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(*entry, to_db(now), to_db(now)) for entry in ROSTER],
        )


async def people(bot: BotHarness) -> None:
    """The same roster in the running bot."""
    await seed(bot.app.bot_data.db, bot.clock.now())


def _fields(data: str) -> dict[str, str]:
    return dict(parse_qsl(data, keep_blank_values=True))


def _resign(fields: dict[str, str], key: bytes = KEY) -> str:
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")
    fields = {**fields, "hash": hmac.new(key, check.encode(), hashlib.sha256).hexdigest()}
    return urlencode(fields)


def _with(data: str, **changes: str) -> str:
    return urlencode({**_fields(data), **changes})


def _user(data: str, **changes: object) -> str:
    fields = _fields(data)
    user = {**json.loads(fields["user"]), **changes}
    return urlencode({**fields, "user": json.dumps(user)})


# Each case turns the current time into launch data that must be refused with 401 or 403.
Forgery = Callable[[datetime], str]
REFUSED: dict[str, tuple[Forgery, int]] = {
    "empty": (lambda now: "", 401),
    "not a query string": (lambda now: "garbage", 401),
    "no hash": (lambda now: urlencode({"auth_date": int(now.timestamp()), "user": "{}"}), 401),
    "hash of zeros": (lambda now: _with(launch(ADMIN_ID, now), hash="0" * 64), 401),
    "hash in upper case": (
        lambda now: _with(
            launch(ADMIN_ID, now), hash=_fields(launch(ADMIN_ID, now))["hash"].upper()
        ),
        401,
    ),
    "hash truncated": (
        lambda now: _with(launch(ADMIN_ID, now), hash=_fields(launch(ADMIN_ID, now))["hash"][:63]),
        401,
    ),
    "signed with another bot's token": (
        lambda now: launch(ADMIN_ID, now, key=launch_key("999:OtherBotToken")),
        401,
    ),
    "signed with the token itself, not the WebAppData key": (
        lambda now: launch(ADMIN_ID, now, key=b"424242:DashboardTestTokenABCdef"),
        401,
    ),
    "signed with the login-widget key (SHA-256 of the token)": (
        lambda now: launch(
            ADMIN_ID, now, key=hashlib.sha256(b"424242:DashboardTestTokenABCdef").digest()
        ),
        401,
    ),
    "member's launch with the user id changed to the admin's": (
        lambda now: _user(launch(MEMBER_ID, now), id=ADMIN_ID),
        401,
    ),
    "auth_date moved forward after signing": (
        lambda now: _with(
            launch(ADMIN_ID, now - timedelta(hours=2)), auth_date=str(int(now.timestamp()))
        ),
        401,
    ),
    "a field added after signing": (lambda now: _with(launch(ADMIN_ID, now), start_param="x"), 401),
    "a field removed after signing": (
        lambda now: urlencode(
            {k: v for k, v in _fields(launch(ADMIN_ID, now)).items() if k != "query_id"}
        ),
        401,
    ),
    "a field given twice": (
        lambda now: launch(ADMIN_ID, now) + f"&user=%7B%22id%22%3A{ADMIN_ID}%7D",
        401,
    ),
    "stale: signed 61 minutes ago": (
        lambda now: launch(ADMIN_ID, now - timedelta(minutes=61)),
        401,
    ),
    "stale: signed yesterday": (lambda now: launch(ADMIN_ID, now - timedelta(days=1)), 401),
    "signed in the future": (lambda now: launch(ADMIN_ID, now + timedelta(minutes=10)), 401),
    "no user": (
        lambda now: _resign(
            {k: v for k, v in _fields(launch(ADMIN_ID, now)).items() if k != "user"}
        ),
        401,
    ),
    "user without an id": (
        lambda now: _resign({**_fields(launch(ADMIN_ID, now)), "user": '{"first_name":"A"}'}),
        401,
    ),
    "user id as a string": (
        lambda now: _resign({**_fields(launch(ADMIN_ID, now)), "user": f'{{"id":"{ADMIN_ID}"}}'}),
        401,
    ),
    "user not JSON": (lambda now: _resign({**_fields(launch(ADMIN_ID, now)), "user": "{id:"}), 401),
    "auth_date not a number": (
        lambda now: _resign({**_fields(launch(ADMIN_ID, now)), "auth_date": "soon"}),
        401,
    ),
    "too long": (lambda now: launch(ADMIN_ID, now) + "&x=" + "a" * 5000, 401),
    "a member's genuine launch": (lambda now: launch(MEMBER_ID, now), 403),
    "a council member's genuine launch": (lambda now: launch(COUNCIL_ID, now), 403),
    "a guest's genuine launch": (lambda now: launch(GUEST_ID, now), 403),
    "a stranger's genuine launch (no roster entry)": (lambda now: launch(8888, now), 403),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_forged_stale_tampered_and_wrong_role_launches_are_refused(
    settings: Settings, case: str
) -> None:
    clock = FixedClock(START)
    async with served_alone(settings, clock) as (server, db):
        await seed(db, clock.now())
        forge, status = REFUSED[case]
        launch_data = forge(clock.now())
        genuine = await fetch(server, "/dash/roster", launch(ADMIN_ID, clock.now()))
        assert genuine.status == 200 and SECRET_NAME in genuine.text  # the roster is there
        pages = [await fetch(server, path, launch_data) for path in PAGES]
    for path, page in zip(PAGES, pages, strict=True):
        assert page.status == status, (case, path)
        assert SECRET_NAME not in page.text and SECRET_UNIT not in page.text
        assert "Member Wu" not in page.text and "Council Li" not in page.text
        assert 'data-page="refused"' in page.text


async def test_the_secretariats_genuine_launch_opens_every_page(bot: BotHarness) -> None:
    await people(bot)
    launch_data = launch(ADMIN_ID, bot.clock.now() - timedelta(minutes=59))
    for path in PAGES:
        page = await fetch(bot, path, launch_data)
        assert page.status == 200, path
    roster = await fetch(bot, "/dash/roster", launch_data)
    assert SECRET_NAME in roster.text and SECRET_UNIT in roster.text


async def test_a_secretary_demoted_after_launching_is_refused_at_the_next_request(
    bot: BotHarness,
) -> None:
    await people(bot)
    person_id = await add_person(bot, "Sec Two", "secretariat", 7100)
    launch_data = launch(7100, bot.clock.now())
    assert (await fetch(bot, "/dash/roster", launch_data)).status == 200
    await bot.roster.change_role(person_id, Role.MEMBER, None, bot.clock.now(), "demote")
    page = await fetch(bot, "/dash/roster", launch_data)
    assert page.status == 403
    assert SECRET_NAME not in page.text


async def test_the_page_without_launch_data_is_an_empty_shell(bot: BotHarness) -> None:
    await people(bot)
    for path in PAGES:
        page = await fetch(bot, path)
        assert page.status == 200
        assert SECRET_NAME not in page.text and "Member Wu" not in page.text
        assert 'id="app"' in page.text
        assert page.headers["Cache-Control"] == "no-store"
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]


async def test_the_signature_is_compared_in_constant_time(
    monkeypatch: pytest.MonkeyPatch, bot: BotHarness
) -> None:
    compared: list[tuple[str, str]] = []
    original = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(launch_module.hmac, "compare_digest", spy)
    now = bot.clock.now()
    forged = _with(launch(ADMIN_ID, now), hash="1" * 64)
    with pytest.raises(LaunchRefused):
        check_launch_data(forged, KEY, now)
    assert compared and compared[-1][1] == "1" * 64
    genuine = launch(ADMIN_ID, now)
    assert check_launch_data(genuine, KEY, now).telegram_id == ADMIN_ID
    assert compared[-1][0] == compared[-1][1] == _fields(genuine)["hash"]


def test_the_signature_follows_telegrams_recipe_for_a_known_launch() -> None:
    # Data-check string: every field but hash, sorted, "key=value" lines; key HMAC("WebAppData").
    token = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
    fields = {"auth_date": "1700000000", "query_id": "AAH", "user": '{"id":1,"first_name":"A"}'}
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    check = 'auth_date=1700000000\nquery_id=AAH\nuser={"id":1,"first_name":"A"}'
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert launch_key(token) == secret
    signed_at = datetime.fromtimestamp(1700000000).astimezone()
    user = check_launch_data(urlencode({**fields, "hash": expected}), secret, signed_at)
    assert user.telegram_id == 1


@pytest.mark.parametrize(
    "tamper",
    ["", "abc", "5000.1.", "5000.99999999999." + "0" * 64, "x" * 200],
)
def test_malformed_or_forged_download_tokens_are_refused(tamper: str) -> None:
    now = datetime.fromisoformat("2026-11-28T02:00:00+00:00")
    with pytest.raises(LaunchRefused):
        check_download_token(tamper, KEY, now)


def test_download_tokens_expire_and_name_their_owner() -> None:
    now = datetime.fromisoformat("2026-11-28T02:00:00+00:00")
    token = download_token(KEY, ADMIN_ID, now)
    assert check_download_token(token, KEY, now + timedelta(minutes=9)) == ADMIN_ID
    with pytest.raises(LaunchRefused):
        check_download_token(token, KEY, now + timedelta(minutes=11))
    _, expires, mac = token.split(".")
    with pytest.raises(LaunchRefused):
        check_download_token(f"{MEMBER_ID}.{expires}.{mac}", KEY, now)
    with pytest.raises(LaunchRefused):
        check_download_token(token, launch_key("1:other"), now)
