"""Shops' named refusals; each `code` keys the text a customer, a barista or an owner is shown."""

from __future__ import annotations

from subscriptions.errors import SubscriptionsError


class ShopError(SubscriptionsError):
    code = "shop_error"


class ShopNotFound(ShopError):
    code = "shop_not_found"


class NotYourShop(ShopError):
    """The person is not the owner (or, where staff may act, not on the staff) of this shop."""

    code = "not_your_shop"


class InvalidShopField(ShopError):
    """A name, address or phone outside its length, or empty where it must not be."""

    code = "invalid_shop_field"


class InvalidOpeningHours(ShopError):
    """Opening hours written in a way we cannot read (like "Mon-Fri 08:00-20:00, Sat 10:00-18:00")."""

    code = "invalid_hours"


class UnknownShopCategory(ShopError):
    code = "unknown_shop_category"


class StaffLinkUsed(ShopError):
    """A staff link works once: someone already joined with it."""

    code = "staff_link_used"


class StaffLinkExpired(ShopError):
    code = "staff_link_expired"


class AlreadyStaff(ShopError):
    code = "already_staff"


class ChannelNotUsable(ShopError):
    """The chosen chat is not a channel, the bot may not post there, or the owner does not administer it."""

    code = "channel_not_usable"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "not_channel" | "bot_not_admin" | "bot_cannot_post" | "owner_not_admin"


class ProductNotFound(ShopError):
    code = "pass_product_not_found"


class InvalidPassProduct(ShopError):
    code = "invalid_pass_product"


class PassNotFound(ShopError):
    code = "pass_not_found"


class PassEnded(ShopError):
    """The pass's period is over, it was refunded, or it was used up."""

    code = "pass_ended"


class NoUsesLeft(ShopError):
    code = "no_uses_left"


class DailyCapReached(ShopError):
    code = "daily_cap_reached"

    def __init__(self, cap: int) -> None:
        super().__init__(str(cap))
        self.cap = cap


class OutsideWindow(ShopError):
    """The pass may be used only between its window's hours (like 08:00-11:00)."""

    code = "outside_window"

    def __init__(self, window: str) -> None:
        super().__init__(window)
        self.window = window


class CodeNotFound(ShopError):
    """No live code like this: mistyped, never shown, or so old it is gone."""

    code = "code_not_found"


class CodeExpired(ShopError):
    code = "code_expired"


class CodeUsed(ShopError):
    """The code was redeemed already (by this barista or another at the same moment): a code works once."""

    code = "code_used"


class OtherShopsCode(ShopError):
    code = "other_shops_code"

    def __init__(self, shop_name: str) -> None:
        super().__init__(shop_name)
        self.shop_name = shop_name


class UndoTooLate(ShopError):
    code = "undo_too_late"


class AlreadyUndone(ShopError):
    code = "already_undone"


class TransferAboveBalance(ShopError):
    code = "transfer_above_balance"

    def __init__(self, balance: int) -> None:
        super().__init__(str(balance))
        self.balance = balance


class TransferGone(ShopError):
    """The link was claimed already, canceled, or has expired."""

    code = "transfer_gone"


class OwnTransfer(ShopError):
    code = "own_transfer"


class InvalidGiftCardAmount(ShopError):
    code = "invalid_gift_card_amount"


class GiftCardNotFound(ShopError):
    code = "gift_card_not_found"


class SpendAboveBalance(ShopError):
    code = "spend_above_balance"

    def __init__(self, balance: int) -> None:
        super().__init__(str(balance))
        self.balance = balance


class SpendGone(ShopError):
    """A spend request already confirmed, declined or expired."""

    code = "spend_gone"


class GiftCardNotRefundable(ShopError):
    code = "gift_card_not_refundable"


class BroadcastLimitReached(ShopError):
    code = "broadcast_limit"

    def __init__(self, limit: int) -> None:
        super().__init__(str(limit))
        self.limit = limit


class BroadcastsSuspended(ShopError):
    code = "broadcasts_suspended"


class EmptyAudience(ShopError):
    code = "empty_audience"


class InvalidSchedule(ShopError):
    """A send time in the past, or written in a way we cannot read."""

    code = "invalid_schedule"


class BroadcastDecided(ShopError):
    """The broadcast no longer waits for approval: another admin decided a moment ago, or its owner canceled it."""

    code = "broadcast_decided"


class BroadcastNoLongerScheduled(ShopError):
    """A platform admin's cancel came too late: the broadcast went out, or someone canceled it a moment ago."""

    code = "broadcast_no_longer_scheduled"


class RejectionReasonMissing(ShopError):
    """A rejected broadcast tells its owner why; the reason was empty."""

    code = "rejection_reason_missing"
