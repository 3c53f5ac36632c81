"""/members: counts per role, who is unreachable, applications; roles, removal, audit log."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppContext, BotApplication
from bot.i18n import format_datetime, load_catalog
from bot.numbers import typed_number
from bot.roster.export import ExportFormat
from bot.roster.view import ROSTER_ROLES
from handlers.common import Caller, edit_tapped, reply, reply_document, require_role, send_usage
from handlers.join import send_card
from handlers.members_roles import change_role
from storage.people import Role
from storage.roster import Reach

__all__ = ["register"]


PAGE = 10
MAX_SEARCH = 100
AUDIT_PAGE = 15
NAMES_SHOWN = 10
_PAGED = re.compile(r"^mb:([la]):(\d{1,6})$")
_PERSON = re.compile(r"^mb:([pxXi]):(\d{1,9})$")
_ROLE = re.compile(r"^mb:([rR]):(\d{1,9}):(member|council|secretariat)$")
_EXPORT = re.compile(r"^mb:e:(csv|xlsx)$")


def _role(caller: Caller, role: Role) -> str:
    return caller.t(f"core.role_{role.value}")


def _names(entries: list[tuple[int, str]]) -> str:
    return ", ".join(f"{name or '—'} (#{person_id})" for person_id, name in entries)


async def overview(caller: Caller, context: AppContext) -> tuple[str, InlineKeyboardMarkup]:
    """Counts per role (reachable, blocked, never started), who is unreachable, applications."""
    overview = await context.bot_data.roster_service.view.overview(NAMES_SHOWN)
    counts = overview.counts
    lines = [caller.t("roster.members_title")]
    for role in ROSTER_ROLES:
        count = counts[role]
        lines.append(
            caller.t(
                "roster.members_count",
                role=_role(caller, role),
                total=count.total,
                reachable=count.reachable,
                blocked=count.blocked,
                never_started=count.never_started,
            )
        )
    lines.append(caller.t("roster.members_guests", count=counts[Role.GUEST].bound))
    for unreachable in overview.unreachable:
        names = _names([(e.id, e.name) for e in unreachable.first])
        if unreachable.more:
            names += ", …"
        key = f"roster.members_{unreachable.reach.value}"
        lines.append(caller.t(key, count=unreachable.total, names=names or "—"))
    lines.append(caller.t("roster.members_pending", count=overview.pending_applications))
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(caller.t("roster.members_list"), callback_data="mb:l:0"),
                InlineKeyboardButton(caller.t("roster.members_audit"), callback_data="mb:a:0"),
            ],
            [
                InlineKeyboardButton(caller.t("roster.export_csv"), callback_data="mb:e:csv"),
                InlineKeyboardButton(caller.t("roster.export_xlsx"), callback_data="mb:e:xlsx"),
            ],
        ]
    )
    return "\n".join(lines), buttons


async def members_command(update: Update, context: AppContext) -> None:
    """`/members`: the overview and the pending applications; `/members ID`: one person."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    query = " ".join(context.args or [])
    if query:
        if query.lstrip("#").replace(" ", "").isdigit() or len(query) > MAX_SEARCH:
            number = typed_number(query) if len(query) <= MAX_SEARCH else None
            if number is None:
                await send_usage(update, caller, "roster.members")
                return
            text, markup = await person_card(caller, context, number)
        else:
            text, markup = await search_results(caller, context, query)
        await reply(update, text, markup)
        return
    text, markup = await overview(caller, context)
    await reply(update, text, markup)
    chat = update.effective_chat
    if chat is None:
        return
    for application in await context.bot_data.roster_service.view.pending_applications(5):
        await send_card(context, chat.id, caller.language, application)


