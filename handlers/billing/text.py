"""How billing reads in the chat: prices, intervals, dates, subscription lines, receipts and refusals.

Shared by the subscription, payment, gift and earnings handlers and by the billing dispatcher, so a
receipt or a "renews on Dec 25" line reads the same wherever it appears.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.i18n import date_text
from subscriptions.billing.errors import (
    AlreadyOwned,
    CannotClaimOwnGift,
    CheckoutAlreadyPaid,
    CheckoutExpired,
    FixedTerm,
    GiftAlreadyClaimed,
    GiftCodeExpired,
    GiftNotFound,
    IllegalTransition,
    InvalidPurchase,
    LimitReached,
    NotMerchantMember,
    NotYourSubscription,
    OfferArchived,
    OfferNotFound,
    PlanArchived,
    PlanNotFound,
    PriceChanged,
    PriceOutOfRange,
    SamePlan,
    SubscriptionNotFound,
    TipMessageTooLong,
    UnsupportedByProvider,
)
from subscriptions.billing.offers import Offer, Plan
from subscriptions.billing.payments import Payment, Purpose, Reason
from subscriptions.billing.purchases import TIP_MESSAGE_LIMIT, Purchase
from subscriptions.billing.receipts import Receipt
from subscriptions.billing.subscription import Status, Subscription, TermKind
from subscriptions.billing_calendar import Interval, Unit
from subscriptions.errors import CurrencyMismatch, SubscriptionsError
from subscriptions.money import Money, format_money

if TYPE_CHECKING:
    from bot.i18n import Translator


def money(amount: Money, tr: Translator) -> str:
    return format_money(amount, tr.language)


def day(moment: datetime, timezone: str, tr: Translator, *, now: datetime) -> str:
    """"Dec 25" / "12월 25일" in the reader's timezone; "Jan 3, 2027" / "2027년 1월 3일" in another year."""
    return date_text(moment, tr.language, timezone, now=now)


def interval_text(interval: Interval, tr: Translator) -> str:
    if interval.count == 1:
        names = {Unit.DAY: tr("day"), Unit.WEEK: tr("week"), Unit.MONTH: tr("month"), Unit.YEAR: tr("year")}
        return names[interval.unit]
    counts = {
        Unit.DAY: tr.plural("{count} day", "{count} days", interval.count),
        Unit.WEEK: tr.plural("{count} week", "{count} weeks", interval.count),
        Unit.MONTH: tr.plural("{count} month", "{count} months", interval.count),
        Unit.YEAR: tr.plural("{count} year", "{count} years", interval.count),
    }
    return counts[interval.unit]


def plan_price(plan: Plan, tr: Translator) -> str:
    """"₩45,000 / month"."""
    return f"{money(plan.price, tr)} / {interval_text(plan.interval, tr)}"


def plan_line(plan: Plan, tr: Translator) -> str:
    line = f"{plan.name}: {plan_price(plan, tr)}"
    if plan.trial_days:
        line += " · " + tr.plural("{count} day free", "{count} days free", plan.trial_days)
    return line


def subscription_state(sub: Subscription, timezone: str, tr: Translator, *, now: datetime) -> str:
    """What the user needs to know about where a subscription stands."""
    end = day(sub.paid_through, timezone, tr, now=now)
    if sub.status is Status.CANCELED:
        return tr("ended")
    if sub.status is Status.PAUSED:
        return tr("paused")
    if sub.status is Status.PAST_DUE:
        return tr("payment overdue since {date}", date=end)
    if sub.status is Status.SUSPENDED:
        return tr("suspended until paid")
    if sub.cancel_at_period_end:
        return tr("ends on {date}", date=end)
    if sub.status is Status.TRIALING or sub.term.kind is TermKind.TRIAL:
        return tr("free trial until {date}", date=end)
    return tr("renews on {date}", date=end)


def subscription_line(sub: Subscription, offer: Offer | None, timezone: str, tr: Translator, *,
                      now: datetime) -> str:
    title = offer.title if offer else sub.offer_id
    plan = _plan_name(offer, sub.plan_id)
    line = f"{title} · {plan}: {subscription_state(sub, timezone, tr, now=now)}"
    if sub.pending_plan is not None and sub.is_live and not sub.cancel_at_period_end:
        line += "\n" + tr("Changes to {plan} on {date}.", plan=_plan_name(offer, sub.pending_plan.plan_id),
                          date=day(sub.paid_through, timezone, tr, now=now))
    return line


def _plan_name(offer: Offer | None, plan_id: str) -> str:
    if offer is None:
        return plan_id
    for plan in offer.plans:
        if plan.id == plan_id:
            return plan.name
    return plan_id


