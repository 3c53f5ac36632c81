"""The ask and import-articles subcommands of run_bot.py, restore included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main

ARTICLES = "# New Articles\n## Chapter 1 General\n### Article 1\nThe name is Test.\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database path in a temporary directory, read from the environment."""
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "kb.sqlite3"
    monkeypatch.setenv("ASSOC_DB_PATH", str(path))
    return path


def test_ask_json_cites_the_article(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--lang", "zh", "会费"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["citations"][0]["article"] == 38
    assert payload["matches"][0]["article"] == 38


def test_ask_json_mission_section_is_article_zero(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", "--lang", "en", "What did Zhang Xiaoming promise?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["citations"] == [{"article": 0, "title": "The president's pledges"}]


def test_import_then_restore_the_previous_version(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "new.md"
    source.write_text(ARTICLES, encoding="utf-8")
    assert main(["import-articles", str(source)]) == 0
    assert "Articles: 1" in capsys.readouterr().out
    assert main(["ask", "--json", "--lang", "en", "article 38"]) == 0
    assert json.loads(capsys.readouterr().out)["citations"][0]["article"] == 38  # zh fallback
    assert main(["import-articles", "--restore", "--lang", "en"]) == 0
    assert "50 articles" in capsys.readouterr().out
    assert main(["import-articles", "--restore", "--lang", "en"]) == 1


def test_restore_without_language_is_one_line_and_status_2(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-articles", "--restore"]) == 2
    assert main(["import-articles"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2
