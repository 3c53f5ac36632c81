"""Every roster message is HTML that Telegram accepts: known tags, balanced, entities escaped."""

from __future__ import annotations

from html.parser import HTMLParser

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import add_entry, send_document

ALLOWED = {"b", "i", "u", "s", "code", "pre", "a", "blockquote", "tg-spoiler"}


class TelegramHtml(HTMLParser):
    """Collects what Telegram's HTML parse mode would reject."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self.problems.append(f"entity &{name};")


def problems(text: str) -> list[str]:
    parser = TelegramHtml()
    parser.feed(text)
    parser.close()
    return parser.problems + [f"unclosed <{tag}>" for tag in parser.stack]


async def test_roster_messages_are_valid_telegram_html(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "<Sec & Co>", "en")
    await add_entry(bot, "<b>Tom & Jerry</b>", Role.MEMBER, "en", telegram_id=81, unit="A<B")
    bot.api.add_file(
        "f", b"name,unit,role,telegram_id,language\n<i>x,&amp;,boss<,,\nOk,<u>,member,,\n"
    )
    guest = bot.user(82, "<script>", "zh")
    for text in ["/members", "/members 2", "/invite <X> | <Y> | council", "/settings", "/forgetme"]:
        await bot.send(admin, text)
    await send_document(bot, admin, "f", "roster.csv")
    await bot.tap(admin, "ri:1:y")
    for data in ["mb:l:0", "mb:p:2", "mb:x:2", "mb:a:0"]:
        await bot.tap(admin, data)
    for text in ["/join", "<Guest & Co>", "</b>"]:
        await bot.send(guest, text)
    await bot.tap(admin, "ap:1:m", message=bot.api.last_message_to(ADMIN_ID))
    await bot.send(bot.user(81, "Tom"), "/settings")
    texts = [call.text for call in bot.api.sent() if call.text]
    assert len(texts) > 15
    bad = {text: problems(text) for text in texts if problems(text)}
    assert bad == {}
