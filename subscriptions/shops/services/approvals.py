"""Large shop broadcasts waiting for the platform: the queue, Approve, and Reject with a reason; and every shop's
scheduled broadcasts, which a platform admin may cancel before their time.

A broadcast to more followers than `[shops] approval_threshold` is planned as `waiting` (see `broadcasts.plan`):
neither sent nor released at its time. An admin's decision moves it on once (`decide` changes only a waiting
broadcast, so of two admins pressing at once one decides and the other is told it was decided); approved, it is
`scheduled` and goes out through the shop's broadcaster; rejected, its owner reads why. Each decision is audited
and told to the owner by an event, in the decision's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from subscriptions.flows import Flow, FlowStatus, moved, new_flow
from subscriptions.shops import Shops
from subscriptions.shops.audiences import REJECTED, SCHEDULED, WAITING, AudienceWindow, ShopBroadcast
from subscriptions.shops.errors import BroadcastDecided, BroadcastNoLongerScheduled, RejectionReasonMissing
from subscriptions.shops.events import BroadcastApproved, BroadcastRejected, ScheduledBroadcastCanceled
from subscriptions.shops.ports import ShopsUnitOfWork

REJECT_FLOW = "shops.reject_broadcast"  # waits for the admin to type why
FLOW_LIFETIME = timedelta(minutes=30)
PAGE_SIZE = 5
REASON_LIMIT = 200


@dataclass(frozen=True)
class WaitingBroadcast:
    broadcast: ShopBroadcast
    shop_name: str
    audience_size: int


async def waiting(shops: Shops, page: int) -> tuple[list[WaitingBroadcast], bool]:
    """A page of the broadcasts waiting for approval, the longest waiting first, and whether more follow."""
    return await _page(shops, page, waiting_for_approval=True)


async def scheduled(shops: Shops, page: int) -> tuple[list[WaitingBroadcast], bool]:
    """A page of every shop's broadcasts waiting for their time, the soonest first, and whether more follow."""
    return await _page(shops, page, waiting_for_approval=False)


async def _page(shops: Shops, page: int, *, waiting_for_approval: bool) -> tuple[list[WaitingBroadcast], bool]:
    """One page of either list, each broadcast with its shop's name and its audience counted now."""
    offset = max(0, page) * PAGE_SIZE
    window = AudienceWindow(shops.clock.now())
    async with shops.uow() as uow:
        listed = uow.shop_broadcasts.waiting if waiting_for_approval else uow.shop_broadcasts.scheduled_everywhere
        found = await listed(limit=PAGE_SIZE + 1, offset=offset)
        shown = [WaitingBroadcast(item, shop.name if (shop := await uow.shops.get(item.org_id)) else str(item.org_id),
                                  await uow.shop_audiences.count(item.org_id, item.audience, window))
                 for item in found[:PAGE_SIZE]]
    return shown, len(found) > PAGE_SIZE


async def approve(shops: Shops, admin_id: int, broadcast_id: str) -> ShopBroadcast:
    """Let it go out: at its time, or now if that has come (the caller hands it to the broadcaster)."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        found = await _waiting(uow, broadcast_id)
        if not await uow.shop_broadcasts.decide(found.id, SCHEDULED, by=admin_id, at=now, reason=None):
            raise BroadcastDecided(found.id)
        await uow.audit.record(actor_id=admin_id, action="shop.broadcast_approved", outcome="ok",
                               org_id=found.org_id, target=found.id, now=now)
        await uow.events.add([BroadcastApproved(found.id, found.org_id, found.sender_id, found.send_at, now)])
        await uow.commit()
    return found


async def begin_rejection(shops: Shops, admin_id: int, broadcast_id: str, chat_id: int) -> WaitingBroadcast:
    """Reject: what the admin types next is the reason its owner will read."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        found = await _waiting(uow, broadcast_id)
        shop = await uow.shops.get(found.org_id)
        size = await uow.shop_audiences.count(found.org_id, found.audience, AudienceWindow(now))
        await uow.flows.start(new_flow(shops.ids.new_id(), admin_id, REJECT_FLOW, "reason", {"broadcast_id": found.id},
                                       now=now, lifetime=FLOW_LIFETIME, chat_id=chat_id), now=now)
        await uow.commit()
    return WaitingBroadcast(found, shop.name if shop else str(found.org_id), size)


async def reject(shops: Shops, admin_id: int, flow: Flow, text: str) -> ShopBroadcast:
    """Reject with the typed reason, once; nothing of the broadcast is sent."""
    reason = " ".join(text.split())[:REASON_LIMIT]
    if not reason:
        raise RejectionReasonMissing(flow.id)
    now = shops.clock.now()
    async with shops.uow() as uow:
        found = await _waiting(uow, str(flow.state.get("broadcast_id", "")))
        if flow.owner_id != admin_id or not await uow.flows.save(moved(flow, status=FlowStatus.DONE),
                                                                 expected_version=flow.version):
            raise BroadcastDecided(found.id)
        if not await uow.shop_broadcasts.decide(found.id, REJECTED, by=admin_id, at=now, reason=reason):
            raise BroadcastDecided(found.id)
        await uow.audit.record(actor_id=admin_id, action="shop.broadcast_rejected", outcome="ok",
                               org_id=found.org_id, target=found.id, detail={"reason": reason}, now=now)
        await uow.events.add([BroadcastRejected(found.id, found.org_id, found.sender_id, reason, now)])
        await uow.commit()
    return found


async def cancel_scheduled(shops: Shops, admin_id: int, broadcast_id: str) -> ShopBroadcast:
    """A platform admin stops a scheduled broadcast before its time, once; audited, and its owner is told."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        found = await uow.shop_broadcasts.get(broadcast_id[:40])
        if found is None or not await uow.shop_broadcasts.finish(found.id, "canceled", None):
            raise BroadcastNoLongerScheduled(broadcast_id[:40])  # sent or canceled a moment ago
        await uow.audit.record(actor_id=admin_id, action="shop.broadcast_canceled", outcome="ok",
                               org_id=found.org_id, target=found.id, now=now)
        await uow.events.add([ScheduledBroadcastCanceled(found.id, found.org_id, found.sender_id, found.send_at, now)])
        await uow.commit()
    return found


async def _waiting(uow: ShopsUnitOfWork, broadcast_id: str) -> ShopBroadcast:
    found = await uow.shop_broadcasts.get(broadcast_id[:40])
    if found is None or found.status != WAITING:
        raise BroadcastDecided(broadcast_id[:40])
    return found
