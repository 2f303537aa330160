"""In-memory implementations of wallet.ports: a store, people, organisations and a unit of work that records
whether it committed. Each unit of work works on a copy and publishes it on commit, so an uncommitted change
is invisible afterwards, as with a database."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any

from subscriptions.flows import Flow, FlowStatus
from wallet.keys import PublicKey, SigningKey
from wallet.pin import PinState
from wallet.records import (
    CredentialRecord,
    HistoryEntry,
    IssuerRecord,
    NewCredential,
    OfferRecord,
    RequestRecord,
    SessionRecord,
    StatusListRecord,
)


@dataclass(frozen=True)
class FakePerson:
    id: int
    display_name: str
    username: str | None = None
    language: str | None = None
    telegram_language: str | None = "ko"
    timezone: str = "Asia/Seoul"
    is_bot_blocked: bool = False


@dataclass(frozen=True)
class FakeOrganisation:
    id: int
    slug: str
    name: str


@dataclass
class Tables:
    """Everything the fake stores; deep-copied per unit of work (keys are shared, they are immutable)."""

    issuers: dict[int, IssuerRecord] = field(default_factory=dict)
    next_index: dict[int, int] = field(default_factory=dict)
    issuer_keys: dict[int, list[SigningKey]] = field(default_factory=dict)
    status_lists: dict[int, StatusListRecord] = field(default_factory=dict)
    holder_keys: dict[int, SigningKey] = field(default_factory=dict)
    pins: dict[int, PinState] = field(default_factory=dict)
    credentials: dict[str, CredentialRecord] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    offers: dict[str, OfferRecord] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    requests: dict[str, RequestRecord] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    history: list[HistoryEntry] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)  # every check noted by the verifier, valid or why not
    accreditations: set[tuple[int, str]] = field(default_factory=set)
    audit: list[dict[str, Any]] = field(default_factory=list)

    def __deepcopy__(self, memo: dict[int, Any]) -> Tables:
        fresh = Tables()
        for name, value in vars(self).items():
            setattr(fresh, name, copy.copy(value) if not isinstance(value, dict) else {
                k: (list(v) if isinstance(v, list) else v) for k, v in value.items()})
        return fresh


class FakeStore:
    def __init__(self, tables: Tables, organisations: dict[int, FakeOrganisation]) -> None:
        self.t = tables
        self._organisations = organisations

    async def add_issuer(self, *, org_id: int, slug: str, issuer_url: str, now: datetime) -> int:
        issuer_id = len(self.t.issuers) + 1
        name = self._organisations[org_id].name  # the real store joins the organisation for its name
        self.t.issuers[issuer_id] = IssuerRecord(issuer_id, org_id, slug, name, issuer_url)
        self.t.next_index[issuer_id] = 0
        return issuer_id

    async def issuer_by_org(self, org_id: int) -> IssuerRecord | None:
        return next((i for i in self.t.issuers.values() if i.org_id == org_id), None)

    async def move_issuer(self, issuer_id: int, issuer_url: str) -> None:
        self.t.issuers[issuer_id] = replace(self.t.issuers[issuer_id], issuer_url=issuer_url)

    async def issuer_by_slug(self, slug: str) -> IssuerRecord | None:
        return next((i for i in self.t.issuers.values() if i.slug == slug), None)

    async def issuer_by_url(self, issuer_url: str) -> IssuerRecord | None:
        return next((i for i in self.t.issuers.values() if i.issuer_url == issuer_url), None)

    async def issuer(self, issuer_id: int) -> IssuerRecord | None:
        return self.t.issuers.get(issuer_id)

    async def issuers(self) -> list[IssuerRecord]:
        return list(self.t.issuers.values())

    async def accredit(self, issuer_id: int, card_type: str, *, granted_by: int | None, now: datetime) -> bool:
        if (issuer_id, card_type) in self.t.accreditations:
            return False
        self.t.accreditations.add((issuer_id, card_type))
        return True

    async def withdraw_accreditation(self, issuer_id: int, card_type: str) -> bool:
        if (issuer_id, card_type) not in self.t.accreditations:
            return False
        self.t.accreditations.discard((issuer_id, card_type))
        return True

    async def accredited_types(self, issuer_id: int) -> frozenset[str]:
        return frozenset(card_type for issuer, card_type in self.t.accreditations if issuer == issuer_id)

    async def take_status_index(self, issuer_id: int) -> int:
        index = self.t.next_index[issuer_id]
        self.t.next_index[issuer_id] = index + 1
        return index

    async def add_issuer_key(self, issuer_id: int, key: SigningKey, *, now: datetime) -> None:
        self.t.issuer_keys.setdefault(issuer_id, []).append(key)

    async def active_issuer_key(self, issuer_id: int) -> SigningKey | None:
        keys = self.t.issuer_keys.get(issuer_id)
        return keys[-1] if keys else None

    async def issuer_public_keys(self, issuer_id: int) -> list[PublicKey]:
        return [key.public for key in self.t.issuer_keys.get(issuer_id, [])]

    async def status_list(self, issuer_id: int) -> StatusListRecord | None:
        return self.t.status_lists.get(issuer_id)

    async def save_status_list(self, issuer_id: int, bits: int, packed: bytes, *, now: datetime) -> None:
        old = self.t.status_lists.get(issuer_id)
        self.t.status_lists[issuer_id] = StatusListRecord(issuer_id, bits, packed, (old.version + 1) if old else 1)

    async def holder_key(self, user_id: int) -> SigningKey | None:
        return self.t.holder_keys.get(user_id)

    async def set_holder_key(self, user_id: int, key: SigningKey, *, now: datetime) -> None:
        self.t.holder_keys[user_id] = key

    async def pin_state(self, user_id: int) -> PinState:
        return self.t.pins.get(user_id, PinState())

    async def save_pin_state(self, user_id: int, state: PinState, *, now: datetime,
                             expected_version: int | None = None) -> bool:
        current = self.t.pins.get(user_id, PinState())
        if expected_version is not None and current.version != expected_version:
            return False
        self.t.pins[user_id] = replace(state, version=current.version + 1)
        return True

    async def add_credential(self, credential: NewCredential, *, now: datetime) -> None:
        self.t.credentials[credential.id] = CredentialRecord(
            credential.id, credential.holder_id, credential.issuer_id, credential.card_type, credential.vct,
            credential.status_index, "valid", None, credential.issued_at, credential.expires_at,
            credential.masked_number, credential.sd_jwt, credential.photo, credential.age_proof)
        self.t.digests[credential.jwt_digest] = credential.id
        if credential.age_proof_digest is not None:
            self.t.digests[credential.age_proof_digest] = credential.id

    async def credential(self, credential_id: str) -> CredentialRecord | None:
        return None if credential_id in self.t.removed else self.t.credentials.get(credential_id)

    async def credential_by_digest(self, jwt_digest: str) -> CredentialRecord | None:
        found = self.t.digests.get(jwt_digest)
        return self.t.credentials.get(found) if found else None

    async def credential_at(self, issuer_id: int, status_index: int) -> CredentialRecord | None:
        return next((c for c in self.t.credentials.values()
                     if c.issuer_id == issuer_id and c.status_index == status_index), None)

    async def credentials_of(self, holder_id: int, *, issuer_id: int | None = None) -> list[CredentialRecord]:
        return [c for c in self.t.credentials.values() if c.holder_id == holder_id and c.id not in self.t.removed
                and (issuer_id is None or c.issuer_id == issuer_id)]

    async def set_credential_status(self, credential_id: str, status: str, *, now: datetime) -> None:
        self.t.credentials[credential_id] = replace(self.t.credentials[credential_id], status=status,
                                                    status_changed_at=now)

    async def remove_credential(self, credential_id: str, *, now: datetime) -> None:
        self.t.removed.add(credential_id)

    async def add_offer(self, offer: OfferRecord) -> None:
        self.t.offers[offer.id] = offer

    async def offer(self, offer_id: str) -> OfferRecord | None:
        return self.t.offers.get(offer_id)

    async def finish_offer(self, offer: OfferRecord, status: str, *, credential_id: str | None = None) -> bool:
        stored = self.t.offers.get(offer.id)
        if stored is None or stored.version != offer.version or stored.status != "open":
            return False
        self.t.offers[offer.id] = replace(stored, status=status, version=stored.version + 1,
                                          credential_id=credential_id, claims={}, photo=None)
        return True

    async def add_session(self, session: SessionRecord) -> None:
        self.t.sessions[session.id] = session

    async def session(self, session_id: str) -> SessionRecord | None:
        return self.t.sessions.get(session_id)

    async def running_sessions(self) -> list[SessionRecord]:
        return [s for s in self.t.sessions.values() if s.status == "running"]

    async def update_session(self, session_id: str, **values: Any) -> None:
        self.t.sessions[session_id] = replace(self.t.sessions[session_id], **values)

    async def add_request(self, request: RequestRecord) -> None:
        self.t.requests[request.id] = request

    async def request(self, request_id: str) -> RequestRecord | None:
        return self.t.requests.get(request_id)

    async def finish_request(self, request: RequestRecord, status: str, *, now: datetime) -> bool:
        stored = self.t.requests.get(request.id)
        if stored is None or stored.version != request.version or stored.status != "open":
            return False
        self.t.requests[request.id] = replace(stored, status=status, version=stored.version + 1)
        return True

    async def nonce_used(self, nonce: str) -> bool:
        return nonce in self.t.nonces

    async def use_nonce(self, nonce: str, *, now: datetime) -> bool:
        if nonce in self.t.nonces:
            return False
        self.t.nonces.add(nonce)
        return True

    async def add_history(self, *, credential_id: str, holder_id: int, verifier_id: int | None, verifier_name: str,
                          claims: tuple[str, ...], verdict: str, now: datetime) -> None:
        self.t.history.append(HistoryEntry(credential_id, verifier_name, claims, verdict, now))

    async def note_verification(self, *, verdict: str, verifier_id: int | None, now: datetime) -> None:
        self.t.verdicts.append(verdict)

    async def history(self, credential_id: str, *, limit: int = 20) -> list[HistoryEntry]:
        return [h for h in reversed(self.t.history) if h.credential_id == credential_id][:limit]


class FakeFlows:
    """The kernel's FlowStore in memory: one open flow per owner, saves against the version read."""

    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def start(self, flow: Flow, *, now: datetime) -> None:
        for other in list(self.t.flows.values()):
            if other.owner_id == flow.owner_id and other.status is FlowStatus.OPEN:
                self.t.flows[other.id] = replace(other, status=FlowStatus.CANCELED, state={}, version=other.version + 1)
        self.t.flows[flow.id] = flow

    async def get(self, flow_id: str) -> Flow | None:
        return self.t.flows.get(flow_id)

    async def open_of(self, owner_id: int) -> Flow | None:
        return next((f for f in self.t.flows.values() if f.owner_id == owner_id and f.status is FlowStatus.OPEN), None)

    async def save(self, flow: Flow, *, expected_version: int) -> bool:
        stored = self.t.flows.get(flow.id)
        if stored is None or stored.version != expected_version or stored.status is not FlowStatus.OPEN:
            return False
        self.t.flows[flow.id] = flow if flow.status is FlowStatus.OPEN else replace(flow, state={})
        return True


