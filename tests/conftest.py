"""Fixtures: settings on a temporary database, and the real Application behind a fake Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_application, on_shutdown, on_startup
from bot.clock import FixedClock
from bot.config import Settings
from bot.context import AppContext
from bot.knowledge import embedding
from tests.fake_embedder import FakeEmbedder
from tests.harness import ADMIN_ID, BotHarness, RecordingBotApi

START = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_embedding_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The knowledge base answers from words alone unless a test asks for a model."""
    monkeypatch.setattr(embedding, "default_embedder", lambda: None)


@pytest.fixture
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> FakeEmbedder:
    """The small fake model as the knowledge base's embedder."""
    fake = FakeEmbedder()
    monkeypatch.setattr(embedding, "default_embedder", lambda: fake)
    return fake


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh database file with one secretariat admin."""
    return Settings(db_path=tmp_path / "association.sqlite3", admin_ids=frozenset({ADMIN_ID}))


@pytest.fixture
async def bot(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[BotHarness]:
    """The real Application, started and shut down as in production; handler errors fail.

    `@pytest.mark.settings(name=value, ...)` on a test changes those settings for it.
    """
    marker = request.node.get_closest_marker("settings")
    if marker is not None:
        settings = replace(settings, **marker.kwargs)
    api = RecordingBotApi()
    clock = FixedClock(START)
    app = build_application(settings, request=api, clock=clock)
    harness = BotHarness(app=app, api=api, clock=clock)

    async def collect(update: object, context: AppContext) -> None:
        if context.error is not None:
            harness.errors.append(context.error)

    app.add_error_handler(collect)
    async with app:
        await on_startup(app)
        try:
            yield harness
        finally:
            await on_shutdown(app)
    if harness.errors and not harness.errors_expected:
        raise AssertionError(f"handler errors: {harness.errors!r}") from harness.errors[0]
