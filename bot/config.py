"""Settings: the one place that reads the environment (and a `.env` file)."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

__all__ = ["ConfigError", "Settings", "parse_duration"]

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


def parse_duration(text: str) -> timedelta:
    """Parse `90s`, `30m`, `6h`, `2d` or a plain number of seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(text)
    return timedelta(seconds=int(match.group(1)) * _DURATION_UNITS[match.group(2)])


@dataclass(frozen=True)
class Settings:
    """Validated configuration of one bot instance."""

    token: str | None = field(default=None, repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    db_path: Path = Path("data/association.sqlite3")
    admin_ids: frozenset[int] = frozenset()
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    broadcast_rate: float = 25.0
    notice_approval: int = 1
    missed_grace: timedelta = timedelta(hours=6)
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    bot_username: str = "youxie_bot"
    webapp_url: str | None = None
    webapp_listen: str = "127.0.0.1"
    webapp_port: int = 8080
    semantic_search: bool = True
    notice_channel: str | None = None

    @property
    def api_file_url(self) -> str:
        """Where files are downloaded from: the same server as `api_base_url`.

        Telegram serves calls under `/bot<token>/` and files under `/file/bot<token>/`; a
        self-hosted Bot API server does the same on its own address.
        """
        base = self.api_base_url.rstrip("/")
        head, _, last = base.rpartition("/")
        if last == "bot" and "//" in head:
            return f"{head}/file/bot"
        return f"{base}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path part of the webhook URL, where the built-in server listens."""
        if not self.webhook_url:
            return ""
        return urlsplit(self.webhook_url).path.lstrip("/")

    @property
    def webapp_path(self) -> str:
        """The path of the dashboard's address ("" for the root), where its server answers."""
        if not self.webapp_url:
            return ""
        return urlsplit(self.webapp_url).path.rstrip("/")

    @property
    def console_mode(self) -> bool:
        """True when no token is set: the bot chats on the terminal instead of Telegram."""
        return not self.token

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None
    ) -> Settings:
        """Build settings from `environ` (default: the process) over a `.env` file."""
        env: dict[str, str] = {}
        dotenv_file = dotenv_path if dotenv_path is not None else Path(".env")
        if dotenv_file.is_file():
            env.update({k: v for k, v in dotenv_values(dotenv_file).items() if v is not None})
        env.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            token=get("TELEGRAM_BOT_TOKEN"),
            api_base_url=_url(get("TELEGRAM_API_BASE_URL"), "TELEGRAM_API_BASE_URL")
            or DEFAULT_API_BASE_URL,
            db_path=_db_path(get("ASSOC_DB_PATH") or "data/association.sqlite3"),
            admin_ids=_admin_ids(get("ASSOC_ADMIN_IDS")),
            timezone=_timezone(get("ASSOC_TIMEZONE") or "Asia/Shanghai"),
            broadcast_rate=_positive_float(
                get("ASSOC_BROADCAST_RATE") or "25", "ASSOC_BROADCAST_RATE"
            ),
            notice_approval=_approval(get("ASSOC_NOTICE_APPROVAL") or "1"),
            missed_grace=_duration(get("ASSOC_MISSED_GRACE") or "6h", "ASSOC_MISSED_GRACE"),
            webhook_url=_url(get("ASSOC_WEBHOOK_URL"), "ASSOC_WEBHOOK_URL"),
            webhook_listen=get("ASSOC_WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=_port(get("ASSOC_WEBHOOK_PORT") or "8443", "ASSOC_WEBHOOK_PORT"),
            webhook_secret=_secret(get("ASSOC_WEBHOOK_SECRET")),
            bot_username=_bot_username(get("ASSOC_BOT_USERNAME") or "youxie_bot"),
            webapp_url=_webapp_url(get("ASSOC_WEBAPP_URL")),
            webapp_listen=_listen(get("ASSOC_WEBAPP_LISTEN") or "127.0.0.1", "ASSOC_WEBAPP_LISTEN"),
            webapp_port=_webapp_port(get("ASSOC_WEBAPP_PORT") or "8080", env),
            semantic_search=_switch(get("ASSOC_SEMANTIC_SEARCH") or "on", "ASSOC_SEMANTIC_SEARCH"),
            notice_channel=_channel(get("ASSOC_NOTICE_CHANNEL")),
        )


