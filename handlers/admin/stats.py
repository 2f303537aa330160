"""The console's Stats section: a picker of charts, each a picture with 7 d / 30 d / 12 m buttons (and a currency
picker where money is shown: never two currencies in one chart), its caption the headline figures; and how the
daily digest reads. Every press asks the permission again (the route's check, audited when refused)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from telegram import InlineKeyboardButton, Update

from bot.i18n import Translator, date_text, month_text
from handlers.core.buttons import ButtonData
from handlers.core.charts import Series
from handlers.core.console import show, with_home
from handlers.core.context import JigapContext
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import AdminSection, Routes
from handlers.core.text import N_
from subscriptions.accounts import audit
from subscriptions.accounts.access import Permission
from subscriptions.money import Money, exponent, format_money
from subscriptions.reminders import Reminder
from subscriptions.stats.charts import SPECS, ChartKind, Fold
from subscriptions.stats.digest import DIGEST, DigestReader
from subscriptions.stats.ranges import ChartRange, Grain
from subscriptions.stats.service import Chart, ChartSeries, UnknownCurrency

TITLES: dict[ChartKind, str] = {
    ChartKind.ACTIVE_USERS: N_("Active users"),
    ChartKind.TRAFFIC: N_("Updates in and messages out"),
    ChartKind.REVENUE: N_("Revenue"),
    ChartKind.MRR: N_("MRR movements"),
    ChartKind.DELIVERIES: N_("Deliveries"),
    ChartKind.VERIFICATIONS: N_("Verification results"),
    ChartKind.RENTALS: N_("Rentals"),
}
RANGES: dict[ChartRange, str] = {ChartRange.WEEK: N_("7 d"), ChartRange.MONTH: N_("30 d"), ChartRange.YEAR: N_("12 m")}
RANGE_CAPTIONS: dict[ChartRange, str] = {ChartRange.WEEK: N_("last 7 days"), ChartRange.MONTH: N_("last 30 days"),
                                         ChartRange.YEAR: N_("last 12 months")}
SERIES: dict[str, str] = {
    "active_users": N_("Active users"),
    "updates_in": N_("Updates in"),
    "messages_out": N_("Messages out"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "rate_limited": N_("429s (rate limited)"),
    "new": N_("New"),
    "expansion": N_("Expansion"),
    "contraction": N_("Contraction"),
    "churn": N_("Churn"),
    "valid": N_("Valid"),
    "applications": N_("Applications"),
    "approvals": N_("Contracts signed"),
    "active": N_("Active contracts"),
    "overdue": N_("Overdue instalments"),
}


@dataclass(frozen=True)
class StatsPicker(ButtonData, prefix="admstp"):
    """The list of charts."""


@dataclass(frozen=True)
class StatsChart(ButtonData, prefix="admst"):
    """One chart over a range, in one currency where it shows money."""

    kind: ChartKind
    span: ChartRange = ChartRange.MONTH
    currency: str = ""


async def show_picker(update: Update, context: JigapContext, _data: StatsPicker) -> None:
    """« Charts under a chart: back to the list."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    await open_stats(update, context)


async def open_stats(update: Update, context: JigapContext) -> None:
    """The section's first screen (its button already answered by the console): which chart to look at."""
    tr = context.tr
    rows = [[StatsChart(kind).button(tr(TITLES[kind]))] for kind in ChartKind]
    await show(update, context, tr("Stats: pick a chart."), with_home(context, rows))


async def show_chart(update: Update, context: JigapContext, data: StatsChart) -> None:
    """One chart as a picture, with its range and currency buttons."""
    query = update.callback_query
    assert query is not None
    tr, stats = context.tr, context.services.stats
    try:
        chart = await stats.chart(data.kind, data.span, data.currency or None)
    except UnknownCurrency:
        await query.answer(tr("There are no figures in {currency}.", currency=data.currency), show_alert=True)
        return
    await query.answer()
    await audit.record(context.services.accounts, context.member, "admin.stats",
                       target=f"{data.kind.value} {data.span.value} {chart.currency or ''}".strip())
    drawing = chart_drawing(chart, tr, context.member.user.timezone, stats.today())
    picture = await context.services.charts.render(
        context.services.charts.time_series, drawing["title"], drawing["labels"],
        [_series(one) for one in drawing["series"]], unit=drawing["unit"], no_data=drawing["no_data"])
    await show(update, context, caption(chart, tr), with_home(context, _keyboard(chart, tr)), picture=picture)


def _keyboard(chart: Chart, tr: Translator) -> list[list[InlineKeyboardButton]]:
    currency = chart.currency or ""
    ranges = [StatsChart(chart.kind, span, currency).button(("• " if span is chart.chart_range else "") + tr(label))
              for span, label in RANGES.items()]
    rows = [ranges]
    if len(chart.currencies) > 1:
        rows.append([StatsChart(chart.kind, chart.chart_range, code).button(("• " if code == currency else "") + code)
                     for code in chart.currencies])
    rows.append([StatsPicker().button(tr("« Charts"))])
    return rows


