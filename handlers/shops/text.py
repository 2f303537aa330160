"""How shops read: categories, a pass's balance, its ledger's lines, and the refusals of shops' named errors."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from handlers.billing import text as billing_text
from handlers.core.text import N_
from subscriptions.money import Money
from subscriptions.shops import errors
from subscriptions.shops.giftcards import GiftCardActivityKind
from subscriptions.shops.onboarding import NotANumber, WrongStep
from subscriptions.shops.passes import ActivityKind, PassKind, PassProduct

if TYPE_CHECKING:
    from bot.i18n import Translator

CATEGORY_LABELS = {
    "cafe": N_("Café"),
    "bakery": N_("Bakery"),
    "restaurant": N_("Restaurant"),
    "bar": N_("Bar"),
    "beauty": N_("Beauty"),
    "fitness": N_("Fitness"),
    "bookstore": N_("Bookstore"),
    "other": N_("Other"),
}

CHANNEL_PROBLEMS = {
    "not_channel": N_("That is not a channel. Please choose a channel."),
    "bot_not_admin": N_("I am not an administrator of that channel. Add me as an administrator who may post "
                        "messages, then choose it again."),
    "bot_cannot_post": N_("I am an administrator of that channel but may not post messages. Allow "
                          "“Post messages” for me, then choose it again."),
    "owner_not_admin": N_("Only an administrator of the channel can link it. Ask its owner to make you one."),
    "no_channel": N_("Your shop has no channel yet. Link one with /shop channel."),
}

PRODUCT_PROBLEMS = {
    "uses": N_("A pass has 1 to 1,000 uses."),
    "daily_cap": N_("A daily limit is at least 1 and at most the pass's uses."),
    "window": N_("Please write hours like 08:00-11:00 (the end after the start)."),
    "rollover": N_("Please send a number from 0 to 1,000."),
    "price": N_("Please send a price in won, at least ₩100."),
    "range": N_("That number is out of range. Please try again."),
    "plan": N_("That pass cannot be sold as a subscription."),
}

REFUSALS = {
    errors.ShopNotFound: N_("There is no such shop."),
    errors.NotYourShop: N_("Only the shop's owner or staff can do that."),
    errors.InvalidShopField: N_("That is too long, empty or not a phone number. Please try again."),
    errors.InvalidOpeningHours: N_("Please write the hours like “Mon-Fri 08:00-20:00, Sat 10:00-18:00” or "
                                   "“Daily 08:00-22:00”."),
    errors.UnknownShopCategory: N_("Please choose one of the categories."),
    errors.StaffLinkUsed: N_("This staff link was already used. Ask the owner for a new one."),
    errors.StaffLinkExpired: N_("This staff link has expired. Ask the owner for a new one."),
    errors.AlreadyStaff: N_("You already work at this shop."),
    errors.ProductNotFound: N_("That pass is no longer sold."),
    errors.InvalidPassProduct: N_("That does not work for a pass. Please check it and try again."),
    errors.PassNotFound: N_("There is no such pass."),
    errors.PassEnded: N_("This pass has ended."),
    errors.NoUsesLeft: N_("No uses are left on this pass."),
    errors.CodeNotFound: N_("There is no such code. Ask the customer to show it again."),
    errors.CodeExpired: N_("This code has expired. Ask the customer to show a new one."),
    errors.CodeUsed: N_("This code was already used. A code works only once."),
    errors.UndoTooLate: N_("A use can be undone only within 5 minutes."),
    errors.AlreadyUndone: N_("This use was already undone."),
    errors.TransferGone: N_("This link was already claimed, or it has expired."),
    errors.OwnTransfer: N_("That is your own link: send it to someone else."),
    errors.InvalidGiftCardAmount: N_("A gift card is ₩10,000 to ₩500,000, in thousands of won."),
    errors.GiftCardNotFound: N_("There is no such gift card."),
    errors.SpendGone: N_("This request was already answered, or it has expired."),
    errors.GiftCardNotRefundable: N_("This gift card cannot be refunded: it was used or given, or the shop's "
                                     "refund days have passed."),
    errors.BroadcastsSuspended: N_("Broadcasts of this shop are suspended by the platform."),
    errors.EmptyAudience: N_("Nobody would receive it: that audience is empty."),
    errors.InvalidSchedule: N_("Please choose a time in the future, within 30 days."),
    errors.BroadcastDecided: N_("This broadcast no longer waits for approval: it was decided already."),
    errors.BroadcastNoLongerScheduled: N_("This broadcast is no longer scheduled: it went out or was canceled already."),
    errors.RejectionReasonMissing: N_("Please write why it is rejected."),
    WrongStep: N_("This step is already done or has expired. Start again with the command."),
    NotANumber: N_("Please send a number, like 20."),
}


def category(name: str, tr: Translator) -> str:
    return tr(CATEGORY_LABELS[name]) if name in CATEGORY_LABELS else name


def refusal(error: errors.ShopError, tr: Translator) -> str:
    """The answer to a refusal, in the reader's language: precise where the error carries its detail."""
    if isinstance(error, errors.ChannelNotUsable):
        return tr(CHANNEL_PROBLEMS.get(error.reason, CHANNEL_PROBLEMS["not_channel"]))
    if isinstance(error, errors.InvalidPassProduct) and str(error) in PRODUCT_PROBLEMS:
        return tr(PRODUCT_PROBLEMS[str(error)])
    if isinstance(error, errors.DailyCapReached):
        return tr.plural("This pass allows {count} use a day, and today's is used.",
                         "This pass allows {count} uses a day, and today's are used.", error.cap)
    if isinstance(error, errors.OutsideWindow):
        return tr("This pass can be used only between {window}.", window=error.window)
    if isinstance(error, errors.OtherShopsCode):
        return tr("This code is for {shop}, not for your shop.", shop=error.shop_name or tr("another shop"))
    if isinstance(error, errors.TransferAboveBalance):
        return tr.plural("You can give at most {count} use: that is what is left.",
                         "You can give at most {count} uses: that is what is left.", error.balance)
    if isinstance(error, errors.SpendAboveBalance):
        return tr("That is more than the card holds ({balance}).",
                  balance=billing_text.money(Money(error.balance, "KRW"), tr))
    if isinstance(error, errors.BroadcastLimitReached):
        return tr.plural("A shop can send {count} broadcast a day, and today's is used.",
                         "A shop can send {count} broadcasts a day, and today's are used.", error.limit)
    for kind in type(error).__mro__:
        if kind in REFUSALS:
            return tr(REFUSALS[kind])
    return tr("That did not work. Nothing was changed.")


