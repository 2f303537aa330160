"""The subscriptions room: a shared kernel and one package per money domain, with no Telegram, database or
scheduler in it.

The kernel, which every domain may import:
- `money`: exact amounts in minor units, allocation by largest remainder, display per locale.
- `billing_calendar`: period boundaries in the subscriber's timezone, month-end anchoring, proration.
- `ledger`: revenue splits, the double-entry journal, balances, statements and CSV.
- `reminders`: what a reminder kind says, one registry of kinds, quiet hours.
- `clock`, `ids`, `ports`: the time, the id source and the ports every domain shares; `errors`.

The domains, each with its own model, events, errors, ports and `services/` (the use cases):
- `billing`: offers and plans, subscriptions, checkouts and payments, gifts, receipts.
"""
