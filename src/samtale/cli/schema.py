"""The server's check of the database schema before it serves (one process or a supervisor of
several): kept apart from the server so that a supervisor imports only what it needs."""

from __future__ import annotations

from samtale.infra.database import Database
from samtale.infra.migrate import current_revision, pending_revisions, upgrade
from samtale.kernel.config import Settings


async def check_schema(settings: Settings, db: Database) -> None:
    """Refuse to serve a database behind the code (a fresh embedded one is created)."""
    pending = await pending_revisions(db)
    if pending:
        if settings.is_sqlite and await current_revision(db) is None:
            await upgrade(db)  # a fresh embedded database: create it
        else:
            raise SystemExit(
                f"The database lacks migrations {', '.join(pending)}: run `samtale migrate` first."
            )
