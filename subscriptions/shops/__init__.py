"""Shops: their pages, staff and channel, followers and broadcasts, passes redeemed at the counter, transfers of
uses, gift cards, and the owner's dashboard.

- `shops`, `passes`, `counter`, `transfers`, `giftcards`, `audiences`: the model; `errors`: named refusals;
  `events`: what happened; `ports`: what storage implements.
- `services`: the use cases, each taking `Shops` first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from subscriptions.billing.services.common import Billing
from subscriptions.clock import Clock
from subscriptions.ports import IdSource
from subscriptions.shops.ports import ShopsUnitOfWork


@dataclass(frozen=True)
class ShopSettings:
    broadcasts_per_day: int = 3  # per shop, in the shop's own day
    approval_threshold: int = 1000  # a broadcast to more followers than this waits for a platform admin
    timezone: str = "Asia/Seoul"  # a new shop's, until its owner says otherwise


@dataclass(frozen=True)
class Shops:
    """What shops' use cases need: units of work, the clock, ids, billing (passes and gift cards are sold
    through it) and the settings."""

    uow: Callable[[], ShopsUnitOfWork]
    clock: Clock
    ids: IdSource
    billing: Billing
    settings: ShopSettings = field(default_factory=ShopSettings)
    # Units of work that only read: on SQLite they never wait for the writer lock, so the counter's lookups do
    # not queue behind other shops' redemptions. Without it, reads use `uow`.
    reader: Callable[[], ShopsUnitOfWork] | None = None

    def using(self, uow: Callable[[], ShopsUnitOfWork]) -> Shops:
        """The same shops over other units of work (background ones, for sweeps)."""
        return replace(self, uow=uow, reader=None)

    def read(self) -> ShopsUnitOfWork:
        """A unit of work for reading only (it cannot commit)."""
        return self.reader() if self.reader is not None else self.uow()
