"""How content reads: the boards' names, audiences, and the refusals of content's named errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.core.text import N_
from subscriptions.content import errors

if TYPE_CHECKING:
    from bot.i18n import Translator

CATEGORY_LABELS = {
    "cooking": N_("Cooking"),
    "language": N_("Languages"),
    "study": N_("Study"),
    "money": N_("Money"),
    "tech": N_("Tech"),
    "travel": N_("Travel"),
    "art": N_("Art"),
    "music": N_("Music"),
    "health": N_("Health"),
    "life": N_("Life"),
}

REFUSALS = {
    errors.InvalidHandle: N_("A handle is 3 to 32 letters, digits or _, starting with a letter (like hanaskitchen)."),
    errors.HandleTaken: N_("That handle is taken. Please choose another."),
    errors.AlreadyCreator: N_("You already have a creator page."),
    errors.UnknownCategory: N_("Please choose one of the categories."),
    errors.InvalidCreatorField: N_("That is too long or empty. Please try again."),
    errors.CreatorNotFound: N_("There is no such creator."),
    errors.CreatorSuspended: N_("This creator page is suspended."),
    errors.NotYourCreatorPage: N_("Only the creator can do that."),
    errors.InvalidTier: N_("That price does not work for a tier: Stars tiers cost 1 to 10,000 stars a month, "
                           "and a yearly price must be lower than twelve months."),
    errors.TierNotFound: N_("That tier is no longer offered."),
    errors.InvalidPost: N_("That does not fit a post. Please check it and try again."),
    errors.PostNotFound: N_("This post is not available."),
    errors.PostTakenDown: N_("This post was removed."),
    errors.PostNotForSale: N_("This post cannot be bought on its own."),
    errors.PostPriceChanged: N_("The price of this post has changed. Please look at the new price."),
    errors.InvalidSchedule: N_("Please choose a time in the future, within a year."),
    errors.ShelfNotFound: N_("This shelf is not available."),
    errors.NotYourShelf: N_("Only the curator can change this shelf."),
    errors.InvalidShelf: N_("That does not fit a shelf. Please check it and try again."),
    errors.BlockedByCreator: N_("The creator does not accept this from you."),
    errors.InvalidReport: N_("Please choose a reason."),
    errors.InvalidTip: N_("That tip does not work. Please choose another amount."),
}


def category(name: str, tr: Translator) -> str:
    return tr(CATEGORY_LABELS[name]) if name in CATEGORY_LABELS else name


def refusal(error: errors.ContentError, tr: Translator) -> str:
    for kind in type(error).__mro__:
        if kind in REFUSALS:
            return tr(REFUSALS[kind])
    return tr("That did not work. Please try again.")
