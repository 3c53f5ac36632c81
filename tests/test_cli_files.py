"""Files named on the command line: one plain line naming the file and status 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

# "月" in GBK: what a Chinese Windows editor writes when it does not save UTF-8.
GBK = "第一条 本会名称。\n".encode("gb18030")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a database, read from the environment."""
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSOC_DB_PATH", str(tmp_path / "db.sqlite3"))
    monkeypatch.setenv("ASSOC_SEMANTIC_SEARCH", "off")
    (tmp_path / "roster.csv").write_text("name,unit,role\nLi,U,member\n", encoding="utf-8")
    assert main(["roster", "import", "roster.csv"]) == 0
    return tmp_path


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and "Errno" not in err and "codec" not in err, err
    assert len(err.splitlines()) == 1, err
    return err


def test_articles_file_not_utf8_is_named_in_plain_words(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (env / "articles.md").write_bytes(GBK)
    capsys.readouterr()
    assert main(["import-articles", "articles.md"]) == 2
    line = _one_line(capsys)
    assert line.startswith("articles.md: not UTF-8 text") and "GBK" in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["import-articles", "missing.md"], "missing.md: no such file"),
        (["import-articles", "."], ".: this is a folder, not a file"),
        (["roster", "import", "missing.csv"], "missing.csv: no such file"),
        (["roster", "import", "missing.xlsx"], "missing.xlsx: no such file"),
        (["roster", "import", "."], ".: this is a folder, not a file"),
        (["roster", "export", "nowhere/roster.csv"], "the folder nowhere does not exist"),
        (["roster", "export", "roster.csv/x.csv"], "roster.csv is a file, not a folder"),
        (["backup", "nowhere/copy.sqlite3"], "the folder nowhere does not exist"),
        (["backup", "."], ".: this is a folder; name a file to write"),
        (["export-rsvps", "1", "-o", "nowhere/x.csv"], "the folder nowhere does not exist"),
        (["export-attendance", "1", "-o", "nowhere/x.csv"], "the folder nowhere does not exist"),
    ],
)
def test_a_file_that_cannot_be_used_is_one_plain_line(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    capsys.readouterr()
    assert main(argv) == 2
    assert expected in _one_line(capsys)
    assert not (env / "nowhere").exists()


def test_an_absurd_meeting_id_on_the_command_line_is_refused_by_name(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(["export-attendance", "99999999999999999999"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "is not an id (1 to 999999999)" in err and "Traceback" not in err


def test_an_absurd_article_number_in_a_file_names_its_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (env / "articles.md").write_text("### Article 1\nOne.\n### Article 20240101\nTwo.\n")
    capsys.readouterr()
    assert main(["import-articles", "articles.md"]) == 2
    line = _one_line(capsys)
    assert line == "articles.md: line 3: number 20240101 is too large (at most 999)"
