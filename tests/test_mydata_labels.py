"""/mydata says in plain words, in the reader's language, what is held; the file has it all."""

from __future__ import annotations

from storage.people import Role
from tests.harness import BotHarness
from tests.roster_helpers import add_entry

INTERNAL = ("news_enabled", "telegram_id", "created_at", "audit_log", "other_records", "_")


async def test_mydata_labels_the_entry_in_english(bot: BotHarness) -> None:
    await add_entry(bot, "Li Hua", Role.COUNCIL, "en", telegram_id=91, unit="YNU")
    calls = await bot.send(bot.user(91, "Li"), "/mydata")
    [summary] = [c.text for c in calls if c.method == "sendMessage"]
    assert (
        "Name: Li Hua\nUnit: YNU\nRole: council member\nLanguage: English (your choice)" in summary
    )
    assert "Telegram account: linked\nNews notices: on\nOn the roster since: " in summary
    assert "The attached file holds every record in full" in summary
    assert not any(word in summary for word in INTERNAL), summary
    assert [c.method for c in calls].count("sendDocument") == 1


async def test_mydata_in_chinese_counts_the_records_by_kind(bot: BotHarness) -> None:
    member = bot.user(92, "李雷", "zh")
    calls = await bot.send(member, "Is there parking near the association's office?")
    [offer] = [c for c in calls if c.chat_id == 92 and c.callback_data()]
    await bot.tap(member, offer.callback_data()[0])
    calls = await bot.send(member, "/mydata")
    [summary] = [c.text for c in calls if c.method == "sendMessage"]
    assert "姓名：李雷" in summary and "身份：访客" in summary
    assert "语言：未选择（使用您 Telegram 应用的语言）" in summary
    assert "• 转给秘书处的问题：1 个" in summary
    assert "• 最近一次看到的 Telegram 应用语言：1 条" in summary
    assert not any(word in summary for word in INTERNAL), summary
