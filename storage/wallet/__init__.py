"""Wallet storage: issuers and keys, held credentials, offers, PINs, flows, QR sessions, requests, history."""
