"""Delivery storage: the outbox, recorded reminders, broadcasts, reminder preferences and scheduled notices."""
