"""Invoices and payments: card and Stars, the pre-checkout round trip, subscriptions and refunds."""

from __future__ import annotations

import asyncio
from typing import Any

from sandbox.client import BotMessage, PaymentResult, SandboxClient, SandboxUser
from sandbox.server import SandboxServer

MONTH = 2_592_000


async def customer(sb: SandboxClient, name: str = "Minji") -> SandboxUser:
    user = await sb.user(name, "ko")
    await user.say("/start")
    return user


async def card_invoice(bot: Any, user: SandboxUser) -> BotMessage:
    sent = (await bot("sendInvoice", chat_id=user.id, title="Sofa rental", description="First month",
                      payload="rental-7", provider_token="test-provider", currency="KRW",
                      prices=[{"label": "Rent", "amount": 39000}, {"label": "Delivery", "amount": 5000}])).result
    assert sent["invoice"] == {"title": "Sofa rental", "description": "First month", "start_parameter": "",
                               "currency": "KRW", "total_amount": 44000}
    return BotMessage(sent)


async def pay_and_answer(user: SandboxUser, bot: Any, invoice: BotMessage | str, ok: bool = True,
                         error_message: str | None = None, fail: bool = False) -> tuple[dict[str, Any], PaymentResult]:
    """The user pays while the bot answers the pre-checkout query."""
    paying = asyncio.create_task(user.pay(invoice, fail=fail))
    query = await bot.next_update("pre_checkout_query")
    fields: dict[str, Any] = {"pre_checkout_query_id": query["id"], "ok": ok}
    if error_message:
        fields["error_message"] = error_message
    assert (await bot("answerPreCheckoutQuery", **fields)).ok
    return query, await paying


async def test_a_card_payment_goes_through_pre_checkout_and_ends_in_successful_payment(
        bot: Any, sb: SandboxClient) -> None:
    minji = await customer(sb)
    invoice = await card_invoice(bot, minji)
    query, result = await pay_and_answer(minji, bot, invoice)
    assert (query["currency"], query["total_amount"], query["invoice_payload"]) == ("KRW", 44000, "rental-7")
    assert result.paid and result.telegram_payment_charge_id
    paid = (await bot.next_update("message"))["successful_payment"]
    assert paid["telegram_payment_charge_id"] == result.telegram_payment_charge_id
    assert paid["provider_payment_charge_id"].startswith("prov_")
    assert (paid["currency"], paid["total_amount"], paid["invoice_payload"]) == ("KRW", 44000, "rental-7")


async def test_the_bot_can_decline_at_pre_checkout(bot: Any, sb: SandboxClient) -> None:
    minji = await customer(sb)
    invoice = await card_invoice(bot, minji)
    _, result = await pay_and_answer(minji, bot, invoice, ok=False, error_message="Sold out")
    assert (result.status, result.error_message) == ("declined", "Sold out")
    refused = await bot("answerPreCheckoutQuery", pre_checkout_query_id="123", ok=True)
    assert refused.description == "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def test_an_unanswered_pre_checkout_expires_the_payment(
        server: SandboxServer, bot: Any, sb: SandboxClient) -> None:
    server.set_pre_checkout_timeout(0.2)
    minji = await customer(sb)
    result = await minji.pay(await card_invoice(bot, minji))
    assert result.status == "expired" and result.telegram_payment_charge_id is None
    updates = await bot.updates()
    assert [kind for u in updates for kind in u if kind != "update_id"] == ["message", "pre_checkout_query"]


async def test_a_payment_told_to_fail_sends_no_successful_payment(bot: Any, sb: SandboxClient) -> None:
    minji = await customer(sb)
    _, result = await pay_and_answer(minji, bot, await card_invoice(bot, minji), fail=True)
    assert result.status == "failed"
    assert not any("successful_payment" in m.raw for m in await minji.chat())


async def test_invoice_limits_and_stars_rules_are_enforced(bot: Any, sb: SandboxClient) -> None:
    minji = await customer(sb)
    base: dict[str, Any] = {"chat_id": minji.id, "title": "Tip", "description": "Thanks", "payload": "tip-1",
            "currency": "XTR", "prices": [{"label": "Tip", "amount": 50}]}
    assert (await bot("sendInvoice", **base)).ok
    refusals: list[tuple[dict[str, Any], str]] = [
        ({"prices": [{"label": "A", "amount": 1}, {"label": "B", "amount": 2}]}, "STARS_INVOICE_INVALID"),
        ({"provider_token": "card-provider"}, "STARS_INVOICE_INVALID"),
        ({"currency": "USD"}, "PAYMENT_PROVIDER_INVALID"),
        ({"title": "t" * 33}, "INVOICE_TITLE_INVALID"),
        ({"description": "d" * 256}, "INVOICE_DESCRIPTION_INVALID"),
        ({"payload": "p" * 129}, "INVOICE_PAYLOAD_INVALID"),
        ({"prices": [{"label": "Free", "amount": 0}]}, "CURRENCY_TOTAL_AMOUNT_INVALID"),
    ]
    for change, description in refusals:
        answer = await bot("sendInvoice", **{**base, **change})
        assert (answer.status, answer.description) == (400, f"Bad Request: {description}"), change


