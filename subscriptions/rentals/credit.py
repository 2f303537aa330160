"""The credit check: what a rental brand asks a credit bureau about an applicant, and what it answers.

The bureau is outside the house; `bot/gateways/` talks to it and the sandbox ships a deterministic one. The domain
sees only `CreditBureau`: one question, one of three answers (approve, decline, refer for a person to review).
A decline carries a reason category the applicant may be told; never the bureau's raw file. A bureau that does
not answer in time, or answers with nonsense, raises `CreditBureauUnavailable`: the step can be tried again and
nothing has been charged or reserved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money


class CreditOutcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    REFERRED = "referred"  # a brand manager decides from the /applications queue


class DeclineReason(StrEnum):
    """Categories an applicant may be told (the bureau's detail stays with the bureau)."""

    INSUFFICIENT_HISTORY = "insufficient_history"
    AFFORDABILITY = "affordability"  # the monthly fee is high for what the file shows
    DELINQUENCY = "delinquency"  # missed payments on record
    IDENTITY_UNCONFIRMED = "identity_unconfirmed"  # the bureau could not match the person


@dataclass(frozen=True)
class CreditRequest:
    """What is sent, and only this: the consent screen names these fields."""

    reference: str  # the application's id: the bureau answers the same question the same way
    applicant_name: str
    birth_date: date
    product_value: Money  # what the brand would hand over: the total of the mandatory period, or the unit's price
    monthly_fee: Money
    term_months: int


@dataclass(frozen=True)
class CreditDecision:
    outcome: CreditOutcome
    decided_at: datetime
    bureau_reference: str  # the bureau's id for this inquiry, kept with the application
    reason: DeclineReason | None = None  # set when declined; may be set when referred
    score: int | None = None  # the bureau's score band, where it gives one; shown to brand managers only


class CreditBureauUnavailable(SubscriptionsError):
    """The bureau timed out, refused the connection or answered something unreadable: try again later."""

    code = "credit_bureau_unavailable"


class CreditBureau(Protocol):
    async def check(self, request: CreditRequest) -> CreditDecision:
        """Ask once; raises `CreditBureauUnavailable` when no decision could be had."""
        ...
