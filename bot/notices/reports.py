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
    notice: Notice, counts: dict[str, int], cancelled: bool, language: Language
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The report by outcome, with a button listing the people to phone when there are any."""
    unreachable = sum(counts.get(state, 0) for state in NOT_REACHED)
    text = t(
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
    if not unreachable:
        return text, None
    button = InlineKeyboardButton(
        t(language, "notices.unreachable_button", n=unreachable),
        callback_data=f"{UNREACHABLE_CALLBACK}:{notice.id}",
    )
    return text, InlineKeyboardMarkup([[button]])
