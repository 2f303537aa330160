"""Stars that Telegram took and jigap never credited: found in Telegram's own list of the bot's transactions.

Crediting happens on `successful_payment`. The update inbox (bot.inbox) keeps every update that reached the
bot, but an update can still be lost before that: Telegram drops updates a bot did not fetch within a day,
and a bot that ran before the inbox existed lost some to crashes. So at start-up and every hour, the Stars
payments Telegram lists (getStarTransactions) are compared with the credited ones; a charge jigap lacks is
credited once, as its `successful_payment` would have been, and logged loudly: someone should know why.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from telegram import Bot, TransactionPartnerUser
from telegram.constants import TransactionPartnerUser as PartnerKind

from subscriptions.billing import services as billing
from subscriptions.billing.services import Billing, StarCharge
from subscriptions.errors import SubscriptionsError

log = logging.getLogger(__name__)
PAGE = 100  # the most getStarTransactions returns at once
MOST_PAGES = 200  # a bound on one pass; a bot with more recent Stars payments is warned about


async def reconcile_stars(bot: Bot, services: Billing, *, since: datetime) -> list[str]:
    """Credit the Stars charges since `since` that no payment row names; returns their charge ids."""
    credited: list[str] = []
    async for charge in _incoming_charges(bot, since):
        try:
            outcome = await billing.credit_missing_star_charge(services, charge)
        except SubscriptionsError as error:
            log.error("Telegram lists Stars charge %s (user %s, %s Stars) that matches no checkout of jigap: %s. "
                      "Support should look at it", charge.charge_id, charge.user_id, charge.total_amount, error)
            continue
        if outcome is not None:
            log.error("Telegram lists Stars charge %s (user %s, %s Stars) that jigap had not credited: it is "
                      "credited now. Its successful_payment update never reached jigap",
                      charge.charge_id, charge.user_id, charge.total_amount)
            credited.append(charge.charge_id)
    return credited


async def _incoming_charges(bot: Bot, since: datetime) -> AsyncIterator[StarCharge]:
    """Users' invoice payments among the bot's transactions, from `since` on (oldest first, as listed)."""
    for page in range(MOST_PAGES):
        listed = await bot.get_star_transactions(offset=page * PAGE, limit=PAGE)
        for transaction in listed.transactions:
            source = transaction.source
            if (isinstance(source, TransactionPartnerUser) and transaction.date >= since
                    and source.transaction_type == PartnerKind.INVOICE_PAYMENT and source.invoice_payload):
                yield StarCharge(charge_id=transaction.id, user_id=source.user.id,
                                 total_amount=transaction.amount, invoice_payload=source.invoice_payload,
                                 paid_at=transaction.date, subscription_period=_period(source.subscription_period))
        if len(listed.transactions) < PAGE:
            return
    log.warning("more than %d Stars transactions: only the first %d were compared", MOST_PAGES * PAGE,
                MOST_PAGES * PAGE)


def _period(period: timedelta | int | None) -> timedelta | None:
    if period is None:
        return None
    return period if isinstance(period, timedelta) else timedelta(seconds=period)
