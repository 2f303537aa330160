"""How billing's reminders read, in the user's language: "Your Cafe Onda pass renews on Dec 25 (₩45,000)",
with Renew now / Manage. The kinds are the domain's; where their subjects are found is storage's
(`storage.billing.reminders`, whose `Billed` subjects carry the names shown here).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from handlers.billing import text as billing_text
from handlers.billing.notices import manage_buttons
from handlers.core.outbound import OutboundMessage
from handlers.core.routing import Routes
from handlers.core.text import N_
from subscriptions.billing.gifts import Gift
from subscriptions.billing.reminders import Billed
from subscriptions.billing.subscription import Subscription
from subscriptions.money import Money
from subscriptions.reminders import Reminder

if TYPE_CHECKING:
    from bot.i18n import Translator

# Reminders read dates in the subscriber's billing timezone; Stars calendars run in UTC, shown in Seoul time.
DEFAULT_TIMEZONE = "Asia/Seoul"


# A sweep renders thousands of reminders that share a few prices and days; formatting them (babel) cost more
# than everything else about a reminder, so each is formatted once per language (days: in `date_text`).
@functools.lru_cache(maxsize=4096)
def _money_text(price: Money, tr: Translator) -> str:
    return billing_text.money(price, tr)


def _price(subject: Billed[Any], tr: Translator) -> str:
    return _money_text(subject.price, tr) if subject.price is not None else ""


def _local_day(moment: datetime, timezone: str, tr: Translator, reminder: Reminder) -> str:
    # The reminder goes out when it is due: that is the "now" whose year a date may leave out.
    return billing_text.day(moment, timezone, tr, now=reminder.due_at)


def render_renewal(reminder: Reminder, subject: Billed[Subscription], tr: Translator) -> OutboundMessage:
    text = tr("Your {title} renews on {date} ({price}).", title=subject.title, date=_day(subject.item, tr, reminder),
              price=_price(subject, tr))
    return OutboundMessage(text, manage_buttons(subject.item, tr))


def _day(sub: Subscription, tr: Translator, reminder: Reminder) -> str:
    timezone = sub.calendar.timezone if sub.calendar.timezone != "UTC" else DEFAULT_TIMEZONE
    return _local_day(sub.paid_through, timezone, tr, reminder)


def render_trial(reminder: Reminder, subject: Billed[Subscription], tr: Translator) -> OutboundMessage:
    text = tr("Your free trial of {title} ends on {date}. Then it costs {price}.", title=subject.title,
              date=_day(subject.item, tr, reminder), price=_price(subject, tr))
    return OutboundMessage(text, manage_buttons(subject.item, tr))


def render_dunning(reminder: Reminder, subject: Billed[Subscription], tr: Translator) -> OutboundMessage:
    text = tr("The payment for {title} is overdue. Pay now to keep your subscription.", title=subject.title)
    return OutboundMessage(text, manage_buttons(subject.item, tr))


def render_gift(reminder: Reminder, subject: Billed[Gift], tr: Translator) -> OutboundMessage:
    text = tr("Your gift of {title} has not been claimed yet. The link works until {date}.", title=subject.title,
              date=_local_day(subject.item.expires_at, DEFAULT_TIMEZONE, tr, reminder))
    return OutboundMessage(text)


def register(routes: Routes) -> None:
    routes.add_reminder_text("renewal_upcoming", render_renewal, N_("Renewal reminders"))
    routes.add_reminder_text("trial_ending", render_trial, N_("Trial ending reminders"))
    routes.add_reminder_text("dunning", render_dunning, N_("Overdue payment reminders"))
    routes.add_reminder_text("gift_expiring", render_gift, N_("Unclaimed gift reminders"))
