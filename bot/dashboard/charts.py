"""The meeting board's chart: a pygal bar chart of the answers with the quorum as a line."""

from __future__ import annotations

import re

import pygal
from pygal.style import Style

from bot.dashboard.catalog import text
from bot.meetings.rules import Tally
from storage.people import Language

__all__ = ["answers_chart"]

_COLOURS = {"yes": "#2e7d32", "no": "#c62828", "maybe": "#f9a825", "none": "#9e9e9e"}
_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    major_guide_stroke_color="#1565c0",
    major_guide_stroke_dasharray="8,4",
    colors=("#2e7d32",),
)
# pygal puts its settings in an inline script for its tooltips; the page runs no inline script.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def answers_chart(board_tally: Tally, language: Language) -> str:
    """An inline SVG: one bar per answer; the required number drawn as the quorum line."""
    values = {
        "yes": board_tally.expected,
        "no": len(board_tally.no),
        "maybe": len(board_tally.maybe),
        "none": len(board_tally.none) + len(board_tally.unreachable),
    }
    top = max([*values.values(), board_tally.required or 0, 1])
    step = max(1, -(-top // 5))
    labels = list(range(0, top + step, step))
    config: dict[str, object] = {}
    if board_tally.required is not None:
        labels.append(board_tally.required)
        config = {"y_labels_major": [board_tally.required]}
    chart = pygal.Bar(
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        width=520,
        height=280,
        range=(0, labels[-1] if board_tally.required is None else max(labels)),
        y_labels=sorted(set(labels)),
        show_minor_y_labels=True,
        style=_STYLE,
        title=text(language, "chart_title"),
        **config,
    )
    chart.x_labels = [text(language, f"answer_{answer}") for answer in values]
    chart.add(
        text(language, "chart_title"),
        [{"value": count, "color": _COLOURS[answer]} for answer, count in values.items()],
    )
    return _SCRIPT.sub("", chart.render(is_unicode=True))
