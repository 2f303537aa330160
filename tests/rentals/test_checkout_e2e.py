"""The story "Minji rents a water purifier" through the sandbox, from the catalog to the invoice of the first
payment, on SQLite and on PostgreSQL; Jisoo's referral approved from /applications; a decline; and the bad
input that gets a clear answer and changes nothing."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from bot.scheduler import rentals_tick
from sandbox.client import BotMessage, SandboxUser
from subscriptions.clock import FixedClock
from subscriptions.rentals.applications import ApplicationStatus, Step
from tests.harness import Jigap
from tests.rentals.worlds import homeline_world
from tests.wallet_e2e.helpers import PIN, enter_pin
from wallet.services import offers, pins

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)  # Wednesday 21:04 in Seoul; slots from Thursday
MINJI_BORN = "2001-04-09"  # the sandbox bureau scores her 839: approved
PRINTING = 30.0  # seconds a contract may take: the process's first one cuts the Hangul fonts


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def world(clock: FixedClock, migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
                ) -> AsyncIterator[Jigap]:
    async with homeline_world(migrated_database_url, clock, monkeypatch, quick_checkout=True) as jigap:
        yield jigap


async def licensed(world: Jigap, name: str, born: str = MINJI_BORN, *, language: str = "en",
                   issuer: str = "road-authority", card: str = "driver_license") -> SandboxUser:
    """Someone who opened the bot, with a card from `issuer` in their wallet and a PIN."""
    user = await world.started_user(name, language, username=f"u{abs(hash(name)) % 10**8}")
    async with world.services.uow() as uow:
        organisation = await uow.organisations.get_by_slug(issuer)
    assert organisation is not None
    claims = {"name": name, "birth_date": born}
    if card == "driver_license":
        claims |= {"license_number": "11-24-123456-78", "license_class": "1종 보통"}
    else:
        claims |= {"certificate_name": "정보처리기사", "certificate_number": "ABC123456", "passed_date": "2022-06-01"}
    offer = await offers.create_offer(world.services.wallet, org_id=organisation.id, card_type_id=card,
                                      holder_id=user.id, claims=claims, photo=None, created_by=None)
    await offers.accept_offer(world.services.wallet, offer.id, user.id)
    await pins.set_pin(world.services.wallet, user.id, PIN)
    return user


async def open_purifier(user: SandboxUser) -> BotMessage:
    """/rent → Water purifiers → the purifier: the plan table photo, then the page with Rent this."""
    categories = await user.send("/rent")
    assert categories.text == "What would you like to rent?"
    await user.press("Water purifiers", categories)
    products = await user.wait_for_edit(categories)
    await user.press("Homeline water purifier", products)
    table = await user.next_message()
    assert table.photo
    page = await user.next_message()
    assert page.text.startswith("Homeline water purifier\n")
    return page


async def share_identity(world: Jigap, user: SandboxUser, page: BotMessage) -> BotMessage:
    """Rent this → Homeline asks → Share → the PIN; returns the consent screen."""
    await user.press("Rent this: 36 months plan", page)
    asked = await user.next_message()
    assert asked.text == ("Homeline Rentals asks to see: Name, Over 19, from your Driver's licence "
                          "(Road Traffic Authority). Share?")
    await user.press("Share", asked)
    keypad = await user.wait_for_edit(asked)
    shared = await enter_pin(user, keypad, PIN)
    assert shared.text == "Shared with Homeline Rentals."
    return await user.next_message()


async def consent(user: SandboxUser, screen: BotMessage, born: str = MINJI_BORN) -> BotMessage:
    """The consent screen asks for the birth date the card did not show; typing it agrees. The check's answer."""
    assert "What is sent: your name, your date of birth" in screen.text
    assert screen.text.endswith("To agree, type it, like 1998-03-14.")
    checking = await user.send(born)
    assert checking.text == "Checking with the credit bureau…"
    return await user.wait_for_edit(checking)


async def to_slots(user: SandboxUser, address: str = "서울 마포구 월드컵북로 396") -> BotMessage:
    asked = await user.next_message()
    assert asked.text == "Where should Homeline Rentals install it? Type the address, or share your location."
    assert (await user.reply_keyboard())[0][0]["request_location"] is True
    given = await user.send(address)
    assert given.text == f"Installation address: {address}"
    return await user.next_message()


