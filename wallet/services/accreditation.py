"""Accreditation: the card types each issuer may issue.

A platform admin grants it and withdraws it (each change goes into the audit log in the same transaction).
Issuing refuses a type the issuer is not accredited for, and a verifier refuses a card whose issuer is not
accredited for its type: a university's registrar can sign anything, but only a student ID of theirs counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.card_types import CardType
from wallet.ports import WalletUnitOfWork
from wallet.records import IssuerRecord
from wallet.services.common import NotAnIssuer, Wallet, WalletServiceError

GRANT_ACTION = "wallet.accredit"
WITHDRAW_ACTION = "wallet.withdraw_accreditation"


class NotAccredited(WalletServiceError):
    """The issuer is not accredited for this card type: it may not issue it, and verifiers refuse it."""

    def __init__(self, issuer_name: str, card_type: CardType) -> None:
        self.issuer_name = issuer_name
        self.card_type = card_type
        super().__init__(f"{issuer_name} is not accredited for {card_type.id}")


@dataclass(frozen=True)
class AccreditationChange:
    """A grant or withdrawal as done; `changed` is False when it was already so."""

    issuer: IssuerRecord
    card_type: CardType
    granted: bool
    changed: bool


@dataclass(frozen=True)
class Accreditations:
    """An issuer and the card types it may issue, in the registry's order."""

    issuer: IssuerRecord
    card_types: tuple[CardType, ...]


async def grant(wallet: Wallet, actor_id: int, issuer_slug: str, card_type_id: str) -> AccreditationChange:
    """Accredit the issuer for the card type; raises NotAnIssuer or UnknownCardType and changes nothing."""
    return await _change(wallet, actor_id, issuer_slug, card_type_id, granted=True)


async def withdraw(wallet: Wallet, actor_id: int, issuer_slug: str, card_type_id: str) -> AccreditationChange:
    """Withdraw it: the issuer's offers and cards of this type stop working at once."""
    return await _change(wallet, actor_id, issuer_slug, card_type_id, granted=False)


async def _change(wallet: Wallet, actor_id: int | None, issuer_slug: str, card_type_id: str, *,
                  granted: bool) -> AccreditationChange:
    card_type = wallet.registry.get(card_type_id)
    now = wallet.now()
    async with wallet.uow() as uow:
        issuer = await uow.wallet.issuer_by_slug(issuer_slug)
        if issuer is None:
            raise NotAnIssuer(issuer_slug)
        if granted:
            changed = await uow.wallet.accredit(issuer.id, card_type.id, granted_by=actor_id, now=now)
        else:
            changed = await uow.wallet.withdraw_accreditation(issuer.id, card_type.id)
        await uow.audit.record(actor_id=actor_id, action=GRANT_ACTION if granted else WITHDRAW_ACTION,
                               outcome="ok" if changed else "unchanged", org_id=issuer.org_id,
                               target=card_type.id, now=now)
        await uow.commit()
    return AccreditationChange(issuer, card_type, granted, changed)


async def accredit_system(wallet: Wallet, issuer_slug: str, card_type_ids: tuple[str, ...]) -> None:
    """Accreditations the operator sets up (the demo issuers for their own types); audited with no actor."""
    for card_type_id in card_type_ids:
        await _change(wallet, None, issuer_slug, card_type_id, granted=True)


async def every_issuer(wallet: Wallet) -> list[Accreditations]:
    """Each issuer with the card types it may issue (for the admin's overview)."""
    async with wallet.uow() as uow:
        found = [(issuer, await uow.wallet.accredited_types(issuer.id)) for issuer in await uow.wallet.issuers()]
    return [Accreditations(issuer, _in_order(wallet, types)) for issuer, types in found]


async def issuable_types(wallet: Wallet, org_id: int) -> tuple[CardType, ...]:
    """The card types the organisation's issuer may issue, in the registry's order."""
    async with wallet.uow() as uow:
        issuer = await uow.wallet.issuer_by_org(org_id)
        if issuer is None:
            raise NotAnIssuer(str(org_id))
        return _in_order(wallet, await uow.wallet.accredited_types(issuer.id))


async def is_accredited_for_all(wallet: Wallet, org_id: int, card_type_ids: tuple[str, ...]) -> bool:
    """Whether the organisation's issuer may already issue every one of these types."""
    return set(card_type_ids) <= {card_type.id for card_type in await issuable_types(wallet, org_id)}


async def ensure_accredited(uow: WalletUnitOfWork, issuer: IssuerRecord, card_type: CardType) -> None:
    """Raise NotAccredited unless the issuer may issue the card type (inside the caller's unit of work)."""
    if card_type.id not in await uow.wallet.accredited_types(issuer.id):
        raise NotAccredited(issuer.name, card_type)


def may_issue(card_type: CardType, accredited_ids: frozenset[str]) -> bool:
    """Whether an issuer accredited for `accredited_ids` may issue `card_type`: an age proof counts as the card
    type it is issued with (a university's proof "from a driver's licence" is not accepted)."""
    return (card_type.proof_of or card_type.id) in accredited_ids


def _in_order(wallet: Wallet, type_ids: frozenset[str]) -> tuple[CardType, ...]:
    return tuple(card_type for card_type in wallet.registry.all() if card_type.id in type_ids)
