"""A product's plans, versioned like billing's prices: a change of terms adds a `PlanVersion`, and an application
and its contract record the version they were made at, so a change reaches new applicants only.

The early-termination formula is data on the version. By default it is Korea's consumer-dispute standard for
rentals: 10% of the rent left in the mandatory period, nothing after it. A brand may add the clawback of a
monthly discount it gave during the mandatory period, and a removal fee charged when the unit is taken back
before the mandatory period ends (after it, removal is at the brand's cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from subscriptions.billing_calendar import require_aware
from subscriptions.money import Money, scale
from subscriptions.rentals.errors import InvalidPlanTerms, PlanNotFound, PlanPriceChanged, PlanVersionStale

BASIS_POINTS = 10_000
DISPUTE_STANDARD_RATE = 1_000  # 10% of the rent left in the mandatory period
COMPARED_MONTHS = (6, 12, 24)  # what ending early costs, as the plans' table compares them


class EndOfTerm(StrEnum):
    OWNERSHIP_PASSES = "ownership_passes"
    RETURN = "return"
    MONTH_TO_MONTH = "month_to_month"


class PlanStatus(StrEnum):
    OFFERED = "offered"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class TerminationFormula:
    """What ending early costs: `penalty_rate` (basis points) of the rent left in the mandatory period, the
    monthly discount given so far taken back, and the removal fee, all only within the mandatory period."""

    penalty_rate: int = DISPUTE_STANDARD_RATE
    monthly_discount: Money | None = None  # clawed back for every month rented at the discounted fee
    removal_fee: Money | None = None


@dataclass(frozen=True, slots=True)
class PlanTerms:
    term_months: int
    mandatory_months: int
    monthly_fee: Money
    registration_fee: Money  # registration or installation, paid with the first month
    deposit: Money  # held as a liability and given back at the end
    end_of_term: EndOfTerm
    visit_every_months: int = 0  # an included visit (a filter change) every N months; 0 for none
    termination: TerminationFormula = field(default_factory=TerminationFormula)

    @property
    def currency(self) -> str:
        return self.monthly_fee.currency

    @property
    def total(self) -> Money:
        """What the whole term costs: the registration fee and every month's rent (the deposit comes back)."""
        return self.registration_fee + self.monthly_fee * self.term_months

    @property
    def first_payment(self) -> Money:
        """Registration, the first month and the deposit, paid at signing."""
        return self.registration_fee + self.monthly_fee + self.deposit

    @property
    def mandatory_value(self) -> Money:
        """The rent of the mandatory period: what the brand hands over, as the credit bureau is told."""
        return self.monthly_fee * self.mandatory_months


def check_terms(terms: PlanTerms) -> PlanTerms:
    """The terms as given, or `InvalidPlanTerms`."""
    if terms.term_months < 1 or not 0 <= terms.mandatory_months <= terms.term_months:
        raise InvalidPlanTerms("the mandatory period lies within a term of at least one month")
    if not terms.monthly_fee.is_positive or terms.visit_every_months < 0:
        raise InvalidPlanTerms("a monthly fee is positive, a visit interval is not negative")
    formula = terms.termination
    amounts = [terms.registration_fee, terms.deposit, formula.monthly_discount, formula.removal_fee]
    for amount in (a for a in amounts if a is not None):
        if amount.currency != terms.currency or amount.is_negative:
            raise InvalidPlanTerms("every amount of a plan is in its currency and not negative")
    if not 0 <= formula.penalty_rate <= BASIS_POINTS:
        raise InvalidPlanTerms("the penalty rate is between 0% and 100%")
    return terms


@dataclass(frozen=True, slots=True)
class PlanVersion:
    id: str
    terms: PlanTerms
    effective_from: datetime


@dataclass(slots=True)
class RentalPlan:
    id: str
    product_id: str
    brand_id: int
    versions: list[PlanVersion]
    status: PlanStatus = PlanStatus.OFFERED

    def __post_init__(self) -> None:
        if not self.versions:
            raise InvalidPlanTerms("a plan has at least one version")
        for version in self.versions:
            check_terms(version.terms)

    @property
    def is_offered(self) -> bool:
        return self.status is PlanStatus.OFFERED

    @property
    def current(self) -> PlanVersion:
        return self.versions[-1]

    @property
    def terms(self) -> PlanTerms:
        return self.current.terms

    def version(self, version_id: str) -> PlanVersion:
        for candidate in self.versions:
            if candidate.id == version_id:
                return candidate
        raise PlanNotFound(f"plan {self.id} has no version {version_id}")

    def change_terms(self, version_id: str, terms: PlanTerms, now: datetime) -> PlanVersion:
        """Publish new terms; applications and contracts already made keep their version."""
        if check_terms(terms).currency != self.terms.currency:
            raise InvalidPlanTerms("a plan keeps its currency")
        new = PlanVersion(version_id, terms, require_aware(now))
        self.versions.append(new)
        return new

    def checked_out(self, version_id: str, monthly_fee: Money) -> PlanVersion:
        """The current version, if the press names it and its price: anything else is stale or forged."""
        if self.status is not PlanStatus.OFFERED or version_id != self.current.id:
            raise PlanVersionStale(f"plan {self.id} is at version {self.current.id}, not {version_id}")
        if monthly_fee != self.terms.monthly_fee:
            raise PlanPriceChanged(f"plan {self.id} costs {self.terms.monthly_fee}, not {monthly_fee}")
        return self.current


@dataclass(frozen=True, slots=True)
class TerminationCost:
    """Ending after `month` months of rent: the parts of the cost and their total."""

    month: int
    rent_left: Money  # the rent of the mandatory period not yet paid
    penalty: Money
    discount_clawback: Money
    removal_fee: Money

    @property
    def total(self) -> Money:
        return self.penalty + self.discount_clawback + self.removal_fee


def termination_cost(terms: PlanTerms, month: int) -> TerminationCost:
    """What ending the contract costs after `month` months of rent (0 = before the first month ends)."""
    month = max(0, min(month, terms.term_months))
    zero = Money.zero(terms.currency)
    if month >= terms.mandatory_months:
        return TerminationCost(month, zero, zero, zero, zero)
    formula = terms.termination
    rent_left = terms.monthly_fee * (terms.mandatory_months - month)
    penalty = scale(rent_left, Fraction(formula.penalty_rate, BASIS_POINTS))
    clawback = formula.monthly_discount * month if formula.monthly_discount is not None else zero
    return TerminationCost(month, rent_left, penalty, clawback, formula.removal_fee or zero)


def termination_table(terms: PlanTerms) -> list[TerminationCost]:
    """The cost of ending after each month of the term, month 1 to the last (the contract's table)."""
    return [termination_cost(terms, month) for month in range(1, terms.term_months + 1)]


@dataclass(frozen=True, slots=True)
class PlanComparison:
    """One row of the plans' table: what a customer compares before renting."""

    plan_id: str
    version_id: str
    term_months: int
    mandatory_months: int
    monthly_fee: Money
    total: Money
    deposit: Money
    end_of_term: EndOfTerm
    early_costs: tuple[tuple[int, Money | None], ...]  # (month, cost); None where the term is shorter


def compare(plan: RentalPlan) -> PlanComparison:
    terms = plan.terms
    early = tuple((month, termination_cost(terms, month).total if month < terms.term_months else None)
                  for month in COMPARED_MONTHS)
    return PlanComparison(plan.id, plan.current.id, terms.term_months, terms.mandatory_months, terms.monthly_fee,
                          terms.total, terms.deposit, terms.end_of_term, early)
