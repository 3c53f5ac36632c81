"""Whether the Articles in the two languages still match: same count and numbering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import t
from bot.knowledge.parser import Language

__all__ = ["OutOfStep", "out_of_step"]


def _numbers(numbers: Sequence[int]) -> str:
    """'1–50' for a run, '1–3, 5' with gaps (runs joined)."""
    runs: list[tuple[int, int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in runs)


@dataclass(frozen=True)
class OutOfStep:
    """The just-imported language and the other one, when their numbering differs."""

    language: Language
    numbers: tuple[int, ...]
    other_numbers: tuple[int, ...]

    @property
    def other(self) -> Language:
        return "en" if self.language == "zh" else "zh"

    def describe(self, reader: Language) -> str:
        """One paragraph in the reader's language."""
        return t(
            reader,
            "knowledge.out_of_step",
            other=t(reader, f"knowledge.language_{self.other}"),
            other_count=len(self.other_numbers),
            other_range=_numbers(self.other_numbers),
            count=len(self.numbers),
            range=_numbers(self.numbers),
        )


def out_of_step(
    language: Language, numbers: Sequence[int], other_numbers: Sequence[int]
) -> OutOfStep | None:
    """Compare the numbering of the two languages' current Articles; None when they match
    (or when the other language has no Articles at all)."""
    if not other_numbers or sorted(numbers) == sorted(other_numbers):
        return None
    return OutOfStep(language, tuple(sorted(numbers)), tuple(sorted(other_numbers)))
