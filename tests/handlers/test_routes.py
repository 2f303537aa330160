"""/help is made from the registered commands: a command cannot be registered without its line."""

from __future__ import annotations

import pytest
from telegram import Update

from handlers.core.context import JigapContext
from handlers.core.routing import RouteConflict, Routes
from subscriptions.accounts.access import Permission


async def _nothing(update: Update, context: JigapContext) -> None:
    return None


def test_a_command_without_its_help_line_is_refused_at_start_up() -> None:
    routes = Routes()
    with pytest.raises(RouteConflict, match="/help"):
        routes.command("orphan", _nothing, help="  ")
    assert "orphan" not in routes.commands


def test_help_offers_a_command_to_whoever_it_is_shown_to() -> None:
    routes = Routes()
    routes.command("everyone", _nothing, help="for all")
    routes.command("issue", _nothing, help="issuers", permission=Permission.ISSUE_CREDENTIAL)
    routes.command("broadcast", _nothing, help="admins", shown_to=Permission.ADMIN_BROADCAST)
    assert [c.name for c in routes.help_for(lambda permission: False)] == ["everyone"]
    assert [c.name for c in routes.help_for(lambda p: p is Permission.ADMIN_BROADCAST)] == ["everyone", "broadcast"]
