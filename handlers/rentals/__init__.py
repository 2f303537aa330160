"""Rentals in the chat: browsing products and their plans, the checkout, /rentals and /applications."""
