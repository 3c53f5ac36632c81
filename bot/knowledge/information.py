"""How much information a word carries in general language, from wordfreq's frequencies.

The words come already segmented (jieba for Chinese), so they are looked up directly in
wordfreq's "small" lists (about 30,000 words per language, a few MB): the large lists and
wordfreq's own Chinese tokenizer would cost the bot about 90 MB more memory, and a word
missing from the small list is rare enough (below Zipf 3) to count as informative anyway.
"""

from __future__ import annotations

from functools import cache

from wordfreq import freq_to_zipf, get_frequency_dict

from bot.knowledge.segmenter import segmenter

__all__ = ["information", "zipf"]

# Zipf values run from 0 (unknown) to about 8 ("the"); words at or above the ceiling carry
# almost nothing, and unknown words carry the most.
CEILING = 7.0
FLOOR = 0.25


def zipf(word: str, language: str) -> float:
    """Zipf frequency of one word in general language (0 when it is not in the small list)."""
    frequency = get_frequency_dict(language, wordlist="small").get(word.lower(), 0.0)
    return freq_to_zipf(frequency) if frequency > 0 else 0.0


@cache
def information(text: str, language: str) -> float:
    """Information of a word, or of a phrase's most informative word: ceiling minus Zipf.

    A Chinese word missing from the list is most often a compound or a segmentation
    artefact ("银行账号", "天发"), not a rare word: it carries what its most informative
    known piece (a sub-word or a character) carries.
    """
    if language == "zh":
        frequency = zipf(text, "zh")
        if frequency == 0 and len(text) > 1:
            pieces = {*segmenter().cut_for_search(text), *text} - {text}
            known = [zipf(piece, "zh") for piece in pieces]
            return max(
                max(FLOOR, CEILING - frequency) if frequency or len(piece) == 1 else FLOOR
                for piece, frequency in zip(pieces, known, strict=True)
            )
        return max(FLOOR, CEILING - frequency)
    words = text.split() or [text]
    return max(max(FLOOR, CEILING - zipf(word, "en")) for word in words)
