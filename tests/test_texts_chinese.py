"""Chinese screens carry Chinese words only: uploads of the Articles, schedules of notices."""

from __future__ import annotations

import re

from bot.transport import ApiCall
from tests.harness import ADMIN_ID, BotHarness

LATIN_WORD = re.compile(r"(?<![.\w])(?!UTF\b)[A-Za-z]{3,}\b")  # not .txt, not UTF-8


async def _upload(bot: BotHarness, content: bytes, name: str, language: str) -> list[ApiCall]:
    file_id = f"file-{len(bot.api.calls)}"
    bot.api.add_file(file_id, content)
    before = len(bot.api.calls)
    await bot.feed(bot.factory.document(bot.user(ADMIN_ID, "Sec", language), file_id, name))
    return bot.api.calls[before:]


def _words_outside_tags(text: str) -> list[str]:
    return LATIN_WORD.findall(re.sub(r"<[^>]+>", "", text))


async def test_an_absurd_article_number_is_refused_in_the_readers_language(
    bot: BotHarness,
) -> None:
    content = "### 第1条\n名称。\n### 第20240101条\n日期笔误。\n".encode()
    calls = await _upload(bot, content, "章程.md", "zh")
    [text] = bot.texts_to(ADMIN_ID, calls)
    assert "第 3 行" in text and "20240101" in text
    assert _words_outside_tags(text) == []
    calls = await _upload(bot, content, "articles.md", "en")
    [text] = bot.texts_to(ADMIN_ID, calls)
    assert "line 3: number 20240101 is too large (at most 999)" in text


async def test_the_upload_preview_names_the_language_and_warns_in_chinese(
    bot: BotHarness,
) -> None:
    content = "## 第一章 总则\n### 第2条\n会员。\n### 第1条\n名称。\n### 第4条\n".encode()
    calls = await _upload(bot, content, "章程.md", "zh")
    [preview] = bot.texts_to(ADMIN_ID, calls)
    assert "语言：中文" in preview
    assert "编号缺口：3" in preview
    assert "条文没有按编号从小到大排列" in preview and "以下条文没有正文：4" in preview
    assert _words_outside_tags(preview) == []


async def test_files_that_are_not_articles_are_refused_in_chinese(bot: BotHarness) -> None:
    for content in ("第一条 名称。".encode("gb18030"), b"just some words"):
        calls = await _upload(bot, content, "notes.txt", "zh")
        [text] = bot.texts_to(ADMIN_ID, calls)
        assert text.startswith("无法把这个文件读作章程")
        assert _words_outside_tags(text) == [], text