async def test_minji_rents_the_purifier_and_gets_the_invoice(world: Jigap) -> None:
    minji = await licensed(world, "김민지")
    page = await open_purifier(minji)
    screen = await share_identity(world, minji, page)
    decided = await consent(minji, screen)
    assert decided.text == "Approved by the credit check."
    slots = await to_slots(minji)
    assert slots.buttons[:3] == ["Thu 26 Nov 10:00", "Thu 26 Nov 14:00", "Thu 26 Nov 17:00"]
    await minji.press("Thu 26 Nov 14:00", slots)
    pdf = await minji.next_message(PRINTING)
    assert pdf.document is not None and pdf.document["file_name"].endswith(".pdf")
    assert "Installation Thu 26 Nov 14:00 at 서울 마포구 월드컵북로 396" in pdf.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(await world.file_bytes(pdf))).pages)
    assert "김민지" in text
    sign = await minji.next_message()
    await minji.press("Sign with PIN", sign)
    keypad = await minji.next_message(PRINTING)
    signed = await enter_pin(minji, keypad, PIN)
    assert signed.text.startswith("You signed the contract. Next, pay the first payment")
    copy = await minji.next_message()
    assert copy.document is not None and copy.document["file_name"].endswith(".jws")
    parts = await minji.next_message()
    assert parts.text.splitlines() == ["First payment for Homeline water purifier:", "Registration fee: ₩50,000",
                                       "First month: ₩29,900", "Total: ₩79,900"]
    invoice = await minji.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 50_000 + 29_900
    async with world.services.uow() as uow:
        application = (await uow.rental_applications.open_of(minji.id))[0]
    assert application.step is Step.PAYMENT and application.unit_id is not None
    assert application.signed is not None and application.identity is not None
    assert application.identity.name == "김민지" and application.status is ApplicationStatus.OPEN
    again = await minji.press("Sign with PIN", sign)
    assert again is not None and again.text == "You signed this contract already."


async def manager(world: Jigap) -> SandboxUser:
    seo = await world.started_user("서준호", "en", username="homeline")
    await world.grant(seo, "brand_manager", "homeline")
    return seo


async def test_jisoo_is_referred_and_the_manager_approves_her_from_applications(world: Jigap) -> None:
    seo = await manager(world)
    jisoo = await licensed(world, "박지수", "1999-07-21")
    await world.client.register_bureau_record("박지수", "1999-07-21", outcome="referred")
    screen = await share_identity(world, jisoo, await open_purifier(jisoo))
    decided = await consent(jisoo, screen, "1999-07-21")
    assert decided.text == "A person at Homeline Rentals will look at your application. We will tell you here."
    await world.deliver()
    assert (await seo.next_message()).text == "An application waits for your decision: see /applications."
    queue = await seo.send("/applications")
    assert queue.text.startswith("Referred by the credit bureau: Homeline water purifier, ₩29,900 a month.")
    assert "Applicant: 박지수" in queue.text and queue.buttons == ["Approve", "Decline"]
    approve = queue.button("Approve")["callback_data"]
    await seo.press("Approve", queue)
    assert (await seo.wait_for_edit(queue)).text == "Approved: 박지수. They are told now."
    await world.deliver()
    told = await jisoo.next_message()
    assert told.text == ("Good news: Homeline Rentals approved your application for Homeline water purifier. "
                         "Next: where to install it.")
    await jisoo.press("Give the address", told)
    slots = await to_slots(jisoo, "부산 해운대구 해운대로 264")
    assert slots.buttons[0] == "Thu 26 Nov 10:00"
    again = await world.forge_press(seo, queue, approve)
    assert again is not None and again.text == "This application is not waiting for a decision."


async def test_a_declined_applicant_is_told_why_politely(world: Jigap) -> None:
    hana = await licensed(world, "이하나", "1990-01-01")
    await world.client.register_bureau_record("이하나", "1990-01-01", outcome="declined", reason="delinquency")
    decided = await consent(hana, await share_identity(world, hana, await open_purifier(hana)), "1990-01-01")
    assert decided.text == ("We are sorry: Homeline Rentals cannot rent this to you now, because your credit file "
                            "shows missed payments. Nothing was charged.")
    async with world.services.uow() as uow:
        assert await uow.rental_applications.open_of(hana.id) == []


