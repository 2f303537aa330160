"""A brand's report from its closed months: revenue, the fleet's book value, utilisation, early terminations and
overdue aging, month by month; and the CSVs (the months' figures, or one month's lines). Amounts are minor units
of the books' currency (won have none), times in UTC."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from subscriptions.rentals.close import AGING_BUCKETS, ClosedMonth, CloseKind, CloseLine

MONTH_COLUMNS = ("month", "currency", "revenue", *(kind.value for kind in CloseKind), "book_value", "fleet_cost",
                 "units", "installed", "utilisation", "contracts_in_force", "early_terminations",
                 "overdue_1_30", "overdue_31_60", "overdue_61_90", "overdue_over_90")
LINE_COLUMNS = ("month", "kind", "subject", "amount", "currency", "customer")


def aging_labels() -> tuple[str, ...]:
    """"1-30", "31-60", "61-90", "90+": days overdue at the month's end."""
    starts = (1, *(limit + 1 for limit in AGING_BUCKETS))
    return (*(f"{start}-{limit}" for start, limit in zip(starts, AGING_BUCKETS, strict=False)),
            f"{AGING_BUCKETS[-1]}+")


def months_csv(months: Sequence[ClosedMonth]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MONTH_COLUMNS)
    for closed in months:
        summary = closed.summary
        if summary is None:
            continue
        writer.writerow([closed.month, summary.currency, summary.revenue,
                         *(summary.booked.get(kind.value, 0) for kind in CloseKind),
                         summary.book_value, summary.fleet_cost, summary.units, summary.installed,
                         f"{summary.utilisation:.4f}", summary.contracts_in_force, summary.early_terminations,
                         *summary.aging_amounts])
    return out.getvalue()


def lines_csv(month: str, lines: Sequence[CloseLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LINE_COLUMNS)
    for line in lines:
        writer.writerow([month, line.kind.value, line.subject, line.amount.amount_minor, line.amount.currency,
                         line.party])
    return out.getvalue()
