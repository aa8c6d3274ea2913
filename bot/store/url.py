"""Turn the `DATABASE_URL` people write into the async SQLAlchemy URL the store connects with."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import UnsupportedDatabaseUrl

__all__ = ["async_database_url"]

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}

_EXAMPLES = "use sqlite:///dbops.db, sqlite:////absolute/path.db or postgresql://user:password@host:5432/db"


def async_database_url(database_url: str) -> URL:
    """`sqlite:///x.db` → aiosqlite; `postgresql://…`, `postgres://…` → asyncpg; `scheme+driver://` as given.

    libpq's `sslmode` (as in DigitalOcean's connection strings) becomes asyncpg's `ssl`. An in-memory
    SQLite database is refused: it would lose every request at restart and cannot be shared.
    """
    try:
        url = make_url(database_url.strip())
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise UnsupportedDatabaseUrl(f"DATABASE_URL is not a database URL; {_EXAMPLES}.") from None
    scheme, _, driver = url.drivername.partition("+")
    if scheme not in _ASYNC_DRIVERS:
        raise UnsupportedDatabaseUrl(
            f"DATABASE_URL uses {scheme!r}, which dbops cannot store requests in; {_EXAMPLES}."
        )
    if not driver:
        url = url.set(drivername=_ASYNC_DRIVERS[scheme])
    if url.drivername.startswith("sqlite") and url.database in (None, "", ":memory:"):
        raise UnsupportedDatabaseUrl(
            "DATABASE_URL names an in-memory SQLite database, which would lose every request at restart; "
            "use a file such as sqlite:///dbops.db."
        )
    if url.drivername == "postgresql+asyncpg" and "sslmode" in url.query:
        query = dict(url.query)
        query["ssl"] = query.pop("sslmode")
        url = url.set(query=query)
    return url
