"""Visits through the sandbox beyond the story, on SQLite and on PostgreSQL: a brand manager makes someone a
technician with /visits add and sees every technician's day; an included filter change is reminded of the
evening before in Korean with Reschedule only, and a forged Skip changes nothing; a manager cannot complete a
technician's visit, nor a technician add one (refused and audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.demo import load_demo_rentals, load_demo_technicians
from bot.scheduler import visits_tick
from handlers.rentals.visit_buttons import CustomerStep, MoveVisit, OnVisit, WorkStep, WorkVisit
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.services.demo import PURIFIER, demo_plan_id, demo_terms
from subscriptions.rentals.visits import VisitStatus, WorkKind
from tests.harness import Jigap
from tests.rentals.test_story_cleaning_every_week import NOW, clock, world  # noqa: F401 (the story's fixtures)

INSTALLED = datetime(2026, 7, 28, 5, 0, tzinfo=UTC)  # 14:00 in Seoul, four months before Saturday 28 November
EVENING = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday 18:00 in Seoul


async def purifier_contract(world: Jigap, customer_id: int) -> Contract:  # noqa: F811 (the fixture)
    """Minji's purifier, installed in July (its first filter change falls on 28 November), as the checkout
    leaves a contract."""
    async with world.services.uow() as uow:
        homeline = await uow.organisations.get_by_slug("homeline")
        assert homeline is not None
        terms = demo_terms()[PURIFIER]
        contract = Contract("c-purifier-minji", "a-purifier-minji", customer_id, homeline.id, PURIFIER,
                            demo_plan_id(PURIFIER), f"{demo_plan_id(PURIFIER)}-v1", terms, "seoul", None,
                            INSTALLED - timedelta(days=2), INSTALLED, "Asia/Seoul", "pay-minji", terms.first_payment,
                            "0" * 64, "sig", installed_at=INSTALLED, technician="김")
        assert await uow.rental_contracts.add(contract)
        await uow.commit()
    return contract


async def test_a_manager_adds_a_technician_and_sees_every_technicians_day(world: Jigap) -> None:  # noqa: F811
    seo = await world.started_user("서준호", "en", username="homeline")
    await world.grant(seo, "brand_manager", "homeline")
    kim = await world.started_user("김태호", "ko", username="tech_kim")
    choi = await world.started_user("최우식", "ko", username="choi_tech")
    assert await load_demo_rentals(world.services, {"tech_kim": kim.id}) == 6  # again, now with Kim: nothing doubles
    assert (await seo.send("/visits add @choi_tech seoul 0 최 Choi")).text.startswith(
        "A technician needs a name in both languages")
    assert (await seo.send("/visits add @choi_tech")).text == "Write it like this: /visits add @username seoul 6 박 Park"
    added = await seo.send("/visits add @choi_tech busan 4 최 Choi")
    assert added.text == "Choi is now a technician in busan, up to 4 visits a day."
    refused = await kim.send("/visits add @homeline seoul 6 서 Seo")
    assert refused.text == "죄송해요. 브랜드 담당자만 할 수 있어요."
    day = await seo.send("/visits")
    assert day.text == "Today's visits:\n\nChoi (busan): 0 visits\n\nKim (seoul): 0 visits"
    async with world.services.uow() as uow:
        homeline = await uow.organisations.get_by_slug("homeline")
        assert homeline is not None
        assert len(await uow.rental_technicians.of_brand(homeline.id)) == 2
        assert len(await uow.rental_products.of_brand(homeline.id)) == 5
    choi_day = await choi.send("/visits")
    assert choi_day.text == "오늘 방문 일정:\n\n최 (busan): 방문 0건"
    async with world.services.uow() as uow:
        audit = await uow.audit.recent(actor_id=kim.id)
    assert audit and (audit[0].action, audit[0].outcome) == ("rentals.manage", "refused")


async def test_a_filter_change_is_reminded_in_korean_and_cannot_be_skipped(world: Jigap) -> None:  # noqa: F811
    minji = await world.started_user("김민지", "ko", username="minji")
    kim = await world.started_user("김태호", "ko", username="tech_kim")
    seo = await world.started_user("서준호", "en", username="homeline")
    await world.grant(seo, "brand_manager", "homeline")
    await load_demo_technicians(world.services, {"tech_kim": kim.id})
    contract = await purifier_contract(world, minji.id)
    await visits_tick(world.services)
    async with world.services.uow() as uow:
        (change,) = await uow.rental_visits.of_customer(minji.id, NOW, NOW + timedelta(days=30))
    assert change.kind is WorkKind.MAINTENANCE and change.contract_id == contract.id
    assert change.technician_id == "homeline-tech_kim"
    world.clock.set(EVENING)
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    reminder = await minji.next_message()
    assert reminder.text == "내일 14:00에 김 기사님이 방문해요\n홈라인 정수기"
    assert reminder.buttons == ["일정 바꾸기"]
    skip = await world.forge_press(minji, reminder, OnVisit(change.id, CustomerStep.SKIP_CONFIRMED).pack())
    assert skip is not None and skip.text == "이 요금제는 이 방문을 건너뛸 수 없어요. 대신 다른 시간으로 옮겨요."
    beyond = await world.forge_press(minji, reminder, MoveVisit(change.id, "homeline-tech_kim", 2**62, 1).pack())
    assert beyond is not None and beyond.text == "이미 찼거나 지난 시간이에요. 다른 시간을 골라요."
    someone_elses = await world.forge_press(seo, await seo.send("/visits"),
                                            OnVisit(change.id, CustomerStep.TIMES).pack())
    assert someone_elses is not None and someone_elses.text == "This visit is not yours or no longer exists."
    day = await seo.send("/visits")
    assert day.text == "Today's visits:\n\nKim (seoul): 0 visits"  # the visit is tomorrow's
    not_the_managers = await world.forge_press(seo, day, WorkVisit(change.id, WorkStep.COMPLETE).pack())
    assert not_the_managers is not None
    assert not_the_managers.text == "This visit is given to another technician. Nothing was changed."
    async with world.services.uow() as uow:
        stored = await uow.rental_visits.get(change.id)
        audit = await uow.audit.recent(actor_id=seo.id)
    assert stored is not None and stored.status is VisitStatus.SCHEDULED and stored.version == change.version
    assert audit and (audit[0].action, audit[0].outcome) == ("rentals.visits", "refused")
    assert stored.credit is None
