"""Storage: SQLAlchemy Core over SQLite (aiosqlite, the default) or PostgreSQL (asyncpg, to scale out).

One package per domain, mirroring the domains: `core` (users, organisations, roles, audit), `wallet`,
`billing` and `delivery`, each with its tables, repositories, sweep queries and migration branch. Beside
them: the engine, envelope encryption of personal data, the unit of work, documents (aggregates as JSON),
migrations and key rotation.
"""
