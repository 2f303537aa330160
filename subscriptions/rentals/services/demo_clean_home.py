"""Clean Home (클린홈) for the sandbox and the story "Cleaning every week": weekly home cleaning in Seoul, every
Tuesday at 10:00 from the first visit the customer books, the first week free (its value comes off the next
payment), a missed visit credited 10% of the month's rent, a visit skippable. Its first visits are booked in the
brand's calendar (the next Tuesdays at 10:00); its technicians, Park among them, are added with the demo people.
Loading it twice changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from subscriptions.billing_calendar import require_aware, zone
from subscriptions.rentals import Rentals
from subscriptions.rentals.catalog import BrandDetails, Category, LocalText, Product, Spec, check_product
from subscriptions.rentals.plans import EndOfTerm, PlanTerms, PlanVersion, RentalPlan
from subscriptions.rentals.regions import SEOUL
from subscriptions.rentals.services.demo import won
from subscriptions.rentals.slots import Slot
from subscriptions.rentals.visits import Cadence, VisitPolicy, WorkKind

WEEKLY_CLEANING = "cleanhome-weekly"
WEEKLY_PLAN = f"{WEEKLY_CLEANING}-plan"
TUESDAY = 1  # Monday is 0
FIRST_VISIT = time(10, 0)
BOOKABLE_WEEKS = 3
FIRST_VISITS_A_DAY = 6

CLEAN_HOME_BUSINESS = BrandDetails(
    LocalText("주식회사 클린홈", "Clean Home Co., Ltd."), "234-56-78901", LocalText("한지민", "Han Jimin"),
    LocalText("서울특별시 마포구 양화로 45", "45 Yanghwa-ro, Mapo-gu, Seoul"), "02-2345-6789")


def weekly_cleaning(brand_id: int, now: datetime) -> Product:
    return check_product(Product(
        WEEKLY_CLEANING, brand_id, Category.CLEANING, LocalText("클린홈 주간 청소", "Clean Home weekly cleaning"),
        LocalText("매주 화요일 10시 3시간 방문 청소, 첫 주 무료", "Three hours of cleaning every Tuesday at 10:00, "
                  "the first week free"),
        (Spec(LocalText("방문", "Visit"), LocalText("매주 3시간", "Weekly, 3 hours")),
         Spec(LocalText("포함", "Includes"), LocalText("주방, 욕실, 바닥, 먼지", "Kitchen, bathroom, floors, dusting"))),
        (f"demo:{WEEKLY_CLEANING}",), True, now))


def weekly_terms() -> PlanTerms:
    return PlanTerms(12, 3, won(120_000), won(0), won(0), EndOfTerm.MONTH_TO_MONTH)


def weekly_policy() -> VisitPolicy:
    return VisitPolicy(WEEKLY_PLAN, WorkKind.CLEANING, Cadence.WEEKLY, skippable=True, missed_credit_rate=1_000,
                       free_visits=1)


def tuesdays(first_day: datetime, timezone: str, weeks: int = BOOKABLE_WEEKS) -> list[datetime]:
    """The next `weeks` Tuesdays at 10:00 local time from `first_day`'s date on."""
    local = first_day.astimezone(zone(timezone)).date()
    ahead = (TUESDAY - local.weekday()) % 7
    return [require_aware(datetime.combine(local + timedelta(days=ahead + 7 * week), FIRST_VISIT,
                                           tzinfo=zone(timezone))) for week in range(weeks)]


async def load_clean_home(rentals: Rentals, *, brand_id: int) -> Product:
    """Clean Home's weekly cleaning, its plan and visit policy, and the first visits bookable (from tomorrow)."""
    now = rentals.clock.now()
    product = weekly_cleaning(brand_id, now)
    async with rentals.uow() as uow:
        await uow.rental_brands.put(brand_id, CLEAN_HOME_BUSINESS)
        await uow.rental_products.add(product)
        version = PlanVersion(f"{WEEKLY_PLAN}-v1", weekly_terms(), now)
        await uow.rental_plans.add(RentalPlan(WEEKLY_PLAN, WEEKLY_CLEANING, brand_id, [version]))
        await uow.rental_visit_policies.put(weekly_policy())
        for start in tuesdays(now + timedelta(days=1), rentals.settings.timezone):
            slot_id = f"cleanhome-{SEOUL.code}-{start.date().isoformat()}"
            await uow.rental_slots.add(Slot(slot_id, brand_id, SEOUL.code, start, start + timedelta(hours=3),
                                            FIRST_VISITS_A_DAY, "박"))
        await uow.commit()
    return product
