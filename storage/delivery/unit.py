"""The delivery engine's part of the unit of work: the outbox, reminders and notices, and preferences."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.unit import UnitPart
from storage.delivery.repositories import DeliveryRepository, OutboxRepository, PreferencesRepository


class DeliveryPart(UnitPart):
    outbox: OutboxRepository
    delivery: DeliveryRepository

    def _bind(self, connection: AsyncConnection) -> None:
        self.outbox = OutboxRepository(connection)
        self.delivery = DeliveryRepository(connection)
        super()._bind(connection)

    @property
    def preferences(self) -> PreferencesRepository:
        return self.delivery.preferences
