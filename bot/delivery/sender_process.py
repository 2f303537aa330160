"""Bulk HTTP in a process of its own: the bot's process keeps its CPU for the people chatting with it.

At hundreds of sends a second, building requests and parsing answers costs more CPU than everything else
the pump does. `ProcessSender` has `BotApiSender`'s interface; each call crosses a pipe to a child process
that runs a `BotApiSender`, and the outcome comes back the same way. If the child dies, calls answer
`Transient` (the rows are retried) and the next call starts a new child.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bot.delivery.sender import BotApiSender, Outcome, Transient

log = logging.getLogger(__name__)


def serve(conn: Connection, api_url: str, token: str, timeout: float, connections: int) -> None:
    """The child: read (call id, method, params) from the pipe, answer (call id, outcome), until EOF."""

    async def main() -> None:
        sender = BotApiSender(api_url, token, timeout=timeout, connections=connections, own_thread=False)
        loop = asyncio.get_running_loop()
        lock = threading.Lock()
        tasks: set[asyncio.Task[None]] = set()

        async def one(call_id: int, method: str, params: dict[str, Any]) -> None:
            outcome = await sender.call(method, params)
            with lock:
                conn.send((call_id, outcome))

        while True:
            try:
                request = await loop.run_in_executor(None, conn.recv)
            except (EOFError, OSError):
                break
            task = asyncio.create_task(one(*request))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        for task in list(tasks):
            task.cancel()
        await sender.close()

    asyncio.run(main())


class ProcessSender:
    def __init__(self, api_url: str, token: str, *, timeout: float = 10.0, connections: int = 64) -> None:
        self._args = (api_url, token, timeout, connections)
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        self._reader: threading.Thread | None = None
        self._waiting: dict[int, asyncio.Future[Outcome]] = {}
        self._ids = itertools.count()
        self._send_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def _child(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        process = context.Process(target=serve, args=(child_end, *self._args), name="jigap-delivery-http",
                                  daemon=True)
        process.start()
        child_end.close()
        self._conn, self._process = parent_end, process
        self._loop = asyncio.get_running_loop()
        self._reader = threading.Thread(target=self._read, args=(parent_end,), name="delivery-answers", daemon=True)
        self._reader.start()
        return parent_end

    def _read(self, conn: Connection) -> None:
        loop = self._loop
        assert loop is not None
        while True:
            try:
                call_id, outcome = conn.recv()
            except (EOFError, OSError):
                loop.call_soon_threadsafe(self._fail_waiting, "the sending process stopped")
                return
            loop.call_soon_threadsafe(self._resolve, call_id, outcome)

    def _resolve(self, call_id: int, outcome: Outcome) -> None:
        future = self._waiting.pop(call_id, None)
        if future is not None and not future.done():
            future.set_result(outcome)

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
        try:
            with self._send_lock:
                conn.send((call_id, method, params))
        except (OSError, ValueError) as error:
            self._waiting.pop(call_id, None)
            return Transient(f"the sending process is gone ({type(error).__name__})")
        try:
            return await future
        finally:
            self._waiting.pop(call_id, None)

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