def left_text(product: PassProduct, balance: int, tr: Translator) -> str:
    """"19 left this month" (a subscription's period) / "7 left" (a pack, given uses)."""
    if product.kind is PassKind.SUBSCRIPTION:
        return tr.plural("{count} left this month", "{count} left this month", balance)
    return tr.plural("{count} left", "{count} left", balance)


def used_text(product: PassProduct, balance: int, tr: Translator) -> str:
    """"1 Americano used, 19 left this month"."""
    return tr("1 {item} used, {left}", item=product.item, left=left_text(product, balance, tr))


def product_line(product: PassProduct, tr: Translator) -> str:
    """"Monthly pass: 20 Americanos, ₩45,000 a month" / "10-use pack: 10 Americanos, ₩38,000"."""
    price = billing_text.money(product.price, tr)
    if product.kind is PassKind.SUBSCRIPTION:
        line = tr("{name}: {uses} × {item}, {price} a month", name=product.name, uses=product.uses,
                  item=product.item, price=price)
    else:
        line = tr("{name}: {uses} × {item}, {price}", name=product.name, uses=product.uses, item=product.item,
                  price=price)
    rules = []
    if product.daily_cap:
        rules.append(tr.plural("{count} a day", "{count} a day", product.daily_cap))
    if product.window:
        rules.append(product.window.text)
    if product.rollover_max:
        rules.append(tr.plural("up to {count} unused carried over", "up to {count} unused carried over",
                               product.rollover_max))
    return line + (f" ({', '.join(rules)})" if rules else "")


ACTIVITY_LABELS = {
    ActivityKind.ISSUED: N_("Issued"),
    ActivityKind.REDEEMED: N_("Used"),
    ActivityKind.EXPIRED: N_("Expired"),
    ActivityKind.ROLLED_OVER: N_("Carried over"),
    ActivityKind.TRANSFERRED: N_("Given"),
    ActivityKind.REFUNDED: N_("Refunded"),
    ActivityKind.ADJUSTED: N_("Corrected"),
    GiftCardActivityKind.ISSUED: N_("Issued"),
    GiftCardActivityKind.GIVEN: N_("Given"),
    GiftCardActivityKind.SPENT: N_("Spent"),
    GiftCardActivityKind.REFUNDED: N_("Refunded"),
    GiftCardActivityKind.ADJUSTED: N_("Corrected"),
}


def activity_line(kind: str, delta: str, balance: str, at: datetime, timezone: str, tr: Translator, *,
                  now: datetime) -> str:
    label = tr(ACTIVITY_LABELS[kind]) if kind in ACTIVITY_LABELS else kind  # type: ignore[index]
    when = billing_text.day(at, timezone, tr, now=now)
    return tr("{when} · {what} {delta} → {balance}", when=when, what=label, delta=delta, balance=balance)
