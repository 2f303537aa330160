"""Content's named refusals; each `code` keys the text a reader or creator is shown."""

from __future__ import annotations

from subscriptions.errors import SubscriptionsError


class ContentError(SubscriptionsError):
    code = "content_error"


class InvalidHandle(ContentError):
    """A handle is 3-32 characters of a-z, 0-9 and _, starting with a letter."""

    code = "invalid_handle"


class HandleTaken(ContentError):
    code = "handle_taken"


class AlreadyCreator(ContentError):
    """One creator page per person: a second /create edits the first."""

    code = "already_creator"


class UnknownCategory(ContentError):
    code = "unknown_category"


class InvalidCreatorField(ContentError):
    """A name, description or benefit outside its length, or empty where it must not be."""

    code = "invalid_creator_field"


class CreatorNotFound(ContentError):
    code = "creator_not_found"


class CreatorSuspended(ContentError):
    code = "creator_suspended"


class NotYourCreatorPage(ContentError):
    code = "not_your_creator_page"


class InvalidTier(ContentError):
    """A tier's price outside its currency's range (Stars 1-10,000 a 30-day period), a yearly price in
    Stars, or a yearly price that is not cheaper than twelve months."""

    code = "invalid_tier"


class TierNotFound(ContentError):
    code = "tier_not_found"


class InvalidPost(ContentError):
    """A post that breaks a rule: an empty or too long title, too many photos, an unsupported file."""

    code = "invalid_post"


class PostNotFound(ContentError):
    """No such post, or one its reader may not see at all (deleted, not yet published)."""

    code = "post_not_found"


class PostTakenDown(ContentError):
    code = "post_taken_down"


class PostNotForSale(ContentError):
    """Unlocking a post that is not sold on its own, not published, or taken down."""

    code = "post_not_for_sale"


class PostPriceChanged(ContentError):
    """An Unlock button whose price has changed since it was drawn."""

    code = "post_price_changed"

    def __init__(self, new_prices: tuple[object, ...]) -> None:
        super().__init__("the post's price changed")
        self.new_prices = new_prices


class InvalidSchedule(ContentError):
    """A publish time in the past or more than a year ahead."""

    code = "invalid_schedule"


class ShelfNotFound(ContentError):
    code = "shelf_not_found"


class NotYourShelf(ContentError):
    code = "not_your_shelf"


class InvalidShelf(ContentError):
    code = "invalid_shelf"


class BlockedByCreator(ContentError):
    code = "blocked_by_creator"


class InvalidReport(ContentError):
    code = "invalid_report"


class InvalidTip(ContentError):
    code = "invalid_tip"


class ChannelNotUsable(ContentError):
    """Not a channel, the bot is not its administrator with the right to invite and remove members, or the
    creator does not administer it."""

    code = "channel_not_usable"

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class NoChannelAccess(ContentError):
    """The tier has no channel, or the person holds no live subscription to it."""

    code = "no_channel_access"
