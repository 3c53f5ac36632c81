"""Files are downloaded from the Bot API server `TELEGRAM_API_BASE_URL` names."""

from __future__ import annotations

from pathlib import Path

from telegram import Update

from bot.app import build_application, on_shutdown, on_startup
from bot.config import Settings
from bot.transport import UpdateFactory
from tests.harness import ADMIN_ID
from tests.http_bot_api import TOKEN, serve_bot_api


def test_the_file_url_follows_the_api_base_url() -> None:
    assert Settings().api_file_url == "https://api.telegram.org/file/bot"
    own = Settings(api_base_url="http://127.0.0.1:8081/bot")
    assert own.api_file_url == "http://127.0.0.1:8081/file/bot"
    assert Settings(api_base_url="http://10.0.0.2/tg/bot/").api_file_url == (
        "http://10.0.0.2/tg/file/bot"
    )


async def test_an_uploaded_roster_is_fetched_from_a_self_hosted_server(tmp_path: Path) -> None:
    with serve_bot_api() as http:
        http.files["roster-1"] = b"name,unit,role,telegram_id,language\nAnn,Unit A,member,,en\n"
        settings = Settings(
            token=TOKEN,
            api_base_url=f"http://127.0.0.1:{http.port}/bot",
            db_path=tmp_path / "association.sqlite3",
            admin_ids=frozenset({ADMIN_ID}),
        )
        app = build_application(settings)
        errors: list[object] = []

        async def collect(update: object, context: object) -> None:
            errors.append(getattr(context, "error", None))

        app.add_error_handler(collect)
        async with app:
            await on_startup(app)
            try:
                admin = UpdateFactory().user(ADMIN_ID, "Sec", "en")
                update = UpdateFactory().document(admin, "roster-1", "roster.csv")
                await app.process_update(Update.de_json(update, app.bot))
            finally:
                await on_shutdown(app)
        replies = [
            c.text for c in http.calls if c.method == "sendMessage" and c.chat_id == ADMIN_ID
        ]
    assert errors == []
    assert http.downloads == ["roster-1"]
    assert any("1 new" in text for text in replies)
