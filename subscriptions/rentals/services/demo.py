"""Homeline Rentals for the sandbox and the stories: a water purifier, a mattress, an air purifier, a car and
monthly home cleaning, each with its plan; units in Seoul and Busan; a week of installation slots in both.
It goes on the brand organisation the demo organisations made (kind "brand"). Loading it twice the same day
changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from subscriptions.billing_calendar import zone
from subscriptions.money import Money
from subscriptions.rentals import Rentals
from subscriptions.rentals.catalog import BrandDetails, Category, LocalText, Product, Spec, check_product
from subscriptions.rentals.fleet import units_bought
from subscriptions.rentals.plans import EndOfTerm, PlanTerms, PlanVersion, RentalPlan, TerminationFormula
from subscriptions.rentals.regions import BUSAN, SEOUL
from subscriptions.rentals.slots import Slot, week_of_slots
from subscriptions.rentals.stock import Unit, UnitStatus

PURIFIER, MATTRESS, AIR_PURIFIER, CAR, CLEANING = (
    "homeline-purifier", "homeline-mattress", "homeline-air", "homeline-car", "homeline-cleaning")
UNITS = {PURIFIER: (5, 3), MATTRESS: (3, 2), AIR_PURIFIER: (4, 2), CAR: (2, 1)}  # (Seoul, Busan)
# What each unit cost and how long it is written off over (the residual is 10% of the cost); all were bought
# on the first of the month a year before the demo starts.
UNIT_COSTS = {PURIFIER: (600_000, 60), MATTRESS: (900_000, 60), AIR_PURIFIER: (350_000, 36), CAR: (36_000_000, 60)}


HOMELINE_BUSINESS = BrandDetails(
    LocalText("주식회사 홈라인렌탈", "Homeline Rentals Co., Ltd."), "123-45-67890", LocalText("서준호", "Seo Junho"),
    LocalText("서울특별시 중구 세종대로 110", "110 Sejong-daero, Jung-gu, Seoul"), "02-1234-5678")


def won(amount: int) -> Money:
    return Money(amount, "KRW")


def _spec(key_ko: str, key_en: str, value_ko: str, value_en: str) -> Spec:
    return Spec(LocalText(key_ko, key_en), LocalText(value_ko, value_en))


def demo_products(brand_id: int, now: datetime) -> list[Product]:
    def product(product_id: str, category: Category, name: LocalText, description: LocalText,
                *specs: Spec) -> Product:
        return check_product(Product(product_id, brand_id, category, name, description, specs,
                                     (f"demo:{product_id}",), category is Category.CLEANING, now))

    return [
        product(PURIFIER, Category.WATER_PURIFIERS, LocalText("홈라인 정수기", "Homeline water purifier"),
                LocalText("냉온정수 직수형, 4개월마다 필터 교체 방문", "Hot, cold and room water; a filter change every 4 months"),
                _spec("필터", "Filter", "4단계 RO", "4-stage RO"), _spec("크기", "Size", "26×48×40 cm", "26×48×40 cm")),
        product(MATTRESS, Category.MATTRESSES, LocalText("홈라인 매트리스 퀸", "Homeline mattress, queen"),
                LocalText("60개월 후 소유권 이전, 6개월마다 케어", "Yours after 60 months; care visit every 6 months"),
                _spec("크기", "Size", "퀸 (1500×2000)", "Queen (1500×2000)")),
        product(AIR_PURIFIER, Category.AIR_PURIFIERS, LocalText("홈라인 공기청정기", "Homeline air purifier"),
                LocalText("18개월 약정, 반납형", "18 months, returned at the end"),
                _spec("면적", "Room", "50㎡", "50 m²"), _spec("필터", "Filter", "H13 HEPA", "H13 HEPA")),
        product(CAR, Category.CARS, LocalText("홈라인 전기차 장기렌트", "Homeline electric car, long-term"),
                LocalText("48개월 장기렌트, 보증금 있음, 보험 포함", "48 months with a deposit, insurance included"),
                _spec("연료", "Fuel", "전기", "Electric"), _spec("주행거리", "Range", "420 km", "420 km")),
        product(CLEANING, Category.CLEANING, LocalText("홈라인 월간 홈클리닝", "Homeline monthly home cleaning"),
                LocalText("매달 한 번 4시간 방문 청소", "A four-hour cleaning visit once a month"),
                _spec("방문", "Visit", "월 1회 4시간", "Monthly, 4 hours")),
    ]


def demo_terms() -> dict[str, PlanTerms]:
    return {
        PURIFIER: PlanTerms(36, 36, won(29_900), won(50_000), won(0), EndOfTerm.OWNERSHIP_PASSES, 4,
                            TerminationFormula(removal_fee=won(30_000))),
        MATTRESS: PlanTerms(60, 36, won(39_900), won(0), won(0), EndOfTerm.OWNERSHIP_PASSES, 6),
        AIR_PURIFIER: PlanTerms(18, 12, won(19_900), won(20_000), won(0), EndOfTerm.RETURN, 6),
        CAR: PlanTerms(48, 48, won(590_000), won(0), won(3_000_000), EndOfTerm.RETURN, 12,
                       TerminationFormula(penalty_rate=2_000, monthly_discount=won(20_000))),
        CLEANING: PlanTerms(12, 3, won(89_000), won(0), won(0), EndOfTerm.MONTH_TO_MONTH, 1),
    }


def demo_plan_id(product_id: str) -> str:
    return f"{product_id}-plan"


async def load_homeline(rentals: Rentals, *, brand_id: int) -> list[Product]:
    """Homeline's catalog, plans, units and a week of slots (from tomorrow) over its organisation."""
    now = rentals.clock.now()
    products = demo_products(brand_id, now)
    async with rentals.uow() as uow:
        await uow.rental_brands.put(brand_id, HOMELINE_BUSINESS)
        for product in products:
            await uow.rental_products.add(product)
        for product_id, terms in demo_terms().items():
            version = PlanVersion(f"{demo_plan_id(product_id)}-v1", terms, now)
            await uow.rental_plans.add(RentalPlan(demo_plan_id(product_id), product_id, brand_id, [version]))
        units = _units(brand_id, now, rentals.settings.timezone)
        refused = set(await uow.rental_units.add_many(units))
        bought = units_bought(rentals.ids.new_id(), brand_id, [unit for unit in units if unit.serial not in refused],
                              now, "demo-units")
        if bought is not None:
            await uow.ledger.append(bought)
        for slot in _slots(brand_id, now + timedelta(days=1), rentals.settings.timezone):
            await uow.rental_slots.add(slot)
        await uow.commit()
    return products