# --- what a chart says -------------------------------------------------------------------------------------

def title_of(chart: Chart, tr: Translator) -> str:
    title = tr(TITLES[chart.kind])
    return f"{title} ({chart.currency})" if chart.currency else title


def caption(chart: Chart, tr: Translator) -> str:
    """The title and range, the headline figures, and why the chart is shorter than asked, if it is."""
    lines = [f"{title_of(chart, tr)} · {tr(RANGE_CAPTIONS[chart.chart_range])}"]
    if chart.starts_later is not None:
        lines.append(tr("Data starts on {day}: showing from then.",
                        day=date_text(chart.starts_later, tr.language, None, now=_noon(chart.starts_later))))
    if not chart.has_data:
        lines.append(tr("No figures for this range yet."))
        return "\n".join(lines)
    folds = {line.key or line.metric.value: line.fold for line in SPECS[chart.kind].lines}
    for one in chart.series:
        lines.append(f"{series_label(one.name, tr)}: {_figure(chart, one, folds.get(one.name, Fold.SUM), tr)}")
    return "\n".join(lines)


def _figure(chart: Chart, one: ChartSeries, fold: Fold, tr: Translator) -> str:
    if chart.currency is not None:
        return format_money(Money(round(one.total), chart.currency), tr.language)
    if fold is Fold.MEAN:
        return tr("{count} a day on average", count=f"{one.total:,.1f}")
    return f"{round(one.total):,}"


def series_label(name: str, tr: Translator) -> str:
    return tr(SERIES[name]) if name in SERIES else name


def chart_drawing(chart: Chart, tr: Translator, timezone: str | None, today: date) -> dict[str, Any]:
    """The chart as the drawing takes it: words in the reader's language, money in major units."""
    now = _noon(today)
    if chart.grain is Grain.HOUR:
        labels = [f"{date_text(moment, tr.language, timezone, now=now)} {moment.strftime('%H')}h"
                  for moment in chart.buckets if isinstance(moment, datetime)]
    elif chart.grain is Grain.MONTH:
        labels = [month_text(day, tr.language) for day in chart.buckets if isinstance(day, date)]
    else:
        labels = [date_text(day, tr.language, timezone, now=now) for day in chart.buckets if isinstance(day, date)]
    scale = 10 ** exponent(chart.currency) if chart.currency else 1
    series = [{"name": series_label(one.name, tr), "values": [value / scale for value in one.values]}
              for one in chart.series]
    unit = tr("Amount ({currency})", currency=chart.currency) if chart.currency else tr("Count")
    return {"title": title_of(chart, tr), "labels": labels, "series": series, "unit": unit,
            "no_data": tr("No figures yet")}


def _series(drawn: dict[str, Any]) -> Series:
    return Series(drawn["name"], drawn["values"])


def _noon(day: date) -> datetime:
    """A moment of `day` to write dates against (the year is shown when it is not this one's)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


# --- the daily digest --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChartMessage(OutboundMessage):
    """A message whose photo is a chart drawn when it is sent (the outbox row keeps only its figures)."""

    chart: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "photo_chart": self.chart}


def render_digest(reminder: Reminder, subject: DigestReader, tr: Translator) -> OutboundMessage:
    """"Yesterday: 120 active users, revenue ₩90,000 · ⭐ 300, 2,000 sent (3 failed, 1 429s), 4 applications"."""
    figures = subject.figures
    if figures is None or subject.chart is None:
        return OutboundMessage(tr("The daily digest has no figures yet."))
    day = date_text(figures.day, tr.language, None, now=_noon(figures.day))
    revenue = " · ".join(format_money(Money(amount, currency), tr.language)
                         for currency, amount in figures.revenue.items()) or tr("none")
    text = "\n".join([
        tr("Daily digest for {day}", day=day),
        tr("Active users: {count}", count=f"{figures.active_users:,}"),
        tr("Revenue: {amounts}", amounts=revenue),
        tr("Deliveries: {sent} sent, {failed} failed, {limited} rate limited (429)", sent=f"{figures.sent:,}",
           failed=f"{figures.failed:,}", limited=f"{figures.rate_limited:,}"),
        tr("New rental applications: {count}", count=f"{figures.applications:,}"),
    ])
    return ChartMessage(text, chart=chart_drawing(subject.chart, tr, subject.timezone, figures.day))


def register(routes: Routes) -> None:
    routes.button(StatsPicker, show_picker, permission=Permission.ADMIN_STATS)
    routes.button(StatsChart, show_chart, permission=Permission.ADMIN_STATS)
    routes.add_admin_section(AdminSection("stats", N_("Stats"), Permission.ADMIN_STATS, open_stats, order=95))
    routes.add_reminder_text(DIGEST, render_digest, N_("Daily digest (platform admins)"))


__all__ = ["ChartMessage", "StatsChart", "StatsPicker", "register", "render_digest"]
