"""Inline mode: `@bot QUERY` in any chat offers matching articles to share."""

from __future__ import annotations

import html

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from bot.context import AppContext, BotApplication
from bot.knowledge.answers import heading, trim
from storage.articles import Entry

__all__ = ["MAX_RESULTS", "register"]

MAX_RESULTS = 5


def _result(entry: Entry, language: str) -> InlineQueryResultArticle:
    """One shareable result: the entry quoted under its heading."""
    title = heading(entry, "zh" if language == "zh" else "en")
    body, _ = trim(entry.body)
    key = f"{entry.kind}-{entry.language}-{entry.number or entry.position}"
    return InlineQueryResultArticle(
        id=key,
        title=title,
        description=entry.body[:120],
        input_message_content=InputTextMessageContent(
            f"<b>{html.escape(title)}</b>\n{html.escape(body)}", parse_mode=ParseMode.HTML
        ),
    )


async def inline_query(update: Update, context: AppContext) -> None:
    """Answer an inline query with the best-matching articles (none when nothing matches)."""
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    if not text:
        await query.answer([], cache_time=60, is_personal=False)
        return
    user = query.from_user
    shared = await context.bot_data.reading.shared(
        user.id, user.language_code, text[:256], MAX_RESULTS
    )
    # Results follow the asker's language, so they are cached per user.
    results = [_result(e, shared.language) for e in shared.entries]
    await query.answer(results, cache_time=60, is_personal=True)


def register(app: BotApplication) -> None:
    """Wire inline queries."""
    app.add_handler(InlineQueryHandler(inline_query))
