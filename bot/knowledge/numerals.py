"""Numbers written in Arabic, Chinese or Roman numerals."""

from __future__ import annotations

import re

__all__ = ["CHINESE_NUMERAL_CHARS", "chinese_to_int", "parse_number", "roman_to_int"]

CHINESE_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN_VALID = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")


def chinese_to_int(text: str) -> int | None:
    """Read a Chinese numeral such as 十二, 二十四, 一百零五 or 一二三; None if it is not one."""
    if not text or any(char not in CHINESE_NUMERAL_CHARS for char in text):
        return None
    if not any(char in _UNITS for char in text):
        return int("".join(str(_DIGITS[char]) for char in text))
    total, digit = 0, None
    for char in text:
        if char in _DIGITS:
            if digit and _DIGITS[char] != 0:
                return None
            digit = _DIGITS[char]
        else:
            unit = _UNITS[char]
            total += (1 if digit is None else digit) * unit
            digit = None
    return total + (digit or 0)


def roman_to_int(text: str) -> int | None:
    """Read a Roman numeral (case-insensitive); None if it is not a valid one."""
    lowered = text.lower()
    if not lowered or not _ROMAN_VALID.match(lowered):
        return None
    total = 0
    for index, char in enumerate(lowered):
        value = _ROMAN[char]
        following = _ROMAN[lowered[index + 1]] if index + 1 < len(lowered) else 0
        total += -value if value < following else value
    return total


def parse_number(text: str) -> int | None:
    """Read a number in Arabic, full-width, Chinese or Roman numerals; None if it is none."""
    text = text.strip()
    if not text or len(text) > 12:
        return None  # no article is numbered that high; int() refuses 4,300 digits and more
    if text.isdigit():
        return int(text)
    return chinese_to_int(text) or roman_to_int(text)
