"""Rentals in the chat: browsing products and their plans, the checkout, /rentals and /applications."""

from __future__ import annotations

from handlers.core.routing import Routes
from handlers.rentals.contracts import register_contracts


def register(routes: Routes) -> None:
    register_contracts(routes)
