"""Console mode: the same Application, with the person at the keyboard as the other party.

Every message the bot sends is printed with a number and the chat it went to; every button
shown stays tappable by its number (a tap on a button in someone else's chat is made as that
person, so an invitation can be answered from the console); `:reply N TEXT` answers message N;
a line ending in `\\` continues on the next line, and a block between two `\"\"\"` lines is one
message.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from telegram import Update

from bot.app import BotApplication, build_application, on_shutdown, on_startup
from bot.config import Settings
from bot.transport import ApiCall, LocalBotApi, UpdateFactory

__all__ = ["CONSOLE_GUEST_ID", "CONSOLE_USER_ID", "ConsoleBotApi", "read_inputs", "run_console"]

logger = logging.getLogger(__name__)

CONSOLE_USER_ID = 1  # the operator: the secretariat's rights, not on the roster
CONSOLE_GUEST_ID = 2  # `--guest`: someone the bot has never seen
BOUND_ID_BASE = 10**12
_TAG = re.compile(r"<[^>]+>")
_REPLY = re.compile(r"^:reply\s+m?(\d{1,6})\s+(.+)$", re.S)
BLOCK = '"""'

ChatLabel = Callable[[int], Awaitable[str]]


def html_to_text(text: str) -> str:
    """Show Telegram HTML as plain terminal text."""
    return html.unescape(_TAG.sub("", text))


@dataclass(frozen=True)
class Shown:
    """A message printed on the console: where it went and who reads it there."""

    message: dict[str, Any]
    reader: dict[str, Any]


class ConsoleBotApi(LocalBotApi):
    """A Bot API that prints what the bot sends, labelled by chat, with numbered buttons."""

    def __init__(self, output: TextIO, files_dir: Path) -> None:
        super().__init__()
        self.output = output
        self.files_dir = files_dir
        self.buttons: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.shown: list[Shown] = []
        self.readers: dict[int, dict[str, Any]] = {}
        self.label: ChatLabel | None = None

    async def show(self, call: ApiCall, result: Any) -> None:
        """Print a sent or edited message, an alert, or a saved file."""
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self._print(f"[!] {call.params['text']}")
        if not isinstance(result, dict) or "message_id" not in result:
            return
        chat_id = int(result["chat"]["id"])
        reader = self.readers.get(chat_id) or UpdateFactory.user(chat_id, f"Chat {chat_id}")
        self.shown.append(Shown(result, reader))
        label = await self.label(chat_id) if self.label else str(chat_id)
        edited = " (edited)" if call.method.startswith("edit") else ""
        self._print(f"── m{len(self.shown)} to {label}{edited}")
        if call.text:
            self._print(html_to_text(call.text))
        for name, (file_name, content) in call.files.items():
            self.files_dir.mkdir(parents=True, exist_ok=True)
            target = self.files_dir / Path(file_name or name).name
            target.write_bytes(content)
            self._print(f"[file] {target}")
        self._show_keyboard(result)

    def _show_keyboard(self, message: dict[str, Any]) -> None:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        for row in rows:
            labels = []
            for button in row:
                self.buttons.append((button, message))
                labels.append(f"[{len(self.buttons)}] {button['text']}")
            self._print("  " + "   ".join(labels))

    def _print(self, text: str) -> None:
        print(text, file=self.output, flush=True)


async def _console_user(app: BotApplication, person_id: int | None, guest: bool) -> dict[str, Any]:
    """The Telegram user the keyboard speaks as: the operator, a guest, or a roster entry."""
    data = app.bot_data
    if guest:
        return UpdateFactory.user(CONSOLE_GUEST_ID, "Guest", "zh")
    if person_id is None:
        await data.accounts.console_operator(CONSOLE_USER_ID)
        return UpdateFactory.user(CONSOLE_USER_ID, "Console", "zh")
    person = await data.roster_service.person(person_id)
    if person is None:
        raise LookupError(f"no roster entry with id {person_id}")
    telegram_id = person.telegram_id
    if telegram_id is None:
        telegram_id = BOUND_ID_BASE + person.id
        await data.accounts.bind(person.id, telegram_id)
    return UpdateFactory.user(telegram_id, person.name or "Member", person.spoken_language)


