"""/ask (and plain private text), /article N, /mission and /articles browsing."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import AppContext, BotApplication
from bot.i18n import Html
from bot.knowledge.answers import entry_title, heading, language_note, quote, small_talk_reply, trim
from bot.knowledge.labels import button_label
from bot.numbers import typed_number
from handlers import knowledge_inline, knowledge_relay, knowledge_upload, questions
from handlers.common import Caller, edit_tapped, identify, reply, send_usage
from handlers.knowledge_relay import offer_markup

__all__ = ["CALLBACK", "register"]

CALLBACK = "kb"
PAGE_SIZE = 8


def _article_buttons(
    caller: Caller, number: int, chapter: int | None
) -> list[InlineKeyboardButton]:
    """Buttons for the full article and its chapter."""
    buttons = [
        InlineKeyboardButton(
            caller.t("knowledge.button_full"), callback_data=f"{CALLBACK}:a:{number}"
        )
    ]
    if chapter is not None:
        buttons.append(
            InlineKeyboardButton(
                caller.t("knowledge.button_chapter"), callback_data=f"{CALLBACK}:c:{chapter}:0"
            )
        )
    return buttons


async def answer_question(
    update: Update, context: AppContext, caller: Caller, question: str
) -> None:
    """Quote the best match with buttons, or say the documents do not cover the question."""
    result = await context.bot_data.knowledge.search(question, caller.language)
    if result.small_talk is not None:
        await reply(update, small_talk_reply(result.small_talk, caller.language))
        return
    if not result.covered or not result.matches:
        markup = await offer_markup(update, context, caller, question)
        await reply(
            update,
            caller.t("knowledge.not_covered_offer" if markup else "knowledge.not_covered"),
            markup,
        )
        return
    best = result.matches[0].entry
    title, body, _ = quote(best, result.matches[0].passage, caller.language)
    text = f"<b>{html.escape(title)}</b>\n{html.escape(body)}"
    rows = []
    if best.number is not None:
        rows.append(_article_buttons(caller, best.number, best.chapter_number))
    others = [m.entry for m in result.matches[1:4] if m.entry.number is not None]
    if others:
        text += "\n\n" + caller.t("knowledge.other_matches")
        rows.append(
            [
                InlineKeyboardButton(
                    button_label(heading(e, caller.language)),
                    callback_data=f"{CALLBACK}:a:{e.number}",
                )
                for e in others
            ]
        )
    await reply(update, text, InlineKeyboardMarkup(rows) if rows else None)


async def ask(update: Update, context: AppContext) -> None:
    """Answer /ask QUESTION."""
    caller = await identify(update, context)
    if caller is None:
        return
    question = " ".join(context.args or []).strip()
    if not question:
        await reply(update, caller.t("knowledge.ask_prompt"))
        return
    await answer_question(update, context, caller, question)


async def plain_text(update: Update, context: AppContext) -> None:
    """Treat plain text in a private chat as a question."""
    caller = await identify(update, context)
    if caller is None or update.effective_message is None:
        return
    await answer_question(update, context, caller, update.effective_message.text or "")


async def show_article(update: Update, context: AppContext, caller: Caller, number: int) -> None:
    """Send one article in full with its chapter button."""
    entry = await context.bot_data.knowledge.article(caller.language, number)
    if entry is None:
        await reply(update, caller.t("knowledge.article_missing", number=number))
        return
    body, _ = trim(entry.body)
    note = language_note(entry, caller.language)
    text = f"<b>{html.escape(heading(entry, caller.language))}</b>\n"
    text += f"<i>{html.escape(note)}</i>\n{html.escape(body)}" if note else html.escape(body)
    back = []
    if entry.chapter_number is not None:
        back.append(
            InlineKeyboardButton(
                caller.t("knowledge.button_back"),
                callback_data=f"{CALLBACK}:c:{entry.chapter_number}:0",
            )
        )
    back.append(
        InlineKeyboardButton(
            caller.t("knowledge.button_all_chapters"), callback_data=f"{CALLBACK}:ch"
        )
    )
    await reply(update, text, InlineKeyboardMarkup([back]))


async def article(update: Update, context: AppContext) -> None:
    """Show /article N."""
    caller = await identify(update, context)
    if caller is None:
        return
    args = context.args or []
    number = typed_number(args[0]) if len(args) == 1 else None
    if number is None:
        await send_usage(update, caller, "knowledge.article")
        return
    await show_article(update, context, caller, number)


async def mission(update: Update, context: AppContext) -> None:
    """Show the mission page."""
    caller = await identify(update, context)
    if caller is None:
        return
    entries = await context.bot_data.reading.mission(caller.language)
    parts = [f"<b>{html.escape(e.title)}</b>\n{html.escape(e.body)}" for e in entries]
    text, _ = trim("\n\n".join(parts), 4000)
    await reply(update, text or caller.t("knowledge.not_covered"))


async def _chapters_view(context: AppContext, caller: Caller) -> tuple[str, InlineKeyboardMarkup]:
    """The chapter list with one button per chapter."""
    listing = await context.bot_data.reading.chapters(caller.language)
    rows = [
        [
            InlineKeyboardButton(
                button_label(caller.t("knowledge.chapter_button", number=c.number, title=c.title)),
                callback_data=f"{CALLBACK}:c:{c.number}:0",
            )
        ]
        for c in listing.chapters
    ]
    return caller.t("knowledge.chapters_title", title=listing.title), InlineKeyboardMarkup(rows)


async def articles(update: Update, context: AppContext) -> None:
    """Start browsing the Articles chapter by chapter."""
    caller = await identify(update, context)
    if caller is None:
        return
    text, markup = await _chapters_view(context, caller)
    await reply(update, Html(text), markup)


async def browse(update: Update, context: AppContext) -> None:
    """Handle the browsing buttons: chapters, a chapter's articles (paginated), one article."""
    query = update.callback_query
    caller = await identify(update, context)
    if query is None or caller is None:
        return
    parts = (query.data or "").split(":")
    await query.answer()
    numbers = [typed_number(part, low=0) for part in parts[2:]]
    if parts[1:2] == ["a"] and len(parts) == 3 and numbers[0] is not None:
        await show_article(update, context, caller, numbers[0])
    elif parts[1:2] == ["c"] and len(parts) == 4 and None not in numbers:
        chapter, page = numbers[0] or 0, numbers[1] or 0
        entries = await context.bot_data.reading.chapter(caller.language, chapter)
        shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        rows = [
            [
                InlineKeyboardButton(
                    button_label(
                        f"{heading(e, caller.language).split(' · ')[0]} {e.title or e.body}"
                    ),
                    callback_data=f"{CALLBACK}:a:{e.number}",
                )
            ]
            for e in shown
        ]
        nav = []
        if page > 0:
            nav.append(
                InlineKeyboardButton(
                    caller.t("knowledge.button_previous"),
                    callback_data=f"{CALLBACK}:c:{chapter}:{page - 1}",
                )
            )
        if (page + 1) * PAGE_SIZE < len(entries):
            nav.append(
                InlineKeyboardButton(
                    caller.t("knowledge.button_next"),
                    callback_data=f"{CALLBACK}:c:{chapter}:{page + 1}",
                )
            )
        nav.append(
            InlineKeyboardButton(caller.t("knowledge.button_back"), callback_data=f"{CALLBACK}:ch")
        )
        rows.append(nav)
        title = entry_title(entries[0]) if entries else ""
        await edit_tapped(
            update,
            caller.t("knowledge.chapter_title", title=title),
            reply_markup=InlineKeyboardMarkup(rows),
        )
    else:
        text, markup = await _chapters_view(context, caller)
        await edit_tapped(update, text, reply_markup=markup)


def register(app: BotApplication) -> None:
    """Wire the knowledge commands, browsing buttons and plain-text questions."""
    app.add_handler(CommandHandler("ask", ask))
    app.add_handler(CommandHandler("article", article))
    app.add_handler(CommandHandler("mission", mission))
    app.add_handler(CommandHandler("articles", articles))
    app.add_handler(CallbackQueryHandler(browse, pattern=rf"^{CALLBACK}:"))
    knowledge_inline.register(app)
    knowledge_upload.register(app)
    knowledge_relay.register(app)
    questions.register(app)


def register_fallbacks(app: BotApplication) -> None:
    """Plain text in a private chat is a question (after every other text handler)."""
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, plain_text)
    )
