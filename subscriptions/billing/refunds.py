"""A card refund the merchant has to make. Telegram pays back Stars itself (refundStarPayment) but has no call
that refunds a card payment for the bot: the merchant refunds it in their payment provider's back office.
So a card refund is a task, stored in the refund's own transaction, shown to the merchant's people and the
platform admins, and open until one of them marks it done; only then is the customer told it was refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from subscriptions.billing.errors import RefundTaskClosed
from subscriptions.ids import UserId
from subscriptions.money import Money


class RefundTaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass
class RefundTask:
    id: str
    payment_id: str
    merchant_id: str
    user_id: UserId
    provider: str
    provider_charge_id: str
    amount: Money
    description: str
    created_at: datetime
    status: RefundTaskStatus = RefundTaskStatus.OPEN
    done_at: datetime | None = None
    done_by: int | None = None
    version: int = 1

    def mark_done(self, by: int, now: datetime) -> None:
        """The merchant refunded it; a task is done once (a second press finds it closed)."""
        if self.status is not RefundTaskStatus.OPEN:
            raise RefundTaskClosed(self.id)
        self.status, self.done_at, self.done_by = RefundTaskStatus.DONE, now, by
        self.version += 1
