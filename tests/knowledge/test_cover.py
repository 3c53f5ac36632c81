"""The "not covered" decision with the model: the bar, and agreement of the two languages."""

from __future__ import annotations

import pytest

from bot.knowledge.catalogue import Catalogue
from bot.knowledge.dense import EntryHit
from bot.knowledge.passages import Passage
from bot.knowledge.search import Tuning, _covered, _Group
from storage.articles import Entry

TUNING = Tuning()
ENTRIES = [
    Entry(1, 1, "articles", "en", 1, 14, 3, "", "Members report changes of contact details.", ""),
    Entry(2, 2, "articles", "zh", 1, 14, 3, "", "会员联系方式变更应当告知秘书处。", ""),
]


def group(english: float, places: dict[str, int]) -> _Group:
    """A text found by meaning only, its English passage `english` away from the bar."""
    found = _Group(places=places)
    for entry, similarity in zip(
        ENTRIES, (TUNING.min_similarity_en + english, TUNING.min_similarity_zh - 0.05), strict=True
    ):
        found.hits[entry.id] = EntryHit(similarity, Passage(entry.id, entry.body, entry.body))
    return found


@pytest.mark.parametrize(
    ("places", "covered"),
    [
        ({"zh": 0, "en": 0}, True),  # the closest text in both languages
        ({"zh": 1, "en": 0}, False),  # the closest in English only
        ({"en": 0}, False),
    ],
)
def test_a_text_closest_in_both_languages_answers_a_little_below_the_bar(
    places: dict[str, int], covered: bool
) -> None:
    catalogue = Catalogue(ENTRIES)
    just_below = group(-TUNING.consensus_similarity / 2, places)
    assert _covered(just_below, catalogue, ("en",), True, TUNING) is covered


def test_agreement_does_not_carry_a_text_far_below_the_bar() -> None:
    far_below = group(-2 * TUNING.consensus_similarity, {"zh": 0, "en": 0})
    assert not _covered(far_below, Catalogue(ENTRIES), ("en",), True, TUNING)
