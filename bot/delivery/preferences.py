"""What a user chose about reminders: kinds they muted, their quiet hours and their time zone."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.repositories.delivery import Preferences
from storage.unit_of_work import UnitOfWorkFactory
from subscriptions.clock import Clock

# Quiet-hour spans offered in /settings; "off" sends whenever something is due.
QUIET_CHOICES = (("22:00", "08:00"), ("23:00", "07:00"), ("21:00", "09:00"), ("00:00", "07:00"))
TIMEZONE_CHOICES = ("Asia/Seoul", "Asia/Tokyo", "Asia/Singapore", "Europe/London", "Europe/Berlin",
                    "America/New_York", "America/Los_Angeles", "UTC")


class PreferenceError(Exception):
    """A setting that cannot be stored."""


class UnknownTimezone(PreferenceError):
    """Not an IANA time zone name."""


class UnknownQuietHours(PreferenceError):
    """Not one of the quiet-hours choices offered."""


@dataclass(frozen=True)
class Settings:
    """Everything /settings shows, with the configured defaults filled in."""

    muted_kinds: frozenset[str]
    quiet_start: str
    quiet_end: str
    quiet_off: bool
    timezone: str


class PreferencesService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, quiet_start: str, quiet_end: str) -> None:
        self._uow = uow
        self._clock = clock
        self._quiet = (quiet_start, quiet_end)

    async def settings(self, user_id: int) -> Settings:
        async with self._uow() as uow:
            stored = await uow.delivery.preferences.get(user_id)
            user = await uow.users.get(user_id)
        timezone = user.timezone if user is not None else "UTC"
        start, end = (stored.quiet_start, stored.quiet_end) if stored.quiet_start and stored.quiet_end else self._quiet
        return Settings(stored.muted_kinds, start or self._quiet[0], end or self._quiet[1], stored.quiet_off, timezone)

    async def toggle_kind(self, user_id: int, kind: str) -> Settings:
        """Mute a reminder kind, or unmute it if it was muted."""
        async with self._uow() as uow:
            stored = await uow.delivery.preferences.get(user_id)
            muted = stored.muted_kinds ^ {kind}
            await uow.delivery.preferences.save(user_id, dataclasses.replace(stored, muted_kinds=muted),
                                                self._clock.now())
            await uow.commit()
        return await self.settings(user_id)

    async def set_quiet_hours(self, user_id: int, choice: int | None) -> Settings:
        """One of QUIET_CHOICES by index, or None for no quiet hours at all."""
        if choice is not None and not 0 <= choice < len(QUIET_CHOICES):
            raise UnknownQuietHours(str(choice))
        async with self._uow() as uow:
            stored = await uow.delivery.preferences.get(user_id)
            if choice is None:
                updated = dataclasses.replace(stored, quiet_off=True)
            else:
                start, end = QUIET_CHOICES[choice]
                updated = Preferences(stored.muted_kinds, start, end, False)
            await uow.delivery.preferences.save(user_id, updated, self._clock.now())
            await uow.commit()
        return await self.settings(user_id)

    async def set_timezone(self, user_id: int, timezone: str) -> Settings:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UnknownTimezone(timezone) from None
        async with self._uow() as uow:
            await uow.users.set_timezone(user_id, timezone)
            await uow.commit()
        return await self.settings(user_id)
