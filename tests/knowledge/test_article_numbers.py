"""A date typed as an article number is refused at once, from an upload and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.harness import ADMIN_ID, BotHarness

TYPO = "## Chapter 1\n### Article 1\nName.\n### Article 2\nAims.\n### Article 20240101\nDated.\n"
SPARSE = "## Chapter 1\n### Article 1\nName.\n### Article 900\nLast.\n"


async def test_an_upload_with_a_date_for_an_article_number_is_refused(bot: BotHarness) -> None:
    bot.api.add_file("typo", TYPO.encode())
    calls = await bot.feed_and_collect(bot.factory.document(bot.user(ADMIN_ID), "typo", "a.md"))
    [text] = bot.texts_to(ADMIN_ID, calls)
    assert text == (
        "I could not read this file as Articles: line 6: number 20240101 is too large (at most 999)"
    )


async def test_an_upload_reports_gaps_as_ranges(bot: BotHarness) -> None:
    bot.api.add_file("sparse", SPARSE.encode())
    calls = await bot.feed_and_collect(bot.factory.document(bot.user(ADMIN_ID), "sparse", "a.md"))
    [preview] = bot.texts_to(ADMIN_ID, calls)
    assert "Numbering gaps: 2–899" in preview


def test_the_command_line_refuses_it_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("ASSOC_DB_PATH", str(tmp_path / "kb.sqlite3"))
    source = tmp_path / "articles.md"
    source.write_text(TYPO.replace("20240101", "9223372036854775808"), encoding="utf-8")
    assert main(["import-articles", str(source)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"{source}: line 6: number 9223372036854775808 is too large (at most 999)\n"
    )
    source.write_text(SPARSE, encoding="utf-8")
    assert main(["import-articles", str(source)]) == 0
    assert "Numbering gaps: 2–899\n" in capsys.readouterr().out
