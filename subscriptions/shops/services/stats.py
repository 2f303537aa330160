"""The owner's dashboard: redemptions per day and by hour, active passes, followers over time, revenue by
product, and the CSV lines of redemptions and sales. Times are bucketed in the shop's own zone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from subscriptions.billing.sales import Sale
from subscriptions.money import Money
from subscriptions.shops import Shops
from subscriptions.shops.giftcards import GIFT_CARD_ITEM
from subscriptions.shops.passes import PASS_ITEM, PassProduct
from subscriptions.shops.ports import ShopsUnitOfWork
from subscriptions.shops.services.passes import pack_product_id
from subscriptions.shops.services.shops import load_shop, staffed_shop
from subscriptions.shops.shops import Shop

DAYS = 30
GIFT_CARDS = "gift_cards"  # the revenue line of gift cards sold
OTHER = "other"


@dataclass(frozen=True)
class Dashboard:
    shop: Shop
    days: tuple[date, ...]
    redemptions_per_day: tuple[int, ...]
    redemptions_by_hour: tuple[int, ...]  # 24 counts, the shop's hours
    active_passes: int
    followers_per_day: tuple[int, ...]
    revenue: dict[str, Money]  # by product id (or GIFT_CARDS, OTHER), net of refunds, KRW
    product_names: dict[str, str]
    month_revenue: Money

    @property
    def busiest_hours(self) -> list[int]:
        ranked = sorted(range(24), key=lambda hour: (-self.redemptions_by_hour[hour], hour))
        return [hour for hour in ranked[:3] if self.redemptions_by_hour[hour]]

    @property
    def redemptions(self) -> int:
        return sum(self.redemptions_per_day)


async def _shop(uow: ShopsUnitOfWork, user_id: int | None, org_id: int) -> Shop:
    """The shop, for its owner or staff; `user_id` None is the operator at the command line."""
    return await load_shop(uow, org_id) if user_id is None else await staffed_shop(uow, user_id, org_id)


def product_of_sale(sale: Sale, by_plan: dict[str, str]) -> str:
    if sale.item_kind == PASS_ITEM and sale.item_id:
        return pack_product_id(sale.item_id)
    if sale.item_kind == GIFT_CARD_ITEM:
        return GIFT_CARDS
    if sale.plan_id is not None and sale.plan_id in by_plan:
        return by_plan[sale.plan_id]
    return OTHER


async def dashboard(shops: Shops, user_id: int | None, org_id: int, *, days: int = DAYS) -> Dashboard:
    now = shops.clock.now()
    async with shops.uow() as uow:
        shop = await _shop(uow, user_id, org_id)
        zone = ZoneInfo(shop.timezone)
        today = now.astimezone(zone).date()
        first = today - timedelta(days=days - 1)
        since = datetime.combine(first, datetime.min.time(), zone)
        times = await uow.shop_figures.redemption_times(org_id, since)
        active = await uow.shop_figures.active_passes(org_id, now)
        changes = await uow.shop_figures.follow_changes(org_id, since)
        products = await uow.pass_products.of_shop(org_id)
        month_start = datetime.combine(today.replace(day=1), datetime.min.time(), zone)
        sales = await uow.payments.sales_of_merchant(shop.merchant_id, min(since, month_start))
    day_list = tuple(first + timedelta(days=offset) for offset in range(days))
    per_day = Counter(moment.astimezone(zone).date() for moment in times)
    by_hour = Counter(moment.astimezone(zone).hour for moment in times)
    revenue, month = _revenue(sales, products, since, month_start)
    return Dashboard(
        shop=shop, days=day_list, redemptions_per_day=tuple(per_day.get(day, 0) for day in day_list),
        redemptions_by_hour=tuple(by_hour.get(hour, 0) for hour in range(24)), active_passes=active,
        followers_per_day=_followers(shop.followers, changes, day_list, zone),
        revenue=revenue, product_names={product.id: product.name for product in products}, month_revenue=month)


def _revenue(sales: list[Sale], products: list[PassProduct], since: datetime,
             month_start: datetime) -> tuple[dict[str, Money], Money]:
    by_plan = {product.plan_id: product.id for product in products if product.plan_id}
    revenue: dict[str, Money] = {}
    month = Money(0, "KRW")
    for sale in sales:
        if sale.amount.currency != "KRW":
            continue
        if sale.paid_at >= since:
            key = product_of_sale(sale, by_plan)
            revenue[key] = revenue.get(key, Money(0, "KRW")) + sale.net
        if sale.paid_at >= month_start:
            month = month + sale.net
    return revenue, month


def _followers(now_count: int, changes: list[tuple[datetime, int]], days: tuple[date, ...],
               zone: ZoneInfo) -> tuple[int, ...]:
    """Followers at the end of each day, worked back from today's count through the day's follows and unfollows."""
    by_day = Counter[date]()
    for moment, delta in changes:
        by_day[moment.astimezone(zone).date()] += delta
    counts: list[int] = []
    running = now_count
    for day in reversed(days):
        counts.append(running)
        running -= by_day.get(day, 0)
    return tuple(reversed(counts))


@dataclass(frozen=True)
class RedemptionLine:
    id: str
    at: datetime
    product: str
    holder_id: int
    staff_id: int
    undone: bool


async def redemption_lines(shops: Shops, user_id: int | None, org_id: int, *, days: int = 90) -> list[RedemptionLine]:
    now = shops.clock.now()
    async with shops.uow() as uow:
        await _shop(uow, user_id, org_id)
        rows = await uow.shop_figures.redemptions(org_id, now - timedelta(days=days))
        names = {product.id: product.name for product in await uow.pass_products.of_shop(org_id)}
    return [RedemptionLine(redemption.id, redemption.at, names.get(product_id, product_id), redemption.holder_id,
                           redemption.staff_id, redemption.undone_at is not None) for redemption, product_id in rows]


async def sale_lines(shops: Shops, user_id: int | None, org_id: int, *, days: int = 90) -> list[tuple[Sale, str]]:
    """Each sale with the product it was for (a name, "gift card" or "other")."""
    now = shops.clock.now()
    async with shops.uow() as uow:
        shop = await _shop(uow, user_id, org_id)
        products = await uow.pass_products.of_shop(org_id)
        sales = await uow.payments.sales_of_merchant(shop.merchant_id, now - timedelta(days=days))
    by_plan = {product.plan_id: product.id for product in products if product.plan_id}
    names = {product.id: product.name for product in products}
    return [(sale, names.get(key, key)) for sale in sales for key in [product_of_sale(sale, by_plan)]]
