"""A product's plans compared in one picture: what each costs a month, over its term, how long it binds, and
what ending it early costs at a few months, drawn by matplotlib as a PNG for a chat photo.

The caller passes words already in the reader's language and amounts already formatted (`PlanRow`,
`PlanTableLabels`); this module only lays them out. Plans are columns and the questions rows, so one plan
reads as a tall card on a phone and four side by side still fit Telegram's 1280-pixel photo. The plan with the
lowest total over its term is tinted, framed and badged (`labels.cheapest`), and its total set in the accent
colour: not by colour alone. Ties are all marked; when every plan costs the same, or there is one plan, none is.

Like `handlers.core.charts`, drawing takes CPU (50-100 ms), so handlers call `await tables.render(...)`,
which draws in a worker thread; matplotlib is imported on the first drawing. The figure is built with the
object API on an Agg canvas, without axes, and every text gets its font, size and colour explicitly: it reads
none of the global settings (`rcParams`) that charts change under their lock, so tables may be drawn while
charts are.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

DPI = 100
MAX_WIDTH = 1280  # Telegram scales larger photos down to this
MIN_WIDTH = 800
MARGIN = 40
LABEL_WIDTH, NARROW_LABEL_WIDTH = 300, 240  # the headings' column; narrower beyond three plans
PLAN_WIDTH = 260  # the width a plan's column would like; narrower when many plans share the photo
MAX_PLANS = 6
TITLE_HEIGHT, HEADER_HEIGHT, ROW_HEIGHT, GROUP_HEIGHT, FOOTNOTE_HEIGHT = 84, 126, 66, 54, 56
PAD = 16
# Words shrink to fit their cell down to this share of their size, then are cut with an ellipsis; an amount is
# never cut, it shrinks further.
SMALLEST, SMALLEST_AMOUNT = 0.6, 0.4

INK, MUTED, RULE, BAND, ZEBRA = "#1A1A1A", "#5F6670", "#DDE1E6", "#F1F3F6", "#FAFBFC"
ACCENT, TINT = "#0072B2", "#E6F1FA"  # the charts' first colour: blue, distinct for colour-blind readers
FALLBACK_FAMILY = "DejaVu Sans"  # matplotlib's own font: no Hangul


class PlanTableMismatch(ValueError):
    """No plans, too many, or a plan with a different number of early-ending costs than there are columns."""


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One plan, every shown value already formatted in the reader's language ("월 29,900원", "36개월")."""

    name: str
    term: str
    monthly_fee: str
    total: str  # over the whole term
    mandatory_period: str
    early_termination: tuple[str, ...]  # what ending early costs at each of the labels' checkpoints
    total_minor: int  # the total in minor units: not shown, it finds the cheapest plan


@dataclass(frozen=True, slots=True)
class PlanTableLabels:
    """The row headings, translated: `checkpoints` name the moments of ending early ("6개월", ..., "만기")."""

    plan: str
    monthly_fee: str
    total: str
    mandatory_period: str
    early_termination: str
    checkpoints: tuple[str, ...]
    cheapest: str


@dataclass(frozen=True, slots=True)
class _Fonts:
    regular: str | None
    bold: str | None

    def at(self, px: float, *, bold: bool = False) -> FontProperties:
        from matplotlib.font_manager import FontProperties

        size = px * 72 / DPI  # matplotlib sizes type in points
        path = self.bold if bold else self.regular
        if path is None:
            return FontProperties(family=FALLBACK_FAMILY, weight="bold" if bold else "normal", size=size)
        return FontProperties(fname=path, size=size)