async def test_a_stars_subscription_renews_until_cancelled(bot: Any, sb: SandboxClient) -> None:
    minji = await customer(sb)
    link_fields = {"title": "Creator club", "description": "Posts every week", "payload": "club-9",
                   "currency": "XTR", "prices": [{"label": "Month", "amount": 250}]}
    wrong = await bot("createInvoiceLink", **link_fields, subscription_period=86400)
    assert wrong.description == "Bad Request: SUBSCRIPTION_PERIOD_INVALID"
    link = (await bot("createInvoiceLink", **link_fields, subscription_period=MONTH)).result
    assert link.startswith("https://t.me/$")

    _, first = await pay_and_answer(minji, bot, link)
    first_paid = await bot.next_update("message")
    payment = first_paid["successful_payment"]
    assert payment["is_recurring"] is True and payment["is_first_recurring"] is True
    assert payment["subscription_expiration_date"] == first_paid["date"] + MONTH
    assert payment["provider_payment_charge_id"] == ""

    renewal = await minji.renew_subscription(first.telegram_payment_charge_id or "")
    assert renewal.paid and renewal.telegram_payment_charge_id != first.telegram_payment_charge_id
    renewed = (await bot.next_update("message"))["successful_payment"]
    assert renewed["is_recurring"] is True and "is_first_recurring" not in renewed
    assert renewed["subscription_expiration_date"] == payment["subscription_expiration_date"] + MONTH

    await minji.cancel_subscription(first.telegram_payment_charge_id or "")
    assert (await minji.renew_subscription(first.telegram_payment_charge_id or "")).status == "canceled"
    [subscription] = await minji.subscriptions()
    assert subscription["canceled_by_user"] is True and len(subscription["telegram_payment_charge_ids"]) == 2


async def test_the_bot_can_cancel_and_restore_a_stars_subscription(bot: Any, sb: SandboxClient) -> None:
    minji = await customer(sb)
    link = (await bot("createInvoiceLink", title="Club", description="Monthly", payload="club", currency="XTR",
                      prices=[{"label": "Month", "amount": 100}], subscription_period=MONTH)).result
    _, paid = await pay_and_answer(minji, bot, link)
    charge = paid.telegram_payment_charge_id
    assert (await bot("editUserStarSubscription", user_id=minji.id, telegram_payment_charge_id=charge,
                      is_canceled=True)).ok
    assert (await minji.renew_subscription(charge or "")).status == "canceled"
    assert (await bot("editUserStarSubscription", user_id=minji.id, telegram_payment_charge_id=charge,
                      is_canceled=False)).ok
    assert (await minji.renew_subscription(charge or "")).paid
    unknown = await bot("editUserStarSubscription", user_id=minji.id, telegram_payment_charge_id="nope",
                        is_canceled=True)
    assert unknown.description == "Bad Request: CHARGE_NOT_FOUND"


async def test_a_stars_refund_is_recorded_once_and_listed_in_transactions(bot: Any, sb: SandboxClient) -> None:
    minji = await customer(sb)
    sent = (await bot("sendInvoice", chat_id=minji.id, title="Tip", description="Thanks", payload="tip-7",
                      currency="XTR", prices=[{"label": "Tip", "amount": 75}])).result
    _, paid = await pay_and_answer(minji, bot, BotMessage(sent))
    charge = paid.telegram_payment_charge_id
    assert (await bot("refundStarPayment", user_id=minji.id, telegram_payment_charge_id=charge)).result is True
    again = await bot("refundStarPayment", user_id=minji.id, telegram_payment_charge_id=charge)
    assert again.description == "Bad Request: CHARGE_ALREADY_REFUNDED"
    refunded = [m.raw["refunded_payment"] for m in await minji.chat() if "refunded_payment" in m.raw]
    assert refunded == [{"currency": "XTR", "total_amount": 75, "invoice_payload": "tip-7",
                         "telegram_payment_charge_id": charge}]
    transactions = (await bot("getStarTransactions")).result["transactions"]
    assert [(t["id"], t["amount"], "source" in t, "receiver" in t) for t in transactions] == [
        (charge, 75, True, False), (charge, 75, False, True)]
    assert transactions[0]["source"]["transaction_type"] == "invoice_payment"
    assert (await bot("getMyStarBalance")).result == {"amount": 0}


async def test_a_url_button_with_an_invoice_link_opens_the_payment(bot: Any, sb: SandboxClient) -> None:
    minji = await customer(sb)
    link = (await bot("createInvoiceLink", title="Pass", description="Bakery pass", payload="pass-3",
                      currency="XTR", prices=[{"label": "Pass", "amount": 30}])).result
    await bot("sendMessage", chat_id=minji.id, text="Buy a pass",
              reply_markup={"inline_keyboard": [[{"text": "Buy", "url": link}]]})
    pressing = asyncio.create_task(minji.press("Buy"))
    query = await bot.next_update("pre_checkout_query")
    await bot("answerPreCheckoutQuery", pre_checkout_query_id=query["id"], ok=True)
    assert await pressing is None
    paid = (await bot.next_update("message"))["successful_payment"]
    assert (paid["invoice_payload"], paid["total_amount"]) == ("pass-3", 30)
