"""The request rules that need no DigitalOcean state: names, modes and sizes. Each rule has one sentence,
and every entry point (the inline command, the form, the engine's intake) asks it here.

DigitalOcean requires pool names of 3 to 60 characters and documents no character set, so we keep to a
conservative one: lowercase letters, digits, `-` and `_`, starting with a letter. New database names
follow the same character set, up to PostgreSQL's 63-character identifier limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.digitalocean import PoolMode
from bot.digitalocean.models import POOL_NAME_MAX, POOL_NAME_MIN
from bot.digitalocean.paths import unsafe_reason

from .changes import Change, DbCreate, PoolCreate
from .errors import InvalidRequest

__all__ = [
    "DB_NAME_MAX",
    "SIZE_MAX",
    "check_addressable",
    "check_database_name",
    "check_new_name",
    "check_pool_name",
    "check_resize_asks",
    "check_size",
    "listing",
    "new_name_field",
    "parse_mode",
    "parse_size",
]

DB_NAME_MAX = 63
SIZE_MAX = 2**31 - 1
"""DigitalOcean types a pool's size as int32; the service layer checks the cluster's real room."""
_ECHO_MAX = 20  # a longer size or mode is described by its length, not echoed
_NAME_ECHO_MAX = 64  # a longer name is echoed by its start
_NAME_RE = re.compile(r"[a-z][a-z0-9_-]*")
_CHARSET = 'may contain only lowercase letters, digits, "-" and "_", and must start with a letter'


def _named(name: str) -> str:
    return f'"{name}"' if len(name) <= _NAME_ECHO_MAX else f'"{name[:_NAME_ECHO_MAX]}…"'


def new_name_field(change: Change) -> str | None:
    """The field of `change` that names something new (a created pool or database), if any."""
    return "pool" if isinstance(change, PoolCreate) else "db" if isinstance(change, DbCreate) else None


def check_new_name(change: Change) -> None:
    """The name a create gives, by its rule: the engine's intake asks this instead of its own bound, so
    that a new name has one sentence however long it is."""
    if isinstance(change, PoolCreate):
        check_pool_name(change.pool)
    elif isinstance(change, DbCreate):
        check_database_name(change.db)


def check_pool_name(name: str) -> None:
    if not POOL_NAME_MIN <= len(name) <= POOL_NAME_MAX:
        raise InvalidRequest(
            f"pool name {_named(name)} is {len(name):,} characters long; DigitalOcean requires "
            f"{POOL_NAME_MIN} to {POOL_NAME_MAX}",
            field="pool",
        )
    if not _NAME_RE.fullmatch(name):
        raise InvalidRequest(f"pool name {_named(name)} {_CHARSET}", field="pool")


def check_database_name(name: str) -> None:
    if not 1 <= len(name) <= DB_NAME_MAX:
        raise InvalidRequest(
            f"a database name must be 1 to {DB_NAME_MAX} characters long, not {len(name):,}", field="db"
        )
    if not _NAME_RE.fullmatch(name):
        raise InvalidRequest(f"database name {_named(name)} {_CHARSET}", field="db")


def check_addressable(name: str, *, noun: str, field: str, verb: str, instead: str) -> None:
    """Refuses an existing name (as DigitalOcean lists it) that cannot be sent as one path segment.

    DigitalOcean may list names our own rules would refuse (PostgreSQL allows `CREATE DATABASE ".."`); the
    client decides which names it can address (`bot.digitalocean.paths`), this phrases its refusal.
    """
    reason = unsafe_reason(name)
    if reason is None:
        return
    if name in (".", ".."):
        why = 'a name of "." or ".." would address another endpoint of DigitalOcean\'s API'
    else:
        why = f"DigitalOcean's API cannot address it ({reason})"
    raise InvalidRequest(f'{noun} "{name}" cannot be {verb} by the bot: {why}; {instead}', field=field)


def _shown(value: str) -> str:
    return f'"{value}"' if len(value) <= _ECHO_MAX else f"a {len(value):,}-character value"


def parse_mode(mode: str) -> PoolMode:
    """A pool mode as typed or chosen (any case); the one sentence for anything else."""
    try:
        return PoolMode(mode.strip().lower())
    except ValueError:
        raise InvalidRequest(
            f"mode {_shown(mode)} is not a pool mode; choose session, transaction or statement",
            field="mode",
        ) from None


def _size_refused(shown: str) -> InvalidRequest:
    return InvalidRequest(f"size must be a whole number from 1 to {SIZE_MAX:,}, not {shown}", field="size")


def parse_size(text: str) -> int:
    """A size as typed (decimal digits only); the same sentence as `check_size` for anything else."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        raise _size_refused(_shown(text))
    # checked before `int()`: Python refuses to convert a string of more than 4,300 digits
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(SIZE_MAX)):
        raise _size_refused(_shown(text))
    size = int(significant)
    check_size(size)
    return size


def check_resize_asks(size: int | None, mode: PoolMode | None) -> None:
    """A resize says what to change: a size, a mode or both."""
    if size is None and mode is None:
        raise InvalidRequest("say what to change: a new size, a new mode or both", field="size")


def check_size(size: int) -> None:
    if isinstance(size, bool) or not 1 <= size <= SIZE_MAX:
        raise _size_refused(_shown(str(size)))


def listing(names: Iterable[str]) -> str:
    """Names for a sentence: sorted and comma-separated, or "(none)"."""
    ordered = sorted(names)
    return ", ".join(ordered) if ordered else "(none)"
