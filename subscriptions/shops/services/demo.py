"""Cafe Onda for the sandbox and the stories: its page, the monthly pass (billing's demo offer's 20-Americano
plan), a 10-use pack, gift cards, its followers and, when the sandbox made one, its channel. Loading it twice
changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from subscriptions.money import Money
from subscriptions.shops import Shops
from subscriptions.shops.passes import PassKind, PassProduct, Window
from subscriptions.shops.shops import Channel, Shop, parse_hours

MONTHLY_PASS = "onda-monthly"
MORNING_PACK = "onda-pack10"
DEMO_OFFER, DEMO_PLAN = "onda-pass", "americano20"  # billing's demo offer (subscriptions.billing.demo)


async def load_cafe_onda(shops: Shops, *, org_id: int, owner_id: int, followers: list[int],
                         channel: Channel | None = None) -> Shop:
    """Cafe Onda's shop row, passes and followers over its organisation (made by the demo organisations)."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        shop = await uow.shops.get(org_id)
        if shop is None:
            shop = Shop(org_id=org_id, name="Cafe Onda", category="cafe", address="서울 마포구 연남로 12",
                        hours=parse_hours("Mon-Fri 07:30-20:00, Sat-Sun 09:00-18:00"), phone="02-333-0412",
                        owner_id=owner_id, timezone=shops.settings.timezone, created_at=now)
            await uow.shops.add(shop)
        if channel is not None and shop.channel != channel:
            linked = replace(shop, channel=channel, version=shop.version + 1)
            await uow.shops.save(linked, expected_version=shop.version)
            shop = linked
        for product in demo_products(org_id, now):
            await uow.pass_products.add(product)
        await uow.shop_follows.add_many(org_id, followers, now)
        await uow.commit()
    async with shops.uow() as uow:
        found = await uow.shops.get(org_id)
    assert found is not None
    return found


def demo_products(org_id: int, now: datetime) -> list[PassProduct]:
    return [
        PassProduct(id=MONTHLY_PASS, org_id=org_id, name="Monthly pass", item="Americano", uses=20,
                    kind=PassKind.SUBSCRIPTION, price=Money(45000, "KRW"), created_at=now, daily_cap=2,
                    rollover_max=5, offer_id=DEMO_OFFER, plan_id=DEMO_PLAN),
        PassProduct(id=MORNING_PACK, org_id=org_id, name="Morning 10-pack", item="Americano", uses=10,
                    kind=PassKind.PACK, price=Money(38000, "KRW"), created_at=now, window=Window(8 * 60, 11 * 60),
                    valid_days=90),
    ]
