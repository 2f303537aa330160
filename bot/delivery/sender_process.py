"""Bulk HTTP in a process of its own: the bot's process keeps its CPU for the people chatting with it.

At hundreds of sends a second, building requests and parsing answers costs more CPU than everything else
the pump does. `ProcessSender` has `BotApiSender`'s interface; calls cross a pipe to a child process that
runs a `BotApiSender`, and the outcomes come back the same way. Both directions carry batches: the calls
made in one turn of the bot's event loop travel as one message, and so do the outcomes the child has at
hand, so the bot's loop pays for one pipe write and one wake-up per batch rather than per message. If the
child dies, calls answer `Transient` (the rows are retried) and the next call starts a new child.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bot.delivery.sender import BotApiSender, Outcome, Transient

log = logging.getLogger(__name__)
# How much the sending process yields the CPU to the bot's own process: when both want a core, the
# handlers answering people go first; bulk sends only need a small steady share to keep their pace.
NICENESS = 10

Call = tuple[int, str, dict[str, Any]]
Answer = tuple[int, Outcome]


def serve(conn: Connection, api_url: str, token: str, timeout: float, connections: int) -> None:
    """The child: read batches of (call id, method, params), answer batches of (call id, outcome), until EOF."""
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    gc.freeze()  # the imported modules live as long as the process: full collections need not walk them
    asyncio.run(_serve(conn, BotApiSender(api_url, token, timeout=timeout, connections=connections,
                                          own_thread=False)))


async def _serve(conn: Connection, sender: BotApiSender) -> None:
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()
    answers: list[Answer] = []

    def send_answers() -> None:
        batch = answers[:]
        answers.clear()
        with contextlib.suppress(OSError):
            conn.send(batch)

    async def one(call_id: int, method: str, params: dict[str, Any]) -> None:
        outcome = await sender.call(method, params)
        if not answers:
            loop.call_soon(send_answers)  # after every call that finishes in this turn of the loop
        answers.append((call_id, outcome))

    while True:
        try:
            calls: list[Call] = await loop.run_in_executor(None, conn.recv)
        except (EOFError, OSError):
            break
        for call in calls:
            task = asyncio.create_task(one(*call))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    for task in list(tasks):
        task.cancel()
    await sender.close()


class ProcessSender:
    def __init__(self, api_url: str, token: str, *, timeout: float = 10.0, connections: int = 64) -> None:
        self._args = (api_url, token, timeout, connections)
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        self._waiting: dict[int, asyncio.Future[Outcome]] = {}
        self._outgoing: list[Call] = []
        self._ids = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start the sending process now, so the first broadcast does not wait for it to import."""
        self._child()

    def _child(self) -> Connection:
        if self._conn is not None:
            return self._conn
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        process = context.Process(target=serve, args=(child_end, *self._args), name="jigap-delivery-http",
                                  daemon=True)
        process.start()
        child_end.close()
        self._conn, self._process = parent_end, process
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, args=(parent_end, self._loop), name="delivery-answers",
                         daemon=True).start()
        return parent_end

    def _read(self, conn: Connection, loop: asyncio.AbstractEventLoop) -> None:
        """A thread: hand each batch of outcomes to the loop; say when the child is gone."""
        while True:
            try:
                answers: list[Answer] = conn.recv()
            except (EOFError, OSError):
                with contextlib.suppress(RuntimeError):  # the loop may have closed first
                    loop.call_soon_threadsafe(self._child_gone, conn, "the sending process stopped")
                return
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._resolve, answers)

    def _resolve(self, answers: list[Answer]) -> None:
        for call_id, outcome in answers:
            future = self._waiting.pop(call_id, None)
            if future is not None and not future.done():
                future.set_result(outcome)

    def _child_gone(self, conn: Connection, reason: str) -> None:
        """The child's end closed (it died, or we closed it): the next call starts a new one."""
        if self._conn is conn:
            self._conn = self._process = None
            conn.close()
        self._fail_waiting(reason)

    def _fail_waiting(self, reason: str) -> None:
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_result(Transient(reason))

    async def call(self, method: str, params: dict[str, Any]) -> Outcome:
        conn = self._child()
        call_id = next(self._ids)
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = future
        if not self._outgoing:
            asyncio.get_running_loop().call_soon(self._send_calls, conn)
        self._outgoing.append((call_id, method, params))
        try:
            return await future
        finally:
            self._waiting.pop(call_id, None)

    def _send_calls(self, conn: Connection) -> None:
        """Every call made in this turn of the loop goes to the child in one message."""
        calls, self._outgoing = self._outgoing, []
        try:
            conn.send(calls)
        except (OSError, ValueError) as error:
            reason = f"the sending process is gone ({type(error).__name__})"
            for call_id, _, _ in calls:
                future = self._waiting.pop(call_id, None)
                if future is not None and not future.done():
                    future.set_result(Transient(reason))
            self._child_gone(conn, reason)

    async def close(self) -> None:
        conn, process = self._conn, self._process
        self._conn = self._process = None
        if conn is not None:
            conn.close()
        if process is not None:
            await asyncio.to_thread(process.join, 5)
            if process.is_alive():
                process.terminate()
        self._fail_waiting("the sender was closed")
