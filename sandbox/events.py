"""The live event stream the web chat and the test client watch (new messages, edits, answers)."""

from __future__ import annotations

import asyncio
from typing import Any

Event = dict[str, Any]


class EventLog:
    """One chat's events in order, with a wait that wakes on the next one."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()

    def append(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()
        self._changed = asyncio.Event()

    def after(self, index: int) -> list[Event]:
        return self.events[index:]

    async def wait_after(self, index: int, seconds: float) -> list[Event]:
        """Events from position ``index`` on, waiting up to ``seconds`` for one if there are none yet."""
        if len(self.events) > index or seconds <= 0:
            return self.after(index)
        changed = self._changed
        try:
            await asyncio.wait_for(changed.wait(), seconds)
        except TimeoutError:
            return []
        return self.after(index)


class EventHub:
    """Fans every event out to the open server-sent-event streams."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._seq = 0

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def publish(self, event: Event) -> None:
        for queue in self._subscribers:
            queue.put_nowait(event)

    def subscribe(self) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        self._subscribers.discard(queue)
