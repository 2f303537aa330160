"""Searching the audit log: the one-line form an admin types, a page of results at a time, and the CSV export.

The form is words of `field:value`, in any order, each at most once:

    actor:@admin target:12345 action:admin.ban from:2026-11-01 to:2026-11-07
    date:2026-11-01..2026-11-07    (or date:2026-11-03 for one day)

`actor` is a @username or an id, `action` matches the start of the action, dates are whole days in the
admin's time zone. Pages are newest first and keyed by id, so paging does not shift when entries are added.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NoReturn
from zoneinfo import ZoneInfo

from subscriptions.accounts import Accounts
from subscriptions.accounts.errors import AuditDatesReversed, MalformedAuditDate, UnknownAuditField
from subscriptions.accounts.records import AuditEntry, AuditFilter
from subscriptions.accounts.roles import find_user

FIELDS = ("actor", "target", "action", "from", "to", "date")
RANGE = ".."
PAGE_SIZE = 10
EXPORT_BATCH = 500
EXPORT_LIMIT = 100_000  # a bigger export is a job for the database's own tools
CSV_HEADER = ("id", "at", "actor_id", "action", "outcome", "org_id", "target", "detail")


@dataclass(frozen=True)
class AuditQuery:
    """What the admin typed, read but not yet resolved (the actor is still a name)."""

    actor: str | None = None
    target: str | None = None
    action: str | None = None
    first_day: date | None = None
    last_day: date | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    has_older: bool
    has_newer: bool


def read_query(line: str) -> AuditQuery:
    """The search the line describes; `UnknownAuditField`, `MalformedAuditDate` or `AuditDatesReversed` say what
    is wrong with it. An empty line is everything."""
    values: dict[str, str] = {}
    for word in line.split():
        field, colon, value = word.partition(":")
        field = field.lower()
        if not colon or field not in FIELDS or not value or field in values:
            raise UnknownAuditField(word)
        values[field] = value
    first, last = _day(values.get("from")), _day(values.get("to"))
    if "date" in values:
        if first is not None or last is not None:
            raise UnknownAuditField("date:" + values["date"])
        start, _, end = values["date"].partition(RANGE)
        first, last = _day(start), _day(end) if end else _day(start)
    if first is not None and last is not None and last < first:
        raise AuditDatesReversed(f"{first.isoformat()}{RANGE}{last.isoformat()}")
    return AuditQuery(values.get("actor"), values.get("target"), values.get("action"), first, last)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else _malformed(text)
    except ValueError:
        return _malformed(text)


def _malformed(text: str) -> NoReturn:
    raise MalformedAuditDate(text)


async def resolve(accounts: Accounts, query: AuditQuery, timezone: str) -> AuditFilter:
    """The stored filter: the actor found by name or id, the days turned into UTC instants of `timezone`."""
    actor_id = None
    if query.actor is not None:
        async with accounts.uow() as uow:
            actor_id = (await find_user(uow, query.actor, accounts.clock.now())).id
    zone = ZoneInfo(timezone)

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(0), zone).astimezone(UTC)

    return AuditFilter(
        actor_id=actor_id, target=query.target, action_prefix=query.action,
        since=start_of(query.first_day) if query.first_day else None,
        until=start_of(query.last_day + timedelta(days=1)) if query.last_day else None,
    )


async def search(accounts: Accounts, found: AuditFilter, *, before: int | None = None,
                 after: int | None = None) -> AuditPage:
    """A page newest first: the newest entries, those older than id `before`, or those newer than id `after`."""
    async with accounts.uow() as uow:
        if after is not None:
            entries = await uow.audit.search(found, after=after, limit=PAGE_SIZE + 1)
            has_newer, entries = len(entries) > PAGE_SIZE, entries[-PAGE_SIZE:]
            has_older = bool(entries) and bool(await uow.audit.search(found, before=entries[-1].id, limit=1))
        else:
            entries = await uow.audit.search(found, before=before, limit=PAGE_SIZE + 1)
            has_older, entries = len(entries) > PAGE_SIZE, entries[:PAGE_SIZE]
            has_newer = bool(entries) and bool(await uow.audit.search(found, after=entries[0].id, limit=1))
    return AuditPage(tuple(entries), has_older, has_newer)


async def export(accounts: Accounts, found: AuditFilter) -> list[AuditEntry]:
    """Every matching entry, newest first (up to `EXPORT_LIMIT`), read a batch at a time."""
    everything: list[AuditEntry] = []
    before: int | None = None
    while len(everything) < EXPORT_LIMIT:
        async with accounts.uow() as uow:
            batch = await uow.audit.search(found, before=before, limit=EXPORT_BATCH)
        everything.extend(batch)
        if len(batch) < EXPORT_BATCH:
            break
        before = batch[-1].id
    return everything[:EXPORT_LIMIT]


def as_csv(entries: list[AuditEntry]) -> bytes:
    """The entries as CSV with a header row; times in ISO 8601 UTC, details as JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for entry in entries:
        writer.writerow([
            entry.id, entry.at.astimezone(UTC).isoformat(), "" if entry.actor_id is None else entry.actor_id,
            entry.action, entry.outcome, "" if entry.org_id is None else entry.org_id, entry.target or "",
            json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail is not None else "",
        ])
    return buffer.getvalue().encode("utf-8")
