"""Stored documents read back as the domain wrote them: from JSON text and from a parsed dict, one at a time
and a packed batch at once, in today's form and in the form written before money and intervals were objects."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from storage.documents import decode, decode_list
from storage.json_text import to_json_text
from subscriptions.billing.demo import demo_offers
from subscriptions.billing.gifts import Gift, GiftStatus
from subscriptions.billing.subscription import PendingPlan, Status, Subscription, Term
from subscriptions.billing_calendar import BillingCalendar, Interval, Unit
from subscriptions.money import Money

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def _subscription(number: int = 1, **changes: Any) -> Subscription:
    calendar = BillingCalendar(NOW, "Asia/Seoul", Interval(Unit.MONTH, 3))
    period = calendar.period(number - 1)
    subscription = Subscription(
        id=f"s{number}", user_id=101, offer_id="onda-pass", merchant_id="1", plan_id="americano20",
        provider="card", calendar=calendar,
        term=Term(number, period.start, period.end, "americano20-v1", Money(45000, "KRW")),
        status=Status.ACTIVE, created_at=NOW,
    )
    return replace(subscription, **changes)


def _gift() -> Gift:
    return Gift(id="g1", code="GIFT" + "A" * 20, buyer_id=101, merchant_id="1", offer_id="onda-pass",
                plan_id="americano20", plan_version_id="americano20-v1", price=Money(45000, "KRW"),
                payment_id="p1", purchased_at=NOW, expires_at=NOW + timedelta(days=30))


def _aggregates() -> list[Any]:
    return [
        _subscription(),
        _subscription(2, status=Status.PAST_DUE, past_due_since=NOW, cancel_at_period_end=True,
                      pending_plan=PendingPlan("latte20", "latte20-v1"), trial_until=NOW - timedelta(days=7)),
        _gift(),
        replace(_gift(), status=GiftStatus.CLAIMED, recipient_id=202, claimed_at=NOW),
        *demo_offers({"cafe-onda": 1, "daily-hanja": 2, "sparkle-cleaning": 3}, NOW),
    ]


@pytest.mark.parametrize("aggregate", _aggregates(), ids=lambda a: f"{type(a).__name__}-{a.id}")
def test_a_document_reads_back_equal_from_its_text_and_from_its_parsed_dict(aggregate: Any) -> None:
    text = to_json_text(aggregate).text
    assert decode(type(aggregate), text) == aggregate
    assert decode(type(aggregate), orjson.loads(text)) == aggregate


def _in_old_form(document: dict[str, Any]) -> dict[str, Any]:
    """A subscription document as written before money and intervals were objects and user ids numbers."""
    old = orjson.loads(orjson.dumps(document))
    old["user_id"] = str(old["user_id"])
    old["term"]["amount"] = [old["term"]["amount"]["amount_minor"], old["term"]["amount"]["currency"]]
    interval = old["calendar"]["interval"]
    old["calendar"]["interval"] = f"{interval['count']} {interval['unit']}"
    return old


def test_a_document_in_the_old_form_reads_back_the_same() -> None:
    subscription = _subscription()
    old = _in_old_form(orjson.loads(to_json_text(subscription).text))
    assert old["term"]["amount"] == [45000, "KRW"] and old["calendar"]["interval"] == "3 month"
    assert old["user_id"] == "101"
    assert decode(Subscription, old) == subscription
    assert decode(Subscription, orjson.dumps(old).decode()) == subscription


def test_a_packed_batch_reads_back_in_order_even_when_one_document_is_in_the_old_form() -> None:
    subscriptions = [_subscription(number) for number in range(1, 6)]
    documents = [orjson.loads(to_json_text(s).text) for s in subscriptions]
    assert decode_list(Subscription, orjson.dumps(documents).decode()) == subscriptions
    documents[2] = _in_old_form(documents[2])
    assert decode_list(Subscription, orjson.dumps(documents).decode()) == subscriptions


def test_a_document_missing_a_field_is_refused_rather_than_read_half() -> None:
    document = orjson.loads(to_json_text(_subscription()).text)
    del document["term"]
    with pytest.raises(TypeError):
        decode(Subscription, document)


def test_the_domain_still_checks_what_it_reads() -> None:
    document = orjson.loads(to_json_text(_subscription()).text)
    document["calendar"]["timezone"] = "Mars/Olympus"
    with pytest.raises(Exception, match="Mars/Olympus"):
        decode(Subscription, document)
