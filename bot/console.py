"""Console mode: the same Application, with the person at the keyboard as the other party."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from pathlib import Path
from typing import Any, TextIO

from telegram import Update

from bot.app import BotApplication, build_application, on_shutdown, on_startup
from bot.config import Settings
from bot.transport import ApiCall, LocalBotApi, UpdateFactory
from storage.people import Role

__all__ = ["CONSOLE_USER_ID", "ConsoleBotApi", "run_console"]

logger = logging.getLogger(__name__)

CONSOLE_USER_ID = 1
BOUND_ID_BASE = 10**12
_TAG = re.compile(r"<[^>]+>")


def html_to_text(text: str) -> str:
    """Show Telegram HTML as plain terminal text."""
    return html.unescape(_TAG.sub("", text))


class ConsoleBotApi(LocalBotApi):
    """A Bot API that prints what the bot sends and numbers the buttons to tap."""

    def __init__(self, output: TextIO, files_dir: Path) -> None:
        super().__init__()
        self.output = output
        self.files_dir = files_dir
        self.buttons: list[tuple[dict[str, Any], dict[str, Any]]] = []

    async def show(self, call: ApiCall, result: Any) -> None:
        """Print a sent or edited message, an alert, or a saved file."""
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self._print(f"[!] {call.params['text']}")
        if not isinstance(result, dict) or "message_id" not in result:
            return
        prefix = "(edited) " if call.method.startswith("edit") else ""
        if call.text:
            self._print(prefix + html_to_text(call.text))
        for name, (file_name, content) in call.files.items():
            self.files_dir.mkdir(parents=True, exist_ok=True)
            target = self.files_dir / Path(file_name or name).name
            target.write_bytes(content)
            self._print(f"[file] {target}")
        self._show_keyboard(result)

    def _show_keyboard(self, message: dict[str, Any]) -> None:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if not rows:
            return
        self.buttons = []
        for row in rows:
            labels = []
            for button in row:
                self.buttons.append((button, message))
                labels.append(f"[{len(self.buttons)}] {button['text']}")
            self._print("  " + "   ".join(labels))

    def _print(self, text: str) -> None:
        print(text, file=self.output, flush=True)


async def _console_user(app: BotApplication, person_id: int | None) -> dict[str, Any]:
    """The Telegram user the keyboard speaks as: secretariat, or the roster entry named."""
    data = app.bot_data
    now = data.clock.now()
    if person_id is None:
        await data.people.ensure_role(CONSOLE_USER_ID, Role.SECRETARIAT, "Console", now)
        return UpdateFactory.user(CONSOLE_USER_ID, "Console", "zh")
    person = await data.people.get(person_id)
    if person is None:
        raise LookupError(f"no roster entry with id {person_id}")
    telegram_id = person.telegram_id
    if telegram_id is None:
        telegram_id = BOUND_ID_BASE + person.id
        await data.people.bind_telegram_id(person.id, telegram_id, now)
    return UpdateFactory.user(telegram_id, person.name or "Member", person.spoken_language)


async def run_console(
    settings: Settings, stdin: TextIO, stdout: TextIO, *, person_id: int | None = None
) -> int:
    """Chat on the terminal until `/quit` or end of input; return the exit status."""
    api = ConsoleBotApi(stdout, settings.db_path.parent / "console-files")
    app = build_application(settings, request=api)
    factory = UpdateFactory()
    async with app:
        try:
            await on_startup(app)
        except BaseException:
            await on_shutdown(app)  # a feature that could not start: close what others opened
            raise
        await app.start()
        try:
            try:
                user = await _console_user(app, person_id)
            except LookupError as error:
                print(str(error), file=stdout)
                return 2
            print(
                "Console chat. Type a command (/help), a number to tap a button, "
                "':file PATH' to send a file, /quit to leave.",
                file=stdout,
                flush=True,
            )
            while True:
                line = await asyncio.to_thread(stdin.readline)
                if not line or line.strip() == "/quit":
                    break
                payload = _payload(line.strip(), user, api, factory, stdout)
                if payload is not None:
                    await app.process_update(Update.de_json(payload, app.bot))
        finally:
            await app.stop()
            await on_shutdown(app)
    return 0


def _payload(
    line: str, user: dict[str, Any], api: ConsoleBotApi, factory: UpdateFactory, out: TextIO
) -> dict[str, Any] | None:
    """Turn one typed line into an update (a message, a button tap or a file)."""
    if not line:
        return None
    if line.isdigit() and api.buttons:
        index = int(line) - 1
        if not 0 <= index < len(api.buttons):
            print(f"No button {line}.", file=out, flush=True)
            return None
        button, message = api.buttons[index]
        if "callback_data" in button:
            return factory.callback(user, button["callback_data"], message)
        if "url" in button:
            print(f"[link] {button['url']}", file=out, flush=True)
        return None
    if line.startswith(":file "):
        path = Path(line[6:].strip()).expanduser()
        if not path.is_file():
            print(f"No file {path}.", file=out, flush=True)
            return None
        file_id = f"console-{len(api.files) + 1}"
        api.add_file(file_id, path.read_bytes())
        return factory.document(user, file_id, path.name)
    return factory.message(user, line)
