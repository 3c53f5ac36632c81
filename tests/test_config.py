"""Settings from the environment and .env; bad values name their variable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings


def test_defaults_without_a_token_mean_console_mode(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"ASSOC_DB_PATH": str(tmp_path / "x.sqlite3")}, dotenv_path=tmp_path / ".env"
    )
    assert settings.console_mode
    assert str(settings.timezone) == "Asia/Shanghai"
    assert settings.broadcast_rate == 25
    assert settings.notice_approval == 1
    assert settings.missed_grace == timedelta(hours=6)


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("TELEGRAM_BOT_TOKEN=1:abc\nASSOC_ADMIN_IDS=1, 2\nASSOC_TIMEZONE=UTC\n")
    settings = Settings.from_env(
        {"ASSOC_TIMEZONE": "Europe/Paris", "ASSOC_DB_PATH": str(tmp_path / "x.sqlite3")},
        dotenv_path=dotenv,
    )
    assert settings.token == "1:abc"
    assert settings.admin_ids == frozenset({1, 2})
    assert str(settings.timezone) == "Europe/Paris"


def test_repr_hides_the_token_and_webhook_secret() -> None:
    settings = Settings(token="123:SECRET", webhook_secret="hush")
    assert "SECRET" not in repr(settings)
    assert "hush" not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ASSOC_ADMIN_IDS", "1,two"),
        ("ASSOC_TIMEZONE", "Nowhere/City"),
        ("ASSOC_BROADCAST_RATE", "-3"),
        ("ASSOC_MISSED_GRACE", "6 hours"),
        ("TELEGRAM_API_BASE_URL", "localhost:8081"),
        ("ASSOC_WEBHOOK_PORT", "99999"),
        ("ASSOC_NOTICE_CHANNEL", "t.me/news"),
    ],
)
def test_bad_values_raise_an_error_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(
            {"ASSOC_DB_PATH": str(tmp_path / "x.sqlite3"), variable: value},
            dotenv_path=tmp_path / ".env",
        )
    assert raised.value.variable == variable
    assert str(raised.value).startswith(f"{variable}: ")


@pytest.mark.parametrize("value", ["@youxie_news", "-1001234567890"])
def test_notice_channel_is_a_channel_name_or_id(tmp_path: Path, value: str) -> None:
    settings = Settings.from_env(
        {"ASSOC_DB_PATH": str(tmp_path / "x.sqlite3"), "ASSOC_NOTICE_CHANNEL": value},
        dotenv_path=tmp_path / ".env",
    )
    assert settings.notice_channel == value
