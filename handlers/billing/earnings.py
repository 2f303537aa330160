"""/earnings: a merchant's balance, latest statement lines and subscriber count, per organisation."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from handlers.billing import text as billing_text
from handlers.core.context import JigapContext
from handlers.core.guard import member_orgs
from subscriptions.accounts.access import Permission
from subscriptions.billing import services as billing
from subscriptions.ledger import statement_text


async def earnings(update: Update, context: JigapContext) -> None:
    """Shown for every organisation the member may see earnings of; everyone else is refused."""
    message = update.effective_message
    assert message is not None
    tr = context.tr
    parts = []
    for org_id in member_orgs(context, Permission.VIEW_EARNINGS):
        parts.append(await _merchant_part(context, str(org_id)))
    await message.reply_text("\n\n".join(parts) if parts else tr("No earnings yet."))


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
        parts.append("\n".join(lines))
    await message.reply_text("\n\n".join(parts) if parts else tr("No subscribers yet."))
