"""The wallet's use cases: issuers, offers, held cards, the PIN, presenting, verifying and revoking.

Each method is one unit of work over the Protocols of wallet.ports; the credential logic itself (signing,
presenting, verifying, PIN policy, status lists) lives in the modules beside this one. Argon2 hashing runs
in a thread so one person's PIN never holds up everyone else's chat.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from wallet.card_types import CardType, CardTypeRegistry
from wallet.claims import prepare_claims
from wallet.credentials import IssuerIdentity, issue_card, mask_number, present_card
from wallet.errors import MalformedInput, PinLocked, WalletError
from wallet.holder import read_held_credential
from wallet.jws import parse_compact
from wallet.keys import Algorithm, SigningKey, build_jwks, generate_signing_key
from wallet.pin import PinCheck, PinPolicy, PinState, check_pin, reset_pin, set_first_pin, validate_pin_format
from wallet.ports import Clock, Organisation, Person, UnitOfWorkFactory, WalletSettings, WalletUnitOfWork
from wallet.qr_payload import decode_qr_payload
from wallet.qr_session import new_token
from wallet.records import (
    CredentialRecord,
    FlowRecord,
    HistoryEntry,
    IssuerRecord,
    NewCredential,
    OfferRecord,
    RequestRecord,
    SessionRecord,
)
from wallet.sd_jwt import split_sd_jwt
from wallet.status_list import (
    CredentialStatus,
    StatusCheck,
    StatusList,
    StatusReference,
    sign_status_list,
)
from wallet.trust import TrustedIssuer, TrustedIssuers
from wallet.verifier import (
    MemoryNonceStore,
    VerificationResult,
    VerifierPolicy,
    as_replayed,
    verify_presentation,
)

STATUS_NAMES = {CredentialStatus.VALID: "valid", CredentialStatus.INVALID: "revoked",
                CredentialStatus.SUSPENDED: "suspended"}
STATUS_BY_NAME = {name: status for status, name in STATUS_NAMES.items()}
STATUS_LIST_TTL = timedelta(minutes=1)
FLOW_LIFETIME = timedelta(minutes=15)
REQUEST_LIFETIME = timedelta(minutes=10)


class WalletServiceError(Exception):
    """Base of the wallet's named refusals; handlers turn each into a sentence."""


class NotAnIssuer(WalletServiceError):
    """The organisation has no issuer keys (run `jigap issuer create`)."""


class OfferGone(WalletServiceError):
    """The offer does not exist, was used or declined, expired, or is for someone else."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # missing | used | expired | not_yours
        super().__init__(reason)


class CardNotFound(WalletServiceError):
    """No such card in this person's wallet (or not one this issuer issued)."""


class RequestGone(WalletServiceError):
    """A verification request that does not exist, was used, or expired."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # missing | used | expired
        super().__init__(reason)


class NoMatchingCard(WalletServiceError):
    """The holder has no card that can show what a verifier asks for."""


class StatusChangeRefused(WalletServiceError):
    """A revoked card cannot be suspended or reinstated: revocation is for good."""


@dataclass(frozen=True)
class HeldCard:
    """A card as its holder sees it."""

    record: CredentialRecord
    card_type: CardType
    issuer_name: str
    claims: Mapping[str, Any]

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def status(self) -> CredentialStatus:
        return STATUS_BY_NAME[self.record.status]


@dataclass(frozen=True)
class OfferView:
    offer: OfferRecord
    card_type: CardType
    issuer_name: str


@dataclass(frozen=True)
class Verification:
    """A verification result with what the verifier's screen needs."""

    result: VerificationResult
    card_type: CardType | None
    photo: bytes | None
    holder_id: int | None


@dataclass(frozen=True)
class Frame:
    """One QR of a presentation session."""

    session: SessionRecord
    presentation: str
    valid_for: int  # seconds


