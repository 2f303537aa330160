"""Small steps the service tests repeat: paying a checkout the way Telegram reports it."""

from __future__ import annotations

from datetime import datetime

from subscriptions.billing.payments import Checkout, SuccessfulPayment
from subscriptions.billing.services import Billing, PaymentOutcome, record_successful_payment


def paid(
    checkout: Checkout,
    charge_id: str,
    *,
    recurring: bool = False,
    first_recurring: bool = False,
    expires: datetime | None = None,
) -> SuccessfulPayment:
    return SuccessfulPayment(
        user_id=checkout.user_id,
        currency=checkout.amount.currency,
        total_amount=checkout.amount.amount_minor,
        invoice_payload=checkout.payload,
        telegram_payment_charge_id=charge_id,
        provider_payment_charge_id=f"prov-{charge_id}",
        is_recurring=recurring,
        is_first_recurring=first_recurring,
        subscription_expiration_date=expires,
    )


async def pay(billing: Billing, checkout: Checkout, charge_id: str, **kwargs: object) -> PaymentOutcome:
    return await record_successful_payment(billing, paid(checkout, charge_id, **kwargs))  # type: ignore[arg-type]
