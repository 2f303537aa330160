"""The member behind each update: loaded in one statement, kept up to date from Telegram's profile.

Every update asks for its member (the user, their roles and their open flow), so a returning user whose
profile is unchanged is answered from one read; only what the reply may depend on (names, language, being reachable) is written before answering.
The time last seen, when stale, is written behind the reply on a background unit of work.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from subscriptions.accounts import Accounts
from subscriptions.accounts.access import Member
from subscriptions.accounts.bans import NoticeThrottle
from subscriptions.accounts.records import UserRecord
from subscriptions.flows import Flow

log = logging.getLogger(__name__)
# A user row is rewritten at most this often when nothing about them changed.
SEEN_REFRESH = timedelta(minutes=5)


@dataclass(frozen=True)
class TelegramProfile:
    id: int
    username: str | None
    first_name: str | None
    last_name: str | None
    language_code: str | None
    private: bool = True  # from the private chat with the bot (not a button under a channel post)


class Members:
    """`member_for(profile)` on every update; `seen_noted()` waits for the writes behind replies."""

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts
        self._noting_seen: dict[int, asyncio.Task[None]] = {}
        self.banned_notices = NoticeThrottle()  # a banned person is told so at most once a minute

    async def member_for(self, profile: TelegramProfile) -> Member:
        """Load (and keep up to date) the user behind an update."""
        accounts = self._accounts
        now = accounts.clock.now()
        async with accounts.uow.one_read() as reader:
            known = await reader.users.with_grants(profile.id)
        if known is not None and not changed(known[0], profile):
            if now - known[0].last_seen_at > SEEN_REFRESH:
                self._note_seen_later(profile.id, now)
            return Member(known[0], tuple(known[1]), _still_open(known[2], now))
        async with accounts.uow() as uow:
            user = await uow.users.get(profile.id)
            if user is None or changed(user, profile):
                user = await uow.users.upsert_seen(
                    user_id=profile.id, username=profile.username, first_name=profile.first_name,
                    last_name=profile.last_name, telegram_language=profile.language_code,
                    default_timezone=accounts.default_timezone, now=now, reachable=profile.private,
                )
                await uow.commit()
            grants = tuple(await uow.roles.of_user(profile.id))
            flow = await uow.flows.open_of(profile.id)
        return Member(user, grants, _still_open(flow, now))

    def _note_seen_later(self, user_id: int, now: datetime) -> None:
        """Only the time last seen is stale: write it behind the reply, not before it (nobody waits for it)."""
        if user_id not in self._noting_seen:
            self._noting_seen[user_id] = asyncio.create_task(self._note_seen(user_id, now))

    async def _note_seen(self, user_id: int, now: datetime) -> None:
        try:
            async with self._accounts.uow.background()() as uow:
                await uow.users.note_seen(user_id, now)
                await uow.commit()
        except Exception as error:  # best effort, whatever storage raised: the next update tries again
            log.warning("could not note that user %s was seen (%r); the next update tries again", user_id, error)
        finally:
            del self._noting_seen[user_id]

    async def seen_noted(self) -> None:
        """Wait until every time-last-seen write under way has landed (shutdown, tests)."""
        while self._noting_seen:
            await asyncio.wait(list(self._noting_seen.values()))


def _still_open(flow: Flow | None, now: datetime) -> Flow | None:
    return flow if flow is not None and flow.is_open(now) else None


def changed(user: UserRecord, profile: TelegramProfile) -> bool:
    """What the reply may depend on (names, language, being reachable) differs from the stored row."""
    username = profile.username.lower() if profile.username else None
    return (
        (user.username, user.first_name, user.last_name, user.telegram_language)
        != (username, profile.first_name, profile.last_name, profile.language_code)
        or (user.is_bot_blocked and profile.private)
    )
