"""The bot's log lines: one line per record, an error named by its type, message and place.

Libraries log failures with their traceback (python-telegram-bot, for instance, when the
last update fetch at shut-down times out). On the terminal of whoever runs the bot a
traceback reads as a crash, so every record is printed as one line: the error's type and
message, and the file, line and function where it was raised.
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

__all__ = ["OneLineFormatter"]

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class OneLineFormatter(logging.Formatter):
    """A formatter that never prints a traceback or a stack (a stack is a traceback too)."""

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        """`ErrorType: message (raised at file:line in function)`."""
        kind, error, trace = ei
        if kind is None or error is None:
            return ""
        text = f"{kind.__name__}: {error}".strip().rstrip(":")
        frames = traceback.extract_tb(trace) if trace is not None else []
        if frames:
            last = frames[-1]
            text += f" (raised at {last.filename}:{last.lineno} in {last.name})"
        return " ".join(text.split())

    def format(self, record: logging.LogRecord) -> str:
        """The record on one line, its error (if any) after ` | `."""
        error = ""
        if record.exc_info:
            error = self.formatException(record.exc_info)
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        line = " ".join(line.splitlines())
        return f"{line} | {error}" if error else line
