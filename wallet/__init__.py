"""The wallet room: verifiable ID cards as SD-JWT VCs.

Issuers sign credentials, holders keep them and present a chosen subset of claims bound to
their own key, verifiers check a presentation offline and say in plain words what failed.
Card types, status lists (revocation), the wallet PIN policy, the refreshing presentation QR
and the card images live here too. Nothing in this package talks to Telegram, a database or a
scheduler: state (keys, clocks, nonce stores, status fetchers) is passed in.
"""
