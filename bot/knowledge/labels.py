"""Button labels: one line, short, never cut inside a word."""

from __future__ import annotations

import re

__all__ = ["LABEL_LIMIT", "button_label"]

LABEL_LIMIT = 40
# Where a Chinese label may end: after punctuation, else anywhere (Chinese has no spaces).
_CHINESE_BREAKS = "，。；：、）)"
_HAN = re.compile(r"[\u3400-\u9fff]")


def button_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """The text on one line, shortened at a word (or Chinese punctuation) with "…"."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if _HAN.search(cut[-1:]) or cut[-1:] in _CHINESE_BREAKS:
        stop = max(cut.rfind(mark) for mark in _CHINESE_BREAKS)
        if stop > limit // 2:
            cut = cut[: stop + 1]
    elif line[limit - 1 : limit] not in (" ", ""):
        space = cut.rfind(" ")
        if space > limit // 3:
            cut = cut[:space]
    return cut.rstrip(" ,;:，；：、") + "…"
