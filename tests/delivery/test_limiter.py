"""The rate limiter books send slots per scope: the bot, each chat, each group; a 429 pauses only its scope."""

from __future__ import annotations

from bot.delivery.limiter import Limits, RateLimiter


class Ticker:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bot_wide_budget_spaces_sends_to_different_chats_evenly() -> None:
    ticker = Ticker()
    limiter = RateLimiter(Limits(bot_per_second=10), ticker)
    slots = [limiter.reserve(chat_id) for chat_id in range(1, 21)]
    assert slots[0] == 100.0
    assert [round(b - a, 6) for a, b in zip(slots, slots[1:], strict=False)] == [0.1] * 19


def test_a_private_chat_gets_a_small_burst_then_one_message_a_second() -> None:
    ticker = Ticker()
    limiter = RateLimiter(Limits(bot_per_second=1000, chat_per_second=1, chat_burst=3), ticker)
    slots = [limiter.reserve(42) - 100.0 for _ in range(5)]
    assert [round(slot, 3) for slot in slots] == [0.0, 0.001, 0.002, 1.0, 2.0]


def test_a_group_or_channel_is_held_to_twenty_messages_a_minute() -> None:
    ticker = Ticker()
    limiter = RateLimiter(Limits(bot_per_second=1000, group_per_minute=20), ticker)
    slots = [limiter.reserve(-100123) - 100.0 for _ in range(3)]
    assert [round(slot, 3) for slot in slots] == [0.0, 3.0, 6.0]


def test_a_429_pauses_that_chat_only_and_other_chats_go_on() -> None:
    ticker = Ticker()
    limiter = RateLimiter(Limits(bot_per_second=1000), ticker)
    assert limiter.refused(7, retry_after=5) is False
    assert limiter.chat_ready_at(7) == 105.0
    assert limiter.reserve(8) == 100.0
    assert limiter.reserve(7) == 105.0


def test_429s_from_several_chats_at_once_pause_the_whole_bot() -> None:
    ticker = Ticker()
    limiter = RateLimiter(Limits(bot_per_second=1000), ticker)
    assert limiter.refused(1, retry_after=3) is False
    assert limiter.refused(2, retry_after=3) is False
    assert limiter.refused(3, retry_after=3) is True
    assert limiter.reserve(99) == 103.0


def test_interactive_replies_take_room_from_the_bulk_budget_without_waiting() -> None:
    ticker = Ticker()
    limiter = RateLimiter(Limits(bot_per_second=10), ticker)
    assert limiter.reserve_chat_reply(5) == 100.0 and limiter.reserve_chat_reply(6) == 100.0
    # Replies keep Telegram's bot-wide pace among themselves, whatever the slower pace of bulk sends.
    assert limiter.reserve_bot_reply() == 100.0
    assert round(limiter.reserve_bot_reply() - 100.0, 6) == round(1 / 30, 6)
    assert round(limiter.reserve(7) - 100.0, 6) == 0.2


def test_replies_other_workers_sent_push_the_next_bulk_slots_back() -> None:
    ticker = Ticker()
    limiter = RateLimiter(Limits(bot_per_second=10), ticker)
    assert limiter.reserve(1) == 100.0
    limiter.record_elsewhere(3)
    assert round(limiter.reserve(2) - 100.0, 6) == 0.4
    ticker.now = 110.0  # long idle: what others sent earlier does not pile up
    limiter.record_elsewhere(1)
    assert round(limiter.reserve(3) - 110.0, 6) == 0.1
