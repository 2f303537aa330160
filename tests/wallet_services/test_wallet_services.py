"""The wallet's use cases over in-memory fakes of wallet.ports: the rules, without Telegram or a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from subscriptions.clock import FixedClock
from tests.wallet_services.fakes import FakeOrganisation, FakePerson, FakeWorld
from wallet.errors import ClaimsInvalid, PinLocked
from wallet.reasons import FailedCheck
from wallet.services import (
    CardNotFound,
    CardNotShowable,
    Frame,
    OfferGone,
    SessionOver,
    StatusChangeRefused,
    Wallet,
    accreditation,
    issuers,
    pins,
    presenting,
    revocation,
)
from wallet.services import cards as held_cards
from wallet.services import offers as card_offers
from wallet.services import verifying as checks
from wallet.status_list import CredentialStatus

NOW = datetime(2026, 11, 25, 12, 4, tzinfo=UTC)
MINJI, JISOO, BAR = 1, 2, 3
CLAIMS = {"name": "김민지", "birth_date": "2001-04-09", "license_number": "11-24-123456-78",
          "license_class": "1종 보통"}


@dataclass(frozen=True)
class Settings:
    public_url: str = "https://jigap.example"
    signing_alg: str = "EdDSA"
    qr_lifetime: int = 30
    qr_session: int = 180
    pin_max_attempts: int = 5
    pin_lock_seconds: int = 900
    pin_time_cost: int = 1
    pin_memory_kib: int = 8192
    offer_lifetime: int = 86400
    leeway: int = 60


@dataclass
class Setup:
    world: FakeWorld
    clock: FixedClock
    wallet: Wallet


@pytest.fixture
async def setup() -> Setup:
    world = FakeWorld(
        people={MINJI: FakePerson(MINJI, "Minji Kim", "minji"), JISOO: FakePerson(JISOO, "Jisoo Park", "jisoo"),
                BAR: FakePerson(BAR, "Bartender", "bar")},
        organisations={10: FakeOrganisation(10, "road-authority", "Road Traffic Authority")},
    )
    clock = FixedClock(NOW)
    wallet = Wallet.create(world.uow, clock, Settings())
    await issuers.ensure_issuer(wallet, world.organisations[10])
    await accreditation.accredit_system(wallet, "road-authority", ("driver_license",))
    return Setup(world, clock, wallet)


async def _licence(setup: Setup) -> str:
    offer = await card_offers.create_offer(setup.wallet, org_id=10, card_type_id="driver_license", holder_id=MINJI,
                                            claims=CLAIMS, photo=None, created_by=None)
    return (await card_offers.accept_offer(setup.wallet, offer.id, MINJI)).id


async def test_an_offer_is_accepted_once_and_only_by_its_holder(setup: Setup) -> None:
    offer = await card_offers.create_offer(setup.wallet, org_id=10, card_type_id="driver_license", holder_id=MINJI,
                                            claims=CLAIMS, photo=None, created_by=None)
    with pytest.raises(OfferGone) as refused:
        await card_offers.accept_offer(setup.wallet, offer.id, JISOO)
    assert refused.value.reason == "not_yours"
    card = await card_offers.accept_offer(setup.wallet, offer.id, MINJI)
    assert card.claims["age_over_19"] is True and card.record.masked_number == "11-24-******-78"
    with pytest.raises(OfferGone) as again:
        await card_offers.accept_offer(setup.wallet, offer.id, MINJI)
    assert again.value.reason == "used"


async def test_an_expired_offer_cannot_be_accepted_and_bad_claims_store_nothing(setup: Setup) -> None:
    offer = await card_offers.create_offer(setup.wallet, org_id=10, card_type_id="driver_license", holder_id=MINJI,
                                            claims=CLAIMS, photo=None, created_by=None)
    setup.clock.advance(timedelta(days=1, seconds=1))
    with pytest.raises(OfferGone) as refused:
        await card_offers.accept_offer(setup.wallet, offer.id, MINJI)
    assert refused.value.reason == "expired"
    commits = setup.world.commits
    with pytest.raises(ClaimsInvalid):
        await card_offers.create_offer(setup.wallet, org_id=10, card_type_id="driver_license", holder_id=MINJI,
                                        claims={**CLAIMS, "license_number": "12"}, photo=None, created_by=None)
    assert setup.world.commits == commits


async def test_five_wrong_pins_lock_for_fifteen_minutes_and_then_the_right_pin_works(setup: Setup) -> None:
    await pins.set_pin(setup.wallet, MINJI, "135790")
    for left in (4, 3, 2, 1):
        assert (await pins.try_pin(setup.wallet, MINJI, "000001")).attempts_left == left
    locked = await pins.try_pin(setup.wallet, MINJI, "000001")
    assert locked.locked_until == NOW + timedelta(minutes=15)
    with pytest.raises(PinLocked):
        await pins.try_pin(setup.wallet, MINJI, "135790")
    setup.clock.advance(timedelta(minutes=15))
    assert (await pins.try_pin(setup.wallet, MINJI, "135790")).accepted


async def test_a_shown_code_verifies_once_and_a_replay_is_refused(setup: Setup) -> None:
    card_id = await _licence(setup)
    session = await presenting.start_session(setup.wallet, MINJI, card_id, "age_over_19_only", chat_id=MINJI, language="ko")
    frame = await presenting.frame(setup.wallet, session.id, advance=False)
    assert frame is not None
    first = await checks.verify(setup.wallet, frame.presentation, verifier_id=BAR, verifier_name="Bar Haneul")
    assert first.result.valid and dict(first.result.disclosed_claims) == {"age_over_19": True}
    replay = await checks.verify(setup.wallet, frame.presentation, verifier_id=BAR, verifier_name="Bar Haneul")
    assert replay.result.failed_check is FailedCheck.REPLAYED
    history = await held_cards.history(setup.wallet, MINJI, card_id)
    assert [(h.verifier_name, h.claims, h.verdict) for h in history] == [
        ("Bar Haneul", (), "replayed"), ("Bar Haneul", ("age_over_19",), "valid")]


async def test_a_session_gives_six_frames_and_then_is_over(setup: Setup) -> None:
    card_id = await _licence(setup)
    session = await presenting.start_session(setup.wallet, MINJI, card_id, "everything", chat_id=MINJI, language="ko")
    frames = [await presenting.frame(setup.wallet, session.id, advance=index > 0) for index in range(7)]
    assert [f.session.frame_index for f in frames if isinstance(f, Frame)] == [0, 1, 2, 3, 4, 5]
    last = frames[6]
    assert isinstance(last, SessionOver) and last.reason == "over"
    assert await presenting.running_sessions(setup.wallet) == []
    assert await presenting.frame(setup.wallet, session.id, advance=True) is None


async def test_a_revoked_card_fails_with_its_day_and_stays_revoked(setup: Setup) -> None:
    card_id = await _licence(setup)
    setup.clock.advance(timedelta(days=3))
    session = await presenting.start_session(setup.wallet, MINJI, card_id, "age_over_19_only", chat_id=MINJI, language="ko")
    frame = await presenting.frame(setup.wallet, session.id, advance=False)
    assert isinstance(frame, Frame)
    await revocation.set_status(setup.wallet, card_id, CredentialStatus.INVALID)
    checked = await checks.verify(setup.wallet, frame.presentation, verifier_id=BAR, verifier_name="Bar Haneul")
    assert checked.result.reason == "revoked on 2026-11-28 by Road Traffic Authority"
    with pytest.raises(StatusChangeRefused):
        await revocation.set_status(setup.wallet, card_id, CredentialStatus.VALID)


async def test_a_running_session_of_a_revoked_or_suspended_card_stops_and_no_new_one_starts(setup: Setup) -> None:
    card_id = await _licence(setup)
    for status, reason in ((CredentialStatus.SUSPENDED, "suspended"), (CredentialStatus.INVALID, "revoked")):
        session = await presenting.start_session(setup.wallet, MINJI, card_id, "everything", chat_id=MINJI,
                                                 language="ko")
        assert isinstance(await presenting.frame(setup.wallet, session.id, advance=False), Frame)
        await revocation.set_status(setup.wallet, card_id, status)
        stopped = await presenting.frame(setup.wallet, session.id, advance=True)
        assert isinstance(stopped, SessionOver) and stopped.reason == reason
        assert stopped.card is not None and stopped.card.issuer_name == "Road Traffic Authority"
        assert await presenting.running_sessions(setup.wallet) == []
        with pytest.raises(CardNotShowable) as refused:
            await presenting.start_session(setup.wallet, MINJI, card_id, "everything", chat_id=MINJI, language="ko")
        assert refused.value.reason == reason
        if status is CredentialStatus.SUSPENDED:
            await revocation.set_status(setup.wallet, card_id, CredentialStatus.VALID)


async def test_another_persons_card_is_not_found_and_a_reset_empties_the_wallet(setup: Setup) -> None:
    card_id = await _licence(setup)
    with pytest.raises(CardNotFound):
        await held_cards.own_card(setup.wallet, JISOO, card_id)
    old_key = setup.world.tables.holder_keys[MINJI]
    assert await pins.reset_wallet(setup.wallet, MINJI) == 1
    assert await held_cards.cards(setup.wallet, MINJI) == []
    assert setup.world.tables.holder_keys[MINJI].kid != old_key.kid
    assert not (await pins.pin_state(setup.wallet, MINJI)).is_set
