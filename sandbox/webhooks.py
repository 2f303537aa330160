"""Webhook delivery: POST each update to the bot's URL, with the secret header, until it is accepted."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from sandbox.world import BotAccount, Json, World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_DELAY = 0.5
DELIVERY_TIMEOUT = 30.0
ReplyHandler = Callable[[BotAccount, Json], Awaitable[None]]


class WebhookDelivery:
    """One delivery task per bot with a webhook; updates leave the queue only when the bot accepts them.

    Up to ``max_connections`` deliveries run at once, never two of the same chat, so each chat's
    updates arrive in order.
    """

    def __init__(self, world: World, http: Callable[[], aiohttp.ClientSession]) -> None:
        self.world = world
        self._http = http
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self.on_reply: ReplyHandler | None = None

    def start(self, bot: BotAccount) -> None:
        task = self._tasks.get(bot.id)
        if task is None or task.done():
            self._tasks[bot.id] = asyncio.create_task(self._run(bot), name=f"webhook-{bot.id}")

    async def stop(self, bot: BotAccount) -> None:
        task = self._tasks.pop(bot.id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop_all(self) -> None:
        for bot_id in list(self._tasks):
            await self.stop(self.world.bots[bot_id])

    async def _run(self, bot: BotAccount) -> None:
        while bot.webhook is not None:
            batch = _one_per_chat(bot.updates.peek(100), bot.webhook.max_connections)
            if not batch:
                await bot.updates.wait_for_arrival(None)
                continue
            accepted = await asyncio.gather(*(self._deliver(bot, update) for update in batch))
            for update, ok in zip(batch, accepted, strict=True):
                if ok:
                    bot.updates.remove(update["update_id"])
            if not all(accepted):
                # Telegram retries a failing webhook later; a short pause keeps a dead URL from spinning.
                await asyncio.sleep(RETRY_DELAY)

    async def _deliver(self, bot: BotAccount, update: Json) -> bool:
        hook = bot.webhook
        if hook is None:
            return False
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        try:
            async with self._http().post(hook.url, json=update, headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT)) as response:
                if not 200 <= response.status < 300:
                    self._failed(bot, f"Wrong response from the webhook: {response.status} {response.reason}")
                    return False
                reply = await _json_reply(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._failed(bot, f"Connection failed: {type(exc).__name__}")
            return False
        if reply is not None and self.on_reply is not None:
            await self.on_reply(bot, reply)
        return True

    def _failed(self, bot: BotAccount, message: str) -> None:
        if bot.webhook is not None:
            bot.webhook.last_error_date = self.world.timestamp()
            bot.webhook.last_error_message = message


def _one_per_chat(pending: list[Json], limit: int) -> list[Json]:
    """The oldest pending update of each chat, up to ``limit``: chats proceed in parallel, each in order."""
    batch: list[Json] = []
    seen: set[Any] = set()
    for update in pending:
        key = _chat_of(update)
        if key in seen:
            continue
        seen.add(key)
        batch.append(update)
        if len(batch) == limit:
            break
    return batch


def _chat_of(update: Json) -> Any:
    payload = next(value for key, value in update.items() if key != "update_id")
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or payload.get("from") or {}
    return chat.get("id", update["update_id"])


async def _json_reply(response: aiohttp.ClientResponse) -> Json | None:
    """A method call the bot put in its webhook answer, as Telegram allows."""
    if response.content_type != "application/json":
        return None
    try:
        body: Any = await response.json()
    except (ValueError, aiohttp.ContentTypeError):
        return None
    return body if isinstance(body, dict) and "method" in body else None
