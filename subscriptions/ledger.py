"""An append-only double-entry journal of every payment, split, refund and fee.

A transaction is a set of postings that balances in every currency: the sum of its amounts is zero,
where a positive amount is a debit and a negative one a credit. Accounts are plain strings:

    cash:provider:<name>     money held at a payment provider (an asset; debit when paid)
    payable:merchant:<org>   what the platform owes a merchant (a liability; credit when earned)
    payable:curator:<id>     what the platform owes a curator
    revenue:platform         the platform's own share
    expense:fees:<provider>  fees a provider kept

A payment debits cash and credits the parties by the offer's split. A refund credits cash and
debits the same parties in proportion to the original split; refunds of one payment are allocated
cumulatively, so once a payment is refunded in full every party is back exactly where it started.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from subscriptions.billing_calendar import require_aware, zone
from subscriptions.errors import InvalidSplit, RefundExceedsPayment, UnbalancedTransaction
from subscriptions.ids import UserId
from subscriptions.money import Money, allocate, format_money

PLATFORM_REVENUE = "revenue:platform"


class Party(StrEnum):
    """Who receives a share of a payment."""

    MERCHANT = "merchant"
    CURATOR = "curator"
    PLATFORM = "platform"


@dataclass(frozen=True, slots=True)
class Share:
    party: Party
    basis_points: int  # 10000 = 100%


@dataclass(frozen=True, slots=True)
class RevenueSplit:
    """Shares in basis points that sum to 10000; their order is the tie order for leftover units.

    Without a curator on a payment the curator's share goes to the platform: curators are paid for
    bringing a subscriber, and no one brought this one.
    """

    shares: tuple[Share, ...]

    def __post_init__(self) -> None:
        parties = [share.party for share in self.shares]
        if len(set(parties)) != len(parties):
            raise InvalidSplit("a party appears twice")
        if any(share.basis_points < 0 for share in self.shares):
            raise InvalidSplit("negative share")
        if sum(share.basis_points for share in self.shares) != 10000:
            raise InvalidSplit("shares must add up to 100%")
        if Party.MERCHANT not in parties:
            raise InvalidSplit("the merchant must have a share")

    @classmethod
    def of(cls, **percent_or_bp: int) -> RevenueSplit:
        """`RevenueSplit.of(merchant=8500, curator=500, platform=1000)` in basis points."""
        return cls(tuple(Share(Party(name), bp) for name, bp in percent_or_bp.items()))

    def split(self, amount: Money, has_curator: bool) -> dict[Party, Money]:
        """Amounts per party that sum to `amount` exactly (largest remainder, ties in share order)."""
        weights: dict[Party, int] = {}
        for share in self.shares:
            party = share.party if has_curator or share.party is not Party.CURATOR else Party.PLATFORM
            weights[party] = weights.get(party, 0) + share.basis_points
        parties = list(weights)
        parts = allocate(amount, [weights[p] for p in parties])
        return dict(zip(parties, parts, strict=True))


CREATOR_SPLIT = RevenueSplit.of(merchant=8500, curator=500, platform=1000)
SHOP_SPLIT = RevenueSplit.of(merchant=9500, platform=500)


def cash_account(provider: str) -> str:
    return f"cash:provider:{provider}"


def merchant_account(merchant_id: str) -> str:
    return f"payable:merchant:{merchant_id}"


def curator_account(curator_id: UserId) -> str:
    return f"payable:curator:{curator_id}"


def fees_account(provider: str) -> str:
    return f"expense:fees:{provider}"


def party_account(party: Party, merchant_id: str, curator_id: UserId | None) -> str:
    if party is Party.MERCHANT:
        return merchant_account(merchant_id)
    if party is Party.CURATOR and curator_id is not None:
        return curator_account(curator_id)
    return PLATFORM_REVENUE


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of a transaction: positive = debit, negative = credit."""

    account: str
    amount: Money


@dataclass(frozen=True, slots=True)
class JournalTransaction:
    """A balanced, immutable journal entry; `reference` ties it to a payment id."""

    id: str
    occurred_at: datetime
    kind: str  # "payment", "refund", "fee"
    reference: str
    description: str
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "occurred_at", require_aware(self.occurred_at))
        sums: dict[str, int] = defaultdict(int)
        for posting in self.postings:
            sums[posting.amount.currency] += posting.amount.amount_minor
        unbalanced = {currency: amount for currency, amount in sums.items() if amount}
        if unbalanced or not self.postings:
            raise UnbalancedTransaction(f"{self.id}: {unbalanced or 'no postings'}")

    def amount_for(self, account: str) -> Money | None:
        """Net amount posted to `account` in this transaction (None if untouched)."""
        found = [p.amount for p in self.postings if p.account == account]
        if not found:
            return None
        result = found[0]
        for extra in found[1:]:
            result = result + extra
        return result


def payment_transaction(
    *,
    transaction_id: str,
    payment_id: str,
    provider: str,
    amount: Money,
    split: Mapping[Party, Money],
    merchant_id: str,
    curator_id: UserId | None,
    at: datetime,
    description: str,
) -> JournalTransaction:
    """Cash in at the provider, credited to the parties by `split` (which must sum to `amount`)."""
    postings = [Posting(cash_account(provider), amount)]
    postings += [
        Posting(party_account(party, merchant_id, curator_id), -share) for party, share in split.items()
    ]
    return JournalTransaction(transaction_id, at, "payment", payment_id, description, tuple(postings))


