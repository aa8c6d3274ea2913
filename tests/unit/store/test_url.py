from __future__ import annotations

import pytest

from bot.store import Store, UnsupportedDatabaseUrl, async_database_url


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("sqlite:///dbops.db", "sqlite+aiosqlite:///dbops.db"),
        ("sqlite:////data/dbops.db", "sqlite+aiosqlite:////data/dbops.db"),
        ("postgresql://bot:pw@db:5432/dbops", "postgresql+asyncpg://bot:pw@db:5432/dbops"),
        ("postgres://bot:pw@db:25060/dbops", "postgresql+asyncpg://bot:pw@db:25060/dbops"),
        ("postgresql://bot:pw@db/dbops?sslmode=require", "postgresql+asyncpg://bot:pw@db/dbops?ssl=require"),
        ("postgresql+asyncpg://bot@db/dbops", "postgresql+asyncpg://bot@db/dbops"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_the_urls_people_write_get_an_async_driver(written: str, used: str) -> None:
    assert async_database_url(written).render_as_string(hide_password=False) == used


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "mysql://root:secret@db/dbops",
            "DATABASE_URL uses 'mysql', which dbops cannot store requests in; use sqlite:///dbops.db, "
            "sqlite:////absolute/path.db or postgresql://user:password@host:5432/db.",
        ),
        (
            "not a url",
            "DATABASE_URL is not a database URL; use sqlite:///dbops.db, sqlite:////absolute/path.db or "
            "postgresql://user:password@host:5432/db.",
        ),
        (
            "sqlite://",
            "DATABASE_URL names an in-memory SQLite database, which would lose every request at restart; "
            "use a file such as sqlite:///dbops.db.",
        ),
    ],
)
def test_an_unusable_url_is_one_clear_start_up_error(written: str, message: str) -> None:
    with pytest.raises(UnsupportedDatabaseUrl) as caught:
        async_database_url(written)
    assert str(caught.value) == message
    assert "secret" not in str(caught.value)


def test_a_sync_driver_is_refused_without_showing_the_password() -> None:
    with pytest.raises(UnsupportedDatabaseUrl) as caught:
        Store.from_url("sqlite+pysqlite:///x.db")
    assert str(caught.value).startswith("DATABASE_URL sqlite+pysqlite:///x.db cannot be used:")
    with pytest.raises(UnsupportedDatabaseUrl) as pg:
        Store.from_url("postgresql+psycopg2://bot:hunter2@db/dbops")
    assert "hunter2" not in str(pg.value)
