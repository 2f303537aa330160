"""Shops' use cases, one module per area; each function takes `Shops` first."""
