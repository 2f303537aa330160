"""Thin Telegram adapters, one package per domain (`core`, `admin`, `wallet`, `billing`): each parses the
update, calls one service and renders the reply in the user's language."""
