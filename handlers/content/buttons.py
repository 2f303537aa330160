"""Content's buttons. Each names what it acts on; every press re-checks in the service that the post is still
published and open to the presser, that a price on the button is still the price, and that a shelf or a
creator page is the presser's before changing it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


class PortalView(StrEnum):
    HOME = "h"
    NEW = "n"
    POPULAR = "p"
    BOARD = "b"  # key: the category
    CREATORS = "c"
    CREATOR_POSTS = "cp"  # key: the creator's organisation id
    SEARCH = "s"  # the words are kept in the person's flow, not on the button
    PICKS = "k"
    FOLLOWING = "f"  # the creators the presser follows


@dataclass(frozen=True)
class Portal(ButtonData, prefix="cpor"):
    """A portal list (or the home), edited in place; ◀ ▶ change `page`."""

    view: PortalView
    page: int = 0
    key: str = ""


@dataclass(frozen=True)
class OpenPost(ButtonData, prefix="cpo"):
    """Open a post as its own message (or turn its pages: `page`)."""

    post_id: str
    page: int = 0


@dataclass(frozen=True)
class UnlockPost(ButtonData, prefix="cpu"):
    """Buy one post at the price shown, in `currency`: a changed price is refused with the new one."""

    post_id: str
    currency: str
    price: int


@dataclass(frozen=True)
class OpenCreator(ButtonData, prefix="cpc"):
    org_id: int


class FollowStep(StrEnum):
    FOLLOW = "f"
    UNFOLLOW = "u"


@dataclass(frozen=True)
class Follow(ButtonData, prefix="cfol"):
    step: FollowStep
    org_id: int


@dataclass(frozen=True)
class TipStart(ButtonData, prefix="ctip"):
    """Tip a creator (`post_id` empty) or a post: opens the amounts."""

    org_id: int
    post_id: str = ""


@dataclass(frozen=True)
class AddToShelf(ButtonData, prefix="cshadd"):
    post_id: str


@dataclass(frozen=True)
class ReportPost(ButtonData, prefix="crep"):
    post_id: str