async def test_a_silent_bureau_is_tried_again_and_nothing_changes_meanwhile(world: Jigap) -> None:
    minji = await licensed(world, "김민지")
    await world.client.register_bureau_record("김민지", MINJI_BORN, fail="503", fail_times=1)
    decided = await consent(minji, await share_identity(world, minji, await open_purifier(minji)))
    assert decided.text == "The credit bureau did not answer. Nothing was charged; try again."
    async with world.services.uow() as uow:
        assert (await uow.rental_applications.open_of(minji.id))[0].step is Step.CREDIT_CHECK
    await minji.press("Try again", decided)
    checking = await minji.next_message()
    assert (await minji.wait_for_edit(checking)).text == "Approved by the credit check."


async def test_a_forged_plan_button_is_refused_and_starts_nothing(world: Jigap) -> None:
    minji = await licensed(world, "김민지")
    page = await open_purifier(minji)
    plan = page.button("Rent this: 36 months plan")["callback_data"]
    forged = plan.rsplit(":", 1)[0] + ":100"
    refused = await world.forge_press(minji, page, forged)
    assert refused is not None and refused.text == "That is not this plan's price. Here it is as it is now."
    async with world.services.uow() as uow:
        assert await uow.rental_applications.open_of(minji.id) == []


async def test_a_minor_and_a_card_that_proves_no_identity_are_refused(world: Jigap) -> None:
    young = await licensed(world, "최어린", "2010-05-05")
    await young.press("Rent this: 36 months plan", await open_purifier(young))
    asked = await young.next_message()
    await young.press("Share", asked)
    refused = await enter_pin(young, await young.wait_for_edit(asked), PIN)
    assert refused.text == "Sorry, you need to be 19 or older to sign a rental contract."
    certified = await licensed(world, "정기사", issuer="certification-board", card="national_certificate")
    await certified.press("Rent this: 36 months plan", await open_purifier(certified))
    asked = await certified.next_message()
    assert "from your National certificate (National Certification Board)" in asked.text
    await certified.press("Share", asked)
    refused = await enter_pin(certified, await certified.wait_for_edit(asked), PIN)
    assert refused.text.startswith("That card does not prove who you are.")
    for user in (young, certified):
        async with world.services.uow() as uow:
            assert (await uow.rental_applications.open_of(user.id))[0].identity is None


async def test_someone_without_a_card_is_told_where_to_get_one(world: Jigap) -> None:
    alex = await world.started_user("Alex", "en", username="alex")
    await alex.press("Rent this: 36 months plan", await open_purifier(alex))
    told = await alex.next_message()
    assert "Ask for a Driver's licence from Road Traffic Authority" in told.text
    assert told.buttons == ["Try again", "Cancel the application"]


async def test_daegu_is_refused_and_an_expired_hold_asks_for_another_time(world: Jigap) -> None:
    minji = await licensed(world, "김민지")
    await consent(minji, await share_identity(world, minji, await open_purifier(minji)))
    await minji.next_message()
    refused = await minji.send("대구 중구 동성로 1")
    assert refused.text.startswith("Sorry, we do not install there yet: only in Seoul and Busan.")
    async with world.services.uow() as uow:
        assert (await uow.rental_applications.open_of(minji.id))[0].step is Step.ADDRESS
    given = await minji.send_location(37.5563, 126.9220)  # Mapo, Seoul
    assert given.text == "Installation address: 37.55630,126.92200"
    slots = await minji.next_message()
    await minji.press("Thu 26 Nov 14:00", slots)
    await minji.next_message(PRINTING)
    sign = await minji.next_message()
    world.advance(minutes=16)
    refused = await minji.press("Sign with PIN", sign)
    assert refused is not None and refused.text == "The 15 minutes we held that time for are over. Pick another time."
    assert (await minji.next_message()).text.startswith("Pick a time for the installation")


async def test_applications_is_refused_and_audited_for_anyone_but_a_brand_manager(world: Jigap) -> None:
    minji = await licensed(world, "김민지")
    refused = await minji.send("/applications")
    assert refused.text == "Sorry, only a brand's own people can do this."
    async with world.services.uow() as uow:
        audit = await uow.audit.recent(actor_id=minji.id)
    assert audit and audit[0].outcome == "refused" and audit[0].action == "rentals.manage"


async def test_an_application_that_expires_is_let_go_and_the_applicant_told(world: Jigap) -> None:
    minji = await licensed(world, "김민지")
    await share_identity(world, minji, await open_purifier(minji))
    world.advance(days=3, minutes=1)
    await rentals_tick(world.services)
    await world.deliver()
    told = await minji.next_message()
    assert told.text.startswith("Your application to rent Homeline water purifier from Homeline Rentals expired")
    async with world.services.uow() as uow:
        assert await uow.rental_applications.open_of(minji.id) == []
