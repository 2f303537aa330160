"""/curator: your shelves with their clicks and conversions (the last 30 days and all time), what curating earned
(the curator's account per currency), and a chart of conversions and earnings per week over twelve weeks."""

from __future__ import annotations

from telegram import Update

from handlers.billing import text as billing_text
from handlers.content.curator_charts import ChartText, weekly_chart
from handlers.core.context import JigapContext
from handlers.core.routing import Routes
from handlers.core.text import N_, shorten
from subscriptions.content.services import attribution


async def curator_command(update: Update, context: JigapContext) -> None:
    message = update.effective_message
    assert message is not None
    tr = context.tr
    report = await attribution.curator_report(context.services.content, context.member.id)
    if report.is_empty:
        await message.reply_text(tr("You curate no shelves yet. Make one with /shelf or "
                                    "“Add to a shelf” under a post."))
        return
    lines = [tr("Your shelves as a curator"), ""]
    for stats in report.shelves:
        lines.append(tr("{title}: {clicks} clicks, {recent} conversions in 30 days, {total} in all",
                        title=shorten(stats.shelf.title, 60), clicks=stats.shelf.clicks,
                        recent=stats.conversions_recent, total=stats.conversions_total))
    lines += ["", tr.plural("{count} click in all", "{count} clicks in all", report.clicks),
              tr("Conversions: {recent} in the last 30 days, {total} in all", recent=report.conversions_recent,
                 total=report.conversions_total)]
    if report.earned:
        lines.append(tr("Earned: {amounts}",
                        amounts=", ".join(billing_text.money(amount, tr) for amount in report.earned)))
    else:
        lines.append(tr("Earned: nothing yet"))
    await message.reply_text("\n".join(lines))
    timezone, now = context.member.user.timezone, context.services.clock.now()
    labels = tuple(billing_text.day(week.start, timezone, tr, now=now) for week in report.weeks)
    chart = await weekly_chart(report.weeks, [amount.currency for amount in report.earned],
                               ChartText(tr("The last 12 weeks"), tr("Conversions"), tr("Earned"), labels))
    await message.reply_photo(chart, caption=tr("Conversions and earnings per week"))


def register(routes: Routes) -> None:
    routes.command("curator", curator_command, help=N_("your shelves' clicks, conversions and earnings"))
