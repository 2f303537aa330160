"""Rentals' storage: catalog, plans, units, slots, applications with their hash-chained log, and contracts."""
