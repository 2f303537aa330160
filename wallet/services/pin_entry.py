"""The PIN keypad as a state machine over one flow: which PIN is being entered, the digits so far (sealed in
the flow, never in a message), and what follows a right one.

A flow's step is its purpose:
- setting a PIN: `set` -> `set_confirm` (the same six digits again) -> the PIN is saved;
- changing it: `change_old` (checked) -> `change_new` -> `change_confirm` -> saved;
- using it: `present` (show a card's QR), `share` (answer a verifier's request), `details` (see a card's
  every claim, its number and birth date among them) or `sign` (the holder key signs one document, see
  `wallet.services.signing`): checked, then the flow is `unlocked` and the handler goes on (`present` moves to
  `preset`, the choice of what to show; `details` is closed, good for one look; `sign` is marked unlocked and
  takes no more keys, and signing closes it).
Each key press is one `press`: a digit, `x` (delete) or `c` (cancel). Wrong tries count towards the lock
(`wallet.pin`); the flow is closed when the PIN is saved, the holder cancels, or showing is locked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from subscriptions.flows import Flow, FlowStatus
from wallet.errors import PinFormatInvalid, PinLocked
from wallet.pin import validate_pin_format
from wallet.services import pins
from wallet.services.common import Wallet
from wallet.services.flows import PIN, close, find_flow, move, start_flow

PIN_LENGTH = 6
KEYS = frozenset("0123456789xc")


class Purpose(StrEnum):
    SET = "set"
    SET_CONFIRM = "set_confirm"
    CHANGE_OLD = "change_old"
    CHANGE_NEW = "change_new"
    CHANGE_CONFIRM = "change_confirm"
    PRESENT = "present"
    SHARE = "share"
    DETAILS = "details"
    SIGN = "sign"


CHECKED = (Purpose.CHANGE_OLD, Purpose.PRESENT, Purpose.SHARE, Purpose.DETAILS, Purpose.SIGN)  # the holder's PIN is asked for
CONFIRMING = {Purpose.SET: Purpose.SET_CONFIRM, Purpose.CHANGE_NEW: Purpose.CHANGE_CONFIRM}
PRESET = "preset"  # after a right PIN for `present`: the holder picks what to show
UNLOCKED = "unlocked"  # in a `sign` flow's state after a right PIN: signing may use the key once


class Note(StrEnum):
    """Why the keypad is shown again from the start."""

    TOO_EASY = "too_easy"
    DIFFERENT = "different"
    WRONG = "wrong"


@dataclass(frozen=True)
class Keypad:
    """Show the keypad: `entered` dots, and a note when it starts over."""

    flow: Flow
    entered: int
    note: Note | None = None
    attempts_left: int = 0


@dataclass(frozen=True)
class PinSaved:
    changed: bool  # a change (True) or the first PIN (False)


@dataclass(frozen=True)
class Unlocked:
    """A right PIN for `present`, `share` or `details`: the flow carries what it was for (a card, a request)."""

    flow: Flow
    purpose: Purpose


@dataclass(frozen=True)
class Locked:
    until: datetime


@dataclass(frozen=True)
class Canceled:
    """The holder pressed Cancel on the keypad: nothing was saved or unlocked."""


@dataclass(frozen=True)
class Stale:
    """Not a key of an open keypad of this person's: forged, finished, expired, or a second tap."""


Outcome = Keypad | PinSaved | Unlocked | Locked | Canceled | Stale


def purpose_of(flow: Flow) -> Purpose:
    return Purpose(flow.step)


async def begin(wallet: Wallet, user_id: int, purpose: Purpose, state: Mapping[str, Any], *, chat_id: int,
                subject: str = "") -> Flow:
    """A keypad for `purpose`. One that needs the PIN starts with setting one if there is none yet (then
    opens the wallet); it raises PinLocked while showing cards is locked."""
    if purpose in CHECKED:
        if not (await pins.pin_state(wallet, user_id)).is_set:
            purpose, state = Purpose.SET, {**state, "then": "wallet"}
        else:
            await pins.ensure_not_locked(wallet, user_id)
    return await start_flow(wallet, user_id, PIN, purpose.value, {**state, "digits": "", "subject": subject},
                            chat_id=chat_id)


