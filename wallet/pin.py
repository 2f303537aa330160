"""The wallet PIN: six digits, hashed with Argon2id, five wrong tries lock presenting for 15 minutes.

Pure functions over a `PinState` value that the caller stores (hash, failed attempts, locked
until). Each returns the new state; nothing here keeps state between calls.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from wallet.clock import ensure_aware
from wallet.errors import PinAlreadySet, PinFormatInvalid, PinLocked, PinNotSet

PIN_LENGTH = 6


@dataclass(frozen=True)
class PinPolicy:
    """How many wrong tries, how long the lock, and the Argon2id cost (tests pass cheaper ones)."""

    max_attempts: int = 5
    lockout: timedelta = timedelta(minutes=15)
    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 1

    def hasher(self) -> PasswordHasher:
        return PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_cost_kib, parallelism=self.parallelism
        )


@dataclass(frozen=True)
class PinState:
    """What storage keeps per holder; `version` is the stored row's (0: none yet), for compare-and-set."""

    pin_hash: str | None = None
    failed_attempts: int = 0
    locked_until: datetime | None = None
    version: int = 0

    @property
    def is_set(self) -> bool:
        return self.pin_hash is not None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True)
class PinCheck:
    """The outcome of one try: accepted or not, the state to store, tries left before the lock."""

    accepted: bool
    state: PinState
    attempts_left: int

    @property
    def locked_until(self) -> datetime | None:
        return self.state.locked_until


def validate_pin_format(pin: str) -> None:
    """Six ASCII digits, not all the same and not a straight run (123456, 654321)."""
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise PinFormatInvalid("the PIN is exactly six digits")
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({0}, {1}, {-1}):
        raise PinFormatInvalid("the PIN is too easy to guess")


def set_first_pin(state: PinState, pin: str, *, policy: PinPolicy = PinPolicy()) -> PinState:
    """The first PIN of a wallet."""
    if state.is_set:
        raise PinAlreadySet("a PIN is already set; change or reset it")
    validate_pin_format(pin)
    return PinState(pin_hash=policy.hasher().hash(pin))


def check_pin(state: PinState, pin: str, *, now: datetime, policy: PinPolicy = PinPolicy()) -> PinCheck:
    """One try; raises PinLocked while locked, PinNotSet before a PIN exists."""
    ensure_aware(now)
    pin_hash = state.pin_hash
    if pin_hash is None:
        raise PinNotSet("set a PIN first")
    if state.is_locked(now) and state.locked_until is not None:
        raise PinLocked(state.locked_until)
    if state.locked_until is not None:
        state = replace(state, failed_attempts=0, locked_until=None)  # the lock has run out
    if _matches(pin_hash, pin, policy):
        return PinCheck(True, replace(state, failed_attempts=0), policy.max_attempts)
    failed = state.failed_attempts + 1
    if failed >= policy.max_attempts:
        locked = replace(state, failed_attempts=failed, locked_until=(now + policy.lockout).astimezone(UTC))
        return PinCheck(False, locked, 0)
    return PinCheck(False, replace(state, failed_attempts=failed), policy.max_attempts - failed)


def change_pin(
    state: PinState, old_pin: str, new_pin: str, *, now: datetime, policy: PinPolicy = PinPolicy()
) -> PinCheck:
    """Change the PIN after the old one is given; a wrong old PIN counts as a wrong try."""
    validate_pin_format(new_pin)
    checked = check_pin(state, old_pin, now=now, policy=policy)
    if not checked.accepted:
        return checked
    return PinCheck(True, PinState(pin_hash=policy.hasher().hash(new_pin)), policy.max_attempts)


def reset_pin(state: PinState, new_pin: str, *, policy: PinPolicy = PinPolicy()) -> PinState:
    """A new PIN without the old one, after the caller re-established who the holder is.

    It clears the lock too: the holder proved themselves another way.
    """
    validate_pin_format(new_pin)
    return PinState(pin_hash=policy.hasher().hash(new_pin))


def _matches(pin_hash: str, pin: str, policy: PinPolicy) -> bool:
    try:
        return policy.hasher().verify(pin_hash, pin)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
