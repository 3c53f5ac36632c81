"""What a message is before it is a question: a greeting, thanks, small talk; or a question
asking who holds an office now, which the Articles (rules, not names) cannot answer."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

__all__ = [
    "SmallTalk",
    "asks_who_holds_office_now",
    "asks_who_someone_is",
    "small_talk",
    "without_time_words",
]


class SmallTalk(Enum):
    """Kinds of message that deserve a friendly word rather than a search."""

    GREETING = "greeting"
    THANKS = "thanks"
    FAREWELL = "farewell"
    ACKNOWLEDGEMENT = "acknowledgement"


_PHRASES: dict[SmallTalk, tuple[str, ...]] = {
    SmallTalk.GREETING: (
        "hi",
        "hello",
        "hey",
        "hiya",
        "yo",
        "good morning",
        "good afternoon",
        "good evening",
        "morning",
        "greetings",
        "hi there",
        "hello there",
        "hey there",
        "how are you",
        "你好",
        "您好",
        "嗨",
        "哈喽",
        "哈啰",
        "早",
        "早上好",
        "上午好",
        "下午好",
        "晚上好",
        "大家好",
        "在吗",
        "在不在",
        "你好吗",
    ),
    SmallTalk.THANKS: (
        "thanks",
        "thank you",
        "thank you very much",
        "thanks a lot",
        "many thanks",
        "thx",
        "ty",
        "cheers",
        "much appreciated",
        "谢谢",
        "多谢",
        "谢了",
        "感谢",
        "非常感谢",
        "谢谢你",
        "谢谢您",
        "辛苦了",
    ),
    SmallTalk.FAREWELL: (
        "bye",
        "goodbye",
        "good bye",
        "see you",
        "good night",
        "再见",
        "拜拜",
        "晚安",
        "回头见",
    ),
    SmallTalk.ACKNOWLEDGEMENT: (
        "ok",
        "okay",
        "k",
        "great",
        "cool",
        "nice",
        "good",
        "got it",
        "i see",
        "alright",
        "好",
        "好的",
        "嗯",
        "嗯嗯",
        "哦",
        "知道了",
        "明白",
        "明白了",
        "收到",
        "行",
        "可以",
    ),
}
_LOOKUP = {phrase: kind for kind, phrases in _PHRASES.items() for phrase in phrases}
_FILLER = ("so much", "again", "everyone", "all", "bot", "啊", "呀", "哈", "哦", "了", "呢", "哈哈")
_ANY_WORD = re.compile(r"[\w\u4e00-\u9fff]")


def _normalise(text: str) -> str:
    """Lower case, punctuation, emoji and repeated spaces away."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    kept = "".join(ch if ch.isalnum() or ch in " '" else " " for ch in text)
    return " ".join(kept.split())


def small_talk(text: str) -> SmallTalk | None:
    """The kind of small talk a whole message is, or None when it may be a question.

    A message of only emoji or punctuation ("🎉", "👍", "?") counts as a greeting: it asks
    nothing the documents could answer.
    """
    if not _ANY_WORD.search(text):
        return SmallTalk.GREETING if text.strip() else None
    words = _normalise(text)
    if len(words) > 40:
        return None
    found: SmallTalk | None = None
    remaining = words
    for _ in range(4):  # "hi, thanks!" / "你好 谢谢" : a few phrases in a row
        match = _leading_phrase(remaining)
        if match is None:
            break
        phrase, kind = match
        found = found or kind
        remaining = remaining[len(phrase) :].strip()
        while remaining:
            filler = next((f for f in _FILLER if remaining.startswith(f)), None)
            if filler is None:
                break
            remaining = remaining[len(filler) :].strip()
        if not remaining:
            return found
    return None


def _leading_phrase(text: str) -> tuple[str, SmallTalk] | None:
    """The longest small-talk phrase the text starts with (a whole word in English)."""
    for phrase in sorted(_LOOKUP, key=len, reverse=True):
        if not text.startswith(phrase):
            continue
        rest = text[len(phrase) :]
        if phrase.isascii() and rest[:1].isalnum():
            continue
        return phrase, _LOOKUP[phrase]
    return None


_WHO_EN = re.compile(r"\bwho(?:'s| is| are| was| were)\b", re.IGNORECASE)
_NOW_EN = re.compile(
    r"\b(?:current|currently|now|at present|presently|these days|today|this year)\b",
    re.IGNORECASE,
)
_WHO_ZH = re.compile(r"是谁|谁是|谁在当|谁当|谁担任|哪位")
_NOW_ZH = re.compile(r"现任|目前|现在|如今|当前|眼下|本届")


def asks_who_holds_office_now(question: str) -> bool:
    """'Who is the current president?' / '现任秘书长是谁？': a name, not a rule.

    Articles of Association say how officers are chosen, never who they are; such a
    question is answered from the mission page, or not at all.
    """
    if _WHO_EN.search(question) and _NOW_EN.search(question):
        return True
    return bool(_WHO_ZH.search(question) and _NOW_ZH.search(question))


_WHO_IS_EN = re.compile(
    r"^\s*who(?:'s| is| are)\s+(?:the|our|your)\s+[a-z][a-z -]{0,40}?"
    r"(?:\s+of\s+(?:the|this|your|our)\s+association)?\s*[?？]?\s*$",
    re.IGNORECASE,
)
_WHO_IS_ZH = re.compile(r"^\s*(?:[^，,。？?]{1,10}是谁|谁是[^，,。？?]{1,10})\s*[?？]?\s*$")


def asks_who_someone_is(question: str) -> bool:
    """'Who is the president?' / '会长是谁？': a bare question for a person's name.

    A page about the association names its officers; the Articles only say how they are
    chosen. Such a question is answered from the page when it can be, else as any other.
    """
    text = question.replace("’", "'")
    return bool(_WHO_IS_EN.match(text) or _WHO_IS_ZH.match(text))


def without_time_words(question: str) -> str:
    """The question without "now", "current", "现任"...: a page that names office holders
    says who they are, not that they are so now."""
    return _NOW_ZH.sub(" ", _NOW_EN.sub(" ", question)).replace("right ", " ")