def receipt_text(receipt: Receipt, merchant: str, timezone: str, tr: Translator, *, now: datetime) -> str:
    lines = [
        tr("Receipt"),
        tr("Merchant: {merchant}", merchant=merchant),
        tr("For: {description}", description=receipt.description),
        tr("Amount: {amount}", amount=money(receipt.amount, tr)),
        tr("Paid on: {date}", date=day(receipt.paid_at, timezone, tr, now=now)),
    ]
    if receipt.period_start is not None and receipt.period_end is not None:
        lines.append(tr("Period: {start} - {end}", start=day(receipt.period_start, timezone, tr, now=now),
                        end=day(receipt.period_end, timezone, tr, now=now)))
    if receipt.refunded.is_positive:
        lines.append(tr("Refunded: {amount}", amount=money(receipt.refunded, tr)))
    lines.append(tr("Reference: {reference}", reference=receipt.reference))
    return "\n".join(lines)


def purchase_confirmation(purchase: Purchase, payment: Payment, merchant: str, tr: Translator) -> str:
    """What the payer reads once a one-off payment is credited (the receipt follows on its own)."""
    amount = money(purchase.amount, tr)
    if purchase.purpose is Purpose.TIP:
        return tr("Thank you: your tip of {amount} to {merchant} was sent.", amount=amount, merchant=merchant)
    return tr("Paid {amount} for “{title}”. Receipt: {reference}", amount=amount, title=payment.description,
              reference=payment.charge_id)


def refusal(error: SubscriptionsError, tr: Translator) -> str:
    """One clear sentence for each way a billing request can be refused."""
    messages: list[tuple[type[SubscriptionsError], str]] = [
        (PriceChanged, _price_changed(error, tr)),
        (AlreadyOwned, tr("You already own this.")),
        (TipMessageTooLong, tr("Your message is too long: at most {count} characters.", count=TIP_MESSAGE_LIMIT)),
        (PriceOutOfRange, tr("This price cannot be paid this way.")),
        (InvalidPurchase, tr("This cannot be bought.")),
        (PlanArchived, tr("This plan is no longer offered.")),
        (OfferArchived, tr("This offer is no longer available.")),
        (OfferNotFound, tr("This offer is no longer available.")),
        (PlanNotFound, tr("This plan is no longer offered.")),
        (LimitReached, tr("You already have this plan.")),
        (NotMerchantMember, tr("Sorry, you cannot subscribe to this merchant.")),
        (NotYourSubscription, tr("This subscription is not yours.")),
        (SubscriptionNotFound, tr("This subscription is not yours.")),
        (GiftAlreadyClaimed, tr("This gift has already been claimed.")),
        (GiftCodeExpired, tr("This gift code has expired.")),
        (GiftNotFound, tr("This gift code is not valid.")),
        (CannotClaimOwnGift, tr("This is your own gift: forward the link to the person it is for.")),
        (CheckoutAlreadyPaid, tr("This invoice has already been paid.")),
        (CheckoutExpired, tr("This invoice has expired. Please start again.")),
        (SamePlan, tr("You are already on this plan.")),
        (CurrencyMismatch, tr("These plans are in different currencies and cannot be switched.")),
        (UnsupportedByProvider, tr("This cannot be done with this way of paying.")),
        (FixedTerm, tr("This payment plan runs for the term of a contract: the contract says how it can end.")),
        (IllegalTransition, tr("This cannot be done with the subscription as it is now.")),
    ]
    for kind, text in messages:
        if isinstance(error, kind):
            return text
    return tr("Sorry, this cannot be done right now.")


def _price_changed(error: SubscriptionsError, tr: Translator) -> str:
    if isinstance(error, PriceChanged) and error.price is not None:
        return tr("The price has changed to {price} since this button was shown.", price=money(error.price, tr))
    return tr("The price has changed since this button was shown. Please look at the plan again.")


def decline_reason(reason: Reason | None, tr: Translator) -> str:
    """The error message shown in Telegram's payment form when the pre-checkout query is declined."""
    texts = {
        Reason.PRICE_CHANGED: tr("The price has changed. Nothing was charged; please look at the plan again."),
        Reason.CURRENCY_MISMATCH: tr("The currency does not match this invoice. Nothing was charged."),
        Reason.ALREADY_PAID: tr("This invoice has already been paid. Nothing was charged."),
        Reason.EXPIRED: tr("This invoice has expired. Nothing was charged."),
        Reason.OFFER_ARCHIVED: tr("This offer is no longer available. Nothing was charged."),
        Reason.PLAN_ARCHIVED: tr("This plan is no longer offered. Nothing was charged."),
        Reason.LIMIT_REACHED: tr("You already have this plan. Nothing was charged."),
        Reason.BANNED: tr("Sorry, you cannot subscribe to this merchant."),
        Reason.SUBSCRIPTION_CLOSED: tr("This subscription has ended. Nothing was charged."),
        Reason.WRONG_USER: tr("This invoice is for someone else. Nothing was charged."),
        Reason.ALREADY_OWNED: tr("You already own this. Nothing was charged."),
    }
    fallback = tr("This invoice is no longer valid. Nothing was charged.")
    return texts.get(reason, fallback) if reason is not None else fallback
