"""Issuers: an organisation's signing key and status list, its published metadata and status list token.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wallet.keys import Algorithm, build_jwks, generate_signing_key
from wallet.ports import Organisation
from wallet.records import (
    IssuerRecord,
)
from wallet.services.common import STATUS_LIST_TTL, Wallet
from wallet.status_list import (
    StatusList,
    sign_status_list,
)


async def follow_public_url(wallet: Wallet) -> int:
    """Move every issuer whose stored address is not where the bot is reached now; how many moved. Cards
    issued before keep verifying: their issuer is found by the name at the end of their `iss`."""
    moved = 0
    async with wallet.uow() as uow:
        for issuer in await uow.wallet.issuers():
            wanted = wallet.issuer_url(issuer.slug)
            if issuer.issuer_url != wanted:
                await uow.wallet.move_issuer(issuer.id, wanted)
                moved += 1
        await uow.commit()
    return moved


async def ensure_issuer(wallet: Wallet, organisation: Organisation, alg: Algorithm | None = None) -> tuple[IssuerRecord, bool]:
    """The organisation's issuer, created with a fresh key and an empty status list if missing; one that was
    reached at another address (the bot's web port or public URL changed) moves to the configured one, so new
    credentials, its keys and its status list all name where verifiers find them now."""
    now = wallet.now()
    async with wallet.uow() as uow:
        existing = await uow.wallet.issuer_by_org(organisation.id)
        if existing is not None:
            wanted = wallet.issuer_url(existing.slug)
            if existing.issuer_url == wanted:
                return existing, False
            await uow.wallet.move_issuer(existing.id, wanted)
            await uow.commit()
            return dataclasses.replace(existing, issuer_url=wanted), False
        issuer_id = await uow.wallet.add_issuer(
            org_id=organisation.id, slug=organisation.slug, issuer_url=wallet.issuer_url(organisation.slug), now=now
        )
        chosen: Algorithm = alg or ("ES256" if wallet.config.signing_alg == "ES256" else "EdDSA")
        await uow.wallet.add_issuer_key(issuer_id, generate_signing_key(chosen), now=now)
        empty = StatusList.empty()
        await uow.wallet.save_status_list(issuer_id, empty.bits, empty.packed, now=now)
        issuer = await uow.wallet.issuer(issuer_id)
        await uow.commit()
    assert issuer is not None
    return issuer, True


async def issuer_for_org(wallet: Wallet, org_id: int) -> IssuerRecord | None:
    async with wallet.uow() as uow:
        return await uow.wallet.issuer_by_org(org_id)


async def issuer(wallet: Wallet, issuer_id: int) -> IssuerRecord | None:
    async with wallet.uow() as uow:
        return await uow.wallet.issuer(issuer_id)


async def issuers(wallet: Wallet) -> list[IssuerRecord]:
    async with wallet.uow() as uow:
        return await uow.wallet.issuers()


async def issuer_metadata(wallet: Wallet, slug: str) -> dict[str, Any] | None:
    """The JWT VC issuer metadata (issuer and JWKS) served at /.well-known/jwt-vc-issuer/<slug>."""
    async with wallet.uow() as uow:
        issuer = await uow.wallet.issuer_by_slug(slug)
        if issuer is None:
            return None
        keys = await uow.wallet.issuer_public_keys(issuer.id)
    return {"issuer": issuer.issuer_url, "jwks": build_jwks(keys)}


async def status_list_token(wallet: Wallet, slug: str) -> str | None:
    """The issuer's current `statuslist+jwt`, signed now."""
    now = wallet.now()
    async with wallet.uow() as uow:
        issuer = await uow.wallet.issuer_by_slug(slug)
        if issuer is None:
            return None
        stored = await uow.wallet.status_list(issuer.id)
        key = await uow.wallet.active_issuer_key(issuer.id)
    if stored is None or key is None:
        return None
    return sign_status_list(StatusList(stored.bits, stored.packed), uri=wallet.status_uri(issuer.slug),
                            issuer=issuer.issuer_url, key=key, now=now, ttl=STATUS_LIST_TTL)
