"""/earnings: per organisation, a chart of the last 12 months by source with the subscribers at each month's end
(one per currency), then the balance, latest statement lines and subscriber count."""

from __future__ import annotations

from datetime import datetime

from telegram import Message, Update

from bot.i18n import Translator, month_text
from handlers.billing import text as billing_text
from handlers.core.charts import Series
from handlers.core.context import JigapContext
from handlers.core.guard import member_orgs
from handlers.core.text import N_
from subscriptions.accounts.access import Permission
from subscriptions.billing import services as billing
from subscriptions.billing.monthly_earnings import MonthlyEarnings, Source
from subscriptions.ledger import statement_text
from subscriptions.money import STARS

SOURCE_NAMES = {Source.SUBSCRIPTIONS: N_("Subscriptions"), Source.SINGLE_POSTS: N_("Single posts"),
                Source.TIPS: N_("Tips")}


async def earnings(update: Update, context: JigapContext) -> None:
    """Shown for every organisation the member may see earnings of; everyone else is refused."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    parts = []
    for org_id in member_orgs(context, Permission.VIEW_EARNINGS):
        await _send_charts(message, context, str(org_id))
        parts.append(await _merchant_part(context, str(org_id)))
    await message.reply_text("\n\n".join(parts) if parts else tr("No earnings yet."))


async def _send_charts(message: Message, context: JigapContext, merchant_id: str) -> None:
    """One picture per currency the merchant is paid in, drawn off the event loop."""
    deps, tr = context.services.billing, context.tr
    name = await billing.merchant_name(deps, merchant_id)
    # Organisations keep no zone of their own: their months are the platform's (the configured default zone).
    zone = context.services.config.i18n.default_timezone
    charts = context.services.charts
    for report in await billing.monthly_earnings(deps, merchant_id=merchant_id, timezone=zone):
        currency = _currency_name(report.currency, tr)
        labels, series, line = _chart_data(report, tr)
        picture = await charts.render(
            charts.stacked_bars, tr("{name}: earnings by month", name=name), labels, series,
            unit=tr("Earned ({currency})", currency=currency), no_data=tr("No earnings yet"),
            line=line, line_label=tr("Subscribers at the month's end"))
        await message.reply_photo(picture, caption=tr(
            "{name}: what you earned in {currency} each month of the last year, by source, and your subscribers.",
            name=name, currency=currency))


def _chart_data(report: MonthlyEarnings, tr: Translator) -> tuple[list[str], list[Series], Series]:
    """Month names (with the year under the first month and under each January) and the numbers to draw."""
    labels = [month_text(month.month, tr.language) + (f"\n{month.month.year}" if i == 0 or month.month.month == 1
                                                       else "")
              for i, month in enumerate(report.months)]
    series = [Series(tr(SOURCE_NAMES[source]), [float(month.by_source(source).to_decimal()) for month in report.months])
              for source in Source]
    return labels, series, Series(tr("Subscribers"), [float(month.subscribers) for month in report.months])


def _currency_name(currency: str, tr: Translator) -> str:
    return tr("Stars") if currency == STARS else currency


async def _merchant_part(context: JigapContext, merchant_id: str) -> str:
    tr = context.tr
    deps = context.services.billing
    name = await billing.merchant_name(deps, merchant_id)
    currencies = sorted({plan.price.currency for offer in await billing.merchant_offers(deps, merchant_id=merchant_id)
                         for plan in offer.plans})
    lines = [name]
    timezone, now = context.member.user.timezone, context.services.clock.now()

    def day(moment: datetime) -> str:
        return billing_text.day(moment, timezone, tr, now=now)

    for currency in currencies:
        statement = await billing.merchant_statement(deps, merchant_id=merchant_id, currency=currency)
        totals = await billing.merchant_earnings(deps, merchant_id=merchant_id, currency=currency)
        lines.append(tr("Paid by customers: {amount}", amount=billing_text.money(totals.gross, tr)))
        lines.append(tr("Fees (the platform's commission): {amount}", amount=billing_text.money(totals.fees, tr)))
        if totals.curators.amount_minor:
            lines.append(tr("Curators' shares: {amount}", amount=billing_text.money(totals.curators, tr)))
        lines.append(tr("Net, yours: {amount}", amount=billing_text.money(totals.net, tr)))
        lines.append(tr("Balance: {amount}", amount=billing_text.money(statement.closing, tr)))
        lines += statement_text(statement, tr.language, timezone, day)[-5:]
    subscribers = [sub for sub in await billing.merchant_subscribers(deps, merchant_id=merchant_id, limit=1000)
                   if sub.is_live]
    lines.append(tr.plural("{count} subscriber", "{count} subscribers", len(subscribers)))
    return "\n".join(lines)


async def subscribers(update: Update, context: JigapContext) -> None:
    """/subscribers: who subscribes to each of the member's organisations, and where each stands."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    parts = []
    for org_id in member_orgs(context, Permission.VIEW_EARNINGS):
        deps = context.services.billing
        lines = [await billing.merchant_name(deps, str(org_id))]
        for name, sub in await billing.named_subscribers(deps, merchant_id=str(org_id)):
            offer = await billing.offer(deps, sub.offer_id)
            lines.append(f"{name} · " + billing_text.subscription_line(sub, offer, context.member.user.timezone, tr,
                                                                            now=context.services.clock.now()))
        if len(lines) == 1:
            lines.append(tr("No subscribers yet."))
        lines += await context.services.routes.source_lines(context, str(org_id))
        parts.append("\n".join(lines))
    await message.reply_text("\n\n".join(parts) if parts else tr("No subscribers yet."))
