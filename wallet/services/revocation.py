"""Revoking, suspending and reinstating the cards an organisation issued.
"""

from __future__ import annotations

from wallet.services.common import (
    STATUS_NAMES,
    CardNotFound,
    HeldCard,
    StatusChangeRefused,
    Wallet,
    held,
    issuer_name,
)
from wallet.status_list import (
    CredentialStatus,
    StatusList,
)


async def issued_cards(wallet: Wallet, org_id: int, holder_id: int) -> list[HeldCard]:
    """The cards this organisation issued to the holder (for revoke, suspend, reinstate)."""
    async with wallet.uow() as uow:
        issuer = await uow.wallet.issuer_by_org(org_id)
        if issuer is None:
            return []
        records = await uow.wallet.credentials_of(holder_id, issuer_id=issuer.id)
    return [held(wallet, record, issuer.name) for record in records]


async def issued_card(wallet: Wallet, credential_id: str) -> HeldCard:
    """One card as its issuer sees it (to show it again after a question was answered with Back)."""
    async with wallet.uow() as uow:
        record = await uow.wallet.credential(credential_id)
        if record is None:
            raise CardNotFound(credential_id)
        name = await issuer_name(uow, record.issuer_id)
    return held(wallet, record, name)


async def credential_org(wallet: Wallet, credential_id: str) -> int | None:
    """The organisation that issued a credential (for the permission check before changing it)."""
    async with wallet.uow() as uow:
        record = await uow.wallet.credential(credential_id)
        issuer = await uow.wallet.issuer(record.issuer_id) if record else None
    return issuer.org_id if issuer else None


async def set_status(wallet: Wallet, credential_id: str, status: CredentialStatus) -> HeldCard:
    """Revoke (for good), suspend or reinstate: the status list and the card change together."""
    now = wallet.now()
    async with wallet.uow() as uow:
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
        name = await issuer_name(uow, record.issuer_id)
        await uow.commit()
    assert changed is not None
    return held(wallet, changed, name)
