"""The counter's race on each backend, through the services: ten baristas redeem one code at the same moment and
exactly one use is taken; two claims of one gift of uses, or two confirmations of one gift-card spend, move the
balance once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.bootstrap import billing_for, shops_for
from bot.config import load_config
from storage.engine import create_engine
from storage.envelope import Envelope
from storage.migrate import migrate
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.accounts.records import RoleGrant
from subscriptions.clock import FixedClock
from subscriptions.shops import Shops
from subscriptions.shops.counter import CodeQuery
from subscriptions.shops.errors import CodeUsed, ShopError, SpendGone, TransferAboveBalance, TransferGone
from subscriptions.shops.giftcards import GiftCard, GiftCardStatus
from subscriptions.shops.passes import ActivityKind, Pass, PassActivity, PassStatus
from subscriptions.shops.services import counter, gift_cards, transfers
from subscriptions.shops.services.demo import MONTHLY_PASS, load_cafe_onda
from tests.shops.conftest import NOW

STAFF = list(range(900_001, 900_011))
HOLDER, FRIEND, OWNER = 800_001, 800_002, 800_003


@pytest.fixture
async def shops(database_url: str, envelope: Envelope) -> AsyncIterator[Shops]:
    clock = FixedClock(NOW)
    engine = create_engine(database_url, pool_size=12)
    try:
        await migrate(engine, envelope)
        units = UnitOfWorkFactory(engine, envelope, now=clock.now)
        config = load_config(environ={})
        found = shops_for(config, units, clock, billing_for(config, units, clock))
        async with units() as uow:
            onda = await uow.organisations.add(slug="cafe-onda", name="Cafe Onda", kind="shop", now=NOW)
            for user_id in (*STAFF, HOLDER, FRIEND, OWNER):
                await uow.users.upsert_seen(user_id=user_id, username=None, first_name=str(user_id), last_name=None,
                                            telegram_language="en", default_timezone="Asia/Seoul", now=NOW)
            for staff_id in STAFF:
                await uow.roles.grant(RoleGrant(staff_id, "shop_staff", onda.id), granted_by=None, now=NOW)
            await uow.commit()
        await load_cafe_onda(found, org_id=onda.id, owner_id=OWNER, followers=[])
        yield found
    finally:
        await engine.dispose()


async def _pass(shops: Shops, balance: int = 20) -> Pass:
    async with shops.uow() as uow:
        onda = await uow.organisations.get_by_slug("cafe-onda")
        assert onda is not None
        held = Pass(id=shops.ids.new_id(), product_id=MONTHLY_PASS, org_id=onda.id, holder_id=HOLDER,
                    balance=balance, period_end=NOW + timedelta(days=30), status=PassStatus.ACTIVE,
                    source=f"purchase:{shops.ids.new_id()}", created_at=NOW)
        await uow.passes.add(held)
        await uow.passes.add_activity(PassActivity(shops.ids.new_id(), held.id, ActivityKind.ISSUED, balance,
                                                   balance, NOW))
        await uow.commit()
    return held


async def _outcomes(attempts: list[asyncio.Future[object]] | list[object]) -> list[object]:
    return list(await asyncio.gather(*attempts, return_exceptions=True))  # type: ignore[arg-type]


async def test_ten_baristas_redeeming_one_code_at_once_take_one_use(shops: Shops) -> None:
    held = await _pass(shops)
    for _ in range(5):
        code = await counter.show_pass_code(shops, HOLDER, held.id)
        results = await _outcomes([counter.redeem(shops, staff, CodeQuery(short_code=code.short_code))
                                   for staff in STAFF])
        won = [result for result in results if isinstance(result, counter.Redeemed)]
        assert len(won) == 1, results
        assert all(isinstance(result, CodeUsed) for result in results if result not in won), results
        shops.clock.advance(timedelta(hours=12))  # type: ignore[attr-defined]  # the pass allows two a day
    async with shops.uow() as uow:
        after = await uow.passes.get(held.id)
        ledger = await uow.passes.activities(held.id)
    assert after is not None and after.balance == 15
    assert [activity.balance_after for activity in ledger] == [15, 16, 17, 18, 19, 20]


async def test_two_claims_of_one_gift_of_uses_move_them_once(shops: Shops) -> None:
    held = await _pass(shops)
    offered = await transfers.offer_uses(shops, HOLDER, held.id, 5)
    results = await _outcomes([transfers.claim_uses(shops, FRIEND, offered.code),
                               transfers.claim_uses(shops, STAFF[0], offered.code)])
    assert sum(isinstance(result, Pass) for result in results) == 1
    assert all(isinstance(result, TransferGone) for result in results if not isinstance(result, Pass))
    with pytest.raises(TransferAboveBalance):
        await transfers.offer_uses(shops, HOLDER, held.id, 16)
    async with shops.uow() as uow:
        assert (await uow.passes.get(held.id)).balance == 15  # type: ignore[union-attr]


async def test_two_confirmations_of_one_spend_take_it_once(shops: Shops) -> None:
    async with shops.uow() as uow:
        onda = await uow.organisations.get_by_slug("cafe-onda")
        assert onda is not None
        card = GiftCard(id="card-1", org_id=onda.id, holder_id=HOLDER, buyer_id=HOLDER, initial=30000, balance=30000,
                        status=GiftCardStatus.ACTIVE, payment_id="payment-1", created_at=NOW)
        await uow.gift_cards.add(card)
        await uow.commit()
    code = await counter.show_gift_card_code(shops, HOLDER, card.id)
    request = await gift_cards.ask_spend(shops, STAFF[0], code.id, 12000)
    results = await _outcomes([gift_cards.confirm_spend(shops, HOLDER, request.id) for _ in range(4)])
    assert sum(isinstance(result, gift_cards.Spent) for result in results) == 1
    assert all(isinstance(result, SpendGone) for result in results if not isinstance(result, gift_cards.Spent))
    again = await counter.show_gift_card_code(shops, HOLDER, card.id)
    with pytest.raises(ShopError):
        await gift_cards.ask_spend(shops, STAFF[1], again.id, 18001)
    async with shops.uow() as uow:
        assert (await uow.gift_cards.get(card.id)).balance == 18000  # type: ignore[union-attr]
        assert [a.balance_after for a in await uow.gift_cards.activities(card.id)] == [18000]
