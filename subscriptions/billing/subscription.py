"""The `Subscription` aggregate: its states, its paid terms and every legal move between them.

    trialing --(first period paid)--> active --(period paid)--> active (renewed)
    trialing/active --(period ended unpaid)--> past_due --(last dunning step)--> suspended
    active --(the last term of a fixed term ended)--> canceled ("term_complete")
    past_due/suspended --(payment)--> active;  suspended --(grace over)--> canceled
    active --pause--> paused --resume--> active;  any live state --cancel--> canceled

A term is one paid (or trial, or gifted) stretch of time. `term` is the latest one: its end is what
the subscription is paid through. Renewal terms come from the billing calendar, so a term always
ends on a calendar boundary and terms tile time without gaps.

A fixed-term subscription (`term_periods`, a rental's monthly rent) ends by itself after that many terms:
the last one is not invoiced or renewed, and the subscriber cannot pause, change or cancel it (the
contract it belongs to ends it early, through its owner's domain, with `cancel_now`).

Each move returns the events it caused and bumps `version`, which the repository compares on save
(optimistic concurrency). Moves that are already done (cancel twice, resume an active one by a
stale button) return no events rather than fail, where doing nothing is the honest answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from subscriptions.billing.errors import (
    FixedTerm,
    IllegalTransition,
    NotYourSubscription,
    UnsupportedByProvider,
)
from subscriptions.billing.events import (
    CancellationScheduled,
    CancellationWithdrawn,
    DomainEvent,
    PaymentFailed,
    PlanChangeScheduled,
    SubscriptionCanceled,
    SubscriptionPaused,
    SubscriptionRenewed,
    SubscriptionResumed,
    SubscriptionStarted,
    SubscriptionSuspended,
    SubscriptionUpgraded,
)
from subscriptions.billing_calendar import (
    BillingCalendar,
    Interval,
    Period,
    require_aware,
    seconds_between,
    zone,
)
from subscriptions.ids import UserId
from subscriptions.money import Money


class Status(StrEnum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"
    PAUSED = "paused"
    CANCELED = "canceled"


LIVE = frozenset({Status.TRIALING, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED, Status.PAUSED})


class TermKind(StrEnum):
    TRIAL = "trial"
    PAID = "paid"
    GIFT = "gift"


@dataclass(frozen=True, slots=True)
class Term:
    """One stretch of service: number 0 is a trial, paid terms count 1, 2, ...; `amount` is what it cost.

    `calendar_index` is the billing-calendar period this term stands for; the next term is period
    `calendar_index + 1`. A term that ends on the calendar's anchor (a trial, a resumed remainder)
    has index -1, so the next term is period 0.
    """

    number: int
    start: datetime
    end: datetime
    plan_version_id: str
    amount: Money
    kind: TermKind = TermKind.PAID
    calendar_index: int = 0

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, self.number)

    @property
    def key(self) -> str:
        """Stable key of this term for idempotency and reminder keys ("3", never a date that may move)."""
        return str(self.number)


@dataclass(frozen=True, slots=True)
class DunningPolicy:
    """Reminders `steps_days` after a missed payment; suspended at the last step, canceled later."""

    steps_days: tuple[int, ...] = (1, 3, 7)
    cancel_after_days: int = 30

    @property
    def suspend_after(self) -> timedelta:
        return timedelta(days=self.steps_days[-1] if self.steps_days else 0)


@dataclass(frozen=True, slots=True)
class PendingPlan:
    plan_id: str
    plan_version_id: str


@dataclass(slots=True)
class Subscription:
    """One user's subscription to one plan of one offer."""

    id: str
    user_id: UserId
    offer_id: str
    merchant_id: str
    plan_id: str
    provider: str
    calendar: BillingCalendar
    term: Term
    status: Status
    created_at: datetime
    curator_id: UserId | None = None
    cancel_at_period_end: bool = False
    canceled_at: datetime | None = None
    past_due_since: datetime | None = None
    paused_at: datetime | None = None
    paused_remaining_seconds: int = 0
    pending_plan: PendingPlan | None = None
    gift_id: str | None = None
    # The charge that started a Stars subscription: Telegram keys cancellation on it.
    first_charge_id: str | None = None
    # Highest term number a renewal invoice went out for (card providers), so a sweep sends one each.
    invoiced_term: int = 0
    trial_until: datetime | None = None  # set for good when the subscription began with a trial
    term_periods: int | None = None  # a fixed term: it ends after this many terms (None: until canceled)
    version: int = 0
    dunning: DunningPolicy = field(default_factory=DunningPolicy)

    # --- construction ----------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        *,
        subscription_id: str,
        user_id: UserId,
        offer_id: str,
        merchant_id: str,
        plan_id: str,
        provider: str,
        calendar: BillingCalendar,
        first_term: Term,
        now: datetime,
        curator_id: UserId | None = None,
        gift_id: str | None = None,
        first_charge_id: str | None = None,
        dunning: DunningPolicy | None = None,
        term_periods: int | None = None,
    ) -> tuple[Subscription, list[DomainEvent]]:
        """A new subscription whose first term is a trial, a paid period or a gift; with `term_periods`, one
        that ends by itself after that many terms."""
        if term_periods is not None and term_periods < max(1, first_term.number):
            raise IllegalTransition(f"start with {term_periods} terms", "fixed-term")
        status = Status.TRIALING if first_term.kind is TermKind.TRIAL else Status.ACTIVE
        sub = cls(
            id=subscription_id,
            user_id=user_id,
            offer_id=offer_id,
            merchant_id=merchant_id,
            plan_id=plan_id,
            provider=provider,
            calendar=calendar,
            term=first_term,
            status=status,
            created_at=require_aware(now),
            curator_id=curator_id,
            gift_id=gift_id,
            first_charge_id=first_charge_id,
            # A gift covers one period; going on is the recipient's own choice.
            cancel_at_period_end=gift_id is not None,
            trial_until=first_term.end if first_term.kind is TermKind.TRIAL else None,
            dunning=dunning or DunningPolicy(),
            term_periods=term_periods,
        )
        started = SubscriptionStarted(
            sub.id, user_id, offer_id, first_term.plan_version_id, status.value, first_term.end, sub.created_at
        )
        return sub, [started]

    # --- reading ---------------------------------------------------------------------------------

    @property
    def paid_through(self) -> datetime:
        return self.term.end

    @property
    def had_trial(self) -> bool:
        return self.trial_until is not None

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    @property
    def is_fixed_term(self) -> bool:
        return self.term_periods is not None

    @property
    def in_last_term(self) -> bool:
        """Whether the current term is the last of a fixed term: nothing follows it."""
        return self.term_periods is not None and self.term.number >= self.term_periods

    @property
    def terms_left(self) -> int | None:
        """Terms still to be paid after the current one (None when the subscription has no fixed term)."""
        return None if self.term_periods is None else max(0, self.term_periods - self.term.number)

    def has_access(self, now: datetime) -> bool:
        """Whether the user may use what they subscribed to at `now`."""
        live = self.status in (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)
        return live and require_aware(now) < self.term.end + self.dunning.suspend_after

    def next_period(self) -> Period:
        """The period after the current term: it starts where the term ends and runs to the calendar's
        boundary for the next index (after a timezone change the two calendars' boundaries differ by
        hours, so the first term under the new zone is that much longer or shorter, never gapped)."""
        following = self.calendar.period(self.term.calendar_index + 1)
        while following.end <= self.term.end:
            following = self.calendar.period(following.index + 1)
        return Period(self.term.end, following.end, following.index)

    def change_timezone(self, timezone: str) -> bool:
        """Bill from the next term on at the same local wall time in `timezone`. Stars stay in UTC."""
        if self.provider == "stars" or timezone == self.calendar.timezone or not self.is_live:
            return False
        local = self.calendar.local_anchor
        anchor = datetime.combine(local.date(), local.time().replace(tzinfo=None), tzinfo=zone(timezone))
        self.calendar = BillingCalendar(anchor, timezone, self.calendar.interval)
        self._bump()
        return True

    @property
    def next_transition_at(self) -> datetime | None:
        """When `advance` will next change something; storage indexes this for the sweep."""
        if self.status in (Status.TRIALING, Status.ACTIVE):
            return self.term.end
        if self.status is Status.PAST_DUE:
            return (self.past_due_since or self.term.end) + self.dunning.suspend_after
        if self.status is Status.SUSPENDED:
            return (self.past_due_since or self.term.end) + timedelta(days=self.dunning.cancel_after_days)
        return None

    def renewal_invoice_due_at(self, lead: timedelta) -> datetime | None:
        """When the next renewal invoice should go out (card providers only), or None."""
        if (self.provider == "stars" or self.cancel_at_period_end or self.invoiced_term > self.term.number
                or self.in_last_term):
            return None
        if self.status in (Status.TRIALING, Status.ACTIVE):
            return self.term.end - lead
        if self.status in (Status.PAST_DUE, Status.SUSPENDED):
            return self.term.end
        return None

    def mark_invoiced(self, term_number: int) -> None:
        self.invoiced_term = max(self.invoiced_term, term_number)
        self._bump()

    def roll_on(self) -> bool:
        """One period more of a fixed term (a rental rolling on month to month): its owner's domain decides
        when; False when the subscription has no fixed term or has ended."""
        if self.term_periods is None or self.status is Status.CANCELED:
            return False
        self.term_periods += 1
        self._bump()
        return True

    def ensure_owner(self, user_id: UserId) -> None:
        if user_id != self.user_id:
            raise NotYourSubscription(self.id)

    # --- moves -----------------------------------------------------------------------------------

    def _bump(self) -> None:
        self.version += 1

    def renew(
        self,
        *,
        amount: Money,
        plan_version_id: str,
        now: datetime,
        interval: Interval | None = None,
        automatic: bool = False,
    ) -> list[DomainEvent]:
        """A payment for the next term arrived: extend by one calendar period.

        A past-due subscription continues its calendar (the grace days were served); a suspended
        one had no service, so it starts afresh at `now`. `interval` re-anchors the calendar at the
        term end when a scheduled plan change brings another interval. An `automatic` charge (Stars)
        keeps a scheduled cancellation; a payment the user made themselves withdraws it.
        """
        if self.status in (Status.CANCELED, Status.PAUSED):
            raise IllegalTransition("renew", self.status.value)
        if self.in_last_term:
            raise IllegalTransition("renew past its last term", "fixed-term")
        now = require_aware(now)
        recovered = self.status in (Status.PAST_DUE, Status.SUSPENDED)
        if self.status is Status.SUSPENDED:
            self.calendar = BillingCalendar(now, self.calendar.timezone, interval or self.calendar.interval)
            self.term = replace(self.term, end=self.calendar.anchor, calendar_index=-1)
        elif interval is not None and interval != self.calendar.interval:
            self.calendar = BillingCalendar(self.term.end, self.calendar.timezone, interval)
            self.term = replace(self.term, calendar_index=-1)
        period = self.next_period()
        if self.pending_plan is not None:
            self.plan_id = self.pending_plan.plan_id
            self.pending_plan = None
        self.term = Term(self.term.number + 1, period.start, period.end, plan_version_id, amount,
                         calendar_index=period.index)
        self.status = Status.ACTIVE
        self.past_due_since = None
        if not automatic:
            # Whoever pays for another period themselves wants it, whatever was scheduled before.
            self.cancel_at_period_end = False
        self._bump()
        return [
            SubscriptionRenewed(
                self.id, self.user_id, self.term.number, period.start, period.end, amount, recovered, now
            )
        ]

    def advance(self, now: datetime) -> list[DomainEvent]:
        """Apply what time alone decides at `now`: period-end cancellation, past due, suspension, cancel."""
        now = require_aware(now)
        if self.status in (Status.CANCELED, Status.PAUSED) or now < self.term.end:
            return []
        if self.cancel_at_period_end:
            return self._close("period_end", None, self.term.end)
        if self.in_last_term and self.status in (Status.TRIALING, Status.ACTIVE):
            return self._close("term_complete", None, self.term.end)
        events: list[DomainEvent] = []
        if self.status in (Status.TRIALING, Status.ACTIVE):
            self.status = Status.PAST_DUE
            self.past_due_since = self.term.end
            self._bump()
            events.append(PaymentFailed(self.id, self.user_id, self.term.number + 1, self.term.end, now))
        due = self.past_due_since or self.term.end
        if self.status is Status.PAST_DUE and now >= due + self.dunning.suspend_after:
            self.status = Status.SUSPENDED
            self._bump()
            events.append(SubscriptionSuspended(self.id, self.user_id, now))
        if self.status is Status.SUSPENDED and now >= due + timedelta(days=self.dunning.cancel_after_days):
            events.extend(self._close("unpaid", None, now))
        return events

    def cancel_at_end(self, now: datetime) -> list[DomainEvent]:
        """Stop renewing; service continues to the end of the paid term. Idempotent."""
        if self.status is Status.CANCELED:
            raise IllegalTransition("cancel", self.status.value)
        if self.is_fixed_term:
            raise FixedTerm("cancel")
        if self.cancel_at_period_end:
            return []
        if self.status in (Status.PAST_DUE, Status.SUSPENDED):
            # Nothing more is paid for: ending at the period end means ending now.
            return self.cancel_now(now, refund=None)
        self.cancel_at_period_end = True
        self._bump()
        return [CancellationScheduled(self.id, self.user_id, self.term.end, require_aware(now))]

    def withdraw_cancellation(self, now: datetime) -> list[DomainEvent]:
        """Keep renewing after all (the "Resume renewals" button). Idempotent."""
        if self.status is Status.CANCELED:
            raise IllegalTransition("withdraw cancellation of", self.status.value)
        if not self.cancel_at_period_end:
            return []
        if self.provider == "stars" and self.first_charge_id is None:
            # A gifted Stars period has no Telegram subscription behind it to keep renewing.
            raise UnsupportedByProvider("subscribe with Stars to continue after a gift")
        self.cancel_at_period_end = False
        self._bump()
        return [CancellationWithdrawn(self.id, self.user_id, require_aware(now))]

    def cancel_now(self, now: datetime, refund: Money | None) -> list[DomainEvent]:
        """End at once; `refund` is what the offer's policy gave back (computed by the caller)."""
        if self.status is Status.CANCELED:
            raise IllegalTransition("cancel", self.status.value)
        return self._close("user", refund, require_aware(now))

    def _close(self, reason: str, refund: Money | None, at: datetime) -> list[DomainEvent]:
        self.status = Status.CANCELED
        self.canceled_at = at
        if reason == "user" and at < self.term.end:
            self.term = replace(self.term, end=max(at, self.term.start))
        self._bump()
        return [SubscriptionCanceled(self.id, self.user_id, reason, refund, at)]

    def pause(self, now: datetime) -> list[DomainEvent]:
        """Stop service and billing; the unused part of the paid term is kept for later."""
        now = require_aware(now)
        if self.status is Status.PAUSED:
            return []
        if self.is_fixed_term:
            raise FixedTerm("pause")
        if self.status is not Status.ACTIVE:
            raise IllegalTransition("pause", self.status.value)
        if self.provider == "stars":
            raise UnsupportedByProvider("Telegram Stars subscriptions cannot be paused")
        self.paused_remaining_seconds = max(0, seconds_between(max(now, self.term.start), self.term.end))
        self.paused_at = now
        self.term = replace(self.term, end=max(now, self.term.start))
        self.status = Status.PAUSED
        self._bump()
        return [SubscriptionPaused(self.id, self.user_id, self.paused_remaining_seconds, now)]

    def resume(self, now: datetime) -> list[DomainEvent]:
        """Service again from `now` for the time that was left; the calendar re-anchors at its end."""
        now = require_aware(now)
        if self.status is not Status.PAUSED:
            if self.status is Status.ACTIVE:
                return []
            raise IllegalTransition("resume", self.status.value)
        end = now + timedelta(seconds=self.paused_remaining_seconds)
        self.calendar = BillingCalendar(end, self.calendar.timezone, self.calendar.interval)
        self.term = replace(self.term, start=now, end=self.calendar.anchor, calendar_index=-1)
        self.paused_at = None
        self.paused_remaining_seconds = 0
        self.status = Status.ACTIVE
        self._bump()
        return [SubscriptionResumed(self.id, self.user_id, self.term.end, now)]

    def upgrade(
        self, *, plan_id: str, plan_version_id: str, credit: Money, charge: Money, now: datetime
    ) -> list[DomainEvent]:
        """Switch plans at once for the rest of the term (the charge minus credit is already paid)."""
        if self.is_fixed_term:
            raise FixedTerm("change the plan of")
        if self.status not in (Status.ACTIVE, Status.TRIALING):
            raise IllegalTransition("upgrade", self.status.value)
        previous = self.term.plan_version_id
        self.plan_id = plan_id
        self.pending_plan = None
        paid_extra = charge - credit if self.term.kind is TermKind.PAID else Money.zero(charge.currency)
        self.term = replace(self.term, plan_version_id=plan_version_id, amount=self.term.amount + paid_extra)
        self._bump()
        return [
            SubscriptionUpgraded(self.id, self.user_id, previous, plan_version_id, credit, charge, require_aware(now))
        ]

    def schedule_plan_change(self, *, plan_id: str, plan_version_id: str, now: datetime) -> list[DomainEvent]:
        """Switch plans when the current term ends (downgrades, or a change of interval)."""
        if not self.is_live:
            raise IllegalTransition("change the plan of", self.status.value)
        if self.is_fixed_term:
            raise FixedTerm("change the plan of")
        wanted = PendingPlan(plan_id, plan_version_id)
        if self.pending_plan == wanted:
            return []
        self.pending_plan = wanted
        self._bump()
        return [PlanChangeScheduled(self.id, self.user_id, plan_id, self.term.end, require_aware(now))]
