"""The wallet's part of the unit of work: what `wallet.ports.WalletUnitOfWork` names."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.unit import UnitPart
from storage.wallet.repositories import WalletRepository


class WalletPart(UnitPart):
    wallet: WalletRepository

    def _bind(self, connection: AsyncConnection) -> None:
        self.wallet = WalletRepository(connection, self._envelope)
        super()._bind(connection)