class FakePeople:
    def __init__(self, people: dict[int, FakePerson]) -> None:
        self._people = people

    async def get(self, user_id: int) -> FakePerson | None:
        return self._people.get(user_id)

    async def find_by_username(self, username: str) -> FakePerson | None:
        name = username.lstrip("@").lower()
        return next((p for p in self._people.values() if p.username == name), None)


class FakeOrganisations:
    def __init__(self, organisations: dict[int, FakeOrganisation]) -> None:
        self._organisations = organisations

    async def get(self, org_id: int) -> FakeOrganisation | None:
        return self._organisations.get(org_id)


class FakeAudit:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    async def record(self, *, actor_id: int | None, action: str, outcome: str, now: datetime,
                     org_id: int | None = None, target: str | None = None,
                     detail: dict[str, Any] | None = None) -> None:
        self.t.audit.append({"actor_id": actor_id, "action": action, "outcome": outcome, "org_id": org_id,
                             "target": target, "detail": detail})


class FakeUnitOfWork:
    def __init__(self, world: FakeWorld) -> None:
        self._world = world
        self.committed = False
        self._tables = copy.deepcopy(world.tables)
        self.wallet = FakeStore(self._tables, world.organisations)
        self.users = FakePeople(world.people)
        self.organisations = FakeOrganisations(world.organisations)
        self.flows = FakeFlows(self._tables)
        self.audit = FakeAudit(self._tables)

    async def commit(self) -> None:
        self._world.tables = self._tables
        self._world.commits += 1
        self.committed = True

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None


@dataclass
class FakeWorld:
    """The fake database; `uow()` opens a unit of work on it."""

    people: dict[int, FakePerson] = field(default_factory=dict)
    organisations: dict[int, FakeOrganisation] = field(default_factory=dict)
    tables: Tables = field(default_factory=Tables)
    commits: int = 0

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)
