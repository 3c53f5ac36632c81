"""An in-process Bot API behind PTB's `BaseRequest` seam: the console's and the tests' Telegram."""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

__all__ = ["ApiCall", "ApiError", "LocalBotApi", "UpdateFactory"]

BOT_USER: dict[str, Any] = {
    "id": 900000001,
    "is_bot": True,
    "first_name": "Youxie bot",
    "username": "youxie_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}

_SENDS_MESSAGE = {
    "sendMessage",
    "sendDocument",
    "sendPhoto",
    "sendAnimation",
    "sendVideo",
    "sendAudio",
    "copyMessage",
}
_EDITS_MESSAGE = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call the bot made: method, parameters and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def chat_id(self) -> int | None:
        """The chat the call addresses, if any."""
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        """The message text or caption the call carries."""
        return str(self.params.get("text") or self.params.get("caption") or "")

    def button_texts(self) -> list[str]:
        """The labels of its inline keyboard, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]

    def callback_data(self) -> list[str]:
        """The callback data of its inline keyboard buttons."""
        markup = self.params.get("reply_markup") or {}
        return [
            button["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]


class ApiError(Exception):
    """An answer a `LocalBotApi` responder gives instead of success (e.g. 403, 429)."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


Responder = Callable[[ApiCall], Any]


class LocalBotApi(BaseRequest):
    """Answers Bot API calls in process, records each one, and lets a subclass show them."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self.responders: dict[str, Responder] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}

    def add_file(self, file_id: str, content: bytes) -> None:
        """Make a file downloadable as if a user had uploaded it (`getFile` and download)."""
        self.files[file_id] = content

    @property
    def read_timeout(self) -> float | None:
        """Answers come at once."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer one call like the Bot API would."""
        if "/file/bot" in url:
            file_id = url.rsplit("/", 1)[-1]
            return (200, self.files[file_id]) if file_id in self.files else (404, b"")
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data and request_data.contains_files:
            for name, value in request_data.multipart_data.items():
                content = value[1]
                files[name] = (
                    str(value[0]),
                    content if isinstance(content, bytes) else content.read(),
                )
        status, body, call, result = self.answer(url.rsplit("/", 1)[-1], params, files)
        if status == 200:
            await self.show(call, result)
        return status, body

    def answer(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> tuple[int, bytes, ApiCall, Any]:
        """Record one call and return (HTTP status, JSON body, the call, its result)."""
        call = ApiCall(method, _decode(params), files or {})
        self.calls.append(call)
        try:
            responder = self.responders.get(method)
            result = responder(call) if responder else None
            if result is None:
                result = self.result_for(call)
        except ApiError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return error.code, json.dumps(body).encode(), call, None
        return 200, json.dumps({"ok": True, "result": result}).encode(), call, result

    def result_for(self, call: ApiCall) -> Any:
        """The success result of a call, shaped as the Bot API shapes it."""
        if call.method == "getMe":
            return BOT_USER
        if call.method == "getUpdates":
            return []
        if call.method == "getFile":
            file_id = str(call.params["file_id"])
            if file_id not in self.files:
                raise ApiError(400, "Bad Request: invalid file_id")
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": file_id,
            }
        if call.method in _SENDS_MESSAGE and call.chat_id is not None:
            return self._new_message(call)
        if call.method in _EDITS_MESSAGE and call.chat_id is not None:
            key = (call.chat_id, int(call.params["message_id"]))
            message = dict(self.messages.get(key) or self._message_stub(*key))
            if "text" in call.params:
                message["text"] = call.params["text"]
            if "caption" in call.params:
                message["caption"] = call.params["caption"]
            message["reply_markup"] = call.params.get("reply_markup")
            message = {k: v for k, v in message.items() if v is not None}
            self.messages[key] = message
            return message
        return True

    async def show(self, call: ApiCall, result: Any) -> None:
        """Hook for a subclass that shows calls to a person (the console)."""

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[ApiCall]:
        """The recorded calls that sent or edited messages, optionally for one chat or method."""
        wanted = {method} if method else _SENDS_MESSAGE | _EDITS_MESSAGE
        return [
            call
            for call in self.calls
            if call.method in wanted and (chat_id is None or call.chat_id == chat_id)
        ]

    def last_message_to(self, chat_id: int) -> dict[str, Any]:
        """The latest message (as stored after edits) in a chat."""
        keys = [key for key in self.messages if key[0] == chat_id]
        if not keys:
            raise LookupError(f"no message to chat {chat_id}")
        return self.messages[max(keys, key=lambda key: key[1])]

    def _new_message(self, call: ApiCall) -> dict[str, Any]:
        chat_id = int(call.chat_id or 0)
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        message = self._message_stub(chat_id, next(counter))
        for name in ("text", "caption", "reply_markup"):
            if call.params.get(name) is not None:
                message[name] = call.params[name]
        if "document" in call.params:
            upload = next(iter(call.files.values()), ("file", b""))
            message["document"] = {
                "file_id": f"doc-{chat_id}-{message['message_id']}",
                "file_unique_id": f"u-{chat_id}-{message['message_id']}",
                "file_name": upload[0],
            }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    @staticmethod
    def _message_stub(chat_id: int, message_id: int) -> dict[str, Any]:
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
        }


