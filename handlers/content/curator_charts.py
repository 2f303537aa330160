"""The chart on /curator: conversions (bars) and earnings (a line per currency) in each of the last twelve weeks.

Drawn with matplotlib's Agg backend in a worker thread (`asyncio.to_thread`), so a chart never holds up other
chats' replies; matplotlib is imported on the first chart, not at start-up. A Figure made directly (not through
pyplot) keeps no global state between threads.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass

from subscriptions.content.shelves import Week
from subscriptions.money import Money

# Hangul comes from the first of these the machine has (fonts-nanum, fonts-noto-cjk); matplotlib falls back
# glyph by glyph, so Latin text and digits keep DejaVu Sans.
FONT_FAMILIES = ["DejaVu Sans", "NanumGothic", "Noto Sans CJK KR", "Noto Sans KR"]


@dataclass(frozen=True)
class ChartText:
    """The chart's words, already in the reader's language."""

    title: str
    conversions: str
    earnings: str
    week_labels: tuple[str, ...]


def _draw(weeks: Sequence[Week], currencies: Sequence[str], text: ChartText) -> bytes:
    import logging

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # a family the machine lacks is fine
    matplotlib.rcParams["font.family"] = FONT_FAMILIES
    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    axes.bar(positions, [week.conversions for week in weeks], color="#4c72b0", label=text.conversions)
    axes.set_ylabel(text.conversions)
    axes.set_xticks(positions, text.week_labels, rotation=45, ha="right", fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0, top=max(1, *(week.conversions for week in weeks)) * 1.2)
    axes.set_title(text.title)
    if currencies:
        money_axes = axes.twinx()
        for currency in currencies:
            values = [float(Money(week.earned.get(currency, 0), currency).to_decimal()) for week in weeks]
            money_axes.plot(positions, values, marker="o", label=f"{text.earnings} ({currency})")
        money_axes.set_ylabel(text.earnings)
        money_axes.set_ylim(bottom=0)
        money_axes.legend(loc="upper left")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


async def weekly_chart(weeks: Sequence[Week], currencies: Sequence[str], text: ChartText) -> bytes:
    """The chart as PNG bytes, drawn off the event loop."""
    return await asyncio.to_thread(_draw, list(weeks), list(currencies), text)
