"""Billing storage: offers, subscriptions, checkouts, payments, the journal, gifts, bans and their messages."""
