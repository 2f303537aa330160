"""Gateways to the outside that the domains reach through ports or commands: Telegram's payments today; the
credit bureau, e-contracts and identity through the wallet join them with rentals."""
