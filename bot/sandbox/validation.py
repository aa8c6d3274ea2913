"""Request bodies as the sandbox checks them; every problem becomes one readable 422 message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import Unprocessable
from .model import INT32_MAX, POOL_MODES, POOL_NAME_MAX, POOL_NAME_MIN

__all__ = ["DatabaseBody", "PoolBody", "parse_database", "parse_json_object", "parse_pool"]

_MODES_TEXT = "session, transaction or statement"


@dataclass(frozen=True)
class PoolBody:
    mode: str
    size: int
    db: str
    user: str | None
    name: str = ""


@dataclass(frozen=True)
class DatabaseBody:
    name: str


def parse_json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise Unprocessable("The request body is empty; send a JSON object.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Unprocessable("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Unprocessable("The request body must be a JSON object.")
    return body


def _string(body: dict[str, Any], key: str, problems: list[str], *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            problems.append(f"{key} is required")
        return None
    if not isinstance(value, str):
        problems.append(f"{key} must be a string")
        return None
    if required and not value.strip():
        problems.append(f"{key} must not be empty")
        return None
    return value


def parse_pool(raw: bytes, *, with_name: bool) -> PoolBody:
    """`connection_pool` (POST, `with_name`) or `connection_pool_update` (PUT) from the spec."""
    body = parse_json_object(raw)
    problems: list[str] = []
    name = _string(body, "name", problems) if with_name else ""
    if with_name and name is not None and not POOL_NAME_MIN <= len(name) <= POOL_NAME_MAX:
        problems.append(f"name must be between {POOL_NAME_MIN} and {POOL_NAME_MAX} characters")
    mode = _string(body, "mode", problems)
    if mode is not None and mode not in POOL_MODES:
        problems.append(f"mode must be one of {_MODES_TEXT} (got {mode!r})")
    size = body.get("size")
    if size is None:
        problems.append("size is required")
    elif isinstance(size, bool) or not isinstance(size, int):
        problems.append("size must be an integer")
    elif size < 1:
        problems.append("size must be at least 1")
    elif size > INT32_MAX:
        problems.append(f"size must be at most {INT32_MAX}")
    db = _string(body, "db", problems)
    user = _string(body, "user", problems, required=False)
    if problems:
        raise Unprocessable("Invalid connection pool: " + "; ".join(problems) + ".")
    if name is None or mode is None or not isinstance(size, int) or db is None:  # pragma: no cover
        raise AssertionError("unreachable: every missing field was reported above")
    return PoolBody(name=name, mode=mode, size=size, db=db, user=user or None)


def parse_database(raw: bytes) -> DatabaseBody:
    body = parse_json_object(raw)
    problems: list[str] = []
    name = _string(body, "name", problems)
    if problems or name is None:
        raise Unprocessable("Invalid database: " + "; ".join(problems) + ".")
    return DatabaseBody(name=name)
