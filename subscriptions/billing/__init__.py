"""Billing: offers and plans with versioned prices, the Subscription aggregate, checkouts and payments
(card and Telegram Stars), gifts and receipts, and their reminder kinds.

- `offers`, `subscription`, `payments`, `gifts`, `receipts`: the model; `events`: what happened and commands.
- `reminders`: renewal, trial, payment due, dunning and gift kinds; `demo`: the demo catalogue's offers.
- `ports`: the repositories and unit of work storage implements; `services`: the use cases.
"""
