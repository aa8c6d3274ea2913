"""Apply the store's Alembic migrations (shipped inside the package) — at start-up and for `bot migrate`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

__all__ = ["MIGRATIONS_DIR", "alembic_config", "migrate_database", "upgrade_to_head"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


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


async def migrate_database(database_url: str) -> str:
    """Migrate the store at `database_url` to the newest schema; returns the URL without its password.

    This is what `python -m bot migrate` calls.
    """
    from .store import Store

    store = Store.from_url(database_url)
    try:
        await store.migrate()
    finally:
        await store.close()
    return store.engine.url.render_as_string(hide_password=True)