def jwt_digest(sd_jwt_or_presentation: str) -> str:
    """SHA-256 of the issuer-signed JWT: the same for a credential and every presentation made from it."""
    issuer_jwt = sd_jwt_or_presentation.strip().split("~", 1)[0]
    return hashlib.sha256(issuer_jwt.encode()).hexdigest()


def request_audience(verifier_id: int) -> str:
    return f"jigap:verifier:{verifier_id}"


class WalletService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, config: WalletSettings,
                 registry: CardTypeRegistry | None = None, *, reader: UnitOfWorkFactory | None = None) -> None:
        self._uow = uow
        # The read on the hot path (every plain message asks for the open flow) is one statement: it needs no
        # writer lock, and no transaction around it.
        self._reader = reader or uow
        self._clock = clock
        self.config = config
        self.registry = registry or CardTypeRegistry()
        self.pin_policy = PinPolicy(
            max_attempts=config.pin_max_attempts, lockout=timedelta(seconds=config.pin_lock_seconds),
            time_cost=config.pin_time_cost, memory_cost_kib=config.pin_memory_kib,
        )

    @property
    def platform_audience(self) -> str:
        """The `aud` of QR codes shown to anyone: the platform's own verifier."""
        return self.config.public_url.rstrip("/")

    def now(self) -> datetime:
        return self._clock.now()

    # --- issuers ----------------------------------------------------------------------------------

    def issuer_url(self, slug: str) -> str:
        return f"{self.config.public_url.rstrip('/')}/{slug}"

    def status_uri(self, slug: str) -> str:
        return f"{self.config.public_url.rstrip('/')}/status/{slug}"

    async def ensure_issuer(self, organisation: Organisation, alg: Algorithm | None = None) -> tuple[IssuerRecord, bool]:
        """The organisation's issuer, created with a fresh key and an empty status list if missing."""
        now = self.now()
        async with self._uow() as uow:
            existing = await uow.wallet.issuer_by_org(organisation.id)
            if existing is not None:
                return existing, False
            issuer_id = await uow.wallet.add_issuer(
                org_id=organisation.id, slug=organisation.slug, issuer_url=self.issuer_url(organisation.slug), now=now
            )
            chosen: Algorithm = alg or ("ES256" if self.config.signing_alg == "ES256" else "EdDSA")
            await uow.wallet.add_issuer_key(issuer_id, generate_signing_key(chosen), now=now)
            empty = StatusList.empty()
            await uow.wallet.save_status_list(issuer_id, empty.bits, empty.packed, now=now)
            issuer = await uow.wallet.issuer(issuer_id)
            await uow.commit()
        assert issuer is not None
        return issuer, True

    async def issuer_for_org(self, org_id: int) -> IssuerRecord | None:
        async with self._uow() as uow:
            return await uow.wallet.issuer_by_org(org_id)

    async def issuer(self, issuer_id: int) -> IssuerRecord | None:
        async with self._uow() as uow:
            return await uow.wallet.issuer(issuer_id)

    async def issuers(self) -> list[IssuerRecord]:
        async with self._uow() as uow:
            return await uow.wallet.issuers()

    async def issuer_metadata(self, slug: str) -> dict[str, Any] | None:
        """The JWT VC issuer metadata (issuer and JWKS) served at /.well-known/jwt-vc-issuer/<slug>."""
        async with self._uow() as uow:
            issuer = await uow.wallet.issuer_by_slug(slug)
            if issuer is None:
                return None
            keys = await uow.wallet.issuer_public_keys(issuer.id)
        return {"issuer": issuer.issuer_url, "jwks": build_jwks(keys)}

    async def status_list_token(self, slug: str) -> str | None:
        """The issuer's current `statuslist+jwt`, signed now."""
        now = self.now()
        async with self._uow() as uow:
            issuer = await uow.wallet.issuer_by_slug(slug)
            if issuer is None:
                return None
            stored = await uow.wallet.status_list(issuer.id)
            key = await uow.wallet.active_issuer_key(issuer.id)
        if stored is None or key is None:
            return None
        return sign_status_list(StatusList(stored.bits, stored.packed), uri=self.status_uri(issuer.slug),
                                issuer=issuer.issuer_url, key=key, now=now, ttl=STATUS_LIST_TTL)

    # --- offers and issuing -------------------------------------------------------------------------

    def check_claims(self, card_type: CardType, claims: Mapping[str, Any]) -> dict[str, Any]:
        """The claims as they would be signed; raises ClaimsInvalid listing every problem."""
        return prepare_claims(card_type, claims, now=self.now())

    async def create_offer(self, *, org_id: int, card_type_id: str, holder_id: int, claims: Mapping[str, Any],
                           photo: bytes | None, created_by: int | None,
                           announce: Callable[[OfferRecord], Mapping[str, Any]] | None = None) -> OfferRecord:
        """Check the claims and keep them, sealed, until the holder accepts; raises ClaimsInvalid.

        `announce` makes the message that tells the holder (given the stored offer, whose id its
        buttons carry); it is queued in the same transaction as the offer.
        """
        card_type = self.registry.get(card_type_id)
        raw = dict(claims)
        if photo is not None and card_type.photo_claim is not None:
            raw[card_type.photo_claim] = photo
        self.check_claims(card_type, raw)
        raw.pop(card_type.photo_claim or "", None)
        now = self.now()
        async with self._uow() as uow:
            issuer = await uow.wallet.issuer_by_org(org_id)
            if issuer is None:
                raise NotAnIssuer(str(org_id))
            offer = OfferRecord(
                id=new_token(12), issuer_id=issuer.id, card_type=card_type.id, holder_id=holder_id, claims=raw,
                photo=photo, status="open", version=1, created_by=created_by, credential_id=None, created_at=now,
                expires_at=now + timedelta(seconds=self.config.offer_lifetime),
            )
            await uow.wallet.add_offer(offer)
            if announce is not None:
                await uow.outbox.enqueue(holder_id, "wallet", announce(offer), idempotency_key=f"offer:{offer.id}",
                                         now=now)
            await uow.commit()
        return offer

    async def offer_view(self, offer_id: str, holder_id: int) -> OfferView:
        async with self._uow() as uow:
            offer = await uow.wallet.offer(offer_id)
            self._ensure_offer_open(offer, holder_id)
            assert offer is not None
            issuer = await uow.wallet.issuer(offer.issuer_id)
        assert issuer is not None
        return OfferView(offer, self.registry.get(offer.card_type), issuer.name)

    def _ensure_offer_open(self, offer: OfferRecord | None, holder_id: int) -> None:
        if offer is None:
            raise OfferGone("missing")
        if offer.holder_id != holder_id:
            raise OfferGone("not_yours")
        if offer.status != "open":
            raise OfferGone("used")
        if self.now() >= offer.expires_at:
            raise OfferGone("expired")

    async def accept_offer(self, offer_id: str, holder_id: int) -> HeldCard:
        """Sign the credential for the holder's key and put it in their wallet; the offer works once."""
        now = self.now()
        async with self._uow() as uow:
            offer = await uow.wallet.offer(offer_id)
            self._ensure_offer_open(offer, holder_id)
            assert offer is not None
            issuer = await uow.wallet.issuer(offer.issuer_id)
            issuer_key = await uow.wallet.active_issuer_key(offer.issuer_id)
            if issuer is None or issuer_key is None:
                raise NotAnIssuer(str(offer.issuer_id))
            holder_key = await self._holder_key(uow, holder_id, now)
            card_type = self.registry.get(offer.card_type)
            index = await uow.wallet.take_status_index(issuer.id)
            claims = dict(offer.claims)
            if offer.photo is not None and card_type.photo_claim is not None:
                claims[card_type.photo_claim] = offer.photo
            issued = issue_card(
                card_type, claims, issuer=IssuerIdentity(issuer.issuer_url, issuer.name, issuer_key),
                holder_jwk=holder_key.public.jwk, now=now,
                status=StatusReference(index, self.status_uri(issuer.slug)),
            )
            credential_id = new_token(12)
            number = issued.claims.get(card_type.number_claim or "")
            masked = None if number is None else mask_number(
                str(number), keep_start=card_type.layout.mask_keep_start, keep_end=card_type.layout.mask_keep_end
            )
            await uow.wallet.add_credential(NewCredential(
                id=credential_id, holder_id=holder_id, issuer_id=issuer.id, card_type=card_type.id,
                vct=card_type.vct, status_index=index, issued_at=issued.issued_at, expires_at=issued.expires_at,
                masked_number=masked, jwt_digest=jwt_digest(issued.sd_jwt), sd_jwt=issued.sd_jwt,
                photo=offer.photo, offer_id=offer.id,
            ), now=now)
            if not await uow.wallet.finish_offer(offer, "accepted", credential_id=credential_id):
                raise OfferGone("used")
            record = await uow.wallet.credential(credential_id)
            await uow.commit()
        assert record is not None
        return self._held(record, issuer.name)

    async def decline_offer(self, offer_id: str, holder_id: int) -> OfferView:
        async with self._uow() as uow:
            offer = await uow.wallet.offer(offer_id)
            self._ensure_offer_open(offer, holder_id)
            assert offer is not None
            issuer = await uow.wallet.issuer(offer.issuer_id)
            if not await uow.wallet.finish_offer(offer, "declined"):
                raise OfferGone("used")
            await uow.commit()
        assert issuer is not None
        return OfferView(offer, self.registry.get(offer.card_type), issuer.name)

    async def _holder_key(self, uow: WalletUnitOfWork, holder_id: int, now: datetime) -> SigningKey:
        key = await uow.wallet.holder_key(holder_id)
        if key is None:
            key = generate_signing_key("ES256" if self.config.signing_alg == "ES256" else "EdDSA")
            await uow.wallet.set_holder_key(holder_id, key, now=now)
        return key

    # --- the holder's cards -------------------------------------------------------------------------

    def _held(self, record: CredentialRecord, issuer_name: str) -> HeldCard:
        claims = read_held_credential(record.sd_jwt).claims
        personal = {k: v for k, v in claims.items() if k not in ("iss", "iat", "exp", "vct", "cnf", "status")}
        return HeldCard(record, self.registry.get(record.card_type), issuer_name, personal)

    async def cards(self, holder_id: int) -> list[HeldCard]:
        async with self._uow() as uow:
            records = await uow.wallet.credentials_of(holder_id)
            names = {r.issuer_id: await self._issuer_name(uow, r.issuer_id) for r in records}
        return [self._held(record, names[record.issuer_id]) for record in records]

    async def card(self, holder_id: int, credential_id: str) -> HeldCard:
        """The holder's own card; another person's card id is refused as unknown."""
        async with self._uow() as uow:
            record = await uow.wallet.credential(credential_id)
            if record is None or record.holder_id != holder_id:
                raise CardNotFound(credential_id)
            name = await self._issuer_name(uow, record.issuer_id)
        return self._held(record, name)

    @staticmethod
    async def _issuer_name(uow: WalletUnitOfWork, issuer_id: int) -> str:
        issuer = await uow.wallet.issuer(issuer_id)
        return issuer.name if issuer else "?"

    async def history(self, holder_id: int, credential_id: str) -> list[HistoryEntry]:
        await self.card(holder_id, credential_id)
        async with self._uow() as uow:
            return await uow.wallet.history(credential_id)

    async def remove_card(self, holder_id: int, credential_id: str) -> HeldCard:
        card = await self.card(holder_id, credential_id)
        async with self._uow() as uow:
            await uow.wallet.remove_credential(credential_id, now=self.now())
            await uow.commit()
        return card

    # --- the PIN --------------------------------------------------------------------------------

    async def pin_state(self, user_id: int) -> PinState:
        async with self._uow() as uow:
            return await uow.wallet.pin_state(user_id)

    async def set_pin(self, user_id: int, pin: str) -> None:
        """The first PIN (raises PinFormatInvalid, PinAlreadySet)."""
        state = await self.pin_state(user_id)
        new_state = await asyncio.to_thread(set_first_pin, state, pin, policy=self.pin_policy)
        await self._save_pin(user_id, new_state)

    async def check_pin(self, user_id: int, pin: str) -> PinCheck:
        """One try; raises PinLocked while locked. Wrong tries are stored before answering."""
        now = self.now()
        state = await self.pin_state(user_id)
        checked = await asyncio.to_thread(check_pin, state, pin, now=now, policy=self.pin_policy)
        await self._save_pin(user_id, checked.state)
        return checked

    async def ensure_not_locked(self, user_id: int) -> None:
        state = await self.pin_state(user_id)
        if state.is_locked(self.now()) and state.locked_until is not None:
            raise PinLocked(state.locked_until)

    async def replace_pin(self, user_id: int, pin: str) -> None:
        """A new PIN after the old one was given (change) or after the wallet was reset."""
        validate_pin_format(pin)
        new_state = await asyncio.to_thread(reset_pin, PinState(), pin, policy=self.pin_policy)
        await self._save_pin(user_id, new_state)

    async def _save_pin(self, user_id: int, state: PinState) -> None:
        async with self._uow() as uow:
            await uow.wallet.save_pin_state(user_id, state, now=self.now())
            await uow.commit()

    async def reset_wallet(self, user_id: int) -> int:
        """Forgot the PIN: every card leaves the wallet and the holder key is replaced, so a reset can never
        unlock cards someone else could present; the issuers issue them again. Returns how many cards went."""
        now = self.now()
        async with self._uow() as uow:
            records = await uow.wallet.credentials_of(user_id)
            for record in records:
                await uow.wallet.remove_credential(record.id, now=now)
            await uow.wallet.set_holder_key(user_id, generate_signing_key(), now=now)
            await uow.wallet.save_pin_state(user_id, PinState(), now=now)
            await uow.commit()
        return len(records)

    # --- flows ----------------------------------------------------------------------------------

    async def start_flow(self, user_id: int, kind: str, state: dict[str, Any], *, chat_id: int | None = None,
                         lifetime: timedelta = FLOW_LIFETIME) -> FlowRecord:
        """A new flow for the user; any open one is cancelled (one conversation at a time)."""
        now = self.now()
        flow = FlowRecord(new_token(9), user_id, kind, state, "open", 1, chat_id, None, now + lifetime)
        async with self._uow() as uow:
            await uow.wallet.add_flow(flow, now=now)
            await uow.commit()
        return flow

    async def flow(self, user_id: int, flow_id: str, kind: str | None = None) -> FlowRecord | None:
        """The user's open flow with that id, or None (someone else's, finished, expired, or another kind)."""
        async with self._uow() as uow:
            flow = await uow.wallet.flow(flow_id)
        if flow is None or flow.user_id != user_id or flow.status != "open" or self.now() >= flow.expires_at:
            return None
        return flow if kind is None or flow.kind == kind else None

    async def open_flow(self, user_id: int) -> FlowRecord | None:
        async with self._reader() as uow:
            flow = await uow.wallet.open_flow_of(user_id)
        if flow is None or self.now() >= flow.expires_at:
            return None
        return flow

    async def save_flow(self, flow: FlowRecord, state: dict[str, Any] | None = None, *, status: str | None = None,
                        message_id: int | None = None) -> FlowRecord | None:
        """Store the flow's next state; None when a concurrent press got there first."""
        updated = replace(flow, state=state if state is not None else flow.state)
        async with self._uow() as uow:
            saved = await uow.wallet.save_flow(updated, status=status, message_id=message_id)
            await uow.commit()
        if not saved:
            return None
        return replace(updated, version=flow.version + 1, status=status or flow.status,
                       message_id=message_id if message_id is not None else flow.message_id)

    # --- presenting -----------------------------------------------------------------------------

    async def start_session(self, holder_id: int, credential_id: str, preset: str, *, chat_id: int,
                            language: str) -> SessionRecord:
        card = await self.card(holder_id, credential_id)
        card.card_type.preset(preset)  # raises UnknownPreset
        now = self.now()
        frames = -(-self.config.qr_session // self.config.qr_lifetime)
        session = SessionRecord(new_token(9), holder_id, credential_id, preset, language, chat_id, None, 0, frames,
                                "running", now, now + timedelta(seconds=self.config.qr_session))
        async with self._uow() as uow:
            await uow.wallet.add_session(session)
            await uow.commit()
        return session

    async def frame(self, session_id: str, *, advance: bool) -> Frame | None:
        """The next QR of a running session (a fresh presentation and nonce), or None once it is over."""
        async with self._uow() as uow:
            session = await uow.wallet.session(session_id)
            if session is None or session.status != "running":
                return None
            index = session.frame_index + (1 if advance else 0)
            if index >= session.frames_total:
                await uow.wallet.update_session(session_id, status="expired")
                await uow.commit()
                return None
            record = await uow.wallet.credential(session.credential_id)
            key = await uow.wallet.holder_key(session.holder_id)
            if record is None or key is None:
                await uow.wallet.update_session(session_id, status="expired")
                await uow.commit()
                return None
            await uow.wallet.update_session(session_id, frame_index=index)
            await uow.commit()
        card_type = self.registry.get(record.card_type)
        presentation = present_card(record.sd_jwt, card_type, holder_key=key, aud=self.platform_audience,
                                    nonce=new_token(), now=self.now(), preset=session.preset)
        return Frame(replace(session, frame_index=index), presentation, self.config.qr_lifetime)

    async def attach_session_message(self, session_id: str, message_id: int) -> None:
        async with self._uow() as uow:
            await uow.wallet.update_session(session_id, message_id=message_id)
            await uow.commit()

    async def session(self, session_id: str) -> SessionRecord | None:
        async with self._uow() as uow:
            return await uow.wallet.session(session_id)

    async def expire_session(self, session_id: str) -> None:
        async with self._uow() as uow:
            await uow.wallet.update_session(session_id, status="expired")
            await uow.commit()

    async def running_sessions(self) -> list[SessionRecord]:
        async with self._uow() as uow:
            return await uow.wallet.running_sessions()

    # --- verifying ------------------------------------------------------------------------------

    def _policy(self) -> VerifierPolicy:
        return VerifierPolicy(leeway=timedelta(seconds=self.config.leeway),
                              max_presentation_age=timedelta(seconds=self.config.qr_lifetime))

    async def verify(self, presentation: str, *, verifier_id: int | None, verifier_name: str,
                     expected_aud: str | None = None, expected_nonce: str | None = None) -> Verification:
        """Check a presentation against the registered issuers, their status lists and the used nonces,
        and log it in the holder's history. A nonce is spent only by a presentation that passes."""
        now = self.now()
        try:
            text = decode_qr_payload(presentation.strip())
        except MalformedInput:
            text = presentation.strip()
        iss, status_claim, nonce = _peek(text)
        async with self._uow() as uow:
            issuers, lookup = await self._trust(uow, iss, status_claim)
            seen = nonce is not None and await uow.wallet.nonce_used(nonce)
            store = MemoryNonceStore()
            if seen and nonce is not None:
                store.use_once(nonce)
            result = verify_presentation(
                text, issuers=issuers, now=now, policy=self._policy(),
                expected_aud=expected_aud or self.platform_audience, expected_nonce=expected_nonce,
                nonce_store=store, status=lookup,
            )
            if result.valid and result.nonce is not None and not await uow.wallet.use_nonce(result.nonce, now=now):
                result = as_replayed(result)  # another worker spent the nonce a moment ago
            card_type = self.registry.by_vct(result.vct) if result.vct else None
            credential = await uow.wallet.credential_by_digest(jwt_digest(text))
            if credential is not None:
                await uow.wallet.add_history(
                    credential_id=credential.id, holder_id=credential.holder_id, verifier_id=verifier_id,
                    verifier_name=verifier_name, claims=_in_card_order(card_type, result.disclosed_claims),
                    verdict="valid" if result.valid else str(result.failed_check), now=now,
                )
            await uow.commit()
        photo = credential.photo if credential is not None and result.valid else None
        return Verification(result, card_type, photo, credential.holder_id if credential else None)

    async def _trust(self, uow: WalletUnitOfWork, iss: str | None,
                     status_claim: Any) -> tuple[TrustedIssuers, Any]:
        issuer = await uow.wallet.issuer_by_url(iss) if iss else None
        if issuer is None:
            return TrustedIssuers(), None
        keys = tuple(await uow.wallet.issuer_public_keys(issuer.id))
        trusted = TrustedIssuer(issuer.issuer_url, issuer.name, keys)
        try:
            reference = StatusReference.from_claim(status_claim)
        except MalformedInput:
            return TrustedIssuers([trusted]), None
        stored = await uow.wallet.status_list(issuer.id)
        if stored is None or reference.uri != self.status_uri(issuer.slug):
            return TrustedIssuers([trusted]), None
        status_list = StatusList(stored.bits, stored.packed)
        credential = await uow.wallet.credential_at(issuer.id, reference.idx)
        changed_at = credential.status_changed_at if credential is not None else None

        def lookup(ref: StatusReference, _issuer: TrustedIssuer) -> StatusCheck:
            return StatusCheck(status_list.get(ref.idx), changed_at)

        return TrustedIssuers([trusted]), lookup

    # --- verifier-initiated requests ------------------------------------------------------------

    async def create_request(self, verifier_id: int, verifier_name: str, claims: tuple[str, ...]) -> RequestRecord:
        now = self.now()
        request = RequestRecord(new_token(12), new_token(), verifier_id, verifier_name, claims, "open", 1, now,
                                now + REQUEST_LIFETIME)
        async with self._uow() as uow:
            await uow.wallet.add_request(request)
            await uow.commit()
        return request

    async def open_request(self, request_id: str) -> RequestRecord:
        async with self._uow() as uow:
            request = await uow.wallet.request(request_id)
        if request is None:
            raise RequestGone("missing")
        if request.status != "open":
            raise RequestGone("used")
        if self.now() >= request.expires_at:
            raise RequestGone("expired")
        return request

    async def cards_for_request(self, holder_id: int, request: RequestRecord) -> list[HeldCard]:
        """The holder's valid cards that can show every claim asked for."""
        wanted = set(request.claims)
        return [card for card in await self.cards(holder_id)
                if card.status is CredentialStatus.VALID and wanted <= set(card.card_type.claim_names)]

    async def decline_request(self, request_id: str) -> RequestRecord:
        request = await self.open_request(request_id)
        async with self._uow() as uow:
            if not await uow.wallet.finish_request(request, "declined", now=self.now()):
                raise RequestGone("used")
            await uow.commit()
        return request

    async def share(self, holder_id: int, request_id: str, credential_id: str) -> Verification:
        """Present the asked-for claims to the requesting verifier, bound to its nonce; the request works once."""
        request = await self.open_request(request_id)
        card = await self.card(holder_id, credential_id)
        async with self._uow() as uow:
            key = await uow.wallet.holder_key(holder_id)
            if key is None or not await uow.wallet.finish_request(request, "used", now=self.now()):
                raise RequestGone("used")
            await uow.commit()
        presentation = present_card(card.record.sd_jwt, card.card_type, holder_key=key,
                                    aud=request_audience(request.verifier_id), nonce=request.nonce, now=self.now(),
                                    claims=request.claims)
        return await self.verify(presentation, verifier_id=request.verifier_id, verifier_name=request.verifier_name,
                                 expected_aud=request_audience(request.verifier_id), expected_nonce=request.nonce)

    # --- revocation -----------------------------------------------------------------------------

    async def issued_cards(self, org_id: int, holder_id: int) -> list[HeldCard]:
        """The cards this organisation issued to the holder (for revoke, suspend, reinstate)."""
        async with self._uow() as uow:
            issuer = await uow.wallet.issuer_by_org(org_id)
            if issuer is None:
                return []
            records = await uow.wallet.credentials_of(holder_id, issuer_id=issuer.id)
        return [self._held(record, issuer.name) for record in records]

    async def credential_org(self, credential_id: str) -> int | None:
        """The organisation that issued a credential (for the permission check before changing it)."""
        async with self._uow() as uow:
            record = await uow.wallet.credential(credential_id)
            issuer = await uow.wallet.issuer(record.issuer_id) if record else None
        return issuer.org_id if issuer else None

    async def set_status(self, credential_id: str, status: CredentialStatus) -> HeldCard:
        """Revoke (for good), suspend or reinstate: the status list and the card change together."""
        now = self.now()
        async with self._uow() as uow:
            record = await uow.wallet.credential(credential_id)
            if record is None:
                raise CardNotFound(credential_id)
            if record.status == "revoked":
                raise StatusChangeRefused(credential_id)
            stored = await uow.wallet.status_list(record.issuer_id)
            current = StatusList(stored.bits, stored.packed) if stored else StatusList.empty()
            updated = current.with_status(record.status_index, int(status))
            await uow.wallet.save_status_list(record.issuer_id, updated.bits, updated.packed, now=now)
            await uow.wallet.set_credential_status(credential_id, STATUS_NAMES[status], now=now)
            changed = await uow.wallet.credential(credential_id)
            name = await self._issuer_name(uow, record.issuer_id)
            await uow.commit()
        assert changed is not None
        return self._held(changed, name)

    # --- people ---------------------------------------------------------------------------------

    async def user(self, user_id: int) -> Person | None:
        async with self._uow() as uow:
            return await uow.users.get(user_id)

    async def find_user(self, who: str) -> Person | None:
        """A person by @username or Telegram id, as an issuer admin types it."""
        text = who.strip()
        async with self._uow() as uow:
            if text.lstrip("-").isdigit():
                return await uow.users.get(int(text))
            return await uow.users.find_by_username(text)

    async def request(self, request_id: str) -> RequestRecord | None:
        async with self._uow() as uow:
            return await uow.wallet.request(request_id)

    # --- who verifies ---------------------------------------------------------------------------

    async def verifier_name(self, user: Person, org_ids: list[int]) -> str:
        """The verifier's organisation name if they act for one, else their own name."""
        async with self._uow() as uow:
            for org_id in org_ids:
                organisation = await uow.organisations.get(org_id)
                if organisation is not None:
                    return organisation.name
        return user.display_name


def _in_card_order(card_type: CardType | None, claims: Mapping[str, Any]) -> tuple[str, ...]:
    """Claim names in the card type's order (disclosures arrive in digest order, which is random)."""
    known = [name for name in card_type.claim_names if name in claims] if card_type else []
    return tuple(known + [name for name in claims if name not in known])


def _peek(text: str) -> tuple[str | None, Any, str | None]:
    """`iss`, the status claim and the KB-JWT nonce, read without trusting them (to load what verifying needs)."""
    try:
        parts = split_sd_jwt(text)
        payload = parse_compact(parts.issuer_jwt).payload
        nonce = parse_compact(parts.kb_jwt).payload.get("nonce") if parts.kb_jwt else None
    except (WalletError, ValueError, TypeError):
        return None, None, None
    iss = payload.get("iss")
    return (iss if isinstance(iss, str) else None, payload.get("status"),
            nonce if isinstance(nonce, str) else None)
