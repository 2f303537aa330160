"""A shop's redemptions and sales as CSV lines, for the owner's download and `jigap shop report`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from subscriptions.billing.sales import Sale
from subscriptions.shops.services.stats import RedemptionLine

REDEMPTION_COLUMNS = ("redemption", "at_utc", "pass", "customer", "staff", "undone")
SALE_COLUMNS = ("payment", "paid_at_utc", "product", "customer", "amount", "refunded", "net", "currency")


def redemptions_csv(lines: Sequence[RedemptionLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REDEMPTION_COLUMNS)
    for line in lines:
        writer.writerow((line.id, line.at.isoformat(), line.product, line.holder_id, line.staff_id,
                         "yes" if line.undone else "no"))
    return out.getvalue()


def sales_csv(sales: Sequence[tuple[Sale, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SALE_COLUMNS)
    for sale, product in sales:
        writer.writerow((sale.payment_id, sale.paid_at.isoformat(), product, sale.user_id, sale.amount.amount_minor,
                         sale.refunded.amount_minor, sale.net.amount_minor, sale.amount.currency))
    return out.getvalue()
