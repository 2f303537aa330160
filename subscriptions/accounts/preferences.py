"""What a user chose about reminders and the chat: muted kinds, quiet hours, time zone and language."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from subscriptions.accounts import Accounts
from subscriptions.accounts.access import Member
from subscriptions.accounts.errors import UnknownQuietHours, UnknownTimezone
from subscriptions.accounts.events import TimezoneChanged
from subscriptions.accounts.records import Preferences

# Quiet-hour spans offered in /settings; "off" sends whenever something is due.
QUIET_CHOICES = (("22:00", "08:00"), ("23:00", "07:00"), ("21:00", "09:00"), ("00:00", "07:00"))
TIMEZONE_CHOICES = ("Asia/Seoul", "Asia/Tokyo", "Asia/Singapore", "Europe/London", "Europe/Berlin",
                    "America/New_York", "America/Los_Angeles", "UTC")


@dataclass(frozen=True)
class Settings:
    """Everything /settings shows, with the configured defaults filled in."""

    muted_kinds: frozenset[str]
    quiet_start: str
    quiet_end: str
    quiet_off: bool
    timezone: str


async def settings(accounts: Accounts, user_id: int) -> Settings:
    async with accounts.uow() as uow:
        stored = await uow.preferences.get(user_id)
        user = await uow.users.get(user_id)
    timezone = user.timezone if user is not None else "UTC"
    default = (accounts.quiet_start, accounts.quiet_end)
    start, end = (stored.quiet_start, stored.quiet_end) if stored.quiet_start and stored.quiet_end else default
    return Settings(stored.muted_kinds, start or default[0], end or default[1], stored.quiet_off, timezone)


async def toggle_kind(accounts: Accounts, user_id: int, kind: str) -> Settings:
    """Mute a reminder kind, or unmute it if it was muted."""
    async with accounts.uow() as uow:
        stored = await uow.preferences.get(user_id)
        muted = stored.muted_kinds ^ {kind}
        await uow.preferences.save(user_id, dataclasses.replace(stored, muted_kinds=muted), accounts.clock.now())
        await uow.commit()
    return await settings(accounts, user_id)


async def set_quiet_hours(accounts: Accounts, user_id: int, choice: int | None) -> Settings:
    """One of QUIET_CHOICES by index, or None for no quiet hours at all."""
    if choice is not None and not 0 <= choice < len(QUIET_CHOICES):
        raise UnknownQuietHours(str(choice))
    async with accounts.uow() as uow:
        stored = await uow.preferences.get(user_id)
        if choice is None:
            updated = dataclasses.replace(stored, quiet_off=True)
        else:
            start, end = QUIET_CHOICES[choice]
            updated = Preferences(stored.muted_kinds, start, end, False)
        await uow.preferences.save(user_id, updated, accounts.clock.now())
        await uow.commit()
    return await settings(accounts, user_id)


async def set_timezone(accounts: Accounts, user_id: int, timezone: str) -> Settings:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezone(timezone) from None
    async with accounts.uow() as uow:
        await uow.users.set_timezone(user_id, timezone)
        # The user's subscriptions bill in their zone too: billing hears of it on the event path.
        await uow.events.add([TimezoneChanged(user_id, timezone, accounts.clock.now())])
        await uow.commit()
    return await settings(accounts, user_id)


async def set_language(accounts: Accounts, member: Member, language: str) -> None:
    async with accounts.uow() as uow:
        await uow.users.set_language(member.id, language)
        await uow.commit()
