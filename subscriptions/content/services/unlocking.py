"""Before a post sold alone is bought: is it still for sale, at the price the reader was shown?"""

from __future__ import annotations

from subscriptions.content import Content
from subscriptions.content.errors import PostNotForSale, PostNotFound, PostPriceChanged
from subscriptions.content.posts import Audience, Post, PostStatus


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
