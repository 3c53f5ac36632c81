"""/settings (language, news notices, subscriptions), /mydata and /forgetme."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppContext, BotApplication
from bot.roster.mydata_summary import personal_data_summary
from bot.roster.privacy import personal_data_file
from handlers.common import Caller, edit_tapped, identify, reply, reply_document
from storage.people import Language, Role

__all__ = ["register"]

_SETTINGS = re.compile(r"^st:(news:[01]|lang:(?:zh|en))$")
_FORGET = re.compile(r"^fg:(ask|yes|no)$")
_LANGUAGE_NAMES: dict[Language, str] = {"zh": "中文", "en": "English"}


def settings_screen(caller: Caller) -> tuple[str, InlineKeyboardMarkup]:
    """What the person gets and the buttons to change it."""
    person = caller.person
    role = person.role
    subscriptions = []
    if role is Role.GUEST:
        subscriptions.append(caller.t("roster.sub_guest"))
    else:
        subscriptions.append(caller.t("roster.sub_all"))
        if role.at_least(Role.COUNCIL):
            subscriptions.append(caller.t("roster.sub_council"))
        if role is Role.SECRETARIAT:
            subscriptions.append(caller.t("roster.sub_secretariat"))
        subscriptions.append(caller.t("roster.sub_meetings"))
    news = caller.t("roster.on") if person.news_enabled else caller.t("roster.off")
    text = caller.t(
        "roster.settings",
        language=_LANGUAGE_NAMES[caller.language],
        news=news,
        subscriptions="\n".join(f"• {line}" for line in subscriptions),
    )
    other: Language = "en" if caller.language == "zh" else "zh"
    toggle = "roster.news_turn_off" if person.news_enabled else "roster.news_turn_on"
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    caller.t(toggle), callback_data=f"st:news:{0 if person.news_enabled else 1}"
                ),
                InlineKeyboardButton(_LANGUAGE_NAMES[other], callback_data=f"st:lang:{other}"),
            ]
        ]
    )
    return text, markup


async def settings_command(update: Update, context: AppContext) -> None:
    """Show the person's settings."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, *settings_screen(caller))


async def settings_button(update: Update, context: AppContext) -> None:
    """Change the caller's own news setting or language; nothing else can be reached."""
    query = update.callback_query
    caller = await identify(update, context)
    if query is None or caller is None:
        return
    match = _SETTINGS.match(query.data or "")
    if match is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    accounts = context.bot_data.accounts
    kind, _, value = match.group(1).partition(":")
    if kind == "news":
        await accounts.set_news(caller.person, value == "1")
    else:
        await accounts.set_language(caller.person, "zh" if value == "zh" else "en")
    await query.answer()
    fresh = await identify(update, context)
    if fresh is not None:
        text, markup = settings_screen(fresh)
        await edit_tapped(update, text, reply_markup=markup)


async def mydata_command(update: Update, context: AppContext) -> None:
    """Say what is held about the caller in plain words, then send all of it as a JSON file."""
    caller = await identify(update, context)
    chat = update.effective_chat
    if caller is None or chat is None:
        return
    data = context.bot_data
    document = await data.accounts.export(caller.person)
    await reply(update, personal_data_summary(document, caller.language, data.settings.timezone))
    await reply_document(
        update,
        personal_data_file(document),
        filename=f"mydata-{caller.person.id}.json",
        caption=caller.t("roster.mydata"),
    )


async def forgetme_command(update: Update, context: AppContext) -> None:
    """Explain what erasure does and ask for a first confirmation."""
    caller = await identify(update, context)
    if caller is None:
        return
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(caller.t("roster.forget_button"), callback_data="fg:ask"),
                InlineKeyboardButton(caller.t("roster.keep_button"), callback_data="fg:no"),
            ]
        ]
    )
    await reply(update, caller.t("roster.forget_explain"), markup)


async def forget_button(update: Update, context: AppContext) -> None:
    """Second confirmation, then erase the caller's own data (only ever the caller's)."""
    query = update.callback_query
    caller = await identify(update, context)
    if query is None or caller is None:
        return
    match = _FORGET.match(query.data or "")
    if match is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    await query.answer()
    step = match.group(1)
    if step == "no":
        await edit_tapped(update, caller.t("roster.forget_kept"))
    elif step == "ask":
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(caller.t("roster.forget_final"), callback_data="fg:yes"),
                    InlineKeyboardButton(caller.t("roster.keep_button"), callback_data="fg:no"),
                ]
            ]
        )
        await edit_tapped(update, caller.t("roster.forget_sure"), reply_markup=markup)
    else:
        await context.bot_data.accounts.erase(caller.person)
        await edit_tapped(update, caller.t("roster.forget_done"))


def register(app: BotApplication) -> None:
    """Wire /settings, /mydata and /forgetme in."""
    app.add_handler(CommandHandler("settings", settings_command))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=r"^st:"))
    app.add_handler(CommandHandler("mydata", mydata_command))
    app.add_handler(CommandHandler("forgetme", forgetme_command))
    app.add_handler(CallbackQueryHandler(forget_button, pattern=r"^fg:"))
