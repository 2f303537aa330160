"""Visits' pure rules: the schedule a plan's policy lays out, the assignment balanced by load (capacity, region,
deterministic), moving, skipping, completing and missing a visit, and billing's credits off the next invoice."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subscriptions.billing.credits import CustomerCredit, InvalidCredit, credited_price
from subscriptions.money import Money
from subscriptions.rentals.catalog import LocalText
from subscriptions.rentals.contracts import Contract
from subscriptions.rentals.errors import (
    InvalidChecklist,
    InvalidTechnician,
    NotYourVisit,
    VisitNotOpen,
    VisitNotSkippable,
    VisitSlotTaken,
)
from subscriptions.rentals.plans import EndOfTerm, PlanTerms
from subscriptions.rentals.visits import (
    Cadence,
    FieldVisit,
    FreeTime,
    Technician,
    VisitPolicy,
    VisitStatus,
    WorkKind,
    assign,
    check_technician,
    completed,
    free_times,
    is_overdue,
    local_day,
    missed,
    missed_credit,
    moved,
    skipped,
    ticked,
    trial_credit,
    visit_times,
    with_photo,
)

SEOUL_TZ = "Asia/Seoul"
TUESDAY_10 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Tuesday 1 December, 10:00 in Seoul
BRAND = 7


def won(amount: int) -> Money:
    return Money(amount, "KRW")


WEEKLY = VisitPolicy("weekly", WorkKind.CLEANING, Cadence.WEEKLY, skippable=True, free_visits=1)
INCLUDED = VisitPolicy("purifier")


def contract(terms: PlanTerms | None = None, *, installed: datetime | None = None) -> Contract:
    terms = terms or PlanTerms(12, 3, won(120_000), won(0), won(0), EndOfTerm.MONTH_TO_MONTH)
    return Contract("c1", "a1", 42, BRAND, "p", "plan", "v1", terms, "seoul", None, TUESDAY_10 - timedelta(days=4),
                    TUESDAY_10, SEOUL_TZ, "pay", terms.first_payment, "sha", "sig", installed_at=installed)


def technician(tid: str, capacity: int = 3, region: str = "seoul", brand: int = BRAND) -> Technician:
    return Technician(tid, brand, hash(tid) % 1000, LocalText(tid, tid), region, capacity)


def visit(vid: str, at: datetime = TUESDAY_10, region: str = "seoul", brand: int = BRAND, **changes: object
          ) -> FieldVisit:
    base = FieldVisit(vid, "c1", 42, brand, region, WorkKind.CLEANING, at.isoformat(), at)
    return replace(base, **changes)  # type: ignore[arg-type]


# --- the schedule ----------------------------------------------------------------------------------------------

def test_a_weekly_service_visits_every_tuesday_at_ten_from_the_booked_first_visit() -> None:
    times = visit_times(contract(), WEEKLY, TUESDAY_10 - timedelta(days=1), TUESDAY_10 + timedelta(days=28))
    assert times == [TUESDAY_10 + timedelta(weeks=week) for week in range(4)]
    assert {local_day(at, SEOUL_TZ).weekday() for at in times} == {1}


def test_included_visits_wait_for_the_installation_and_follow_the_plan_interval() -> None:
    terms = PlanTerms(36, 36, won(29_900), won(0), won(0), EndOfTerm.OWNERSHIP_PASSES, 4)
    year = TUESDAY_10 + timedelta(days=400)
    assert visit_times(contract(terms), INCLUDED, TUESDAY_10, year) == []
    times = visit_times(contract(terms, installed=TUESDAY_10), INCLUDED, TUESDAY_10, year)
    assert [local_day(at, SEOUL_TZ).isoformat() for at in times] == ["2027-04-01", "2027-08-01", "2027-12-01"]


def test_a_free_first_week_is_a_weeks_share_of_the_month_and_a_missed_visit_ten_percent() -> None:
    terms = contract().terms
    assert trial_credit(terms, WEEKLY) == won(27_692)  # 120,000 × 12 / 52
    assert missed_credit(terms, WEEKLY) == won(12_000)
    assert trial_credit(terms, INCLUDED) == won(0)


# --- assignment ------------------------------------------------------------------------------------------------

def test_visits_go_to_the_least_loaded_technician_ties_by_id() -> None:
    visits = [visit(f"v{n}", TUESDAY_10 + timedelta(hours=n)) for n in range(4)]
    result = assign(visits, [technician("t2"), technician("t1")], {}, timezone=SEOUL_TZ)
    assert result.assigned == {"v0": "t1", "v1": "t2", "v2": "t1", "v3": "t2"}


def test_a_technician_already_loaded_that_day_gets_fewer() -> None:
    day = local_day(TUESDAY_10, SEOUL_TZ)
    visits = [visit(f"v{n}", TUESDAY_10 + timedelta(hours=n)) for n in range(3)]
    result = assign(visits, [technician("t1"), technician("t2")], {("t1", day): 2}, timezone=SEOUL_TZ)
    assert Counter(result.assigned.values()) == {"t2": 2, "t1": 1}


def test_capacity_a_day_is_never_exceeded_the_rest_waits() -> None:
    visits = [visit(f"v{n}", TUESDAY_10 + timedelta(minutes=n)) for n in range(7)]
    result = assign(visits, [technician("t1", 3), technician("t2", 2)], {}, timezone=SEOUL_TZ)
    assert Counter(result.assigned.values()) == {"t1": 3, "t2": 2}
    assert result.unassigned == ("v5", "v6")


def test_only_the_brands_technicians_in_the_visits_region_are_given_it() -> None:
    pool = [technician("busan", region="busan"), technician("other", brand=8), technician("seoul")]
    result = assign([visit("v1"), visit("v2", region="busan"), visit("v3", region="daegu")], pool, {},
                    timezone=SEOUL_TZ)
    assert result.assigned == {"v1": "seoul", "v2": "busan"} and result.unassigned == ("v3",)


def test_two_visits_at_one_time_never_go_to_one_technician() -> None:
    result = assign([visit("v1"), visit("v2"), visit("v3")], [technician("t1"), technician("t2")], {},
                    timezone=SEOUL_TZ)
    assert result.assigned == {"v1": "t1", "v2": "t2"} and result.unassigned == ("v3",)


def test_the_same_visits_in_another_order_get_the_same_technicians() -> None:
    visits = [visit(f"v{n:02d}", TUESDAY_10 + timedelta(hours=n % 5, days=n % 3)) for n in range(30)]
    pool = [technician(f"t{n}", capacity=4) for n in range(5)]
    first = assign(visits, pool, {}, timezone=SEOUL_TZ)
    shuffled = visits[:]
    random.Random(7).shuffle(shuffled)
    assert assign(shuffled, list(reversed(pool)), {}, timezone=SEOUL_TZ) == first


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4), st.sampled_from(["seoul", "busan"])), max_size=60),
       st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["seoul", "busan"])), min_size=1, max_size=6))
def test_any_assignment_keeps_capacity_region_and_one_place_at_a_time(
        shape: list[tuple[int, int, str]], staff: list[tuple[int, str]]) -> None:
    visits = [visit(f"v{n}", TUESDAY_10 + timedelta(days=day, hours=hour), region)
              for n, (day, hour, region) in enumerate(shape)]
    pool = [technician(f"t{n}", capacity, region) for n, (capacity, region) in enumerate(staff)]
    by_id = {t.id: t for t in pool}
    result = assign(visits, pool, {}, timezone=SEOUL_TZ)
    assert set(result.assigned) | set(result.unassigned) == {v.id for v in visits}
    per_day = Counter((tid, local_day(v.scheduled_at, SEOUL_TZ)) for v in visits
                      if (tid := result.assigned.get(v.id)) is not None)
    assert all(count <= by_id[tid].capacity for (tid, _), count in per_day.items())
    assert all(by_id[result.assigned[v.id]].region == v.region for v in visits if v.id in result.assigned)
    places = [(result.assigned[v.id], v.scheduled_at) for v in visits if v.id in result.assigned]
    assert len(places) == len(set(places))


# --- the customer's and the technician's moves -----------------------------------------------------------------

NOW = TUESDAY_10 - timedelta(hours=15)  # Monday 19:00 in Seoul


def test_free_times_skip_the_past_full_days_and_taken_hours() -> None:
    park = replace(technician("park", capacity=2), hours=(10, 14))
    tuesday, wednesday = local_day(TUESDAY_10, SEOUL_TZ), local_day(TUESDAY_10 + timedelta(days=1), SEOUL_TZ)
    busy = [("park", TUESDAY_10 + timedelta(hours=4))]
    found = free_times([park], {("park", tuesday): 2}, busy, [tuesday, wednesday], NOW, SEOUL_TZ)
    assert [f.at for f in found] == [TUESDAY_10 + timedelta(days=1), TUESDAY_10 + timedelta(days=1, hours=4)]


def test_moving_a_visit_leaves_it_rescheduled_and_schedules_the_new_time() -> None:
    to = FreeTime("park", LocalText("박", "Park"), TUESDAY_10 + timedelta(days=1))
    old, new = moved(visit("v1", technician_id="park"), to, "v2", NOW)
    assert old.status is VisitStatus.RESCHEDULED and old.moved_to == "v2"
    assert new.scheduled_at == to.at and new.technician_id == "park" and new.is_open
    with pytest.raises(VisitNotOpen):
        moved(old, to, "v3", NOW)
    with pytest.raises(VisitSlotTaken):
        moved(visit("v4"), replace(to, at=NOW - timedelta(hours=1)), "v5", NOW)


def test_a_service_visit_may_be_skipped_an_included_one_may_not() -> None:
    assert skipped(visit("v1"), WEEKLY, NOW).status is VisitStatus.SKIPPED
    with pytest.raises(VisitNotSkippable):
        skipped(visit("v1"), INCLUDED, NOW)
    with pytest.raises(VisitNotOpen):
        skipped(visit("v1"), WEEKLY, TUESDAY_10 + timedelta(minutes=5))


def test_only_the_assigned_technician_ticks_and_completes_with_something_ticked() -> None:
    given_to_park = visit("v1", technician_id="park")
    with pytest.raises(NotYourVisit):
        ticked(given_to_park, "kim", "kitchen")
    with pytest.raises(InvalidChecklist):
        ticked(given_to_park, "park", "filter_changed")  # not a cleaning's item
    with pytest.raises(InvalidChecklist):
        completed(given_to_park, "park", TUESDAY_10)
    worked = with_photo(ticked(ticked(given_to_park, "park", "floors"), "park", "kitchen"), "park", "file-1")
    assert worked.checklist == ("kitchen", "floors") and worked.photos == ("file-1",)
    assert ticked(worked, "park", "floors").checklist == ("kitchen",)
    done = completed(worked, "park", TUESDAY_10 + timedelta(hours=2))
    assert done.status is VisitStatus.COMPLETED
    with pytest.raises(NotYourVisit):
        completed(worked, "kim", TUESDAY_10)


def test_a_visit_is_overdue_only_when_its_day_is_over_in_the_brands_zone() -> None:
    scheduled = visit("v1")
    assert not is_overdue(scheduled, TUESDAY_10 + timedelta(hours=13, minutes=59), SEOUL_TZ)  # 23:59 Tuesday
    assert is_overdue(scheduled, TUESDAY_10 + timedelta(hours=14), SEOUL_TZ)  # 00:00 Wednesday
    gone = missed(scheduled, won(12_000), TUESDAY_10 + timedelta(hours=14))
    assert gone.status is VisitStatus.MISSED and gone.credit == won(12_000)
    assert not is_overdue(gone, TUESDAY_10 + timedelta(days=3), SEOUL_TZ)


def test_a_technician_needs_both_names_a_served_region_and_a_sensible_capacity() -> None:
    assert check_technician(technician("park"), ["seoul"]).capacity == 3
    for wrong in (technician("park", capacity=0), technician("park", region="daegu"),
                  replace(technician("park"), name=LocalText(" ", "Park"))):
        with pytest.raises(InvalidTechnician):
            check_technician(wrong, ["seoul", "busan"])


# --- billing's credits -----------------------------------------------------------------------------------------

def credit(cid: str, amount: int, minutes: int = 0) -> CustomerCredit:
    return CustomerCredit(cid, 42, "7", "rent-c1", won(amount), "visit_missed", TUESDAY_10 + timedelta(minutes=minutes))


def test_credits_come_off_the_next_invoice_oldest_first_while_something_is_left_to_pay() -> None:
    price = credited_price(won(120_000), [credit("b", 100_000, 2), credit("a", 12_000, 1), credit("c", 27_692, 3)])
    assert price.amount == won(8_000) and price.credit == won(112_000) and price.used == ("a", "b")
    assert credited_price(won(120_000), []).amount == won(120_000)
    with pytest.raises(InvalidCredit):
        credit("z", 0)
