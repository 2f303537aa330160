"""Organisations as platform admins run them: created by kind, listed a page at a time, looked at with their
people, suspended and restored (with a confirmation).

Suspension is defined once, in `access.decide`: a role in a suspended organisation grants nothing, so its
issuer issues no new card, its shop sends no new broadcast and its people's menus leave it out, until it is
restored; the grants themselves stay, so restoring brings everything back as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from subscriptions.accounts import Accounts, pending
from subscriptions.accounts.access import Member
from subscriptions.accounts.errors import (
    MalformedOrganisationName,
    MalformedSlug,
    SlugTaken,
    UnknownOrganisation,
    UnknownOrganisationKind,
)
from subscriptions.accounts.records import Organisation, UserRecord

# The kinds the organisations table allows.
KINDS = ("issuer", "shop", "brand", "creator", "verifier")
SLUG = re.compile(r"[a-z][a-z0-9-]{2,39}")
NAME_LENGTH = range(2, 81)
PAGE_SIZE = 8
STATUS_CHANGE = "admin.org_status"  # the flow that waits for the admin's Confirm
CREATE_ACTION, SUSPEND_ACTION, RESTORE_ACTION = "admin.create_org", "admin.suspend_org", "admin.restore_org"


@dataclass(frozen=True)
class OrganisationPage:
    organisations: tuple[Organisation, ...]
    next_after: int | None  # the id the next page starts after; None on the last page


@dataclass(frozen=True)
class Person:
    user: UserRecord
    role: str


@dataclass(frozen=True)
class OrganisationView:
    organisation: Organisation
    people: tuple[Person, ...]


@dataclass(frozen=True)
class StatusProposal:
    action_id: str
    organisation: Organisation
    suspend: bool


@dataclass(frozen=True)
class StatusDone:
    organisation: Organisation
    suspended: bool
    changed: bool  # False: it already was so


def read_new(kind: str, line: str) -> tuple[str, str]:
    """The slug and name an admin typed for a new organisation of `kind`: `slug Name of the organisation`."""
    if kind not in KINDS:
        raise UnknownOrganisationKind(kind)
    slug, _, name = line.strip().partition(" ")
    slug, name = slug.lower(), " ".join(name.split())
    if not SLUG.fullmatch(slug):
        raise MalformedSlug(slug)
    if len(name) not in NAME_LENGTH or not name.isprintable():
        raise MalformedOrganisationName(name)
    return slug, name


async def create(accounts: Accounts, admin: Member, kind: str, line: str) -> Organisation:
    """Create the organisation `line` describes (see `read_new`); audited."""
    slug, name = read_new(kind, line)
    now = accounts.clock.now()
    async with accounts.uow() as uow:
        if await uow.organisations.get_by_slug(slug) is not None:
            raise SlugTaken(slug)
        organisation = await uow.organisations.add(slug=slug, name=name, kind=kind, now=now)
        await uow.audit.record(actor_id=admin.id, action=CREATE_ACTION, outcome="ok", org_id=organisation.id,
                               target=slug, detail={"kind": kind}, now=now)
        await uow.commit()
    return organisation


async def page(accounts: Accounts, kind: str, after: int = 0) -> OrganisationPage:
    """A page of organisations of `kind` after id `after`."""
    if kind not in KINDS:
        raise UnknownOrganisationKind(kind)
    async with accounts.uow() as uow:
        found = await uow.organisations.page(kind, after=after, limit=PAGE_SIZE + 1)
    shown = tuple(found[:PAGE_SIZE])
    return OrganisationPage(shown, shown[-1].id if len(found) > PAGE_SIZE else None)


async def view(accounts: Accounts, org_id: int) -> OrganisationView:
    """The organisation with its people and their roles."""
    async with accounts.uow() as uow:
        organisation = await uow.organisations.get(org_id)
        if organisation is None:
            raise UnknownOrganisation(str(org_id))
        people = []
        for grant in await uow.roles.in_organisation(org_id):
            user = await uow.users.get(grant.user_id)
            if user is not None:
                people.append(Person(user, grant.role))
    return OrganisationView(organisation, tuple(people))


async def propose_status(accounts: Accounts, admin: Member, org_id: int, *, suspend: bool) -> StatusProposal:
    """Keep a suspension (or a restoration) awaiting the admin's Confirm."""
    async with accounts.uow() as uow:
        organisation = await uow.organisations.get(org_id)
    if organisation is None:
        raise UnknownOrganisation(str(org_id))
    action_id = await pending.propose(accounts, admin, STATUS_CHANGE, {"org_id": org_id, "suspend": suspend})
    return StatusProposal(action_id, organisation, suspend)


async def confirm_status(accounts: Accounts, admin: Member, action_id: str) -> StatusDone:
    """Suspend or restore once, audited in the same transaction."""
    now = accounts.clock.now()
    async with accounts.uow() as uow:
        flow = await pending.take(uow, admin, action_id, STATUS_CHANGE, now)
        org_id, suspend = int(flow.state["org_id"]), bool(flow.state["suspend"])
        changed = await uow.organisations.set_suspended(org_id, now if suspend else None)
        await uow.audit.record(actor_id=admin.id, action=SUSPEND_ACTION if suspend else RESTORE_ACTION,
                               outcome="ok" if changed else "unchanged", org_id=org_id, target=str(org_id), now=now)
        organisation = await uow.organisations.get(org_id)
        await uow.commit()
    if organisation is None:
        raise UnknownOrganisation(str(org_id))
    return StatusDone(organisation, suspend, changed)


async def cancel_status(accounts: Accounts, admin: Member, action_id: str) -> bool:
    return await pending.cancel(accounts, admin, action_id, STATUS_CHANGE)
