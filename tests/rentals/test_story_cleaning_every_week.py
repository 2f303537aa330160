"""The story "Cleaning every week" end to end through the sandbox, on SQLite and on PostgreSQL: Alex subscribes to
Clean Home's weekly cleaning through the rental checkout (the first week free), his visits are laid out every
Tuesday at 10:00 and given to Park; Monday evening the reminder comes with Reschedule and Skip, and he moves the
visit to Wednesday; Park works it from /visits with the checklist and photos and Alex gets "Cleaning done" with
them; the next Tuesday's visit is missed, and Alex's next payment is credited as the plan promises. Kim, another
brand's technician, cannot touch Park's visit, and Alex cannot open /visits (both refused and audited)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from PIL import Image

from bot.demo import load_demo_technicians
from bot.scheduler import visits_tick
from handlers.rentals.visit_buttons import MoveVisit, WorkStep, WorkVisit
from sandbox.client import BotMessage, SandboxUser
from subscriptions.billing.payments import Purpose
from subscriptions.clock import FixedClock
from subscriptions.money import Money
from subscriptions.rentals.contracts import rent_subscription_id
from subscriptions.rentals.visits import FieldVisit, VisitStatus
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap
from tests.rentals.test_checkout_e2e import PRINTING, licensed
from tests.rentals.worlds import homeline_world
from tests.wallet_e2e.helpers import PIN, enter_pin

NOW = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # Friday 09:00 in Seoul; Clean Home's first visits from Tuesday
ALEX_BORN = "1992-06-15"
MONDAY_EVENING = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 18:00 in Seoul
WEDNESDAY_MORNING = datetime(2026, 12, 2, 1, 40, tzinfo=UTC)  # 10:40
NEXT_WEDNESDAY = datetime(2026, 12, 8, 15, 5, tzinfo=UTC)  # 00:05 on Wednesday 9 December: Tuesday is over


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def world(clock: FixedClock, migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
                ) -> AsyncIterator[Jigap]:
    async with homeline_world(migrated_database_url, clock, monkeypatch, quick_checkout=True) as jigap:
        yield jigap


def photo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 220, 250)).save(out, "PNG")
    return out.getvalue()


async def subscribe(world: Jigap, alex: SandboxUser) -> BotMessage:
    """/rent → Cleaning services → Clean Home's weekly cleaning → Rent this, the card shown with his PIN, the
    credit check, a Seoul address, Tuesday 10:00, the contract signed with his PIN, the first month paid."""
    categories = await alex.send("/rent")
    await alex.press("Cleaning services", categories)
    await alex.press("Clean Home weekly cleaning", await alex.wait_for_edit(categories))
    assert (await alex.next_message()).photo  # the plans compared
    page = await alex.next_message()
    assert page.text.startswith("Clean Home weekly cleaning\n")
    await alex.press("Rent this: 12 months plan", page)
    asked = await alex.next_message()
    assert asked.text.startswith("Clean Home asks to see: Name, Over 19")
    await alex.press("Share", asked)
    await enter_pin(alex, await alex.wait_for_edit(asked), PIN)
    await alex.next_message()  # the consent screen asks for his date of birth
    checking = await alex.send(ALEX_BORN)
    assert (await alex.wait_for_edit(checking)).text == "Approved by the credit check."
    await alex.next_message()  # where to come
    await alex.send("서울 마포구 월드컵북로 396")
    slots = await alex.next_message()
    assert slots.buttons[0] == "Tue 1 Dec 10:00"
    await alex.press("Tue 1 Dec 10:00", slots)
    await alex.next_message(PRINTING)  # the contract PDF
    await alex.press("Sign with PIN", await alex.next_message())
    signed = await enter_pin(alex, await alex.next_message(PRINTING), PIN)
    assert signed.text.startswith("You signed the contract.")
    await alex.next_message()  # his copy of the signature
    parts = await alex.next_message()
    assert parts.text.splitlines()[-1] == "Total: ₩120,000"
    assert (await alex.pay(await alex.next_message())).paid
    await receipt_and_reply(alex)
    await world.deliver()
    confirmed = await alex.next_message()
    assert confirmed.text.startswith("Your rental is confirmed: Clean Home weekly cleaning.")
    return confirmed


async def visits_of(world: Jigap, alex: SandboxUser) -> list[FieldVisit]:
    now = world.clock.now()
    async with world.services.uow() as uow:
        return await uow.rental_visits.of_customer(alex.id, now.replace(year=2025), now.replace(year=2027))


async def test_cleaning_every_week(world: Jigap) -> None:
    alex = await licensed(world, "Alex", ALEX_BORN)
    await world.client.register_bureau_record("Alex", ALEX_BORN, outcome="approved")
    park = await world.started_user("박성민", "ko", username="tech_park")
    kim = await world.started_user("김태호", "ko", username="tech_kim")
    await load_demo_technicians(world.services, {"tech_park": park.id, "tech_kim": kim.id})

    # 1. Alex subscribes; the first week is free, and his visits are every Tuesday at 10:00, given to Park.
    await subscribe(world, alex)
    await visits_tick(world.services)
    await world.deliver()
    trial = await alex.next_message()
    assert trial.text == "Your first week is free: ₩27,692 comes off your next payment."
    visits = await visits_of(world, alex)
    assert [v.scheduled_at.isoformat() for v in visits] == [
        "2026-12-01T01:00:00+00:00", "2026-12-08T01:00:00+00:00", "2026-12-15T01:00:00+00:00",
        "2026-12-22T01:00:00+00:00"]
    assert {v.technician_id for v in visits} == {"clean-home-tech_park"}

    # 2. Monday evening: the reminder, with Reschedule and Skip. He moves the visit to Wednesday.
    world.clock.set(MONDAY_EVENING)
    await world.services.delivery.scheduler.sweep()
    await world.deliver()
    reminder = await alex.next_message()
    assert reminder.text == "Cleaning tomorrow 10:00, technician Park\nClean Home weekly cleaning"
    assert reminder.buttons == ["Reschedule", "Skip"]
    await alex.press("Reschedule", reminder)
    times = await alex.wait_for_edit(reminder)
    assert times.text == "Pick a new time for the cleaning:"
    assert times.buttons[:3] == ["Tue 1 Dec 14:00 · Park", "Tue 1 Dec 17:00 · Park", "Wed 2 Dec 10:00 · Park"]
    past = MoveVisit(visits[0].id, "clean-home-tech_park", int(NOW.timestamp()) // 60).pack()
    refused = await world.forge_press(alex, times, past)
    assert refused is not None and refused.text == "That time is taken or past. Pick another time."
    await alex.press("Wed 2 Dec 10:00 · Park", times)
    asked = await alex.wait_for_edit(times)
    assert asked.text == "Move the visit to Wed 2 Dec 10:00, technician Park?"
    await alex.press("Move it", asked)
    moved = await alex.wait_for_edit(asked)
    assert moved.text == "Moved. Cleaning: Wed 2 Dec 10:00, technician Park"
    after = {v.id: v for v in await visits_of(world, alex)}
    assert after[visits[0].id].status is VisitStatus.RESCHEDULED
    wednesday = after[after[visits[0].id].moved_to or ""]
    assert wednesday.scheduled_at.isoformat() == "2026-12-02T01:00:00+00:00"

    # 3. Wednesday: Park works it from /visits with the checklist and a photo; Alex is told, with the photo.
    world.clock.set(WEDNESDAY_MORNING)
    refused_alex = await alex.send("/visits")
    assert refused_alex.text == "Sorry, only a brand's technicians can do this."
    day = await park.send("/visits")
    assert day.text == "오늘 방문 일정:\n\n박 (seoul): 방문 1건\n10:00 청소 · 할 일"
    await park.press("10:00 청소", day)
    sheet = await park.wait_for_edit(day)
    assert sheet.text.splitlines()[:3] == ["청소 · 12월 2일 (수) 10:00", "클린홈 주간 청소", "주소: 서울 마포구 월드컵북로 396"]
    forged = WorkVisit(wednesday.id, WorkStep.COMPLETE).pack()
    other = await kim.send("/visits")
    not_his = await world.forge_press(kim, other, forged)
    assert not_his is not None and not_his.text == "다른 기사님에게 배정된 방문이에요. 아무것도 바뀌지 않았어요."
    await park.press("⬜ 주방", sheet)
    sheet = await park.wait_for_edit(sheet)
    await park.press("⬜ 욕실", sheet)
    sheet = await park.wait_for_edit(sheet)
    assert sheet.buttons[:2] == ["✅ 주방", "✅ 욕실"]
    await park.press("사진 추가", sheet)
    await park.wait_for_edit(sheet)
    added = await park.send_photo(photo_png())
    assert added.text == "사진을 추가했어요 (1장). 더 보내거나 완료를 눌러요."
    await park.press("완료", added)
    done = await park.wait_for_edit(added)
    assert done.text == "완료했어요: 청소 10:00. 고객에게 사진과 함께 알렸어요."
    await world.deliver()
    told = await alex.next_message()
    assert told.text.splitlines() == ["Cleaning done.", "Cleaning: Wed 2 Dec 10:00, technician Park",
                                      "Done: Kitchen, Bathroom"]
    shown = await alex.next_message()
    assert shown.photo and shown.text == "Photo 1 of 1"
    async with world.services.uow() as uow:
        refusals = [entry for user in (alex, kim) for entry in await uow.audit.recent(actor_id=user.id)]
        contract = await uow.rental_contracts.get(wednesday.contract_id)
    assert {(entry.action, entry.outcome) for entry in refusals} == {("rentals.visits", "refused")}
    assert len(refusals) == 2
    assert contract is not None and contract.installed_at == WEDNESDAY_MORNING  # the rent runs from today

    # 4. Nobody comes on the next Tuesday: missed, and credited as the plan promises.
    world.clock.set(NEXT_WEDNESDAY)
    await visits_tick(world.services)
    await world.deliver()
    sorry = await alex.next_message()
    assert sorry.text == ("We are sorry: nobody came for your cleaning on Tue 8 Dec 10:00. ₩12,000 comes off your "
                          "next payment, as your plan promises.")

    # 5. His next payment: the month's ₩120,000 less the free week and the missed visit.
    world.clock.set(datetime(2026, 12, 30, 3, 0, tzinfo=UTC))
    await world.tick()
    await world.deliver()
    async with world.services.uow() as uow:
        invoice = await uow.checkouts.by_idempotency_key(alex.id, f"renewal:{rent_subscription_id(contract)}:2")
    assert invoice is not None and invoice.purpose is Purpose.RENEWAL
    assert invoice.amount == Money(120_000 - 27_692 - 12_000, "KRW")
