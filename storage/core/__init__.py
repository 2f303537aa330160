"""Core storage: users, organisations, roles, the audit log, pending confirmations, the key check."""
