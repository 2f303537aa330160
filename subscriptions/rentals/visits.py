"""Visits, the engine for services: a plan's included visits (a filter change every few months) and the visits
of a service (cleaning every week or month) become visit rows ahead of time; each is given to one of the
brand's technicians in its region with a place left that day, the least loaded first; the customer may move it
to a free time or skip it (as the plan allows); the technician it is assigned to completes it with a checklist
and photos; one not completed by the end of its day is missed, and the customer is credited as the plan says.

Every rule here is pure: the services load what they need, ask these functions, and save the answer."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction

from subscriptions.billing_calendar import MONTHLY, BillingCalendar, require_aware, zone
from subscriptions.money import Money, scale
from subscriptions.rentals import contracts as contract_rules
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
from subscriptions.rentals.plans import BASIS_POINTS, PlanTerms

MISSED_CREDIT_RATE = 1_000  # 10% of that month's rent, unless the plan says otherwise
PHOTOS_MAX = 10
CAPACITY_MAX = 30
NAME_MAX = 32
WEEKS_A_YEAR = 52
DEFAULT_HOURS = (10, 14, 17)  # local hours a technician's visits may start


class WorkKind(StrEnum):
    MAINTENANCE = "maintenance"  # a plan's included visit: the filter changed, the water tested
    CLEANING = "cleaning"


# What a technician ticks, per kind of visit; the handlers word each item in the reader's language.
CHECKLISTS: dict[WorkKind, tuple[str, ...]] = {
    WorkKind.MAINTENANCE: ("filter_changed", "water_tested", "unit_cleaned"),
    WorkKind.CLEANING: ("kitchen", "bathroom", "floors", "dusting"),
}


class Cadence(StrEnum):
    INCLUDED = "included"  # every `visit_every_months` of the plan's terms, after the installation
    WEEKLY = "weekly"  # a service: every week on the first visit's weekday and hour
    MONTHLY = "monthly"  # a service: every month on the first visit's day and hour


class VisitStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    SKIPPED = "skipped"
    MISSED = "missed"
    RESCHEDULED = "rescheduled"  # moved: the visit at the new time is another row (`moved_to`)


@dataclass(frozen=True, slots=True)
class VisitPolicy:
    """What a plan says about its visits: their kind and cadence, whether the customer may skip one, what a
    missed one is credited (basis points of that month's rent), and how many first visits are free."""

    plan_id: str
    kind: WorkKind = WorkKind.MAINTENANCE
    cadence: Cadence = Cadence.INCLUDED
    skippable: bool = False
    missed_credit_rate: int = MISSED_CREDIT_RATE
    free_visits: int = 0


def default_policy(plan_id: str, is_service: bool) -> VisitPolicy:
    """A plan without a policy of its own: a product's included visits may be moved, not skipped; a service
    is cleaned monthly and may skip a visit."""
    if is_service:
        return VisitPolicy(plan_id, WorkKind.CLEANING, Cadence.MONTHLY, skippable=True)
    return VisitPolicy(plan_id)


@dataclass(frozen=True, slots=True)
class Technician:
    id: str
    brand_id: int
    user_id: int
    name: LocalText  # as the customer is told: "박" / "Park"
    region: str
    capacity: int  # visits a day
    hours: tuple[int, ...] = DEFAULT_HOURS
    active: bool = True


def check_technician(technician: Technician, regions: Iterable[str]) -> Technician:
    name = LocalText(technician.name.ko.strip(), technician.name.en.strip())
    fits = all(0 < len(text) <= NAME_MAX for text in (name.ko, name.en))
    if not fits or technician.region not in set(regions):
        raise InvalidTechnician(technician.region)
    if not 1 <= technician.capacity <= CAPACITY_MAX or not technician.hours \
            or any(not 6 <= hour <= 21 for hour in technician.hours):
        raise InvalidTechnician(str(technician.capacity))
    return replace(technician, name=name, hours=tuple(sorted(set(technician.hours))))


@dataclass(frozen=True, slots=True)
class FieldVisit:
    """One visit to one customer at one time. `occurrence` names the time the schedule gave it, so the sweep that
    creates visits ahead can run as often as it likes and never makes one twice."""

    id: str
    contract_id: str
    customer_id: int
    brand_id: int
    region: str
    kind: WorkKind
    occurrence: str
    scheduled_at: datetime
    status: VisitStatus = VisitStatus.SCHEDULED
    technician_id: str | None = None
    checklist: tuple[str, ...] = ()  # ticked so far, then as completed
    photos: tuple[str, ...] = ()  # opaque references (Telegram file ids)
    credit: Money | None = None  # what a missed visit credited the customer
    missed_at: datetime | None = None
    completed_at: datetime | None = None
    moved_to: str | None = None
    version: int = 1

    @property
    def is_open(self) -> bool:
        return self.status is VisitStatus.SCHEDULED


# --- the schedule ----------------------------------------------------------------------------------------------

def visit_times(contract: Contract, policy: VisitPolicy, start: datetime, end: datetime) -> list[datetime]:
    """The contract's visit times in [start, end) by its plan's policy, within the term and while it is billed.

    Included visits anchor on the installation as the rent does, so they are laid out once it happened (the
    anchor is known); a service's first visit is the booked slot itself and the rest keep its weekday and hour."""
    start, end = require_aware(start), require_aware(end)
    if not contract.is_billed:
        return []
    if policy.cadence is Cadence.INCLUDED:
        if contract.installed_at is None:
            return []
        return [visit.at for visit in contract_rules.visits(contract)
                if visit.kind is contract_rules.VisitKind.MAINTENANCE and start <= visit.at < end]
    first = contract.installation_at
    term_end = BillingCalendar(first, contract.timezone, MONTHLY).boundary(contract.terms.term_months)
    last = min(end, term_end)
    if policy.cadence is Cadence.MONTHLY:
        calendar = BillingCalendar(first, contract.timezone, MONTHLY)
        times = (require_aware(calendar.boundary(month)) for month in range(contract.terms.term_months))
        return [at for at in times if start <= at < last]
    return _weekly(first, contract.timezone, start, last)


def _weekly(first: datetime, timezone: str, start: datetime, end: datetime) -> list[datetime]:
    """Every week from `first` at its local weekday and hour (a change of summer time keeps the wall clock)."""
    local = first.astimezone(zone(timezone))
    skip = max(0, (start - first).days // 7 - 1)
    found: list[datetime] = []
    week = skip
    while True:
        day = local.date() + timedelta(weeks=week)
        at = require_aware(datetime.combine(day, local.time(), tzinfo=zone(timezone)))
        if at >= end:
            return found
        if at >= start:
            found.append(at)
        week += 1


def occurrence_key(at: datetime) -> str:
    return require_aware(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def new_visits(contract: Contract, policy: VisitPolicy, times: Sequence[datetime], ids: Sequence[str]) -> list[FieldVisit]:
    return [FieldVisit(visit_id, contract.id, contract.applicant_id, contract.brand_id, contract.region, policy.kind,
                       occurrence_key(at), at) for visit_id, at in zip(ids, times, strict=True)]


def visit_value(terms: PlanTerms, policy: VisitPolicy) -> Money:
    """One visit's share of the monthly fee: a week's for a weekly service (12/52 of a month), the whole month's
    for a monthly one (what a free first visit is worth)."""
    if policy.cadence is Cadence.WEEKLY:
        return scale(terms.monthly_fee, Fraction(12, WEEKS_A_YEAR))
    return terms.monthly_fee


def trial_credit(terms: PlanTerms, policy: VisitPolicy) -> Money:
    """What the free first visits are worth, taken off the customer's next payment."""
    return visit_value(terms, policy) * max(0, policy.free_visits)


def missed_credit(terms: PlanTerms, policy: VisitPolicy) -> Money:
    """A missed visit's credit: the policy's share of that month's rent."""
    return scale(terms.monthly_fee, Fraction(policy.missed_credit_rate, BASIS_POINTS))


def local_day(at: datetime, timezone: str) -> date:
    return require_aware(at).astimezone(zone(timezone)).date()


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The first instant of the local day and of the next, in UTC (as they are stored and compared)."""
    start = datetime.combine(day, time(0), tzinfo=zone(timezone))
    return require_aware(start), require_aware(datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone(timezone)))


# --- assignment ------------------------------------------------------------------------------------------------

Load = Mapping[tuple[str, date], int]  # (technician id, local day) -> visits already given that day


@dataclass(frozen=True, slots=True)
class Assignment:
    assigned: dict[str, str]  # visit id -> technician id
    unassigned: tuple[str, ...]  # no technician of the brand in the region has a place left that day


def assign(visits: Sequence[FieldVisit], technicians: Sequence[Technician], load: Load,
           busy: Iterable[tuple[str, datetime]] = (), *, timezone: str) -> Assignment:
    """Give each visit (earliest first, then by id) to a technician of its brand in its region who has a place
    left on its local day and is not at another visit at that time: the least loaded first, the lowest id among
    equals, so the same input always gives the same answer. `load` and `busy` are what is given already."""
    pools: dict[tuple[int, str], list[Technician]] = {}
    for technician in sorted(technicians, key=lambda t: t.id):
        if technician.active:
            pools.setdefault((technician.brand_id, technician.region), []).append(technician)
    capacity = {t.id: t.capacity for t in technicians}
    taken = set(busy)
    heaps: dict[tuple[int, str, date], list[tuple[int, str]]] = {}
    assigned: dict[str, str] = {}
    unassigned: list[str] = []
    for visit in sorted(visits, key=lambda v: (v.scheduled_at, v.id)):
        day = local_day(visit.scheduled_at, timezone)
        key = (visit.brand_id, visit.region, day)
        heap = heaps.get(key)
        if heap is None:
            heap = [(load.get((t.id, day), 0), t.id) for t in pools.get((visit.brand_id, visit.region), [])
                    if load.get((t.id, day), 0) < t.capacity]
            heapq.heapify(heap)
            heaps[key] = heap
        chosen = _least_loaded(heap, taken, visit.scheduled_at, capacity)
        if chosen is None:
            unassigned.append(visit.id)
            continue
        assigned[visit.id] = chosen
        taken.add((chosen, visit.scheduled_at))
    return Assignment(assigned, tuple(unassigned))


def _least_loaded(heap: list[tuple[int, str]], taken: set[tuple[str, datetime]], at: datetime,
                  capacity: Mapping[str, int]) -> str | None:
    passed: list[tuple[int, str]] = []
    chosen: str | None = None
    while heap:
        count, technician_id = heapq.heappop(heap)
        if (technician_id, at) in taken:
            passed.append((count, technician_id))
            continue
        chosen = technician_id
        if count + 1 < capacity[technician_id]:
            heapq.heappush(heap, (count + 1, technician_id))
        break
    for each in passed:
        heapq.heappush(heap, each)
    return chosen


# --- the customer's and the technician's moves -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FreeTime:
    """A time a technician of the region can come: a place left that day, nobody else at that hour."""

    technician_id: str
    technician: LocalText
    at: datetime


def free_times(technicians: Sequence[Technician], load: Load, busy: Iterable[tuple[str, datetime]],
               days: Sequence[date], now: datetime, timezone: str, *, exclude: datetime | None = None) -> list[FreeTime]:
    """The hours on `days` at which one of `technicians` is free, earliest first (the least loaded technician
    for each hour), never in the past."""
    taken = set(busy)
    found: list[FreeTime] = []
    for day in days:
        for hour in sorted({h for t in technicians for h in t.hours}):
            at = require_aware(datetime.combine(day, time(hour), tzinfo=zone(timezone)))
            if at <= require_aware(now) or at == exclude:
                continue
            candidates = [(load.get((t.id, day), 0), t.id, t) for t in technicians
                          if t.active and hour in t.hours and load.get((t.id, day), 0) < t.capacity
                          and (t.id, at) not in taken]
            if candidates:
                _, _, technician = min(candidates, key=lambda c: (c[0], c[1]))
                found.append(FreeTime(technician.id, technician.name, at))
    return found


def moved(visit: FieldVisit, to: FreeTime, new_id: str, now: datetime) -> tuple[FieldVisit, FieldVisit]:
    """The visit moved to a free time: it is `rescheduled`, and a new one is scheduled then with that technician."""
    require_open(visit)
    if to.at <= require_aware(now):
        raise VisitSlotTaken(to.at.isoformat())
    after = FieldVisit(new_id, visit.contract_id, visit.customer_id, visit.brand_id, visit.region, visit.kind,
                       f"{visit.occurrence}>{occurrence_key(to.at)}", to.at, technician_id=to.technician_id)
    before = replace(visit, status=VisitStatus.RESCHEDULED, moved_to=new_id, version=visit.version + 1)
    return before, after


def skipped(visit: FieldVisit, policy: VisitPolicy, now: datetime) -> FieldVisit:
    require_open(visit)
    if not policy.skippable:
        raise VisitNotSkippable(visit.id)
    if visit.scheduled_at <= require_aware(now):
        raise VisitNotOpen(visit.id)
    return replace(visit, status=VisitStatus.SKIPPED, version=visit.version + 1)


def ticked(visit: FieldVisit, technician_id: str, item: str) -> FieldVisit:
    """The item ticked (or unticked, when it was) on the visit's checklist, by the technician assigned to it."""
    _require_assigned(visit, technician_id)
    if item not in CHECKLISTS[visit.kind]:
        raise InvalidChecklist(item)
    items = [each for each in visit.checklist if each != item] if item in visit.checklist \
        else [each for each in CHECKLISTS[visit.kind] if each in visit.checklist or each == item]
    return replace(visit, checklist=tuple(items), version=visit.version + 1)


def with_photo(visit: FieldVisit, technician_id: str, photo: str) -> FieldVisit:
    _require_assigned(visit, technician_id)
    if len(visit.photos) >= PHOTOS_MAX or not photo:
        raise InvalidChecklist("photos")
    return replace(visit, photos=(*visit.photos, photo), version=visit.version + 1)


def completed(visit: FieldVisit, technician_id: str, now: datetime) -> FieldVisit:
    """Done, by the technician it is assigned to, with at least one item of its checklist ticked."""
    _require_assigned(visit, technician_id)
    if not visit.checklist:
        raise InvalidChecklist("nothing ticked")
    return replace(visit, status=VisitStatus.COMPLETED, completed_at=require_aware(now), version=visit.version + 1)


def is_overdue(visit: FieldVisit, now: datetime, timezone: str) -> bool:
    """Still scheduled when its local day (in the brand's zone) is over."""
    _, day_end = day_bounds(local_day(visit.scheduled_at, timezone), timezone)
    return visit.is_open and require_aware(now) >= day_end


def missed(visit: FieldVisit, credit: Money, now: datetime) -> FieldVisit:
    require_open(visit)
    return replace(visit, status=VisitStatus.MISSED, credit=credit, missed_at=require_aware(now),
                   version=visit.version + 1)


def require_open(visit: FieldVisit) -> None:
    if not visit.is_open:
        raise VisitNotOpen(visit.status.value)


def _require_assigned(visit: FieldVisit, technician_id: str) -> None:
    require_open(visit)
    if visit.technician_id != technician_id:
        raise NotYourVisit(visit.id)


@dataclass(frozen=True, slots=True)
class VisitCredit:
    """A missed visit's credit, as the month-end close books it (Dr expense:visit_credit, Cr payable:customer)."""

    visit_id: str
    contract_id: str
    customer_id: int
    amount: Money
    missed_at: datetime
