"""Storage: the engine and sessions, tenant-scoped queries, Alembic migrations."""
