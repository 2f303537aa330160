"""Showing a card: a session of QR frames, each a fresh presentation for a new nonce, until it runs out.

Every frame reads the card again: a card revoked, suspended or expired while its QR is on screen gives no
further code, and the session ends saying why.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from wallet.records import (
    SessionRecord,
)
from wallet.services.cards import own_card
from wallet.services.common import (
    CardNotShowable,
    Frame,
    HeldCard,
    SessionOver,
    Wallet,
    held,
    issuer_name,
    present_held,
    unshowable_reason,
)


def ensure_showable(wallet: Wallet, card: HeldCard) -> None:
    """Raise CardNotShowable unless the card can be presented now."""
    reason = unshowable_reason(card.record, wallet.now())
    if reason is not None:
        raise CardNotShowable(reason, card.issuer_name)


async def start_session(wallet: Wallet, holder_id: int, credential_id: str, preset: str, *, chat_id: int,
                        language: str) -> SessionRecord:
    """A new QR session; raises CardNotFound, CardNotShowable (revoked, suspended, expired) or UnknownPreset."""
    card = await own_card(wallet, holder_id, credential_id)
    ensure_showable(wallet, card)
    card.card_type.preset(preset)  # raises UnknownPreset
    now = wallet.now()
    frames = -(-wallet.config.qr_session // wallet.config.qr_lifetime)
    session = SessionRecord(wallet.ids.token(9), holder_id, credential_id, preset, language, chat_id, None, 0, frames,
                            "running", now, now + timedelta(seconds=wallet.config.qr_session))
    async with wallet.uow() as uow:
        await uow.wallet.add_session(session)
        await uow.commit()
    return session


async def frame(wallet: Wallet, session_id: str, *, advance: bool) -> Frame | SessionOver | None:
    """The next QR of a running session (a fresh presentation and nonce); SessionOver when it has just ended
    (its time is up, or the card can no longer be shown); None for a session that is unknown or already over."""
    async with wallet.uow() as uow:
        session = await uow.wallet.session(session_id)
        if session is None or session.status != "running":
            return None
        index = session.frame_index + (1 if advance else 0)
        record = await uow.wallet.credential(session.credential_id)
        key = await uow.wallet.holder_key(session.holder_id)
        over: SessionOver | None = None
        if record is None or key is None:
            over = SessionOver(session, "removed")
        elif (reason := unshowable_reason(record, wallet.now())) is not None:
            over = SessionOver(session, reason, held(wallet, record, await issuer_name(uow, record.issuer_id)))
        elif index >= session.frames_total:
            over = SessionOver(session, "over")
        if over is not None:
            await uow.wallet.update_session(session_id, status="expired")
            await uow.commit()
            return over
        assert record is not None and key is not None
        await uow.wallet.update_session(session_id, frame_index=index)
        await uow.commit()
    # 96 random bits: a frame lives 30 seconds, and a shorter nonce keeps the QR small.
    presentation = present_held(wallet, record, key, aud=wallet.platform_audience, nonce=wallet.ids.token(12),
                                preset=session.preset)
    return Frame(replace(session, frame_index=index), presentation, wallet.config.qr_lifetime)


async def stop_sessions_of(wallet: Wallet, credential_id: str) -> list[SessionOver]:
    """End the running QR sessions of a card that can no longer be shown (just revoked or suspended), so its
    QR messages can say so at once rather than at their next frame."""
    stopped = []
    async with wallet.uow() as uow:
        record = await uow.wallet.credential(credential_id)
        reason = unshowable_reason(record, wallet.now()) if record is not None else None
        if record is None or reason is None:
            return []
        card = held(wallet, record, await issuer_name(uow, record.issuer_id))
        for running in await uow.wallet.running_sessions():
            if running.credential_id == credential_id:
                await uow.wallet.update_session(running.id, status="expired")
                stopped.append(SessionOver(running, reason, card))
        await uow.commit()
    return stopped


async def attach_session_message(wallet: Wallet, session_id: str, message_id: int) -> None:
    async with wallet.uow() as uow:
        await uow.wallet.update_session(session_id, message_id=message_id)
        await uow.commit()


async def session(wallet: Wallet, session_id: str) -> SessionRecord | None:
    async with wallet.uow() as uow:
        return await uow.wallet.session(session_id)


async def expire_session(wallet: Wallet, session_id: str) -> None:
    async with wallet.uow() as uow:
        await uow.wallet.update_session(session_id, status="expired")
        await uow.commit()


async def running_sessions(wallet: Wallet) -> list[SessionRecord]:
    async with wallet.uow() as uow:
        return await uow.wallet.running_sessions()
