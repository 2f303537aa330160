"""Billing in the chat: browsing and subscribing, /subscriptions, payments and receipts, gifts, a merchant's
offers, prices and earnings."""
