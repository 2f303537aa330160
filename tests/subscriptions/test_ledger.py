"""The journal: balanced transactions, proportional refunds, and no won lost across any history."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subscriptions.errors import RefundExceedsPayment, UnbalancedTransaction
from subscriptions.ledger import (
    CREATOR_SPLIT,
    PLATFORM_REVENUE,
    SHOP_SPLIT,
    JournalTransaction,
    Posting,
    RevenueSplit,
    balance,
    cash_account,
    curator_account,
    earnings,
    fee_transaction,
    merchant_account,
    payment_transaction,
    refund_transaction,
)
from subscriptions.money import Money
from tests.subscriptions.fakes import CURATOR

AT = datetime(2025, 11, 25, tzinfo=UTC)


def paid(amount: Money, split: RevenueSplit = CREATOR_SPLIT, curator: int | None = CURATOR, ref: str = "p1") -> JournalTransaction:
    return payment_transaction(
        transaction_id=f"t-{ref}", payment_id=ref, provider="stars", amount=amount,
        split=split.split(amount, curator is not None), merchant_id="org-1", curator_id=curator, at=AT,
        description="Tier 1",
    )


def test_an_unbalanced_transaction_cannot_be_written() -> None:
    with pytest.raises(UnbalancedTransaction):
        JournalTransaction("t", AT, "payment", "p", "x", (Posting("a", Money(100, "KRW")), Posting("b", Money(-99, "KRW"))))
    with pytest.raises(UnbalancedTransaction):
        # balanced in sum of numbers but not per currency
        JournalTransaction("t", AT, "payment", "p", "x", (Posting("a", Money(100, "KRW")), Posting("b", Money(-100, "JPY"))))


def test_a_creator_payment_splits_85_5_10_with_the_leftover_star_to_the_creator() -> None:
    txn = paid(Money(150, "XTR"))
    assert txn.amount_for(cash_account("stars")) == Money(150, "XTR")
    assert txn.amount_for(merchant_account("org-1")) == Money(-128, "XTR")
    assert txn.amount_for(curator_account(CURATOR)) == Money(-7, "XTR")
    assert txn.amount_for(PLATFORM_REVENUE) == Money(-15, "XTR")


def test_without_a_curator_the_curator_share_goes_to_the_platform() -> None:
    txn = paid(Money(45000, "KRW"), curator=None)
    assert txn.amount_for(merchant_account("org-1")) == Money(-38250, "KRW")
    assert txn.amount_for(PLATFORM_REVENUE) == Money(-6750, "KRW")


def test_partial_refunds_reverse_the_split_in_proportion_and_add_up_to_the_original() -> None:
    original = paid(Money(150, "XTR"))
    first = refund_transaction(transaction_id="r1", original=original, already_refunded=Money(0, "XTR"),
                               refund=Money(50, "XTR"), provider="stars", at=AT, description="refund")
    second = refund_transaction(transaction_id="r2", original=original, already_refunded=Money(50, "XTR"),
                                refund=Money(100, "XTR"), provider="stars", at=AT, description="refund")
    # 50 of 150: creator 42.5 -> 43 (tie to the first share), curator 2.5 -> 2, platform 5
    assert first.amount_for(merchant_account("org-1")) == Money(43, "XTR")
    assert first.amount_for(curator_account(CURATOR)) == Money(2, "XTR")
    history = [original, first, second]
    for account in (merchant_account("org-1"), curator_account(CURATOR), PLATFORM_REVENUE, cash_account("stars")):
        assert balance(history, account, "XTR") == Money(0, "XTR")
    with pytest.raises(RefundExceedsPayment):
        refund_transaction(transaction_id="r3", original=original, already_refunded=Money(150, "XTR"),
                           refund=Money(1, "XTR"), provider="stars", at=AT, description="refund")


def test_a_provider_fee_is_borne_by_the_platform_and_balances() -> None:
    fee = fee_transaction(transaction_id="f", payment_id="p1", provider="card", fee=Money(1350, "KRW"), at=AT,
                          description="card fee 3%")
    assert fee.amount_for("expense:fees:card") == Money(1350, "KRW")
    assert fee.amount_for(cash_account("card")) == Money(-1350, "KRW")


operations = st.lists(
    st.tuples(
        st.sampled_from(["KRW", "XTR", "USD"]),
        st.integers(min_value=1, max_value=10**9),
        st.sampled_from([CREATOR_SPLIT, SHOP_SPLIT]),
        st.booleans(),
        st.lists(st.integers(min_value=1, max_value=10**9), max_size=4),
    ),
    min_size=1,
    max_size=12,
)


@given(operations)
def test_no_minor_unit_is_lost_or_created_across_payments_and_refunds(
    history: list[tuple[str, int, RevenueSplit, bool, list[int]]],
) -> None:
    journal: list[JournalTransaction] = []
    paid_in: dict[str, int] = defaultdict(int)
    for n, (currency, amount, split, curated, refunds) in enumerate(history):
        original = paid(Money(amount, currency), split, CURATOR if curated else None, ref=f"p{n}")
        journal.append(original)
        paid_in[currency] += amount
        refunded = 0
        for k, wanted in enumerate(refunds):
            step = min(wanted, amount - refunded)
            if step <= 0:
                break
            journal.append(refund_transaction(
                transaction_id=f"r{n}-{k}", original=original, already_refunded=Money(refunded, currency),
                refund=Money(step, currency), provider="stars", at=AT + timedelta(seconds=k), description="r",
            ))
            refunded += step
        paid_in[currency] -= refunded

    totals: dict[str, int] = defaultdict(int)
    for txn in journal:
        for posting in txn.postings:
            totals[posting.amount.currency] += posting.amount.amount_minor
    assert all(value == 0 for value in totals.values())  # every transaction balanced, so the whole does

    for currency, net in paid_in.items():
        parties = [merchant_account("org-1"), curator_account(CURATOR), PLATFORM_REVENUE]
        owed = sum(balance(journal, account, currency).amount_minor for account in parties)
        assert owed == net  # what the parties are owed is exactly the cash kept
        assert -balance(journal, cash_account("stars"), currency).amount_minor == net
        assert all(balance(journal, account, currency).amount_minor >= 0 for account in parties)


def test_earnings_split_gross_into_fees_curators_and_net_and_refunds_take_back_each_part() -> None:
    first = paid(Money(1000, "XTR"))
    second = paid(Money(200, "XTR"), split=SHOP_SPLIT, curator=None, ref="p2")
    refund = refund_transaction(transaction_id="t-r", original=first, already_refunded=Money(0, "XTR"),
                                refund=Money(500, "XTR"), provider="stars", at=AT, description="refund")
    fee = fee_transaction(transaction_id="t-f", payment_id="p1", provider="stars", fee=Money(30, "XTR"), at=AT,
                          description="fee")
    totals = earnings([first, second, refund, fee], merchant_account("org-1"), "XTR")
    assert totals.gross == Money(700, "XTR")
    assert totals.net == balance([first, second, refund, fee], merchant_account("org-1"), "XTR") == Money(615, "XTR")
    assert totals.fees == Money(60, "XTR") and totals.curators == Money(25, "XTR")
    assert totals.gross == totals.fees + totals.curators + totals.net