class PlanTables:
    """Draws plan tables as PNG bytes, 800 to 1280 pixels wide.

    `font_files` are fonts with Hangul, regular then bold (the composition root's `hangul_fonts()`); without
    them the table is drawn in matplotlib's own font and Hangul shows as boxes.
    """

    def __init__(self, font_files: Sequence[str] = ()) -> None:
        regular = font_files[0] if font_files else None
        self._fonts = _Fonts(regular, font_files[1] if len(font_files) > 1 else regular)

    async def render(self, title: str, labels: PlanTableLabels, plans: Sequence[PlanRow], *,
                     footnote: str = "") -> bytes:
        """`draw` in a worker thread, so the event loop keeps answering others."""
        return await asyncio.to_thread(self.draw, title, labels, plans, footnote=footnote)

    def draw(self, title: str, labels: PlanTableLabels, plans: Sequence[PlanRow], *, footnote: str = "") -> bytes:
        """The table as PNG bytes; `footnote` (the early-ending formula, say) goes under it in small type."""
        _check(labels, plans)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        width = max(MIN_WIDTH, min(MAX_WIDTH, 2 * MARGIN + _label_width(plans) + len(plans) * PLAN_WIDTH))
        rows = _rows(labels, plans)
        height = (2 * MARGIN + TITLE_HEIGHT + HEADER_HEIGHT + sum(row.height for row in rows)
                  + (FOOTNOTE_HEIGHT if footnote else 0))
        figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
        canvas = FigureCanvasAgg(figure)
        _Layout(figure, canvas.get_renderer(), self._fonts, (width, height), plans).draw(title, labels, rows,
                                                                                          footnote)
        return _png(canvas)


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    cells: tuple[str, ...]  # one per plan; empty for a group heading
    height: int
    kind: str  # "value", "total", "group" or "checkpoint"


def _rows(labels: PlanTableLabels, plans: Sequence[PlanRow]) -> list[_Row]:
    rows = [_Row(labels.monthly_fee, tuple(plan.monthly_fee for plan in plans), ROW_HEIGHT, "value"),
            _Row(labels.total, tuple(plan.total for plan in plans), ROW_HEIGHT, "total"),
            _Row(labels.mandatory_period, tuple(plan.mandatory_period for plan in plans), ROW_HEIGHT, "value"),
            _Row(labels.early_termination, (), GROUP_HEIGHT, "group")]
    rows += [_Row(checkpoint, tuple(plan.early_termination[index] for plan in plans), ROW_HEIGHT, "checkpoint")
             for index, checkpoint in enumerate(labels.checkpoints)]
    return rows


def _cheapest(plans: Sequence[PlanRow]) -> set[int]:
    """The columns of the lowest total, unless every plan costs that."""
    lowest = min(plan.total_minor for plan in plans)
    marked = {index for index, plan in enumerate(plans) if plan.total_minor == lowest}
    return marked if len(marked) < len(plans) else set()


