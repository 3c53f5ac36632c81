"""The meeting day's service: check-in links and QR codes, presence, and the room's quorum."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import segno
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.i18n import t
from bot.meetings.attendance import (
    CheckinPayload,
    RoomCount,
    checkin_link,
    checkin_state,
    new_checkin_code,
    room_count,
)
from bot.meetings.rules import Tally
from storage.meeting_attendance import AttendanceRepository, PresenceChange, Proxy
from storage.meeting_rows import Invitee, Meeting
from storage.people import Role

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["CheckinOutcome", "MeetingDay", "ProxyAction", "ProxyTap"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckinOutcome:
    """What became of opening a check-in link.

    `status` is `recorded`, `already`, `unknown` (no such meeting), `wrong_code`,
    `other_meeting` (the code of meeting `other_id`), `cancelled`, `early` or `closed`.
    """

    status: str
    meeting: Meeting | None = None
    change: PresenceChange | None = None
    other_id: int | None = None


ProxyAction = Literal["list", "entrust", "decline"]


@dataclass(frozen=True)
class ProxyTap:
    """What a proxy button did, or why not (`forged`: not for this account or meeting,
    `closed`: the meeting is no longer open or has started).

    For `list`, the choices to show; for `decline`, whether it was the tapper's to decline;
    for `entrust`, the outcome (see `AttendanceRepository.entrust`) and the holder's name.
    """

    refusal: Literal["forged", "closed"] | None = None
    meeting: Meeting | None = None
    me: Invitee | None = None
    choices: tuple[str, InlineKeyboardMarkup | None] | None = None
    declined: bool = False
    entrusted: str = ""
    holder_name: str = ""


class MeetingDay:
    """Check-in, presence and the room's count for one meeting service."""

    def __init__(self, service: MeetingService, repo: AttendanceRepository) -> None:
        self.service = service
        self.repo = repo

    async def checkin_link(self, meeting: Meeting, bot_username: str) -> tuple[str, bytes] | None:
        """The meeting's check-in link (its code made on first use) and the link as a QR PNG;
        None unless the meeting is open."""
        if meeting.status != "open":
            return None
        code = meeting.checkin_code or await self.service.repo.set_checkin_code(
            meeting.id, new_checkin_code()
        )
        link = checkin_link(bot_username, meeting.id, code)
        buffer = io.BytesIO()
        segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
        return link, buffer.getvalue()

    async def check_in(self, payload: CheckinPayload, person_id: int) -> CheckinOutcome:
        """Record the person who opened a check-in link present, or say why not."""
        meeting = await self.service.repo.get(payload.meeting_id)
        if meeting is None or meeting.status == "draft":
            return CheckinOutcome("unknown")
        if meeting.checkin_code is None or payload.code != meeting.checkin_code:
            other = await self.service.repo.meeting_of_code(payload.code)
            if other is not None and other != meeting.id:
                return CheckinOutcome("other_meeting", meeting, other_id=other)
            return CheckinOutcome("wrong_code", meeting)
        if meeting.status == "cancelled":
            return CheckinOutcome("cancelled", meeting)
        state = checkin_state(meeting, self.service.now())
        if state != "open":
            return CheckinOutcome(state, meeting)
        change = await self.repo.record_presence(meeting.id, person_id, self.service.now())
        if change.created:
            self.service.summary_changed(meeting.id)
        return CheckinOutcome("recorded" if change.created else "already", meeting, change)

    async def set_present(
        self, meeting: Meeting, person_id: int, present: bool, recorded_by: int
    ) -> bool:
        """The secretariat records someone present (or undoes it); True when it changed."""
        if present:
            changed = (
                await self.repo.record_presence(
                    meeting.id, person_id, self.service.now(), recorded_by
                )
            ).created
        else:
            changed = await self.repo.remove_presence(meeting.id, person_id)
        if changed:
            self.service.summary_changed(meeting.id)
        return changed

    async def room(self, meeting: Meeting, tally: Tally) -> RoomCount | None:
        """The room's count from check-in opening on (or once anyone is recorded present)."""
        presence = await self.repo.presence(meeting.id)
        if not presence and checkin_state(meeting, self.service.now()) == "early":
            return None
        return room_count(meeting, tally, presence, await self.repo.proxies(meeting.id))

    # Proxies ---------------------------------------------------------------------------------

    @staticmethod
    def may_entrust(meeting: Meeting, invitee: Invitee) -> bool:
        """Proxies are allowed and the invitee is a council member (or the secretariat)."""
        return meeting.proxies > 0 and invitee.role.at_least(Role.COUNCIL)

    async def proxy_tapped(
        self, telegram_id: int, meeting_id: int, action: ProxyAction, other: int | None
    ) -> ProxyTap:
        """A proxy button: the giver's list of holders, entrusting one, or the holder declining
        (`other` is the holder, or the giver declined); only while the meeting is open and
        has not started."""
        found = await self.service.repo.invitation_for_account(meeting_id, telegram_id)
        if found is None or not self.may_entrust(*found):
            return ProxyTap(refusal="forged")
        meeting, me = found
        if meeting.status != "open" or self.service.now() >= meeting.starts_at:
            return ProxyTap(refusal="closed", meeting=meeting, me=me)
        if action == "list" or other is None:
            return ProxyTap(meeting=meeting, me=me, choices=await self.proxy_choices(meeting, me))
        if action == "decline":
            return ProxyTap(meeting=meeting, me=me, declined=await self.decline(meeting, me, other))
        outcome = await self.entrust(meeting, me, other)
        holder = await self.service.repo.invitee(meeting.id, other)
        name = holder.name if holder is not None else f"#{other}"
        return ProxyTap(meeting=meeting, me=me, entrusted=outcome, holder_name=name)

    async def proxy_candidates(self, meeting: Meeting, giver: Invitee) -> list[Invitee]:
        """Invited council members who said Yes and can still hold a proxy for `giver`."""
        proxies = await self.repo.proxies(meeting.id)
        held: dict[int, int] = {}
        for proxy in proxies:
            held[proxy.holder_id] = held.get(proxy.holder_id, 0) + 1
        givers = {proxy.person_id for proxy in proxies}
        return [
            i
            for i in await self.service.repo.invitees(meeting.id)
            if i.response == "yes"
            and i.role.at_least(Role.COUNCIL)
            and i.person_id != giver.person_id
            and i.person_id not in givers
            and held.get(i.person_id, 0) < meeting.proxies
        ]

    async def offer_proxy(self, meeting: Meeting, giver: Invitee) -> None:
        """After a No: offer "Entrust someone" (the button opens the list of Yes)."""
        if not self.may_entrust(meeting, giver) or giver.telegram_id is None:
            return
        language = giver.language
        button = InlineKeyboardButton(
            t(language, "meeting_day.proxy_button_entrust"), callback_data=f"proxylist:{meeting.id}"
        )
        text = t(language, "meeting_day.proxy_offer", id=meeting.id, limit=meeting.proxies)
        await self._tell(giver, text, InlineKeyboardMarkup([[button]]))

    async def proxy_choices(
        self, meeting: Meeting, giver: Invitee
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """The list of those who said Yes and can hold the giver's proxy, as buttons."""
        candidates = await self.proxy_candidates(meeting, giver)
        if not candidates:
            return t(giver.language, "meeting_day.proxy_nobody", id=meeting.id), None
        rows = [
            [
                InlineKeyboardButton(
                    (i.name or f"#{i.person_id}")[:40],
                    callback_data=f"proxy:{meeting.id}:{i.person_id}",
                )
            ]
            for i in candidates[:40]
        ]
        text = t(giver.language, "meeting_day.proxy_choose", id=meeting.id, limit=meeting.proxies)
        return text, InlineKeyboardMarkup(rows)

    async def entrust(self, meeting: Meeting, giver: Invitee, holder_id: int) -> str:
        """Entrust a holder (see `AttendanceRepository.entrust`); tell the holder."""
        outcome = await self.repo.entrust(
            meeting.id, giver.person_id, holder_id, meeting.proxies, self.service.now()
        )
        holder = await self.service.repo.invitee(meeting.id, holder_id)
        if outcome == "entrusted" and holder is not None and holder.telegram_id is not None:
            button = InlineKeyboardButton(
                t(holder.language, "meeting_day.proxy_button_decline"),
                callback_data=f"proxyno:{meeting.id}:{giver.person_id}",
            )
            await self._tell(
                holder,
                t(
                    holder.language,
                    "meeting_day.proxy_told_holder",
                    id=meeting.id,
                    title=meeting.title,
                    giver=giver.name,
                ),
                InlineKeyboardMarkup([[button]]),
            )
        if outcome == "entrusted":
            self.service.summary_changed(meeting.id)
        return outcome

    async def decline(self, meeting: Meeting, holder: Invitee, giver_id: int) -> bool:
        """The holder declines a proxy; the giver is told. False when it was not theirs."""
        if not await self.repo.withdraw_proxy(meeting.id, giver_id, holder.person_id):
            return False
        giver = await self.service.repo.invitee(meeting.id, giver_id)
        if giver is not None:
            key = "meeting_day.proxy_declined_giver"
            await self._tell(giver, t(giver.language, key, id=meeting.id, holder=holder.name))
        self.service.summary_changed(meeting.id)
        return True

    async def answer_changed(self, meeting: Meeting, person_id: int) -> None:
        """A giver no longer No, or a holder no longer Yes: their proxies lapse (givers told)."""
        if not meeting.proxies:
            return
        dropped: list[Proxy] = await self.repo.drop_proxies_involving(meeting.id, person_id)
        for proxy in dropped:
            if proxy.person_id == person_id:
                continue
            giver = await self.service.repo.invitee(meeting.id, proxy.person_id)
            if giver is not None:
                key = "meeting_day.proxy_lapsed_giver"
                await self._tell(
                    giver, t(giver.language, key, id=meeting.id, holder=proxy.holder_name)
                )

    async def _tell(
        self, invitee: Invitee, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        if invitee.telegram_id is None:
            return
        try:
            await self.service._send(invitee.telegram_id, text, markup)
        except TelegramError:
            logger.warning("could not tell person %s about a proxy", invitee.person_id)
