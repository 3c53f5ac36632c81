"""The guided /notice form: audience, category, receipts, channel, versions, time; the preview."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import AppContext, user_state
from bot.notices.compose import (
    AUDIENCES,
    CATEGORIES,
    ComposeError,
    Draft,
    message_part,
    one_of,
    parse_when,
)
from bot.notices.views import preview_parts
from handlers.common import Caller, identify, reply, require_role
from handlers.notices_actions import buttons
from storage.people import Role

__all__ = [
    "AUDIENCE",
    "CATEGORY",
    "CHANNEL",
    "RECEIPTS",
    "TEXT_EN",
    "TEXT_ZH",
    "WHEN",
    "cancel",
    "chosen",
    "skip_en",
    "skip_zh",
    "start_guided",
    "store_and_preview",
    "text_en",
    "text_zh",
    "when",
]

AUDIENCE, CATEGORY, TEXT_ZH, TEXT_EN, WHEN, RECEIPTS, CHANNEL = range(7)


async def start_guided(update: Update, context: AppContext, caller: Caller) -> int:
    """Bare /notice: start with the audience."""
    user_state(context).notice_draft = Draft()
    await reply(
        update,
        caller.t("notices.ask_audience"),
        buttons(
            [
                (caller.t(f"notices.audience_{a}"), f"ntc:aud:{a}")
                for a in ("all", "council", "secretariat")
            ]
        ),
    )
    return AUDIENCE


async def store_and_preview(
    update: Update, context: AppContext, caller: Caller, draft: Draft
) -> None:
    """Keep the draft in the database and show it with Confirm and Cancel."""
    data = context.bot_data
    chat = update.effective_chat
    stored = await data.notices.drafts.store(
        draft, caller.person.id, chat.id if chat else 0, caller.language
    )
    notice, audience = stored.notice, stored.audience
    channel = data.settings.notice_channel
    parts = preview_parts(notice, data.settings.timezone, caller.language, audience, channel)
    for part in parts[:-1]:
        await reply(update, part)
    await reply(
        update,
        parts[-1],
        buttons(
            [
                (caller.t("notices.confirm"), f"ntc:ok:{notice.id}"),
                (caller.t("notices.cancel"), f"ntc:no:{notice.id}"),
            ]
        ),
    )


def _draft(context: AppContext) -> Draft:
    return user_state(context).notice_draft or Draft()


async def chosen(update: Update, context: AppContext) -> int:
    """Audience or category tapped in the guided form."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return ConversationHandler.END
    await query.answer()
    _, field, value = (query.data or "").split(":")
    draft = _draft(context)
    audience, category = one_of(value, AUDIENCES), one_of(value, CATEGORIES)
    if field == "aud" and audience is not None:
        user_state(context).notice_draft = replace(draft, audience=audience)
        await reply(
            update,
            caller.t("notices.ask_category"),
            buttons(
                [(caller.t(f"notices.category_{c}"), f"ntc:cat:{c}") for c in ("official", "news")]
            ),
        )
        return CATEGORY
    if field == "cat" and category is not None:
        user_state(context).notice_draft = replace(draft, category=category)
        await reply(
            update,
            caller.t("notices.ask_receipts"),
            buttons(
                [
                    (caller.t("notices.receipts_yes"), "ntc:rcp:yes"),
                    (caller.t("notices.receipts_no"), "ntc:rcp:no"),
                ]
            ),
        )
        return RECEIPTS
    if field in ("rcp", "chn") and value in ("yes", "no"):
        flag = value == "yes"
        if field == "rcp":
            user_state(context).notice_draft = replace(draft, ack=flag)
            channel = context.bot_data.settings.notice_channel
            if channel:
                await reply(
                    update,
                    caller.t("notices.ask_channel", channel=channel),
                    buttons(
                        [
                            (caller.t("notices.channel_yes"), "ntc:chn:yes"),
                            (caller.t("notices.channel_no"), "ntc:chn:no"),
                        ]
                    ),
                )
                return CHANNEL
        else:
            user_state(context).notice_draft = replace(draft, channel=flag)
        await reply(update, caller.t("notices.ask_text_zh"))
        return TEXT_ZH
    await query.answer(caller.t("core.button_invalid"), show_alert=True)
    return ConversationHandler.END


async def _version(update: Update, context: AppContext, language: str) -> int | None:
    caller = await identify(update, context)
    message = update.effective_message
    if caller is None or message is None:
        return ConversationHandler.END
    try:
        draft = _draft(context).with_part(language, message_part(message))
    except ComposeError as error:
        await reply(update, caller.t(error.key, **error.values))
        return None
    user_state(context).notice_draft = draft
    return TEXT_EN if language == "zh" else await _ask_when(update, caller)


async def _ask_when(update: Update, caller: Caller) -> int:
    await reply(
        update,
        caller.t("notices.ask_when"),
        buttons([(caller.t("notices.when_now_button"), "ntc:now")]),
    )
    return WHEN


async def text_zh(update: Update, context: AppContext) -> int:
    """The Chinese version (text, or a photo or document with a caption)."""
    state = await _version(update, context, "zh")
    if state == TEXT_EN:
        caller = await identify(update, context)
        if caller is not None:
            await reply(update, caller.t("notices.ask_text_en"))
    return TEXT_ZH if state is None else state


async def text_en(update: Update, context: AppContext) -> int:
    """The English version."""
    state = await _version(update, context, "en")
    return TEXT_EN if state is None else state


async def skip_zh(update: Update, context: AppContext) -> int:
    """/skip the Chinese version."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("notices.ask_text_en"))
    return TEXT_EN


async def skip_en(update: Update, context: AppContext) -> int:
    """/skip the English version (one of the two is needed)."""
    caller = await identify(update, context)
    if caller is None:
        return ConversationHandler.END
    draft = _draft(context)
    if draft.text_zh is None and draft.text_en is None:
        await reply(update, caller.t("notices.text_missing"))
        return TEXT_EN
    return await _ask_when(update, caller)


async def when(update: Update, context: AppContext) -> int:
    """The time: typed, or the Now button; then the preview."""
    caller = await identify(update, context)
    if caller is None:
        return ConversationHandler.END
    data = context.bot_data
    draft = _draft(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
        due, recurrence = None, None
    else:
        try:
            due, recurrence = parse_when(
                update.effective_message.text or "",  # type: ignore[union-attr]
                data.settings.timezone,
                data.clock.now(),
            )
        except ComposeError as error:
            await reply(update, caller.t(error.key, **error.values))
            return WHEN
    _clear(context)
    await store_and_preview(
        update, context, caller, replace(draft, due_at=due, recurrence=recurrence)
    )
    return ConversationHandler.END


def _clear(context: AppContext) -> None:
    user_state(context).notice_draft = None


async def cancel(update: Update, context: AppContext) -> int:
    """/cancel the guided form."""
    _clear(context)
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("notices.guided_cancelled"))
    return ConversationHandler.END
