"""Invoices and payments by card or Telegram Stars: pre-checkout, charges, refunds, Stars subscriptions."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import UserActionError, bad_request
from sandbox.params import Params
from sandbox.world import BotAccount, Conversation, Json, UserAccount, World

STARS = "XTR"
SUBSCRIPTION_PERIOD = 2_592_000  # 30 days, the only period Telegram accepts
MAX_SUBSCRIPTION_STARS = 10_000
EXPIRED_QUERY = "query is too old and response timeout expired or query ID is invalid"


@dataclass(frozen=True)
class InvoiceSpec:
    """What a bot asks the user to pay, as given to sendInvoice or createInvoiceLink."""

    title: str
    description: str
    payload: str
    currency: str
    prices: tuple[tuple[str, int], ...]
    provider_token: str = ""
    start_parameter: str = ""
    subscription_period: int | None = None

    @property
    def total_amount(self) -> int:
        return sum(amount for _, amount in self.prices)

    def invoice_object(self) -> Json:
        return {"title": self.title, "description": self.description, "start_parameter": self.start_parameter,
                "currency": self.currency, "total_amount": self.total_amount}


@dataclass(frozen=True)
class PaymentOutcome:
    """How a user's attempt to pay ended: paid, declined (by the bot), expired (no answer) or failed."""

    status: str
    telegram_payment_charge_id: str | None = None
    error_message: str | None = None
    message_id: int | None = None

    def as_json(self) -> Json:
        return {"status": self.status, "telegram_payment_charge_id": self.telegram_payment_charge_id,
                "error_message": self.error_message, "message_id": self.message_id}


@dataclass
class Subscription:
    """A 30-day Stars subscription, known by any of its charge ids."""

    bot_id: int
    user_id: int
    invoice: InvoiceSpec
    expires_at: int
    canceled_by_user: bool = False
    canceled_by_bot: bool = False
    charge_ids: list[str] = field(default_factory=list)

    @property
    def is_canceled(self) -> bool:
        return self.canceled_by_user or self.canceled_by_bot


@dataclass
class Charge:
    charge_id: str
    bot_id: int
    user_id: int
    invoice: InvoiceSpec
    date: int
    subscription: Subscription | None = None
    refunded: bool = False


def read_invoice(params: Params, *, for_link: bool) -> InvoiceSpec:
    """An invoice from sendInvoice / createInvoiceLink parameters, refused on Telegram's limits."""
    title = params.text("title") or ""
    description = params.text("description") or ""
    payload = params.text("payload") or ""
    currency = (params.text("currency") or "").upper()
    if not 1 <= len(title) <= 32:
        raise bad_request("INVOICE_TITLE_INVALID")
    if not 1 <= len(description) <= 255:
        raise bad_request("INVOICE_DESCRIPTION_INVALID")
    if not 1 <= len(payload.encode("utf-8")) <= 128:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    if len(currency) != 3 or not currency.isalpha():
        raise bad_request("CURRENCY_INVALID")
    prices = _read_prices(params.structured("prices", "prices JSON object"))
    provider_token = params.text("provider_token") or ""
    period = params.integer("subscription_period") if for_link else None
    spec = InvoiceSpec(title=title, description=description, payload=payload, currency=currency,
                       prices=prices, provider_token=provider_token,
                       start_parameter=params.text("start_parameter") or "", subscription_period=period)
    _check_money_rules(spec)
    return spec


def _read_prices(raw: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(raw, list) or not raw:
        raise bad_request("can't parse prices JSON object")
    prices: list[tuple[str, int]] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("label"), str) or not isinstance(item.get("amount"), int):
            raise bad_request("can't parse prices JSON object")
        prices.append((item["label"], item["amount"]))
    return tuple(prices)


def _check_money_rules(spec: InvoiceSpec) -> None:
    if spec.currency == STARS:
        if len(spec.prices) != 1 or spec.provider_token:
            raise bad_request("STARS_INVOICE_INVALID")
    elif not spec.provider_token:
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    if spec.total_amount <= 0:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    if spec.subscription_period is not None:
        if spec.subscription_period != SUBSCRIPTION_PERIOD:
            raise bad_request("SUBSCRIPTION_PERIOD_INVALID")
        if spec.currency != STARS or spec.total_amount > MAX_SUBSCRIPTION_STARS:
            raise bad_request("SUBSCRIPTION_PRICE_INVALID")


