"""Attribution: a post opened from a shelf counts a click and leaves a touch on its creator; a subscription or
purchase within the window credits the touch's curator (billing books the curator's share when it is given the
curator, `subscribe(..., curator_id=)` / `start_purchase(..., curator_id=)`); a conversion is recorded once per
subscription or payment, from the payment's event. Curators see their shelves' clicks, conversions and earnings;
creators see which shelves brought their subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from subscriptions.content import Content
from subscriptions.content.ports import ContentUnitOfWork
from subscriptions.content.services.creators import owned_creator
from subscriptions.content.services.shelves import live_shelf
from subscriptions.content.shelves import (
    CHART_WEEKS,
    RECENT,
    Conversion,
    ConversionKind,
    Shelf,
    Touch,
    Week,
    weekly,
)
from subscriptions.ids import UserId
from subscriptions.ledger import curator_account
from subscriptions.money import Money


async def open_from_shelf(content: Content, reader_id: UserId, shelf_id: str, post_id: str) -> bool:
    """A reader opens a post from a shelf: a click on the shelf, and the shelf becomes the reader's last touch
    on the post's creator. Nothing is counted for the curator's own opens, a post that is not on the shelf
    (a forged button) or the curator's own creator page; True when a click was counted."""
    now = content.clock.now()
    async with content.uow() as uow:
        shelf = await live_shelf(uow, shelf_id)
        post = await uow.posts.get(post_id)
        creator = await uow.creators.get(post.org_id) if post else None
        on_shelf = any(item.post_id == post_id for item in await uow.shelves.items(shelf_id))
        if post is None or creator is None or not on_shelf or not post.is_listed:
            return False
        if reader_id in {shelf.curator_id, creator.owner_id} or shelf.curator_id == creator.owner_id:
            return False
        await uow.shelves.count_click(shelf_id)
        await uow.attribution.touch(Touch(reader_id, creator.org_id, shelf_id, shelf.curator_id, now))
        await uow.commit()
    return True


async def _credited(uow: ContentUnitOfWork, content: Content, user_id: UserId, org_id: int) -> Touch | None:
    touch = await uow.attribution.touch_of(user_id, org_id)
    creator = await uow.creators.get(org_id)
    if touch is None or creator is None:
        return None
    if not touch.credits(content.clock.now(), content.settings.attribution_window, creator_owner_id=creator.owner_id):
        return None
    return touch


async def curator_for(content: Content, user_id: UserId, org_id: int) -> tuple[UserId, str] | None:
    """The curator (and shelf) that `user_id` subscribing to or buying from the creator `org_id` now credits: the
    last shelf touch within the attribution window, never the reader's own nor the creator's own shelf. The
    subscribe, unlock and tip handlers ask before they start the payment, and pass the curator to billing."""
    async with content.uow() as uow:
        touch = await _credited(uow, content, user_id, org_id)
    return (touch.curator_id, touch.shelf_id) if touch else None


async def curator_for_merchant(content: Content, user_id: UserId, merchant_id: str) -> UserId | None:
    """`curator_for` by billing's merchant id (a creator's organisation id as text); None for other merchants."""
    if not merchant_id.isascii() or not merchant_id.isdigit():
        return None
    found = await curator_for(content, user_id, int(merchant_id))
    return found[0] if found else None


async def record_conversion(content: Content, *, kind: ConversionKind, reference: str, user_id: UserId,
                            org_id: int, curator_id: UserId) -> bool:
    """Count a subscription or payment that credited `curator_id`, once per (kind, reference): the event that
    reports it may be handed out more than once. The shelf is the reader's touch when it is still the curator's
    (else the curator's latest shelf with a post of the creator)."""
    async with content.uow() as uow:
        touch = await uow.attribution.touch_of(user_id, org_id)
        shelf_id = touch.shelf_id if touch and touch.curator_id == curator_id else (
            await uow.shelves.holding(curator_id, org_id) or "")
        added = await uow.attribution.add_conversion(Conversion(
            id=content.ids.new_id(), curator_id=curator_id, shelf_id=shelf_id, org_id=org_id, user_id=user_id,
            kind=kind, reference=reference, at=content.clock.now()))
        await uow.commit()
    return added


async def record_subscription(content: Content, subscription_id: str) -> bool:
    """A subscription started with a curator on it (a trial or a first payment): its conversion."""
    async with content.uow() as uow:
        sub = await uow.subscriptions.get(subscription_id)
    if sub is None or sub.curator_id is None or not sub.merchant_id.isdigit():
        return False
    return await record_conversion(content, kind=ConversionKind.SUBSCRIPTION, reference=sub.id,
                                   user_id=sub.user_id, org_id=int(sub.merchant_id), curator_id=sub.curator_id)


# --- what creators and curators see ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    curator_name: str
    shelf_title: str | None  # None: the shelf was deleted since
    conversions: int


async def sources(content: Content, org_id: int) -> list[Source]:
    """Which curators' shelves brought the creator `org_id` subscribers and buyers (the caller checked the
    member may see the creator's earnings)."""
    async with content.uow() as uow:
        found = []
        for curator_id, shelf_id, count in await uow.attribution.sources(org_id):
            user = await uow.users.get(curator_id)
            shelf = await uow.shelves.get(shelf_id) if shelf_id else None
            found.append(Source(user.display_name if user else str(curator_id),
                                shelf.title if shelf and shelf.is_active else None, count))
    return found


async def my_sources(content: Content, owner_id: UserId) -> list[Source]:
    """`sources` of the creator page `owner_id` owns."""
    async with content.uow() as uow:
        creator = await owned_creator(uow, owner_id)
    return await sources(content, creator.org_id)


@dataclass(frozen=True)
class ShelfStats:
    shelf: Shelf
    conversions_recent: int  # the last 30 days
    conversions_total: int


@dataclass(frozen=True)
class CuratorReport:
    shelves: list[ShelfStats]
    clicks: int
    conversions_recent: int
    conversions_total: int
    earned: list[Money]  # the `payable:curator:<id>` balance in each currency
    weeks: list[Week]

    @property
    def is_empty(self) -> bool:
        return not self.shelves and not self.conversions_total and not self.earned


async def curator_report(content: Content, curator_id: UserId) -> CuratorReport:
    """`/curator`: the curator's shelves with clicks and conversions (the last 30 days and all time), what they
    earned, and conversions and earnings per week over the last twelve weeks."""
    now = content.clock.now()
    account = curator_account(curator_id)
    async with content.uow() as uow:
        shelves = await uow.shelves.of_curator(curator_id)
        recent = await uow.attribution.conversions_by_shelf(curator_id, since=now - RECENT)
        total = await uow.attribution.conversions_by_shelf(curator_id)
        times = await uow.attribution.conversion_times(curator_id, since=now - timedelta(days=7 * CHART_WEEKS))
        journal = await uow.ledger.for_account(account)
    balances: dict[str, int] = {}
    postings: list[tuple[datetime, str, int]] = []
    for transaction in journal:
        posted = transaction.amount_for(account)
        if posted is None:
            continue
        balances[posted.currency] = balances.get(posted.currency, 0) - posted.amount_minor
        postings.append((transaction.occurred_at, posted.currency, -posted.amount_minor))
    earned = [Money(amount, currency) for currency, amount in sorted(balances.items())]
    stats = [ShelfStats(shelf, recent.get(shelf.id, 0), total.get(shelf.id, 0)) for shelf in shelves]
    weeks = weekly(now, times, postings)
    return CuratorReport(stats, sum(shelf.clicks for shelf in shelves), sum(recent.values()), sum(total.values()),
                         earned, weeks)