def _switch(value: str, variable: str) -> bool:
    words = {"on": True, "1": True, "yes": True, "off": False, "0": False, "no": False}
    if value.lower() not in words:
        raise ConfigError(variable, f"{value!r} must be on or off")
    return words[value.lower()]


def _url(value: str | None, variable: str) -> str | None:
    if value is None:
        return None
    if not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(variable, f"not an http(s) URL: {value!r}")
    return value


def _db_path(value: str) -> Path:
    path = Path(value).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            "ASSOC_DB_PATH", f"cannot create {path.parent}: {error.strerror}"
        ) from None
    if path.is_dir():
        raise ConfigError("ASSOC_DB_PATH", f"{path} is a directory, not a database file")
    if not os.access(path.parent, os.W_OK):
        raise ConfigError("ASSOC_DB_PATH", f"{path.parent} is not writable")
    return path


def _admin_ids(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    ids = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"\d{1,15}", part):
            raise ConfigError("ASSOC_ADMIN_IDS", f"{part!r} is not a Telegram user id (digits)")
        ids.add(int(part))
    return frozenset(ids)


def _timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "ASSOC_TIMEZONE", f"unknown time zone {value!r} (e.g. Asia/Shanghai)"
        ) from None


def _positive_float(value: str, variable: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(variable, f"{value!r} is not a number") from None
    if not 0 < number <= 1000:
        raise ConfigError(variable, f"{value!r} must be above 0 and at most 1000")
    return number


def _approval(value: str) -> int:
    if value not in {"1", "2"}:
        raise ConfigError("ASSOC_NOTICE_APPROVAL", f"{value!r} must be 1 or 2")
    return int(value)


def _duration(value: str, variable: str) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError:
        raise ConfigError(variable, f"{value!r} is not a duration like 30m, 6h or 2d") from None


def _port(value: str, variable: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(variable, f"{value!r} is not a port number")
    return int(value)


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _webapp_url(value: str | None) -> str | None:
    """The dashboard's public address: HTTPS (plain HTTP only on this machine, for trials)."""
    if value is None:
        return None
    parts = urlsplit(value)
    local = (parts.hostname or "") in _LOCAL_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ConfigError("ASSOC_WEBAPP_URL", f"not an https:// address: {value!r}")
    if not parts.hostname or parts.query or parts.fragment or " " in value:
        raise ConfigError(
            "ASSOC_WEBAPP_URL", f"use https://HOST/PATH without query or fragment: {value!r}"
        )
    return value


def _listen(value: str, variable: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})", value):
            raise ConfigError(variable, f"{value!r} is not an address to listen on") from None
    return value


def _webapp_port(value: str, env: Mapping[str, str]) -> int:
    port = _port(value, "ASSOC_WEBAPP_PORT")
    webhook_port = env.get("ASSOC_WEBHOOK_PORT", "").strip() or "8443"
    if env.get("ASSOC_WEBHOOK_URL", "").strip() and value == webhook_port:
        raise ConfigError("ASSOC_WEBAPP_PORT", f"{value} is already the webhook's port")
    return port


def _secret(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
        raise ConfigError("ASSOC_WEBHOOK_SECRET", "use 1-256 characters A-Z, a-z, 0-9, _ and -")
    return value


def _bot_username(value: str) -> str:
    name = value.removeprefix("@")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,30}[Bb][Oo][Tt]", name):
        raise ConfigError(
            "ASSOC_BOT_USERNAME",
            f"{value!r} is not a bot username (5-32 letters, digits, _; ends in bot)",
        )
    return name


def _channel(value: str | None) -> str | None:
    """A channel or group: `@name` (5-32 letters, digits, _) or its numeric chat id."""
    if value is None:
        return None
    if re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{4,31}", value) or re.fullmatch(r"-?\d{1,15}", value):
        return value
    raise ConfigError(
        "ASSOC_NOTICE_CHANNEL",
        f"{value!r} is not a channel or group: use @name or its numeric id (e.g. -1001234567890)",
    )
