"""Questions for particulars that Articles of Association do not hold.

A charter sets rules. It does not give the secretariat's phone number or the bank account
for dues, and it does not say what is on next weekend. Such questions still use the
charter's words ("secretariat", "dues", "activities"), so the best text about the
neighbouring rule can look like an answer to every signal the search reads. Two checks
catch them:

- A question asking for a contact detail (a phone or fax number, an e-mail or web address,
  an account number) is answered only by a text that holds one: digits enough for a
  number, an "@", a web address. "I have a new phone number, must I tell anyone?" only
  mentions a number, and it is searched as usual.
- A question about a coming day, week or month ("tomorrow", "next month", "下周末") asks
  about an occasion, so the text must be clearly closer to it than the usual bar.
  Questions about a past occasion ("at last month's reception ...") are usually
  complaints, which the charter does answer, so they are not held to that bar.
"""

from __future__ import annotations

import re

__all__ = ["asks_about_a_coming_date", "asks_for_contact_detail", "holds_contact_detail"]

_CONTACT_EN = (
    r"(?:tele)?phone(?:\s+(?:number|no\.?))?|mobile(?:\s+number)?|fax(?:\s+number)?"
    r"|e-?mail(?:\s+address)?|web\s*site|web\s+address|url"
    r"|(?:bank\s+)?account(?:\s+(?:number|no\.?|details))|bank\s+account|iban|wechat\s+id"
)
# "What's the phone number for ...", "What is the office's fax number?": "what" and a verb
# "to be", a few words, then the detail, which ends the question or is followed by "for",
# "of", "to" ("What's the email policy?" asks for a policy). "Which bank account ...".
_WHAT_EN = re.compile(
    rf"\bwhat(?:'s|s|\s+is|\s+are|\s+was)\b(?:\s+[\w'-]+){{0,4}}?\s+(?:{_CONTACT_EN})"
    r"(?=\s*(?:$|[?？.!,;]|(?:for|of|to|at|in)\b))",
    re.IGNORECASE,
)
_WHICH_EN = re.compile(rf"\bwhich\s+(?:[\w'-]+\s+){{0,2}}?(?:{_CONTACT_EN})\b", re.IGNORECASE)
# A bare request of a few words: "secretariat phone number", "email of the secretariat?"
# (not "Is there a website?", which the Articles may answer).
_BARE_EN = re.compile(
    r"^\s*(?!(?:is|are|do|does|did|can|could|will|would|has|have|should|may|how|why|when|where|who)\b)"
    rf"(?:[\w'-]+\s+){{0,3}}(?:{_CONTACT_EN})(?:\s+(?:of|for)\s+(?:the\s+)?[\w'-]+)?\s*[?？]?\s*$",
    re.IGNORECASE,
)
_CONTACT_ZH = (
    r"电话(?:号码)?|手机号(?:码)?|联系方式|传真(?:号码)?|邮箱(?:地址)?|电子邮件|电邮"
    r"|网址|网站(?:地址)?|银行账号|银行帐号|账号|帐号|卡号|微信号|公众号"
)
# "秘书处电话是多少", "邮箱地址是什么", "公众号叫什么", "账号多少".
_ASKS_ZH = re.compile(
    rf"(?:{_CONTACT_ZH})[^，,。；;？?]{{0,3}}?(?:是多少|多少|是什么|是啥|叫什么|是哪个|给一下|发一下)"
)
_BARE_ZH = re.compile(rf"^\s*[^，,。；;？?\s]{{0,8}}?(?:{_CONTACT_ZH})\s*[?？]?\s*$")

# Seven or more digits in one run ("0871-6531 2200", "6222 0210 0101"); an e-mail or web address.
_NUMBER = re.compile(r"\+?\d[\d\s()./-]{5,}\d")
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.\w|https?://|www\.[\w-]+\.", re.IGNORECASE)

_COMING_EN = re.compile(
    r"\b(?:today|tonight|tomorrow|this\s+(?:week|weekend|month)|next\s+(?:week|weekend|month))\b",
    re.IGNORECASE,
)
_COMING_ZH = re.compile(r"今天|今晚|明天|后天|这周|本周|这个?周末|下周|下星期|下个?月|这个月|本月")


def asks_for_contact_detail(question: str) -> bool:
    """Whether the question asks for a phone number, an address to write to, an account."""
    text = question.replace("’", "'")
    if _WHAT_EN.search(text) or _WHICH_EN.search(text) or _ASKS_ZH.search(text):
        return True
    return bool(_BARE_EN.match(text) or _BARE_ZH.match(text))


def holds_contact_detail(text: str) -> bool:
    """Whether a text gives a number of seven or more digits, an e-mail or a web address."""
    if _ADDRESS.search(text):
        return True
    return any(sum(ch.isdigit() for ch in m.group(0)) >= 7 for m in _NUMBER.finditer(text))


def asks_about_a_coming_date(question: str) -> bool:
    """Whether the question is tied to today or a coming day, week or month."""
    return bool(_COMING_EN.search(question) or _COMING_ZH.search(question))
