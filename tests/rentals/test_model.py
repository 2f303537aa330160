"""Rentals' rules as plain values: plans and their versions, the early-termination formula, the payment
schedule, regions, identity checks, the application's steps, cooling-off and the hash-chained log."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.money import Money
from subscriptions.rentals import applications as steps
from subscriptions.rentals.applications import ApplicationStatus, CreditResult, Step
from subscriptions.rentals.catalog import Category, LocalText, Product, check_product
from subscriptions.rentals.contracts import (
    Contract,
    ContractStatus,
    EndReason,
    VisitKind,
    cancel_in_cooling_off,
    ending,
    installed,
    next_payment,
    next_visit,
    payment_schedule,
    visits,
)
from subscriptions.rentals.credit import CreditOutcome, DeclineReason
from subscriptions.rentals.errors import (
    ApplicantIsMinor,
    ApplicationClosed,
    AwaitingReview,
    CardDoesNotProveIdentity,
    ContractNotActive,
    CoolingOffOver,
    DuplicateSerial,
    InvalidAddress,
    InvalidPlanTerms,
    InvalidProduct,
    InvalidSignature,
    NameMismatch,
    OutsideServiceRegions,
    PlanPriceChanged,
    PlanVersionStale,
    UntrustedIssuer,
    WrongStep,
)
from subscriptions.rentals.event_log import append, verify_chain
from subscriptions.rentals.identity import IdentityPolicy, VerifiedIdentity, check_identity, same_name
from subscriptions.rentals.plans import (
    EndOfTerm,
    PlanTerms,
    PlanVersion,
    RentalPlan,
    TerminationFormula,
    compare,
    termination_cost,
    termination_table,
)
from subscriptions.rentals.regions import resolve_address, resolve_location
from subscriptions.rentals.services.demo import CAR, PURIFIER, demo_terms
from subscriptions.rentals.slots import SlotHold, week_of_slots
from subscriptions.rentals.stock import check_serials

NOW = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)
PURIFIER_TERMS = demo_terms()[PURIFIER]


def won(amount: int) -> Money:
    return Money(amount, "KRW")


@st.composite
def plan_terms(draw: st.DrawFn) -> PlanTerms:
    term = draw(st.integers(1, 72))
    formula = TerminationFormula(
        penalty_rate=draw(st.integers(0, 10_000)),
        monthly_discount=draw(st.none() | st.integers(0, 50_000).map(won)),
        removal_fee=draw(st.none() | st.integers(0, 100_000).map(won)))
    return PlanTerms(term, draw(st.integers(0, term)), won(draw(st.integers(1, 2_000_000))),
                     won(draw(st.integers(0, 200_000))), won(draw(st.integers(0, 5_000_000))),
                     draw(st.sampled_from(EndOfTerm)), draw(st.integers(0, 12)), formula)


# --- plans and the early-termination formula ----------------------------------------------------------------

def test_the_dispute_standard_is_ten_percent_of_the_rent_left_in_the_mandatory_period() -> None:
    cost = termination_cost(PURIFIER_TERMS, 14)
    assert cost.rent_left == won(29_900 * 22)
    assert cost.penalty == won(65_780)
    assert cost.total == won(65_780 + 30_000)  # and the removal fee within the mandatory period


def test_ending_after_the_mandatory_period_costs_nothing() -> None:
    mattress = demo_terms()["homeline-mattress"]
    assert termination_cost(mattress, 36).total == won(0)
    assert termination_cost(mattress, 35).total == won(3_990)


def test_a_car_claws_back_the_discount_given_so_far() -> None:
    cost = termination_cost(demo_terms()[CAR], 12)
    assert cost.discount_clawback == won(20_000 * 12)
    assert cost.penalty == won(590_000 * 36 // 5)  # 20% on the car's plan


@given(plan_terms(), st.integers(-5, 80))
def test_ending_early_never_costs_less_than_nothing_and_nothing_after_the_mandatory_period(
        terms: PlanTerms, month: int) -> None:
    cost = termination_cost(terms, month)
    assert not cost.total.is_negative
    if month >= terms.mandatory_months:
        assert cost.total == won(0)


@given(plan_terms())
def test_the_termination_table_never_grows_as_the_months_pass_without_a_clawback(terms: PlanTerms) -> None:
    terms = replace(terms, termination=replace(terms.termination, monthly_discount=None))
    totals = [row.total.amount_minor for row in termination_table(terms)]
    assert totals == sorted(totals, reverse=True) and len(totals) == terms.term_months


@given(plan_terms(), st.sampled_from(["Asia/Seoul", "America/New_York"]), st.integers(0, 365 * 3))
def test_the_schedule_sums_to_the_terms_total(terms: PlanTerms, timezone: str, days: int) -> None:
    signed = NOW + timedelta(days=days, hours=days % 24)
    schedule = payment_schedule(terms, signed, signed + timedelta(days=2), timezone)
    assert sum(due.amount.amount_minor for due in schedule) == terms.total.amount_minor
    assert len(schedule) == terms.term_months
    assert [due.due_at for due in schedule] == sorted(due.due_at for due in schedule)


def test_rent_falls_on_the_installation_day_each_month_in_seoul() -> None:
    installation = datetime(2026, 1, 31, 5, 0, tzinfo=UTC)  # 14:00 on the 31st in Seoul
    schedule = payment_schedule(PURIFIER_TERMS, NOW, installation, "Asia/Seoul")
    assert schedule[0].amount == won(79_900)
    assert [due.due_at.day for due in schedule[1:4]] == [28, 31, 30]


def test_the_comparison_row_shows_what_ending_early_costs_at_6_12_and_24() -> None:
    plan = RentalPlan("p", PURIFIER, 1, [PlanVersion("v1", PURIFIER_TERMS, NOW)])
    row = compare(plan)
    assert row.total == won(50_000 + 29_900 * 36)
    assert dict(row.early_costs) == {6: won(89_700 + 30_000), 12: won(71_760 + 30_000), 24: won(35_880 + 30_000)}
    short = RentalPlan("a", "air", 1, [PlanVersion("v1", demo_terms()["homeline-air"], NOW)])
    assert dict(compare(short).early_costs)[24] is None


def test_a_press_for_an_old_version_or_another_price_is_refused() -> None:
    plan = RentalPlan("p", PURIFIER, 1, [PlanVersion("v1", PURIFIER_TERMS, NOW)])
    plan.change_terms("v2", replace(PURIFIER_TERMS, monthly_fee=won(31_900)), NOW)
    with pytest.raises(PlanVersionStale):
        plan.checked_out("v1", won(29_900))
    with pytest.raises(PlanPriceChanged):
        plan.checked_out("v2", won(29_900))
    assert plan.checked_out("v2", won(31_900)).id == "v2"


@pytest.mark.parametrize("change", [
    {"mandatory_months": 40}, {"monthly_fee": won(0)}, {"deposit": Money(100, "USD")},
    {"termination": TerminationFormula(penalty_rate=10_001)}, {"visit_every_months": -1},
])
def test_terms_that_cannot_be_offered_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(InvalidPlanTerms):
        RentalPlan("p", PURIFIER, 1, [PlanVersion("v1", replace(PURIFIER_TERMS, **change), NOW)])  # type: ignore[arg-type]


def test_a_product_needs_both_languages_and_services_are_cleaning() -> None:
    name = LocalText("정수기", "Purifier")
    good = Product("p", 1, Category.WATER_PURIFIERS, name, name, (), (), False, NOW)
    assert check_product(good) is good
    with pytest.raises(InvalidProduct):
        check_product(replace(good, name=LocalText("정수기", " ")))
    with pytest.raises(InvalidProduct):
        check_product(replace(good, is_service=True))


def test_serials_given_twice_are_refused() -> None:
    assert check_serials([" A1", "A2"]) == ["A1", "A2"]
    with pytest.raises(DuplicateSerial):
        check_serials(["A1", "A1 "])


# --- regions and slots ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "region"), [
    ("서울특별시 마포구 연남로 12", "seoul"), ("서울 강남구 테헤란로 1", "seoul"),
    ("12 Yeonnam-ro, Mapo-gu, Seoul", "seoul"), ("부산광역시 해운대구 우동 1", "busan"),
    ("Haeundae-gu, Busan 48094", "busan"),
])
def test_a_typed_address_resolves_to_its_region(text: str, region: str) -> None:
    assert resolve_address(text).region == region


def test_an_address_elsewhere_is_outside_the_service_regions() -> None:
    with pytest.raises(OutsideServiceRegions):
        resolve_address("대구광역시 중구 동성로 1")
    with pytest.raises(OutsideServiceRegions):
        resolve_address("1 Seoulmate Street, Daegu")
    with pytest.raises(InvalidAddress):
        resolve_address("서울")


def test_a_shared_location_resolves_by_the_regions_box() -> None:
    assert resolve_location(37.5665, 126.9780).region == "seoul"
    assert resolve_location(35.1796, 129.0756).region == "busan"
    with pytest.raises(OutsideServiceRegions):
        resolve_location(35.8714, 128.6014)  # Daegu


def test_a_week_of_slots_starts_at_local_hours() -> None:
    slots = week_of_slots([f"s{n}" for n in range(21)], 1, "seoul", NOW, "Asia/Seoul")
    assert len(slots) == 21
    assert slots[0].starts_at == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 10:00 in Seoul
    assert slots[-1].starts_at.date() == date(2026, 12, 1)


def test_a_hold_lives_fifteen_minutes_unless_confirmed() -> None:
    hold = SlotHold("s", "a", NOW + timedelta(minutes=15))
    assert hold.is_live(NOW + timedelta(minutes=14)) and not hold.is_live(NOW + timedelta(minutes=15))
    assert replace(hold, confirmed=True).is_live(NOW + timedelta(days=1))


# --- identity ----------------------------------------------------------------------------------------------------

POLICY = IdentityPolicy(frozenset({"gov"}))


def _identity(**changes: object) -> VerifiedIdentity:
    return replace(VerifiedIdentity("김민지", True, "gov", "national_id", NOW), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "error"), [
    ({"issuer": "someone"}, UntrustedIssuer), ({"card_type": "student_id"}, CardDoesNotProveIdentity),
    ({"over_19": False}, ApplicantIsMinor), ({"name": "김지수"}, NameMismatch),
])
def test_identity_that_the_brand_cannot_rely_on_is_refused(changes: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        check_identity(_identity(**changes), "김민지", POLICY)


def test_an_issuer_accredited_for_the_card_is_trusted_where_the_policy_says_so() -> None:
    accredited = _identity(issuer="https://jigap.example/issuers/road-authority", accredited=True)
    assert check_identity(accredited, "김민지", IdentityPolicy(frozenset(), trust_accredited=True)) == accredited
    with pytest.raises(UntrustedIssuer):
        check_identity(accredited, "김민지", IdentityPolicy(frozenset()))
    with pytest.raises(UntrustedIssuer):
        check_identity(replace(accredited, accredited=False), "김민지", IdentityPolicy(frozenset(), trust_accredited=True))


def test_names_match_whatever_the_spacing_and_case() -> None:
    assert same_name("김 민지", "김민지") and same_name("Kim  Minji", "kim minji")
    assert not same_name("", "") and not same_name("Kim Minji", "Kim Minjae")


# --- the application's steps ---------------------------------------------------------------------------------------

def _application() -> steps.Application:
    return steps.new_application("a1", 1, 2, PURIFIER, "plan", "v1", won(29_900), False, NOW)


def _credit(outcome: CreditOutcome, reason: DeclineReason | None = None) -> CreditResult:
    return CreditResult(outcome, "kcb-1", NOW, reason)


def test_each_step_moves_the_version_on_and_a_step_out_of_turn_is_refused() -> None:
    start = _application()
    with pytest.raises(WrongStep):
        steps.addressed(start, resolve_address("서울 마포구 연남로 12"), NOW)
    after = steps.verified(start, _identity(), NOW)
    assert (after.step, after.version) == (Step.CREDIT_CONSENT, 2)
    with pytest.raises(WrongStep):
        steps.verified(after, _identity(), NOW)


def test_a_referral_waits_for_review_and_a_decline_closes_with_its_reason() -> None:
    at_check = steps.consented(steps.verified(_application(), _identity(), NOW), "h" * 64, NOW)
    referred = steps.credit_decided(at_check, _credit(CreditOutcome.REFERRED), NOW)
    assert referred.step is Step.REVIEW
    with pytest.raises(AwaitingReview):
        steps.addressed(referred, resolve_address("서울 마포구 연남로 12"), NOW)
    assert steps.reviewed(referred, 9, True, NOW).step is Step.ADDRESS
    declined = steps.credit_decided(at_check, _credit(CreditOutcome.DECLINED, DeclineReason.AFFORDABILITY), NOW)
    assert (declined.status, declined.closed_reason) == (ApplicationStatus.DECLINED, "affordability")


def test_an_expired_application_refuses_every_step() -> None:
    with pytest.raises(ApplicationClosed):
        steps.verified(_application(), _identity(), NOW + steps.APPLICATION_LIFETIME)


def test_a_signature_must_be_a_compact_jws_over_a_sha256() -> None:
    good = steps.SignedContract("c1", "a" * 64, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln", ("b" * 64,), NOW)
    assert steps.check_signed(good) is good
    for bad in (replace(good, signature="not a jws"), replace(good, pdf_sha256="abc"),
                replace(good, consent_hashes=("x",))):
        with pytest.raises(InvalidSignature):
            steps.check_signed(bad)


# --- contracts and cooling-off ---------------------------------------------------------------------------------------

def _contract(installation: datetime) -> Contract:
    return Contract("c1", "a1", 1, 2, PURIFIER, "plan", "v1", PURIFIER_TERMS, "seoul", "u1", NOW, installation,
                    "Asia/Seoul", "pay-1", PURIFIER_TERMS.first_payment, "a" * 64, "h.p.s")


def test_cooling_off_runs_14_days_from_installation_when_that_is_later() -> None:
    contract = installed(_contract(NOW + timedelta(days=8)), NOW + timedelta(days=8))
    assert cancel_in_cooling_off(contract, NOW + timedelta(days=22)).status is ContractStatus.CANCELED_COOLING_OFF
    with pytest.raises(CoolingOffOver):
        cancel_in_cooling_off(contract, NOW + timedelta(days=22, seconds=1))


def test_before_installation_the_cooling_off_window_is_open() -> None:
    contract = _contract(NOW + timedelta(days=20))
    assert cancel_in_cooling_off(contract, NOW + timedelta(days=19)).canceled_at is not None


def test_next_payment_and_visit_follow_the_installation_day() -> None:
    installation = NOW + timedelta(days=1)
    contract = _contract(installation)
    assert next_visit(contract, NOW) is not None and next_visit(contract, NOW).kind is VisitKind.INSTALLATION  # type: ignore[union-attr]
    done = installed(contract, installation)
    visit = next_visit(done, installation + timedelta(hours=1))
    assert visit is not None and visit.kind is VisitKind.MAINTENANCE
    assert visit.at.astimezone(UTC).month == 3  # four months after November
    assert len([v for v in visits(done) if v.kind is VisitKind.MAINTENANCE]) == 8  # months 4, 8, ... 32
    due = next_payment(done, installation + timedelta(hours=1))
    assert due is not None and due.number == 2 and due.amount == won(29_900)



def test_a_contract_that_is_ending_bills_nothing_more_and_cannot_end_twice() -> None:
    installation = NOW + timedelta(days=1)
    done = installed(_contract(installation), installation)
    over = ending(done, EndReason.NON_PAYMENT, installation + timedelta(days=95))
    assert (over.status, over.end_reason, over.version) == (ContractStatus.ENDING, EndReason.NON_PAYMENT, 3)
    assert next_payment(over, installation + timedelta(days=96)) is None
    with pytest.raises(ContractNotActive):
        ending(over, EndReason.EARLY_TERMINATION, installation + timedelta(days=97))
    rolling = replace(done, status=ContractStatus.MONTH_TO_MONTH)
    assert next_payment(rolling, installation + timedelta(hours=1)) is not None

# --- the hash-chained log ------------------------------------------------------------------------------------------

def test_the_log_chains_and_any_change_breaks_it() -> None:
    first = append(None, "a1", "started", NOW, {"plan": "p"})
    second = append(first, "a1", "identity_verified", NOW, {"issuer": "gov"})
    third = append(second, "a1", "contract_signed", NOW, {"pdf_sha256": "a" * 64})
    assert verify_chain([first, second, third]) is None
    assert verify_chain([first, replace(second, data={"issuer": "forged"}), third]) == 1
    assert verify_chain([first, third]) == 1
    assert second.previous_hash == first.hash and len(third.hash) == 64
