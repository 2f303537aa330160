"""The holder's cards: the list, one card (only the holder's own), its history, removing it.
"""

from __future__ import annotations

from wallet.records import (
    HistoryEntry,
)
from wallet.services.common import CardNotFound, HeldCard, Wallet, held, issuer_name


async def cards(wallet: Wallet, holder_id: int) -> list[HeldCard]:
    async with wallet.uow() as uow:
        records = await uow.wallet.credentials_of(holder_id)
        names = {r.issuer_id: await issuer_name(uow, r.issuer_id) for r in records}
    return [held(wallet, record, names[record.issuer_id]) for record in records]


async def own_card(wallet: Wallet, holder_id: int, credential_id: str) -> HeldCard:
    """The holder's own card; another person's card id is refused as unknown."""
    async with wallet.uow() as uow:
        record = await uow.wallet.credential(credential_id)
        if record is None or record.holder_id != holder_id:
            raise CardNotFound(credential_id)
        name = await issuer_name(uow, record.issuer_id)
    return held(wallet, record, name)


async def history(wallet: Wallet, holder_id: int, credential_id: str) -> list[HistoryEntry]:
    await own_card(wallet, holder_id, credential_id)
    async with wallet.uow() as uow:
        return await uow.wallet.history(credential_id)


async def remove_card(wallet: Wallet, holder_id: int, credential_id: str) -> HeldCard:
    card = await own_card(wallet, holder_id, credential_id)
    async with wallet.uow() as uow:
        await uow.wallet.remove_credential(credential_id, now=wallet.now())
        await uow.commit()
    return card
