"""/start, /help, /language and the answer to unknown commands."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.commands import commands_for
from bot.context import AppContext, BotApplication
from bot.i18n import t
from handlers.common import Caller, edit_tapped, identify, reply
from storage.people import Language, Role

__all__ = ["LANGUAGE_CALLBACK", "register"]

LANGUAGE_CALLBACK = "lang"
_LANGUAGE_NAMES: dict[Language, str] = {"zh": "中文", "en": "English"}


def help_text(caller: Caller) -> str:
    """The commands of the caller's role: what each does, and under it how it is typed."""
    role = caller.person.role
    lines = [caller.t("help.title", role=caller.t(f"core.role_{role.value}"))]
    for spec in commands_for(role):
        lines.append(f"/{spec.name} — {caller.t(f'commands.{spec.name}')}")
        syntax = caller.t(f"help.{spec.name}")
        if syntax != f"/{spec.name}":
            lines.append(caller.t("help.syntax", syntax=syntax))
    if role is Role.SECRETARIAT:
        lines.append(caller.t("help.guided"))
    lines.append("")
    lines.append(caller.t("core.sample_notice"))
    return "\n".join(lines)


async def start(update: Update, context: AppContext) -> None:
    """Welcome the person and show what they can do."""
    caller = await identify(update, context)
    if caller is None:
        return
    name = caller.person.name or (update.effective_user.first_name if update.effective_user else "")
    key = "core.welcome_guest" if caller.person.role is Role.GUEST else "core.welcome"
    await reply(update, caller.t(key, name=name) + "\n\n" + help_text(caller))


async def help_command(update: Update, context: AppContext) -> None:
    """List the commands of the caller's role."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, help_text(caller))


async def language_command(update: Update, context: AppContext) -> None:
    """Offer the two languages as buttons."""
    caller = await identify(update, context)
    if caller is None:
        return
    buttons = [
        InlineKeyboardButton(label, callback_data=f"{LANGUAGE_CALLBACK}:{code}")
        for code, label in _LANGUAGE_NAMES.items()
    ]
    await reply(update, caller.t("core.language_choose"), InlineKeyboardMarkup([buttons]))


async def language_chosen(update: Update, context: AppContext) -> None:
    """Store the chosen language and confirm in it."""
    query = update.callback_query
    caller = await identify(update, context)
    if query is None or caller is None:
        return
    code = (query.data or "").partition(":")[2]
    if code not in _LANGUAGE_NAMES:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    language: Language = "zh" if code == "zh" else "en"
    await context.bot_data.accounts.set_language(caller.person, language)
    await query.answer()
    await edit_tapped(update, t(language, "core.language_set", language=_LANGUAGE_NAMES[language]))


async def unknown_command(update: Update, context: AppContext) -> None:
    """Say that the command is not known and point to /help."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("core.unknown_command"))


def register(app: BotApplication) -> None:
    """Wire the core commands in."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("language", language_command))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=rf"^{LANGUAGE_CALLBACK}:"))


async def stale_button(update: Update, context: AppContext) -> None:
    """Answer a tap no feature recognises (old or forged data) so the spinner stops."""
    query = update.callback_query
    caller = await identify(update, context)
    if query is not None and caller is not None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)


def register_fallbacks(app: BotApplication) -> None:
    """Wire the answers to unknown commands and unknown buttons in, after every feature."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(CallbackQueryHandler(stale_button))
