"""Rentals: brands' catalogs of products and plans, units per region, the checkout in the chat (identity from
the wallet, a credit check, an address and installation slot, a contract signed with the holder key, the first
payment), cooling-off and the contracts that follow.

- `catalog`, `plans`, `stock`, `regions`, `slots`, `identity`, `applications`, `contracts`, `event_log`: the
  model; `credit`: the credit bureau's port; `errors`: named refusals; `events`: what happened; `ports`: what
  storage implements.
- `services`: the use cases, each taking `Rentals` first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from subscriptions.clock import Clock
from subscriptions.ports import IdSource
from subscriptions.rentals.applications import APPLICATION_LIFETIME
from subscriptions.rentals.credit import CreditBureau
from subscriptions.rentals.identity import IdentityPolicy
from subscriptions.rentals.ports import RentalsUnitOfWork
from subscriptions.rentals.regions import SERVICE_REGIONS, Region
from subscriptions.rentals.slots import HOLD_LIFETIME


@dataclass(frozen=True)
class RentalSettings:
    timezone: str = "Asia/Seoul"  # the brands' calendars and the rent's anchor
    application_lifetime: timedelta = APPLICATION_LIFETIME
    hold_lifetime: timedelta = HOLD_LIFETIME
    regions: tuple[Region, ...] = SERVICE_REGIONS
    rent_provider: str = "card"  # who bills the monthly rent (a card: Stars take no fixed terms)
    currency: str = "KRW"  # the brands' books (a plan in another currency is refused at the close)
    # An early ending within this many months of the installation claws the unamortised commission back.
    commission_clawback_months: int = 24


@dataclass(frozen=True)
class Rentals:
    """What rentals' use cases need: units of work, the clock, ids, the credit bureau, whose identity cards
    the brands trust, and the settings."""

    uow: Callable[[], RentalsUnitOfWork]
    clock: Clock
    ids: IdSource
    bureau: CreditBureau
    identity_policy: IdentityPolicy
    settings: RentalSettings = field(default_factory=RentalSettings)
    reader: Callable[[], RentalsUnitOfWork] | None = None

    def using(self, uow: Callable[[], RentalsUnitOfWork]) -> Rentals:
        """The same rentals over other units of work (background ones, for the expiry sweep)."""
        return replace(self, uow=uow, reader=None)

    def read(self) -> RentalsUnitOfWork:
        """A unit of work for reading only (it cannot commit)."""
        return self.reader() if self.reader is not None else self.uow()
