"""Charts for chat replies: bars stacked by source with a line on a second axis, lines over days or hours,
and plain bars, each drawn by matplotlib as a PNG readable on a phone.

The drawing functions take plain data (labels, numbers, words already in the reader's language), never
domain objects. One `Charts` serves the whole bot: the composition root builds it with a font that has
Hangul (the wallet's font lookup) and handlers reach it as `context.services.charts`.

Drawing takes about a tenth of a second of CPU, so a handler never calls a drawing function on the event
loop: `await charts.render(charts.stacked_bars, title, labels, series, unit=..., no_data=...)` draws in a
worker thread while other people's replies go on. matplotlib is imported on the first drawing, not with
this module: start-up and the many tests that never draw do not pay for its import.

Figures are made with matplotlib's object API (`Figure` on an Agg canvas) rather than pyplot: pyplot keeps
every figure in a global registry until it is closed, and threads drawing at once would share it. A figure
here belongs to one call and is dropped when the call returns. matplotlib's settings (`rcParams`) are
global, so drawings take turns under one lock; the lock also guards registering the font once.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)
P = ParamSpec("P")

WIDTH_PX, HEIGHT_PX, DPI = 1200, 800, 100
MAX_TICK_LABELS = 12  # beyond this the x axis shows every n-th label (30 days, 24 hours)
# Distinct on a phone in daylight and for the common kinds of colour blindness (Okabe and Ito's palette).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
LINE_COLOUR = "#D55E00"
FALLBACK_FAMILY = "DejaVu Sans"  # matplotlib's own font: Latin and digits, no Hangul

_LOCK = threading.Lock()
_REGISTERED: dict[str, str | None] = {}  # font file -> the family matplotlib knows it by (None: unusable)


class ChartDataMismatch(ValueError):
    """A series has a different number of values than the chart has labels."""


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of numbers, one per label (amounts in major units, counts)."""

    name: str
    values: Sequence[float]


class Charts:
    """Draws charts as PNG bytes, about 1200x800 px, with big type, a legend and thousands separators.

    `font_files` are fonts with Hangul (the first one's family is used, the others add its weights); without
    them, or when none can be read, charts are drawn in matplotlib's own font and Hangul shows as boxes.
    """

    def __init__(self, font_files: Sequence[str] = ()) -> None:
        self._font_files = tuple(font_files)

    def warm_up(self) -> None:
        """Import matplotlib and register the fonts now rather than at the first chart: a running bot calls this
        before it freezes its start-up objects, so matplotlib's many long-lived objects are not walked again by
        every full garbage collection, which otherwise doubled a chart's slowest drawings."""
        with _LOCK:
            _matplotlib()
            for path in self._font_files:
                _family(path)

    async def render(self, draw: Callable[P, bytes], *args: P.args, **kwargs: P.kwargs) -> bytes:
        """Run one of the drawing methods in a worker thread, so the event loop keeps answering others."""
        return await asyncio.to_thread(draw, *args, **kwargs)

    # --- the kinds of chart ------------------------------------------------------------------------------

    def stacked_bars(self, title: str, labels: Sequence[str], series: Sequence[Series], *, unit: str,
                     no_data: str, line: Series | None = None, line_label: str | None = None) -> bytes:
        """Bars stacked by series (sources of money, say), and `line` (subscribers) on a second axis at the
        right, labelled `line_label`. `unit` labels the left axis ("Amount (KRW)")."""
        _check(labels, [*series, *([line] if line else [])])
        if _empty(series, line):
            return self._blank(title, no_data)
        with self._figure() as (figure, axes):
            positions = list(range(len(labels)))
            above = [0.0] * len(labels)  # negative months (refunds beyond earnings) stack downwards
            below = [0.0] * len(labels)
            for index, one in enumerate(series):
                values = [float(value) for value in one.values]
                bottoms = [above[i] if value >= 0 else below[i] for i, value in enumerate(values)]
                axes.bar(positions, values, bottom=bottoms, width=0.7, label=one.name,
                         color=PALETTE[index % len(PALETTE)], zorder=2)
                for i, value in enumerate(values):
                    if value >= 0:
                        above[i] += value
                    else:
                        below[i] += value
            _decorate(axes, title, labels, unit, series)
            handles, names = axes.get_legend_handles_labels()
            if line is not None:
                right = axes.twinx()
                right.plot(positions, [float(value) for value in line.values], color=LINE_COLOUR, linewidth=3.5,
                           marker="o", markersize=9, label=line.name, zorder=3)
                right.set_ylabel(line_label or line.name)
                right.set_ylim(bottom=0, top=max(1.0, max(float(v) for v in line.values) * 1.15))
                _thousands(right, whole=True)
                more_handles, more_names = right.get_legend_handles_labels()
                handles, names = handles + more_handles, names + more_names
            _legend(figure, handles, names)
            return _png(figure)

    def time_series(self, title: str, labels: Sequence[str], series: Sequence[Series], *, unit: str,
                    no_data: str) -> bytes:
        """One line per series over `labels` (days, hours)."""
        _check(labels, series)
        if _empty(series, None):
            return self._blank(title, no_data)
        with self._figure() as (figure, axes):
            positions = list(range(len(labels)))
            for index, one in enumerate(series):
                axes.plot(positions, [float(value) for value in one.values], linewidth=3.5,
                          marker="o" if len(labels) <= 31 else None, markersize=7,
                          color=PALETTE[index % len(PALETTE)], label=one.name, zorder=2)
            _decorate(axes, title, labels, unit, series)
            _legend(figure, *axes.get_legend_handles_labels())
            return _png(figure)

    def bars(self, title: str, labels: Sequence[str], values: Sequence[float], *, unit: str,
             no_data: str) -> bytes:
        """Plain bars, one per label (the busiest hours of a day)."""
        _check(labels, [Series(unit, values)])
        if _empty([Series(unit, values)], None):
            return self._blank(title, no_data)
        with self._figure() as (figure, axes):
            axes.bar(list(range(len(labels))), [float(value) for value in values], width=0.7,
                     color=PALETTE[0], zorder=2)
            _decorate(axes, title, labels, unit, [Series(unit, values)])
            return _png(figure)

    def from_payload(self, drawing: Mapping[str, Any]) -> bytes:
        """Lines drawn from what an outbox row keeps of a chart (`title`, `labels`, `series` of `name` and
        `values`, `unit`, `no_data`): a message that carries a chart is drawn when it is sent."""
        series = [Series(str(one["name"]), [float(value) for value in one["values"]]) for one in drawing["series"]]
        return self.time_series(str(drawing["title"]), [str(label) for label in drawing["labels"]], series,
                                unit=str(drawing["unit"]), no_data=str(drawing["no_data"]))

    # --- drawing -----------------------------------------------------------------------------------------

    def _blank(self, title: str, no_data: str) -> bytes:
        """A chart with nothing to show says so, in big letters, instead of drawing empty axes."""
        with self._figure() as (figure, axes):
            axes.set_title(title, pad=40)
            axes.set_axis_off()
            axes.text(0.5, 0.5, no_data, ha="center", va="center", fontsize=40, color="#777777",
                      transform=axes.transAxes)
            return _png(figure)

    @contextmanager
    def _figure(self) -> Iterator[tuple[Figure, Axes]]:
        matplotlib = _matplotlib()
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        with _LOCK, matplotlib.rc_context(self._style()):
            figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
            FigureCanvasAgg(figure)
            try:
                yield figure, figure.add_subplot()
            finally:
                figure.clear()

    def _style(self) -> dict[str, Any]:
        family = [name for name in (_family(path) for path in self._font_files) if name]
        if self._font_files and not family:
            log.warning("charts: none of the fonts %s could be read; Hangul will show as boxes",
                        ", ".join(self._font_files))
        return {
            "font.family": [*dict.fromkeys(family), FALLBACK_FAMILY],
            "font.size": 20,
            "axes.titlesize": 32,
            "axes.labelsize": 22,
            "xtick.labelsize": 19,
            "ytick.labelsize": 19,
            "legend.fontsize": 19,
            "axes.spines.top": False,
            "axes.unicode_minus": False,  # a plain hyphen: Korean fonts often lack U+2212
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
        }


