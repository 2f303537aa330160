"""The charts of the admin's console: which roll-up figures each one draws, and how a month folds its days.

A figure is a `metric` with a `key` (a currency, a reason, a status). Flows (payments, messages) add up over a
month; levels (active contracts, overdue instalments) show the month's last day; active users show the mean day.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Metric(StrEnum):
    """The names the roll-up tables keep figures under (`storage.stats`)."""

    UPDATES_IN = "updates_in"  # hourly: updates that reached the inbox
    MESSAGES_OUT = "messages_out"  # hourly: messages the outbox delivered
    DELIVERY_FAULTS = "delivery_faults"  # hourly, from the pump: keys "failed" and "rate_limited" (429s)
    ACTIVE_USERS = "active_users"  # daily: distinct people who sent the bot anything
    REVENUE = "revenue"  # daily, per currency: money in through the providers less refunds (the ledger)
    MRR = "mrr"  # daily, per "<movement>:<currency>": MRR movements
    VERIFICATIONS = "verifications"  # daily, per result ("valid" or the failed check)
    RENTALS = "rentals"  # daily: applications and approvals (contracts signed)
    RENTAL_LEVELS = "rental_levels"  # daily: active contracts and overdue instalments, as the day's last run saw them


class Fold(StrEnum):
    SUM = "sum"
    LAST = "last"
    MEAN = "mean"


class ChartKind(StrEnum):
    ACTIVE_USERS = "dau"
    TRAFFIC = "traffic"
    REVENUE = "revenue"
    MRR = "mrr"
    DELIVERIES = "deliv"
    VERIFICATIONS = "verif"
    RENTALS = "rentals"


@dataclass(frozen=True, slots=True)
class Line:
    """One series of a chart: a metric's key (None: every key of the metric, one series each)."""

    metric: Metric
    key: str | None
    fold: Fold = Fold.SUM


@dataclass(frozen=True, slots=True)
class ChartSpec:
    kind: ChartKind
    lines: tuple[Line, ...]
    hourly: bool = False  # 7 days hour by hour (updates in, messages out)
    money: bool = False  # one currency at a time; keys end with ":<currency>" or are the currency


DELIVERY_KEYS = (("sent", Metric.MESSAGES_OUT, ""), ("failed", Metric.DELIVERY_FAULTS, "failed"),
                 ("rate_limited", Metric.DELIVERY_FAULTS, "rate_limited"))

SPECS: dict[ChartKind, ChartSpec] = {
    ChartKind.ACTIVE_USERS: ChartSpec(ChartKind.ACTIVE_USERS, (Line(Metric.ACTIVE_USERS, "", Fold.MEAN),)),
    ChartKind.TRAFFIC: ChartSpec(ChartKind.TRAFFIC, (Line(Metric.UPDATES_IN, ""), Line(Metric.MESSAGES_OUT, "")),
                                 hourly=True),
    ChartKind.REVENUE: ChartSpec(ChartKind.REVENUE, (Line(Metric.REVENUE, None),), money=True),
    ChartKind.MRR: ChartSpec(ChartKind.MRR, (Line(Metric.MRR, None),), money=True),
    ChartKind.DELIVERIES: ChartSpec(ChartKind.DELIVERIES, tuple(Line(metric, key) for _, metric, key in DELIVERY_KEYS)),
    ChartKind.VERIFICATIONS: ChartSpec(ChartKind.VERIFICATIONS, (Line(Metric.VERIFICATIONS, None),)),
    ChartKind.RENTALS: ChartSpec(ChartKind.RENTALS, (
        Line(Metric.RENTALS, "applications"), Line(Metric.RENTALS, "approvals"),
        Line(Metric.RENTAL_LEVELS, "active", Fold.LAST), Line(Metric.RENTAL_LEVELS, "overdue", Fold.LAST))),
}


def fold(values: list[int], how: Fold) -> float:
    """The days of one bucket as one number."""
    if not values:
        return 0.0
    if how is Fold.LAST:
        return float(values[-1])
    if how is Fold.MEAN:
        return sum(values) / len(values)
    return float(sum(values))


def currency_of(key: str) -> str:
    """The currency a money key is kept under: "KRW", or "new:KRW" for an MRR movement."""
    return key.rsplit(":", 1)[-1]


def series_name(key: str) -> str:
    """What a money key's series is called once its currency is set apart: "new" for "new:KRW"."""
    return key.rsplit(":", 1)[0] if ":" in key else key