def refund_transaction(
    *,
    transaction_id: str,
    original: JournalTransaction,
    already_refunded: Money,
    refund: Money,
    provider: str,
    at: datetime,
    description: str,
) -> JournalTransaction:
    """Give `refund` back and take it from the parties in proportion to `original`'s split.

    Shares are allocated on the cumulative refund and the previous allocation subtracted, so several
    partial refunds reverse exactly what one full refund would.
    """
    cash = cash_account(provider)
    paid = original.amount_for(cash)
    if paid is None or refund + already_refunded > paid or not refund.is_positive:
        raise RefundExceedsPayment(f"cannot refund {refund} of {original.reference}")
    credits = [p for p in original.postings if p.account != cash]
    weights = [-p.amount.amount_minor for p in credits]
    before = allocate(already_refunded, weights)
    after = allocate(already_refunded + refund, weights)
    postings = [Posting(cash, -refund)]
    postings += [Posting(p.account, a - b) for p, a, b in zip(credits, after, before, strict=True)]
    return JournalTransaction(transaction_id, at, "refund", original.reference, description, tuple(postings))


def fee_transaction(
    *, transaction_id: str, payment_id: str, provider: str, fee: Money, at: datetime, description: str
) -> JournalTransaction:
    """A provider kept `fee` out of the cash it holds for us; the platform bears it."""
    postings = (Posting(fees_account(provider), fee), Posting(cash_account(provider), -fee))
    return JournalTransaction(transaction_id, at, "fee", payment_id, description, postings)


def balance(transactions: Iterable[JournalTransaction], account: str, currency: str) -> Money:
    """Credit balance of `account` (what is owed to it, for payables; negative for assets)."""
    result = 0
    for txn in transactions:
        for posting in txn.postings:
            if posting.account == account and posting.amount.currency == currency:
                result -= posting.amount.amount_minor
    return Money(result, currency)


@dataclass(frozen=True, slots=True)
class Earnings:
    """What the payments that reached a holder came to: what customers paid (`gross`), what the platform's
    commission took (`fees`), what curators got for bringing subscribers, and what is the holder's (`net`).
    Refunds count against each part as they were taken back; `gross == fees + curators + net`."""

    gross: Money
    fees: Money
    curators: Money
    net: Money


def earnings(transactions: Iterable[JournalTransaction], account: str, currency: str) -> Earnings:
    """Split `account`'s payments and refunds in `currency` into gross, fees, curators' shares and net."""
    gross = fees = curators = net = 0
    for txn in transactions:
        mine = txn.amount_for(account)
        if mine is None or mine.currency != currency or txn.kind not in ("payment", "refund"):
            continue
        for posting in txn.postings:
            if posting.amount.currency != currency:
                continue
            if posting.account.startswith("cash:"):
                gross += posting.amount.amount_minor
            elif posting.account == PLATFORM_REVENUE:
                fees -= posting.amount.amount_minor
            elif posting.account == account:
                net -= posting.amount.amount_minor
            else:
                curators -= posting.amount.amount_minor
    return Earnings(Money(gross, currency), Money(fees, currency), Money(curators, currency), Money(net, currency))


@dataclass(frozen=True, slots=True)
class StatementLine:
    at: datetime
    description: str
    kind: str
    reference: str
    amount: Money  # what the line adds to the holder's balance (negative for a refund)
    balance: Money


@dataclass(frozen=True, slots=True)
class Statement:
    """A holder's (merchant's or curator's) lines with a running balance in one currency."""

    account: str
    currency: str
    opening: Money
    lines: tuple[StatementLine, ...]

    @property
    def closing(self) -> Money:
        return self.lines[-1].balance if self.lines else self.opening


def statement(
    transactions: Sequence[JournalTransaction],
    account: str,
    currency: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Statement:
    """Lines of `account` in [since, until) with running balance; earlier lines make the opening."""
    ordered = sorted(transactions, key=lambda t: (t.occurred_at, t.id))
    opening = Money.zero(currency)
    running = opening
    lines: list[StatementLine] = []
    for txn in ordered:
        posted = txn.amount_for(account)
        if posted is None or posted.currency != currency:
            continue
        if until is not None and txn.occurred_at >= require_aware(until):
            break
        running = running - posted
        if since is not None and txn.occurred_at < require_aware(since):
            opening = running
            continue
        lines.append(StatementLine(txn.occurred_at, txn.description, txn.kind, txn.reference, -posted, running))
    return Statement(account, currency, opening, tuple(lines))


CSV_HEADER = ("date", "description", "kind", "reference", "currency", "amount", "balance")


def statement_csv(result: Statement, purposes: Mapping[str, str] | None = None) -> str:
    """The statement as CSV: ISO dates in UTC, amounts in major units as exact decimals. With `purposes` (what
    each payment was for, by payment id) a last column `purpose` names the source of every payment's and
    refund's line (a subscription's purpose, `purchase`, `tip`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER if purposes is None else (*CSV_HEADER, "purpose"))
    for line in result.lines:
        row = (
            line.at.isoformat(),
            line.description,
            line.kind,
            line.reference,
            result.currency,
            f"{line.amount.to_decimal():f}",
            f"{line.balance.to_decimal():f}",
        )
        writer.writerow(row if purposes is None else (*row, purposes.get(line.reference, "")))
    return out.getvalue()


def statement_text(result: Statement, locale: str = "ko", timezone: str = "Asia/Seoul",
                   day_text: Callable[[datetime], str] | None = None) -> list[str]:
    """Short lines for a chat message: "2025-01-25 Monthly pass +₩42,750 = ₩42,750" (local dates; the chat
    passes `day_text` to write the day as the reader does)."""
    rows = []
    for line in result.lines:
        day = day_text(line.at) if day_text else line.at.astimezone(zone(timezone)).date().isoformat()
        sign = "+" if not line.amount.is_negative else "-"
        amount = format_money(Money(abs(line.amount.amount_minor), line.amount.currency), locale)
        rows.append(
            f"{day} {line.description} {sign}{amount} = {format_money(line.balance, locale)}"
        )
    return rows
