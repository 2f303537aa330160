"""The wallet PIN: set, check (wrong tries stored before answering, a lock after too many), change, and
resetting a wallet whose PIN was forgotten. Argon2 runs in a thread so one person's PIN never holds up
everyone else's chat.
"""

from __future__ import annotations

import asyncio

from subscriptions.flows import Flow, FlowStatus, moved
from wallet.errors import PinLocked
from wallet.keys import generate_signing_key
from wallet.pin import PinCheck, PinState, check_pin, reset_pin, set_first_pin, validate_pin_format
from wallet.services.common import Wallet


async def pin_state(wallet: Wallet, user_id: int) -> PinState:
    async with wallet.uow() as uow:
        return await uow.wallet.pin_state(user_id)


async def set_pin(wallet: Wallet, user_id: int, pin: str) -> None:
    """The first PIN (raises PinFormatInvalid, PinAlreadySet)."""
    while True:
        state = await pin_state(wallet, user_id)
        new_state = await asyncio.to_thread(set_first_pin, state, pin, policy=wallet.pin_policy)
        if await _save_pin(wallet, user_id, new_state, expected_version=state.version):
            return


async def try_pin(wallet: Wallet, user_id: int, pin: str) -> PinCheck:
    """One try; raises PinLocked while locked. Wrong tries are stored before answering.

    The try counts only if the state it was checked against is still the stored one (compare-and-set):
    when another try of the same holder was stored in between, this one is checked again against the new
    state, so two PINs tested at once spend two tries, and one tested after the lock is refused. Each lost
    race means another try was stored, so this ends.
    """
    while True:
        now = wallet.now()
        state = await pin_state(wallet, user_id)
        checked = await asyncio.to_thread(check_pin, state, pin, now=now, policy=wallet.pin_policy)
        if await _save_pin(wallet, user_id, checked.state, expected_version=state.version):
            return checked


async def ensure_not_locked(wallet: Wallet, user_id: int) -> None:
    state = await pin_state(wallet, user_id)
    if state.is_locked(wallet.now()) and state.locked_until is not None:
        raise PinLocked(state.locked_until)


async def replace_pin(wallet: Wallet, user_id: int, pin: str) -> None:
    """A new PIN after the old one was given (change) or after the wallet was reset."""
    validate_pin_format(pin)
    new_state = await asyncio.to_thread(reset_pin, PinState(), pin, policy=wallet.pin_policy)
    await _save_pin(wallet, user_id, new_state)


async def save_pin_closing(wallet: Wallet, user_id: int, pin: str, keypad: Flow, *, first: bool) -> bool:
    """The PIN typed twice becomes the holder's, and the keypad's flow closes, in one transaction: a crash
    between the two would leave a finished keypad and no PIN (the last key pressed would seem lost).
    `first`: setting up (a PIN left by an earlier reset is replaced); otherwise a change. False when the
    keypad moved on meanwhile (a second press of the same key)."""
    validate_pin_format(pin)
    while True:
        state = await pin_state(wallet, user_id)
        new_state = await asyncio.to_thread(_new_pin_state, state, pin, wallet, first)
        async with wallet.uow() as uow:
            if not await uow.flows.save(moved(keypad, status=FlowStatus.DONE), expected_version=keypad.version):
                return False
            if await uow.wallet.save_pin_state(user_id, new_state, now=wallet.now(), expected_version=state.version):
                await uow.commit()
                return True


def _new_pin_state(state: PinState, pin: str, wallet: Wallet, first: bool) -> PinState:
    """Setting up keeps the stored state (its version, its tries); a PIN an earlier reset left, or a change,
    starts a fresh one."""
    if first and not state.is_set:
        return set_first_pin(state, pin, policy=wallet.pin_policy)
    return reset_pin(PinState(), pin, policy=wallet.pin_policy)


async def _save_pin(wallet: Wallet, user_id: int, state: PinState, *, expected_version: int | None = None) -> bool:
    async with wallet.uow() as uow:
        saved = await uow.wallet.save_pin_state(user_id, state, now=wallet.now(), expected_version=expected_version)
        await uow.commit()
    return saved


async def reset_wallet(wallet: Wallet, user_id: int) -> int:
    """Forgot the PIN: every card leaves the wallet and the holder key is replaced, so a reset can never
    unlock cards someone else could present; the issuers issue them again. Returns how many cards went."""
    now = wallet.now()
    async with wallet.uow() as uow:
        records = await uow.wallet.credentials_of(user_id)
        for record in records:
            await uow.wallet.remove_credential(record.id, now=now)
        await uow.wallet.set_holder_key(user_id, generate_signing_key(), now=now)
        await uow.wallet.save_pin_state(user_id, PinState(), now=now)
        await uow.commit()
    return len(records)
