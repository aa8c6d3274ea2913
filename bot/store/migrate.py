"""Apply the store's Alembic migrations (shipped inside the package) — at start-up and for `bot migrate`.

It depends on the connection only; `Store.migrate` calls `migrate`, never the other way round.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from .connection import Database

__all__ = ["MIGRATIONS_DIR", "alembic_config", "migrate", "migrate_database", "upgrade_to_head"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_LOCK_KEY = 0x64626F7073  # "dbops": serializes concurrent migrations on PostgreSQL


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for our migrations; with `connection`, migrations run on it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(connection: Connection) -> None:
    """Run every pending migration on `connection` (inside the caller's transaction)."""
    command.upgrade(alembic_config(connection), "head")


async def migrate(database: Database) -> None:
    """Bring the schema to the newest revision; safe to run from several processes at once."""
    async with database.write() as conn:
        if not database.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        await conn.run_sync(upgrade_to_head)


async def migrate_database(database_url: str) -> str:
    """Migrate the store at `database_url` to the newest schema; returns the URL without its password.

    This is what `python -m bot migrate` calls.
    """
    database = Database.from_url(database_url)
    try:
        await migrate(database)
    finally:
        await database.close()
    return database.engine.url.render_as_string(hide_password=True)
