"""The wallet's rows: issuers and keys, holder keys, held credentials, offers, PINs, flows, QR sessions,
verification requests, used nonces, history and status lists.

Sealed columns are sealed and opened here, so callers see plain values and the database sees ciphertext.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.core.tables import organisations
from storage.envelope import Envelope
from storage.metadata import as_utc
from storage.wallet.tables import (
    CREDENTIAL_PURPOSE,
    HOLDER_KEY_PURPOSE,
    ISSUER_KEY_PURPOSE,
    OFFER_CLAIMS_PURPOSE,
    PHOTO_PURPOSE,
    VERIFIER_NAME_PURPOSE,
    wallet_accreditations,
    wallet_credentials,
    wallet_holder_keys,
    wallet_issuer_keys,
    wallet_issuers,
    wallet_offers,
    wallet_pins,
    wallet_presentation_sessions,
    wallet_presentations,
    wallet_status_lists,
    wallet_used_nonces,
    wallet_verification_requests,
    wallet_verifications,
)
from wallet.keys import PublicKey, SigningKey, open_signing_key, public_key_from_jwk, seal_signing_key
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


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


class WalletRepository:
    def __init__(self, connection: AsyncConnection, envelope: Envelope) -> None:
        self._connection = connection
        self._envelope = envelope

    # --- issuers ----------------------------------------------------------------------------------

    def _issuer_query(self) -> Any:
        return select(wallet_issuers, organisations.c.name).join(
            organisations, organisations.c.id == wallet_issuers.c.org_id
        )

    @staticmethod
    def _issuer(row: Any) -> IssuerRecord:
        return IssuerRecord(row.id, row.org_id, row.slug, row.name, row.issuer_url)

    async def add_issuer(self, *, org_id: int, slug: str, issuer_url: str, now: datetime) -> int:
        result = await self._connection.execute(
            insert(wallet_issuers)
            .values(org_id=org_id, slug=slug, issuer_url=issuer_url, created_at=now)
            .returning(wallet_issuers.c.id)
        )
        return int(result.scalar_one())

    async def move_issuer(self, issuer_id: int, issuer_url: str) -> None:
        await self._connection.execute(
            update(wallet_issuers).where(wallet_issuers.c.id == issuer_id).values(issuer_url=issuer_url)
        )

    async def issuer_by_org(self, org_id: int) -> IssuerRecord | None:
        row = (await self._connection.execute(self._issuer_query().where(wallet_issuers.c.org_id == org_id))).first()
        return None if row is None else self._issuer(row)

    async def issuer_by_slug(self, slug: str) -> IssuerRecord | None:
        query = self._issuer_query().where(wallet_issuers.c.slug == slug.lower())
        row = (await self._connection.execute(query)).first()
        return None if row is None else self._issuer(row)

    async def issuer_by_url(self, issuer_url: str) -> IssuerRecord | None:
        query = self._issuer_query().where(wallet_issuers.c.issuer_url == issuer_url)
        row = (await self._connection.execute(query)).first()
        return None if row is None else self._issuer(row)

    async def issuer(self, issuer_id: int) -> IssuerRecord | None:
        row = (await self._connection.execute(self._issuer_query().where(wallet_issuers.c.id == issuer_id))).first()
        return None if row is None else self._issuer(row)

    async def issuers(self) -> list[IssuerRecord]:
        rows = (await self._connection.execute(self._issuer_query().order_by(wallet_issuers.c.id))).all()
        return [self._issuer(row) for row in rows]

    async def accredit(self, issuer_id: int, card_type: str, *, granted_by: int | None, now: datetime) -> bool:
        """Accredit the issuer for a card type; False when it already was."""
        if card_type in await self.accredited_types(issuer_id):
            return False
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(insert(wallet_accreditations).values(
                    issuer_id=issuer_id, card_type=card_type, granted_by=granted_by, granted_at=now))
        except IntegrityError:
            return False  # another worker granted it a moment ago
        return True

    async def withdraw_accreditation(self, issuer_id: int, card_type: str) -> bool:
        """Withdraw it; False when the issuer was not accredited for the type."""
        result = await self._connection.execute(delete(wallet_accreditations).where(
            wallet_accreditations.c.issuer_id == issuer_id, wallet_accreditations.c.card_type == card_type))
        return bool(result.rowcount)

    async def accredited_types(self, issuer_id: int) -> frozenset[str]:
        query = select(wallet_accreditations.c.card_type).where(wallet_accreditations.c.issuer_id == issuer_id)
        return frozenset((await self._connection.execute(query)).scalars())

    async def take_status_index(self, issuer_id: int) -> int:
        """The next free index in the issuer's status list (the row lock of the update serialises takers)."""
        await self._connection.execute(
            update(wallet_issuers)
            .where(wallet_issuers.c.id == issuer_id)
            .values(next_status_index=wallet_issuers.c.next_status_index + 1)
        )
        query = select(wallet_issuers.c.next_status_index).where(wallet_issuers.c.id == issuer_id)
        return int((await self._connection.execute(query)).scalar_one()) - 1

    async def add_issuer_key(self, issuer_id: int, key: SigningKey, *, now: datetime) -> None:
        await self._connection.execute(
            update(wallet_issuer_keys).where(wallet_issuer_keys.c.issuer_id == issuer_id).values(active=False)
        )
        await self._connection.execute(
            insert(wallet_issuer_keys).values(
                issuer_id=issuer_id, kid=key.kid, alg=key.alg, public_jwk=dict(key.public.jwk),
                private_key=seal_signing_key(key, self._envelope, purpose=ISSUER_KEY_PURPOSE), active=True,
                created_at=now,
            )
        )

    async def active_issuer_key(self, issuer_id: int) -> SigningKey | None:
        query = select(wallet_issuer_keys.c.private_key).where(
            wallet_issuer_keys.c.issuer_id == issuer_id, wallet_issuer_keys.c.active.is_(True)
        )
        sealed_key = (await self._connection.execute(query)).scalar_one_or_none()
        return None if sealed_key is None else open_signing_key(sealed_key, self._envelope, purpose=ISSUER_KEY_PURPOSE)

    async def issuer_public_keys(self, issuer_id: int) -> list[PublicKey]:
        """Every key the issuer ever signed with (old credentials stay verifiable after a key change)."""
        query = select(wallet_issuer_keys.c.public_jwk).where(wallet_issuer_keys.c.issuer_id == issuer_id)
        rows = (await self._connection.execute(query.order_by(wallet_issuer_keys.c.id.desc()))).all()
        return [public_key_from_jwk(row.public_jwk) for row in rows]

    # --- status lists -----------------------------------------------------------------------------

    async def status_list(self, issuer_id: int) -> StatusListRecord | None:
        query = select(wallet_status_lists).where(wallet_status_lists.c.issuer_id == issuer_id)
        row = (await self._connection.execute(query)).first()
        return None if row is None else StatusListRecord(row.issuer_id, row.bits, bytes(row.packed), row.version)

    async def save_status_list(self, issuer_id: int, bits: int, packed: bytes, *, now: datetime) -> None:
        current = await self.status_list(issuer_id)
        if current is None:
            await self._connection.execute(
                insert(wallet_status_lists).values(issuer_id=issuer_id, bits=bits, packed=packed, updated_at=now)
            )
            return
        await self._connection.execute(
            update(wallet_status_lists)
            .where(wallet_status_lists.c.issuer_id == issuer_id)
            .values(bits=bits, packed=packed, version=current.version + 1, updated_at=now)
        )

    # --- holder keys and PINs ---------------------------------------------------------------------

    async def holder_key(self, user_id: int) -> SigningKey | None:
        query = select(wallet_holder_keys.c.private_key).where(wallet_holder_keys.c.user_id == user_id)
        sealed_key = (await self._connection.execute(query)).scalar_one_or_none()
        return None if sealed_key is None else open_signing_key(sealed_key, self._envelope, purpose=HOLDER_KEY_PURPOSE)

    async def set_holder_key(self, user_id: int, key: SigningKey, *, now: datetime) -> None:
        await self._connection.execute(delete(wallet_holder_keys).where(wallet_holder_keys.c.user_id == user_id))
        await self._connection.execute(
            insert(wallet_holder_keys).values(
                user_id=user_id, kid=key.kid, created_at=now,
                private_key=seal_signing_key(key, self._envelope, purpose=HOLDER_KEY_PURPOSE),
            )
        )

    async def pin_state(self, user_id: int) -> PinState:
        row = (await self._connection.execute(select(wallet_pins).where(wallet_pins.c.user_id == user_id))).first()
        if row is None:
            return PinState()
        return PinState(row.pin_hash, row.failed_attempts, _utc(row.locked_until), row.version)

    async def save_pin_state(self, user_id: int, state: PinState, *, now: datetime,
                             expected_version: int | None = None) -> bool:
        """Store the state; with `expected_version` only if the row is still at that version (0: no row yet).
        False when another writer came first: the caller reads again."""
        values = {"pin_hash": state.pin_hash, "failed_attempts": state.failed_attempts,
                  "locked_until": state.locked_until, "updated_at": now}
        query = update(wallet_pins).where(wallet_pins.c.user_id == user_id)
        if expected_version is not None:
            query = query.where(wallet_pins.c.version == expected_version)
        result = await self._connection.execute(query.values(**values, version=wallet_pins.c.version + 1))
        if result.rowcount:
            return True
        if expected_version:
            return False
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(insert(wallet_pins).values(user_id=user_id, version=1, **values))
        except IntegrityError:  # created a moment ago by another writer
            if expected_version is not None:
                return False
            await self._connection.execute(query.values(**values, version=wallet_pins.c.version + 1))
        return True

    # --- credentials ------------------------------------------------------------------------------

    async def add_credential(self, credential: NewCredential, *, now: datetime) -> None:
        await self._connection.execute(
            insert(wallet_credentials).values(
                id=credential.id, holder_id=credential.holder_id, issuer_id=credential.issuer_id,
                card_type=credential.card_type, vct=credential.vct, status_index=credential.status_index,
                issued_at=credential.issued_at, expires_at=credential.expires_at,
                masked_number=credential.masked_number, jwt_digest=credential.jwt_digest,
                sd_jwt=self._envelope.seal(credential.sd_jwt.encode(), purpose=CREDENTIAL_PURPOSE),
                photo=None if credential.photo is None else self._envelope.seal(credential.photo, purpose=PHOTO_PURPOSE),
                age_proof=None if credential.age_proof is None else self._envelope.seal(
                    credential.age_proof.encode(), purpose=CREDENTIAL_PURPOSE),
                age_proof_digest=credential.age_proof_digest, offer_id=credential.offer_id, created_at=now,
            )
        )

    def _credential(self, row: Any) -> CredentialRecord:
        photo = None if row.photo is None else self._envelope.open(row.photo, purpose=PHOTO_PURPOSE)
        return CredentialRecord(
            row.id, row.holder_id, row.issuer_id, row.card_type, row.vct, row.status_index, row.status,
            _utc(row.status_changed_at), as_utc(row.issued_at), as_utc(row.expires_at), row.masked_number,
            self._envelope.open(row.sd_jwt, purpose=CREDENTIAL_PURPOSE).decode(), photo,
            None if row.age_proof is None else self._envelope.open(row.age_proof, purpose=CREDENTIAL_PURPOSE).decode(),
        )

    async def credential(self, credential_id: str) -> CredentialRecord | None:
        query = select(wallet_credentials).where(
            wallet_credentials.c.id == credential_id, wallet_credentials.c.removed_at.is_(None)
        )
        row = (await self._connection.execute(query)).first()
        return None if row is None else self._credential(row)

    async def credential_by_digest(self, jwt_digest: str) -> CredentialRecord | None:
        """The card a presentation came from: of the card itself or of its age proof."""
        query = select(wallet_credentials).where(or_(wallet_credentials.c.jwt_digest == jwt_digest,
                                                     wallet_credentials.c.age_proof_digest == jwt_digest))
        row = (await self._connection.execute(query)).first()
        return None if row is None else self._credential(row)

    async def credential_at(self, issuer_id: int, status_index: int) -> CredentialRecord | None:
        query = select(wallet_credentials).where(
            wallet_credentials.c.issuer_id == issuer_id, wallet_credentials.c.status_index == status_index
        )
        row = (await self._connection.execute(query)).first()
        return None if row is None else self._credential(row)

    async def credentials_of(self, holder_id: int, *, issuer_id: int | None = None) -> list[CredentialRecord]:
        query = select(wallet_credentials).where(
            wallet_credentials.c.holder_id == holder_id, wallet_credentials.c.removed_at.is_(None)
        )
        if issuer_id is not None:
            query = query.where(wallet_credentials.c.issuer_id == issuer_id)
        rows = (await self._connection.execute(query.order_by(wallet_credentials.c.created_at))).all()
        return [self._credential(row) for row in rows]

    async def set_credential_status(self, credential_id: str, status: str, *, now: datetime) -> None:
        await self._connection.execute(
            update(wallet_credentials)
            .where(wallet_credentials.c.id == credential_id)
            .values(status=status, status_changed_at=now)
        )

    async def remove_credential(self, credential_id: str, *, now: datetime) -> None:
        """The holder removes a card: its secret parts go, the row stays so the status index is never reused."""
        await self._connection.execute(
            update(wallet_credentials)
            .where(wallet_credentials.c.id == credential_id)
            .values(removed_at=now, sd_jwt=self._envelope.seal(b"", purpose=CREDENTIAL_PURPOSE), photo=None)
        )

    # --- offers -----------------------------------------------------------------------------------

    async def add_offer(self, offer: OfferRecord) -> None:
        claims = json.dumps(offer.claims, ensure_ascii=False).encode()
        await self._connection.execute(
            insert(wallet_offers).values(
                id=offer.id, issuer_id=offer.issuer_id, card_type=offer.card_type, holder_id=offer.holder_id,
                claims=self._envelope.seal(claims, purpose=OFFER_CLAIMS_PURPOSE),
                photo=None if offer.photo is None else self._envelope.seal(offer.photo, purpose=PHOTO_PURPOSE),
                status=offer.status, version=offer.version, created_by=offer.created_by,
                created_at=offer.created_at, expires_at=offer.expires_at,
            )
        )

    async def offer(self, offer_id: str) -> OfferRecord | None:
        row = (await self._connection.execute(select(wallet_offers).where(wallet_offers.c.id == offer_id))).first()
        if row is None:
            return None
        claims = json.loads(self._envelope.open(row.claims, purpose=OFFER_CLAIMS_PURPOSE))
        photo = None if row.photo is None else self._envelope.open(row.photo, purpose=PHOTO_PURPOSE)
        return OfferRecord(
            row.id, row.issuer_id, row.card_type, row.holder_id, claims, photo, row.status, row.version,
            row.created_by, row.credential_id, as_utc(row.created_at), as_utc(row.expires_at),
        )

    async def finish_offer(self, offer: OfferRecord, status: str, *, credential_id: str | None = None) -> bool:
        """Close an open offer once (optimistic, by version); its claims are wiped, they live in the credential."""
        result = await self._connection.execute(
            update(wallet_offers)
            .where(wallet_offers.c.id == offer.id, wallet_offers.c.version == offer.version,
                   wallet_offers.c.status == "open")
            .values(status=status, version=offer.version + 1, credential_id=credential_id,
                    claims=self._envelope.seal(b"{}", purpose=OFFER_CLAIMS_PURPOSE), photo=None)
        )
        return bool(result.rowcount)

    # --- QR sessions ------------------------------------------------------------------------------

    async def add_session(self, session: SessionRecord) -> None:
        await self._connection.execute(
            update(wallet_presentation_sessions)
            .where(wallet_presentation_sessions.c.holder_id == session.holder_id,
                   wallet_presentation_sessions.c.status == "running")
            .values(status="expired")
        )
        await self._connection.execute(
            insert(wallet_presentation_sessions).values(
                id=session.id, holder_id=session.holder_id, credential_id=session.credential_id,
                preset=session.preset, language=session.language, chat_id=session.chat_id,
                message_id=session.message_id, frame_index=session.frame_index, frames_total=session.frames_total,
                status=session.status, started_at=session.started_at, ends_at=session.ends_at,
            )
        )

    @staticmethod
    def _session(row: Any) -> SessionRecord:
        return SessionRecord(
            row.id, row.holder_id, row.credential_id, row.preset, row.language, row.chat_id, row.message_id,
            row.frame_index, row.frames_total, row.status, as_utc(row.started_at), as_utc(row.ends_at),
        )

    async def session(self, session_id: str) -> SessionRecord | None:
        query = select(wallet_presentation_sessions).where(wallet_presentation_sessions.c.id == session_id)
        row = (await self._connection.execute(query)).first()
        return None if row is None else self._session(row)

    async def running_sessions(self) -> list[SessionRecord]:
        query = select(wallet_presentation_sessions).where(wallet_presentation_sessions.c.status == "running")
        return [self._session(row) for row in (await self._connection.execute(query)).all()]

    async def update_session(self, session_id: str, **values: Any) -> None:
        await self._connection.execute(
            update(wallet_presentation_sessions).where(wallet_presentation_sessions.c.id == session_id).values(**values)
        )

    # --- verification requests, nonces, history ---------------------------------------------------

    def _seal_name(self, name: str) -> bytes:
        return self._envelope.seal(name.encode(), purpose=VERIFIER_NAME_PURPOSE)

    def _open_name(self, sealed_name: bytes) -> str:
        return self._envelope.open(sealed_name, purpose=VERIFIER_NAME_PURPOSE).decode()

    async def add_request(self, request: RequestRecord) -> None:
        await self._connection.execute(
            insert(wallet_verification_requests).values(
                id=request.id, nonce=request.nonce, verifier_id=request.verifier_id,
                verifier_name=self._seal_name(request.verifier_name), claims=list(request.claims), status=request.status,
                version=request.version, created_at=request.created_at, expires_at=request.expires_at,
            )
        )

    async def request(self, request_id: str) -> RequestRecord | None:
        query = select(wallet_verification_requests).where(wallet_verification_requests.c.id == request_id)
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        return RequestRecord(row.id, row.nonce, row.verifier_id, self._open_name(row.verifier_name), tuple(row.claims),
                             row.status, row.version, as_utc(row.created_at), as_utc(row.expires_at))

    async def finish_request(self, request: RequestRecord, status: str, *, now: datetime) -> bool:
        result = await self._connection.execute(
            update(wallet_verification_requests)
            .where(wallet_verification_requests.c.id == request.id,
                   wallet_verification_requests.c.version == request.version,
                   wallet_verification_requests.c.status == "open")
            .values(status=status, version=request.version + 1, used_at=now)
        )
        return bool(result.rowcount)

    async def nonce_used(self, nonce: str) -> bool:
        query = select(wallet_used_nonces.c.nonce).where(wallet_used_nonces.c.nonce == nonce)
        return (await self._connection.execute(query)).first() is not None

    async def use_nonce(self, nonce: str, *, now: datetime) -> bool:
        """Record a nonce as used; False if it already was (the primary key decides between racing workers)."""
        if await self.nonce_used(nonce):
            return False
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(insert(wallet_used_nonces).values(nonce=nonce, used_at=now))
        except IntegrityError:
            return False
        return True

    async def add_history(self, *, credential_id: str, holder_id: int, verifier_id: int | None, verifier_name: str,
                          claims: tuple[str, ...], verdict: str, now: datetime) -> None:
        await self._connection.execute(
            insert(wallet_presentations).values(
                credential_id=credential_id, holder_id=holder_id, verifier_id=verifier_id,
                verifier_name=self._seal_name(verifier_name), claims=list(claims), verdict=verdict, at=now,
            )
        )

    async def note_verification(self, *, verdict: str, verifier_id: int | None, now: datetime) -> None:
        await self._connection.execute(
            insert(wallet_verifications).values(verdict=verdict, verifier_id=verifier_id, at=now))

    async def history(self, credential_id: str, *, limit: int = 20) -> list[HistoryEntry]:
        query = (
            select(wallet_presentations)
            .where(wallet_presentations.c.credential_id == credential_id)
            .order_by(wallet_presentations.c.id.desc())
            .limit(limit)
        )
        rows = (await self._connection.execute(query)).all()
        return [HistoryEntry(row.credential_id, self._open_name(row.verifier_name), tuple(row.claims), row.verdict,
                             as_utc(row.at)) for row in rows]
