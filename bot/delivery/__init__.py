"""Delivery: the one path by which non-interactive messages leave the bot.

Services write outbox rows in their own unit of work (`uow.outbox.enqueue(...)`); the pump claims them,
paces them through the rate limiter and records how each ended. Broadcasts and reminders are built on it.
"""
