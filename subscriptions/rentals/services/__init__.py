"""Rentals' use cases: the catalog, the application's steps, contracts and the demo brand."""
