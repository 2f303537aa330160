"""A shop's redemptions and sales as one CSV, for the owner's download and `jigap shop report --csv`: a line per
redemption and per payment, oldest first, with a `kind` column saying which."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from subscriptions.billing.sales import Sale
from subscriptions.shops.services.stats import RedemptionLine

COLUMNS = ("kind", "id", "at_utc", "product", "customer", "staff", "undone", "amount", "refunded", "net", "currency")


def report_csv(redemptions: Sequence[RedemptionLine], sales: Sequence[tuple[Sale, str]]) -> str:
    rows: list[tuple[datetime, tuple[object, ...]]] = []
    for line in redemptions:
        rows.append((line.at, ("redemption", line.id, line.at.isoformat(), line.product, line.holder_id, line.staff_id,
                               "yes" if line.undone else "no", "", "", "", "")))
    for sale, product in sales:
        rows.append((sale.paid_at, ("sale", sale.payment_id, sale.paid_at.isoformat(), product, sale.user_id, "", "",
                                    sale.amount.amount_minor, sale.refunded.amount_minor, sale.net.amount_minor,
                                    sale.amount.currency)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for _, row in sorted(rows, key=lambda item: item[0]):
        writer.writerow(row)
    return out.getvalue()
