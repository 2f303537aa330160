"""A contract for the back office's money tests: Homeline's water purifier (36 months at ₩29,900, mandatory 36,
a ₩30,000 removal fee), signed and installed on a Friday afternoon in Seoul."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from subscriptions.money import Money
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.late import ScheduledInstalment, instalments_of
from subscriptions.rentals.plans import EndOfTerm, PlanTerms
from subscriptions.rentals.services.demo import PURIFIER, demo_terms

SIGNED = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
INSTALLED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # Friday 15:00 in Seoul


def won(amount: int) -> Money:
    return Money(amount, "KRW")


def contract(terms: PlanTerms | None = None, *, end_of_term: EndOfTerm | None = None) -> Contract:
    chosen = terms or demo_terms()[PURIFIER]
    if end_of_term is not None:
        chosen = replace(chosen, end_of_term=end_of_term)
    return Contract("HL-2026-000001", "app-1", 710_001, 7, PURIFIER, "plan", "plan-v1", chosen, "seoul", "unit-1",
                    SIGNED, INSTALLED, "Asia/Seoul", "pay-1", chosen.first_payment, "0" * 64, "a.b.c",
                    installed_at=INSTALLED, rent_subscription_id="rent-HL-2026-000001")


def schedule(paid_through: int, the_contract: Contract | None = None) -> list[ScheduledInstalment]:
    """The contract's rows with instalments 1..`paid_through` paid on their due moment."""
    rows = instalments_of(the_contract or contract(), SIGNED)
    return [replace(each, paid_at=each.due_at) if each.number <= paid_through else each for each in rows]