class _Layout:
    """Places the table's rectangles and words on the figure in pixels, counted from the top left as on a page.

    No axes: a table needs none of their ticks, limits and clipping, and making and clearing them cost more
    than drawing the table."""

    def __init__(self, figure: Figure, renderer: RendererBase, fonts: _Fonts, size: tuple[int, int],
                 plans: Sequence[PlanRow]) -> None:
        from matplotlib.transforms import IdentityTransform

        self.figure = figure
        self.renderer = renderer
        self.fonts = fonts
        self.width, self.height = size
        self.pixels = IdentityTransform()  # display coordinates: pixels from the bottom left
        self.plans = plans
        self.labels_width = _label_width(plans)
        self.column = (self.width - 2 * MARGIN - self.labels_width) / len(plans)
        self.cheapest = _cheapest(plans)

    def left_of(self, index: int) -> float:
        return MARGIN + self.labels_width + index * self.column

    def draw(self, title: str, labels: PlanTableLabels, rows: Sequence[_Row], footnote: str) -> None:
        self.text(title, MARGIN, MARGIN + TITLE_HEIGHT / 2 - 6, self.width - 2 * MARGIN, 40, bold=True)
        top = MARGIN + TITLE_HEIGHT
        bottom = top + HEADER_HEIGHT + sum(row.height for row in rows)
        for index in self.cheapest:
            self.rectangle(self.left_of(index), top, self.column, bottom - top, TINT)
        self.header(labels, top)
        y = top + HEADER_HEIGHT
        for number, row in enumerate(rows):
            self.row(row, y, zebra=number % 2 == 1)
            y += row.height
        for index in self.cheapest:
            self.frame(self.left_of(index), top, self.column, bottom - top)
        if footnote:
            self.text(footnote, MARGIN, bottom + FOOTNOTE_HEIGHT / 2 + 4, self.width - 2 * MARGIN, 21,
                      colour=MUTED)

    def header(self, labels: PlanTableLabels, top: float) -> None:
        self.rectangle(MARGIN, top, self.labels_width, HEADER_HEIGHT, BAND)
        self.text(labels.plan, MARGIN + PAD, top + HEADER_HEIGHT / 2 + 10, self.labels_width - 2 * PAD, 24,
                  colour=MUTED, bold=True)
        for index, plan in enumerate(self.plans):
            centre, room = self.left_of(index) + self.column / 2, self.column - 2 * PAD
            if index in self.cheapest:
                self.badge(labels.cheapest, centre, top + 22, room)
            lines = self.lines(plan.name, room, 29)
            if len(lines) == 1:
                self.text(plan.name, centre, top + 70, room, 29, bold=True, align="center")
            else:
                widest = max(self.width_of(line, 22, bold=True) for line in lines)
                px = 22 * max(SMALLEST, min(1.0, room / widest))
                for number, line in enumerate(lines):
                    self.text(line, centre, top + 58 + 24 * number, room, px, bold=True, align="center")
            self.text(plan.term, centre, top + (110 if len(lines) > 1 else 102), room, 22, colour=MUTED,
                      align="center")
        self.rule(top + HEADER_HEIGHT, INK, 2.0)

    def row(self, row: _Row, y: float, *, zebra: bool) -> None:
        middle = y + row.height / 2 + 9  # text sits on its baseline; this centres Hangul and digits
        if row.kind == "group":
            for left, span in self.unmarked_spans():
                self.rectangle(left, y, span, row.height, BAND)
            end = self.left_of(min(self.cheapest)) if self.cheapest else self.width - MARGIN
            self.text(row.label, MARGIN + PAD, middle, end - MARGIN - 2 * PAD, 23, bold=True)
            return
        if zebra:
            for left, span in self.unmarked_spans():
                self.rectangle(left, y, span, row.height, ZEBRA)
        indent = 2 * PAD if row.kind == "checkpoint" else PAD
        self.text(row.label, MARGIN + indent, middle, self.labels_width - indent - PAD, 24, colour=MUTED)
        for index, cell in enumerate(row.cells):
            strong = row.kind == "total" and index in self.cheapest
            self.text(cell, self.left_of(index) + self.column / 2, middle, self.column - PAD, 27,
                      bold=row.kind == "total", colour=ACCENT if strong else INK, align="center", amount=True)
        self.rule(y + row.height, RULE, 1.0)

    def unmarked_spans(self) -> list[tuple[float, float]]:
        """Where a zebra stripe goes: everywhere but the cheapest plan's tinted column."""
        spans = [(float(MARGIN), float(self.labels_width))]
        spans += [(self.left_of(index), self.column) for index in range(len(self.plans))
                  if index not in self.cheapest]
        return spans

    # --- drawing primitives ------------------------------------------------------------------------------

    def rectangle(self, left: float, top: float, width: float, height: float, colour: str) -> None:
        from matplotlib.patches import Rectangle

        self.figure.add_artist(Rectangle((left, self.height - top - height), width, height, facecolor=colour,
                                         edgecolor="none", transform=self.pixels, zorder=0))

    def rule(self, y: float, colour: str, px: float) -> None:
        from matplotlib.lines import Line2D

        self.figure.add_artist(Line2D([MARGIN, self.width - MARGIN], [self.height - y] * 2, color=colour,
                                      linewidth=px * 72 / DPI, solid_capstyle="butt", transform=self.pixels,
                                      zorder=2))

    def frame(self, left: float, top: float, width: float, height: float) -> None:
        from matplotlib.patches import FancyBboxPatch

        self.figure.add_artist(FancyBboxPatch((left + 2, self.height - top - height + 2), width - 4, height - 4,
                                              boxstyle="round,pad=0,rounding_size=12", facecolor="none",
                                              edgecolor=ACCENT, linewidth=4 * 72 / DPI, transform=self.pixels,
                                              zorder=3))

    def badge(self, words: str, centre: float, middle: float, room: float) -> None:
        label = self.text(words, centre, middle + 7, room - 24, 19, bold=True, colour="white", align="center")
        label.set_bbox({"boxstyle": "round,pad=0.35,rounding_size=0.8", "facecolor": ACCENT, "edgecolor": "none"})

    def lines(self, words: str, room: float, px: float) -> list[str]:
        """A plan's name on one line, or on two split at the space that balances them, when one is too wide."""
        if self.width_of(words, px, bold=True) <= room or " " not in words.strip():
            return [words]
        parts = words.split()
        cut = min(range(1, len(parts)), key=lambda at: max(len(" ".join(parts[:at])), len(" ".join(parts[at:]))))
        return [" ".join(parts[:cut]), " ".join(parts[cut:])]

    def width_of(self, words: str, px: float, *, bold: bool) -> float:
        from matplotlib.text import Text

        probe = Text(0, 0, words, fontproperties=self.fonts.at(px, bold=bold), parse_math=False,
                     figure=self.figure)
        return float(probe.get_window_extent(self.renderer).width)

    def text(self, words: str, x: float, baseline: float, room: float, px: float, *, bold: bool = False,
             colour: str = INK, align: str = "left", amount: bool = False) -> Text:
        """Words on a baseline, shrunk to fit `room` pixels, then cut with an ellipsis (an `amount` only shrinks)."""
        artist = self.figure.text(x, self.height - baseline, words, fontproperties=self.fonts.at(px, bold=bold),
                                  color=colour, ha=align, va="baseline", parse_math=False, transform=self.pixels,
                                  zorder=4)
        if _surely_fits(words, px, room):
            return artist  # measuring is half the cost of a word: only words that may not fit are measured
        wide = artist.get_window_extent(self.renderer).width
        if wide > room:
            smallest = SMALLEST_AMOUNT if amount else SMALLEST
            artist.set_fontproperties(self.fonts.at(max(px * smallest, px * room / wide * 0.98), bold=bold))
            shown = words
            while not amount and len(shown) > 1 and artist.get_window_extent(self.renderer).width > room:
                shown = shown[:-1]
                artist.set_text(shown.rstrip() + "…")
        return artist


def _surely_fits(words: str, px: float, room: float) -> bool:
    """Whether `words` fit `room` even if every Hangul syllable (or CJK character) were a full em wide and
    every other character three quarters of one; in these fonts they are narrower."""
    ems = sum(1.0 if ord(char) >= 0x1100 else 0.75 for char in words)
    return ems * px <= room


def _label_width(plans: Sequence[PlanRow]) -> int:
    return LABEL_WIDTH if len(plans) <= 3 else NARROW_LABEL_WIDTH


def _check(labels: PlanTableLabels, plans: Sequence[PlanRow]) -> None:
    if not plans:
        raise PlanTableMismatch("a plan table needs at least one plan")
    if len(plans) > MAX_PLANS:
        raise PlanTableMismatch(f"{len(plans)} plans do not fit one photo; at most {MAX_PLANS}")
    for plan in plans:
        if len(plan.early_termination) != len(labels.checkpoints):
            raise PlanTableMismatch(f"plan {plan.name!r} has {len(plan.early_termination)} early-ending costs for "
                                    f"{len(labels.checkpoints)} checkpoints")


def _png(canvas: Any) -> bytes:
    """Draw once and encode the pixels with light compression (Telegram recompresses a photo anyway)."""
    from PIL import Image

    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
