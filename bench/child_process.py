"""A child process a bench talks to over a pipe: it answers when ready and stops when told."""

from __future__ import annotations

import multiprocessing
from typing import Any


class ChildProcess:
    def __init__(self, target: Any, *args: Any, daemon: bool = True) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_end = context.Pipe()
        # A daemon cannot start processes of its own; jigap's sending process needs daemon=False.
        self.process = context.Process(target=target, args=(child_end, *args), daemon=daemon)
        self.process.start()

    def receive(self, seconds: float = 120) -> Any:
        if not self.conn.poll(seconds):
            raise RuntimeError(f"{self.process.name} did not answer within {seconds:g}s")
        return self.conn.recv()

    def stop(self) -> None:
        self.conn.send("stop")
        self.process.join(20)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
