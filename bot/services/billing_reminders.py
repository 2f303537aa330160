"""Billing's reminder kinds, registered with the delivery engine's reminder catalog.

The kinds themselves are the subscriptions room's (`RenewalUpcoming`, `TrialEnding`, `DunningStep`,
`GiftExpiring`): what is due and when a recorded reminder went stale. Here they get what the delivery
scheduler needs besides: where their subjects are stored (batched window queries over the billing
tables) and how each reads in the user's language, with "Renew now" / "Manage" buttons. Rendering
cannot reach the database, so each subject travels with the offer title and plan name it needs.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from bot.delivery.reminders import Page, ReminderCatalog
from bot.i18n import Translator
from handlers.billing import text as billing_text
from handlers.core import callback_data
from handlers.core.outbound import Button, OutboundMessage
from handlers.core.text import N_
from storage.delivery.repositories import WindowCursor
from storage.unit_of_work import UnitOfWork
from subscriptions.billing.gifts import Gift
from subscriptions.billing.offers import Offer
from subscriptions.billing.reminders import DunningStep, GiftExpiring, RenewalUpcoming, TrialEnding
from subscriptions.billing.subscription import DunningPolicy, Subscription
from subscriptions.billing_calendar import zone
from subscriptions.money import Money
from subscriptions.reminders import DueWindow, Reminder, ReminderKind

T = TypeVar("T", Subscription, Gift)
# Reminders read dates in the subscriber's billing timezone; Stars calendars run in UTC, shown in Seoul time.
DEFAULT_TIMEZONE = "Asia/Seoul"


@dataclass(frozen=True)
class Billed(Generic[T]):
    """A subscription or gift with the names its reminder shows."""

    item: T
    title: str
    price: Money | None

    @property
    def id(self) -> str:
        return self.item.id


@dataclass(frozen=True)
class WithNames(Generic[T]):
    """A domain reminder kind over `Billed` subjects (the domain's rules, unchanged)."""

    kind: ReminderKind[T]

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def urgent(self) -> bool:
        return self.kind.urgent

    def window(self, now: datetime) -> DueWindow:
        return self.kind.window(now)

    def reminders_for(self, subject: Billed[T], now: datetime) -> list[Reminder]:
        return self.kind.reminders_for(subject.item, now)

    def is_stale(self, reminder: Reminder, subject: Billed[T], now: datetime) -> bool:
        return self.kind.is_stale(reminder, subject.item, now)


def _title(offer: Offer | None, plan_id: str) -> tuple[str, Money | None]:
    if offer is None:
        return plan_id, None
    for plan in offer.plans:
        if plan.id == plan_id:
            return f"{offer.title} · {plan.name}", plan.price
    return offer.title, None


async def _named(uow: UnitOfWork, items: Sequence[T]) -> list[Billed[T]]:
    offers: dict[str, Offer | None] = {}
    named = []
    for item in items:
        if item.offer_id not in offers:
            offers[item.offer_id] = await uow.billing.offers.get(item.offer_id)
        title, price = _title(offers[item.offer_id], item.plan_id)
        named.append(Billed(item, title, price))
    return named


def _window_cursor(after: object | None) -> WindowCursor | None:
    return after if isinstance(after, tuple) and isinstance(after[0], datetime) else None


def _status_cursor(after: object | None) -> tuple[str, str] | None:
    return after if isinstance(after, tuple) and isinstance(after[0], str) else None


class SubscriptionSource:
    """Subscriptions in a kind's window: by term end (renewal, trial) or by status (dunning)."""

    def subject_id(self, subject: Billed[Subscription]) -> str:
        return subject.id

    async def due(self, uow: UnitOfWork, window: DueWindow, after: object | None, limit: int
                  ) -> Page[Billed[Subscription]]:
        windows = uow.delivery.windows
        cursor: object | None
        if window.instant == "term_end":
            found, cursor = await windows.subscriptions_ending(window.not_before, window.not_after, window.statuses,
                                                               _window_cursor(after), limit)
        else:
            found, cursor = await windows.subscriptions_in_status(window.statuses, _status_cursor(after), limit)
        return Page(await _named(uow, found), cursor)

    async def load(self, uow: UnitOfWork, subject_ids: Sequence[str]) -> dict[str, Billed[Subscription]]:
        found = [sub for key in subject_ids if (sub := await uow.billing.subscriptions.get(key)) is not None]
        return {subject.id: subject for subject in await _named(uow, found)}


class GiftSource:
    def subject_id(self, subject: Billed[Gift]) -> str:
        return subject.id

    async def due(self, uow: UnitOfWork, window: DueWindow, after: object | None, limit: int) -> Page[Billed[Gift]]:
        found, cursor = await uow.delivery.windows.gifts_expiring(window.not_before, window.not_after,
                                                                  _window_cursor(after), limit)
        return Page(await _named(uow, found), cursor)

    async def load(self, uow: UnitOfWork, subject_ids: Sequence[str]) -> dict[str, Billed[Gift]]:
        found = [gift for key in subject_ids if (gift := await uow.billing.gifts.get(key)) is not None]
        return {subject.id: subject for subject in await _named(uow, found)}


def _manage(sub: Subscription, tr: Translator) -> tuple[tuple[Button, ...], ...]:
    row = []
    if sub.provider == "card":
        row.append(Button(tr("Renew now"), callback_data.make("my", "rn", sub.id)))
    row.append(Button(tr("Manage"), callback_data.make("my", "v", sub.id)))
    return (tuple(row),)


# A sweep renders thousands of reminders that share a few prices and days; formatting them (babel) cost more
# than everything else about a reminder, so each is formatted once per language.
@functools.lru_cache(maxsize=4096)
def _money_text(price: Money, tr: Translator) -> str:
    return billing_text.money(price, tr)


@functools.lru_cache(maxsize=4096)
def _day_text(local_day: date, timezone: str, tr: Translator) -> str:
    return billing_text.day(datetime.combine(local_day, time(12), zone(timezone)), timezone, tr)


def _price(subject: Billed[Any], tr: Translator) -> str:
    return _money_text(subject.price, tr) if subject.price is not None else ""


def _local_day(moment: datetime, timezone: str, tr: Translator) -> str:
    return _day_text(moment.astimezone(zone(timezone)).date(), timezone, tr)


def render_renewal(reminder: Reminder, subject: Billed[Subscription], tr: Translator) -> OutboundMessage:
    text = tr("Your {title} renews on {date} ({price}).", title=subject.title, date=_day(subject.item, tr),
              price=_price(subject, tr))
    return OutboundMessage(text, _manage(subject.item, tr))


def _day(sub: Subscription, tr: Translator) -> str:
    timezone = sub.calendar.timezone if sub.calendar.timezone != "UTC" else DEFAULT_TIMEZONE
    return _local_day(sub.paid_through, timezone, tr)


def render_trial(reminder: Reminder, subject: Billed[Subscription], tr: Translator) -> OutboundMessage:
    text = tr("Your free trial of {title} ends on {date}. Then it costs {price}.", title=subject.title,
              date=_day(subject.item, tr), price=_price(subject, tr))
    return OutboundMessage(text, _manage(subject.item, tr))


def render_dunning(reminder: Reminder, subject: Billed[Subscription], tr: Translator) -> OutboundMessage:
    text = tr("The payment for {title} is overdue. Pay now to keep your subscription.", title=subject.title)
    return OutboundMessage(text, _manage(subject.item, tr))


def render_gift(reminder: Reminder, subject: Billed[Gift], tr: Translator) -> OutboundMessage:
    text = tr("Your gift of {title} has not been claimed yet. The link works until {date}.", title=subject.title,
              date=_local_day(subject.item.expires_at, DEFAULT_TIMEZONE, tr))
    return OutboundMessage(text)


def register_billing_reminders(catalog: ReminderCatalog, *, lead: timedelta, dunning: DunningPolicy) -> None:
    """Add billing's kinds to the delivery engine's catalog (once per catalog)."""
    subscriptions, gifts = SubscriptionSource(), GiftSource()
    kinds: list[tuple[Any, Any, Any, str]] = [
        (WithNames(RenewalUpcoming(lead=lead)), subscriptions, render_renewal, N_("Renewal reminders")),
        (WithNames(TrialEnding(lead=lead)), subscriptions, render_trial, N_("Trial ending reminders")),
        (WithNames(DunningStep(dunning)), subscriptions, render_dunning, N_("Overdue payment reminders")),
        (WithNames(GiftExpiring(lead=lead)), gifts, render_gift, N_("Unclaimed gift reminders")),
    ]
    for kind, source, render, label in kinds:
        if catalog.get(kind.name) is None:
            catalog.register(kind, source, render, label)