async def attach(wallet: Wallet, flow: Flow, message_id: int | None) -> Flow | None:
    """Remember the keypad's message (it is edited in place)."""
    return await move(wallet, flow, message_id=message_id)


async def press(wallet: Wallet, user_id: int, flow_id: str, key: str) -> Outcome:
    """One key of the keypad; the sixth digit completes the step."""
    flow = await find_flow(wallet, user_id, flow_id, PIN)
    if flow is None or flow.step == PRESET or flow.state.get(UNLOCKED) or len(key) != 1 or key not in KEYS:
        return Stale()
    if key == "c":
        return Canceled() if await close(wallet, flow, FlowStatus.CANCELED) else Stale()
    digits = str(flow.state.get("digits", ""))
    digits = digits[:-1] if key == "x" else (digits + key)[:PIN_LENGTH]
    if len(digits) < PIN_LENGTH:
        saved = await move(wallet, flow, state={**flow.state, "digits": digits})
        return Keypad(saved, len(digits)) if saved is not None else Stale()
    return await _complete(wallet, user_id, flow, digits)


async def _complete(wallet: Wallet, user_id: int, flow: Flow, pin: str) -> Outcome:
    purpose = purpose_of(flow)
    if purpose in CONFIRMING:
        try:
            validate_pin_format(pin)
        except PinFormatInvalid:
            return await _again(wallet, flow, purpose, Note.TOO_EASY)
        return await _again(wallet, flow, CONFIRMING[purpose], None, first=pin)
    if purpose in (Purpose.SET_CONFIRM, Purpose.CHANGE_CONFIRM):
        return await _confirm(wallet, user_id, flow, purpose, pin)
    return await _check(wallet, user_id, flow, purpose, pin)


async def _again(wallet: Wallet, flow: Flow, purpose: Purpose, note: Note | None, *, first: str | None = None,
                 attempts_left: int = 0) -> Outcome:
    """The keypad from the start, for `purpose` (the same one after a mistake)."""
    state = {**flow.state, "digits": ""}
    if first is not None:
        state["first"] = first
    saved = await move(wallet, flow, step=purpose.value, state=state)
    return Keypad(saved, 0, note, attempts_left) if saved is not None else Stale()


async def _confirm(wallet: Wallet, user_id: int, flow: Flow, purpose: Purpose, pin: str) -> Outcome:
    setting = purpose is Purpose.SET_CONFIRM
    if pin != flow.state.get("first"):
        return await _again(wallet, flow, Purpose.SET if setting else Purpose.CHANGE_NEW, Note.DIFFERENT, first="")
    if not await pins.save_pin_closing(wallet, user_id, pin, flow, first=setting):
        return Stale()
    return PinSaved(changed=not setting)


async def _check(wallet: Wallet, user_id: int, flow: Flow, purpose: Purpose, pin: str) -> Outcome:
    """Present, share or change: the PIN is checked first; wrong tries count towards the lock."""
    try:
        checked = await pins.try_pin(wallet, user_id, pin)
    except PinLocked as error:
        await close(wallet, flow, FlowStatus.CANCELED)
        return Locked(error.until)
    if not checked.accepted:
        if checked.locked_until is not None:
            await close(wallet, flow, FlowStatus.CANCELED)
            return Locked(checked.locked_until)
        return await _again(wallet, flow, purpose, Note.WRONG, attempts_left=checked.attempts_left)
    if purpose is Purpose.CHANGE_OLD:
        return await _again(wallet, flow, Purpose.CHANGE_NEW, None)
    if purpose is Purpose.DETAILS:
        return Unlocked(flow, purpose) if await close(wallet, flow) else Stale()
    state = {key: value for key, value in flow.state.items() if key != "digits"}
    if purpose is Purpose.SIGN:
        state[UNLOCKED] = True
    step = PRESET if purpose is Purpose.PRESENT else flow.step
    unlocked = await move(wallet, flow, step=step, state=state)
    return Unlocked(unlocked, purpose) if unlocked is not None else Stale()
