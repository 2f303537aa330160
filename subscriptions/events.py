"""Domain events, the kernel's part: how a domain records what happened and what it asks the outside to do.

A domain's events are frozen dataclasses named in the past tense (`PaymentReceived`, `GiftClaimed`); its
commands are imperative (`SendInvoice`, `RefundStarPayment`). A service hands both to its unit of work's
`events` in the same transaction as the change that caused them, so they exist exactly when the change
does. After commit one dispatcher hands each, by kind (its class name), to the handlers registered for
it; whatever they send leaves through the delivery outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class EventLog(Protocol):
    async def add(self, happened: Sequence[object]) -> None:
        """Record events and commands in the caller's transaction."""
        ...
