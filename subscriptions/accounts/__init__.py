"""Accounts, part of the kernel: who someone is (users and organisations), what they may do (roles and
permissions, one policy), what was done (the audit log), and what they chose (reminder preferences).

- `access`: roles, permissions, the policy and `Member`, the user behind an update with their roles.
- `members`: the member behind each update, kept up to date from Telegram's profile (the hot path).
- `audit`: the one permission check, which audits refusals, and the audit log.
- `roles`: granting and revoking roles with a confirmation step, /whois, finding people.
- `preferences`: muted reminder kinds, quiet hours, time zone and language.
"""

from __future__ import annotations

from dataclasses import dataclass

from subscriptions.accounts.ports import AccountsUnitsOfWork
from subscriptions.clock import Clock
from subscriptions.ids import TimeOrderedIds


@dataclass(frozen=True)
class Accounts:
    """What the accounts use cases need: units of work, the clock, the id source and the defaults."""

    uow: AccountsUnitsOfWork
    clock: Clock
    ids: TimeOrderedIds
    default_timezone: str = "Asia/Seoul"
    quiet_start: str = "22:00"
    quiet_end: str = "08:00"
