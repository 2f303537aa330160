"""Receipts: what a user is shown after each payment and in their receipt history.

A receipt is read off a credited `Payment`: amount, what it paid for, the period it covers, the
merchant, a reference the user can quote to support, and the date. Refunds show as the amount
returned on the same receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from subscriptions.billing.payments import Payment
from subscriptions.billing_calendar import zone
from subscriptions.ids import UserId
from subscriptions.money import Money, format_money


@dataclass(frozen=True, slots=True)
class Receipt:
    reference: str  # Telegram's charge id: what the provider and support look up
    payment_id: str
    user_id: UserId
    merchant_id: str
    description: str
    purpose: str
    amount: Money
    refunded: Money
    paid_at: datetime
    period_start: datetime | None
    period_end: datetime | None

    def lines(self, locale: str = "ko", timezone: str = "Asia/Seoul") -> list[str]:
        """Plain lines a handler can label; amounts formatted for `locale`, dates in `timezone`."""

        def day(moment: datetime) -> str:
            return moment.astimezone(zone(timezone)).date().isoformat()

        rows = [self.description, format_money(self.amount, locale), day(self.paid_at)]
        if self.period_start is not None and self.period_end is not None:
            rows.append(f"{day(self.period_start)} - {day(self.period_end)}")
        if self.refunded.is_positive:
            rows.append(f"-{format_money(self.refunded, locale)}")
        rows.append(self.reference)
        return rows


def receipt_for(payment: Payment) -> Receipt:
    return Receipt(
        reference=payment.charge_id,
        payment_id=payment.id,
        user_id=payment.user_id,
        merchant_id=payment.merchant_id,
        description=payment.description,
        purpose=payment.purpose.value,
        amount=payment.amount,
        refunded=payment.refunded_amount,
        paid_at=payment.paid_at,
        period_start=payment.period_start,
        period_end=payment.period_end,
    )
