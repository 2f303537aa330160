"""Before a post sold alone is bought: is it still for sale, at the price the reader was shown?"""

from __future__ import annotations

from subscriptions.billing.payments import Purpose
from subscriptions.billing.services.common import CheckoutStarted
from subscriptions.billing.services.purchases import start_purchase
from subscriptions.content import Content
from subscriptions.content.errors import PostNotForSale, PostNotFound, PostPriceChanged
from subscriptions.content.posts import Audience, Post, PostStatus
from subscriptions.content.services.posts import POST_ITEM
from subscriptions.ids import UserId
from subscriptions.ledger import CREATOR_SPLIT
from subscriptions.money import Money


async def check_unlock(content: Content, post_id: str, currency: str, amount_minor: int) -> Post:
    """The post, if it is published, sold on its own by an active creator and still costs `amount_minor` in
    `currency`; `PostPriceChanged` carries the prices it costs now."""
    async with content.uow() as uow:
        post = await uow.posts.get(post_id)
        creator = await uow.creators.get(post.org_id) if post is not None else None
    if post is None or creator is None or post.status is not PostStatus.PUBLISHED:
        raise PostNotFound(post_id[:40])
    if post.taken_down or post.access.audience is not Audience.PAID or not creator.is_active:
        raise PostNotForSale(post_id)
    price = next((price for price in post.access.prices if price.currency == currency), None)
    if price is None or price.amount_minor != amount_minor:
        raise PostPriceChanged(post.access.prices)
    return post


async def unlock_post(content: Content, user_id: UserId, post_id: str, currency: str, amount_minor: int, *,
                      idempotency_key: str, curator_id: UserId | None = None) -> CheckoutStarted:
    """Start buying one post at the price the reader was shown: billing's one-off purchase, split as the
    creator's subscriptions are (a curator who brought the reader takes their share)."""
    post = await check_unlock(content, post_id, currency, amount_minor)
    async with content.uow() as uow:
        creator = await uow.creators.get(post.org_id)
    assert creator is not None  # check_unlock found it
    price = Money(amount_minor, currency)
    return await start_purchase(
        content.billing, user_id=user_id, merchant_id=creator.merchant_id, item_kind=POST_ITEM, item_id=post.id,
        title=post.title, description=f"{creator.name}: {post.title}"[:255], price=price, expected_price=price,
        split=CREATOR_SPLIT, curator_id=curator_id if curator_id != creator.owner_id else None,
        idempotency_key=idempotency_key, purpose=Purpose.PURCHASE)
