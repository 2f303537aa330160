"""A permission someone lacks is answered with a sentence: every permission has its refusal text."""

from __future__ import annotations

from handlers.core.guard import REFUSALS
from subscriptions.accounts.access import POLICY, Permission


def test_every_permission_has_a_refusal_and_a_policy() -> None:
    assert set(REFUSALS) == set(Permission)
    assert set(POLICY) == set(Permission)
