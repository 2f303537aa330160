"""Billing's buttons. Each names what it acts on; the service checks on every press that the subscription is
the presser's, that the plan is still offered and that the price on the button is still the price. The
reminders' and notices' Renew now / Manage are the same buttons as on /subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.core.buttons import ButtonData


@dataclass(frozen=True)
class OpenMerchant(ButtonData, prefix="subm"):
    merchant_id: str


@dataclass(frozen=True)
class OpenOffer(ButtonData, prefix="subo"):
    offer_id: str


@dataclass(frozen=True)
class SubscribeToPlan(ButtonData, prefix="subs"):
    """Subscribe at the price shown: a press after a price change is refused with the new price."""

    offer_id: str
    plan_id: str
    price: int


@dataclass(frozen=True)
class GiftPlan(ButtonData, prefix="gift"):
    """Buy one period of a plan as a gift, at the price shown."""

    offer_id: str
    plan_id: str
    price: int


class ManageStep(StrEnum):
    LIST = "l"  # /subscriptions again
    VIEW = "v"
    CANCEL = "c"  # ask when
    CANCEL_AT_END = "ce"
    CANCEL_NOW = "cn"
    KEEP = "k"  # withdraw a cancellation
    PAUSE = "p"
    RESUME = "r"
    CHOOSE_PLAN = "ch"
    CHANGE_TO = "to"  # plan_id: the plan to switch to
    RENEW_NOW = "rn"
    BACK = "b"  # from a question (when to end, which plan) back to the subscription


@dataclass(frozen=True)
class Manage(ButtonData, prefix="my"):
    step: ManageStep
    subscription_id: str = ""
    plan_id: str = ""


class OfferStep(StrEnum):
    ARCHIVE = "a"


@dataclass(frozen=True)
class OfferAction(ButtonData, prefix="off"):
    """A merchant's button on /offers: archive a plan (no new subscribers; existing ones keep it)."""

    step: OfferStep
    offer_id: str
    plan_id: str


@dataclass(frozen=True)
class RefundDone(ButtonData, prefix="brf"):
    """"Mark as refunded" under a card refund the merchant made; the press is checked again for its merchant."""

    task_id: str
