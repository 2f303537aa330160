"""Giving some of a pass's uses by a single-use link; claiming moves them between two passes in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from subscriptions.shops import Shops
from subscriptions.shops.errors import (
    NoUsesLeft,
    OwnTransfer,
    PassNotFound,
    TransferAboveBalance,
    TransferGone,
)
from subscriptions.shops.events import TransferClaimed
from subscriptions.shops.passes import ActivityKind, Pass, PassProduct, PassStatus
from subscriptions.shops.services.passes import record
from subscriptions.shops.transfers import TRANSFER_LIFETIME, Transfer


async def offer_uses(shops: Shops, giver_id: int, pass_id: str, uses: int) -> Transfer:
    """A link giving `uses` of the giver's pass; refused above the balance. Nothing moves until it is claimed."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        pass_ = await uow.passes.get(pass_id[:40])
        if pass_ is None or pass_.holder_id != giver_id:
            raise PassNotFound(pass_id[:40])
        if not pass_.usable(now):
            raise NoUsesLeft(pass_.id)
        if uses < 1 or uses > pass_.balance:
            raise TransferAboveBalance(pass_.balance)
        transfer = Transfer(shops.ids.token(12), pass_.id, giver_id, uses, now, now + TRANSFER_LIFETIME)
        await uow.transfers.add(transfer)
        await uow.commit()
    return transfer


@dataclass(frozen=True)
class TransferView:
    transfer: Transfer
    product: PassProduct
    shop_name: str


async def transfer_by_code(shops: Shops, code: str) -> TransferView:
    async with shops.uow() as uow:
        transfer = await uow.transfers.get(code[:40])
        pass_ = await uow.passes.get(transfer.pass_id) if transfer is not None else None
        product = await uow.pass_products.get(pass_.product_id) if pass_ is not None else None
        shop = await uow.shops.get(pass_.org_id) if pass_ is not None else None
    if transfer is None or product is None or shop is None or not transfer.open(shops.clock.now()):
        raise TransferGone(code[:12])
    return TransferView(transfer, product, shop.name)


async def claim_uses(shops: Shops, recipient_id: int, code: str) -> Pass:
    """The link's uses leave the giver's pass and make the recipient's, together or not at all."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        transfer = await uow.transfers.get(code[:40])
        if transfer is None or not transfer.open(now):
            raise TransferGone(code[:12])
        if transfer.giver_id == recipient_id:
            raise OwnTransfer(code[:12])
        if not await uow.transfers.claim(transfer.code, recipient_id, now):
            raise TransferGone(code[:12])
        giver = await uow.passes.lock(transfer.pass_id)
        if giver is None or not giver.usable(now):
            raise TransferGone(code[:12])
        left = await uow.passes.take(giver.id, transfer.uses)
        if left is None:
            raise TransferAboveBalance(giver.balance)
        received = Pass(id=shops.ids.new_id(), product_id=giver.product_id, org_id=giver.org_id,
                        holder_id=recipient_id, balance=transfer.uses, period_end=giver.period_end,
                        status=PassStatus.ACTIVE, source=f"transfer:{transfer.code}", created_at=now)
        if not await uow.passes.add(received):
            raise TransferGone(code[:12])
        await record(uow, shops, giver, ActivityKind.TRANSFERRED, -transfer.uses, left, actor_id=transfer.giver_id,
                     reference=received.id)
        await record(uow, shops, received, ActivityKind.TRANSFERRED, transfer.uses, transfer.uses,
                     actor_id=transfer.giver_id, reference=giver.id)
        await uow.events.add([TransferClaimed(transfer.code, transfer.giver_id, recipient_id, transfer.uses,
                                              received.id, now)])
        await uow.commit()
    return received