_JSON_PARAMETERS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "results",
    "allowed_updates",
    "link_preview_options",
    "media",
    "reply_parameters",
}


def _decode(params: dict[str, Any]) -> dict[str, Any]:
    """Parse parameters sent JSON-encoded (reply_markup, entities, ...) back into objects."""
    decoded = {}
    for name, value in params.items():
        if name in _JSON_PARAMETERS and isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        decoded[name] = value
    return decoded


def _chat_member(status: str) -> dict[str, Any]:
    """The bot as a chat member with `status` (a `kicked` one carries `until_date`)."""
    member: dict[str, Any] = {"status": status, "user": BOT_USER}
    if status == "kicked":
        member["until_date"] = 0
    return member


class UpdateFactory:
    """Builds Update payloads as Telegram would send them."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1_000_000)
        self._callback_ids = itertools.count(1)

    @staticmethod
    def user(user_id: int, first_name: str = "User", language_code: str = "en") -> dict[str, Any]:
        """A Telegram user object."""
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }

    def message(self, user: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
        """An update carrying a private text message from `user`."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(extra)
        return {"update_id": next(self._update_ids), "message": message}

    def document(
        self, user: dict[str, Any], file_id: str, file_name: str, caption: str = ""
    ) -> dict[str, Any]:
        """An update carrying a document sent by `user`."""
        update = self.message(
            user,
            "",
            document={"file_id": file_id, "file_unique_id": file_id, "file_name": file_name},
        )
        del update["message"]["text"]
        if caption:
            update["message"]["caption"] = caption
        return update

    def callback(
        self, user: dict[str, Any], data: str, message: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """An update carrying a tap on an inline button with `data` under `message`."""
        query: dict[str, Any] = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "chat_instance": str(user["id"]),
            "data": data,
        }
        if message is not None:
            query["message"] = message
        return {"update_id": next(self._update_ids), "callback_query": query}

    def my_chat_member(self, user: dict[str, Any], status: str) -> dict[str, Any]:
        """An update telling that `user` blocked (status `kicked`) or restarted the bot."""
        old = "member" if status == "kicked" else "kicked"
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        return {
            "update_id": next(self._update_ids),
            "my_chat_member": {
                "chat": chat,
                "from": user,
                "date": int(time.time()),
                "old_chat_member": _chat_member(old),
                "new_chat_member": _chat_member(status),
            },
        }

    def inline_query(self, user: dict[str, Any], query: str) -> dict[str, Any]:
        """An update carrying an inline query `@bot query`."""
        return {
            "update_id": next(self._update_ids),
            "inline_query": {
                "id": str(next(self._callback_ids)),
                "from": user,
                "query": query,
                "offset": "",
            },
        }