class Payments:
    """The payment desk: invoices shown, pre-checkout round trips, charges, refunds, subscriptions."""

    def __init__(self, world: World, pre_checkout_timeout: float = 10.0) -> None:
        self.world = world
        self.pre_checkout_timeout = pre_checkout_timeout
        self.invoices: dict[tuple[int, int, int], InvoiceSpec] = {}
        self.links: dict[str, tuple[int, InvoiceSpec]] = {}
        self.charges: dict[str, Charge] = {}
        self.transactions: dict[int, list[Json]] = {}
        self._waiting: dict[str, asyncio.Future[tuple[bool, str | None]]] = {}

    def remember_invoice(self, conversation: Conversation, message_id: int, spec: InvoiceSpec) -> None:
        self.invoices[(conversation.bot_id or 0, conversation.chat["id"], message_id)] = spec

    def invoice_in(self, conversation: Conversation, message_id: int) -> InvoiceSpec | None:
        return self.invoices.get((conversation.bot_id or 0, conversation.chat["id"], message_id))

    def create_link(self, bot: BotAccount, spec: InvoiceSpec) -> str:
        slug = secrets.token_urlsafe(12)
        self.links[slug] = (bot.id, spec)
        return f"https://t.me/${slug}"

    def is_invoice_link(self, url: str) -> bool:
        return url.startswith("https://t.me/$") and url.rsplit("$", 1)[-1] in self.links

    def link(self, url: str) -> tuple[int, InvoiceSpec]:
        found = self.links.get(url.rsplit("$", 1)[-1])
        if found is None:
            raise UserActionError(404, "no such invoice link")
        return found

    async def pay(self, bot: BotAccount, user: UserAccount, spec: InvoiceSpec, *, fail: bool,
                  deliver: bool = True) -> PaymentOutcome:
        """The pre-checkout round trip, then the charge and the successful_payment message. With
        ``deliver=False`` the charge is made and listed but its update never reaches the bot (as when
        Telegram drops updates a bot did not fetch in time)."""
        query_id = str(secrets.randbits(63))
        answer: asyncio.Future[tuple[bool, str | None]] = asyncio.get_running_loop().create_future()
        self._waiting[query_id] = answer
        bot.updates.push("pre_checkout_query", {
            "id": query_id, "from": user.user_object(), "currency": spec.currency,
            "total_amount": spec.total_amount, "invoice_payload": spec.payload})
        try:
            ok, error_message = await asyncio.wait_for(asyncio.shield(answer), self.pre_checkout_timeout)
        except TimeoutError:
            return PaymentOutcome(status="expired", error_message="the bot did not answer the pre-checkout query")
        finally:
            self._waiting.pop(query_id, None)
        if not ok:
            return PaymentOutcome(status="declined", error_message=error_message)
        if fail:
            return PaymentOutcome(status="failed", error_message="the payment was declined")
        return self._charge(bot, user, spec, subscription=None, deliver=deliver)

    def answer_pre_checkout(self, query_id: str, ok: bool, error_message: str | None) -> None:
        waiting = self._waiting.get(query_id)
        if waiting is None or waiting.done():
            raise bad_request(EXPIRED_QUERY)
        if not ok and not error_message:
            raise bad_request("ERROR_MESSAGE_EMPTY")
        waiting.set_result((ok, error_message))

    def _charge(self, bot: BotAccount, user: UserAccount, spec: InvoiceSpec,
                subscription: Subscription | None, deliver: bool = True) -> PaymentOutcome:
        now = self.world.timestamp()
        stars = spec.currency == STARS
        charge_id = ("stxc" if stars else "tgpc") + secrets.token_hex(16)
        payment: Json = {"currency": spec.currency, "total_amount": spec.total_amount,
                         "invoice_payload": spec.payload, "telegram_payment_charge_id": charge_id,
                         "provider_payment_charge_id": "" if stars else "prov_" + secrets.token_hex(10)}
        if spec.subscription_period:
            first = subscription is None
            if subscription is None:
                subscription = Subscription(bot_id=bot.id, user_id=user.id, invoice=spec, expires_at=now)
            subscription.expires_at = max(subscription.expires_at, now) + spec.subscription_period
            subscription.charge_ids.append(charge_id)
            payment.update(subscription_expiration_date=subscription.expires_at, is_recurring=True)
            if first:
                payment["is_first_recurring"] = True
        self.charges[charge_id] = Charge(charge_id=charge_id, bot_id=bot.id, user_id=user.id, invoice=spec,
                                         date=now, subscription=subscription)
        if stars:
            self._record(bot.id, {"id": charge_id, "amount": spec.total_amount, "date": now,
                                  "source": self._partner(user, spec)})
        conversation = self.world.private(bot, user)
        conversation.started = True
        message = self.world.new_message(conversation, user, {"successful_payment": payment})
        if deliver:
            bot.updates.push("message", message)
        return PaymentOutcome(status="paid", telegram_payment_charge_id=charge_id, message_id=message["message_id"])

    def _partner(self, user: UserAccount, spec: InvoiceSpec) -> Json:
        partner: Json = {"type": "user", "transaction_type": "invoice_payment", "user": user.user_object(),
                         "invoice_payload": spec.payload}
        if spec.subscription_period:
            partner["subscription_period"] = spec.subscription_period
        return partner

    def _record(self, bot_id: int, transaction: Json) -> None:
        self.transactions.setdefault(bot_id, []).append(transaction)

    def _charge_of(self, bot: BotAccount, user_id: int, charge_id: str) -> Charge:
        charge = self.charges.get(charge_id)
        if charge is None or charge.bot_id != bot.id or charge.user_id != user_id:
            raise bad_request("CHARGE_NOT_FOUND")
        return charge

    def refund(self, bot: BotAccount, user_id: int, charge_id: str) -> None:
        """refundStarPayment: give the Stars back and tell the chat with a refunded_payment message."""
        charge = self._charge_of(bot, user_id, charge_id)
        if charge.invoice.currency != STARS:
            raise bad_request("CHARGE_NOT_FOUND")
        if charge.refunded:
            raise bad_request("CHARGE_ALREADY_REFUNDED")
        charge.refunded = True
        user = self.world.users[user_id]
        now = self.world.timestamp()
        self._record(bot.id, {"id": charge_id, "amount": charge.invoice.total_amount, "date": now,
                              "receiver": self._partner(user, charge.invoice)})
        conversation = self.world.private(bot, user)
        refunded = {"currency": STARS, "total_amount": charge.invoice.total_amount,
                    "invoice_payload": charge.invoice.payload, "telegram_payment_charge_id": charge_id}
        message = self.world.new_message(conversation, user, {"refunded_payment": refunded})
        bot.updates.push("message", message)

    def edit_subscription(self, bot: BotAccount, user_id: int, charge_id: str, is_canceled: bool) -> None:
        """editUserStarSubscription: the bot cancels a subscription or re-enables one it cancelled."""
        subscription = self._charge_of(bot, user_id, charge_id).subscription
        if subscription is None:
            raise bad_request("SUBSCRIPTION_NOT_FOUND")
        if subscription.canceled_by_bot == is_canceled:
            raise bad_request("SUBSCRIPTION_NOT_MODIFIED")
        subscription.canceled_by_bot = is_canceled

    def subscription(self, user: UserAccount, charge_id: str) -> tuple[BotAccount, Subscription]:
        charge = self.charges.get(charge_id)
        if charge is None or charge.user_id != user.id or charge.subscription is None:
            raise UserActionError(404, "no such subscription")
        return self.world.bots[charge.bot_id], charge.subscription

    def renew(self, user: UserAccount, charge_id: str) -> PaymentOutcome:
        """A subscription period ends: charge again unless someone cancelled it."""
        bot, subscription = self.subscription(user, charge_id)
        if subscription.is_canceled:
            return PaymentOutcome(status="canceled", error_message="the subscription was cancelled")
        return self._charge(bot, user, subscription.invoice, subscription)

    def cancel_by_user(self, user: UserAccount, charge_id: str, canceled: bool = True) -> Json:
        _, subscription = self.subscription(user, charge_id)
        subscription.canceled_by_user = canceled
        return self.subscription_json(subscription)

    def subscriptions_of(self, user_id: int) -> list[Subscription]:
        found: dict[int, Subscription] = {}
        for charge in self.charges.values():
            if charge.user_id == user_id and charge.subscription is not None:
                found.setdefault(id(charge.subscription), charge.subscription)
        return list(found.values())

    def subscription_json(self, subscription: Subscription) -> Json:
        return {"bot_id": subscription.bot_id, "user_id": subscription.user_id,
                "title": subscription.invoice.title, "invoice_payload": subscription.invoice.payload,
                "amount": subscription.invoice.total_amount,
                "expires_at": subscription.expires_at, "canceled_by_user": subscription.canceled_by_user,
                "canceled_by_bot": subscription.canceled_by_bot, "is_canceled": subscription.is_canceled,
                "telegram_payment_charge_ids": list(subscription.charge_ids)}

    def star_transactions(self, bot: BotAccount, offset: int, limit: int) -> list[Json]:
        return self.transactions.get(bot.id, [])[offset : offset + limit]

    def star_balance(self, bot: BotAccount) -> int:
        return sum(t["amount"] if "source" in t else -t["amount"] for t in self.transactions.get(bot.id, []))
