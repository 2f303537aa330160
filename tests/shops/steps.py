"""Steps shops' end-to-end tests share: Cafe Onda with Sora and Barista, buying the monthly pass, showing a code."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.demo import load_demo_shop
from sandbox.client import BotMessage, SandboxUser
from subscriptions.shops.shops import Shop
from tests.billing.steps import receipt_and_reply
from tests.harness import Jigap


@dataclass
class Onda:
    shop: Shop
    sora: SandboxUser
    barista: SandboxUser


async def open_cafe_onda(world: Jigap, followers: Sequence[SandboxUser] = (), *, language: str = "ko") -> Onda:
    sora = await world.started_user("소라", language, username="cafe_onda")
    barista = await world.started_user("Barista", "en", username="barista")
    await world.grant(sora, "shop_owner", "cafe-onda")
    await world.grant(barista, "shop_staff", "cafe-onda")
    ids = {"cafe_onda": sora.id, **{f"regular{index:02d}": user.id for index, user in enumerate(followers, 1)}}
    shop = await load_demo_shop(world.services, ids)
    return Onda(shop, sora, barista)


async def subscribe_to_monthly_pass(world: Jigap, customer: SandboxUser, page: BotMessage) -> BotMessage:
    """Subscribe from the shop's page and pay by card; the pass's "ready" notice."""
    await customer.press("Subscribe: Monthly pass", page)
    invoice = await customer.next_message()
    assert invoice.invoice is not None and invoice.invoice["total_amount"] == 45000
    assert (await customer.pay(invoice)).paid
    receipt, _ = await receipt_and_reply(customer)
    assert "₩45,000" in receipt.text
    ready = await customer.next_message()
    return ready


async def show_code(world: Jigap, customer: SandboxUser) -> tuple[BotMessage, bytes, str]:
    """/passes -> the pass -> Use at the counter: the code's photo, its PNG and its six digits."""
    listing = await customer.send("/passes")
    await customer.press(listing.buttons[0], listing)
    pass_card = await customer.wait_for_edit(listing)
    await customer.press(pass_card.buttons[0], pass_card)  # Use at the counter
    code = await customer.next_message()
    while code.photo is None:  # a notice of the last use may come first
        code = await customer.next_message()
    assert code.photo is not None and code.protected
    found = re.search(r"\b(\d{3}) (\d{3})\b", code.text)
    assert found is not None, code.text
    return code, await world.file_bytes(code), found.group(1) + found.group(2)


async def next_photo(user: SandboxUser) -> BotMessage:
    """The next picture the bot sends (a code, a link's QR), past any notice that comes first."""
    found = await user.next_message()
    while found.photo is None:
        found = await user.next_message()
    return found
