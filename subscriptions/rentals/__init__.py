"""Rentals: brands' catalogs of products and plans, units per region, the checkout in the chat (identity from
the wallet, a credit check, an address and installation slot, a contract signed with the holder key, the first
payment), cooling-off and the contracts that follow.
"""