def _matplotlib() -> Any:
    """matplotlib on the Agg backend (no display), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib


def _family(path: str) -> str | None:
    """Register the font file with matplotlib once (under the lock's caller) and name its family."""
    if path not in _REGISTERED:
        from matplotlib import font_manager

        try:
            font_manager.fontManager.addfont(path)
            _REGISTERED[path] = font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError) as error:
            log.warning("charts: cannot use the font %s (%s)", path, error)
            _REGISTERED[path] = None
    return _REGISTERED[path]


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(labels):
            raise ChartDataMismatch(f"{one.name!r} has {len(one.values)} values for {len(labels)} labels")


def _empty(series: Sequence[Series], line: Series | None) -> bool:
    """Nothing to draw: no labels, or every number zero (or not a number)."""
    numbers = [value for one in (*series, *([line] if line else [])) for value in one.values]
    return not any(value and math.isfinite(value) for value in numbers)


def _decorate(axes: Axes, title: str, labels: Sequence[str], unit: str, series: Sequence[Series]) -> None:
    """Title, the unit on the value axis, thousands separators, a light grid and at most a dozen x labels."""
    axes.set_title(title, pad=20)
    axes.set_ylabel(unit)
    step = max(1, math.ceil(len(labels) / MAX_TICK_LABELS))
    positions = list(range(0, len(labels), step))
    axes.set_xticks(positions, [labels[i] for i in positions])
    axes.set_xlim(-0.6, len(labels) - 0.4)
    axes.grid(axis="y", color="#dddddd", zorder=0)
    axes.axhline(0, color="#888888", linewidth=1, zorder=1)
    _thousands(axes, whole=all(float(value).is_integer() for one in series for value in one.values))


def _legend(figure: Figure, handles: Sequence[Any], names: Sequence[str]) -> None:
    """The legend under the chart, in one row where it fits: it never covers a bar."""
    figure.legend(handles, names, loc="outside lower center", ncols=min(len(names), 4), frameon=False)


def _thousands(axes: Axes, *, whole: bool) -> None:
    """Value-axis numbers as 12,345 (and 12.50 where a tick falls between whole numbers)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=whole))
    axes.yaxis.set_major_formatter(FuncFormatter(_tick_text))


def _tick_text(value: float, _position: int | None = None) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _png(figure: Figure) -> bytes:
    """Draw once and encode the pixels: `savefig` would lay the figure out and draw it a second time, and
    Telegram recompresses a photo anyway, so light compression is enough."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()