def _units(brand_id: int, now: datetime, timezone: str) -> list[Unit]:
    local = now.astimezone(zone(timezone)).date()
    bought = date(local.year - 1, local.month, 1)
    units: list[Unit] = []
    for product_id, counts in UNITS.items():
        cost, life = UNIT_COSTS[product_id]
        for region, count in zip((SEOUL.code, BUSAN.code), counts, strict=True):
            units += [Unit(f"{product_id}-{region}-{n}", product_id, brand_id, region,
                           f"HL-{product_id.removeprefix('homeline-').upper()}-{region[:3].upper()}-{n:04d}",
                           UnitStatus.IN_STOCK, now, acquisition_cost=won(cost), acquired_on=bought,
                           useful_life_months=life, residual_value=won(cost // 10)) for n in range(1, count + 1)]
    return units


TECHNICIANS = {SEOUL.code: ("박지훈", "이서연"), BUSAN.code: ("최민수",)}


def _slots(brand_id: int, first_day: datetime, timezone: str) -> list[Slot]:
    slots: list[Slot] = []
    for region in (SEOUL.code, BUSAN.code):
        day = first_day.date().isoformat()
        ids = [f"homeline-{region}-{day}-{n:02d}" for n in range(21)]
        slots += week_of_slots(ids, brand_id, region, first_day, timezone, technicians=TECHNICIANS[region])
    return slots