def _labeller(app: BotApplication, you: int) -> ChatLabel:
    async def label(chat_id: int) -> str:
        if chat_id == you:
            return "you"
        person = await app.bot_data.roster_service.person_of_account(chat_id)
        if person is None:
            return f"chat {chat_id}"
        return f"{person.name or '—'} (#{person.id}, {person.role.value})"

    return label


async def read_inputs(stdin: TextIO) -> list[str] | None:
    """The next input: one line, a line continued by a trailing `\\`, or a `\"\"\"` block.

    None at end of input.
    """
    line = await asyncio.to_thread(stdin.readline)
    if not line:
        return None
    text = line.rstrip("\n")
    if text.strip() == BLOCK:
        lines: list[str] = []
        while (more := await asyncio.to_thread(stdin.readline)) and more.strip() != BLOCK:
            lines.append(more.rstrip("\n"))
        return ["\n".join(lines)]
    while text.endswith("\\"):
        more = await asyncio.to_thread(stdin.readline)
        text = text[:-1] + "\n" + more.rstrip("\n")
        if not more:
            break
    return [text]


async def run_console(
    settings: Settings,
    stdin: TextIO,
    stdout: TextIO,
    *,
    person_id: int | None = None,
    guest: bool = False,
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
                user = await _console_user(app, person_id, guest)
            except LookupError as error:
                print(str(error), file=stdout)
                return 2
            api.readers[user["id"]] = user
            api.label = _labeller(app, user["id"])
            print(
                "Console chat. Type a command (/help), a number to tap a button, "
                "':reply N TEXT' to answer message mN, ':file PATH' to send a file, "
                'a line ending in \\ or a """ block for several lines, /quit to leave.',
                file=stdout,
                flush=True,
            )
            while (inputs := await read_inputs(stdin)) is not None:
                text = inputs[0]
                if text.strip() == "/quit":
                    break
                payload = await _payload(app, text.strip(), user, api, factory, stdout)
                if payload is not None:
                    await app.process_update(Update.de_json(payload, app.bot))
                    # What the update queued (the invitation redrawn, the reason asked for)
                    # is shown before the next input is read.
                    await app.bot_data.meetings.flush()
        finally:
            await app.stop()
            await on_shutdown(app)
    return 0


async def _reader_of(app: BotApplication, chat_id: int, api: ConsoleBotApi) -> dict[str, Any]:
    """The person whose chat a message is in, as a Telegram user (taps there are theirs)."""
    if chat_id in api.readers:
        return api.readers[chat_id]
    person = await app.bot_data.roster_service.person_of_account(chat_id)
    name = (person.name if person else "") or f"Chat {chat_id}"
    language = person.spoken_language if person else "zh"
    api.readers[chat_id] = UpdateFactory.user(chat_id, name, language)
    return api.readers[chat_id]


async def _payload(
    app: BotApplication,
    line: str,
    user: dict[str, Any],
    api: ConsoleBotApi,
    factory: UpdateFactory,
    out: TextIO,
) -> dict[str, Any] | None:
    """Turn one input into an update (a message, a reply, a button tap or a file)."""
    if not line:
        return None
    if line.isascii() and line.isdigit():
        index = int(line) - 1
        if not 0 <= index < len(api.buttons):
            print(f"No button {line}.", file=out, flush=True)
            return None
        button, message = api.buttons[index]
        if "callback_data" in button:
            current = api.messages.get((message["chat"]["id"], message["message_id"]), message)
            tapper = await _reader_of(app, int(message["chat"]["id"]), api)
            return factory.callback(tapper, button["callback_data"], current)
        if "url" in button:
            print(f"[link] {button['url']}", file=out, flush=True)
        return None
    if reply := _REPLY.match(line):
        index = int(reply.group(1)) - 1
        if not 0 <= index < len(api.shown):
            print(f"No message m{reply.group(1)}.", file=out, flush=True)
            return None
        shown = api.shown[index]
        sender = await _reader_of(app, int(shown.message["chat"]["id"]), api)
        return factory.message(sender, reply.group(2), reply_to_message=shown.message)
    if line.startswith(":file "):
        path = Path(line[6:].strip()).expanduser()
        if not path.is_file():
            print(f"No file {path}.", file=out, flush=True)
            return None
        file_id = f"console-{len(api.files) + 1}"
        api.add_file(file_id, path.read_bytes())
        return factory.document(user, file_id, path.name)
    return factory.message(user, line)
