"""The people the wallet deals with: holders found by @username or id, and a verifier's shown name.
"""

from __future__ import annotations

from subscriptions.accounts import usernames
from subscriptions.accounts.errors import StaleUsername
from subscriptions.numbers import telegram_id
from wallet.ports import Person
from wallet.services.common import Wallet


async def user(wallet: Wallet, user_id: int) -> Person | None:
    async with wallet.uow() as uow:
        return await uow.users.get(user_id)


async def find_user(wallet: Wallet, who: str) -> Person | None:
    """A person by @username or Telegram id, as an issuer admin types it. A name seen on its account long ago
    may belong to someone else by now: `StaleUsername` says whose it was, for the admin to use the id."""
    text = who.strip()
    async with wallet.uow() as uow:
        number = telegram_id(text)
        if number is not None:
            return await uow.users.get(number)
        person = await uow.users.find_by_username(text)
    if person is not None and usernames.is_stale(person.last_seen_at, wallet.clock.now()):
        raise StaleUsername(who, person.id, person.display_name, person.last_seen_at)
    return person


async def verifier_name(wallet: Wallet, user: Person, org_ids: list[int]) -> str:
    """The verifier's organisation name if they act for one, else their own name."""
    async with wallet.uow() as uow:
        for org_id in org_ids:
            organisation = await uow.organisations.get(org_id)
            if organisation is not None:
                return organisation.name
    return user.display_name
