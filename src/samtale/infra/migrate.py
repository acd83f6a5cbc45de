"""Run the Alembic migrations programmatically (`samtale migrate`, the demo, the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from samtale.infra.database import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the database to `revision` (every head by default: features add their tables on
    branches of their own, each starting from the base schema). Idempotent."""
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


def _current(connection: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


async def current_revision(db: Database) -> str | None:
    """The database's revisions, comma-separated (None for an empty database)."""
    async with db.engine.connect() as conn:
        heads = await conn.run_sync(_current)
    return ",".join(heads) or None


def _pending(connection: Connection) -> list[str]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    current = MigrationContext.configure(connection).get_current_heads()
    applied = (
        {rev.revision for rev in script.iterate_revisions(current, "base")} if current else set()
    )
    return sorted(rev.revision for rev in script.walk_revisions() if rev.revision not in applied)


async def pending_revisions(db: Database) -> list[str]:
    """Revisions of the code that the database has not applied (empty when up to date)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_pending)
