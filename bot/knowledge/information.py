"""How much information a word carries in general language, from wordfreq's frequencies."""

from __future__ import annotations

import logging
from functools import cache

import jieba
from wordfreq import zipf_frequency

__all__ = ["information"]

jieba.setLogLevel(logging.WARNING)

# Zipf values run from 0 (unknown) to about 8 ("the"); words at or above the ceiling carry
# almost nothing, and unknown words carry the most.
CEILING = 7.0
FLOOR = 0.25


@cache
def information(text: str, language: str) -> float:
    """Information of a word, or of a phrase's most informative word: ceiling minus Zipf."""
    if language == "zh":
        return max(FLOOR, CEILING - zipf_frequency(text, "zh"))
    words = text.split() or [text]
    return max(max(FLOOR, CEILING - zipf_frequency(word, "en")) for word in words)
