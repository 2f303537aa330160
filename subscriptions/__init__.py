"""The money and subscription engine: a pure domain with no Telegram, database or scheduler in it.

- `money`: exact amounts in minor units, allocation by largest remainder, display per locale.
- `billing_calendar`: period boundaries in the subscriber's timezone, month-end anchoring, proration.
- `offers`: offers, plans with versioned prices, revenue splits, refund policies.
- `subscription`: the Subscription aggregate and its lifecycle; `events`: what happened and commands.
- `payments`: checkouts, providers (card, Stars), pre-checkout answers, credited payments.
- `ledger`: the double-entry journal, balances, statements and CSV; `receipts`; `gifts`.
- `reminders`: what is due and when it may be sent (quiet hours).
- `ports`: the repository and unit-of-work Protocols storage implements; `services`: the use cases.
"""
