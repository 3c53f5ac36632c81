"""Notices: a send that may have reached Telegram is never sent again; one that cannot have is."""

from __future__ import annotations

import socket

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from bot.delivery_engine import classify
from bot.notices.bulkapi import BulkBotApi, NotSent
from bot.transport import ApiCall, ApiError
from tests.harness import ADMIN_ID, BotHarness
from tests.http_bot_api import TOKEN, serve_bot_api
from tests.test_notices import (
    add_person,
    confirm_data,
    service,
    settings,  # noqa: F401  (fast delivery, as there)
    settle,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_ambiguous_failures_are_sent_once_and_reported_as_uncertain(bot: BotHarness) -> None:
    await add_person(bot, "Gateway", 101, unit="Unit A")
    await add_person(bot, "Reset", 102, unit="Unit B")
    await add_person(bot, "Slow", 103, unit="Unit C")
    await add_person(bot, "Refused once", 104)

    refused = {104: 1}

    def respond(call: ApiCall) -> None:
        if call.chat_id == 101:
            raise ApiError(502, "Bad Gateway")  # Telegram's front may have passed it on
        if call.chat_id == 102:
            raise httpx.ReadError("Connection reset by peer")  # while reading the answer
        if call.chat_id == 103:
            raise httpx.ReadTimeout("timed out")
        if call.chat_id == 104 and refused[104]:
            refused[104] -= 1
            raise httpx.ConnectError("Connection refused")  # nothing left: safe to retry

    bot.api.responders["sendMessage"] = respond
    service(bot).backoff = 0.01
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nOnce only")
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    for chat_id in (101, 102, 103):
        assert len(bot.api.sent(chat_id)) == 1, chat_id
    assert len(bot.api.sent(104)) == 2
    assert await service(bot).outbox.counts(1) == {"sent": 2, "unconfirmed": 3}
    report_call = bot.api.sent(ADMIN_ID)[-1]
    assert "delivered: 2" in report_call.text
    assert "may have arrived, not sent again): 3" in report_call.text
    [button] = report_call.callback_data()
    calls = await bot.tap(admin, button)
    listing = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "Gateway — Unit A (uncertain: Telegram did not answer" in listing
    assert "Reset — Unit B (uncertain" in listing and "Slow — Unit C (uncertain" in listing
    calls = await bot.send(admin, "/notices")
    assert "#1 · sent 2/5" in bot.texts_to(ADMIN_ID, calls)[-1]


async def test_over_http_a_dropped_answer_or_a_5xx_is_not_sent_twice(bot: BotHarness) -> None:
    await add_person(bot, "Fine", 101)
    await add_person(bot, "Dropped", 102)
    await add_person(bot, "Broken", 103)
    with serve_bot_api() as http:

        def respond(call: ApiCall) -> None:
            if call.chat_id == 102:
                raise RuntimeError("connection closed before the answer")
            if call.chat_id == 103:
                raise ApiError(500, "Internal Server Error")

        http.responders["sendMessage"] = respond
        svc = service(bot)
        svc.backoff = 0.01
        svc.bulk = BulkBotApi(f"http://127.0.0.1:{http.port}/bot", TOKEN, pool=4)
        admin = bot.user(ADMIN_ID, "Sec")
        calls = await bot.send(admin, "/notice\nOver HTTP")
        await bot.tap(admin, confirm_data(calls))
        await settle(bot)
        sends = [call.chat_id for call in http.calls if call.method == "sendMessage"]
    assert sorted(sends) == [101, 102, 103, ADMIN_ID]
    assert await svc.outbox.counts(1) == {"sent": 2, "unconfirmed": 2}


async def test_a_refused_connection_is_known_not_to_have_arrived() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    api = BulkBotApi(f"http://127.0.0.1:{port}/bot", TOKEN, timeout=2)
    try:
        with pytest.raises(NotSent) as caught:
            await api.call("sendMessage", {"chat_id": 1, "text": "x"})
    finally:
        await api.close()
    assert classify(caught.value).state == "retry"
    assert classify(TimedOut()).state == "unconfirmed"
    wrapped = NetworkError("httpx.ConnectError: refused")
    wrapped.__cause__ = httpx.ConnectError("refused")
    assert classify(wrapped).state == "retry"
