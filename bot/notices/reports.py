"""What the author of a notice reads about its delivery: progress and the final report."""

from __future__ import annotations

import math

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery_engine import DeliveryRun
from bot.i18n import t
from storage.notice_outbox import NOT_REACHED
from storage.notices import Notice
from storage.people import Language

__all__ = ["UNREACHABLE_CALLBACK", "final_report", "progress_text"]

UNREACHABLE_CALLBACK = "ntc:unr"


def progress_text(notice: Notice, run: DeliveryRun, language: Language) -> str:
    """How far the delivery is: done of total, rate, and the time left at that rate."""
    rate = run.rate()
    remaining = run.counts["pending"] + run.counts["sending"]
    left = math.ceil(remaining / rate) if rate > 0 else None
    return t(
        language,
        "notices.progress",
        id=notice.id,
        done=run.finished,
        total=run.total,
        rate=f"{rate:.1f}",
        left=t(language, "notices.seconds", n=left) if left is not None else "…",
    )


def final_report(
    notice: Notice,
    counts: dict[str, int],
    cancelled: bool,
    language: Language,
    receipts: tuple[int, int] | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The report by outcome, with a button listing the people to phone when there are any.

    A correction or recall reports copies edited or deleted and those Telegram refused; a
    notice asking for receipts adds how many confirmed so far.
    """
    unreachable = sum(counts.get(state, 0) for state in NOT_REACHED)
    if notice.kind in ("edit", "recall"):
        text = t(
            language,
            f"notices.report_{notice.kind}" + ("_stopped" if cancelled else ""),
            id=notice.id,
            parent=notice.parent_id or 0,
            done=counts.get("sent", 0),
            refused=counts.get("failed", 0) + counts.get("unconfirmed", 0),
            blocked=counts.get("blocked", 0) + counts.get("never_started", 0),
            cancelled=counts.get("cancelled", 0),
            total=sum(counts.values()),
        )
        return text, _phone_button(notice, unreachable, language, "notices.refused_button")
    if notice.kind == "reminder":
        text = t(language, "notices.report_reminder_title", parent=notice.parent_id or 0)
        text += "\n"
    else:
        text = ""
    text += t(
        language,
        "notices.report_cancelled" if cancelled else "notices.report",
        id=notice.id,
        delivered=counts.get("sent", 0),  # an uncertain send is not counted as delivered
        unconfirmed=counts.get("unconfirmed", 0),
        blocked=counts.get("blocked", 0),
        never_started=counts.get("never_started", 0),
        failed=counts.get("failed", 0),
        cancelled=counts.get("cancelled", 0),
        total=sum(counts.values()),
    )
    if not cancelled and counts.get("cancelled", 0):
        # people who erased their data while it went out: counted, so the lines add up
        text += "\n" + t(language, "notices.report_erased", n=counts["cancelled"])
    if receipts is not None:
        confirmed, of = receipts
        text += "\n" + t(language, "notices.report_receipts", confirmed=confirmed, of=of)
    return text, _phone_button(notice, unreachable, language, "notices.unreachable_button")


def _phone_button(
    notice: Notice, unreachable: int, language: Language, key: str
) -> InlineKeyboardMarkup | None:
    if not unreachable:
        return None
    button = InlineKeyboardButton(
        t(language, key, n=unreachable), callback_data=f"{UNREACHABLE_CALLBACK}:{notice.id}"
    )
    return InlineKeyboardMarkup([[button]])
