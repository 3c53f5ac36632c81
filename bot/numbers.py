"""Numbers typed by users (ids, article numbers, counts): checked before anything looks them up."""

from __future__ import annotations

__all__ = ["MAX_ID", "typed_number"]

# Far more than the bot will ever number anything, and well inside SQLite's 64-bit INTEGER.
MAX_ID = 999_999_999


def typed_number(text: str, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """The whole number in `text` (`12` or `#12`) when it lies in [low, high], else None.

    Only ASCII digits count: `²` or 5,000 digits are not numbers a user means, and Python's
    `int()` would refuse them or SQLite could not store them.
    """
    digits = text.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(high)):
        return None
    value = int(digits)
    return value if low <= value <= high else None