async def search_results(
    caller: Caller, context: AppContext, query: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The roster entries whose name or unit contains `query`, as buttons to their cards."""
    entries = await context.bot_data.roster_service.view.search(query, PAGE + 1)
    if not entries:
        return caller.t("roster.search_none", query=query), None
    rows = [
        [
            InlineKeyboardButton(
                f"{e.name} · {e.unit or '—'} · {_role(caller, e.role)}",
                callback_data=f"mb:p:{e.id}",
            )
        ]
        for e in entries[:PAGE]
    ]
    key = "roster.search_more" if len(entries) > PAGE else "roster.search_found"
    return caller.t(key, query=query, count=min(len(entries), PAGE)), InlineKeyboardMarkup(rows)


async def person_card(
    caller: Caller, context: AppContext, person_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One person: entry, account, reachability; buttons to change role, remove, re-invite."""
    card = await context.bot_data.roster_service.view.card(person_id)
    if card is None:
        return caller.t("roster.no_entry", id=person_id), None
    person, reach = card.person, card.reach
    if person.telegram_id is None:
        account = caller.t("roster.card_unbound")
    elif reach is Reach.REACHABLE:
        account = caller.t("roster.card_reachable")
    elif reach is Reach.NEVER_STARTED:
        account = caller.t("roster.card_never_started")
    else:
        account = caller.t("roster.card_blocked")
    text = caller.t(
        "roster.card",
        id=person.id,
        name=person.name or "—",
        unit=person.unit or "—",
        role=_role(caller, person.role),
        account=account,
        language={"zh": "中文", "en": "English"}.get(person.language or "", "—"),
    )
    rows = [
        [
            InlineKeyboardButton(
                _role(caller, role), callback_data=f"mb:r:{person.id}:{role.value}"
            )
            for role in (Role.MEMBER, Role.COUNCIL, Role.SECRETARIAT)
            if role is not person.role
        ]
    ]
    extra = []
    if person.role is not Role.GUEST:
        extra.append(
            InlineKeyboardButton(caller.t("roster.remove"), callback_data=f"mb:x:{person.id}")
        )
    if person.telegram_id is None and person.role is not Role.GUEST:
        extra.append(
            InlineKeyboardButton(caller.t("roster.new_link"), callback_data=f"mb:i:{person.id}")
        )
    rows.append([*extra, InlineKeyboardButton(caller.t("roster.back"), callback_data="mb:l:0")])
    return text, InlineKeyboardMarkup(rows)


async def roster_page(
    caller: Caller, context: AppContext, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of the roster as buttons, one per person."""
    entries = await context.bot_data.roster_service.view.page(offset, PAGE + 1)
    rows = [
        [InlineKeyboardButton(f"{e.name} · {_role(caller, e.role)}", callback_data=f"mb:p:{e.id}")]
        for e in entries[:PAGE]
    ]
    nav = []
    if offset > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"mb:l:{max(0, offset - PAGE)}"))
    if len(entries) > PAGE:
        nav.append(InlineKeyboardButton("▶", callback_data=f"mb:l:{offset + PAGE}"))
    if nav:
        rows.append(nav)
    text = caller.t(
        "roster.list_title",
        first=offset + 1 if entries else 0,
        last=offset + min(len(entries), PAGE),
    )
    return text, InlineKeyboardMarkup(rows)


async def audit_page(
    caller: Caller, context: AppContext, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the audit log, newest first."""
    data = context.bot_data
    entries = await data.roster_service.view.audit_page(offset, AUDIT_PAGE + 1)
    catalog = load_catalog(caller.language)
    lines = [caller.t("roster.audit_title")]
    for entry in entries[:AUDIT_PAGE]:
        key = f"roster.audit_{entry.action}"
        action = caller.t(key) if key in catalog else entry.action
        lines.append(
            caller.t(
                "roster.audit_line",
                at=format_datetime(entry.at, data.settings.timezone, caller.language),
                actor=entry.actor or "—",
                action=action,
                subject=entry.subject or "—",
                detail=entry.detail,
            )
        )
    if not entries:
        lines.append(caller.t("roster.audit_empty"))
    nav = []
    if offset > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"mb:a:{max(0, offset - AUDIT_PAGE)}"))
    if len(entries) > AUDIT_PAGE:
        nav.append(InlineKeyboardButton("▶", callback_data=f"mb:a:{offset + AUDIT_PAGE}"))
    return "\n".join(lines)[:4000], InlineKeyboardMarkup([nav]) if nav else None


async def members_button(update: Update, context: AppContext) -> None:
    """Every /members button: the role is read from the database now, the data checked strictly."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    data = query.data or ""
    if paged := _PAGED.match(data):
        offset = int(paged.group(2))
        markup: InlineKeyboardMarkup | None
        if paged.group(1) == "l":
            text, markup = await roster_page(caller, context, offset)
        else:
            text, markup = await audit_page(caller, context, offset)
        await query.answer()
        await edit_tapped(update, text, reply_markup=markup)
        return
    if single := _PERSON.match(data):
        await person_action(update, context, caller, single.group(1), int(single.group(2)))
        return
    if export := _EXPORT.match(data):
        await query.answer()
        await send_export(update, context, caller, "csv" if export.group(1) == "csv" else "xlsx")
        return
    if role_change := _ROLE.match(data):
        person_id, role = int(role_change.group(2)), Role(role_change.group(3))
        if await change_role(update, context, caller, person_id, role, role_change.group(1) == "R"):
            text, markup = await person_card(caller, context, person_id)
            await edit_tapped(update, text, reply_markup=markup)
        return
    await query.answer(caller.t("core.button_invalid"), show_alert=True)


async def send_export(
    update: Update, context: AppContext, caller: Caller, kind: ExportFormat
) -> None:
    """Send the whole roster as a CSV or Excel file."""
    data = context.bot_data
    today = data.clock.now().astimezone(data.settings.timezone).date()
    exported = await data.roster_service.view.export(kind, today)
    await reply_document(
        update,
        InputFile(exported.content, filename=exported.filename),
        caption=caller.t("roster.export_caption", count=exported.entries),
    )


async def person_action(
    update: Update, context: AppContext, caller: Caller, action: str, person_id: int
) -> None:
    """Show a card, ask to confirm a removal, remove, or make a new invite link."""
    query = update.callback_query
    assert query is not None
    if action == "p":
        await query.answer()
        text, markup = await person_card(caller, context, person_id)
        await edit_tapped(update, text, reply_markup=markup)
    elif action == "x":
        person = await context.bot_data.roster_service.person(person_id)
        if person is None or person.role is Role.GUEST:
            await query.answer(caller.t("core.button_invalid"), show_alert=True)
            return
        await query.answer()
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        caller.t("roster.remove_confirm"), callback_data=f"mb:X:{person_id}"
                    ),
                    InlineKeyboardButton(
                        caller.t("roster.back"), callback_data=f"mb:p:{person_id}"
                    ),
                ]
            ]
        )
        await edit_tapped(
            update, caller.t("roster.remove_ask", name=person.name), reply_markup=markup
        )
    elif action == "X":
        if await change_role(update, context, caller, person_id, Role.GUEST, True):
            text, markup = await person_card(caller, context, person_id)
            await edit_tapped(update, text, reply_markup=markup)
    else:
        from handlers.invite import renew_link

        await query.answer()
        await renew_link(update, context, caller, person_id)


def register(app: BotApplication) -> None:
    """Wire /members and its buttons in."""
    app.add_handler(CommandHandler("members", members_command))
    app.add_handler(CallbackQueryHandler(members_button, pattern=r"^mb:"))
