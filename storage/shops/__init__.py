"""Shops' storage: shops and their staff links, follows, pass products, passes with their ledger, counter codes
and redemptions, transfers, gift cards with theirs, and scheduled broadcasts."""
