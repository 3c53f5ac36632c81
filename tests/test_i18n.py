"""The zh and en catalogs are complete and agree; dates show in the zone and locale."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.i18n import Html, format_datetime, load_catalog, placeholders, t


def test_both_catalogs_have_the_same_keys() -> None:
    zh, en = load_catalog("zh"), load_catalog("en")
    assert sorted(set(en) - set(zh)) == []
    assert sorted(set(zh) - set(en)) == []


def test_both_catalogs_use_the_same_placeholders() -> None:
    zh, en = load_catalog("zh"), load_catalog("en")
    differing = [key for key in en if placeholders(en[key]) != placeholders(zh[key])]
    assert differing == []


def test_every_command_has_a_description_in_both_languages() -> None:
    from bot.commands import COMMANDS

    for spec in COMMANDS:
        assert t("zh", f"commands.{spec.name}")
        assert t("en", f"commands.{spec.name}")


def test_user_values_are_escaped_but_prepared_html_is_not() -> None:
    assert t("en", "core.welcome", name="<b>x</b>").startswith("Welcome, &lt;b&gt;x&lt;/b&gt;!")
    assert t("en", "core.usage", usage=Html("<i>u</i>"), example="a<b").startswith(
        "Usage: <i>u</i>"
    )


def test_dates_show_in_the_association_zone_and_the_readers_locale() -> None:
    moment = datetime(2026, 8, 5, 1, 30, tzinfo=UTC)
    zone = ZoneInfo("Asia/Shanghai")
    assert format_datetime(moment, zone, "zh") == "2026年8月5日周三 09:30"
    assert format_datetime(moment, zone, "en") == "Wed, 5 Aug 2026 09:30"
