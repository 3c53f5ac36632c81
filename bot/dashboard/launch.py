"""Mini App launch data: Telegram's signature on it, its age, and short-lived download links.

Telegram opens the dashboard with `#tgWebAppData=<query string>` in the address. The query
string carries `auth_date`, `user` (JSON) and `hash`: the hex HMAC-SHA256 of the other fields
(sorted by key, `key=value` lines) keyed with HMAC-SHA256(key="WebAppData", msg=bot token).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

__all__ = [
    "DOWNLOAD_LIFETIME",
    "LAUNCH_LIFETIME",
    "LaunchRefused",
    "LaunchUser",
    "check_download_token",
    "check_launch_data",
    "download_token",
    "launch_key",
    "sign_launch_data",
]

LAUNCH_LIFETIME = timedelta(hours=1)
DOWNLOAD_LIFETIME = timedelta(minutes=10)
CLOCK_SKEW = timedelta(minutes=1)
MAX_LAUNCH_DATA = 4096
_HEX_HASH = re.compile(r"[0-9a-f]{64}")
_TOKEN = re.compile(r"([1-9]\d{0,15})\.(\d{1,12})\.([0-9a-f]{64})")


class LaunchRefused(Exception):
    """Launch data that does not open the dashboard; `reason` says why (for the log only)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LaunchUser:
    """The Telegram user a valid launch speaks for."""

    telegram_id: int
    first_name: str
    language_code: str | None
    auth_date: datetime


def launch_key(bot_token: str) -> bytes:
    """The key Telegram signs launch data with: HMAC-SHA256 of the token keyed "WebAppData"."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def _signature(key: bytes, fields: dict[str, str]) -> str:
    return hmac.new(key, _data_check_string(fields).encode(), hashlib.sha256).hexdigest()


def check_launch_data(init_data: str, key: bytes, now: datetime) -> LaunchUser:
    """The user of signed, fresh launch data; raises LaunchRefused for anything else."""
    if not init_data or len(init_data) > MAX_LAUNCH_DATA:
        raise LaunchRefused("missing or too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise LaunchRefused("not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise LaunchRefused("a field given twice")
    given = fields.get("hash", "")
    if not _HEX_HASH.fullmatch(given):
        raise LaunchRefused("no hash")
    if not hmac.compare_digest(_signature(key, fields), given):
        raise LaunchRefused("bad signature")
    auth_date = fields.get("auth_date", "")
    if not auth_date.isdigit() or len(auth_date) > 12:
        raise LaunchRefused("no auth_date")
    signed_at = datetime.fromtimestamp(int(auth_date), UTC)
    if now - signed_at > LAUNCH_LIFETIME:
        raise LaunchRefused("stale")
    if signed_at - now > CLOCK_SKEW:
        raise LaunchRefused("signed in the future")
    return _user(fields.get("user", ""), signed_at)


def _user(text: str, signed_at: datetime) -> LaunchUser:
    try:
        user = json.loads(text)
    except ValueError:
        raise LaunchRefused("user is not JSON") from None
    if not isinstance(user, dict):
        raise LaunchRefused("user is not an object")
    user_id = user.get("id")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise LaunchRefused("user has no id")
    language = user.get("language_code")
    return LaunchUser(
        telegram_id=user_id,
        first_name=str(user.get("first_name") or ""),
        language_code=language if isinstance(language, str) else None,
        auth_date=signed_at,
    )


def sign_launch_data(key: bytes, user: dict[str, object], signed_at: datetime, **extra: str) -> str:
    """Launch data as Telegram builds it (the console's local link, the tests, the bench)."""
    fields = {
        "auth_date": str(int(signed_at.timestamp())),
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        **extra,
    }
    fields["hash"] = _signature(key, fields)
    return urlencode(fields)


def _download_mac(key: bytes, telegram_id: int, expires: int) -> str:
    message = f"download:{telegram_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def download_token(key: bytes, telegram_id: int, now: datetime) -> str:
    """A token for a plain download link (no launch data needed), valid ten minutes."""
    expires = int((now + DOWNLOAD_LIFETIME).timestamp())
    return f"{telegram_id}.{expires}.{_download_mac(key, telegram_id, expires)}"


def check_download_token(token: str, key: bytes, now: datetime) -> int:
    """The Telegram id a valid, unexpired download token was made for."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise LaunchRefused("malformed download token")
    telegram_id, expires = int(match.group(1)), int(match.group(2))
    if not hmac.compare_digest(_download_mac(key, telegram_id, expires), match.group(3)):
        raise LaunchRefused("bad download token")
    if now.timestamp() > expires:
        raise LaunchRefused("expired download token")
    return telegram_id
