"""Customer credits: money a merchant owes a customer (a missed visit, a free first week), taken off that
customer's next renewal invoice of the subscription it names. A credit is written once (its id is the cause's,
so a sweep that runs twice credits once) and used once: the invoice that takes it off records its checkout.

A credit is taken whole and only while the invoice stays payable (above zero); one that does not fit waits for
the next invoice, so no credit is ever split or lost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from subscriptions.errors import SubscriptionsError
from subscriptions.ids import UserId
from subscriptions.money import Money


class InvalidCredit(SubscriptionsError):
    """A credit that is not positive."""

    code = "billing_invalid_credit"


@dataclass(frozen=True, slots=True)
class CustomerCredit:
    id: str
    user_id: UserId
    merchant_id: str
    subscription_id: str  # the subscription whose next invoice takes it off
    amount: Money
    reason: str  # "visit_missed", "service_trial", ...
    created_at: datetime
    applied_checkout_id: str | None = None

    def __post_init__(self) -> None:
        if not self.amount.is_positive:
            raise InvalidCredit(f"{self.amount}")


@dataclass(frozen=True, slots=True)
class CreditedPrice:
    amount: Money  # what the invoice asks
    credit: Money  # what the credits took off
    used: tuple[str, ...]  # the credits taken


def credited_price(price: Money, credits: Sequence[CustomerCredit]) -> CreditedPrice:
    """`price` less the credits (oldest first) that fit while something is left to pay."""
    credit = Money.zero(price.currency)
    used: list[str] = []
    for each in sorted(credits, key=lambda c: (c.created_at, c.id)):
        if each.applied_checkout_id is not None or each.amount.currency != price.currency:
            continue
        if (credit + each.amount) < price:
            credit = credit + each.amount
            used.append(each.id)
    return CreditedPrice(price - credit, credit, tuple(used))
