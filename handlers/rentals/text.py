"""Rentals' words: categories, plans, the consent screen, and the answer to every refusal, in the reader's
language. Amounts and dates come formatted from billing's helpers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from babel.dates import format_datetime

from handlers.billing import text as billing_text
from handlers.core.text import N_
from subscriptions.billing_calendar import zone
from subscriptions.errors import SubscriptionsError
from subscriptions.money import Money
from subscriptions.rentals import errors
from subscriptions.rentals.applications import BRAND_DECLINED
from subscriptions.rentals.catalog import Category, Product
from subscriptions.rentals.credit import DeclineReason
from subscriptions.rentals.plans import EndOfTerm, PlanComparison

if TYPE_CHECKING:
    from bot.i18n import Translator

CATEGORIES: dict[Category, str] = {
    Category.WATER_PURIFIERS: N_("Water purifiers"),
    Category.AIR_PURIFIERS: N_("Air purifiers"),
    Category.MATTRESSES: N_("Mattresses"),
    Category.SOFAS: N_("Sofas"),
    Category.CARS: N_("Cars"),
    Category.CLEANING: N_("Cleaning services"),
}

END_OF_TERM: dict[EndOfTerm, str] = {
    EndOfTerm.OWNERSHIP_PASSES: N_("it is yours at the end"),
    EndOfTerm.RETURN: N_("it goes back at the end"),
    EndOfTerm.MONTH_TO_MONTH: N_("month to month after the term"),
}

DECLINE_REASONS: dict[str, str] = {
    DeclineReason.INSUFFICIENT_HISTORY.value: N_("the credit bureau has too little credit history on file for you"),
    DeclineReason.AFFORDABILITY.value: N_("the monthly fee is high for what your credit file shows"),
    DeclineReason.DELINQUENCY.value: N_("your credit file shows missed payments"),
    DeclineReason.IDENTITY_UNCONFIRMED.value: N_("the credit bureau could not confirm who you are"),
    BRAND_DECLINED: N_("the brand looked at it and could not approve it"),
}

REFUSALS: dict[type[errors.RentalError], str] = {
    errors.ProductNotFound: N_("This product is not offered any more."),
    errors.PlanNotFound: N_("This plan is not offered any more."),
    errors.PlanVersionStale: N_("The terms of this plan changed. Here they are as they are now."),
    errors.PlanPriceChanged: N_("That is not this plan's price. Here it is as it is now."),
    errors.OutsideServiceRegions: N_("Sorry, we do not install there yet: only in Seoul and Busan. "
                                     "Type an address in one of them."),
    errors.InvalidAddress: N_("That does not look like an address. Type the street, the number and the city, "
                              "like 서울 마포구 월드컵북로 396."),
    errors.NotRentableHere: N_("Sorry, there is none left to rent in that region right now."),
    errors.OutOfStock: N_("Sorry, the last one was just rented by someone else. Nothing was charged."),
    errors.SlotNotFound: N_("This time is not offered any more. Pick another time."),
    errors.SlotFull: N_("This time was just taken. Pick another time."),
    errors.SlotHoldExpired: N_("The 15 minutes we held that time for are over. Pick another time."),
    errors.ApplicationNotFound: N_("This application is not yours or no longer exists."),
    errors.ApplicationClosed: N_("This application is closed. Start again from /rent."),
    errors.WrongStep: N_("That step is done already."),
    errors.StepAlreadyTaken: N_("That step is done already."),
    errors.UntrustedIssuer: N_("The brand cannot rely on a card from that issuer. Share an identity card from "
                               "an issuer jigap accredited for it."),
    errors.CardDoesNotProveIdentity: N_("That card does not prove who you are. The brand needs an identity card, "
                                        "such as a driver's licence."),
    errors.ApplicantIsMinor: N_("Sorry, you need to be 19 or older to sign a rental contract."),
    errors.NameMismatch: N_("The name on the card is not the name on your profile, so the brand cannot use it."),
    errors.BirthDateNeeded: N_("Type your date of birth first, like 1998-03-14."),
    errors.AwaitingReview: N_("A person at the brand is looking at your application. We will tell you."),
    errors.NotReferred: N_("This application is not waiting for a decision."),
    errors.NotBrandManager: N_("Sorry, only a brand's own people can do this."),
    errors.InvalidMonth: N_("That is not a month. Write it like 2026-11."),
    errors.MonthNotOver: N_("That month is not over yet. A month is closed once it has ended."),
    errors.BrandDetailsMissing: N_("The brand has not given the business details a contract needs yet. "
                                   "Nothing was charged; try again later."),
}


def refusal(error: SubscriptionsError, tr: Translator) -> str:
    """The answer to a refusal, in the reader's language."""
    if isinstance(error, errors.WrongStep) and error.actual == "payment":
        return tr("You signed this contract already.")
    for kind in type(error).__mro__:
        if kind in REFUSALS:
            return tr(REFUSALS[kind])
    return tr("That did not work. Nothing was changed.")


def money(amount: Money, tr: Translator) -> str:
    return billing_text.money(amount, tr)


def months(count: int, tr: Translator) -> str:
    return tr.plural("{count} month", "{count} months", count)


def category(value: Category, tr: Translator) -> str:
    return tr(CATEGORIES[value])


def decline_reason(reason: str | None, tr: Translator) -> str:
    return tr(DECLINE_REASONS.get(reason or "", DECLINE_REASONS[DeclineReason.INSUFFICIENT_HISTORY.value]))


def slot_label(starts_at: datetime, timezone: str, tr: Translator) -> str:
    """"Thu 26 Nov 14:00" / "11월 26일 (목) 14:00" in the reader's zone."""
    local = starts_at.astimezone(zone(timezone))
    pattern = "M월 d일 (E) HH:mm" if tr.language == "ko" else "EEE d MMM HH:mm"
    return format_datetime(local, pattern, locale=tr.language)


def product_text(product: Product, plans: list[PlanComparison], tr: Translator) -> str:
    """The product page: name, description, specifications and each plan in a line."""
    language = tr.language
    lines = [product.name.in_language(language), product.description.in_language(language), ""]
    lines += [f"• {spec.key.in_language(language)}: {spec.value.in_language(language)}" for spec in product.specs]
    for plan in plans:
        lines += ["", plan_line(plan, tr)]
    return "\n".join(lines)


def plan_line(plan: PlanComparison, tr: Translator) -> str:
    line = tr("{term}: {fee} a month, {mandatory} mandatory, {end}", term=months(plan.term_months, tr),
              fee=money(plan.monthly_fee, tr), mandatory=months(plan.mandatory_months, tr),
              end=tr(END_OF_TERM[plan.end_of_term]))
    if plan.deposit.is_positive:
        line += " · " + tr("deposit {amount}", amount=money(plan.deposit, tr))
    return line
